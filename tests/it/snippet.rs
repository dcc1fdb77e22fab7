//! Copy as code (issue 10, item 4): `chroma-connect snippet` writes a saved profile as Python, curl and openssl, and
//! each snippet, run as it is printed, connects to a real Chroma behind real TLS — Python with the test venv's own
//! chromadb, curl and openssl from the machine. The secret is set in the environment, never in the snippet.

use std::path::Path;
use std::process::Command;

use crate::profiles::{Home, Run};
use crate::support::chroma_addr;
use crate::support::pki::Pki;
use crate::support::proxy::{ProxyConfig, TlsProxy};

const TOKEN: &str = "snippet-s3cret-token";

fn snippet(home: &Home, profile: &str, lang: &str) -> String {
    let run = home.run(&["snippet", "--profile", profile, "--lang", lang]).ok();
    assert!(!run.stdout.contains(TOKEN), "the secret is never written:\n{}", run.stdout);
    run.stdout
}

/// Runs a shell snippet with `CHROMA_TOKEN` set.
fn sh(text: &str, dir: &Path) -> Run {
    let output = Command::new("bash")
        .args(["-euo", "pipefail", "-c", text])
        .current_dir(dir)
        .env("CHROMA_TOKEN", TOKEN)
        .output()
        .expect("run bash");
    Run::from(&output)
}

fn python(text: &str, dir: &Path) -> Run {
    let python = std::env::var("CHROMA_TEST_PYTHON").expect("CHROMA_TEST_PYTHON is not set: run ./scripts/test.sh");
    let file = dir.join("snippet.py");
    std::fs::write(&file, text).expect("write snippet.py");
    let output = Command::new(python)
        .arg(&file)
        .current_dir(dir)
        .env("HOME", dir)
        .env("ANONYMIZED_TELEMETRY", "False")
        .env("CHROMA_TOKEN", TOKEN)
        .output()
        .expect("run python");
    Run::from(&output)
}

#[test]
fn python_curl_and_openssl_snippets_connect_with_a_private_ca_and_a_token() {
    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth(TOKEN));
    let home = Home::new();
    let ca = pki.root_pem_path();
    home.run_stdin(
        &["profiles", "add", "private", &proxy.https_url(), "--ca-file", ca.to_str().unwrap(), "--token-stdin"],
        TOKEN,
    )
    .ok();
    home.run(&["profiles", "add", "x-token", &proxy.https_url(), "--ca-file", ca.to_str().unwrap()]).ok();
    home.run(&["profiles", "edit", "x-token", "--token-env", "CHROMA_TOKEN", "--auth-header", "x-chroma-token"]).ok();
    let dir = tempfile::tempdir().unwrap();

    for profile in ["private", "x-token"] {
        let code = snippet(&home, profile, "python");
        assert!(code.contains(&format!("chroma_server_ssl_verify={:?}", ca.to_str().unwrap())), "{code}");
        let run = python(&code, dir.path());
        assert_eq!(run.code, Some(0), "the Python snippet of {profile} failed:\n{code}\n{}", run.all());
        assert!(run.stdout.trim().parse::<u64>().is_ok(), "heartbeat: {}", run.stdout);

        let code = snippet(&home, profile, "curl");
        let run = sh(&code, dir.path());
        assert_eq!(run.code, Some(0), "the curl snippet of {profile} failed:\n{code}\n{}", run.all());
        assert!(run.stdout.contains("nanosecond heartbeat"), "{}", run.stdout);
    }
    let requests = proxy.request_log();
    assert!(requests.iter().any(|r| r.headers.contains_key("x-chroma-token")), "X-Chroma-Token was used");

    // The same snippet without the token is refused: the snippet really sends the variable's value.
    let code = snippet(&home, "private", "curl");
    let unset = Command::new("bash").args(["-c", &code]).env("CHROMA_TOKEN", "wrong").output().unwrap();
    assert!(!unset.status.success(), "a wrong token must fail");

    let code = snippet(&home, "private", "openssl");
    assert!(code.contains("-CAfile") && code.contains("-servername localhost"), "{code}");
    let run = sh(&code, dir.path());
    assert_eq!(run.code, Some(0), "the openssl snippet failed:\n{code}\n{}", run.all());
    assert!(run.stdout.contains("Verify return code: 0 (ok)"), "{}", run.stdout);
    assert!(run.stdout.matches("BEGIN CERTIFICATE").count() >= 1, "-showcerts shows the chain");
}

#[test]
fn curl_and_openssl_snippets_send_the_client_certificate_and_map_the_server_name() {
    let pki = Pki::new();
    // A certificate valid only for chroma.internal, reached at 127.0.0.1: the server-name override.
    let leaf = pki.leaf_for(&["chroma.internal"]);
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&leaf, chroma_addr()).client_ca(pki.client_ca()));
    let (cert, key) = pki.client_cert(true);
    let home = Home::new();
    home.run(&[
        "profiles",
        "add",
        "mtls",
        &proxy.https_ip_url(),
        "--ca-file",
        pki.root_pem_path().to_str().unwrap(),
        "--server-name",
        "chroma.internal",
        "--client-cert",
        cert.to_str().unwrap(),
        "--client-key",
        key.to_str().unwrap(),
    ])
    .ok();
    let dir = tempfile::tempdir().unwrap();

    let code = snippet(&home, "mtls", "curl");
    assert!(code.contains(&format!("--resolve chroma.internal:{}:127.0.0.1", proxy.port())), "{code}");
    let run = sh(&code, dir.path());
    assert_eq!(run.code, Some(0), "the curl snippet failed:\n{code}\n{}", run.all());
    assert!(run.stdout.contains("nanosecond heartbeat"), "{}", run.stdout);

    let code = snippet(&home, "mtls", "openssl");
    let run = sh(&code, dir.path());
    assert_eq!(run.code, Some(0), "the openssl snippet failed:\n{code}\n{}", run.all());
    assert!(run.stdout.contains("Verify return code: 0 (ok)"), "{}", run.stdout);

    // Python's client cannot send a client certificate: the snippet says so instead of pretending.
    let code = snippet(&home, "mtls", "python");
    assert!(code.contains("has no setting for one"), "{code}");
}
