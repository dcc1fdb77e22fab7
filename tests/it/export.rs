//! Exporting every record: the library's `all_records` (pages fetched concurrently when the count is known, one
//! after another with filters; the server's order; progress; a server that ignores the offset; dropping it) and
//! `records --all` (JSON Lines equal to `records --json`, CSV, filters, atomic files, Ctrl-C), on 1.5.9 and 0.4.24.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chroma_connect::chroma::{
    ApiVersion, BrowseError, ChromaClient, ClientOptions, Filter, GetRequest, Include, Record, Scope,
};
use chroma_connect::profile::{ConnectionSettings, Verify};
use serde_json::{Value, json};

use crate::browse::{cli_json, client, default_scope, ids_of, lab_docs, run_cli, settle, stderr, v2_url};
use crate::browse_v1::v1_url;
use crate::support::pki::Pki;
use crate::support::proxy::{ProxyConfig, TlsProxy};
use crate::support::scripted::Scripted;
use crate::support::{chroma_addr, chroma_url, scratch_tenant};

/// Every record of `lab_docs` in one request, with the export's fields.
async fn lab_docs_at_once(client: &ChromaClient, scope: &Scope, include: &[Include]) -> Vec<Record> {
    let lab = lab_docs(client, scope).await;
    let request = GetRequest { limit: Some(100), include: Some(include.to_vec()), ..GetRequest::default() };
    client.get_records(scope, &lab.id, &request).await.expect("one page").records
}

