//! The holes a hostile server, a pasted URL or a shared file could use (issue 9, item 4), each closed and tested
//! against real servers and the TLS proxy: credentials in URLs, redirects to plain HTTP, walks that never end, an
//! IP address as server name, `.`/`..` names, the settings' warnings while browsing, control characters from
//! servers. (Profiles: relative paths, imports, `--profile NAME URL` and `--pin-current` are in `profiles`.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use chroma_connect::chroma::{ApiVersion, BrowseError, ChromaClient, ClientOptions, Scope};
use chroma_connect::diagnose::{Code, run_check};
use chroma_connect::profile::{Auth, ConnectionSettings, Secret, TokenHeader, Verify};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::browse::{HEARTBEAT, run_cli, stderr, stdout, v2_url};
use crate::support::chroma_addr;
use crate::support::pki::Pki;
use crate::support::proxy::{ProxyConfig, TlsProxy};
use crate::support::scripted::{Answer, Scripted};

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(output), stderr(output)))
}

fn all_output(output: &std::process::Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

fn ok(body: &str) -> Answer {
    (200, None, body.to_owned())
}

// ------------------------------------------------------------------------------------------------ URL credentials

#[test]
fn credentials_in_a_url_are_never_shown() {
    let port = crate::support::servers::closed_port();
    let url = format!("https://user:hunter2@localhost:{port}");
    let output = run_cli(&["check", &url, "--json"], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", all_output(&output));
    let report = json_of(&output);
    assert_eq!(report["target"]["url"], format!("https://user:***@localhost:{port}"));
    assert_eq!(report["diagnosis"]["code"], "config.invalid_url");
    assert!(!all_output(&output).contains("hunter2"), "{}", all_output(&output));

    let output = run_cli(&["check", &url], &[]);
    assert!(stdout(&output).contains(&format!("Checking https://user:***@localhost:{port}")), "{}", stdout(&output));
    for args in [
        vec!["check", &url],
        vec!["collections", &url, "--json"],
        vec!["records", &url, "-c", "x"],
        vec!["check", "ftp://u:hunter2@localhost:1"],
        vec!["check", "https://u:hunter2@local host:1", "--json"],
        vec!["check", "https://u:hunter2@localhost:1/?query=1"],
    ] {
        let output = run_cli(&args, &[]);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!all_output(&output).contains("hunter2"), "{args:?}:\n{}", all_output(&output));
    }
}

// ------------------------------------------------------------------------------------------------ redirects

/// A redirect from https to http on the same host and port: following it would send the token unencrypted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_plain_http_is_not_followed() {
    let pki = Pki::new();
    let proxy_port = Arc::new(AtomicU16::new(0));
    let port = Arc::clone(&proxy_port);
    let upstream = Scripted::start(Arc::new(move |path: &str| match path {
        "/api/v2/heartbeat" => {
            let location = format!("http://localhost:{}/api/v2/heartbeat", port.load(Ordering::SeqCst));
            (307, Some(location), String::new())
        }
        _ => (404, None, String::new()),
    }));
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), upstream.addr)).await;
    proxy_port.store(proxy.port(), Ordering::SeqCst);

    let mut settings = ConnectionSettings::from_url(&proxy.https_url()).expect("url");
    settings.verify = Verify::CaFile(pki.root_pem_path());
    settings.auth = Auth::Token { token: Secret::new("tok-redirect-clear"), header: TokenHeader::XChromaToken };
    let client = ChromaClient::connect(&settings, ClientOptions::default()).await.expect("client");
    let err = client.detect_api().await.expect_err("not followed");
    assert_eq!(err.status(), Some(307), "the redirect itself comes back: {err}");
    assert_eq!(proxy.failed_handshakes(), 0, "nothing was sent in plain HTTP to the TLS port");
    assert_eq!(proxy.requests(), 1);

    let output = tokio::task::spawn_blocking({
        let (url, ca) = (proxy.https_url(), pki.root_pem_path());
        move || {
            let ca = ca.to_str().expect("utf-8").to_owned();
            run_cli(
                &["collections", &url, "--ca-file", &ca, "--token-env", "CC_REDIRECT", "--json"],
                &[("CC_REDIRECT", "tok-redirect-clear")],
            )
        }
    })
    .await
    .expect("cli");
    assert_eq!(json_of(&output)["error"]["code"], "http.redirect", "{}", all_output(&output));
    assert_eq!(proxy.failed_handshakes(), 0);
}

