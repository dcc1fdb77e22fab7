//! "Would other clients connect?": `chroma-connect check` against the real server behind a TLS proxy, and the `trust`
//! section of its JSON and text output for each kind of client.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::pki::{AIA_CA_ISSUERS_URL, INTERMEDIATE_NAME, Pki, ROOT_CA_NAME};
use crate::support::proxy::{ProxyConfig, TlsProxy};
use crate::support::{chroma_addr, chroma_url};

/// Runs the CLI with the OS store as this machine has it (no `SSL_CERT_FILE` / `SSL_CERT_DIR` from the caller),
/// plus `env`.
fn run(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(crate::cli_binary());
    command.args(args).env_remove("CHROMA_CONNECT_LOG").env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run chroma-connect")
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

/// The `trust` entry of `family`.
fn client<'a>(report: &'a Value, family: &str) -> &'a Value {
    report["trust"]
        .as_array()
        .expect("a trust array")
        .iter()
        .find(|entry| entry["family"] == family)
        .unwrap_or_else(|| panic!("no {family} in {:#}", report["trust"]))
}

fn fix(report: &Value, family: &str) -> String {
    client(report, family)["fix"].as_str().unwrap_or_else(|| panic!("no fix for {family}")).to_owned()
}

fn utf8(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn a_private_ca_only_the_profile_trusts_fails_curl_python_and_node_with_their_fixes() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()));
    let ca = pki.root_pem_path();
    let output = run(&["check", &proxy.https_url(), "--ca-file", utf8(&ca), "--json"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    let report = json(&output);

    let families: Vec<&str> =
        report["trust"].as_array().unwrap().iter().map(|c| c["family"].as_str().unwrap()).collect();
    assert_eq!(families, ["curl", "python", "node", "browser", "chroma_connect"]);
    for entry in report["trust"].as_array().unwrap() {
        for key in ["family", "client", "store", "store_text", "accepted", "reason", "reason_text", "fix"] {
            assert!(entry.get(key).is_some(), "{key} missing in {entry}");
        }
    }

    let profile = client(&report, "chroma_connect");
    assert_eq!(profile["accepted"], true, "{profile}");
    assert_eq!(profile["reason"], "ok");
    assert_eq!(profile["store"], "profile");
    assert_eq!(profile["store_text"], format!("only the CA file {}", ca.display()));
    assert_eq!(profile["reason_text"], format!("Trusted: the chain leads to the root \"{ROOT_CA_NAME}\"."));
    assert_eq!(profile["fix"], Value::Null);

    for (family, store) in [("curl", "os"), ("python", "mozilla"), ("node", "mozilla"), ("browser", "os")] {
        let entry = client(&report, family);
        assert_eq!(entry["accepted"], false, "{entry}");
        assert_eq!(entry["reason"], "unknown_issuer", "{entry}");
        assert_eq!(entry["store"], store, "{entry}");
        let text = entry["reason_text"].as_str().unwrap();
        assert!(text.contains(&format!("Issued by \"{ROOT_CA_NAME}\"")), "{text}");
        assert!(text.ends_with("; the profile's CA file does."), "{text}");
    }
    let ca = utf8(&ca);
    assert!(fix(&report, "python").contains(&format!("Settings(chroma_server_ssl_verify=\"{ca}\")")));
    assert!(fix(&report, "python").contains(&format!("SSL_CERT_FILE={ca}")));
    assert!(fix(&report, "python").contains(&format!("REQUESTS_CA_BUNDLE={ca}")));
    assert!(fix(&report, "node").contains(&format!("NODE_EXTRA_CA_CERTS={ca}")));
    assert!(fix(&report, "curl").contains(&format!("curl --cacert {ca}")));
    assert!(fix(&report, "curl").contains("into the OS store: "));
    assert!(fix(&report, "browser").contains("into the OS store: "));
}

#[test]
fn the_text_output_lists_each_client_after_the_chain() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()));
    let ca = pki.root_pem_path();
    let output = run(&["check", &proxy.https_url(), "--ca-file", utf8(&ca)], &[]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    let chain_at = text.find("Certificate chain presented by the server").expect("the chain");
    let trust_at = text.find("Would other clients connect to localhost?").unwrap_or_else(|| panic!("{text}"));
    assert!(trust_at > chain_at, "after the chain:\n{text}");
    for expected in [
        "  ✗ curl and most system tools (the OS trust store): unknown_issuer\n",
        "  ✗ Python: chromadb, httpx, requests (certifi: Mozilla's root list): unknown_issuer\n",
        "  ✗ Node.js (Mozilla's root list, bundled in Node.js): unknown_issuer\n",
        &format!("  ✓ Chroma Connect with this profile (only the CA file {}): ok\n", ca.display()),
        &format!("      fix: Start Node with NODE_EXTRA_CA_CERTS={} set.\n", ca.display()),
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

/// The OS store is what `SSL_CERT_FILE` names (rustls-native-certs and, on Linux, the platform verifier read it, as
/// OpenSSL does): a CA installed there passes curl, browsers and a profile on the system store, not Python or Node.
#[cfg(target_os = "linux")]
#[test]
fn a_ca_in_the_os_store_passes_curl_but_not_python_or_node() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()));
    let ca = pki.root_pem_path();
    let output = run(&["check", &proxy.https_url(), "--json"], &[("SSL_CERT_FILE", &ca)]);
    let report = json(&output);
    assert_eq!(report["ok"], true, "{:#}", report["diagnosis"]);
    for family in ["curl", "browser", "chroma_connect"] {
        let entry = client(&report, family);
        assert_eq!(entry["accepted"], true, "{entry}");
        assert_eq!(entry["reason"], "ok", "{entry}");
    }
    assert_eq!(client(&report, "chroma_connect")["store_text"], "the system trust store");
    for family in ["python", "node"] {
        let entry = client(&report, family);
        assert_eq!(entry["accepted"], false, "{entry}");
        assert_eq!(entry["reason"], "unknown_issuer");
        assert!(entry["reason_text"].as_str().unwrap().ends_with("; the OS store does."), "{entry}");
    }
    let node = fix(&report, "node");
    assert!(node.starts_with(&format!("Save the certificate of \"{ROOT_CA_NAME}\" as ca.pem (PEM), then:")), "{node}");
    assert!(node.contains("NODE_EXTRA_CA_CERTS=ca.pem"), "{node}");
}

