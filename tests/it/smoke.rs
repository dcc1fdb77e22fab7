//! Tests of the test support itself, against the real (seeded) Chroma server: the proxy, the
//! PKI's failure modes as rustls reports them, and the misbehaving servers. When these fail,
//! other test failures are probably not the library's fault.

use std::io::{Read, Write};
use std::time::Duration;

use crate::support::client::{
    HandshakeError, find_rustls_error, load_certs, plain_client, reqwest_client, reqwest_client_with,
    rustls_client_config, tls_handshake,
};
use crate::support::pki::{AIA_CA_ISSUERS_URL, Leaf, Pki, ROOT_CA_NAME};
use crate::support::proxy::{BAD_GATEWAY_HTML, FORBIDDEN_BODY, ProxyConfig, TlsProxy, UNAUTHORIZED_BODY};
use crate::support::servers::{NOT_FOUND_HTML, NotChromaServer, SilentServer, WELCOME_HTML, closed_addr, closed_port};
use crate::support::{chroma_addr, chroma_url, scratch_tenant, seeded};

const COLLECTIONS_PATH: &str = "/api/v2/tenants/default_tenant/databases/default_database/collections";

async fn proxy_for(leaf: &Leaf) -> TlsProxy {
    TlsProxy::start(ProxyConfig::for_leaf(leaf, chroma_addr())).await
}

fn collection_names(body: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = body
        .as_array()
        .expect("collections array")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn chroma_is_up_and_seeded() {
    let base = chroma_url();
    let client = plain_client();

    let collections: serde_json::Value = client
        .get(base.join(COLLECTIONS_PATH).unwrap())
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(collection_names(&collections), seeded::COLLECTIONS);

    let lab = collections.as_array().unwrap().iter().find(|c| c["name"] == seeded::LAB_DOCS).unwrap();
    assert_eq!(lab["metadata"]["owner"], "chroma-lab");
    assert_eq!(lab["dimension"], seeded::LAB_DOCS_DIMENSION);
    let id = lab["id"].as_str().unwrap();
    let count: usize = client
        .get(base.join(&format!("{COLLECTIONS_PATH}/{id}/count")).unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(count, seeded::LAB_DOCS_COUNT);

    // doc-02 as seed.py describes it.
    let got: serde_json::Value = client
        .post(base.join(&format!("{COLLECTIONS_PATH}/{id}/get")).unwrap())
        .json(&serde_json::json!({"ids": ["doc-02"], "include": ["documents", "metadatas"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (doc_id, document, color, even, score, _) = seeded::lab_doc(2);
    assert_eq!(got["ids"][0], doc_id.as_str());
    assert_eq!(got["documents"][0], document.as_str());
    assert_eq!(got["metadatas"][0]["color"], color);
    assert_eq!(got["metadatas"][0]["even"], even);
    assert_eq!(got["metadatas"][0]["score"], score);
    assert_eq!(got["metadatas"][0]["idx"], 2);

    let db = client
        .get(base.join(&format!("/api/v2/tenants/{}/databases/{}", seeded::TENANT, seeded::DATABASE)).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(db.status(), 200);
}

#[tokio::test]
async fn heartbeat_through_the_proxy_reuses_one_connection() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.leaf()).await;
    let client = reqwest_client(&[&pki.root_pem_path()]);

    for _ in 0..3 {
        let response = client.get(format!("{}/api/v2/heartbeat", proxy.https_url())).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["nanosecond heartbeat"].as_u64().is_some(), "heartbeat body: {body}");
    }
    assert_eq!(proxy.connections(), 1, "keep-alive: one TCP connection");
    assert_eq!(proxy.handshakes(), 1);
    assert_eq!(proxy.requests(), 3);
    let log = proxy.handshake_log();
    assert_eq!(log[0].sni.as_deref(), Some("localhost"));
    assert_eq!(log[0].alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert!(!log[0].client_cert);
}

#[tokio::test]
async fn proxy_forwards_collections_with_a_preconfigured_rustls_client() {
    let pki = Pki::new();
    let proxy = proxy_for(&pki.leaf()).await;
    let client = reqwest_client_with(rustls_client_config(&[&pki.root_pem_path()], None));

    // By IP address: the default leaf has IP SAN 127.0.0.1, and no SNI is sent.
    let response = client.get(format!("{}{COLLECTIONS_PATH}", proxy.https_ip_url())).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json", "upstream headers come back");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(collection_names(&body), seeded::COLLECTIONS);
    assert_eq!(proxy.handshake_log()[0].sni, None);

    // A POST with a JSON body and an error status are forwarded as they are.
    let response = client
        .post(format!("{}{COLLECTIONS_PATH}/00000000-0000-4000-8000-000000000000/get", proxy.https_ip_url()))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "NotFoundError");
    let recorded = proxy.request_log();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[1].method, "POST");
    assert!(recorded[1].path_and_query.ends_with("/get"));
}

#[tokio::test]
async fn auth_rule_gives_401_then_403_then_passes() {
    let pki = Pki::new();
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).auth("s3cret")).await;
    let client = reqwest_client(&[&pki.root_pem_path()]);
    let url = format!("{}/api/v2/heartbeat", proxy.https_url());

    let none = client.get(&url).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["content-type"], "application/json");
    assert_eq!(none.text().await.unwrap(), UNAUTHORIZED_BODY);

    let wrong = client.get(&url).bearer_auth("nope").send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    assert_eq!(wrong.text().await.unwrap(), FORBIDDEN_BODY);

    let wrong_header = client.get(&url).header("X-Chroma-Token", "nope").send().await.unwrap();
    assert_eq!(wrong_header.status(), 403);

    let basic = client.get(&url).basic_auth("admin", Some("s3cret")).send().await.unwrap();
    assert_eq!(basic.status(), 403, "only Bearer and X-Chroma-Token count");

    let bearer = client.get(&url).bearer_auth("s3cret").send().await.unwrap();
    assert_eq!(bearer.status(), 200);
    let token = client.get(&url).header("X-Chroma-Token", "s3cret").send().await.unwrap();
    assert_eq!(token.status(), 200);
    assert!(token.text().await.unwrap().contains("nanosecond heartbeat"));
}

