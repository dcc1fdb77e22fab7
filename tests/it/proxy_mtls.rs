//! Mutual TLS enforced by a real reverse proxy at the HTTP layer (issue 9): nginx, `HAProxy` and Caddy in front of
//! the real Chroma server ask for a client certificate in the handshake and refuse the request with an HTTP status
//! when none, or one they cannot verify, was sent. `check`, `collections` and the library's browsing diagnosis
//! (the desktop app's) must say `tls.client_cert_required` / `tls.client_cert_rejected`, pointing at the client
//! certificate, and pass with the right certificate. Envoy and Traefik are not packaged here: their answers are
//! covered by the table tests of `diagnose::findings::client_cert`.

use std::path::PathBuf;
use std::sync::Arc;

use chroma_connect::chroma::{ChromaClient, ClientOptions};
use chroma_connect::diagnose::{
    CheckReport, Code, Step, StepStatus, diagnose_browse_error, diagnose_browse_error_probing, run_check,
};
use chroma_connect::profile::{ConnectionSettings, Setting, Verify};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::browse::{run_cli, stderr, stdout};
use crate::support::chroma_addr;
use crate::support::pki::Pki;
use crate::support::proxy::FORBIDDEN_BODY;
use crate::support::real_proxy::{ProxyKind, RealProxy};
use crate::support::scripted::Scripted;

/// Which client certificate a case sends.
#[derive(Debug, Clone, Copy)]
enum ClientCert {
    None,
    /// Issued by another CA than the one the proxy trusts.
    OtherCa,
    /// Issued by the CA the proxy trusts.
    Right,
}

fn settings(url: &str, pki: &Pki, cert: ClientCert) -> ConnectionSettings {
    let mut settings = ConnectionSettings::from_url(url).expect("url");
    settings.verify = Verify::CaFile(pki.root_pem_path());
    let identity = match cert {
        ClientCert::None => None,
        ClientCert::OtherCa => Some(pki.client_cert(false)),
        ClientCert::Right => Some(pki.client_cert(true)),
    };
    if let Some((cert, key)) = identity {
        settings.client_cert = Some(cert);
        settings.client_key = Some(key);
    }
    settings
}

fn failed_step(report: &CheckReport) -> Option<Step> {
    report.steps.iter().find(|s| s.status == StepStatus::Failed).map(|s| s.step)
}

/// The CLI's arguments for these settings.
fn cli_args(command: &[&str], settings: &ConnectionSettings) -> Vec<String> {
    let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.to_str().expect("utf-8").to_owned());
    let mut args: Vec<String> = command.iter().map(ToString::to_string).collect();
    args.push(settings.display_url());
    if let Verify::CaFile(ca) = &settings.verify {
        args.extend(["--ca-file".to_owned(), ca.to_str().expect("utf-8").to_owned()]);
    }
    if let (Some(cert), Some(key)) = (path(&settings.client_cert), path(&settings.client_key)) {
        args.extend(["--client-cert".to_owned(), cert, "--client-key".to_owned(), key]);
    }
    args.push("--json".to_owned());
    args
}

fn cli_json(args: &[String], code: i32) -> Value {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run_cli(&args, &[]);
    assert_eq!(output.status.code(), Some(code), "{args:?}\nstdout: {}\nstderr: {}", stdout(&output), stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(&output)))
}