async fn assert_all_records(client: &ChromaClient, scope: &Scope) {
    let lab = lab_docs(client, scope).await;
    let include = [Include::Documents, Include::Metadatas, Include::Embeddings];
    let expected = lab_docs_at_once(client, scope, &include).await;
    assert_eq!(expected.len(), 20);
    let request = GetRequest { include: Some(include.to_vec()), ..GetRequest::default() };
    for (page_size, concurrency) in [(1, 4), (3, 8), (7, 2), (10, 4), (20, 4), (500, 4), (3, 1), (0, 0)] {
        let mut seen = Vec::new();
        let all = client
            .all_records(scope, &lab.id, &request, page_size, concurrency, |done, total| seen.push((done, total)))
            .await
            .unwrap_or_else(|e| panic!("pages of {page_size}: {e}"));
        assert_eq!(all, expected, "pages of {page_size}, {concurrency} in flight");
        // Progress: from 0, never backwards, to every record, with the count known.
        assert_eq!(seen.first(), Some(&(0, Some(20))), "{seen:?}");
        assert_eq!(seen.last(), Some(&(20, Some(20))), "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
    }
    // Filters: one page after another (no count answers them), the same records as one request.
    let filtered = |metadata: Option<Value>, document: Option<Value>, ids: Option<Vec<String>>| GetRequest {
        ids,
        filter: Filter { metadata, document },
        include: Some(vec![Include::Documents]),
        ..GetRequest::default()
    };
    let cases = [
        (filtered(Some(json!({"color": "red"})), None, None), (0..20).step_by(3).collect::<Vec<u32>>()),
        (filtered(None, Some(json!({"$contains": "number 1"})), None), std::iter::once(1).chain(10..20).collect()),
        (filtered(None, None, Some(ids_of([4, 7, 9]))), vec![4, 7, 9]),
        (filtered(Some(json!({"color": "purple"})), None, None), vec![]),
    ];
    for (request, expected) in cases {
        let mut totals = Vec::new();
        let all = client
            .all_records(scope, &lab.id, &request, 2, 4, |_, total| totals.push(total))
            .await
            .unwrap_or_else(|e| panic!("{request:?}: {e}"));
        let ids: Vec<String> = all.iter().map(|r| r.id.clone()).collect();
        assert_eq!(ids, ids_of(expected), "{request:?}");
        assert!(totals.iter().all(Option::is_none), "no count with filters: {totals:?}");
    }
    // A filter the server refuses: its error, as for one page.
    let bad = filtered(Some(json!({"color": {"$bogus": 1}})), None, None);
    let err = client.all_records(scope, &lab.id, &bad, 5, 4, |_, _| {}).await.expect_err("refused");
    assert!(err.server_message().is_some(), "{err}");
}

#[tokio::test]
async fn all_records_are_the_records_of_one_big_page() {
    assert_all_records(&client(&v2_url()), &default_scope(ApiVersion::V2)).await;
}

#[tokio::test]
async fn all_records_are_the_records_of_one_big_page_on_0_4() {
    assert_all_records(&client(&v1_url()), &default_scope(ApiVersion::V1)).await;
}

/// A scratch collection of `count` records `r-0000`.. (dimension 2) on the 1.5.9 server: (scope, collection id).
async fn big_collection(count: u32) -> (Scope, String) {
    let (tenant, database) = scratch_tenant().await;
    let http = crate::support::client::plain_client();
    let created: Value = http
        .post(chroma_url().join(&format!("/api/v2/tenants/{tenant}/databases/{database}/collections")).expect("url"))
        .json(&json!({"name": "big"}))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("create")
        .json()
        .await
        .expect("collection");
    let scope = Scope::new(ApiVersion::V2, tenant, database);
    let id = created["id"].as_str().expect("id").to_owned();
    add_records(&scope, &id, 0..count).await;
    (scope, id)
}

/// Adds records `r-NNNN` for `indexes`, 500 per request.
async fn add_records(scope: &Scope, id: &str, indexes: std::ops::Range<u32>) {
    let http = crate::support::client::plain_client();
    let url = collection_url(scope, id, "add");
    for start in indexes.clone().step_by(500) {
        let ids: Vec<u32> = (start..indexes.end.min(start + 500)).collect();
        let body = json!({
            "ids": ids.iter().map(|i| format!("r-{i:04}")).collect::<Vec<_>>(),
            "embeddings": ids.iter().map(|i| [f64::from(*i), 1.0]).collect::<Vec<_>>(),
            "documents": ids.iter().map(|i| format!("record {i}")).collect::<Vec<_>>(),
            "metadatas": ids.iter().map(|i| json!({"i": i, "odd": i % 2 == 1})).collect::<Vec<_>>(),
        });
        http.post(url.clone()).json(&body).send().await.and_then(reqwest::Response::error_for_status).expect("add");
    }
}

fn collection_url(scope: &Scope, id: &str, op: &str) -> url::Url {
    let path = format!("/api/v2/tenants/{}/databases/{}/collections/{id}/{op}", scope.tenant, scope.database);
    chroma_url().join(&path).expect("url")
}

fn record_names(indexes: std::ops::Range<u32>) -> Vec<String> {
    indexes.map(|i| format!("r-{i:04}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_added_or_deleted_after_the_count_are_followed() {
    let client = client(&v2_url());
    let request = GetRequest { include: Some(Vec::new()), ..GetRequest::default() };
    for added in [true, false] {
        let (scope, id) = big_collection(600).await;
        // Right after the count (before any page), the collection changes: 50 records added at the end, or the
        // first 50 deleted. The callback waits for it (the change runs on another worker thread).
        let (changed, wait) = std::sync::mpsc::channel();
        let mut progress = Vec::new();
        let all = client
            .all_records(&scope, &id, &request, 100, 4, |done, total| {
                if progress.is_empty() {
                    let (scope, id, changed) = (scope.clone(), id.clone(), changed.clone());
                    tokio::spawn(async move {
                        if added {
                            add_records(&scope, &id, 600..650).await;
                        } else {
                            let ids = record_names(0..50);
                            let url = collection_url(&scope, &id, "delete");
                            let http = crate::support::client::plain_client();
                            let sent = http.post(url).json(&json!({"ids": ids})).send().await;
                            sent.and_then(reqwest::Response::error_for_status).expect("delete");
                        }
                        changed.send(()).expect("send");
                    });
                    wait.recv_timeout(Duration::from_secs(20)).expect("the change");
                }
                progress.push((done, total));
            })
            .await
            .expect("export");
        let ids: Vec<String> = all.iter().map(|r| r.id.clone()).collect();
        // Added: the 6 counted pages, then one after another until a short page. Deleted: the sixth page is short.
        let expected = if added { record_names(0..650) } else { record_names(50..600) };
        assert_eq!(ids, expected, "added {added}");
        assert_eq!(progress.first(), Some(&(0, Some(600))));
        assert_eq!(progress.last(), Some(&(expected.len() as u64, Some(600))));
    }
}

#[tokio::test]
async fn thousands_of_records_come_concurrently_in_the_servers_order() {
    let (scope, id) = big_collection(2300).await;
    let client = client(&v2_url());
    let request = GetRequest::default();
    let sequential = client.all_records(&scope, &id, &request, 100, 1, |_, _| {}).await.expect("one after another");
    let expected: Vec<String> = (0..2300).map(|i| format!("r-{i:04}")).collect();
    assert_eq!(sequential.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), expected, "insertion order");
    for (page_size, concurrency) in [(100, 4), (500, 8), (230, 3), (1000, 2)] {
        let concurrent = client.all_records(&scope, &id, &request, page_size, concurrency, |_, _| {}).await;
        assert_eq!(concurrent.expect("concurrent"), sequential, "pages of {page_size}, {concurrency} in flight");
    }
    // A filter: one page after another.
    let odd =
        GetRequest { filter: Filter { metadata: Some(json!({"odd": true})), document: None }, ..GetRequest::default() };
    let all = client.all_records(&scope, &id, &odd, 300, 4, |_, _| {}).await.expect("odd");
    assert_eq!(all.len(), 1150);
    assert!(all.iter().zip((1..).step_by(2)).all(|(r, i)| r.id == format!("r-{i:04}")));
}

#[tokio::test]
async fn dropping_an_export_stops_its_requests() {
    let (scope, id) = big_collection(600).await;
    let pki = Pki::new();
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), chroma_addr())).await;
    let mut settings = ConnectionSettings::from_url(&proxy.https_url()).expect("url");
    settings.verify = Verify::CaFile(pki.root_pem_path());
    let client = ChromaClient::new(&settings, ClientOptions::default()).expect("client");
    let request = GetRequest::default();
    let mut export = Box::pin(client.all_records(&scope, &id, &request, 1, 4, |_, _| {}));
    let started = proxy.requests();
    loop {
        tokio::select! {
            result = &mut export => panic!("the export finished before it was dropped: {:?}", result.map(|r| r.len())),
            () = tokio::time::sleep(Duration::from_millis(1)) => if proxy.requests() >= started + 8 { break },
        }
    }
    drop(export);
    let settled = settle(&proxy, 4).await;
    assert!(settled - started < 600, "the export was stopped early ({} requests)", settled - started);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_from_a_server_that_ignores_the_offset_ends() {
    // The same full page of records whatever the offset, and a count of 10.
    let server = Scripted::start(Arc::new(|path: &str| match path {
        "/api/v2/tenants/t/databases/d/collections/c/count" => (200, None, "10".to_owned()),
        "/api/v2/tenants/t/databases/d/collections/c/get" => {
            (200, None, r#"{"ids":["a","b"],"documents":["x","y"],"include":["documents"]}"#.to_owned())
        }
        _ => (404, None, String::new()),
    }));
    let client = client(&server.http_url());
    let scope = Scope::new(ApiVersion::V2, "t", "d");
    for concurrency in [1, 4] {
        let export = tokio::time::timeout(
            Duration::from_secs(20),
            client.all_records(&scope, "c", &GetRequest::default(), 2, concurrency, |_, _| {}),
        )
        .await
        .expect("the export ended");
        let Err(BrowseError::ListingCapped { what: "records", items: 2, reason }) = export else {
            panic!("{export:?}")
        };
        assert!(reason.contains("already listed"), "{reason}");
    }
}

// ------------------------------------------------------------------------------------------------ CLI

/// The records of `records --json` (every key of each record object).
fn records_json(url: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["records", url, "-c", "lab_docs", "--limit", "100", "--json"];
    args.extend_from_slice(extra);
    cli_json(&args, 0)["records"].as_array().expect("records").clone()
}

/// The lines of a JSON Lines file, parsed.
fn json_lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(text.ends_with('\n'), "{text}");
    text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
}

