//! Real in-process handshakes against tokio-rustls servers on 127.0.0.1.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, DnType, IsCa, Issuer, KeyPair};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use super::*;
use crate::tls::classify::find_io_error;
use crate::tls::{BuildOptions, CaMode, ClientIdentity, TlsConfigError, TlsSettings, Trust, build_client_config};

const TIMEOUT: Duration = Duration::from_secs(20);

type Ca = CertifiedIssuer<'static, KeyPair>;

fn ca(name: &str) -> Ca {
    ca_signed_by(name, None)
}

fn ca_signed_by(name: &str, parent: Option<&Ca>) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::generate().unwrap();
    match parent {
        None => CertifiedIssuer::self_signed(params, key).unwrap(),
        Some(parent) => CertifiedIssuer::signed_by(params, key, parent).unwrap(),
    }
}

struct Leaf {
    der: CertificateDer<'static>,
    key: KeyPair,
}

fn leaf(names: &[&str], issuer: &Issuer<'_, KeyPair>, edit: impl FnOnce(&mut CertificateParams)) -> Leaf {
    let mut params = leaf_params(names);
    edit(&mut params);
    let key = KeyPair::generate().unwrap();
    let der = params.signed_by(&key, issuer).unwrap().der().clone();
    Leaf { der, key }
}

fn leaf_params(names: &[&str]) -> CertificateParams {
    let mut params = CertificateParams::new(names.iter().map(|name| (*name).to_owned()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, names.first().copied().unwrap_or("leaf"));
    params
}

fn self_signed_leaf(names: &[&str], edit: impl FnOnce(&mut CertificateParams)) -> Leaf {
    let mut params = leaf_params(names);
    edit(&mut params);
    let key = KeyPair::generate().unwrap();
    let der = params.self_signed(&key).unwrap().der().clone();
    Leaf { der, key }
}

fn private_key(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(key.serialize_der().into())
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file.flush().unwrap();
    file
}

fn pem_file(certs: &[&CertificateDer<'_>]) -> tempfile::NamedTempFile {
    let text: String = certs.iter().map(|der| pem_of(der)).collect();
    temp_file(text.as_bytes())
}

/// PEM text of a DER certificate.
fn pem_of(der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = Vec::new();
    for chunk in der.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(ALPHABET[usize::try_from((n >> (18 - 6 * i)) & 63).unwrap()]);
            } else {
                encoded.push(b'=');
            }
        }
    }
    let mut text = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in encoded.chunks(64) {
        text.push_str(std::str::from_utf8(line).unwrap());
        text.push('\n');
    }
    text.push_str("-----END CERTIFICATE-----\n");
    // Check the encoding against an independent decoder.
    let (_, pem) = x509_parser::pem::parse_x509_pem(text.as_bytes()).unwrap();
    assert_eq!(pem.contents, der);
    text
}

fn ca_file_client(certs: &[&CertificateDer<'_>], mode: CaMode) -> TlsClient {
    let file = pem_file(certs);
    client_with(Trust::CaFile { path: file.path().to_owned(), mode })
}

fn client_with(trust: Trust) -> TlsClient {
    build_client_config(
        &TlsSettings { trust, ..TlsSettings::default() },
        &BuildOptions { alpn_http1_only: false, resumption: false },
    )
    .unwrap()
}

/// How the test server treats client certificates.
enum ClientAuth {
    None,
    Required(CertificateDer<'static>),
}

/// Starts a TLS server for one connection that answers `ping` with `pong`.
async fn tls_server(
    chain: Vec<CertificateDer<'static>>,
    key: &KeyPair,
    client_auth: ClientAuth,
) -> (SocketAddr, JoinHandle<Result<(), io::Error>>) {
    let builder = ServerConfig::builder_with_provider(provider()).with_safe_default_protocol_versions().unwrap();
    let builder = match client_auth {
        ClientAuth::None => builder.with_no_client_auth(),
        ClientAuth::Required(root) => {
            let mut roots = RootCertStore::empty();
            roots.add(root).unwrap();
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider()).build().unwrap();
            builder.with_client_cert_verifier(verifier)
        }
    };
    let config = builder.with_single_cert(chain, private_key(key)).unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        match acceptor.accept(tcp).into_fallible().await {
            Ok(mut stream) => {
                let mut buf = [0_u8; 4];
                stream.read_exact(&mut buf).await?;
                if &buf == b"ping" {
                    stream.write_all(b"pong").await?;
                }
                stream.shutdown().await?;
                Ok(())
            }
            Err((err, mut tcp)) => {
                // Drain until the client closes, so it reads our alert rather than a reset.
                let mut sink = Vec::new();
                let _ = tokio::time::timeout(TIMEOUT, tcp.read_to_end(&mut sink)).await;
                Err(err)
            }
        }
    });
    (addr, task)
}

