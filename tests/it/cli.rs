//! `chroma-connect check` as a user runs it: flags, exit codes, JSON shape, human output, no secrets.

use std::process::{Command, Output};

use serde_json::Value;

use crate::support::chroma_addr;
use crate::support::pki::Pki;
use crate::support::proxy::{ProxyConfig, TlsProxy};

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(crate::cli_binary());
    command.args(args).env_remove("CHROMA_CONNECT_LOG");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run chroma-connect")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

#[test]
fn json_output_of_a_healthy_tls_server() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()));
    let ca = pki.root_pem_path();
    let output = run(&["check", &proxy.https_url(), "--ca-file", ca.to_str().expect("utf-8"), "--json"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let report = json(&output);
    assert_eq!(report["ok"], true);
    assert_eq!(report["diagnosis"]["code"], "ok");
    let steps: Vec<&str> =
        report["steps"].as_array().expect("steps").iter().map(|s| s["step"].as_str().expect("name")).collect();
    assert_eq!(steps, ["dns", "tcp", "tls", "http", "api", "auth", "tenant", "collections"]);
    for step in report["steps"].as_array().expect("steps") {
        assert_eq!(step["status"], "ok", "{step}");
        assert!(step["ms"].as_f64().is_some(), "{step}");
        assert!(step["detail"].is_string(), "{step}");
    }
    assert_eq!(report["server"]["api"], "v2");
    assert_eq!(report["server"]["version"], "1.0.0");
    assert_eq!(report["collections_count"], 4);
    let leaf = &report["certificates"][0];
    for key in ["subject", "issuer", "sans", "not_before", "not_after", "is_ca", "sha256"] {
        assert!(!leaf[key].is_null(), "certificate field {key} missing: {leaf}");
    }
    assert_eq!(leaf["is_ca"], false);
}

#[test]
fn human_output_has_the_timeline_diagnosis_hint_and_chain() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf_from_other_root(), chroma_addr()));
    let ca = pki.root_pem_path();
    let output = run(&["check", &proxy.https_url(), "--ca-file", ca.to_str().expect("utf-8")], &[]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    for expected in [
        "✓ dns",
        "✓ tcp",
        "✗ tls",
        "- http",
        "PROBLEM [tls.unknown_issuer]",
        "set the CA file to that CA's certificate",
        "  setting: CA file (--ca-file)\n",
        "  ca file      1 certificate: ",
        "Certificate chain presented by the server (1):",
        "sha256",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn configuration_errors_exit_2_with_a_code() {
    let output = run(&["check", "https://localhost:1", "--ca-file", "/nonexistent/ca.pem", "--json"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(json(&output)["diagnosis"]["code"], "config.ca_file_missing");
    assert_eq!(json(&output)["diagnosis"]["setting"], "ca_file");

    let output = run(&["check", "localhost", "--json"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(json(&output)["diagnosis"]["code"], "config.invalid_url");

    let output = run(&["check", "https://localhost:1", "--token-env", "CHROMA_CONNECT_SURELY_UNSET"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).contains("token_env names $CHROMA_CONNECT_SURELY_UNSET"), "{}", stdout(&output));
}

#[test]
fn usage_errors_exit_2() {
    let output = run(&["check", "https://h:1", "--insecure", "--ca-file", "x.pem"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let output = run(&["check"], &[]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_token_is_never_printed() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth("the-right-one"));
    let ca = pki.root_pem_path();
    let ca = ca.to_str().expect("utf-8");
    let secret = "tok-9f8e7d6c5b4a-wrong";
    for extra in [&["--json"][..], &[]] {
        let mut args = vec!["check", proxy.https_url().leak(), "--ca-file", ca, "--token-env", "CC_TEST_TOKEN"];
        args.extend_from_slice(extra);
        let output = run(&args, &[("CC_TEST_TOKEN", secret), ("CHROMA_CONNECT_LOG", "trace")]);
        assert_eq!(output.status.code(), Some(1));
        let all = format!("{}{}", stdout(&output), String::from_utf8_lossy(&output.stderr));
        assert!(all.contains("http.forbidden"), "{all}");
        assert!(!all.contains(secret), "the token leaked:\n{all}");
    }
}