/// Runs `records --all` and checks the exit status; returns stderr.
#[track_caller]
fn export(url: &str, extra: &[&str], code: i32) -> String {
    let mut args = vec!["records", url, "-c", "lab_docs", "--all"];
    args.extend_from_slice(extra);
    let output = run_cli(&args, &[]);
    assert_eq!(output.status.code(), Some(code), "{args:?}\n{}", stderr(&output));
    stderr(&output)
}

/// The names in a folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).expect("dir").map(|e| e.expect("entry").file_name().to_string_lossy().into()).collect();
    names.sort();
    names
}

fn assert_cli_export(url: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("lab.jsonl");
    let out_arg = out.to_str().expect("path");
    let expected = records_json(url, &[]);
    assert_eq!(expected.len(), 20);

    // JSON Lines: each line is the record's object of `records --json`, whatever the paging.
    let said = export(url, &["--output", out_arg], 0);
    assert!(said.contains("exported 20 records of lab_docs to "), "{said}");
    assert_eq!(json_lines(&out), expected);
    for paging in [["--page-size", "3"], ["--concurrency", "1"]] {
        export(url, &["--output", out_arg, paging[0], paging[1]], 0);
        assert_eq!(json_lines(&out), expected, "{paging:?}");
    }
    assert_eq!(listing(dir.path()), ["lab.jsonl"], "no temporary file left");
    // To stdout without --output (or with -).
    for extra in [&[][..], &["--output", "-"][..]] {
        let mut args = vec!["records", url, "-c", "lab_docs", "--all", "--page-size", "6"];
        args.extend_from_slice(extra);
        let output = run_cli(&args, &[]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).expect("JSON line"))
            .collect();
        assert_eq!(lines, expected);
    }
    // With the embeddings, as `records --json --include` gives them.
    export(url, &["--output", out_arg, "--embeddings", "--page-size", "4"], 0);
    assert_eq!(json_lines(&out), records_json(url, &["--include", "documents,metadatas,embeddings,uris"]));

    // A filter.
    let red = r#"{"color":"red"}"#;
    export(url, &["--output", out_arg, "--where", red, "--page-size", "2"], 0);
    let lines = json_lines(&out);
    assert_eq!(lines, records_json(url, &["--where", red]));
    let ids: Vec<&str> = lines.iter().map(|r| r["id"].as_str().expect("id")).collect();
    assert_eq!(ids, ids_of((0..20).step_by(3)));
    let document = r#"{"$contains":"number 1"}"#;
    export(url, &["--output", out_arg, "--where-document", document, "--ids", "doc-01,doc-02,doc-12"], 0);
    assert_eq!(json_lines(&out), records_json(url, &["--where-document", document, "--ids", "doc-01,doc-02,doc-12"]));

    // CSV: a header with the metadata keys as columns, a row per record (chosen by the extension or --format).
    let csv = dir.path().join("lab.csv");
    export(url, &["--output", csv.to_str().expect("path"), "--page-size", "7"], 0);
    let text = std::fs::read_to_string(&csv).expect("csv");
    let rows: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(rows.len(), 21, "{text}");
    assert_eq!(rows[0], "id,document,uri,metadata.color,metadata.even,metadata.idx,metadata.score");
    assert_eq!(rows[3], "doc-02,document number 2,,blue,true,2,1.0");
    export(url, &["--output", out_arg, "--format", "csv", "--embeddings", "--ids", "doc-02"], 0);
    let text = std::fs::read_to_string(&out).expect("csv");
    let rows: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(rows[0], "id,document,uri,metadata.color,metadata.even,metadata.idx,metadata.score,embedding");
    assert!(rows[1].starts_with("doc-02,document number 2,,blue,true,2,1.0,\"[0.2,0.666666"), "{}", rows[1]);
    assert_eq!(rows.len(), 2);

    // Failures leave the file as it was: a filter the server refuses (exit 1), a missing collection.
    std::fs::write(&out, "before").expect("write");
    let said = export(url, &["--output", out_arg, "--where", r#"{"color":{"$bogus":1}}"#], 1);
    assert!(said.contains("check the filters given with --where"), "{said}");
    let output = run_cli(&["records", url, "-c", "nope", "--all", "--output", out_arg], &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("chroma.collection_not_found"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "before");
    assert_eq!(listing(dir.path()), ["lab.csv", "lab.jsonl"]);
}

#[test]
fn cli_export_is_what_records_json_shows() {
    assert_cli_export(&v2_url());
}

#[test]
fn cli_export_is_what_records_json_shows_on_0_4() {
    assert_cli_export(&v1_url());
}

#[test]
fn cli_export_usage_errors_come_before_any_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Nothing listens on port 9: a request would fail with exit 1, not 2.
    let url = "http://127.0.0.1:9";
    let missing = dir.path().join("no/such/folder/out.jsonl");
    for args in [
        vec!["--output", missing.to_str().expect("path")],
        vec!["--output", dir.path().to_str().expect("path")],
        vec!["--limit", "5"],
        vec!["--json"],
        vec!["--similar-to", "doc-01"],
        vec!["--page-size", "0"],
        vec!["--where", "{nope"],
    ] {
        // Exit 2, not 1: no request was made.
        export(url, &args, 2);
    }
    let output = run_cli(&["records", url, "-c", "x", "--format", "csv"], &[]);
    assert_eq!(output.status.code(), Some(2), "--format needs --all: {}", stderr(&output));
    assert!(listing(dir.path()).is_empty());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_export_leaves_no_file() {
    let (scope, _) = big_collection(3000).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("big.jsonl");
    std::fs::write(&out, "before").expect("write");
    // One record per request: long enough to be interrupted after its first progress line.
    let mut child = Command::new(crate::cli_binary())
        .args(["records", &v2_url(), "--tenant", &scope.tenant, "--database", &scope.database, "-c", "big", "--all"])
        .args(["--page-size", "1", "--concurrency", "1", "--progress", "--output", out.to_str().expect("path")])
        .env_remove("CHROMA_CONNECT_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run chroma-connect");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = lines.next().expect("a progress line").expect("read");
    assert!(first.starts_with("exported ") && first.ends_with(" / 3,000 records"), "{first}");
    assert_eq!(listing(dir.path()).len(), 2, "the export is written beside the file");
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130), "{rest:?}");
    assert!(rest.iter().any(|line| line == "interrupted"), "{rest:?}");
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "before", "the old file is untouched");
    assert_eq!(listing(dir.path()), ["big.jsonl"], "no partial file left");

    // Not interrupted: progress lines, then the whole file.
    let output = run_cli(
        &["records", &v2_url(), "--tenant", &scope.tenant, "--database", &scope.database, "-c", "big", "--all"]
            .into_iter()
            .chain(["--page-size", "100", "--progress", "--output", out.to_str().expect("path")])
            .collect::<Vec<_>>(),
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("exported 3,000 records of big to "), "{}", stderr(&output));
    assert_eq!(json_lines(&out).len(), 3000);
}
