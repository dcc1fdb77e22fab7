#!/usr/bin/env bash
# Browsing at scale, ours next to chromadb's Python client, same server (chroma 1.5.9 behind the TLS proxy of the
# tests), same machine:
#
#  1. listing 10,000 collections: `chroma-connect collections --no-counts` and the library's all_collections
#     (pages of 1,000) vs `HttpClient(...).list_collections()`;
#  2. 1,000 sequential record pages (limit 100, offsets 0..99,900 of a 100,000-record collection) over one
#     keep-alive TLS connection: the library's get_records vs `collection.get(limit=100, offset=...)`; and the
#     same 1,000 requests all at offset 0, which leaves out the server's cost of large offsets.
#
# Each is timed in-process (the call only) and, with hyperfine, as a whole process (start-up included).
# Starts everything it needs; stops it on exit. Seeding takes a minute or two.
#
# Usage: benches/browse.sh [hyperfine args...]   (needs hyperfine; the venv of scripts/test.sh)
# Knobs: BENCH_COLLECTIONS (10000), BENCH_RECORDS (100000), BENCH_PAGES (1000), BENCH_RUNS (hyperfine runs),
#        e.g. BENCH_COLLECTIONS=300 BENCH_RECORDS=5000 BENCH_PAGES=50 BENCH_RUNS=2 for a quick try.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CHROMA_CONNECT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chroma-connect-tests}
VENV=$CACHE/venv-1.5.9
[[ -x $VENV/bin/chroma ]] || { echo "run ./scripts/test.sh once first (it makes $VENV)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
COLLECTIONS=${BENCH_COLLECTIONS:-10000}
RECORDS=${BENCH_RECORDS:-100000}
PAGES=${BENCH_PAGES:-1000}
LIMIT=100

cd "$ROOT"
cargo build --release --quiet
cargo build --release --quiet --example tls_proxy --example browse_bench

TMP=$(mktemp -d "${TMPDIR:-/tmp}/chroma-connect-bench.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
say() { printf 'browse.sh: %s\n' "$*" >&2; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ANONYMIZED_TELEMETRY=False HOME=$TMP "$VENV/bin/chroma" run --path "$TMP/data" --host 127.0.0.1 --port "$PORT" \
    >"$TMP/chroma.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$PORT/api/v2/heartbeat" >/dev/null 2>&1 && break
    sleep 0.5
done
PLAIN=http://127.0.0.1:$PORT

say "creating $COLLECTIONS collections in bench_tenant/bench_db"
target/release/examples/browse_bench create "$PLAIN" bench_tenant bench_db "$COLLECTIONS" >&2

say "adding $RECORDS records (dimension 16) to default_database/bench_records"
HOME=$TMP ANONYMIZED_TELEMETRY=False "$VENV/bin/python" - "$PORT" "$RECORDS" <<'EOF'
import sys, time
import chromadb
from chromadb.config import Settings
port, n = int(sys.argv[1]), int(sys.argv[2])
client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=Settings(anonymized_telemetry=False))
col = client.get_or_create_collection("bench_records", embedding_function=None)
started, batch = time.perf_counter(), 5000
for start in range(0, n, batch):
    ids = range(start, min(start + batch, n))
    col.add(ids=[f"r-{i:06}" for i in ids], documents=[f"record number {i}" for i in ids],
            metadatas=[{"i": i, "parity": i % 2} for i in ids],
            embeddings=[[((i * 7 + d) % 97) / 97.0 for d in range(16)] for i in ids])
print(f"added {col.count()} records in {time.perf_counter() - started:.1f} s", file=sys.stderr)
small = client.get_or_create_collection("bench_small", embedding_function=None)
small.add(ids=[f"s-{i:03}" for i in range(100)], documents=[f"small record {i}" for i in range(100)],
          metadatas=[{"i": i} for i in range(100)], embeddings=[[i / 100.0] * 16 for i in range(100)])
EOF

target/release/examples/tls_proxy "127.0.0.1:$PORT" "$TMP/pki" >"$TMP/proxy.url" &
PIDS+=($!)
for _ in $(seq 1 100); do [[ -s $TMP/proxy.url ]] && break; sleep 0.1; done
URL=$(head -n1 "$TMP/proxy.url")
PY_PORT=${URL##*:}
CA=$TMP/pki/ca.pem
say "TLS proxy: $URL (Chroma on 127.0.0.1:$PORT)"

# The Python side, in-process timings of the calls alone.
cat >"$TMP/py_bench.py" <<EOF
import sys, time
import chromadb
from chromadb.config import Settings
what = sys.argv[1]
settings = Settings(chroma_server_ssl_verify="$CA", anonymized_telemetry=False)
if what == "list":
    client = chromadb.HttpClient(host="localhost", port=$PY_PORT, ssl=True, tenant="bench_tenant",
                                 database="bench_db", settings=settings)
    started = time.perf_counter()
    n = len(client.list_collections())
    print(f"{n} collections in {time.perf_counter() - started:.3f} s")
else:
    client = chromadb.HttpClient(host="localhost", port=$PY_PORT, ssl=True, settings=settings)
    col = client.get_collection("bench_small" if what == "small" else "bench_records", embedding_function=None)
    pages = 1000 if what == "small" else $PAGES
    started, records = time.perf_counter(), 0
    for page in range(pages):
        offset = page * $LIMIT if what == "pages" else 0
        records += len(col.get(limit=$LIMIT, offset=offset)["ids"])
    print(f"{pages} pages, {records} records in {time.perf_counter() - started:.3f} s")
EOF
PY="HOME=$TMP $VENV/bin/python $TMP/py_bench.py"

echo "== in-process: listing $COLLECTIONS collections (3 runs each)"
for _ in 1 2 3; do echo -n "chroma-connect library (pages of 1000): "; target/release/examples/browse_bench list "$URL" "$CA" bench_tenant bench_db 1000; done
for _ in 1 2 3; do echo -n "python list_collections(): "; eval "$PY list"; done
for _ in 1 2 3; do echo -n "chroma-connect library (one page of 10000): "; target/release/examples/browse_bench list "$URL" "$CA" bench_tenant bench_db 10000; done
echo "== in-process: $PAGES sequential pages of $LIMIT records over one TLS connection (3 runs each)"
for _ in 1 2 3; do echo -n "chroma-connect library get_records: "; target/release/examples/browse_bench pages "$URL" "$CA" bench_records "$PAGES" "$LIMIT"; done
for _ in 1 2 3; do echo -n "python collection.get loop: "; eval "$PY pages"; done
echo "== in-process: the same $PAGES requests, all at offset 0 (client + TLS cost; the server's cost of offsets aside)"
for _ in 1 2 3; do echo -n "chroma-connect library get_records: "; target/release/examples/browse_bench repeat "$URL" "$CA" bench_records "$PAGES" "$LIMIT"; done
for _ in 1 2 3; do echo -n "python collection.get loop: "; eval "$PY repeat"; done
echo "== in-process: 1000 requests for all 100 records of a 100-record collection (mostly client, TLS and HTTP cost)"
for _ in 1 2 3; do echo -n "chroma-connect library get_records: "; target/release/examples/browse_bench repeat "$URL" "$CA" bench_small 1000 "$LIMIT"; done
for _ in 1 2 3; do echo -n "python collection.get loop: "; eval "$PY small"; done

echo "== whole process (hyperfine)"
LIST="target/release/chroma-connect collections $URL --ca-file $CA --tenant bench_tenant --database bench_db --no-counts --json"
LIST_COUNTS="target/release/chroma-connect collections $URL --ca-file $CA --tenant bench_tenant --database bench_db --json"
$LIST | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['collections_count'] == $COLLECTIONS, d['collections_count']"
HOME=$TMP hyperfine --warmup 1 --runs "${BENCH_RUNS:-5}" --export-markdown "$TMP/list.md" "$@" \
    -n "chroma-connect collections --no-counts ($COLLECTIONS)" "$LIST >/dev/null" \
    -n "python HttpClient + list_collections() ($COLLECTIONS)" "$PY list"
# One request per collection: slow on the server's side, so measured once.
HOME=$TMP hyperfine --runs 1 --export-markdown "$TMP/counts.md" \
    -n "chroma-connect collections, with record counts ($COLLECTIONS)" "$LIST_COUNTS >/dev/null"
HOME=$TMP hyperfine --warmup 1 --runs "${BENCH_RUNS:-3}" --export-markdown "$TMP/pages.md" "$@" \
    -n "chroma-connect library, $PAGES pages of $LIMIT" \
    "target/release/examples/browse_bench pages $URL $CA bench_records $PAGES $LIMIT" \
    -n "python collection.get loop, $PAGES pages of $LIMIT" "$PY pages"
cat "$TMP/list.md" "$TMP/counts.md" "$TMP/pages.md"
