//! The support bundle (issue 10, item 3): `chroma-connect bundle` and the doctor's "Save support bundle…" write one
//! file with the check report, the chain as PEM, the file summaries, the settings, the version and the OS — and
//! never the secret or URL credentials.

use std::time::Duration;

use serde_json::Value;

use crate::profiles::Home;
use crate::support::chroma_addr;
use crate::support::pki::Pki;
use crate::support::proxy::{ProxyConfig, TlsProxy};

const TOKEN: &str = "bundle-s3cret-token-42";

/// Fails when `text` holds the secret or a URL with credentials (`scheme://user:pw@host`).
fn assert_nothing_secret(text: &str) {
    assert!(!text.contains(TOKEN), "the token is in the bundle");
    for (index, _) in text.match_indices("://") {
        let rest = &text[index + 3..];
        let authority: String = rest.chars().take_while(|c| !matches!(c, '/' | '"' | ' ' | '\n' | '\\')).collect();
        assert!(!authority.contains('@'), "URL credentials in the bundle: {authority}");
    }
}

#[test]
fn the_cli_bundle_holds_the_report_chain_files_and_no_secret() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth(TOKEN));
    let home = Home::new();
    let ca = pki.root_pem_path();
    home.run_stdin(
        &["profiles", "add", "ticket", &proxy.https_url(), "--ca-file", ca.to_str().unwrap(), "--token-stdin"],
        TOKEN,
    )
    .ok();
    let out = home.path().join("bundle.json");
    let run = home.run(&["bundle", "--profile", "ticket", "-o", out.to_str().unwrap()]).ok();
    assert!(run.stderr.contains("Saved the support bundle"), "{}", run.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_nothing_secret(&text);
    let bundle: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(bundle["bundle_version"], 1);
    assert_eq!(bundle["app"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(bundle["os"]["os"], std::env::consts::OS);
    assert_eq!(bundle["profile"], "ticket");
    assert_eq!(bundle["check"]["diagnosis"]["code"], "ok", "{}", bundle["check"]["diagnosis"]);
    let trust = bundle["check"]["trust"].as_array().expect("the trust evaluation of each client family");
    assert!(trust.iter().any(|t| t["family"] == "python" && t["accepted"] == false), "{trust:?}");
    assert!(bundle["check"]["steps"].as_array().is_some_and(|s| s.iter().all(|s| s["ms"].is_number())));
    assert!(bundle["chain_pem"].as_str().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(bundle["files"][0]["setting"], "ca_file");
    assert!(bundle["files"][0]["summary"].as_str().unwrap().contains("Chroma Connect Test Root CA"), "{bundle}");
    assert_eq!(bundle["settings"]["auth"], "token (Authorization: Bearer)");
    assert!(bundle["check_text"].as_str().unwrap().contains("Checking https://localhost:"));

    // A failing check is what bundles are for: a wrong CA, and the token given on the command line.
    let wrong = home.path().join("wrong.json");
    home.run(&[
        "bundle",
        &proxy.https_url(),
        "--ca-file",
        pki.other_root_pem_path().to_str().unwrap(),
        "--token",
        TOKEN,
        "--output",
        wrong.to_str().unwrap(),
    ])
    .ok();
    let text = std::fs::read_to_string(&wrong).unwrap();
    assert_nothing_secret(&text);
    let bundle: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(bundle["check"]["diagnosis"]["code"], "tls.unknown_issuer");
    assert!(bundle["chain_pem"].as_str().unwrap().contains("BEGIN CERTIFICATE"), "the chain even when it fails");

    // Credentials in the URL are refused before anything is written.
    let refused = home.run(&["bundle", "https://alice:url-pw-77@localhost:1", "-o", "x.json"]).code(2);
    assert!(!refused.all().contains("url-pw-77"), "{}", refused.all());
    assert!(!home.path().join("x.json").exists());
}

#[test]
fn the_doctor_saves_a_bundle_without_the_secret() {
    use crate::gui::{QueuePicker, app, home_with, profile};
    use chroma_connect::app::{PickOutcome, StartOptions};
    use chroma_connect::profile::{ProfileAuth, SecretSource, TokenHeader, Verify};

    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth(TOKEN));
    let mut p = profile("support", &proxy.https_url(), Verify::CaFile(pki.root_pem_path()));
    p.connection.auth = ProfileAuth::Token { header: TokenHeader::XChromaToken, source: SecretSource::Stored };
    let home = home_with(vec![(p, Some(TOKEN))]);
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("bundle.json");
    let mut gui = app(
        home,
        QueuePicker::answering([PickOutcome::Chosen(file.clone())]),
        StartOptions { profile: Some("support".into()), check: true },
    );
    gui.wait("the check", |app| app.state.prefs.last_checks.contains_key("support"));
    gui.click("Save support bundle…");
    gui.wait("the bundle", |_| file.exists());
    std::thread::sleep(Duration::from_millis(50));
    let text = std::fs::read_to_string(&file).unwrap();
    assert_nothing_secret(&text);
    let bundle: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(bundle["check"]["diagnosis"]["code"], "ok", "{}", bundle["check"]["diagnosis"]);
    assert_eq!(bundle["settings"]["auth"], "token (X-Chroma-Token)");
    assert_eq!(bundle["profile"], "support");
}
