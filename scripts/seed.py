#!/usr/bin/env python3
"""Seed a running Chroma server with the fixed test data set.

Usage: python seed.py HOST PORT

scripts/test.sh runs this against the server it starts; tests may assert these numbers.
Idempotent: collections are get_or_create'd and records upserted, so running it twice
changes nothing.

Seeded data (tenant default_tenant, database default_database unless said otherwise):

  lab_docs   metadata {"owner": "chroma-lab", "purpose": "lab"}, 20 records, dimension 4
             for i in 0..19:
               id        f"doc-{i:02}"                  doc-00 .. doc-19
               document  f"document number {i}"
               metadata  {"idx": i (int), "color": ["red", "green", "blue"][i % 3],
                          "even": i % 2 == 0 (bool), "score": i * 0.5 (float)}
               embedding [i / 10, (i % 3) / 3, float(i % 2), 1.0 - i / 20]
             so: 7 red (i = 0,3,..,18), 7 green (1,4,..,19), 6 blue (2,5,..,17); 10 even;
             doc-02 = {"idx": 2, "color": "blue", "even": True, "score": 1.0},
                      embedding [0.2, 0.6666667, 0.0, 0.9]
             (the server stores float32: 2/3 comes back as 0.6666667).
  alpha      no metadata, 1 record, dimension 3:
             id "a-0", document "alpha record", metadata {"name": "alpha"}, embedding [1.0, 0.0, 0.0]
  beta       same shape: id "b-0", document "beta record",  metadata {"name": "beta"},  [0.0, 1.0, 0.0]
  gamma      same shape: id "g-0", document "gamma record", metadata {"name": "gamma"}, [0.0, 0.0, 1.0]
  => 4 collections in default_tenant/default_database (collections_count = 4).

  tenant lab_tenant with database lab_db: exists, no collections.

Embeddings are always explicit and embedding_function=None: the client's default embedding
function downloads a model, which fails offline.
"""

import sys

import chromadb
from chromadb.config import Settings

COLORS = ["red", "green", "blue"]
LAB_DOCS_COUNT = 20
SMALL_COLLECTIONS = {
    # name: (id, embedding)
    "alpha": ("a-0", [1.0, 0.0, 0.0]),
    "beta": ("b-0", [0.0, 1.0, 0.0]),
    "gamma": ("g-0", [0.0, 0.0, 1.0]),
}
TENANT = "lab_tenant"
DATABASE = "lab_db"


def seed_tenant(host: str, port: int) -> None:
    admin = chromadb.AdminClient(
        Settings(
            chroma_api_impl="chromadb.api.fastapi.FastAPI",
            chroma_server_host=host,
            chroma_server_http_port=port,
            anonymized_telemetry=False,
        )
    )
    try:
        admin.get_tenant(TENANT)
    except Exception:  # noqa: BLE001 - NotFoundError's class moved between versions
        admin.create_tenant(TENANT)
    try:
        admin.get_database(DATABASE, tenant=TENANT)
    except Exception:  # noqa: BLE001
        admin.create_database(DATABASE, tenant=TENANT)


def seed_collections(host: str, port: int) -> None:
    client = chromadb.HttpClient(
        host=host, port=port, settings=Settings(anonymized_telemetry=False)
    )

    lab = client.get_or_create_collection(
        "lab_docs",
        metadata={"owner": "chroma-lab", "purpose": "lab"},
        embedding_function=None,
    )
    ids = [f"doc-{i:02}" for i in range(LAB_DOCS_COUNT)]
    lab.upsert(
        ids=ids,
        documents=[f"document number {i}" for i in range(LAB_DOCS_COUNT)],
        metadatas=[
            {"idx": i, "color": COLORS[i % 3], "even": i % 2 == 0, "score": i * 0.5}
            for i in range(LAB_DOCS_COUNT)
        ],
        embeddings=[
            [i / 10, (i % 3) / 3, float(i % 2), 1.0 - i / 20]
            for i in range(LAB_DOCS_COUNT)
        ],
    )

    for name, (record_id, embedding) in SMALL_COLLECTIONS.items():
        col = client.get_or_create_collection(name, embedding_function=None)
        col.upsert(
            ids=[record_id],
            documents=[f"{name} record"],
            metadatas=[{"name": name}],
            embeddings=[embedding],
        )

    # Check what the tests rely on.
    names = sorted(c.name for c in client.list_collections())
    assert names == ["alpha", "beta", "gamma", "lab_docs"], names
    assert lab.count() == LAB_DOCS_COUNT, lab.count()


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: seed.py HOST PORT", file=sys.stderr)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    seed_tenant(host, port)
    seed_collections(host, port)
    print(f"seeded Chroma at {host}:{port}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
