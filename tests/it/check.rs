//! The connection check against the real Chroma server, behind a TLS proxy for every certificate scenario.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chroma_connect::diagnose::{CheckEvent, CheckReport, Code, Step, StepStatus, run_check};
use chroma_connect::profile::{Auth, ConnectionSettings, Secret, Setting, TokenHeader, Verify};
use chroma_connect::tls::CaMode;
use tokio_util::sync::CancellationToken;

use crate::support::pki::{Leaf, Pki};
use crate::support::proxy::{ProxyConfig, TlsProxy};
use crate::support::servers::{NotChromaServer, SilentServer, closed_port};
use crate::support::{chroma_addr, chroma_url, seeded};

fn settings(url: &str) -> ConnectionSettings {
    ConnectionSettings::from_url(url).expect("url")
}

fn trusting(url: &str, ca: PathBuf) -> ConnectionSettings {
    let mut s = settings(url);
    s.verify = Verify::CaFile(ca);
    s
}

async fn check(settings: &ConnectionSettings) -> CheckReport {
    run_check(settings, None, CancellationToken::new()).await.expect("not cancelled")
}

async fn proxy_for(leaf: &Leaf) -> TlsProxy {
    TlsProxy::start(ProxyConfig::for_leaf(leaf, chroma_addr())).await
}

/// Asserts the code, and that the summary and hint are filled in; returns the report for more assertions.
#[track_caller]
fn assert_code(report: &CheckReport, code: Code) {
    assert_eq!(report.diagnosis.code, code, "{}", report.to_text());
    assert_eq!(report.ok, code == Code::Ok, "{}", report.to_text());
    assert!(!report.diagnosis.summary.is_empty());
    if code != Code::Ok {
        assert!(!report.diagnosis.hint.is_empty(), "no hint for {code}");
        let failed: Vec<_> = report.steps.iter().filter(|s| s.status == StepStatus::Failed).collect();
        assert!(failed.len() <= 1, "{failed:?}");
    }
    let names: Vec<_> = report.steps.iter().map(|s| s.step).collect();
    assert_eq!(names, Step::ALL.to_vec(), "every step is listed, in order");
}

fn failed_step(report: &CheckReport) -> Option<Step> {
    report.steps.iter().find(|s| s.status == StepStatus::Failed).map(|s| s.step)
}

#[tokio::test]
async fn trusted_through_a_ca_file_everything_passes() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.leaf()).await;
    let report = check(&trusting(&proxy.https_url(), pki.root_pem_path())).await;
    assert_code(&report, Code::Ok);
    assert!(report.steps.iter().all(|s| s.status == StepStatus::Ok), "{}", report.to_text());
    let server = report.server.as_ref().expect("server");
    assert_eq!((server.api.as_str(), server.version.as_str()), ("v2", "1.0.0"));
    assert_eq!(report.collections_count, Some(seeded::COLLECTIONS.len() as u64));
    let leaf = report.certificates.first().expect("chain");
    assert!(leaf.sans.contains(&"localhost".to_owned()), "{leaf:?}");
    assert!(!leaf.is_ca);
    assert_eq!(leaf.sha256.len(), 95, "colon-separated SHA-256: {}", leaf.sha256);
    let tls = report.tls.as_ref().expect("tls session");
    assert_eq!(tls.protocol, "TLSv1.3");
    // One probe handshake for the `tls` step, one connection for every HTTP request after it.
    assert_eq!(proxy.handshakes(), 2, "requests share one keep-alive connection");
    assert!(proxy.requests() >= 6, "heartbeat, version, identity, tenant, database, count");
}

#[tokio::test]
async fn ca_file_as_der_as_bundle_and_merged_with_the_system_store() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.leaf()).await;
    for ca in [pki.root_der_path(), pki.root_bundle_path()] {
        assert_code(&check(&trusting(&proxy.https_url(), ca)).await, Code::Ok);
    }
    let mut merged = trusting(&proxy.https_url(), pki.root_pem_path());
    merged.ca_mode = CaMode::Merge;
    assert_code(&check(&merged).await, Code::Ok);
}

