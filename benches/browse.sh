#!/usr/bin/env bash
# Browsing at scale, ours next to curl and chromadb's Python client, same server (chroma 1.5.9 behind the TLS proxy
# of the tests), same machine:
#
#  list     listing 10,000 collections: `chroma-connect collections --no-counts` (pages of 1,000, 4 in flight; and
#           --concurrency 1, one after another) and the library's all_collections_concurrent / all_collections, vs
#           curl fetching the same 11 pages one after another over one connection, vs
#           `HttpClient(...).list_collections()` (one request for everything);
#  pages    1,000 sequential record pages (limit 100, offsets 0..99,900 of a 100,000-record collection) over one
#           keep-alive TLS connection: the library's get_records vs `collection.get(limit=100, offset=...)`; and the
#           same 1,000 requests all at offset 0, which leaves out the server's cost of large offsets;
#  counts   `chroma-connect collections` with the record count of each of the 10,000 collections (once);
#  export   exporting the 100,000-record collection as JSON Lines: `chroma-connect records --all --format jsonl
#           --output FILE` (pages of 1,000, 4 in flight; and --concurrency 1) and the library's all_records, vs the
#           Python client paging `collection.get(limit=1000, offset=...)` one page after another and writing the
#           same JSON lines (the two files are checked to hold the same records).
#
# Each is timed in-process (the calls only) and, with hyperfine, as a whole process (start-up included).
# Starts everything it needs; stops it on exit. Seeding takes a minute or two.
#
# Usage: benches/browse.sh [hyperfine args...]   (needs hyperfine; the venv of scripts/test.sh)
# Knobs: BENCH_COLLECTIONS (10000), BENCH_RECORDS (100000), BENCH_PAGES (1000), BENCH_RUNS (hyperfine runs),
#        BENCH_SECTIONS ("list pages counts export": which of the above), BENCH_EXPORT_PAGE (1000),
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
SECTIONS=${BENCH_SECTIONS:-list pages counts export}
EXPORT_PAGE=${BENCH_EXPORT_PAGE:-1000}
section() { [[ " $SECTIONS " == *" $1 "* ]]; }

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
elif what == "export":
    # One page after another, as the Python client pages, written as the JSON lines of chroma-connect.
    import json
    client = chromadb.HttpClient(host="localhost", port=$PY_PORT, ssl=True, settings=settings)
    col = client.get_collection("bench_records", embedding_function=None)
    started, offset, records = time.perf_counter(), 0, 0
    with open(sys.argv[2], "w") as out:
        while True:
            got = col.get(limit=$EXPORT_PAGE, offset=offset, include=["documents", "metadatas", "uris"])
            for i, id in enumerate(got["ids"]):
                out.write(json.dumps({"id": id, "document": got["documents"][i], "metadata": got["metadatas"][i],
                                      "embedding": None, "uri": got["uris"][i], "distance": None}) + "\n")
            records += len(got["ids"])
            if len(got["ids"]) < $EXPORT_PAGE:
                break
            offset += $EXPORT_PAGE
    print(f"{records} records in {time.perf_counter() - started:.3f} s")
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

BIN=target/release/chroma-connect
BENCH=target/release/examples/browse_bench
LIST="$BIN collections $URL --ca-file $CA --tenant bench_tenant --database bench_db --no-counts --json"
LIST_COUNTS="$BIN collections $URL --ca-file $CA --tenant bench_tenant --database bench_db --json"
# The pages a walk one after another asks for: the full ones, then the short (here empty) one that ends it.
CURL="curl -sS --fail --cacert $CA"
CURL_PAGES=0
for ((offset = 0; offset <= COLLECTIONS; offset += 1000)); do
    CURL+=" '$URL/api/v2/tenants/bench_tenant/databases/bench_db/collections?limit=1000&offset=$offset'"
    CURL_PAGES=$((CURL_PAGES + 1))
done
EXPORT="$BIN records $URL --ca-file $CA -c bench_records --all --format jsonl --page-size $EXPORT_PAGE"
MD=()

if section list; then
    echo "== in-process: listing $COLLECTIONS collections (3 runs each)"
    for _ in 1 2 3; do echo -n "chroma-connect library, all_collections_concurrent (pages of 1000, 4 in flight): "; $BENCH list "$URL" "$CA" bench_tenant bench_db 1000 4; done
    for _ in 1 2 3; do echo -n "chroma-connect library, all_collections (pages of 1000, one after another): "; $BENCH list "$URL" "$CA" bench_tenant bench_db 1000; done
    for _ in 1 2 3; do echo -n "chroma-connect library (one page of 10000): "; $BENCH list "$URL" "$CA" bench_tenant bench_db 10000; done
    for _ in 1 2 3; do echo -n "python list_collections(): "; eval "$PY list"; done
    $LIST | python3 -c "import json,sys; d=json.load(sys.stdin); assert d['collections_count'] == $COLLECTIONS, d['collections_count']"
    eval "$CURL" | python3 -c "
