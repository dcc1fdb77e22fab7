#!/usr/bin/env bash
# The release app's resident memory with a big server loaded in the browser: 10,000 collections listed and counted
# (Chroma 1.5.9 on this machine), the window on Xvfb. Prints VmRSS at start-up, after the list, and once every
# collection is counted.
#
# Usage: benches/gui_memory.sh   (the venv of scripts/test.sh is made when missing; needs Xvfb)
# Knobs: BENCH_COLLECTIONS (10000), BENCH_WAIT (seconds to let the counts arrive, 60)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command -v Xvfb >/dev/null || { echo "needs Xvfb (apt-get install xvfb)" >&2; exit 1; }
COLLECTIONS=${BENCH_COLLECTIONS:-10000}
WAIT=${BENCH_WAIT:-60}

# shellcheck source=scripts/lib/chroma-env.sh
. "$ROOT/scripts/lib/chroma-env.sh"
VENV=$CHROMA_ENV_CACHE/venv-1.5.9
ensure_venv 1.5.9 "$VENV" "chromadb==1.5.9"

cd "$ROOT"
cargo build --release --quiet
cargo build --release --quiet --example browse_bench

TMP=$(mktemp -d "${TMPDIR:-/tmp}/chroma-connect-gui-memory.XXXXXX")
cleanup() {
    stop_servers "Chroma, Xvfb and the app"
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
rss() { awk '/^VmRSS:/ {print $2 / 1024 " MiB"}' "/proc/$1/status"; }

PORT=$(free_port "$VENV/bin/python")
URL=http://127.0.0.1:$PORT
HOME=$TMP start_chroma "$VENV" "$TMP/data" "$PORT" "$TMP/chroma.log"
wait_for Chroma "$CHROMA_PID" "$URL/api/v2/heartbeat" "$TMP/chroma.log"
say "creating $COLLECTIONS collections in bench_tenant/bench_db"
target/release/examples/browse_bench create "$URL" bench_tenant bench_db "$COLLECTIONS" >&2

export CHROMA_CONNECT_HOME=$TMP/home CHROMA_CONNECT_SECRET_STORE=file
target/release/chroma-connect profiles add big "$URL" --tenant bench_tenant --database bench_db >/dev/null
# Open on the Browse page (the saved page preference).
printf '{\n    "chroma-connect-prefs": "(theme:Light,page:Browse)",\n}\n' >"$CHROMA_CONNECT_HOME/window.ron"

start_tracked Xvfb "$TMP/xvfb.log" Xvfb :77 -screen 0 1280x800x24 -nolisten tcp
sleep 1
start_tracked chroma-connect "$TMP/app.log" env DISPLAY=:77 target/release/chroma-connect gui --profile big
APP=$TRACKED_PID
sleep 3
say "started: $(rss "$APP")"
sleep 5
say "listed: $(rss "$APP")"
sleep "$WAIT"
say "after $WAIT s (counts arrived): $(rss "$APP")"