#[tokio::test]
async fn an_ip_address_url_is_verified_against_ip_names() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.leaf()).await;
    let report = check(&trusting(&proxy.https_ip_url(), pki.root_pem_path())).await;
    assert_code(&report, Code::Ok);
    assert!(report.steps[0].detail.contains("is an address"));
}

/// The seed's own scenario: a self-signed server certificate trusted through a CA file path.
#[tokio::test]
async fn seed_scenario_self_signed_server_trusted_by_its_own_file() {
    let pki = Pki::new();
    let leaf = pki.self_signed_leaf();
    let proxy = proxy_for(&leaf).await;
    let report = check(&trusting(&proxy.https_url(), leaf.cert_pem_path.clone())).await;
    assert_code(&report, Code::Ok);
    assert!(report.certificates[0].self_signed);
}

/// The seed's `verify = false`: works against an untrusted certificate, and says so loudly.
#[tokio::test]
async fn seed_scenario_verify_false_connects_with_a_loud_warning() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.wrong_name_leaf()).await;
    let mut s = settings(&proxy.https_url());
    s.verify = Verify::Off;
    let report = check(&s).await;
    assert_code(&report, Code::Ok);
    let tls = report.steps.iter().find(|s| s.step == Step::Tls).expect("tls step");
    assert_eq!(tls.status, StepStatus::Warning);
    assert!(tls.detail.contains("NOT verified"), "{}", tls.detail);
    assert!(report.warnings.iter().any(|w| w.contains("verification is OFF")), "{:?}", report.warnings);
    assert!(report.diagnosis.hint.contains("OFF"));
    assert_eq!(report.diagnosis.setting, Some(Setting::CaFile));
}

#[tokio::test]
async fn self_signed_and_not_trusted() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.self_signed_leaf()).await;
    let report = check(&trusting(&proxy.https_url(), pki.root_pem_path())).await;
    assert_code(&report, Code::TlsSelfSigned);
    assert_eq!(failed_step(&report), Some(Step::Tls));
    assert_eq!(report.certificates.len(), 1, "the chain is shown even though verification failed");
    assert!(report.diagnosis.hint.contains("set it as the CA file"), "{}", report.diagnosis.hint);
    assert_eq!(report.diagnosis.setting, Some(Setting::CaFile));
}

#[tokio::test]
async fn self_signed_against_the_system_store() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.self_signed_leaf()).await;
    assert_code(&check(&settings(&proxy.https_url())).await, Code::TlsSelfSigned);
}

#[tokio::test]
async fn issued_by_an_untrusted_ca() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.leaf_from_other_root()).await;
    let report = check(&trusting(&proxy.https_url(), pki.root_pem_path())).await;
    assert_code(&report, Code::TlsUnknownIssuer);
    assert!(report.diagnosis.summary.contains(&report.certificates[0].issuer), "{}", report.diagnosis.summary);
}

#[tokio::test]
async fn a_ca_certificate_used_as_the_server_certificate() {
    let pki = Pki::new();
    let leaf = pki.ca_as_leaf();
    let proxy = proxy_for(&leaf).await;
    // Even when that very certificate is the trusted one, rustls refuses it.
    let report = check(&trusting(&proxy.https_url(), leaf.cert_pem_path.clone())).await;
    assert_code(&report, Code::TlsCaUsedAsEndEntity);
    assert!(report.diagnosis.hint.contains("CA:FALSE"), "{}", report.diagnosis.hint);
    assert!(report.certificates[0].is_ca);
}

#[tokio::test]
async fn expired_and_not_yet_valid() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.expired_leaf()).await;
    let report = check(&trusting(&proxy.https_url(), pki.root_pem_path())).await;
    assert_code(&report, Code::TlsExpired);
    assert!(report.diagnosis.summary.contains(&report.certificates[0].not_after), "{}", report.diagnosis.summary);

    let proxy = proxy_for(&pki.not_yet_valid_leaf()).await;
    let report = check(&trusting(&proxy.https_url(), pki.root_pem_path())).await;
    assert_code(&report, Code::TlsNotYetValid);
}

