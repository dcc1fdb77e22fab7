//! Browsing a chromadb 0.4.24 server (API v1 only), started and seeded by `./scripts/test.sh` (`scripts/seed_v1.py`:
//! the same `lab_docs`, `alpha`, `beta`, `gamma` as the 1.x server, plus `lab_tenant/lab_db/cosine_docs`). The same
//! assertions as `browse` hold, through the v1 routes and the 0.4 answers (no `include` list, `data` column, no
//! dimension or configuration, errors as `{"error": "ValueError('...')"}` with status 500).

use std::collections::BTreeSet;

use chroma_connect::chroma::{ApiVersion, BrowseError, GetRequest, Include, Page, Scope, SimilarRequest};
use serde_json::json;

use super::browse::{
    assert_lab_docs_records, assert_same_as_python, assert_similarity, cli_json, client, default_scope, run_cli, stderr,
};
use crate::support::seeded;

/// The environment variable holding the 0.4.24 server's URL.
const CHROMA_V1_TEST_URL_ENV: &str = "CHROMA_V1_TEST_URL";

pub(crate) fn v1_url() -> String {
    std::env::var(CHROMA_V1_TEST_URL_ENV).unwrap_or_else(|_| {
        panic!("{CHROMA_V1_TEST_URL_ENV} is not set: run the tests with ./scripts/test.sh, which starts Chroma 0.4.24")
    })
}

fn lab_scope() -> Scope {
    Scope::new(ApiVersion::V1, seeded::TENANT, seeded::DATABASE)
}

#[tokio::test]
async fn the_generation_and_scope_are_detected() {
    let client = client(&v1_url());
    assert_eq!(client.detect_api().await.expect("api"), ApiVersion::V1);
    assert_eq!(client.version(ApiVersion::V1).await.expect("version"), "0.4.24");
    let scope = client.resolve_scope("default_tenant", "default_database").await.expect("scope");
    assert_eq!(scope, default_scope(ApiVersion::V1));
    assert_eq!(client.resolve_scope(seeded::TENANT, seeded::DATABASE).await.expect("lab scope"), lab_scope());
    // 0.4.24 answers 500 `NotFoundError('...')`: still "not found".
    let err = client.resolve_scope("no_such_tenant", "default_database").await.expect_err("tenant");
    assert!(matches!(err, BrowseError::TenantNotFound { .. }), "{err}");
    let err = client.resolve_scope(seeded::TENANT, "no_such_db").await.expect_err("database");
    assert!(matches!(err, BrowseError::DatabaseNotFound { .. }), "{err}");

    // No list endpoint: the configured database, checked.
    let list = client.list_databases(ApiVersion::V1, seeded::TENANT, seeded::DATABASE).await.expect("databases");
    assert!(!list.listed);
    let names: Vec<&str> = list.databases.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, [seeded::DATABASE]);
    let err = client.list_databases(ApiVersion::V1, seeded::TENANT, "no_such_db").await.expect_err("missing");
    assert!(matches!(err, BrowseError::DatabaseNotFound { .. }), "{err}");
}