#[tokio::test]
async fn bad_gateway_when_the_upstream_is_down() {
    let pki = Pki::new();
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), closed_addr())).await;
    let client = reqwest_client(&[&pki.root_pem_path()]);
    let response = client.get(format!("{}/api/v2/heartbeat", proxy.https_url())).send().await.unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(response.headers()["content-type"], "text/html");
    assert_eq!(response.headers()["server"], "nginx");
    let body = response.text().await.unwrap();
    assert_eq!(body, BAD_GATEWAY_HTML);
    assert!(body.starts_with("<html>\r\n<head><title>502 Bad Gateway</title></head>"));
}

#[tokio::test]
async fn gateway_timeout_when_the_upstream_never_answers() {
    let pki = Pki::new();
    let silent = SilentServer::start().await;
    let proxy =
        TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), silent.addr()).upstream_timeout(Duration::from_millis(300)))
            .await;
    let client = reqwest_client(&[&pki.root_pem_path()]);
    let response = client.get(proxy.https_url()).send().await.unwrap();
    assert_eq!(response.status(), 504);
}

#[tokio::test]
async fn client_certificate_is_required_when_configured() {
    let pki = Pki::new();
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).client_ca(pki.client_ca())).await;
    let root = pki.root_pem_path();

    // No certificate: the handshake fails (TLS 1.3: the server's alert comes after the client's
    // Finished, so it shows up as the handshake result or on first read).
    let err = tls_handshake(proxy.addr(), "localhost", rustls_client_config(&[&root], None))
        .await
        .expect_err("handshake without a client certificate");
    assert!(
        matches!(err.tls(), Some(rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired))),
        "{err:?}"
    );
    // The same through reqwest: an error, not an HTTP status.
    let no_cert = reqwest_client(&[&root]).get(format!("{}/api/v2/heartbeat", proxy.https_url())).send().await;
    let no_cert = no_cert.expect_err("no client certificate");
    // Worth knowing: with TLS 1.3 this is NOT a connect error. reqwest reports it when sending the
    // request: Request -> hyper_util SendRequest -> hyper Io -> io::Error(InvalidData) -> rustls.
    assert!(!no_cert.is_connect(), "{no_cert:?}");
    assert!(
        matches!(
            find_rustls_error(&no_cert),
            Some(rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired))
        ),
        "{no_cert:?}"
    );

    // A certificate from another CA.
    let (cert, key) = pki.client_cert(false);
    let err = tls_handshake(proxy.addr(), "localhost", rustls_client_config(&[&root], Some((&cert, &key))))
        .await
        .expect_err("handshake with a client certificate from another CA");
    assert!(matches!(err.tls(), Some(rustls::Error::AlertReceived(rustls::AlertDescription::UnknownCA))), "{err:?}");

    // A good certificate.
    let (cert, key) = pki.client_cert(true);
    let client = reqwest_client_with(rustls_client_config(&[&root], Some((&cert, &key))));
    let response = client.get(format!("{}/api/v2/heartbeat", proxy.https_url())).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(proxy.handshake_log().iter().any(|h| h.client_cert));

    // reqwest's own Identity (cert + key in one PEM) works too.
    let identity = reqwest::Identity::from_pem(&std::fs::read(pki.client_identity_pem_path(true)).unwrap()).unwrap();
    let with_identity = reqwest::Client::builder()
        .tls_certs_only(reqwest::Certificate::from_pem(pki.root_pem().as_bytes()))
        .identity(identity)
        .no_proxy()
        .build()
        .unwrap();
    let response = with_identity.get(format!("{}/api/v2/heartbeat", proxy.https_url())).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