#[tokio::test]
async fn name_mismatch_names_the_certificate_names_and_the_override_fixes_it() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.wrong_name_leaf()).await;
    let report = check(&trusting(&proxy.https_url(), pki.root_pem_path())).await;
    assert_code(&report, Code::TlsNameMismatch);
    assert!(report.diagnosis.summary.contains("chroma.other.test"), "{}", report.diagnosis.summary);
    assert!(report.diagnosis.hint.contains("set Server name to chroma.other.test"), "{}", report.diagnosis.hint);
    assert_eq!(report.diagnosis.setting, Some(Setting::ServerName));
    assert!(report.diagnosis.hint.contains("subjectAltName=DNS:localhost"), "{}", report.diagnosis.hint);

    // Connect to localhost's address, verify (and send SNI) as the certificate's name.
    let mut fixed = trusting(&proxy.https_url(), pki.root_pem_path());
    fixed.server_name = Some("chroma.other.test".to_owned());
    let report = check(&fixed).await;
    assert_code(&report, Code::Ok);
    let snis: Vec<_> = proxy.handshake_log().into_iter().filter_map(|h| h.sni).collect();
    assert!(snis.iter().any(|s| s == "chroma.other.test"), "{snis:?}");
}

#[tokio::test]
async fn incomplete_chain_is_told_apart_from_an_unknown_issuer() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.leaf_via_intermediate(false)).await;
    let report = check(&trusting(&proxy.https_url(), pki.root_pem_path())).await;
    assert_code(&report, Code::TlsIncompleteChain);
    assert!(report.diagnosis.hint.contains("fullchain"), "{}", report.diagnosis.hint);

    let proxy = proxy_for(&pki.leaf_via_intermediate(true)).await;
    let report = check(&trusting(&proxy.https_url(), pki.root_pem_path())).await;
    assert_code(&report, Code::Ok);
    assert_eq!(report.certificates.len(), 2, "leaf and intermediate");
}

#[tokio::test]
async fn https_to_a_plain_http_port() {
    let url = chroma_url();
    let report = check(&settings(&format!("https://localhost:{}", url.port().expect("port")))).await;
    assert_code(&report, Code::TlsNotTls);
    assert_eq!(failed_step(&report), Some(Step::Tls));
}

#[tokio::test]
async fn http_to_a_tls_port() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.leaf()).await;
    let report = check(&settings(&proxy.http_url())).await;
    assert_code(&report, Code::HttpPlainToTlsPort);
    assert!(report.diagnosis.hint.contains("https://"), "{}", report.diagnosis.hint);
}

#[tokio::test]
async fn client_certificate_required_sent_and_rejected() {
    let pki = Pki::new();
    let config = ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).client_ca(pki.client_ca());
    let proxy = TlsProxy::start(config).await;

    let report = check(&trusting(&proxy.https_url(), pki.root_pem_path())).await;
    assert_code(&report, Code::TlsClientCertRequired);
    assert_eq!(failed_step(&report), Some(Step::Tls));

    let (cert, key) = pki.client_cert(true);
    let mut with_cert = trusting(&proxy.https_url(), pki.root_pem_path());
    with_cert.client_cert = Some(cert);
    with_cert.client_key = Some(key);
    assert_code(&check(&with_cert).await, Code::Ok);

    let (cert, key) = pki.client_cert(false);
    with_cert.client_cert = Some(cert);
    with_cert.client_key = Some(key);
    assert_code(&check(&with_cert).await, Code::TlsClientCertRejected);
}