// ------------------------------------------------------------------------------------------------ walks

/// A fake Chroma 1.x whose collection list ignores the offset (the same full page every time) and whose
/// database list does the same.
fn ignoring_offset(path: &str) -> Answer {
    let limit = query_number(path, "limit=");
    let page: Vec<Value> = (0..limit).map(|i| json!({"id": format!("id-{i}"), "name": format!("c-{i}")})).collect();
    let databases: Vec<Value> = (0..1000).map(|i| json!({"name": format!("db-{i}")})).collect();
    match path.split('?').next().unwrap_or_default() {
        "/api/v2/heartbeat" => ok(HEARTBEAT),
        "/api/v2/tenants/t" => ok(r#"{"name":"t"}"#),
        "/api/v2/tenants/t/databases/d" => ok(r#"{"name":"d","tenant":"t"}"#),
        "/api/v2/tenants/t/databases/d/collections" => ok(&Value::from(page).to_string()),
        "/api/v2/tenants/t/databases" => ok(&Value::from(databases).to_string()),
        _ => (404, None, String::new()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walks_end_when_a_page_brings_nothing_new() {
    let server = Scripted::start(Arc::new(ignoring_offset));
    let settings = ConnectionSettings::from_url(&server.http_url()).expect("url");
    let client = ChromaClient::connect(&settings, ClientOptions::default()).await.expect("client");
    let scope = Scope::new(ApiVersion::V2, "t", "d");
    let limit = Duration::from_secs(20);

    let walk = tokio::time::timeout(limit, client.all_collections(&scope, 2)).await.expect("the walk ended");
    let Err(BrowseError::ListingCapped { what: "collections", items: 2, reason }) = walk else { panic!("{walk:?}") };
    assert!(reason.contains("already listed"), "{reason}");
    let by_id = tokio::time::timeout(limit, client.collection_by_id(&scope, "c95ba389-da2f-4938-aa87-db2cfb9c9b1e"))
        .await
        .expect("the lookup ended");
    assert!(matches!(by_id, Err(BrowseError::ListingCapped { .. })), "{by_id:?}");
    let databases =
        tokio::time::timeout(limit, client.list_databases(ApiVersion::V2, "t", "d")).await.expect("the walk ended");
    assert!(
        matches!(databases, Err(BrowseError::ListingCapped { what: "databases", items: 1000, .. })),
        "{databases:?}"
    );

    let url = server.http_url();
    let output = tokio::task::spawn_blocking(move || {
        run_cli(&["collections", &url, "--tenant", "t", "--database", "d", "--page-size", "2", "--json"], &[])
    })
    .await
    .expect("cli");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json_of(&output)["error"]["code"], "chroma.listing_capped", "{}", all_output(&output));
}

/// The number after `key` in the query of `path` (0 when absent).
fn query_number(path: &str, key: &str) -> u64 {
    let query = path.split_once('?').map_or("", |(_, query)| query);
    query.split('&').find_map(|pair| pair.strip_prefix(key)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// A list that never ends (every offset brings new collections).
fn endless(path: &str) -> Answer {
    if !path.starts_with("/api/v2/tenants/t/databases/d/collections?") {
        return ignoring_offset(path);
    }
    let (limit, offset) = (query_number(path, "limit="), query_number(path, "offset="));
    let page: Vec<Value> =
        (offset..offset + limit).map(|i| json!({"id": format!("id-{i}"), "name": format!("c-{i}")})).collect();
    ok(&Value::from(page).to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walks_are_capped_in_items_and_time() {
    let server = Scripted::start(Arc::new(endless));
    let settings = ConnectionSettings::from_url(&server.http_url()).expect("url");
    let scope = Scope::new(ApiVersion::V2, "t", "d");
    let limit = Duration::from_secs(20);

    let options = ClientOptions { max_walk_items: 25, ..ClientOptions::default() };
    let client = ChromaClient::connect(&settings, options).await.expect("client");
    let walk = tokio::time::timeout(limit, client.all_collections(&scope, 10)).await.expect("the walk ended");
    let Err(BrowseError::ListingCapped { items: 30, reason, .. }) = walk else { panic!("{walk:?}") };
    assert!(reason.contains("more than 25 collections"), "{reason}");
    let diagnosis = chroma_connect::diagnose::diagnose_browse_error(
        &BrowseError::ListingCapped { what: "collections", items: 30, reason },
        &settings,
    );
    assert_eq!(diagnosis.code, Code::ChromaListingCapped);
    assert!(diagnosis.summary.contains("stopped after 30"), "{}", diagnosis.summary);

    let options = ClientOptions { max_walk_duration: Duration::ZERO, ..ClientOptions::default() };
    let client = ChromaClient::connect(&settings, options).await.expect("client");
    let walk = tokio::time::timeout(limit, client.all_collections(&scope, 10)).await.expect("the walk ended");
    let Err(BrowseError::ListingCapped { items: 10, reason, .. }) = walk else { panic!("{walk:?}") };
    assert!(reason.contains("took longer than 0 s"), "{reason}");
}

// ------------------------------------------------------------------------------------------------ server name

/// With an IP address as the server name, requests go to the URL's address (the one the check tested), and the
/// certificate is verified for the IP address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ip_address_as_server_name_keeps_the_urls_address() {
    let pki = Pki::new();
    // 127.0.0.2 is loopback too, but the proxy listens on 127.0.0.1 only: a request sent there is refused.
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf_for(&["127.0.0.2"]), chroma_addr())).await;
    for url in [proxy.https_url(), proxy.https_ip_url()] {
        let mut settings = ConnectionSettings::from_url(&url).expect("url");
        settings.verify = Verify::CaFile(pki.root_pem_path());
        settings.server_name = Some("127.0.0.2".to_owned());
        let report = run_check(&settings, None, CancellationToken::new()).await.expect("not cancelled");
        assert_eq!(report.diagnosis.code, Code::Ok, "{url}: {}", report.to_text());

        let client = ChromaClient::connect(&settings, ClientOptions::default()).await.expect("client");
        let scope = client.resolve_scope("default_tenant", "default_database").await.expect("scope");
        assert!(!client.all_collections(&scope, 0).await.expect("collections").is_empty());

        let ca = pki.root_pem_path();
        let output = tokio::task::spawn_blocking(move || {
            let ca = ca.to_str().expect("utf-8").to_owned();
            run_cli(&["collections", &url, "--ca-file", &ca, "--server-name", "127.0.0.2", "--json"], &[])
        })
        .await
        .expect("cli");
        assert_eq!(output.status.code(), Some(0), "{}", all_output(&output));
    }
    assert!(proxy.handshake_log().iter().all(|h| h.sni.is_none()), "no SNI for an IP address");
    // Another name than the certificate's still fails, as the check says.
    let mut settings = ConnectionSettings::from_url(&proxy.https_url()).expect("url");
    settings.verify = Verify::CaFile(pki.root_pem_path());
    settings.server_name = Some("127.0.0.3".to_owned());
    let report = run_check(&settings, None, CancellationToken::new()).await.expect("not cancelled");
    assert_eq!(report.diagnosis.code, Code::TlsNameMismatch, "{}", report.to_text());
}

// ------------------------------------------------------------------------------------------------ names

#[test]
fn dot_segments_are_refused_as_tenant_and_database() {
    let url = v2_url();
    for (flag, value) in [("--tenant", ".."), ("--tenant", "."), ("--database", "..")] {
        for command in [&["collections"][..], &["records", "-c", "lab_docs"], &["check"]] {
            let args = [command, &[url.as_str(), flag, value, "--json"]].concat();
            let output = run_cli(&args, &[]);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {}", all_output(&output));
            let value = json_of(&output);
            let diagnosis = if command[0] == "check" { &value["diagnosis"] } else { &value["error"] };
            assert_eq!(diagnosis["code"], "config.invalid", "{args:?}: {value}");
            assert_eq!(diagnosis["setting"], flag.trim_start_matches('-'), "{args:?}: {value}");
        }
    }
}

// ------------------------------------------------------------------------------------------------ warnings

#[test]
fn browsing_prints_the_settings_warnings() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()));
    for command in [&["collections"][..], &["records", "-c", "lab_docs"]] {
        let output = run_cli(&[command, &[proxy.https_url().as_str(), "--insecure"]].concat(), &[]);
        assert_eq!(output.status.code(), Some(0), "{}", all_output(&output));
        assert!(
            stderr(&output).contains("warning: certificate verification is OFF"),
            "{command:?}: {}",
            stderr(&output)
        );
        let output = run_cli(
            &[command, &[v2_url().as_str(), "--token-env", "CC_WARN_TOKEN", "--json"]].concat(),
            &[("CC_WARN_TOKEN", "tok-warn")],
        );
        assert_eq!(output.status.code(), Some(0), "{}", all_output(&output));
        assert!(
            stderr(&output).contains("warning: credentials are sent in clear text over http://"),
            "{command:?}: {}",
            stderr(&output)
        );
        assert!(json_of(&output)["ok"].as_bool().unwrap_or_default(), "stdout stays JSON");
    }
}

// ------------------------------------------------------------------------------------------------ control chars

const ESC: char = '\u{1b}';

/// A fake Chroma 1.x whose texts carry escape sequences, bells and a right-to-left override.
fn hostile(path: &str) -> Answer {
    let id = "c95ba389-da2f-4938-aa87-db2cfb9c9b1e";
    let base = "/api/v2/tenants/default_tenant/databases/default_database";
    let path = path.split('?').next().unwrap_or_default();
    if path == format!("{base}/collections") {
        let collection = json!([{"id": id, "name": "evil\u{1b}[2Jname\u{202e}", "dimension": 3,
            "metadata": {"k": "v\u{1b}]0;owned\u{7}"}}]);
        return ok(&collection.to_string());
    }
    if path == format!("{base}/collections/{id}/count") {
        return ok("3");
    }
    match path {
        "/api/v2/heartbeat" => ok(HEARTBEAT),
        "/api/v2/version" => ok(&Value::from("1.0.0\u{1b}]0;pwned\u{7}").to_string()),
        "/api/v2/auth/identity" => {
            ok(&json!({"user_id": "u\u{1b}[31m", "tenant": "default_tenant", "databases": []}).to_string())
        }
        "/api/v2/tenants/default_tenant" => ok(r#"{"name":"default_tenant"}"#),
        p if p == base => ok(r#"{"name":"default_database","tenant":"default_tenant"}"#),
        p if p.ends_with("/collections_count") => ok("1"),
        _ => (
            400,
            None,
            json!({"error": "InvalidArgumentError", "message": "bad\u{1b}[31m thing\u{7}\u{202e}"}).to_string(),
        ),
    }
}

#[test]
fn text_from_a_server_reaches_the_terminal_without_control_characters() {
    let server = Scripted::start(Arc::new(hostile));
    let url = server.http_url();
    let clean = |output: &std::process::Output, what: &str| {
        let all = all_output(output);
        assert!(!all.contains(ESC) && !all.contains('\u{7}') && !all.contains('\u{202e}'), "{what}: {all:?}");
    };
    let output = run_cli(&["check", &url], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", all_output(&output));
    clean(&output, "check");
    assert!(stdout(&output).contains("version 1.0.0]0;pwned"), "{}", stdout(&output));
    // The report itself (what the app shows) holds no control character either.
    let report = json_of(&run_cli(&["check", &url, "--json"], &[]));
    for text in [&report["diagnosis"]["summary"], &report["server"]["version"], &report["steps"][5]["detail"]] {
        let text = text.as_str().unwrap_or_default();
        assert!(!text.is_empty() && !text.chars().any(char::is_control), "{text:?}");
    }

    let output = run_cli(&["collections", &url], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", all_output(&output));
    clean(&output, "collections");
    assert!(stdout(&output).contains("[2Jname"), "{}", stdout(&output));
    // JSON keeps the server's data (escaped by JSON itself).
    let output = run_cli(&["collections", &url, "--json"], &[]);
    assert_eq!(json_of(&output)["collections"][0]["name"], "evil\u{1b}[2Jname\u{202e}");

    let output = run_cli(&["records", &url, "-c", "c95ba389-da2f-4938-aa87-db2cfb9c9b1e"], &[]);
    assert_eq!(output.status.code(), Some(1), "{}", all_output(&output));
    clean(&output, "records");
    assert!(stderr(&output).contains("bad[31m thing"), "{}", stderr(&output));
}