fn short(err: &HandshakeError) -> String {
    match err {
        HandshakeError::Tls(e) => format!("{e:?}"),
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn pki_leaves_fail_the_way_the_notes_say() {
    let pki = Pki::new();
    let root = pki.root_pem_path();
    let cases: Vec<(&str, Leaf, Option<&str>)> = vec![
        ("good", pki.leaf(), None),
        ("leaf_for", pki.leaf_for(&["chroma.test.local", "127.0.0.1"]), None),
        ("expired", pki.expired_leaf(), Some("Expired")),
        ("not yet valid", pki.not_yet_valid_leaf(), Some("NotValidYet")),
        ("wrong name", pki.wrong_name_leaf(), Some("NotValidForName")),
        ("self-signed", pki.self_signed_leaf(), Some("UnknownIssuer")),
        ("ca as leaf", pki.ca_as_leaf(), Some("CaUsedAsEndEntity")),
        ("intermediate missing", pki.leaf_via_intermediate(false), Some("UnknownIssuer")),
        ("intermediate sent", pki.leaf_via_intermediate(true), None),
        ("other root", pki.leaf_from_other_root(), Some("UnknownIssuer")),
    ];
    for (what, leaf, expected) in cases {
        let proxy = proxy_for(&leaf).await;
        let name = if what == "leaf_for" { "chroma.test.local" } else { "localhost" };
        let result = tls_handshake(proxy.addr(), name, rustls_client_config(&[&root], None)).await;
        match (expected, result) {
            (None, Ok(ok)) => assert_eq!(ok.peer_chain, leaf.chain_der, "{what}"),
            (Some(want), Err(err)) => {
                let got = short(&err);
                assert!(got.contains(want), "{what}: expected {want}, got {got}");
            }
            (expected, result) => panic!("{what}: expected {expected:?}, got {result:?}"),
        }
    }

    // Trusting the certificate itself: fine for the self-signed leaf, still refused for the CA.
    let self_signed = pki.self_signed_leaf();
    let proxy = proxy_for(&self_signed).await;
    tls_handshake(proxy.addr(), "localhost", rustls_client_config(&[&self_signed.cert_pem_path], None))
        .await
        .expect("a self-signed leaf is accepted when it is the trusted root");

    let ca_leaf = pki.ca_as_leaf();
    let proxy = proxy_for(&ca_leaf).await;
    let err = tls_handshake(proxy.addr(), "localhost", rustls_client_config(&[&ca_leaf.cert_pem_path], None))
        .await
        .expect_err("rustls refuses a CA certificate as end entity");
    assert!(short(&err).contains("CaUsedAsEndEntity"), "{err:?}");

    // The bundle holds the unrelated CA and the root, and trusting it works.
    let proxy = proxy_for(&pki.leaf()).await;
    let bundle = pki.root_bundle_path();
    assert_eq!(load_certs(&bundle).len(), 2);
    tls_handshake(proxy.addr(), "localhost", rustls_client_config(&[&bundle], None)).await.expect("bundle trusted");
    let err = tls_handshake(proxy.addr(), "localhost", rustls_client_config(&[&pki.other_root_pem_path()], None))
        .await
        .expect_err("other root only");
    assert!(short(&err).contains("UnknownIssuer"), "{err:?}");
}

#[tokio::test]
async fn tls12_only_proxy_negotiates_tls12() {
    let pki = Pki::new();
    let proxy =
        TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()).tls_versions(&[&rustls::version::TLS12]))
            .await;
    let ok =
        tls_handshake(proxy.addr(), "localhost", rustls_client_config(&[&pki.root_pem_path()], None)).await.unwrap();
    assert_eq!(ok.protocol_version, Some(rustls::ProtocolVersion::TLSv1_2));
}

