#!/usr/bin/env bash
# The test command of chroma-connect: ./scripts/test.sh [cargo test args...]
#
#  1. cargo fmt --check, cargo clippy --all-targets -- -D warnings and scripts/deny.sh (cargo deny: licenses, bans,
#     sources; installs cargo-deny once when missing) (skipped with CHROMA_CONNECT_SKIP_LINT=1);
#  2. makes (or reuses) a venv with chromadb==1.5.9 and one with chromadb==0.4.24 (plus the pins it needs:
#     numpy<2, fastapi==0.110.0, posthog<6) in
#     ${CHROMA_CONNECT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chroma-connect-tests}/venv-VERSION;
#  3. starts both as real Chroma servers, in parallel, on free ports of 127.0.0.1, with their data, HOME
#     and logs in a temporary folder under ${TMPDIR:-/tmp}, and seeds them (in parallel) with
#     scripts/seed.py (1.5.9) and scripts/seed_v1.py (0.4.24, with the 0.4.24 venv's own client);
#  4. runs `cargo test --all-targets "$@"` with CHROMA_TEST_URL=http://127.0.0.1:PORT (1.5.9, API v2) and
#     CHROMA_V1_TEST_URL=http://127.0.0.1:PORT2 (0.4.24, API v1 only), and CHROMA_TEST_PYTHON /
#     CHROMA_V1_TEST_PYTHON (each venv's python, for comparisons with chromadb's own client), inside a private D-Bus
#     session (dbus-run-session) with an unlocked gnome-keyring Secret Service and HOME/XDG_* in the
#     temporary folder, so that the profile tests use a real keychain (gnome-keyring and dbus are
#     installed with apt-get when missing and running as root, with Xvfb, xdotool and xprop for the packaging
#     test, which builds the .deb from the dev-profile binary and starts it from its desktop entry);
#     nginx, haproxy and caddy are installed the same way for tests/it/proxy_mtls.rs (ensure_proxies);
#  5. always stops both servers and removes the temporary folder, and exits with cargo's status.
#
# Examples: ./scripts/test.sh --test it
#           CHROMA_CONNECT_SKIP_LINT=1 ./scripts/test.sh --test it smoke -- --nocapture
# Other knobs: CHROMA_CONNECT_PYTHON (python used to make the venv, default python3),
#              CHROMA_CONNECT_KEEP_TMP=1 (keep the temporary folder, for looking at chroma*.log).
set -euo pipefail

CHROMA_VERSION=1.5.9
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CHROMA_CONNECT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chroma-connect-tests}
VENV=$CACHE/venv-$CHROMA_VERSION
# The old generation (API v1 only), for the browsing tests; without these pins it does not start.
V1_VERSION=0.4.24
V1_VENV=$CACHE/venv-$V1_VERSION
V1_PINS=("numpy<2" "fastapi==0.110.0" "posthog<6")

START=$SECONDS
say() { printf 'test.sh [%3ss]: %s\n' "$((SECONDS - START))" "$*" >&2; }
die() {
    say "ERROR: $*"
    exit 1
}

# ensure_venv, start_chroma, wait_for, free_port, stop_servers (they use say and die, above).
# shellcheck source=lib/chroma-env.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/chroma-env.sh"

cd "$ROOT"

# ---------------------------------------------------------------- lint
if [[ ${CHROMA_CONNECT_SKIP_LINT:-0} != 1 ]]; then
    say "cargo fmt --check"
    cargo fmt --check || die "cargo fmt --check failed: run 'cargo fmt'"
    say "cargo clippy --all-targets -- -D warnings"
    cargo clippy --all-targets -- -D warnings || die "clippy failed"
    say "scripts/deny.sh (licenses, bans, sources)"
    "$ROOT/scripts/deny.sh" || die "cargo deny failed"
else
    say "lint skipped (CHROMA_CONNECT_SKIP_LINT=1)"
fi

# ---------------------------------------------------------------- venvs
ensure_venv "$CHROMA_VERSION" "$VENV" "chromadb==$CHROMA_VERSION"
ensure_venv "$V1_VERSION" "$V1_VENV" "chromadb==$V1_VERSION" "${V1_PINS[@]}"

# ---------------------------------------------------------------- servers
TMP=$(mktemp -d "${TMPDIR:-/tmp}/chroma-connect-tests.XXXXXX")

