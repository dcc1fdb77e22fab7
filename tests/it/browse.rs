//! Browsing against the real Chroma 1.5.9 server (API v2): tenant/database scope, databases, collections (paging
//! over 250 of them, lookups by name and id, index settings), records (pages, boundaries, fields, filters, invalid
//! filters), similarity (order and distances checked against the stored embeddings), the body cap, redirects,
//! cancellation, one keep-alive TLS connection, and the CLI, compared with chromadb's own Python client.
//!
//! The record and similarity assertions are shared with `browse_v1` (the 0.4.24 server holds the same seed).

use std::collections::BTreeSet;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use chroma_connect::chroma::{
    ApiVersion, BrowseError, ChromaClient, ChromaError, ClientOptions, Collection, Filter, GetRequest, Include, Page,
    QueryRequest, Scope, SimilarRequest,
};
use chroma_connect::profile::{Auth, ConnectionSettings, Secret, TokenHeader, Verify};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::support::pki::Pki;
use crate::support::proxy::{ProxyConfig, TlsProxy};
use crate::support::scripted::Scripted;
use crate::support::servers::SilentServer;
use crate::support::{chroma_addr, chroma_url, scratch_tenant, seeded};

// ------------------------------------------------------------------------------------------------ shared helpers

/// The 1.5.9 server's URL without the trailing slash.
pub(crate) fn v2_url() -> String {
    chroma_url().as_str().trim_end_matches('/').to_owned()
}

/// A client for `url` with default options.
pub(crate) fn client(url: &str) -> ChromaClient {
    client_with(url, ClientOptions::default())
}

pub(crate) fn client_with(url: &str, options: ClientOptions) -> ChromaClient {
    let settings = ConnectionSettings::from_url(url).expect("url");
    ChromaClient::new(&settings, options).expect("client")
}

pub(crate) fn default_scope(api: ApiVersion) -> Scope {
    Scope::new(api, "default_tenant", "default_database")
}

/// Record `i` of `lab_docs` as the server holds it: id, document, metadata.
pub(crate) fn lab_record(i: u32) -> (String, String, Value) {
    let (id, document, color, even, score, _) = seeded::lab_doc(i);
    (id, document, json!({"color": color, "even": even, "idx": i, "score": score}))
}

/// The embedding of record `i` as stored (float32).
pub(crate) fn lab_embedding(i: u32) -> Vec<f32> {
    #[expect(clippy::cast_possible_truncation, reason = "the server stores float32")]
    seeded::lab_doc(i).5.iter().map(|x| *x as f32).collect()
}

pub(crate) fn ids_of(indexes: impl IntoIterator<Item = u32>) -> Vec<String> {
    indexes.into_iter().map(|i| format!("doc-{i:02}")).collect()
}

fn record_ids(records: &chroma_connect::chroma::Records) -> Vec<String> {
    records.records.iter().map(|r| r.id.clone()).collect()
}

pub(crate) async fn lab_docs(client: &ChromaClient, scope: &Scope) -> Collection {
    client.collection_by_name(scope, seeded::LAB_DOCS).await.expect("lab_docs")
}

async fn get(client: &ChromaClient, scope: &Scope, id: &str, request: GetRequest) -> chroma_connect::chroma::Records {
    client.get_records(scope, id, &request).await.unwrap_or_else(|e| panic!("get {request:?}: {e}"))
}

fn page(limit: u32, offset: u32) -> GetRequest {
    GetRequest { limit: Some(limit), offset: Some(offset), ..GetRequest::default() }
}

fn filtered(metadata: Option<Value>, document: Option<Value>) -> GetRequest {
    GetRequest { filter: Filter { metadata, document }, ..GetRequest::default() }
}

/// Pages, boundaries, fields and filters of `lab_docs`, exactly as seeded. `invalid_filter` is the server's answer
/// to `{"color":{"$bogus":1}}`: (status, a part of its message).
pub(crate) async fn assert_lab_docs_records(client: &ChromaClient, scope: &Scope, invalid_filter: (u16, &str)) {
    let lab = lab_docs(client, scope).await;
    assert_eq!(client.count_records(scope, &lab.id).await.expect("count"), seeded::LAB_DOCS_COUNT as u64);

    // A page: ids, documents and metadata exactly, default fields.
    let records = get(client, scope, &lab.id, page(5, 0)).await;
    assert_eq!(records.included, Include::GET_DEFAULT);
    for (i, record) in (0..).zip(&records.records) {
        let (id, document, metadata) = lab_record(i);
        assert_eq!(record.id, id);
        assert_eq!(record.document.as_deref(), Some(document.as_str()));
        assert_eq!(serde_json::to_value(&record.metadata).expect("json"), metadata, "{id}");
        assert_eq!((record.embedding.as_ref(), record.uri.as_ref()), (None, None));
    }
    assert_eq!(record_ids(&records), ids_of(0..5));

    // Paging: every record exactly once, in insertion order; the last page is short; past the end is empty.
    let mut walked = Vec::new();
    for offset in (0..).step_by(7).take(3) {
        walked.extend(record_ids(&get(client, scope, &lab.id, page(7, offset)).await));
    }
    assert_eq!(walked, ids_of(0..20));
    assert_eq!(record_ids(&get(client, scope, &lab.id, page(10, 15)).await), ids_of(15..20));
    assert_eq!(record_ids(&get(client, scope, &lab.id, page(10, 19)).await), ids_of([19]));
    for offset in [20, 25, 1000] {
        assert!(get(client, scope, &lab.id, page(10, offset)).await.records.is_empty(), "offset {offset}");
    }
    assert!(get(client, scope, &lab.id, page(0, 0)).await.records.is_empty(), "limit 0");

    // Fields: embeddings as stored (float32), URIs absent, or nothing but ids.
    let request = GetRequest { include: Some(vec![Include::Embeddings, Include::Uris]), ..page(3, 1) };
    let records = get(client, scope, &lab.id, request).await;
    assert_eq!(records.included, [Include::Embeddings, Include::Uris]);
    for (i, record) in (1..).zip(&records.records) {
        #[expect(clippy::cast_possible_truncation, reason = "compared as float32, as stored")]
        let embedding: Vec<f32> = record.embedding.as_ref().expect("embedding").iter().map(|x| *x as f32).collect();
        assert_eq!(embedding, lab_embedding(i), "doc-{i:02}");
        assert_eq!((record.document.as_ref(), record.metadata.as_ref(), record.uri.as_ref()), (None, None, None));
    }
    let records = get(client, scope, &lab.id, GetRequest { include: Some(Vec::new()), ..page(2, 0) }).await;
    assert_eq!((record_ids(&records), records.included.len()), (ids_of(0..2), 0));
    assert!(records.records.iter().all(|r| r.document.is_none() && r.metadata.is_none()));

    // Filters, passed through as JSON.
    let cases: [(Option<Value>, Option<Value>, Vec<u32>); 6] = [
        (Some(json!({"color": "red"})), None, (0..20).filter(|i| i % 3 == 0).collect()),
        (Some(json!({"$and": [{"color": "red"}, {"idx": {"$gte": 8}}]})), None, vec![9, 12, 15, 18]),
        (Some(json!({"even": true})), None, (0..20).step_by(2).collect()),
        (Some(json!({"score": {"$lt": 2.0}})), None, vec![0, 1, 2, 3]),
        (None, Some(json!({"$contains": "number 1"})), std::iter::once(1).chain(10..20).collect()),
        (Some(json!({"color": "green"})), Some(json!({"$contains": "number 1"})), vec![1, 10, 13, 16, 19]),
    ];
    for (metadata, document, expected) in cases {
        let label = format!("where {metadata:?} where_document {document:?}");
        let records = get(client, scope, &lab.id, filtered(metadata, document)).await;
        assert_eq!(record_ids(&records), ids_of(expected), "{label}");
    }
    // A filter with paging: the even records from the fourth on.
    let request = GetRequest { limit: Some(3), offset: Some(3), ..filtered(Some(json!({"even": true})), None) };
    assert_eq!(record_ids(&get(client, scope, &lab.id, request).await), ids_of([6, 8, 10]));
    // Chosen ids (a missing one is just absent).
    let request =
        GetRequest { ids: Some(vec!["doc-05".into(), "doc-02".into(), "nope".into()]), ..GetRequest::default() };
    let got: BTreeSet<String> = record_ids(&get(client, scope, &lab.id, request).await).into_iter().collect();
    assert_eq!(got, ids_of([2, 5]).into_iter().collect());

    // An invalid filter: the server's status and words come back.
    let err = client
        .get_records(scope, &lab.id, &filtered(Some(json!({"color": {"$bogus": 1}})), None))
        .await
        .expect_err("invalid filter");
    assert_eq!(err.status(), Some(invalid_filter.0), "{err}");
    let said = err.server_message().expect("server message");
    assert!(said.contains(invalid_filter.1), "{said}");
}