/// Starts a plain-TCP server that answers anything like a plain HTTP server would.
async fn plain_http_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await?;
        let mut buf = [0_u8; 512];
        let _ = tcp.read(&mut buf).await?;
        tcp.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await?;
        tcp.shutdown().await?;
        let _ = tokio::time::timeout(TIMEOUT, tcp.read_to_end(&mut Vec::new())).await;
        Ok::<(), io::Error>(())
    });
    addr
}

async fn probe(
    addr: SocketAddr,
    client: &TlsClient,
    name: &str,
) -> Result<(Handshake, TlsStream<TcpStream>), ProbeError> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let server_name = ServerName::try_from(name.to_owned()).unwrap();
    tokio::time::timeout(TIMEOUT, handshake(tcp, client, server_name)).await.unwrap()
}

/// Expects the handshake to fail and returns the classification and the error.
async fn failure(addr: SocketAddr, client: &TlsClient, name: &str) -> (TlsFailure, ProbeError) {
    match probe(addr, client, name).await {
        Ok((handshake, _)) => panic!("the handshake succeeded: {handshake:?}"),
        Err(err) => {
            let failure = err.classify().expect("a TLS error");
            (failure, err)
        }
    }
}

async fn ping(stream: &mut TlsStream<TcpStream>) -> io::Result<[u8; 4]> {
    stream.write_all(b"ping").await?;
    stream.flush().await?;
    let mut buf = [0_u8; 4];
    tokio::time::timeout(TIMEOUT, stream.read_exact(&mut buf))
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
    Ok(buf)
}

/// An Authority Information Access extension with one caIssuers URI.
fn aia(uri: &str) -> CustomExtension {
    let uri = uri.as_bytes();
    // accessMethod id-ad-caIssuers (1.3.6.1.5.5.7.48.2), accessLocation [6] URI.
    let mut desc = vec![0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02, 0x86];
    desc.push(u8::try_from(uri.len()).unwrap());
    desc.extend_from_slice(uri);
    let mut access = vec![0x30, u8::try_from(desc.len()).unwrap()];
    access.extend(desc);
    let mut content = vec![0x30, u8::try_from(access.len()).unwrap()];
    content.extend(access);
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], content)
}