#[tokio::test]
async fn unauthorized_forbidden_and_both_token_headers() {
    let pki = Pki::new();
    let config = ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth("s3cret-token");
    let proxy = TlsProxy::start(config).await;
    let base = trusting(&proxy.https_url(), pki.root_pem_path());

    let report = check(&base).await;
    assert_code(&report, Code::HttpUnauthorized);
    assert!(report.diagnosis.hint.contains("Set Authentication to a token"), "{}", report.diagnosis.hint);
    assert_eq!(report.diagnosis.setting, Some(Setting::Auth));

    let mut wrong = base.clone();
    wrong.auth = Auth::Token { token: Secret::new("wrong-token"), header: TokenHeader::Bearer };
    let report = check(&wrong).await;
    assert_code(&report, Code::HttpForbidden);
    assert!(!report.to_json().contains("wrong-token"), "the token never appears in the report");

    for header in [TokenHeader::Bearer, TokenHeader::XChromaToken] {
        let mut right = base.clone();
        right.auth = Auth::Token { token: Secret::new("s3cret-token"), header };
        let report = check(&right).await;
        assert_code(&report, Code::Ok);
        assert!(!report.to_json().contains("s3cret-token"));
        assert!(!report.to_text().contains("s3cret-token"));
    }
}

#[tokio::test]
async fn something_that_is_not_chroma() {
    let server = NotChromaServer::start().await;
    let report = check(&settings(&server.http_url())).await;
    assert_code(&report, Code::HttpNotChroma);
    assert!(report.diagnosis.summary.contains("404"), "{}", report.diagnosis.summary);

    let server = NotChromaServer::start_welcome().await;
    let report = check(&settings(&server.http_url())).await;
    assert_code(&report, Code::HttpNotChroma);
}

#[tokio::test]
async fn a_proxy_whose_upstream_is_down() {
    let pki = Pki::new();
    let upstream = std::net::SocketAddr::from(([127, 0, 0, 1], closed_port()));
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), upstream)).await;
    let report = check(&trusting(&proxy.https_url(), pki.root_pem_path())).await;
    assert_code(&report, Code::HttpProxyError);
    assert!(report.diagnosis.summary.contains("502"), "{}", report.diagnosis.summary);
}

#[tokio::test]
async fn refused_and_unresolvable() {
    let report = check(&settings(&format!("http://127.0.0.1:{}", closed_port()))).await;
    assert_code(&report, Code::NetRefused);
    assert_eq!(failed_step(&report), Some(Step::Tcp));

    let report = check(&settings("https://no-such-host.invalid:8443")).await;
    assert_code(&report, Code::DnsNotFound);
    assert_eq!(failed_step(&report), Some(Step::Dns));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_instead_of_hanging() {
    let server = SilentServer::start().await;
    for url in [server.https_url(), server.http_url()] {
        let mut s = settings(&url);
        s.connect_timeout = Duration::from_millis(500);
        s.request_timeout = Duration::from_millis(500);
        let started = Instant::now();
        let report = check(&s).await;
        assert_code(&report, Code::NetTimeout);
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }
}

#[tokio::test]
async fn missing_tenant_and_database() {
    let mut s = settings(chroma_url().as_str());
    s.tenant = "no_such_tenant".to_owned();
    let report = check(&s).await;
    assert_code(&report, Code::ChromaTenantNotFound);
    assert_eq!(failed_step(&report), Some(Step::Tenant));

    let mut s = settings(chroma_url().as_str());
    s.database = "no_such_db".to_owned();
    assert_code(&check(&s).await, Code::ChromaDatabaseNotFound);

    let mut s = settings(chroma_url().as_str());
    s.tenant = seeded::TENANT.to_owned();
    s.database = seeded::DATABASE.to_owned();
    let report = check(&s).await;
    assert_code(&report, Code::Ok);
    assert_eq!(report.collections_count, Some(0));
}

#[tokio::test]
async fn bad_ca_and_client_certificate_files() {
    let pki = Pki::new();
    let url = "https://localhost:1";
    let missing = pki.dir().join("does-not-exist.pem");
    let report = check(&trusting(url, missing)).await;
    assert_code(&report, Code::ConfigCaFileMissing);
    assert!(report.diagnosis.summary.contains("does-not-exist.pem"), "{}", report.diagnosis.summary);
    assert!(report.steps.iter().all(|s| s.status == StepStatus::Skipped), "nothing ran");

    for (file, words) in [
        (pki.empty_file(), "empty"),
        (pki.garbage_file(), "no PEM or DER certificate"),
        (pki.key_only_file(), "private key"),
    ] {
        let report = check(&trusting(url, file.clone())).await;
        assert_code(&report, Code::ConfigCaFileInvalid);
        let summary = &report.diagnosis.summary;
        assert!(summary.contains(words), "{file:?}: {summary}");
        assert!(summary.contains(&file.display().to_string()), "{summary}");
    }

    let mut s = trusting(url, pki.root_pem_path());
    s.client_cert = Some(pki.garbage_file());
    s.client_key = Some(pki.key_only_file());
    assert_code(&check(&s).await, Code::ConfigClientCertInvalid);
}

#[tokio::test]
async fn steps_are_reported_live_and_a_check_can_be_cancelled() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.leaf()).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let report = run_check(&trusting(&proxy.https_url(), pki.root_pem_path()), Some(tx), CancellationToken::new())
        .await
        .expect("not cancelled");
    let mut finished = Vec::new();
    while let Ok(event) = rx.try_recv() {
        if let CheckEvent::Finished(step) = event {
            finished.push(step);
        }
    }
    assert_eq!(finished, report.steps, "every step was sent as it finished, in order");

    let server = SilentServer::start().await;
    let cancel = CancellationToken::new();
    let s = settings(&server.https_url());
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        canceller.cancel();
    });
    let started = Instant::now();
    assert!(run_check(&s, None, cancel).await.is_err(), "cancelled");
    assert!(started.elapsed() < Duration::from_secs(3), "cancel is prompt: {:?}", started.elapsed());
}

