#!/usr/bin/env bash
# The test command of chroma-connect: ./scripts/test.sh [cargo test args...]
#
#  1. cargo fmt --check and cargo clippy --all-targets -- -D warnings
#     (skipped with CHROMA_CONNECT_SKIP_LINT=1);
#  2. makes (or reuses) a venv with chromadb==1.5.9 in
#     ${CHROMA_CONNECT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chroma-connect-tests}/venv-1.5.9;
#  3. starts a real Chroma server on a free port of 127.0.0.1, with its data, HOME and log in a
#     temporary folder under ${TMPDIR:-/tmp}, and seeds it with scripts/seed.py;
#  4. runs `cargo test --all-targets "$@"` with CHROMA_TEST_URL=http://127.0.0.1:PORT;
#  5. always stops the server and removes the temporary folder, and exits with cargo's status.
#
# Examples: ./scripts/test.sh --test it
#           CHROMA_CONNECT_SKIP_LINT=1 ./scripts/test.sh --test it smoke -- --nocapture
# Other knobs: CHROMA_CONNECT_PYTHON (python used to make the venv, default python3),
#              CHROMA_CONNECT_KEEP_TMP=1 (keep the temporary folder, for looking at chroma.log).
set -euo pipefail

CHROMA_VERSION=1.5.9
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CHROMA_CONNECT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chroma-connect-tests}
VENV=$CACHE/venv-$CHROMA_VERSION
# Written only after a complete, verified install: a venv without it is half-made.
MARKER=$VENV/.chroma-connect-ready
PYTHON=${CHROMA_CONNECT_PYTHON:-python3}

START=$SECONDS
say() { printf 'test.sh [%3ss]: %s\n' "$((SECONDS - START))" "$*" >&2; }
die() {
    say "ERROR: $*"
    exit 1
}

cd "$ROOT"

# ---------------------------------------------------------------- lint
if [[ ${CHROMA_CONNECT_SKIP_LINT:-0} != 1 ]]; then
    say "cargo fmt --check"
    cargo fmt --check || die "cargo fmt --check failed: run 'cargo fmt'"
    say "cargo clippy --all-targets -- -D warnings"
    cargo clippy --all-targets -- -D warnings || die "clippy failed"
else
    say "lint skipped (CHROMA_CONNECT_SKIP_LINT=1)"
fi

# ---------------------------------------------------------------- venv
venv_works() {
    [[ -x $VENV/bin/chroma && -x $VENV/bin/python ]] &&
        "$VENV/bin/python" -c "import chromadb, sys; sys.exit(chromadb.__version__ != '$CHROMA_VERSION')" \
            >/dev/null 2>&1
}

ensure_venv() {
    # -x follows symlinks: a venv whose base python went away fails here and is rebuilt.
    [[ -f $MARKER && -x $VENV/bin/chroma && -x $VENV/bin/python ]] && return 0
    mkdir -p "$CACHE"
    # One installer at a time (two test runs started together share the cache).
    exec 9>"$CACHE/install.lock"
    if command -v flock >/dev/null; then
        say "taking the venv lock $CACHE/install.lock"
        flock 9
    fi
    if [[ -f $MARKER && -x $VENV/bin/chroma && -x $VENV/bin/python ]]; then
        exec 9>&-
        return 0
    fi
    if venv_works; then
        # A venv made by hand or by an older version of this script: accept it.
        say "found a working chromadb $CHROMA_VERSION venv at $VENV"
    else
        if [[ -e $VENV ]]; then
            say "removing a half-made venv at $VENV"
            rm -rf "$VENV"
        fi
        say "installing chromadb==$CHROMA_VERSION into $VENV (about a minute, 500 MB; log: $CACHE/pip-install.log)"
        if ! { "$PYTHON" -m venv "$VENV" &&
            "$VENV/bin/python" -m pip install --disable-pip-version-check -q "chromadb==$CHROMA_VERSION"; } \
            >"$CACHE/pip-install.log" 2>&1; then
            tail -n 30 "$CACHE/pip-install.log" >&2 || true
            rm -rf "$VENV"
            die "installing chromadb==$CHROMA_VERSION failed (log above)"
        fi
        venv_works || {
            rm -rf "$VENV"
            die "chromadb==$CHROMA_VERSION installed but does not import"
        }
    fi
    date -u +%Y-%m-%dT%H:%M:%SZ >"$MARKER"
    exec 9>&-
}

ensure_venv

# ---------------------------------------------------------------- server
TMP=$(mktemp -d "${TMPDIR:-/tmp}/chroma-connect-tests.XXXXXX")
SERVER_PID=

# shellcheck disable=SC2317  # invoked through the trap below
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $SERVER_PID ]]; then
        # The server was started with setsid: it leads its own process group.
        kill -TERM -- "-$SERVER_PID" 2>/dev/null || kill -TERM "$SERVER_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 100; i++)); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            say "Chroma did not stop on SIGTERM within 10 s: SIGKILL"
            kill -KILL -- "-$SERVER_PID" 2>/dev/null || kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
        wait "$SERVER_PID" 2>/dev/null || true
        say "Chroma stopped"
    fi
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

mkdir -p "$TMP/home" "$TMP/data"
PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE=http://127.0.0.1:$PORT
LOG=$TMP/chroma.log

say "starting Chroma $CHROMA_VERSION on $BASE (data and log in $TMP)"
# `chroma run` 1.x has no --log-path: its log is its stdout/stderr.
HOME=$TMP/home ANONYMIZED_TELEMETRY=False NO_COLOR=1 \
    setsid "$VENV/bin/chroma" run --path "$TMP/data" --host 127.0.0.1 --port "$PORT" \
    </dev/null >"$LOG" 2>&1 &
SERVER_PID=$!

deadline=$((SECONDS + 60))
until curl -fsS --noproxy '*' --max-time 2 -o /dev/null "$BASE/api/v2/heartbeat" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        tail -n 40 "$LOG" >&2 || true
        die "Chroma exited before answering its heartbeat (log above)"
    fi
    if ((SECONDS >= deadline)); then
        tail -n 40 "$LOG" >&2 || true
        die "no heartbeat from $BASE within 60 s (log above)"
    fi
    sleep 0.2
done
say "Chroma is up"

HOME=$TMP/home ANONYMIZED_TELEMETRY=False "$VENV/bin/python" "$ROOT/scripts/seed.py" 127.0.0.1 "$PORT" ||
    die "seeding failed"

# ---------------------------------------------------------------- tests
export CHROMA_TEST_URL=$BASE
say "cargo test --all-targets $*"
status=0
cargo test --all-targets "$@" || status=$?
say "cargo test exited with $status"
exit "$status"