# shellcheck disable=SC2317  # invoked through the trap below
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_servers "Chroma servers"
    if [[ ${CHROMA_CONNECT_KEEP_TMP:-0} == 1 ]]; then
        say "kept $TMP"
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$TMP/home" "$TMP/data" "$TMP/home-v1" "$TMP/data-v1"
PORT=$(free_port "$VENV/bin/python")
V1_PORT=$(free_port "$VENV/bin/python")
while [[ $V1_PORT == "$PORT" ]]; do V1_PORT=$(free_port "$VENV/bin/python"); done
BASE=http://127.0.0.1:$PORT
V1_BASE=http://127.0.0.1:$V1_PORT
LOG=$TMP/chroma.log
V1_LOG=$TMP/chroma-v1.log

say "starting Chroma $CHROMA_VERSION on $BASE and Chroma $V1_VERSION on $V1_BASE (data and logs in $TMP)"
HOME=$TMP/home start_chroma "$VENV" "$TMP/data" "$PORT" "$LOG"
SERVER_PID=$CHROMA_PID
# 0.4.x writes chroma.log into the working directory unless told otherwise.
HOME=$TMP/home-v1 start_chroma "$V1_VENV" "$TMP/data-v1" "$V1_PORT" "$TMP/chroma-v1.out" --log-path "$V1_LOG"
V1_SERVER_PID=$CHROMA_PID

wait_for "Chroma $CHROMA_VERSION" "$SERVER_PID" "$BASE/api/v2/heartbeat" "$LOG"
wait_for "Chroma $V1_VERSION" "$V1_SERVER_PID" "$V1_BASE/api/v1/heartbeat" "$V1_LOG"
say "both Chroma servers are up; seeding them"

HOME=$TMP/home ANONYMIZED_TELEMETRY=False "$VENV/bin/python" "$ROOT/scripts/seed.py" 127.0.0.1 "$PORT" &
SEED_PID=$!
HOME=$TMP/home-v1 ANONYMIZED_TELEMETRY=False "$V1_VENV/bin/python" "$ROOT/scripts/seed_v1.py" 127.0.0.1 "$V1_PORT" &
V1_SEED_PID=$!
wait "$SEED_PID" || die "seeding Chroma $CHROMA_VERSION failed"
wait "$V1_SEED_PID" || die "seeding Chroma $V1_VERSION failed"

# ---------------------------------------------------------------- proxies
# nginx, HAProxy and Caddy for the tests of client certificates enforced by a reverse proxy (tests/it/proxy_mtls.rs).
ensure_proxies

# ---------------------------------------------------------------- keychain
# The profile tests store secrets in a real Secret Service: gnome-keyring, unlocked, on a private session
# bus that lives as long as cargo test. HOME and the XDG folders point into $TMP so that nothing touches
# the user's own keyring; cargo and rustup keep their homes.
# The packaging test starts the packaged app from its desktop entry on a private X server (Xvfb, xdotool, xprop).
missing=()
command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
command -v dbus-run-session >/dev/null || missing+=(dbus-daemon)
command -v Xvfb >/dev/null || missing+=(xvfb)
command -v xdotool >/dev/null || missing+=(xdotool)
command -v xprop >/dev/null || missing+=(x11-utils)
if ((${#missing[@]} > 0)); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        say "installing ${missing[*]} (keychain and packaging tests)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}"; } >"$TMP/apt.log" 2>&1 || {
            tail -n 20 "$TMP/apt.log" >&2
            die "installing ${missing[*]} failed (log above)"
        }
    else
        die "the tests need: apt-get install ${missing[*]}"
    fi
fi
export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo} RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
KEYRING_HOME=$TMP/keyring-home
mkdir -p "$KEYRING_HOME/config" "$KEYRING_HOME/data" "$KEYRING_HOME/cache" "$KEYRING_HOME/run"
chmod 700 "$KEYRING_HOME/run"

# ---------------------------------------------------------------- tests
export CHROMA_TEST_URL=$BASE CHROMA_V1_TEST_URL=$V1_BASE
# Each server's own Python client, for tests that compare our answers with chromadb's.
export CHROMA_TEST_PYTHON=$VENV/bin/python CHROMA_V1_TEST_PYTHON=$V1_VENV/bin/python
say "cargo test --all-targets $* (in dbus-run-session with gnome-keyring)"
status=0
# shellcheck disable=SC2016  # $@ is expanded by the inner shell
HOME=$KEYRING_HOME XDG_CONFIG_HOME=$KEYRING_HOME/config XDG_DATA_HOME=$KEYRING_HOME/data \
    XDG_CACHE_HOME=$KEYRING_HOME/cache XDG_RUNTIME_DIR=$KEYRING_HOME/run CHROMA_CONNECT_TEST_KEYCHAIN=1 \
    dbus-run-session -- bash -c '
        printf %s chroma-connect-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null ||
            { echo "test.sh: gnome-keyring-daemon did not start" >&2; exit 1; }
        exec cargo test --all-targets "$@"' bash "$@" || status=$?
say "cargo test exited with $status"
exit "$status"