/// Runs the three cases against `kind`: no certificate → `tls.client_cert_required`, another CA's → rejected,
/// the right one → passes; each failure the same in `check` (library and CLI), `collections` and the library's
/// browsing diagnosis. `refused_at` is the step that fails for (no certificate, another CA's certificate).
async fn the_three_cases(kind: ProxyKind, refused_at: (Step, Step)) {
    let pki = Pki::new();
    let proxy = RealProxy::start(kind, &pki.leaf(), &pki.client_ca(), chroma_addr());
    let url = proxy.https_url();
    for (cert, code, step) in [
        (ClientCert::None, Code::TlsClientCertRequired, Some(refused_at.0)),
        (ClientCert::OtherCa, Code::TlsClientCertRejected, Some(refused_at.1)),
        (ClientCert::Right, Code::Ok, None),
    ] {
        let name = format!("{kind:?}, {cert:?}");
        let settings = settings(&url, &pki, cert);
        let report = run_check(&settings, None, CancellationToken::new()).await.expect("not cancelled");
        let diagnosis = &report.diagnosis;
        assert_eq!(diagnosis.code, code, "{name}: {}\n{}", report.to_text(), proxy.log());
        assert_eq!(failed_step(&report), step, "{name}: {}", report.to_text());
        if code == Code::Ok {
            let listed = cli_json(&cli_args(&["collections"], &settings), 0);
            assert!(listed.to_string().contains("lab_docs"), "{name}: {listed}");
            continue;
        }
        assert_eq!(diagnosis.setting, Some(Setting::ClientCert), "{name}");
        if step == Some(Step::Http) {
            // Refused at the HTTP layer: the proxy is named.
            let proxy_name = if kind == ProxyKind::HaProxy { "HAProxy" } else { kind.binary() };
            let proxy_name = if kind == ProxyKind::Caddy { "Caddy" } else { proxy_name };
            assert!(diagnosis.summary.starts_with(proxy_name), "{name}: {}", diagnosis.summary);
            assert!(diagnosis.hint.contains(proxy_name), "{name}: {}", diagnosis.hint);
        }

        // The CLI's check says the same, and so does `collections`.
        let check = cli_json(&cli_args(&["check"], &settings), 1);
        assert_eq!(check["diagnosis"]["code"], code.as_str(), "{name}: {check}");
        assert_eq!(check["diagnosis"]["setting"], "client_cert", "{name}: {check}");
        let listed = cli_json(&cli_args(&["collections"], &settings), 1);
        let error = &listed["error"];
        assert_eq!(error["code"], code.as_str(), "{name}: {listed}");
        assert_eq!(error["setting"], "client_cert", "{name}: {listed}");
        assert_eq!(error["message"], check["diagnosis"]["summary"], "{name}: the same summary");

        // The library's browsing diagnosis: with the probe `collections` makes, always the check's; without it
        // (what the desktop app calls), the check's for every refusal at the HTTP layer. A TLS 1.3 alert after
        // the handshake may be lost by the HTTP/2 connection (hyper: "connection closed"): only the probe hears it.
        let err = match ChromaClient::connect(&settings, ClientOptions::default()).await {
            Ok(client) => client.resolve_scope("default_tenant", "default_database").await.expect_err(&name),
            Err(err) => err.into(),
        };
        let probed = diagnose_browse_error_probing(&err, &settings).await;
        assert_eq!((probed.code, probed.setting), (code, diagnosis.setting), "{name}: {}", probed.summary);
        assert_eq!(probed.summary, diagnosis.summary, "{name}");
        if step == Some(Step::Http) {
            let pure = diagnose_browse_error(&err, &settings);
            assert_eq!((&pure.code, &pure.summary), (&code, &diagnosis.summary), "{name}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_ssl_verify_client_on_answers_400() {
    the_three_cases(ProxyKind::Nginx, (Step::Http, Step::Http)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_ssl_verify_client_optional_answers_403() {
    the_three_cases(ProxyKind::NginxOptional403, (Step::Http, Step::Http)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn haproxy_verify_optional_with_deny_answers_403() {
    the_three_cases(ProxyKind::HaProxy, (Step::Http, Step::Http)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caddy_verify_if_given_with_a_matcher_answers_403() {
    // Caddy verifies a certificate that is given in the handshake: another CA's fails there.
    the_three_cases(ProxyKind::Caddy, (Step::Http, Step::Tls)).await;
}

/// Chroma's own refusal keeps its diagnosis behind a proxy that asked for a client certificate: `HAProxy` accepts the
/// right certificate and passes the request on to a server that answers as Chroma's auth does (403, JSON): that is
/// `http.forbidden`, pointing at the credentials, not a certificate problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chroma_s_own_403_behind_the_proxy_stays_http_forbidden() {
    let pki = Pki::new();
    let chroma_auth = Scripted::start(Arc::new(|_: &str| (403, None, FORBIDDEN_BODY.to_owned())));
    let proxy = RealProxy::start(ProxyKind::HaProxy, &pki.leaf(), &pki.client_ca(), chroma_auth.addr);
    let settings = settings(&proxy.https_url(), &pki, ClientCert::Right);
    let report = run_check(&settings, None, CancellationToken::new()).await.expect("not cancelled");
    assert_eq!(report.diagnosis.code, Code::HttpForbidden, "{}\n{}", report.to_text(), proxy.log());
    assert_eq!(report.diagnosis.setting, Some(Setting::Auth));
    let listed = cli_json(&cli_args(&["collections"], &settings), 1);
    assert_eq!(listed["error"]["code"], "http.forbidden", "{listed}");
}
