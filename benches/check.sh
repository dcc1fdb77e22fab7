#!/usr/bin/env bash
# Whole-process time of `chroma-connect check` against a healthy TLS server, next to curl making the same six
# requests over one connection and the Python client (HttpClient + heartbeat + list_collections), same server,
# same machine, measured with hyperfine. Starts everything it needs; stops it on exit.
#
# Usage: benches/check.sh [hyperfine args...]   (needs hyperfine; the venv of scripts/test.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CHROMA_CONNECT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chroma-connect-tests}
VENV=$CACHE/venv-1.5.9
[[ -x $VENV/bin/chroma ]] || { echo "run ./scripts/test.sh once first (it makes $VENV)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

cd "$ROOT"
cargo build --release --quiet
cargo build --release --quiet --example tls_proxy

TMP=$(mktemp -d "${TMPDIR:-/tmp}/chroma-connect-bench.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ANONYMIZED_TELEMETRY=False HOME=$TMP "$VENV/bin/chroma" run --path "$TMP/data" --host 127.0.0.1 --port "$PORT" \
    >"$TMP/chroma.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$PORT/api/v2/heartbeat" >/dev/null 2>&1 && break
    sleep 0.5
done
HOME=$TMP "$VENV/bin/python" scripts/seed.py 127.0.0.1 "$PORT" >/dev/null

target/release/examples/tls_proxy "127.0.0.1:$PORT" "$TMP/pki" >"$TMP/proxy.url" &
PIDS+=($!)
for _ in $(seq 1 100); do [[ -s $TMP/proxy.url ]] && break; sleep 0.1; done
URL=$(head -n1 "$TMP/proxy.url")
CA=$TMP/pki/ca.pem
API=$URL/api/v2
T=$API/tenants/default_tenant
echo "TLS proxy: $URL  (Chroma on 127.0.0.1:$PORT)" >&2

CHECK="target/release/chroma-connect check $URL --ca-file $CA --json"
CURL="curl -sf --cacert $CA -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
$API/heartbeat $API/version $API/auth/identity $T $T/databases/default_database \
$T/databases/default_database/collections_count"
PY_PORT=${URL##*:}
PYTHON="$VENV/bin/python -c \"import chromadb; from chromadb.config import Settings; \
c = chromadb.HttpClient(host='localhost', port=$PY_PORT, ssl=True, settings=Settings(chroma_server_ssl_verify='$CA', anonymized_telemetry=False)); \
c.heartbeat(); c.list_collections()\""

$CHECK >/dev/null || { echo "check failed:"; $CHECK; exit 1; } >&2
eval "$CURL" || { echo "curl failed" >&2; exit 1; }

HOME=$TMP hyperfine --warmup 3 -N --export-markdown "$TMP/results.md" "$@" \
    -n "chroma-connect check" "$CHECK" \
    -n "curl (same 6 requests, one connection)" "$CURL"
HOME=$TMP hyperfine --warmup 1 --runs 10 "$@" -n "python chromadb client" "$PYTHON"
cat "$TMP/results.md"