#[tokio::test]
async fn collections_through_the_v1_routes() {
    let client = client(&v1_url());
    let scope = default_scope(ApiVersion::V1);
    let all = client.all_collections(&scope, 0).await.expect("collections");
    let names: BTreeSet<&str> = all.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, seeded::COLLECTIONS.into_iter().collect());
    assert_eq!(client.collection_count(&scope).await.expect("count"), 4);
    // Paging with limit/offset, the same slices as the whole list; past the end is empty.
    assert_eq!(client.list_collections(&scope, Page::new(2, 1)).await.expect("page"), all[1..3]);
    assert_eq!(client.all_collections(&scope, 3).await.expect("pages of 3"), all);
    assert!(client.list_collections(&scope, Page::new(10, 4)).await.expect("past the end").is_empty());
    assert!(client.list_collections(&scope, Page::new(0, 0)).await.expect("limit 0").is_empty());

    for collection in &all {
        // 0.4.x sends neither dimension nor configuration: the dimension is read off a stored embedding, the space
        // is the server's default.
        assert_eq!((collection.dimension, collection.configuration.as_ref()), (None, None));
        assert_eq!(collection.index().space.as_deref(), Some("l2"));
        let stats = client.collection_stats(&scope, collection).await.expect("stats");
        let expected = if collection.name == seeded::LAB_DOCS {
            assert_eq!(
                collection.metadata.as_ref().map(|m| json!(m)),
                Some(json!({"owner": "chroma-lab", "purpose": "lab"}))
            );
            (seeded::LAB_DOCS_COUNT as u64, seeded::LAB_DOCS_DIMENSION as u64)
        } else {
            assert_eq!(collection.metadata, None);
            (1, seeded::SMALL_DIMENSION as u64)
        };
        assert_eq!((stats.count, stats.dimension), (expected.0, Some(expected.1)), "{}", collection.name);
    }

    // By name (a v1 route) and by id (no such route: the list is searched).
    let lab = client.collection_by_name(&scope, "lab_docs").await.expect("by name");
    assert_eq!(client.collection_by_id(&scope, &lab.id).await.expect("by id"), lab);
    assert_eq!(client.find_collection(&scope, &lab.id).await.expect("find by id"), lab);
    for missing in ["does_not_exist", "00000000-0000-4000-8000-000000000000"] {
        let err = client.find_collection(&scope, missing).await.expect_err(missing);
        assert!(matches!(&err, BrowseError::CollectionNotFound { collection, .. } if collection == missing), "{err}");
    }

    // Another tenant and database: the space is in the metadata on 0.4.x.
    let cosine = client.find_collection(&lab_scope(), "cosine_docs").await.expect("cosine_docs");
    assert_eq!(cosine.index().space.as_deref(), Some("cosine"));
    assert_eq!(cosine.metadata.as_ref().map(|m| json!(m)), Some(json!({"hnsw:space": "cosine", "topic": "v1"})));
    assert!(client.find_collection(&scope, "cosine_docs").await.is_err(), "not in the default database");
}

/// A fresh tenant and database on the 0.4.24 server, with `count` empty collections `v1-000`.. created 16 at a
/// time through the v1 routes.
pub(crate) async fn v1_scratch_collections(count: usize) -> Scope {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tenant = format!("scratch_v1_{}_{n}", std::process::id());
    let database = "scratch_db".to_owned();
    let http = crate::support::client::plain_client();
    let base = v1_url();
    let post = |url: String, body: serde_json::Value| {
        let http = http.clone();
        async move {
            http.post(&url)
                .json(&body)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .unwrap_or_else(|e| panic!("POST {url} {body}: {e}"));
        }
    };
    post(format!("{base}/api/v1/tenants"), json!({"name": tenant})).await;
    post(format!("{base}/api/v1/databases?tenant={tenant}"), json!({"name": database})).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        while tasks.len() >= 16 {
            tasks.join_next().await.expect("task").expect("join");
        }
        let url = format!("{base}/api/v1/collections?tenant={tenant}&database={database}");
        tasks.spawn(post(url, json!({"name": format!("v1-{i:03}")})));
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("join");
    }
    Scope::new(ApiVersion::V1, tenant, database)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collections_are_walked_concurrently_as_one_after_another() {
    let scope = v1_scratch_collections(260).await;
    let client = client(&v1_url());
    assert_eq!(client.collection_count(&scope).await.expect("count"), 260);
    let walked = client.all_collections(&scope, 100).await.expect("walk");
    let names: BTreeSet<&str> = walked.iter().map(|c| c.name.as_str()).collect();
    assert_eq!((walked.len(), names.len()), (260, 260), "each collection exactly once");
    for (page_size, concurrency) in [(100, 4), (7, 8), (26, 4), (1000, 4), (50, 1)] {
        let concurrent = client.all_collections_concurrent(&scope, page_size, concurrency).await.expect("concurrent");
        assert_eq!(concurrent, walked, "pages of {page_size}, {concurrency} in flight");
    }
    // The CLI walks them concurrently too.
    let url = v1_url();
    let listed = cli_json(
        &["collections", &url, "--tenant", &scope.tenant, "--database", &scope.database, "--page-size", "40"]
            .into_iter()
            .chain(["--no-counts", "--json"])
            .collect::<Vec<_>>(),
        0,
    );
    assert_eq!(listed["collections_count"], 260);
    let listed: Vec<&str> =
        listed["collections"].as_array().expect("list").iter().map(|c| c["name"].as_str().expect("name")).collect();
    assert_eq!(listed, names.into_iter().collect::<Vec<_>>(), "sorted by name");
}