#[test]
fn pki_files_are_what_they_say() {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    use x509_parser::extensions::{GeneralName, ParsedExtension};

    let pki = Pki::new();

    // Root: PEM and DER hold the same certificate, with the expected name.
    let der = std::fs::read(pki.root_der_path()).unwrap();
    assert_eq!(der, pki.root_der());
    assert_eq!(load_certs(&pki.root_pem_path())[0].as_ref(), der.as_slice());
    let (_, root) = x509_parser::parse_x509_certificate(&der).unwrap();
    assert!(root.subject().to_string().contains(ROOT_CA_NAME));
    assert!(root.is_ca());

    // The AIA extension of the intermediate-signed leaf.
    for send in [false, true] {
        let leaf = pki.leaf_via_intermediate(send);
        assert_eq!(load_certs(&leaf.chain_pem_path).len(), if send { 2 } else { 1 });
        let (_, cert) = x509_parser::parse_x509_certificate(&leaf.der).unwrap();
        let uris: Vec<String> = cert
            .extensions()
            .iter()
            .filter_map(|ext| match ext.parsed_extension() {
                ParsedExtension::AuthorityInfoAccess(aia) => Some(aia),
                _ => None,
            })
            .flat_map(|aia| aia.accessdescs.iter())
            .filter(|desc| desc.access_method.to_id_string() == "1.3.6.1.5.5.7.48.2")
            .filter_map(|desc| match desc.access_location {
                GeneralName::URI(uri) => Some(uri.to_owned()),
                _ => None,
            })
            .collect();
        assert_eq!(uris, [AIA_CA_ISSUERS_URL]);
    }

    // CA:TRUE on ca_as_leaf, explicit CA:FALSE on self_signed_leaf.
    let ca_leaf = pki.ca_as_leaf();
    let (_, cert) = x509_parser::parse_x509_certificate(&ca_leaf.der).unwrap();
    assert!(cert.is_ca());
    assert_eq!(cert.subject(), cert.issuer());
    let self_signed = pki.self_signed_leaf();
    let (_, cert) = x509_parser::parse_x509_certificate(&self_signed.der).unwrap();
    let bc = cert.basic_constraints().unwrap().expect("basicConstraints present");
    assert!(!bc.value.ca);
    assert_eq!(cert.subject(), cert.issuer());

    // Invalid CA files hold no certificate, without an error (see TLS-NOTES.md).
    for path in [pki.empty_file(), pki.garbage_file(), pki.key_only_file()] {
        let certs: Vec<_> = CertificateDer::pem_file_iter(&path).unwrap().collect::<Result<_, _>>().unwrap();
        assert!(certs.is_empty(), "{}", path.display());
    }
    assert!(std::fs::read(pki.empty_file()).unwrap().is_empty());
    assert!(std::fs::read_to_string(pki.key_only_file()).unwrap().contains("PRIVATE KEY"));

    let (cert, key) = pki.client_cert(true);
    assert!(cert.exists() && key.exists());
}

#[tokio::test]
async fn not_chroma_silent_and_closed_servers() {
    let client = plain_client();

    let not_found = NotChromaServer::start().await;
    let response = client.get(format!("{}/api/v2/heartbeat", not_found.http_url())).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["server"], "nginx");
    assert_eq!(response.headers()["content-type"], "text/html");
    assert_eq!(response.text().await.unwrap(), NOT_FOUND_HTML);
    assert_eq!(not_found.requests(), 1);

    let welcome = NotChromaServer::start_welcome().await;
    let response = client.get(welcome.http_url()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), WELCOME_HTML);

    let silent = SilentServer::start().await;
    let err = client
        .get(format!("{}/api/v2/heartbeat", silent.http_url()))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .expect_err("silent server never answers");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(silent.accepted(), 1);

    let err = client
        .get(format!("http://127.0.0.1:{}/api/v2/heartbeat", closed_port()))
        .send()
        .await
        .expect_err("nothing listens");
    assert!(err.is_connect(), "{err:?}");
}

#[test]
fn servers_on_their_own_thread_serve_blocking_clients() {
    let server = NotChromaServer::start_on_thread(200, "text/plain", "hello");
    let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("hello"), "{answer}");
    let addr = server.addr();
    drop(server);
    assert!(std::net::TcpStream::connect(addr).is_err(), "the listener is closed once drop returns");

    let pki = Pki::new();
    let proxy = TlsProxy::start_on_thread(&ProxyConfig::for_leaf(&pki.leaf(), chroma_addr()));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let status = runtime.block_on(async {
        reqwest_client(&[&pki.root_pem_path()])
            .get(format!("{}/api/v2/heartbeat", proxy.https_url()))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
}

#[tokio::test]
async fn scratch_tenants_are_new_and_empty() {
    let (tenant, database) = scratch_tenant().await;
    let (other, _) = scratch_tenant().await;
    assert_ne!(tenant, other);
    let collections: serde_json::Value = plain_client()
        .get(chroma_url().join(&format!("/api/v2/tenants/{tenant}/databases/{database}/collections")).unwrap())
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(collections, serde_json::json!([]));
}
