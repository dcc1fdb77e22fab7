#!/usr/bin/env python3
"""Seed a running chromadb 0.4.x server (API v1 only) with the fixed test data set.

Usage: python seed_v1.py HOST PORT

Run it with the python of the 0.4.24 venv (its own chromadb client: the 1.x client cannot talk
to a v1-only server). scripts/test.sh does, and exports the server as CHROMA_V1_TEST_URL;
tests may assert these numbers. Idempotent (get_or_create + upsert).

Seeded data:

  default_tenant / default_database: exactly what scripts/seed.py seeds on the 1.x server
  (lab_docs with 20 records doc-00..doc-19, alpha, beta, gamma; see seed.py), so the same
  assertions hold on both generations.

  lab_tenant / lab_db: one collection
  cosine_docs  metadata {"hnsw:space": "cosine", "topic": "v1"} (0.4.x keeps the distance
               function in the metadata), 3 records, dimension 2, no documents:
               id "c-0" embedding [1.0, 0.0]   metadata {"k": 0}
               id "c-1" embedding [0.0, 1.0]   metadata None (a record without metadata)
               id "c-2" embedding [1.0, 1.0]   metadata {"k": 2}

Embeddings are always explicit and embedding_function=None: the default embedding function
downloads a model, which fails offline.
"""

import sys

import chromadb
from chromadb.config import Settings

COLORS = ["red", "green", "blue"]
LAB_DOCS_COUNT = 20
SMALL_COLLECTIONS = {
    "alpha": ("a-0", [1.0, 0.0, 0.0]),
    "beta": ("b-0", [0.0, 1.0, 0.0]),
    "gamma": ("g-0", [0.0, 0.0, 1.0]),
}
TENANT = "lab_tenant"
DATABASE = "lab_db"


def settings(host: str, port: int) -> Settings:
    return Settings(
        chroma_api_impl="chromadb.api.fastapi.FastAPI",
        chroma_server_host=host,
        chroma_server_http_port=port,
        anonymized_telemetry=False,
    )


def seed_tenant(host: str, port: int) -> None:
    admin = chromadb.AdminClient(settings(host, port))
    try:
        admin.get_tenant(TENANT)
    except Exception:  # noqa: BLE001 - 0.4.x answers 500 with NotFoundError('...')
        admin.create_tenant(TENANT)
    try:
        admin.get_database(DATABASE, tenant=TENANT)
    except Exception:  # noqa: BLE001
        admin.create_database(DATABASE, tenant=TENANT)

    client = chromadb.HttpClient(
        host=host, port=port, tenant=TENANT, database=DATABASE, settings=Settings(anonymized_telemetry=False)
    )
    col = client.get_or_create_collection(
        "cosine_docs", metadata={"hnsw:space": "cosine", "topic": "v1"}, embedding_function=None
    )
    col.upsert(
        ids=["c-0", "c-1", "c-2"],
        embeddings=[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
        metadatas=[{"k": 0}, None, {"k": 2}],
    )
    assert col.count() == 3, col.count()


def seed_collections(host: str, port: int) -> None:
    client = chromadb.HttpClient(host=host, port=port, settings=Settings(anonymized_telemetry=False))

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
        embeddings=[[i / 10, (i % 3) / 3, float(i % 2), 1.0 - i / 20] for i in range(LAB_DOCS_COUNT)],
    )

    for name, (record_id, embedding) in SMALL_COLLECTIONS.items():
        col = client.get_or_create_collection(name, embedding_function=None)
        col.upsert(
            ids=[record_id],
            documents=[f"{name} record"],
            metadatas=[{"name": name}],
            embeddings=[embedding],
        )

    names = sorted(c.name for c in client.list_collections())
    assert names == ["alpha", "beta", "gamma", "lab_docs"], names
    assert lab.count() == LAB_DOCS_COUNT, lab.count()


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: seed_v1.py HOST PORT", file=sys.stderr)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    assert chromadb.__version__.startswith("0.4."), f"run me with a 0.4.x venv, not {chromadb.__version__}"
    seed_tenant(host, port)
    seed_collections(host, port)
    print(f"seeded Chroma {chromadb.__version__} at {host}:{port}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