#[tokio::test]
async fn success_with_ca_file_only() {
    let root = ca("Test Root");
    let server = leaf(&["localhost"], &root, |_| {});
    let (addr, task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let client = ca_file_client(&[root.der()], CaMode::Only);

    let (hs, mut stream) = probe(addr, &client, "localhost").await.unwrap();
    assert_eq!(hs.protocol, "TLSv1.3");
    assert!(hs.cipher_suite.starts_with("TLS13_"), "{}", hs.cipher_suite);
    assert_eq!(hs.alpn, None);
    assert_eq!(hs.chain, std::slice::from_ref(&server.der));
    assert!(!hs.client_cert_requested);
    assert!(!hs.client_cert_sent);
    assert_eq!(&ping(&mut stream).await.unwrap(), b"pong");
    task.await.unwrap().unwrap();
    assert_eq!(client.capture.get("localhost"), Some(vec![server.der]));
}

#[tokio::test]
async fn success_with_ip_address_name() {
    let root = ca("Test Root");
    let server = leaf(&["127.0.0.1"], &root, |_| {});
    let (addr, _task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let client = ca_file_client(&[root.der()], CaMode::Only);
    let (hs, _) = probe(addr, &client, "127.0.0.1").await.unwrap();
    assert_eq!(hs.chain, std::slice::from_ref(&server.der));
    assert_eq!(client.capture.get("127.0.0.1"), Some(vec![server.der]));
}

#[tokio::test]
async fn success_with_ca_file_merged_into_system_store() {
    let root = ca("Test Root");
    let server = leaf(&["localhost"], &root, |_| {});
    let (addr, _task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let client = ca_file_client(&[root.der()], CaMode::Merge);
    probe(addr, &client, "localhost").await.unwrap();
}

#[tokio::test]
async fn unknown_issuer_with_system_trust() {
    let root = ca("Private Root");
    let server = leaf(&["localhost"], &root, |_| {});
    let (addr, _task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let client = client_with(Trust::System);
    let (failure, err) = failure(addr, &client, "localhost").await;
    assert_eq!(failure, TlsFailure::UnknownIssuer { issuer: Some("CN=Private Root".to_owned()) });
    assert_eq!(err.chain, [server.der]);
}

#[tokio::test]
async fn unknown_issuer_names_the_top_certificate_issuer() {
    let root = ca("Root A");
    let intermediate = ca_signed_by("Intermediate A", Some(&root));
    let server = leaf(&["localhost"], &intermediate, |_| {});
    let chain = vec![server.der.clone(), intermediate.der().clone()];
    let (addr, _task) = tls_server(chain.clone(), &server.key, ClientAuth::None).await;
    let other_root = ca("Root B");
    let client = ca_file_client(&[other_root.der()], CaMode::Only);

    let (failure, err) = failure(addr, &client, "localhost").await;
    assert_eq!(failure, TlsFailure::UnknownIssuer { issuer: Some("CN=Root A".to_owned()) });
    // The chain is captured although verification failed.
    assert_eq!(err.chain, chain);
    assert_eq!(client.capture.get("localhost"), Some(chain));
    assert_eq!(err.rustls_error(), Some(&rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)));
}

#[tokio::test]
async fn self_signed_server_certificate() {
    let server = self_signed_leaf(&["localhost"], |_| {});
    let (addr, _task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let unrelated = ca("Unrelated Root");
    let client = ca_file_client(&[unrelated.der()], CaMode::Only);
    let (failure, err) = failure(addr, &client, "localhost").await;
    assert_eq!(failure, TlsFailure::SelfSigned { subject: "CN=localhost".to_owned() });
    assert_eq!(err.chain, [server.der]);
}

#[tokio::test]
async fn insecure_accepts_a_self_signed_leaf() {
    let server = self_signed_leaf(&["localhost"], |_| {});
    let (addr, task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let client = client_with(Trust::Insecure);
    // Even the name is not checked.
    let (hs, mut stream) = probe(addr, &client, "not-the-name.test").await.unwrap();
    assert_eq!(hs.chain, std::slice::from_ref(&server.der));
    assert_eq!(&ping(&mut stream).await.unwrap(), b"pong");
    task.await.unwrap().unwrap();
    assert_eq!(client.capture.get("not-the-name.test"), Some(vec![server.der]));
}

#[tokio::test]
async fn ca_certificate_used_as_server_certificate() {
    // What a naive `openssl req -x509` makes: CA:TRUE, and trusted as the CA itself.
    let server = self_signed_leaf(&["localhost"], |params| {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    });
    let (addr, _task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let client = ca_file_client(&[&server.der], CaMode::Only);
    let (failure, _) = failure(addr, &client, "localhost").await;
    assert_eq!(failure, TlsFailure::CaUsedAsEndEntity);
}

#[tokio::test]
async fn expired() {
    let root = ca("Test Root");
    let server = leaf(&["localhost"], &root, |params| {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    });
    let (addr, _task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let client = ca_file_client(&[root.der()], CaMode::Only);
    let (failure, _) = failure(addr, &client, "localhost").await;
    assert_eq!(failure, TlsFailure::Expired { not_after: Some("2021-01-01T00:00:00Z".to_owned()) });
}

#[tokio::test]
async fn not_yet_valid() {
    let root = ca("Test Root");
    let server = leaf(&["localhost"], &root, |params| {
        params.not_before = rcgen::date_time_ymd(2090, 1, 1);
        params.not_after = rcgen::date_time_ymd(2091, 1, 1);
    });
    let (addr, _task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let client = ca_file_client(&[root.der()], CaMode::Only);
    let (failure, _) = failure(addr, &client, "localhost").await;
    assert_eq!(failure, TlsFailure::NotYetValid { not_before: Some("2090-01-01T00:00:00Z".to_owned()) });
}

#[tokio::test]
async fn wrong_name() {
    let root = ca("Test Root");
    let server = leaf(&["db.example.test", "10.1.2.3"], &root, |_| {});
    let (addr, _task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let client = ca_file_client(&[root.der()], CaMode::Only);
    let (failure, _) = failure(addr, &client, "localhost").await;
    assert_eq!(
        failure,
        TlsFailure::NameMismatch {
            expected: "localhost".to_owned(),
            presented: vec!["db.example.test".to_owned(), "10.1.2.3".to_owned()],
        }
    );
}

#[tokio::test]
async fn missing_intermediate_with_aia() {
    let root = ca("Test Root");
    let intermediate = ca_signed_by("Test Intermediate", Some(&root));
    let server = leaf(&["localhost"], &intermediate, |params| {
        params.custom_extensions.push(aia("http://pki.example.test/intermediate.der"));
    });
    let client = ca_file_client(&[root.der()], CaMode::Only);

    // Leaf only: the intermediate is missing.
    let (addr, _task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let (failure, err) = failure(addr, &client, "localhost").await;
    assert_eq!(
        failure,
        TlsFailure::IncompleteChain {
            issuer: "CN=Test Intermediate".to_owned(),
            ca_issuers_url: Some("http://pki.example.test/intermediate.der".to_owned()),
        }
    );
    assert_eq!(err.chain, std::slice::from_ref(&server.der));

    // The full chain works.
    let chain = vec![server.der.clone(), intermediate.der().clone()];
    let (addr, _task) = tls_server(chain.clone(), &server.key, ClientAuth::None).await;
    let (hs, _) = probe(addr, &client, "localhost").await.unwrap();
    assert_eq!(hs.chain, chain);
}

#[tokio::test]
async fn missing_intermediate_without_aia_is_unknown_issuer() {
    let root = ca("Test Root");
    let intermediate = ca_signed_by("Test Intermediate", Some(&root));
    let server = leaf(&["localhost"], &intermediate, |_| {});
    let client = ca_file_client(&[root.der()], CaMode::Only);
    let (addr, _task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let (failure, _) = failure(addr, &client, "localhost").await;
    assert_eq!(failure, TlsFailure::UnknownIssuer { issuer: Some("CN=Test Intermediate".to_owned()) });
}

#[tokio::test]
async fn plain_http_port_is_not_tls() {
    let addr = plain_http_server().await;
    let client = client_with(Trust::Insecure);
    let (failure, err) = failure(addr, &client, "localhost").await;
    assert_eq!(failure, TlsFailure::NotTls);
    assert!(err.chain.is_empty());
    assert_eq!(err.rustls_error(), Some(&rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)));
}

#[tokio::test]
async fn client_certificate_required_but_not_sent() {
    let root = ca("Test Root");
    let server = leaf(&["localhost"], &root, |_| {});
    let (addr, task) =
        tls_server(vec![server.der.clone()], &server.key, ClientAuth::Required(root.der().clone())).await;
    let client = ca_file_client(&[root.der()], CaMode::Only);

    // TLS 1.3: the client's side of the handshake completes; the server's verdict arrives on
    // the first read.
    let (hs, mut stream) = probe(addr, &client, "localhost").await.unwrap();
    assert!(hs.client_cert_requested);
    assert!(!hs.client_cert_sent);
    let err = ping(&mut stream).await.unwrap_err();
    let tls = find_rustls_error(&err).expect("a rustls error");
    assert_eq!(tls, &rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired));
    assert_eq!(classify(tls, &hs.chain, client.client_cert_sent()), TlsFailure::ClientCertRequired);
    drop(stream);
    assert!(task.await.unwrap().is_err());
}

fn identity_files(cert: &CertificateDer<'_>, key: &KeyPair) -> (tempfile::NamedTempFile, tempfile::NamedTempFile) {
    (pem_file(&[cert]), temp_file(key.serialize_pem().as_bytes()))
}

fn client_with_identity(trust_root: &CertificateDer<'_>, cert: &CertificateDer<'_>, key: &KeyPair) -> TlsClient {
    let ca_file = pem_file(&[trust_root]);
    let (cert_file, key_file) = identity_files(cert, key);
    build_client_config(
        &TlsSettings {
            trust: Trust::CaFile { path: ca_file.path().to_owned(), mode: CaMode::Only },
            client_identity: Some(ClientIdentity {
                cert_path: cert_file.path().to_owned(),
                key_path: key_file.path().to_owned(),
            }),
            ..TlsSettings::default()
        },
        &BuildOptions::default(),
    )
    .unwrap()
}

#[tokio::test]
async fn success_with_client_identity() {
    let root = ca("Test Root");
    let server = leaf(&["localhost"], &root, |_| {});
    let client_leaf = leaf(&["client.test"], &root, |_| {});
    let (addr, task) =
        tls_server(vec![server.der.clone()], &server.key, ClientAuth::Required(root.der().clone())).await;
    let client = client_with_identity(root.der(), &client_leaf.der, &client_leaf.key);

    let (hs, mut stream) = probe(addr, &client, "localhost").await.unwrap();
    assert!(hs.client_cert_requested);
    assert!(hs.client_cert_sent);
    assert_eq!(&ping(&mut stream).await.unwrap(), b"pong");
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn client_certificate_from_another_ca_is_rejected() {
    let root = ca("Test Root");
    let server = leaf(&["localhost"], &root, |_| {});
    let other_root = ca("Other Root");
    let client_leaf = leaf(&["client.test"], &other_root, |_| {});
    let (addr, _task) =
        tls_server(vec![server.der.clone()], &server.key, ClientAuth::Required(root.der().clone())).await;
    let client = client_with_identity(root.der(), &client_leaf.der, &client_leaf.key);

    let (hs, mut stream) = probe(addr, &client, "localhost").await.unwrap();
    assert!(hs.client_cert_sent);
    let err = ping(&mut stream).await.unwrap_err();
    let tls = find_rustls_error(&err).expect("a rustls error");
    assert_eq!(
        classify(tls, &hs.chain, client.client_cert_sent()),
        TlsFailure::ClientCertRejected { alert: "UnknownCA".to_owned() }
    );
}

#[tokio::test]
async fn alpn_and_options_are_applied() {
    let client =
        build_client_config(&TlsSettings::default(), &BuildOptions { alpn_http1_only: true, resumption: false })
            .unwrap();
    assert_eq!(client.config.alpn_protocols, [b"http/1.1".to_vec()]);
    let client = build_client_config(&TlsSettings::default(), &BuildOptions::default()).unwrap();
    assert_eq!(client.config.alpn_protocols, [b"h2".to_vec(), b"http/1.1".to_vec()]);
}

#[tokio::test]
async fn build_reports_ca_file_and_identity_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing: PathBuf = dir.path().join("ca.pem");
    let err = build_client_config(
        &TlsSettings { trust: Trust::CaFile { path: missing.clone(), mode: CaMode::Only }, ..TlsSettings::default() },
        &BuildOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, TlsConfigError::CaFileMissing { ref path } if *path == missing), "{err:?}");

    let key = KeyPair::generate().unwrap();
    let cert = self_signed_leaf(&["client.test"], |_| {});
    let (cert_file, _) = identity_files(&cert.der, &cert.key);
    let wrong_key = temp_file(key.serialize_pem().as_bytes());
    let err = build_client_config(
        &TlsSettings {
            trust: Trust::Insecure,
            client_identity: Some(ClientIdentity {
                cert_path: cert_file.path().to_owned(),
                key_path: wrong_key.path().to_owned(),
            }),
            ..TlsSettings::default()
        },
        &BuildOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, TlsConfigError::ClientKeyMismatch { .. }), "{err:?}");
}

#[tokio::test]
async fn probe_error_is_an_error_chain_with_the_rustls_error_inside() {
    let server = self_signed_leaf(&["localhost"], |_| {});
    let (addr, _task) = tls_server(vec![server.der.clone()], &server.key, ClientAuth::None).await;
    let client =
        client_with(Trust::CaFile { path: pem_file(&[ca("Unrelated").der()]).path().to_owned(), mode: CaMode::Only });
    let (_, err) = failure(addr, &client, "localhost").await;
    let as_dyn: &(dyn std::error::Error + 'static) = &err;
    assert!(find_rustls_error(as_dyn).is_some());
    assert_eq!(find_io_error(as_dyn).map(io::Error::kind), Some(io::ErrorKind::InvalidData));
}