/// Trust on first use: the pin is enforced by the verifier on every connection, not only in the check's probe, so
/// with verification off a different certificate can never slip in on a later connection.
#[tokio::test]
async fn a_pinned_certificate_is_enforced_on_every_connection() {
    let pki = Pki::new();
    let leaf = pki.self_signed_leaf();
    let proxy = proxy_for(&leaf).await;
    let mut pinned = settings(&proxy.https_url());
    pinned.verify = Verify::Off;
    pinned.pinned_sha256 = Some(chroma_connect::tls::sha256_fingerprint(&leaf.der));
    let report = check(&pinned).await;
    assert_code(&report, Code::Ok);
    assert!(report.steps[2].detail.contains("pinned"), "{}", report.steps[2].detail);

    let other = pki.leaf();
    let wrong = chroma_connect::tls::sha256_fingerprint(&other.der);
    pinned.pinned_sha256 = Some(wrong.clone());
    let requests_before = proxy.requests();
    let report = check(&pinned).await;
    assert_code(&report, Code::TlsPinMismatch);
    assert!(report.diagnosis.summary.contains(&wrong), "{}", report.diagnosis.summary);
    assert!(report.diagnosis.summary.contains(&report.certificates[0].sha256), "{}", report.diagnosis.summary);

    // The client the browsing commands use refuses the connection itself.
    let client = chroma_connect::chroma::ChromaClient::new(&pinned, chroma_connect::chroma::ClientOptions::default())
        .expect("client");
    let err = client.heartbeat(chroma_connect::chroma::ApiVersion::V2).await.expect_err("pin refused");
    assert!(matches!(err, chroma_connect::chroma::ChromaError::Transport { .. }), "{err:?}");
    assert_eq!(proxy.requests(), requests_before, "no request reached the server");
}

/// A plain-HTTP server that hangs up on a `ClientHello` (instead of answering it with an HTTP error) is still
/// recognised as "not TLS": the check asks it in HTTP.
#[tokio::test]
async fn https_to_a_plain_port_that_hangs_up_on_tls() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let mut first = [0u8; 4];
                if stream.read_exact(&mut first).await.is_ok() && first.iter().all(u8::is_ascii_uppercase) {
                    let _ = stream.write_all(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n").await;
                }
                // Anything else (a TLS ClientHello starts with 0x16): hang up without a word.
            });
        }
    });
    let report = check(&settings(&format!("https://localhost:{port}"))).await;
    server.abort();
    assert_code(&report, Code::TlsNotTls);
}