#[test]
fn a_missing_intermediate_fails_every_client_but_a_browser_and_the_fix_is_on_the_server() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf_via_intermediate(false), chroma_addr()));
    let ca = pki.root_pem_path();
    let output = run(&["check", &proxy.https_url(), "--ca-file", utf8(&ca), "--json"], &[]);
    let report = json(&output);
    assert_eq!(report["diagnosis"]["code"], "tls.incomplete_chain");

    let browser = client(&report, "browser");
    assert_eq!(browser["accepted"], true, "{browser}");
    assert_eq!(browser["reason"], "aia_fetch");
    assert!(browser["reason_text"].as_str().unwrap().contains(AIA_CA_ISSUERS_URL), "{browser}");
    for family in ["curl", "python", "node", "chroma_connect"] {
        let entry = client(&report, family);
        assert_eq!(entry["accepted"], false, "{entry}");
        assert_eq!(entry["reason"], "incomplete_chain", "{entry}");
        assert!(
            entry["reason_text"].as_str().unwrap().contains(&format!("intermediate \"{INTERMEDIATE_NAME}\"")),
            "{entry}"
        );
    }
    for entry in report["trust"].as_array().unwrap() {
        let fix = entry["fix"].as_str().unwrap();
        assert!(fix.starts_with("On the server, serve the full chain"), "{fix}");
    }

    // Sending the intermediate completes the chain: the profile trusts it.
    let full = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf_via_intermediate(true), chroma_addr()));
    let report = json(&run(&["check", &full.https_url(), "--ca-file", utf8(&ca), "--json"], &[]));
    assert_eq!(report["ok"], true);
    assert_eq!(client(&report, "chroma_connect")["reason"], "ok");
    assert_eq!(client(&report, "node")["reason"], "unknown_issuer");
}

#[test]
fn a_failed_check_judges_the_chain_it_saw_and_plain_http_has_no_trust_section() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.wrong_name_leaf(), chroma_addr()));
    let ca = pki.root_pem_path();
    let report = json(&run(&["check", &proxy.https_url(), "--ca-file", utf8(&ca), "--json"], &[]));
    assert_eq!(report["diagnosis"]["code"], "tls.name_mismatch");
    let profile = client(&report, "chroma_connect");
    assert_eq!(profile["reason"], "name_mismatch");
    assert_eq!(profile["fix"], "Set Server name to chroma.other.test, or give the server a certificate for localhost.");

    let report = json(&run(&["check", chroma_url().as_str(), "--json"], &[]));
    assert_eq!(report["ok"], true, "{:#}", report["diagnosis"]);
    assert_eq!(report["trust"], Value::Array(vec![]));
}