/// Squared L2 distance in float64 between stored float32 embeddings (the server's `l2` space).
fn l2(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2)).sum()
}

#[track_caller]
fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!((actual - expected).abs() <= 1e-5 + 1e-5 * expected.abs(), "{what}: {actual} vs {expected}");
}

/// Similarity over `lab_docs`: `query` and "similar to this record", against a brute-force ranking of the stored
/// embeddings.
pub(crate) async fn assert_similarity(client: &ChromaClient, scope: &Scope, dimension_error: (u16, &str)) {
    let lab = lab_docs(client, scope).await;
    // Brute force: distance of every record to doc-02, nearest first.
    let ranking = |filter: &dyn Fn(u32) -> bool| {
        let query = lab_embedding(2);
        let mut all: Vec<(f64, String)> =
            (0..20).filter(|i| filter(*i)).map(|i| (l2(&lab_embedding(i), &query), format!("doc-{i:02}"))).collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        // No ties where the order is asserted.
        assert!(all.windows(2).take(6).all(|w| w[1].0 - w[0].0 > 1e-4), "{all:?}");
        all
    };
    let all = ranking(&|_| true);
    assert_eq!(all.first().map(|(_, id)| id.as_str()), Some("doc-02"));

    // The record's nearest neighbours, itself left out.
    let similar = client
        .similar_records(
            scope,
            &lab,
            &SimilarRequest { id: "doc-02".into(), n_results: 5, ..SimilarRequest::default() },
        )
        .await
        .expect("similar");
    assert_eq!(similar.source.id, "doc-02");
    assert_eq!(similar.source.document.as_deref(), Some("document number 2"));
    assert!(similar.included.contains(&Include::Distances));
    let ids: Vec<&str> = similar.hits.iter().map(|h| h.record.id.as_str()).collect();
    assert_eq!(ids, ["doc-04", "doc-08", "doc-00", "doc-06", "doc-10"]);
    for (hit, (distance, id)) in similar.hits.iter().zip(&all[1..]) {
        assert_eq!(&hit.record.id, id);
        assert_close(hit.distance.expect("distance"), *distance, id);
        let i: u32 = id[4..].parse().expect("index");
        assert_eq!(hit.record.document.as_deref(), Some(lab_record(i).1.as_str()));
    }

    // Itself kept: first, at distance 0; everything: all 20 in the brute-force order.
    let request =
        SimilarRequest { id: "doc-02".into(), n_results: 20, include_self: true, ..SimilarRequest::default() };
    let similar = client.similar_records(scope, &lab, &request).await.expect("similar with itself");
    assert_eq!(similar.hits.len(), 20);
    for (hit, (distance, id)) in similar.hits.iter().zip(&all) {
        assert_eq!(&hit.record.id, id);
        assert_close(hit.distance.expect("distance"), *distance, id);
    }

    // Filters narrow the candidates.
    let request = SimilarRequest {
        id: "doc-02".into(),
        n_results: 3,
        filter: Filter { metadata: Some(json!({"color": "blue"})), document: None },
        include: Some(vec![Include::Metadatas]),
        include_self: false,
    };
    let similar = client.similar_records(scope, &lab, &request).await.expect("similar, blue");
    let blue = ranking(&|i| i % 3 == 2);
    let expected: Vec<&str> = blue.iter().skip(1).take(3).map(|(_, id)| id.as_str()).collect();
    let ids: Vec<&str> = similar.hits.iter().map(|h| h.record.id.as_str()).collect();
    assert_eq!(ids, expected);
    assert!(similar.hits.iter().all(|h| h.record.metadata.as_ref().is_some_and(|m| m["color"] == "blue")));
    assert!(similar.hits.iter().all(|h| h.record.document.is_none()), "documents were not asked for");

    // A plain query with two embeddings: one ranked list each, nearest first.
    let other = [1.9_f32, 0.0, 1.0, 0.05];
    let query = QueryRequest {
        embeddings: vec![
            lab_embedding(2).iter().map(|x| f64::from(*x)).collect(),
            other.iter().map(|x| f64::from(*x)).collect(),
        ],
        n_results: 3,
        ..QueryRequest::default()
    };
    let result = client.query(scope, &lab.id, &query).await.expect("query");
    let lists: Vec<Vec<&str>> =
        result.results.iter().map(|hits| hits.iter().map(|h| h.record.id.as_str()).collect()).collect();
    // From [1.9, 0, 1, 0.05]: doc-19 0.1111, doc-15 0.2, doc-17 0.4944 (then doc-13 0.5611).
    assert_eq!(lists, [["doc-02", "doc-04", "doc-08"], ["doc-19", "doc-15", "doc-17"]]);
    for (hit, i) in result.results[1].iter().zip([19, 15, 17]) {
        assert_close(hit.distance.expect("distance"), l2(&lab_embedding(i), &other), &hit.record.id);
    }
    assert_close(result.results[0][0].distance.expect("distance"), 0.0, "itself");

    // Errors: no such record; a query of the wrong dimension (the server's words).
    let err = client
        .similar_records(scope, &lab, &SimilarRequest { id: "nope".into(), n_results: 3, ..SimilarRequest::default() })
        .await
        .expect_err("no such record");
    assert!(matches!(&err, BrowseError::RecordNotFound { id, .. } if id == "nope"), "{err}");
    let query = QueryRequest { embeddings: vec![vec![1.0, 2.0]], n_results: 2, ..QueryRequest::default() };
    let err = client.query(scope, &lab.id, &query).await.expect_err("wrong dimension");
    assert_eq!(err.status(), Some(dimension_error.0), "{err}");
    assert!(err.server_message().is_some_and(|m| m.contains(dimension_error.1)), "{err}");
}