import json, sys
text, decoder, at, n = sys.stdin.read(), json.JSONDecoder(), 0, 0
while at < len(text):
    page, at = decoder.raw_decode(text, at)
    n += len(page)
assert n == $COLLECTIONS, n
print(f'curl: {n} collections in $CURL_PAGES pages')"
    echo "== whole process: listing $COLLECTIONS collections (hyperfine)"
    HOME=$TMP hyperfine --warmup 1 --runs "${BENCH_RUNS:-5}" --export-markdown "$TMP/list.md" "$@" \
        -n "chroma-connect collections --no-counts ($COLLECTIONS; pages of 1000, 4 in flight)" "$LIST >/dev/null" \
        -n "chroma-connect collections --no-counts --concurrency 1" "$LIST --concurrency 1 >/dev/null" \
        -n "curl, the same $CURL_PAGES pages one after another (one connection)" "$CURL >/dev/null" \
        -n "python HttpClient + list_collections() ($COLLECTIONS)" "$PY list"
    MD+=("$TMP/list.md")
fi

if section pages; then
    echo "== in-process: $PAGES sequential pages of $LIMIT records over one TLS connection (3 runs each)"
    for _ in 1 2 3; do echo -n "chroma-connect library get_records: "; $BENCH pages "$URL" "$CA" bench_records "$PAGES" "$LIMIT"; done
    for _ in 1 2 3; do echo -n "python collection.get loop: "; eval "$PY pages"; done
    echo "== in-process: the same $PAGES requests, all at offset 0 (client + TLS cost; the server's cost of offsets aside)"
    for _ in 1 2 3; do echo -n "chroma-connect library get_records: "; $BENCH repeat "$URL" "$CA" bench_records "$PAGES" "$LIMIT"; done
    for _ in 1 2 3; do echo -n "python collection.get loop: "; eval "$PY repeat"; done
    echo "== in-process: 1000 requests for all 100 records of a 100-record collection (mostly client, TLS and HTTP cost)"
    for _ in 1 2 3; do echo -n "chroma-connect library get_records: "; $BENCH repeat "$URL" "$CA" bench_small 1000 "$LIMIT"; done
    for _ in 1 2 3; do echo -n "python collection.get loop: "; eval "$PY small"; done
    HOME=$TMP hyperfine --warmup 1 --runs "${BENCH_RUNS:-3}" --export-markdown "$TMP/pages.md" "$@" \
        -n "chroma-connect library, $PAGES pages of $LIMIT" "$BENCH pages $URL $CA bench_records $PAGES $LIMIT" \
        -n "python collection.get loop, $PAGES pages of $LIMIT" "$PY pages"
    MD+=("$TMP/pages.md")
fi

if section counts; then
    # One request per collection: slow on the server's side, so measured once.
    HOME=$TMP hyperfine --runs 1 --export-markdown "$TMP/counts.md" \
        -n "chroma-connect collections, with record counts ($COLLECTIONS)" "$LIST_COUNTS >/dev/null"
    MD+=("$TMP/counts.md")
fi

if section export; then
    echo "== in-process: exporting $RECORDS records (pages of $EXPORT_PAGE; 3 runs each)"
    for _ in 1 2 3; do echo -n "chroma-connect library all_records, 4 in flight, + JSON Lines: "; $BENCH export "$URL" "$CA" bench_records "$EXPORT_PAGE" 4 "$TMP/lib.jsonl"; done
    for _ in 1 2 3; do echo -n "chroma-connect library all_records, one after another, + JSON Lines: "; $BENCH export "$URL" "$CA" bench_records "$EXPORT_PAGE" 1 "$TMP/lib.jsonl"; done
    for _ in 1 2 3; do echo -n "python collection.get loop + JSON Lines: "; eval "$PY export $TMP/py.jsonl"; done
    $EXPORT --output "$TMP/ours.jsonl"
    python3 -c '
import json, sys
ours, theirs = ([json.loads(line) for line in open(path)] for path in sys.argv[1:3])
assert len(ours) == int(sys.argv[3]), len(ours)
assert ours == theirs, "the exports differ"
print(f"the two exports hold the same {len(ours)} records")' "$TMP/ours.jsonl" "$TMP/py.jsonl" "$RECORDS"
    echo "== whole process: exporting $RECORDS records (hyperfine)"
    HOME=$TMP hyperfine --warmup 1 --runs "${BENCH_RUNS:-3}" --export-markdown "$TMP/export.md" "$@" \
        -n "chroma-connect records --all --format jsonl (pages of $EXPORT_PAGE, 4 in flight)" \
        "$EXPORT --output $TMP/ours.jsonl" \
        -n "chroma-connect records --all --format jsonl --concurrency 1" \
        "$EXPORT --concurrency 1 --output $TMP/ours.jsonl" \
        -n "python collection.get(limit=$EXPORT_PAGE, offset=...) loop + JSON Lines" "$PY export $TMP/py.jsonl"
    MD+=("$TMP/export.md")
fi

cat "${MD[@]}"
