#!/usr/bin/env bash
# Fuzzes the parsers of outside input (fuzz/README.md): every cargo-fuzz target of fuzz/ (or the ones named), one
# after the other, for N inputs each, starting from its committed seeds (fuzz/seeds/TARGET/) and the corpus of
# earlier runs (fuzz/corpus/TARGET/, not committed), then prints a table: target, executions, seconds, result.
#
#   scripts/fuzz.sh [-n RUNS] [-t MAX_SECONDS] [TARGET...]
#
#   -n RUNS         inputs per target (default 1000000)
#   -t MAX_SECONDS  stop a target after this long even if it has not run RUNS inputs (default 3600); the table
#                   says "ok (time cap)" then
#   TARGET...       some of: url_input profile_toml tls_certificates tls_key chroma_json error_body (default: all)
#
# Needs the nightly toolchain and cargo-fuzz (`rustup toolchain install nightly`, `cargo install cargo-fuzz`).
# Builds once (`cargo +nightly fuzz build -O -a`: optimised, with debug assertions and overflow checks, and
# AddressSanitizer unless FUZZ_SANITIZER=none) into fuzz/target (CARGO_TARGET_DIR is ignored: the sanitizer build
# is kept apart from the normal one), then runs one fuzzer process at a time with -timeout=10: an input that takes
# longer than 10 s counts as a hang. A failing input is saved in fuzz/artifacts/TARGET/ (reproduce it with
# `cargo +nightly fuzz run -O -a TARGET fuzz/artifacts/TARGET/crash-…`); each run's log is
# fuzz/artifacts/logs/TARGET.log. Exits 1 when any target fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ALL_TARGETS=(url_input profile_toml tls_certificates tls_key chroma_json error_body)
RUNS=1000000
MAX_SECONDS=3600
SANITIZER=${FUZZ_SANITIZER:-address}

die() {
    echo "fuzz.sh: $*" >&2
    exit 2
}

while getopts "n:t:h" opt; do
    case $opt in
        n) RUNS=$OPTARG ;;
        t) MAX_SECONDS=$OPTARG ;;
        h)
            sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *) die "usage: scripts/fuzz.sh [-n RUNS] [-t MAX_SECONDS] [TARGET...]" ;;
    esac
done
shift $((OPTIND - 1))
[[ $RUNS =~ ^[0-9]+$ && $RUNS -gt 0 ]] || die "-n wants a number of inputs, not '$RUNS'"
[[ $MAX_SECONDS =~ ^[0-9]+$ && $MAX_SECONDS -gt 0 ]] || die "-t wants a number of seconds, not '$MAX_SECONDS'"
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL_TARGETS[@]}")
for target in "${TARGETS[@]}"; do
    [[ " ${ALL_TARGETS[*]} " == *" $target "* ]] || die "unknown target '$target' (targets: ${ALL_TARGETS[*]})"
done

cargo +nightly --version >/dev/null 2>&1 || die "the nightly toolchain is missing: rustup toolchain install nightly"
cargo +nightly fuzz --version >/dev/null 2>&1 || die "cargo-fuzz is missing: cargo install cargo-fuzz"

cd "$ROOT"
unset CARGO_TARGET_DIR
FLAGS=(-O -a --sanitizer "$SANITIZER")
echo "fuzz.sh: building the fuzz targets (cargo +nightly fuzz build ${FLAGS[*]})" >&2
cargo +nightly fuzz build "${FLAGS[@]}" >&2

LOGS=fuzz/artifacts/logs
mkdir -p "$LOGS"
ROWS=()
failed=0
for target in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    log=$LOGS/$target.log
    echo "fuzz.sh: $target: $RUNS inputs (at most ${MAX_SECONDS}s), log in $log" >&2
    started=$(date +%s.%N)
    rc=0
    cargo +nightly fuzz run "${FLAGS[@]}" "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -runs="$RUNS" -max_total_time="$MAX_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1 || rc=$?
    seconds=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    [[ -n $executions ]] || executions=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
    [[ -n $executions ]] || executions="?"
    if [[ $rc -eq 0 ]]; then
        if [[ $executions =~ ^[0-9]+$ && $executions -ge $RUNS ]]; then result="ok"; else result="ok (time cap)"; fi
    else
        failed=1
        if grep -q "ERROR: libFuzzer: timeout" "$log"; then
            result="HANG"
        elif grep -q "out-of-memory" "$log"; then
            result="OUT OF MEMORY"
        else
            result="CRASH"
        fi
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        [[ -z $artifact ]] || result="$result: $artifact"
    fi
    ROWS+=("$(printf '%-18s %14s %9s  %s' "$target" "$executions" "$seconds" "$result")")
done

printf '%-18s %14s %9s  %s\n' TARGET EXECUTIONS SECONDS RESULT
printf '%s\n' "${ROWS[@]}"
exit "$failed"