/// Runs the CLI.
pub(crate) fn run_cli(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(crate::cli_binary());
    command.args(args).env_remove("CHROMA_CONNECT_LOG");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run chroma-connect")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The CLI's stdout as JSON, after checking the exit status.
#[track_caller]
pub(crate) fn cli_json(args: &[&str], code: i32) -> Value {
    let output = run_cli(args, &[]);
    assert_eq!(output.status.code(), Some(code), "{args:?}\nstdout: {}\nstderr: {}", stdout(&output), stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(&output)))
}

/// What chromadb's own Python client sees: every collection (name, id, count, metadata) and its first 100 records
/// (ids, documents, metadatas). `python` is the server's venv python.
const PYTHON_CLIENT: &str = r#"
import json, sys
import chromadb
from chromadb.config import Settings
host, port, tenant, database = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
client = chromadb.HttpClient(host=host, port=port, tenant=tenant, database=database,
                             settings=Settings(anonymized_telemetry=False))
out = {"collections": [], "records": {}}
for col in client.list_collections():
    out["collections"].append({"name": col.name, "id": str(col.id), "count": col.count(), "metadata": col.metadata})
    got = client.get_collection(col.name, embedding_function=None).get(limit=100, offset=0)
    out["records"][col.name] = {"ids": got["ids"], "documents": got["documents"], "metadatas": got["metadatas"]}
print(json.dumps(out))
"#;

/// Compares `chroma-connect collections --json` and `records --json` with the Python client on the same server.
pub(crate) fn assert_same_as_python(python_env: &str, url: &str, tenant: &str, database: &str) {
    let python = std::env::var(python_env).unwrap_or_else(|_| panic!("{python_env} is not set: run ./scripts/test.sh"));
    let parsed = url::Url::parse(url).expect("url");
    let home = tempfile::tempdir().expect("temp home");
    let output = Command::new(&python)
        .args(["-c", PYTHON_CLIENT, parsed.host_str().expect("host"), &parsed.port().expect("port").to_string()])
        .args([tenant, database])
        .env("HOME", home.path())
        .env("ANONYMIZED_TELEMETRY", "False")
        .output()
        .expect("run the Python client");
    assert!(output.status.success(), "python: {}", stderr(&output));
    let python: Value = serde_json::from_slice(&output.stdout).expect("python JSON");

    let ours = cli_json(&["collections", url, "--tenant", tenant, "--database", database, "--json"], 0);
    let ours_collections: BTreeSet<String> = ours["collections"]
        .as_array()
        .expect("collections")
        .iter()
        .map(|c| json!({"name": c["name"], "id": c["id"], "count": c["count"], "metadata": c["metadata"]}).to_string())
        .collect();
    let python_collections: BTreeSet<String> =
        python["collections"].as_array().expect("collections").iter().map(Value::to_string).collect();
    assert_eq!(ours_collections, python_collections);
    assert_eq!(ours["collections_count"], python["collections"].as_array().map_or(0, Vec::len));

    for (name, expected) in python["records"].as_object().expect("records") {
        let page = cli_json(
            &["records", url, "--tenant", tenant, "--database", database, "-c", name, "--limit", "100", "--json"],
            0,
        );
        let records = page["records"].as_array().expect("records");
        let ids: Vec<&Value> = records.iter().map(|r| &r["id"]).collect();
        let documents: Vec<&Value> = records.iter().map(|r| &r["document"]).collect();
        let metadatas: Vec<&Value> = records.iter().map(|r| &r["metadata"]).collect();
        assert_eq!(json!(ids), expected["ids"], "{name}");
        assert_eq!(json!(documents), expected["documents"], "{name}");
        assert_eq!(json!(metadatas), expected["metadatas"], "{name}");
    }
}

// ------------------------------------------------------------------------------------------------ scope

#[tokio::test]
async fn the_scope_is_detected_and_checked() {
    let client = client(&v2_url());
    assert_eq!(client.detect_api().await.expect("api"), ApiVersion::V2);
    let scope = client.resolve_scope("default_tenant", "default_database").await.expect("scope");
    assert_eq!(scope, default_scope(ApiVersion::V2));
    let scope = client.resolve_scope(seeded::TENANT, seeded::DATABASE).await.expect("lab scope");
    assert_eq!((scope.tenant.as_str(), scope.database.as_str()), (seeded::TENANT, seeded::DATABASE));

    // The list endpoints answer `[]` for these; the scope says what is wrong instead.
    let err = client.resolve_scope("no_such_tenant", "default_database").await.expect_err("tenant");
    assert!(matches!(&err, BrowseError::TenantNotFound { tenant } if tenant == "no_such_tenant"), "{err}");
    let err = client.resolve_scope("default_tenant", "no_such_db").await.expect_err("database");
    assert!(matches!(&err, BrowseError::DatabaseNotFound { database, .. } if database == "no_such_db"), "{err}");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn databases_of_a_tenant_are_listed() {
    let client = client(&v2_url());
    let list = client.list_databases(ApiVersion::V2, "default_tenant", "default_database").await.expect("list");
    assert!(list.listed);
    let names: Vec<&str> = list.databases.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["default_database"]);
    let list = client.list_databases(ApiVersion::V2, seeded::TENANT, "default_database").await.expect("lab list");
    let names: Vec<&str> = list.databases.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, [seeded::DATABASE]);
    let err = client.list_databases(ApiVersion::V2, "no_such_tenant", "x").await.expect_err("tenant");
    assert!(matches!(err, BrowseError::TenantNotFound { .. }), "{err}");
}

// ------------------------------------------------------------------------------------------------ collections

