//! The Rust side of `benches/browse.sh`: creates many collections quickly, and times browsing calls of the library
//! (in-process, one client, one keep-alive connection for sequential calls).
//!
//! ```text
//! browse_bench create URL TENANT DATABASE COUNT        create tenant, database and COUNT empty collections
//! browse_bench list URL CA TENANT DATABASE PAGE_SIZE [CONCURRENCY]
//!                                                       time all_collections (CONCURRENCY 1, the default) or
//!                                                       all_collections_concurrent (prints: collections, seconds)
//! browse_bench export URL CA COLLECTION PAGE_SIZE CONCURRENCY [FILE]
//!                                                       time all_records of every record (documents, metadatas,
//!                                                       uris), then writing them as JSON Lines to FILE
//! browse_bench pages URL CA COLLECTION PAGES LIMIT      time PAGES sequential get_records pages of LIMIT records
//! browse_bench repeat URL CA COLLECTION PAGES LIMIT     the same, always at offset 0 (client and TLS cost, not the
//!                                                       server's cost of large offsets)
//! ```
//! `CA` is the CA file to trust for an https URL (`-` for none).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark tool"
)]

use std::io::Write as _;
use std::time::Instant;

use chroma_connect::chroma::{ChromaClient, ClientOptions, GetRequest, Include, record_json_line};
use chroma_connect::profile::{ConnectionSettings, Verify};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["create", url, tenant, database, count] => create(url, tenant, database, count.parse().expect("COUNT")).await,
        ["list", url, ca, tenant, database, page_size, rest @ ..] => {
            let client = client(url, ca, tenant, database);
            let scope = client.resolve_scope(tenant, database).await.expect("scope");
            let page_size = page_size.parse().expect("PAGE_SIZE");
            let concurrency: usize = rest.first().map_or(1, |c| c.parse().expect("CONCURRENCY"));
            let started = Instant::now();
            let all = if concurrency > 1 {
                client.all_collections_concurrent(&scope, page_size, concurrency).await.expect("list")
            } else {
                client.all_collections(&scope, page_size).await.expect("list")
            };
            println!("{} collections in {:.3} s", all.len(), started.elapsed().as_secs_f64());
        }
        ["export", url, ca, collection, page_size, concurrency, rest @ ..] => {
            let client = client(url, ca, "default_tenant", "default_database");
            let scope = client.resolve_scope("default_tenant", "default_database").await.expect("scope");
            let collection = client.find_collection(&scope, collection).await.expect("collection");
            let include = vec![Include::Documents, Include::Metadatas, Include::Uris];
            let request = GetRequest { include: Some(include), ..GetRequest::default() };
            let (page_size, concurrency) =
                (page_size.parse().expect("PAGE_SIZE"), concurrency.parse().expect("CONCURRENCY"));
            let started = Instant::now();
            let records = client
                .all_records(&scope, &collection.id, &request, page_size, concurrency, |_, _| {})
                .await
                .expect("export");
            let fetched = started.elapsed().as_secs_f64();
            if let Some(path) = rest.first() {
                let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
                for record in &records {
                    out.write_all(record_json_line(record, None).as_bytes()).expect("write");
                }
                out.flush().expect("flush");
            }
            println!("{} records in {:.3} s ({fetched:.3} s fetching)", records.len(), started.elapsed().as_secs_f64());
        }
        [mode @ ("pages" | "repeat"), url, ca, collection, pages, limit] => {
            let client = client(url, ca, "default_tenant", "default_database");
            let scope = client.resolve_scope("default_tenant", "default_database").await.expect("scope");
            let collection = client.find_collection(&scope, collection).await.expect("collection");
            let (pages, limit): (u32, u32) = (pages.parse().expect("PAGES"), limit.parse().expect("LIMIT"));
            let started = Instant::now();
            let mut records = 0;
            for page in 0..pages {
                let offset = if *mode == "repeat" { 0 } else { page * limit };
                let request = GetRequest { limit: Some(limit), offset: Some(offset), ..GetRequest::default() };
                records += client.get_records(&scope, &collection.id, &request).await.expect("page").records.len();
            }
            println!("{pages} pages, {records} records in {:.3} s", started.elapsed().as_secs_f64());
        }
        _ => {
            eprintln!("usage: see the top of examples/browse_bench.rs");
            std::process::exit(2);
        }
    }
}

fn client(url: &str, ca: &str, tenant: &str, database: &str) -> ChromaClient {
    let mut settings = ConnectionSettings::from_url(url).expect("url");
    if ca != "-" {
        settings.verify = Verify::CaFile(ca.into());
    }
    tenant.clone_into(&mut settings.tenant);
    database.clone_into(&mut settings.database);
    ChromaClient::new(&settings, ClientOptions::default()).expect("client")
}

/// Creates the tenant, the database and `count` collections `c-00000`.. with 32 POSTs in flight.
async fn create(url: &str, tenant: &str, database: &str, count: usize) {
    let http = reqwest::Client::builder().no_proxy().build().expect("http client");
    let post = |path: String, body: serde_json::Value| {
        let http = http.clone();
        async move {
            let response = http.post(path).json(&body).send().await.expect("send");
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            // 409: exists already (a second run).
            assert!(status.is_success() || status.as_u16() == 409, "{status}: {text}");
        }
    };
    post(format!("{url}/api/v2/tenants"), serde_json::json!({ "name": tenant })).await;
    post(format!("{url}/api/v2/tenants/{tenant}/databases"), serde_json::json!({ "name": database })).await;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        while tasks.len() >= 32 {
            tasks.join_next().await.expect("task").expect("join");
        }
        let path = format!("{url}/api/v2/tenants/{tenant}/databases/{database}/collections");
        tasks.spawn(post(path, serde_json::json!({ "name": format!("c-{i:05}"), "get_or_create": true })));
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("join");
    }
    println!("created {count} collections in {:.1} s", started.elapsed().as_secs_f64());
}
