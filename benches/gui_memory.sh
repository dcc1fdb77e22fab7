#!/usr/bin/env bash
# The release app's resident memory with a big server loaded in the browser: 10,000 collections listed and counted
# (Chroma 1.5.9 on this machine), the window on Xvfb. Prints VmRSS at start-up, after the list, and once every
# collection is counted.
#
# Usage: benches/gui_memory.sh   (needs the venv of scripts/test.sh, Xvfb)
# Knobs: BENCH_COLLECTIONS (10000), BENCH_WAIT (seconds to let the counts arrive, 60)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CHROMA_CONNECT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chroma-connect-tests}
VENV=$CACHE/venv-1.5.9
[[ -x $VENV/bin/chroma ]] || { echo "run ./scripts/test.sh once first (it makes $VENV)" >&2; exit 1; }
command -v Xvfb >/dev/null || { echo "needs Xvfb (apt-get install xvfb)" >&2; exit 1; }
COLLECTIONS=${BENCH_COLLECTIONS:-10000}
WAIT=${BENCH_WAIT:-60}

cd "$ROOT"
cargo build --release --quiet
cargo build --release --quiet --example browse_bench

TMP=$(mktemp -d "${TMPDIR:-/tmp}/chroma-connect-gui-memory.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
say() { printf 'gui_memory.sh: %s\n' "$*" >&2; }
rss() { awk '/^VmRSS:/ {print $2 / 1024 " MiB"}' "/proc/$1/status"; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ANONYMIZED_TELEMETRY=False HOME=$TMP "$VENV/bin/chroma" run --path "$TMP/data" --host 127.0.0.1 --port "$PORT" \
    >"$TMP/chroma.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$PORT/api/v2/heartbeat" >/dev/null 2>&1 && break
    sleep 0.5
done
URL=http://127.0.0.1:$PORT
say "creating $COLLECTIONS collections in bench_tenant/bench_db"
target/release/examples/browse_bench create "$URL" bench_tenant bench_db "$COLLECTIONS" >&2

export CHROMA_CONNECT_HOME=$TMP/home CHROMA_CONNECT_SECRET_STORE=file
target/release/chroma-connect profiles add big "$URL" --tenant bench_tenant --database bench_db >/dev/null
# Open on the Browse page (the saved page preference).
printf '{\n    "chroma-connect-prefs": "(theme:Light,page:Browse)",\n}\n' >"$CHROMA_CONNECT_HOME/window.ron"

Xvfb :77 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
PIDS+=($!)
sleep 1
DISPLAY=:77 target/release/chroma-connect gui --profile big >"$TMP/app.log" 2>&1 &
APP=$!
PIDS+=("$APP")
sleep 3
say "started: $(rss "$APP")"
sleep 5
say "listed: $(rss "$APP")"
sleep "$WAIT"
say "after $WAIT s (counts arrived): $(rss "$APP")"