#[tokio::test]
async fn collections_are_as_seeded() {
    let client = client(&v2_url());
    let scope = default_scope(ApiVersion::V2);
    let all = client.all_collections(&scope, 0).await.expect("collections");
    let mut names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, seeded::COLLECTIONS);
    assert_eq!(client.collection_count(&scope).await.expect("count"), 4);
    // The server's order is by id, and pages are slices of it.
    let mut ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, all.iter().map(|c| c.id.as_str()).collect::<Vec<_>>());
    assert_eq!(client.list_collections(&scope, Page::new(2, 1)).await.expect("page"), all[1..3]);
    assert_eq!(client.list_collections(&scope, Page::new(10, 3)).await.expect("last page"), all[3..]);
    assert!(client.list_collections(&scope, Page::new(10, 4)).await.expect("past the end").is_empty());
    assert!(client.list_collections(&scope, Page::new(0, 0)).await.expect("limit 0").is_empty());

    for collection in &all {
        let index = collection.index();
        assert_eq!(index.space.as_deref(), Some("l2"), "{}", collection.name);
        assert_eq!((index.ef_construction, index.max_neighbors), (Some(100), Some(16)));
        assert_eq!(collection.tenant.as_deref(), Some("default_tenant"));
        let stats = client.collection_stats(&scope, collection).await.expect("stats");
        if collection.name == seeded::LAB_DOCS {
            assert_eq!(
                collection.metadata.as_ref().map(|m| json!(m)),
                Some(json!({"owner": "chroma-lab", "purpose": "lab"}))
            );
            assert_eq!(collection.dimension, Some(seeded::LAB_DOCS_DIMENSION as u64));
            assert_eq!(stats.count, seeded::LAB_DOCS_COUNT as u64);
        } else {
            assert_eq!(collection.metadata, None);
            assert_eq!(collection.dimension, Some(seeded::SMALL_DIMENSION as u64));
            assert_eq!(stats.count, 1);
        }
        assert_eq!(stats.dimension, collection.dimension);
    }
    // Many at once, in order.
    let stats = client.collections_stats(&scope, &all, 3).await;
    let counts: Vec<u64> = stats.into_iter().map(|s| s.expect("stats").count).collect();
    let expected: Vec<u64> = all.iter().map(|c| if c.name == seeded::LAB_DOCS { 20 } else { 1 }).collect();
    assert_eq!(counts, expected);
}

#[tokio::test]
async fn collections_are_found_by_name_and_by_id() {
    let client = client(&v2_url());
    let scope = default_scope(ApiVersion::V2);
    let by_name = client.collection_by_name(&scope, "lab_docs").await.expect("by name");
    let by_id = client.collection_by_id(&scope, &by_name.id).await.expect("by id");
    assert_eq!(by_name, by_id);
    assert_eq!(client.find_collection(&scope, &by_name.id).await.expect("find by id"), by_name);
    assert_eq!(client.find_collection(&scope, "lab_docs").await.expect("find by name"), by_name);

    for missing in ["does_not_exist", "00000000-0000-4000-8000-000000000000"] {
        let err = client.find_collection(&scope, missing).await.expect_err(missing);
        assert!(matches!(&err, BrowseError::CollectionNotFound { collection, .. } if collection == missing), "{err}");
    }
    // Another database's collection is not found here.
    let lab_scope = Scope::new(ApiVersion::V2, seeded::TENANT, seeded::DATABASE);
    let err = client.find_collection(&lab_scope, "lab_docs").await.expect_err("other database");
    assert!(matches!(err, BrowseError::CollectionNotFound { .. }), "{err}");
}

/// Creates collections in a scratch database with concurrent POSTs; returns the ids by name.
async fn create_collections(tenant: &str, database: &str, bodies: Vec<Value>) -> Vec<(String, String)> {
    let http = crate::support::client::plain_client();
    let url = chroma_url().join(&format!("/api/v2/tenants/{tenant}/databases/{database}/collections")).expect("url");
    let mut tasks = JoinSet::new();
    let mut created = Vec::new();
    for body in bodies {
        while tasks.len() >= 16 {
            created.push(tasks.join_next().await.expect("task").expect("join"));
        }
        let (http, url) = (http.clone(), url.clone());
        tasks.spawn(async move {
            let answer: Value = http
                .post(url)
                .json(&body)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .unwrap_or_else(|e| panic!("create {body}: {e}"))
                .json()
                .await
                .expect("collection JSON");
            (answer["name"].as_str().expect("name").to_owned(), answer["id"].as_str().expect("id").to_owned())
        });
    }
    while let Some(done) = tasks.join_next().await {
        created.push(done.expect("join"));
    }
    created
}

#[tokio::test]
async fn two_hundred_fifty_collections_are_walked_page_by_page() {
    let (tenant, database) = scratch_tenant().await;
    let names: Vec<String> = (0..250).map(|i| format!("col-{i:03}")).collect();
    let created = create_collections(&tenant, &database, names.iter().map(|n| json!({"name": n})).collect()).await;
    assert_eq!(created.len(), 250);

    let client = client(&v2_url());
    let scope = client.resolve_scope(&tenant, &database).await.expect("scope");
    assert_eq!(client.collection_count(&scope).await.expect("count"), 250);
    let walked = client.all_collections(&scope, 100).await.expect("walk");
    let got: Vec<&str> = walked.iter().map(|c| c.name.as_str()).collect();
    let unique: BTreeSet<&str> = got.iter().copied().collect();
    assert_eq!((got.len(), unique.len()), (250, 250), "each collection exactly once");
    assert_eq!(unique, names.iter().map(String::as_str).collect());
    // The same as one big page, and the same as walking one by one at the boundaries.
    assert_eq!(client.all_collections(&scope, 1000).await.expect("one page"), walked);
    assert_eq!(client.list_collections(&scope, Page::new(100, 200)).await.expect("last page").len(), 50);
    assert!(client.list_collections(&scope, Page::new(100, 250)).await.expect("past the end").is_empty());
    assert_eq!(client.list_collections(&scope, Page::new(100, 249)).await.expect("one left")[..], walked[249..]);
    // Concurrently (the server's count says how many pages): the same list in the same order, whatever the page
    // size (many pages, a count that is a multiple of it, one page) and the requests in flight.
    for (page_size, concurrency) in [(100, 4), (7, 8), (250, 4), (50, 2), (1000, 8), (100, 1), (0, 4)] {
        let concurrent = client.all_collections_concurrent(&scope, page_size, concurrency).await.expect("concurrent");
        assert_eq!(concurrent, walked, "pages of {page_size}, {concurrency} in flight");
    }

    // The CLI lists them all, sorted by name, with counts.
    let url = v2_url();
    let output = cli_json(
        &["collections", &url, "--tenant", &tenant, "--database", &database, "--page-size", "100", "--json"],
        0,
    );
    assert_eq!(output["collections_count"], 250);
    let listed: Vec<&str> =
        output["collections"].as_array().expect("list").iter().map(|c| c["name"].as_str().expect("name")).collect();
    assert_eq!(listed, names.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        output["collections"].as_array().expect("list").iter().all(|c| c["count"] == 0 && c["dimension"].is_null())
    );
    // One page after another gives the same.
    let sequential = cli_json(
        &["collections", &url, "--tenant", &tenant, "--database", &database, "--page-size", "30", "--concurrency", "1"]
            .into_iter()
            .chain(["--json", "--no-counts"])
            .collect::<Vec<_>>(),
        0,
    );
    let names_of = |output: &Value| -> Vec<String> {
        output["collections"].as_array().expect("list").iter().map(|c| c["name"].to_string()).collect()
    };
    assert_eq!(names_of(&sequential), names_of(&output));
}