#[tokio::test]
async fn records_pages_fields_and_filters() {
    let client = client(&v1_url());
    assert_lab_docs_records(&client, &default_scope(ApiVersion::V1), (500, "Expected where operator to be one of"))
        .await;
}

#[tokio::test]
async fn similarity_matches_the_stored_embeddings() {
    let client = client(&v1_url());
    assert_similarity(&client, &default_scope(ApiVersion::V1), (400, "Embedding dimension 2 does not match")).await;
}

#[tokio::test]
async fn records_without_metadata_or_document_and_cosine_distances() {
    let client = client(&v1_url());
    let scope = lab_scope();
    let cosine = client.find_collection(&scope, "cosine_docs").await.expect("cosine_docs");
    let request = GetRequest {
        include: Some(vec![Include::Documents, Include::Metadatas, Include::Embeddings]),
        ..GetRequest::default()
    };
    let records = client.get_records(&scope, &cosine.id, &request).await.expect("get");
    let got: Vec<_> = records
        .records
        .iter()
        .map(|r| (r.id.as_str(), r.document.clone(), r.metadata.as_ref().map(|m| json!(m)), r.embedding.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("c-0", None, Some(json!({"k": 0})), Some(vec![1.0, 0.0])),
            ("c-1", None, None, Some(vec![0.0, 1.0])),
            ("c-2", None, Some(json!({"k": 2})), Some(vec![1.0, 1.0])),
        ]
    );
    // Cosine distance from [1, 0]: to [1, 1] 1 - 1/√2, to [0, 1] 1.
    let similar = client
        .similar_records(
            &scope,
            &cosine,
            &SimilarRequest { id: "c-0".into(), n_results: 5, ..SimilarRequest::default() },
        )
        .await
        .expect("similar");
    let hits: Vec<(&str, f64)> =
        similar.hits.iter().map(|h| (h.record.id.as_str(), h.distance.expect("distance"))).collect();
    assert_eq!(hits.len(), 2);
    assert_eq!((hits[0].0, hits[1].0), ("c-2", "c-1"));
    assert!((hits[0].1 - (1.0 - 1.0 / 2f64.sqrt())).abs() < 1e-9, "{hits:?}");
    assert!((hits[1].1 - 1.0).abs() < 1e-9, "{hits:?}");
}

#[test]
fn cli_gives_what_the_python_client_gives() {
    let url = v1_url();
    assert_same_as_python("CHROMA_V1_TEST_PYTHON", &url, "default_tenant", "default_database");
    assert_same_as_python("CHROMA_V1_TEST_PYTHON", &url, seeded::TENANT, seeded::DATABASE);
}

#[test]
fn cli_on_a_v1_server() {
    let url = v1_url();
    let output = run_cli(&["collections", &url], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("(Chroma 0.4.24, API v1)"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("lab_docs ") && l.contains(" 20    4  l2 ")), "{text}");

    let listed = cli_json(&["collections", &url, "--tenant", "lab_tenant", "--database", "lab_db", "--json"], 0);
    assert_eq!(listed["server"]["api"], "v1");
    assert_eq!(listed["collections"][0]["name"], "cosine_docs");
    assert_eq!(listed["collections"][0]["count"], 3);
    assert_eq!(listed["collections"][0]["dimension"], 2);
    assert_eq!(listed["collections"][0]["index"]["space"], "cosine");

    let similar = cli_json(&["records", &url, "-c", "lab_docs", "--similar-to", "doc-02", "--n", "3", "--json"], 0);
    let ids: Vec<&str> =
        similar["records"].as_array().expect("records").iter().map(|r| r["id"].as_str().expect("id")).collect();
    assert_eq!(ids, ["doc-04", "doc-08", "doc-00"]);
    assert_eq!(similar["collection"]["dimension"], 4);

    let failure = cli_json(&["records", &url, "-c", "lab_docs", "--where", r#"{"color":{"$bogus":1}}"#, "--json"], 1);
    assert_eq!(failure["error"]["status"], 500);
    let said = failure["error"]["server_message"].as_str().expect("server message");
    assert!(said.starts_with("Expected where operator to be one of $gt"), "{said}");
    assert_eq!(cli_json(&["records", &url, "-c", "nope", "--json"], 1)["error"]["code"], "chroma.collection_not_found");
}