/// A fake 1.x server holding 25 collections (`id-000`..) in pages, with a count route.
fn twenty_five(ignore_offset: bool) -> Scripted {
    Scripted::start(Arc::new(move |path: &str| {
        let number = |key: &str| {
            let query = path.split_once('?').map_or("", |(_, query)| query);
            query.split('&').find_map(|pair| pair.strip_prefix(key)).and_then(|v| v.parse().ok()).unwrap_or(0_u64)
        };
        match path.split('?').next().unwrap_or_default() {
            "/api/v2/tenants/t/databases/d/collections_count" => (200, None, "25".to_owned()),
            "/api/v2/tenants/t/databases/d/collections" => {
                let offset = if ignore_offset { 0 } else { number("offset=") };
                let page: Vec<Value> = (offset..25.min(offset + number("limit=")))
                    .map(|i| json!({"id": format!("id-{i:03}"), "name": format!("c-{i:03}")}))
                    .collect();
                (200, None, Value::from(page).to_string())
            }
            _ => (404, None, String::new()),
        }
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_walk_ends_at_the_first_short_page() {
    let scope = Scope::new(ApiVersion::V2, "t", "d");
    let expected: Vec<String> = (0..25).map(|i| format!("id-{i:03}")).collect();
    for (page_size, concurrency) in [(5, 4), (3, 8), (25, 4), (24, 4), (1, 2), (100, 4)] {
        let server = twenty_five(false);
        let walked = client(&server.http_url()).all_collections_concurrent(&scope, page_size, concurrency).await;
        let walked = walked.unwrap_or_else(|e| panic!("pages of {page_size}: {e}"));
        let ids: Vec<String> = walked.iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, expected, "pages of {page_size}, {concurrency} in flight");
        // The pages up to the first short one, and at most `concurrency - 1` past it; no count (slow on 1.x).
        let asked = server.requests();
        let pages = 25 / page_size as usize + 1;
        assert!((pages..pages + concurrency).contains(&asked.len()), "pages of {page_size}: {asked:?}");
        assert!(asked.iter().all(|(path, _)| path.ends_with("/collections")), "{asked:?}");
    }
    // A server that ignores the offset: stopped at the first page that brings nothing new.
    let server = twenty_five(true);
    let walk = client(&server.http_url()).all_collections_concurrent(&scope, 5, 4).await;
    let Err(BrowseError::ListingCapped { what: "collections", items: 5, reason }) = walk else { panic!("{walk:?}") };
    assert!(reason.contains("already listed"), "{reason}");
    // The item cap holds as in the walk one page after another.
    let server = twenty_five(false);
    let capped = client_with(&server.http_url(), ClientOptions { max_walk_items: 12, ..ClientOptions::default() });
    let walk = capped.all_collections_concurrent(&scope, 5, 4).await;
    let Err(BrowseError::ListingCapped { items: 15, reason, .. }) = walk else { panic!("{walk:?}") };
    assert!(reason.contains("more than 12 collections"), "{reason}");
}

#[tokio::test]
async fn index_settings_and_uuid_shaped_names() {
    let (tenant, database) = scratch_tenant().await;
    let uuid_name = "00000000-0000-4000-8000-00000000abcd";
    create_collections(&tenant, &database, vec![
        json!({"name": "cosine_docs", "configuration": {"hnsw": {"space": "cosine", "ef_search": 64}}, "metadata": {"topic": "v2"}}),
        json!({"name": uuid_name}),
    ])
    .await;
    let client = client(&v2_url());
    let scope = Scope::new(ApiVersion::V2, tenant, database);
    let cosine = client.find_collection(&scope, "cosine_docs").await.expect("cosine");
    let index = cosine.index();
    assert_eq!((index.space.as_deref(), index.ef_search), (Some("cosine"), Some(64)));
    assert_eq!(cosine.dimension, None, "no record yet");
    assert_eq!(client.collection_stats(&scope, &cosine).await.expect("stats").dimension, None);
    // A collection named like a UUID: not an id, found by name.
    let named = client.find_collection(&scope, uuid_name).await.expect("uuid-shaped name");
    assert_eq!(named.name, uuid_name);
    assert_ne!(named.id, uuid_name);
}

// ------------------------------------------------------------------------------------------------ records

#[tokio::test]
async fn records_pages_fields_and_filters() {
    let client = client(&v2_url());
    assert_lab_docs_records(&client, &default_scope(ApiVersion::V2), (400, "Invalid where clause")).await;
}

#[tokio::test]
async fn an_invalid_document_filter_is_the_servers_to_judge() {
    let client = client(&v2_url());
    let scope = default_scope(ApiVersion::V2);
    let lab = lab_docs(&client, &scope).await;
    let err = client
        .get_records(&scope, &lab.id, &filtered(None, Some(json!({"$nope": "x"}))))
        .await
        .expect_err("invalid where_document");
    assert_eq!((err.status(), err.server_message().as_deref()), (Some(400), Some("Invalid where document clause")));
    // A record id that does not exist: an empty answer, not an error.
    let request = GetRequest { ids: Some(vec!["nope".into()]), ..GetRequest::default() };
    assert!(get(&client, &scope, &lab.id, request).await.records.is_empty());
    // A collection id that does not exist.
    let err = client.get_records(&scope, "00000000-0000-4000-8000-000000000000", &GetRequest::default()).await;
    assert!(err.is_err_and(|e| e.status() == Some(404) && e.is_not_found()));
}

#[tokio::test]
async fn similarity_matches_the_stored_embeddings() {
    let client = client(&v2_url());
    assert_similarity(&client, &default_scope(ApiVersion::V2), (400, "dimension of 4, got 2")).await;
}

// ------------------------------------------------------------------------------------------------ safety

#[tokio::test]
async fn responses_above_the_cap_are_refused() {
    let url = v2_url();
    let scope = default_scope(ApiVersion::V2);
    let capped = client_with(&url, ClientOptions { max_body_bytes: 2048, ..ClientOptions::default() });
    // Small answers pass; the collection list (about 6 KB) does not.
    assert_eq!(capped.detect_api().await.expect("heartbeat"), ApiVersion::V2);
    let err = capped.all_collections(&scope, 0).await.expect_err("capped");
    let BrowseError::Chroma(inner) = &err else { panic!("{err}") };
    assert!(matches!(**inner, ChromaError::BodyTooLarge { limit_bytes: 2048, .. }), "{err}");
    assert!(err.to_string().contains("larger than the limit of 2048 bytes"), "{err}");
    // The CLI's cap is in MiB: 1 is plenty here, 0 is a usage error.
    let args =
        ["records", &url, "-c", "lab_docs", "--limit", "20", "--include", "embeddings,documents", "--max-response-mib"];
    let output = run_cli(&[&args[..], &["1"]].concat(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = run_cli(&[&args[..], &["0"]].concat(), &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

pub(crate) const HEARTBEAT: &str = r#"{"nanosecond heartbeat":1}"#;

#[tokio::test]
async fn redirects_never_carry_credentials_to_another_host() {
    let elsewhere = Scripted::start(Arc::new(|_| (200, None, HEARTBEAT.to_owned())));
    let other_port = elsewhere.addr.port();
    let auths = [
        (Auth::Token { token: Secret::new("tok-bearer"), header: TokenHeader::Bearer }, "authorization"),
        (Auth::Token { token: Secret::new("tok-x"), header: TokenHeader::XChromaToken }, "x-chroma-token"),
        (Auth::Basic { user: "u".into(), password: Secret::new("pw") }, "authorization"),
    ];
    for (auth, header) in auths {
        // To another port, and to another name for the same address: both are another host.
        let redirector = Scripted::start(Arc::new(move |path: &str| match path {
            "/api/v2/heartbeat" => {
                (307, Some(format!("http://127.0.0.1:{other_port}/api/v2/heartbeat")), String::new())
            }
            "/api/v2/version" => (302, Some("http://localhost:1/api/v2/version".to_owned()), String::new()),
            "/api/v2/auth/identity" => (307, Some("/moved/identity".to_owned()), String::new()),
            "/moved/identity" => (200, None, r#"{"user_id":"u","tenant":"t","databases":["d"]}"#.to_owned()),
            _ => (404, None, String::new()),
        }));
        let mut settings = ConnectionSettings::from_url(&format!("http://{}", redirector.addr)).expect("url");
        settings.auth = auth;
        let client = ChromaClient::new(&settings, ClientOptions::default()).expect("client");

        let err = client.detect_api().await.expect_err("not followed");
        let response = err.response().expect("the redirect itself");
        assert_eq!(response.status, 307);
        assert_eq!(
            response.location.as_deref(),
            Some(format!("http://127.0.0.1:{other_port}/api/v2/heartbeat").as_str())
        );
        let err = client.version(ApiVersion::V2).await.expect_err("not followed");
        assert_eq!(err.status(), Some(302));
        // The same host: followed, credentials kept.
        let identity = client.identity().await.expect("same-host redirect followed");
        assert_eq!(identity.tenant, "t");

        let seen = redirector.requests();
        let followed = seen.iter().find(|(path, _)| path == "/moved/identity").expect("followed");
        assert!(followed.1.contains_key(header), "credentials kept on the same host");
        assert!(seen.iter().all(|(_, headers)| headers.contains_key(header)));
    }
    assert!(elsewhere.requests().is_empty(), "the other host got {:?}", elsewhere.requests());
}

/// After a drop: the requests already on the wire (at most `in_flight`) still arrive, then nothing more. Returns
/// the proxy's final request count.
pub(crate) async fn settle(proxy: &TlsProxy, in_flight: usize) -> usize {
    let at_drop = proxy.requests();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let settled = proxy.requests();
    assert!(settled - at_drop <= in_flight, "{} requests arrived after the drop", settled - at_drop);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(proxy.requests(), settled, "requests kept coming after the drop");
    settled
}

#[tokio::test]
async fn dropping_a_walk_stops_its_requests() {
    let (tenant, database) = scratch_tenant().await;
    let names: Vec<Value> = (0..60).map(|i| json!({"name": format!("walk-{i:02}")})).collect();
    create_collections(&tenant, &database, names).await;
    let pki = Pki::new();
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), chroma_addr())).await;
    let mut settings = ConnectionSettings::from_url(&proxy.https_url()).expect("url");
    settings.verify = Verify::CaFile(pki.root_pem_path());
    let client = ChromaClient::new(&settings, ClientOptions::default()).expect("client");
    let scope = Scope::new(ApiVersion::V2, tenant, database);

    // A walk one collection per request (60 requests), dropped after a few.
    let mut walk = Box::pin(client.all_collections(&scope, 1));
    let started = proxy.requests();
    loop {
        tokio::select! {
            result = &mut walk => panic!("the walk finished before it was dropped: {result:?}"),
            () = tokio::time::sleep(Duration::from_millis(1)) => if proxy.requests() >= started + 5 { break },
        }
    }
    drop(walk);
    let settled = settle(&proxy, 1).await;
    assert!(settled - started < 60, "the walk was stopped early ({} requests)", settled - started);

    // The same walk with its pages fetched concurrently (spawned tasks, aborted with the future).
    let mut walk = Box::pin(client.all_collections_concurrent(&scope, 1, 4));
    let started = proxy.requests();
    loop {
        tokio::select! {
            result = &mut walk => panic!("the walk finished before it was dropped: {result:?}"),
            () = tokio::time::sleep(Duration::from_millis(1)) => if proxy.requests() >= started + 6 { break },
        }
    }
    drop(walk);
    let settled = settle(&proxy, 4).await;
    assert!(settled - started < 60, "the walk was stopped early ({} requests)", settled - started);

    // The same with concurrent counts (spawned tasks, aborted with the future).
    let all = client.all_collections(&scope, 0).await.expect("all");
    assert_eq!(all.len(), 60);
    let mut stats = Box::pin(client.collections_stats(&scope, &all, 4));
    let started = proxy.requests();
    loop {
        tokio::select! {
            _ = &mut stats => panic!("the counts finished before they were dropped"),
            () = tokio::time::sleep(Duration::from_millis(1)) => if proxy.requests() >= started + 5 { break },
        }
    }
    drop(stats);
    let settled = settle(&proxy, 4).await;
    assert!(settled - started < 60, "the counts were stopped early ({} requests)", settled - started);

    // A server that never answers: dropping the call returns at once.
    let silent = SilentServer::start().await;
    let client = self::client(&silent.http_url());
    let started = std::time::Instant::now();
    assert!(tokio::time::timeout(Duration::from_millis(200), client.detect_api()).await.is_err());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_concurrent_walk_keeps_to_its_requests_in_flight() {
    let (tenant, database) = scratch_tenant().await;
    let names: Vec<Value> = (0..120).map(|i| json!({"name": format!("many-{i:03}")})).collect();
    create_collections(&tenant, &database, names).await;
    let pki = Pki::new();
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), chroma_addr())).await;
    let mut settings = ConnectionSettings::from_url(&proxy.https_url()).expect("url");
    settings.verify = Verify::CaFile(pki.root_pem_path());
    let client = ChromaClient::connect(&settings, ClientOptions::default()).await.expect("client");
    let scope = Scope::new(ApiVersion::V2, tenant, database);

    let sequential = client.all_collections(&scope, 10).await.expect("sequential");
    assert_eq!((sequential.len(), proxy.connections()), (120, 1), "one page after another: one connection");
    let requests = proxy.requests();
    let concurrent = client.all_collections_concurrent(&scope, 10, 4).await.expect("concurrent");
    assert_eq!(concurrent, sequential);
    // 12 full pages and the empty one after them that ends the walk, and at most 3 more past the end.
    let asked = proxy.requests() - requests;
    assert!((13..=16).contains(&asked), "{asked} requests");
    // HTTP/1.1: one connection per request in flight (the first one kept alive from before).
    let connections = proxy.connections();
    assert!((2..=5).contains(&connections), "{connections} connections for 4 requests in flight");
}

#[tokio::test]
async fn many_pages_go_over_one_tls_connection_with_json_posts() {
    let pki = Pki::new();
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), chroma_addr())).await;
    let mut settings = ConnectionSettings::from_url(&proxy.https_url()).expect("url");
    settings.verify = Verify::CaFile(pki.root_pem_path());
    let client = ChromaClient::connect(&settings, ClientOptions::default()).await.expect("client");
    let scope = client.resolve_scope("default_tenant", "default_database").await.expect("scope");
    let lab = client.find_collection(&scope, "lab_docs").await.expect("lab_docs");
    let mut walked = Vec::new();
    for offset in 0..20 {
        walked.extend(record_ids(&get(&client, &scope, &lab.id, page(1, offset)).await));
    }
    assert_eq!(walked, ids_of(0..20));
    assert_eq!((proxy.connections(), proxy.handshakes()), (1, 1), "one keep-alive connection");
    let posts: Vec<_> = proxy.request_log().into_iter().filter(|r| r.method == hyper::Method::POST).collect();
    assert_eq!(posts.len(), 20);
    for post in posts {
        assert_eq!(post.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/json"));
    }
    // The same through the TLS proxy as straight to the server.
    assert_similarity(&client, &scope, (400, "dimension of 4, got 2")).await;
}

// ------------------------------------------------------------------------------------------------ CLI

#[test]
fn cli_gives_what_the_python_client_gives() {
    assert_same_as_python("CHROMA_TEST_PYTHON", &v2_url(), "default_tenant", "default_database");
}

#[test]
fn cli_collections_table_is_aligned() {
    let output = run_cli(&["collections", &v2_url()], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("4 collections in default_tenant/default_database at http://127.0.0.1:"), "{text}");
    assert!(lines[0].ends_with("(Chroma 1.0.0, API v2)"), "{text}");
    let header = lines.iter().position(|l| l.starts_with("NAME")).expect("header");
    let rows = &lines[header + 1..];
    assert_eq!(rows.len(), 4, "{text}");
    let id_column = lines[header].find("ID").expect("ID");
    let records_end = lines[header].find("RECORDS").expect("RECORDS") + "RECORDS".len();
    for (row, name) in rows.iter().zip(seeded::COLLECTIONS) {
        assert!(row.starts_with(name), "{row}");
        // The id starts under its header; counts end under theirs.
        assert!(row[id_column..].chars().take(36).all(|c| c.is_ascii_hexdigit() || c == '-'), "{row}");
        let count = if name == "lab_docs" { "20" } else { "1" };
        assert_eq!(&row[records_end - count.len()..records_end], count, "{row}");
    }
    assert!(rows[3].ends_with(r#"l2     {"owner":"chroma-lab","purpose":"lab"}"#), "{}", rows[3]);
}

#[test]
fn cli_records_pages_by_name_or_id_and_similar() {
    let url = v2_url();
    let first = cli_json(&["records", &url, "--collection", "lab_docs", "--limit", "5", "--offset", "15", "--json"], 0);
    let ids: Vec<&str> =
        first["records"].as_array().expect("records").iter().map(|r| r["id"].as_str().expect("id")).collect();
    assert_eq!(ids, ids_of(15..20));
    assert_eq!(first["collection"]["count"], 20);
    assert_eq!(first["collection"]["dimension"], 4);
    assert_eq!(
        first["request"],
        json!({"limit": 5, "offset": 15, "ids": null, "where": null, "where_document": null,
        "include": ["documents", "metadatas"], "similar_to": null, "n": null})
    );
    let (_, document, metadata) = lab_record(15);
    assert_eq!(
        first["records"][0],
        json!({"id": "doc-15", "document": document, "metadata": metadata,
        "embedding": null, "uri": null, "distance": null})
    );

    // By id; past the end is an empty page, not an error.
    let id = first["collection"]["id"].as_str().expect("id").to_owned();
    let empty = cli_json(&["records", &url, "-c", &id, "--offset", "20", "--json"], 0);
    assert_eq!(empty["records"], json!([]));
    assert_eq!(empty["collection"]["name"], "lab_docs");

    let filtered = cli_json(
        &[
            "records",
            &url,
            "-c",
            "lab_docs",
            "--where",
            r#"{"$and":[{"color":"red"},{"idx":{"$gte":8}}]}"#,
            "--include",
            "embeddings",
            "--json",
        ],
        0,
    );
    let records = filtered["records"].as_array().expect("records");
    assert_eq!(
        records.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(),
        json!(ids_of([9, 12, 15, 18])).as_array().expect("ids").clone()
    );
    assert_eq!(records[0]["embedding"], json!([0.9, 0.0, 1.0, 0.55]));
    assert!(records[0]["document"].is_null());

    let similar = cli_json(&["records", &url, "-c", "lab_docs", "--similar-to", "doc-02", "--n", "3", "--json"], 0);
    let hits: Vec<(&str, f64)> = similar["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| (r["id"].as_str().expect("id"), r["distance"].as_f64().expect("distance")))
        .collect();
    let expected = [
        ("doc-04", l2(&lab_embedding(4), &lab_embedding(2))),
        ("doc-08", l2(&lab_embedding(8), &lab_embedding(2))),
        ("doc-00", l2(&lab_embedding(0), &lab_embedding(2))),
    ];
    for ((id, distance), (expected_id, expected_distance)) in hits.iter().zip(expected) {
        assert_eq!(*id, expected_id);
        assert_close(*distance, expected_distance, id);
    }
    assert_eq!(similar["source"]["id"], "doc-02");
    assert_eq!(similar["included"], json!(["documents", "metadatas", "distances"]));

    // The human table of the same.
    let output = run_cli(&["records", &url, "-c", "lab_docs", "--similar-to", "doc-02", "--n", "2"], &[]);
    let text = stdout(&output);
    assert!(text.contains("2 most similar to doc-02 (document number 2) by l2 distance, nearest first:"), "{text}");
    assert!(text.contains("RANK  ID      DISTANCE    DOCUMENT           METADATA"), "{text}");
    assert!(
        text.contains(
            r#"   1  doc-04  0.16111112  document number 4  {"color":"green","even":true,"idx":4,"score":2.0}"#
        ),
        "{text}"
    );
}

#[test]
fn cli_usage_and_server_errors_have_their_exit_codes() {
    let url = v2_url();
    // Bad JSON in a filter: exit 2, naming the flag, before any request.
    for (flag, value, expected) in [
        ("--where", "{color: red}", "--where is not valid JSON"),
        ("--where", r#"["red"]"#, "--where must be a JSON object"),
        ("--where-document", "contains", "--where-document is not valid JSON"),
    ] {
        let output = run_cli(&["records", "http://127.0.0.1:1", "-c", "x", flag, value], &[]);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
    let output = run_cli(&["records", &url, "-c", "lab_docs", "--include", "distances"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let output = run_cli(&["records", &url, "-c", "lab_docs", "--include", "bogus"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let output = run_cli(&["records", &url, "-c", "lab_docs", "--n", "3"], &[]);
    assert_eq!(output.status.code(), Some(2), "--n needs --similar-to");

    // A filter the server refuses: exit 1 with its message.
    let output = run_cli(&["records", &url, "-c", "lab_docs", "--where", r#"{"color":{"$bogus":1}}"#], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("error: [chroma.api_error] Chroma answered 400"), "{}", stderr(&output));
    assert!(stderr(&output).contains("\"Invalid where clause\""), "{}", stderr(&output));
    assert!(stderr(&output).contains("hint: The server refused the request: check the filters"), "{}", stderr(&output));
    let failure = cli_json(&["records", &url, "-c", "lab_docs", "--where", r#"{"color":{"$bogus":1}}"#, "--json"], 1);
    assert_eq!(failure["ok"], false);
    assert_eq!(failure["error"]["code"], "chroma.api_error");
    assert_eq!(failure["error"]["status"], 400);
    assert_eq!(failure["error"]["server_message"], "Invalid where clause");

    for (args, code, setting) in [
        (vec!["-c", "no_such_collection"], "chroma.collection_not_found", Value::Null),
        (vec!["-c", "lab_docs", "--similar-to", "nope"], "chroma.record_not_found", Value::Null),
        (vec!["-c", "lab_docs", "--tenant", "no_such_tenant"], "chroma.tenant_not_found", "tenant".into()),
        (vec!["-c", "lab_docs", "--database", "no_such_db"], "chroma.database_not_found", "database".into()),
    ] {
        let mut all = vec!["records", url.as_str()];
        all.extend(args);
        all.push("--json");
        let failure = cli_json(&all, 1);
        assert_eq!(failure["error"]["code"], code, "{all:?}");
        assert_eq!(failure["error"]["setting"], setting, "{all:?}");
    }
    // In text, the setting comes with its flag.
    let output = run_cli(&["collections", url.as_str(), "--tenant", "no_such_tenant"], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("\nsetting: Tenant (--tenant)\n"), "{}", stderr(&output));
    let refused = format!("http://127.0.0.1:{}", crate::support::servers::closed_port());
    // The same codes as `check` for the same failure: a refused connection is `net.refused`.
    let failure = cli_json(&["collections", &refused, "--json"], 1);
    assert_eq!(failure["error"]["code"], "net.refused");
    assert_eq!(failure["error"]["setting"], "url");
}

#[test]
fn cli_through_a_tls_proxy_with_a_token() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth("s3cret-token-123"));
    let ca = pki.root_pem_path();
    let ca = ca.to_str().expect("utf-8");
    let url = proxy.https_url();
    let base = ["--ca-file", ca, "--token-env", "CC_BROWSE_TOKEN"];
    let mut args = vec!["records", url.as_str(), "-c", "lab_docs", "--limit", "3", "--json"];
    args.extend(base);
    let output = run_cli(&args, &[("CC_BROWSE_TOKEN", "s3cret-token-123")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(page["records"].as_array().map(Vec::len), Some(3));
    assert_eq!(page["server"]["url"], url);

    let mut args = vec!["collections", url.as_str()];
    args.extend(base);
    let output = run_cli(&args, &[("CC_BROWSE_TOKEN", "wrong-token-456")]);
    assert_eq!(output.status.code(), Some(1));
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(all.contains("error: [http.forbidden] 403 Forbidden for the heartbeat"), "{all}");
    assert!(!all.contains("wrong-token-456"), "the token leaked: {all}");
    let output = run_cli(&["collections", url.as_str(), "--ca-file", ca, "--json"], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(serde_json::from_slice::<Value>(&output.stdout).expect("json")["error"]["code"], "http.unauthorized");
}

#[test]
fn a_pinned_certificate_is_checked_before_sending_anything() {
    let pki = Pki::new();
    let leaf = pki.leaf();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&leaf, chroma_addr()).auth("pinned-token-789"));
    let url = proxy.https_url();
    let env = [("CC_PIN_TOKEN", "pinned-token-789")];
    let right = chroma_connect::tls::sha256_fingerprint(&leaf.der);
    let wrong = chroma_connect::tls::sha256_fingerprint(b"another certificate");

    // Verification off, pinned: the pin is the only thing that authenticates the server.
    let base = ["records", url.as_str(), "-c", "lab_docs", "--limit", "2", "--insecure", "--token-env", "CC_PIN_TOKEN"];
    let output = run_cli(&[&base[..], &["--pin", &wrong, "--json"]].concat(), &env);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let failure: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(failure["error"]["code"], "tls.pin_mismatch");
    assert_eq!(failure["error"]["setting"], "pinned_sha256");
    assert!(failure["error"]["message"].as_str().is_some_and(|m| m.contains(&right)), "{failure}");
    assert_eq!(proxy.requests(), 0, "no request (and no token) went to a server with another certificate");
    assert_eq!(proxy.handshakes(), 0, "the verifier refused the handshake itself");
    assert!(proxy.failed_handshakes() >= 1);

    let output = run_cli(&[&base[..], &["--pin", &right, "--json"]].concat(), &env);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(page["records"].as_array().map(Vec::len), Some(2));
    // The pin is checked inside every handshake: one connection serves every request.
    assert_eq!(proxy.handshakes(), 1);
}
