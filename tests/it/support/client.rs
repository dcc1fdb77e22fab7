//! Client-side helpers for tests: load PEM files, build rustls client configs and reqwest
//! clients that trust given CA files, and do a bare TLS handshake that reports the rustls error.
//! Everything uses the aws-lc-rs provider explicitly (no process-wide default needed).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::AsyncReadExt;

/// The crypto provider used by every helper here and by the proxy.
#[must_use]
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Every certificate of a PEM file.
///
/// # Panics
/// When the file can't be read or holds no certificate.
#[must_use]
pub fn load_certs(path: &Path) -> Vec<CertificateDer<'static>> {
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("parse {}: {e}", path.display()));
    assert!(!certs.is_empty(), "no certificate in {}", path.display());
    certs
}

/// The (first) private key of a PEM file.
///
/// # Panics
/// When the file can't be read or holds no key.
#[must_use]
pub fn load_key(path: &Path) -> PrivateKeyDer<'static> {
    PrivateKeyDer::from_pem_file(path).unwrap_or_else(|e| panic!("key {}: {e}", path.display()))
}

/// A root store holding every certificate of these PEM files.
#[must_use]
pub fn root_store(ca_pem_paths: &[&Path]) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    for path in ca_pem_paths {
        for cert in load_certs(path) {
            roots.add(cert).expect("add root certificate");
        }
    }
    roots
}

/// A rustls client config trusting only these CA files, with an optional client certificate
/// `(cert_pem, key_pem)`, ALPN `http/1.1`, and TLS session resumption off (every connection does a
/// full handshake).
///
/// # Panics
/// On unreadable files.
#[must_use]
pub fn rustls_client_config(ca_pem_paths: &[&Path], client_cert: Option<(&Path, &Path)>) -> ClientConfig {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(root_store(ca_pem_paths));
    let mut config = match client_cert {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => {
            builder.with_client_auth_cert(load_certs(cert), load_key(key)).expect("client certificate")
        }
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config.resumption = rustls::client::Resumption::disabled();
    config
}

/// A reqwest client trusting only these CA files (PEM), no proxy, 10 s timeout.
///
/// # Panics
/// On unreadable files.
#[must_use]
pub fn reqwest_client(ca_pem_paths: &[&Path]) -> reqwest::Client {
    let mut certs = Vec::new();
    for path in ca_pem_paths {
        let pem = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        certs.extend(reqwest::Certificate::from_pem_bundle(&pem).expect("PEM bundle"));
    }
    reqwest::Client::builder()
        .tls_certs_only(certs)
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("build reqwest client")
}

/// A reqwest client using this rustls config (see [`rustls_client_config`]), no proxy, 10 s
/// timeout.
///
/// # Panics
/// When reqwest refuses the config.
#[must_use]
pub fn reqwest_client_with(config: ClientConfig) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("build reqwest client")
}

/// A plain-HTTP reqwest client (no proxy, 10 s timeout), e.g. for the Chroma server itself.
///
/// # Panics
/// Never in practice.
#[must_use]
pub fn plain_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().expect("build reqwest client")
}

/// What a successful [`tls_handshake`] negotiated.
#[derive(Debug, Clone)]
pub struct HandshakeOk {
    pub protocol_version: Option<rustls::ProtocolVersion>,
    pub alpn: Option<Vec<u8>>,
    /// The certificates the server sent (DER), leaf first.
    pub peer_chain: Vec<Vec<u8>>,
}

/// How long [`tls_handshake`] waits after the handshake for a late alert from the server.
pub const POST_HANDSHAKE_WAIT: Duration = Duration::from_millis(200);

/// Connects to `addr` and does a TLS handshake for `server_name` with `config`; on failure gives
/// the rustls error (found inside the `io::Error`) or the I/O error. Gives up after 5 s. After a
/// successful handshake it waits [`POST_HANDSHAKE_WAIT`] for a late alert (TLS 1.3 servers refuse
/// a client certificate only after the client has finished its handshake).
///
/// # Panics
/// When `server_name` is not a valid DNS name or IP address.
pub async fn tls_handshake(
    addr: SocketAddr,
    server_name: &str,
    config: ClientConfig,
) -> Result<HandshakeOk, HandshakeError> {
    let name = ServerName::try_from(server_name.to_owned()).expect("server name");
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect(addr).await?;
        connector.connect(name, tcp).await
    };
    let mut stream = match tokio::time::timeout(Duration::from_secs(5), attempt).await {
        Err(_) => return Err(HandshakeError::Timeout),
        Ok(Err(e)) => return Err(HandshakeError::from_io(e)),
        Ok(Ok(stream)) => stream,
    };
    // In TLS 1.3 the client is done before the server has checked the client's certificate: a
    // refusal (alert CertificateRequired / UnknownCA) arrives after that, on the first read.
    let mut byte = [0_u8; 1];
    if let Ok(Err(e)) = tokio::time::timeout(POST_HANDSHAKE_WAIT, stream.read(&mut byte)).await {
        return Err(HandshakeError::from_io(e));
    }
    let (_, conn) = stream.get_ref();
    Ok(HandshakeOk {
        protocol_version: conn.protocol_version(),
        alpn: conn.alpn_protocol().map(<[u8]>::to_vec),
        peer_chain: conn.peer_certificates().unwrap_or_default().iter().map(|c| c.to_vec()).collect(),
    })
}

/// Why [`tls_handshake`] failed.
#[derive(Debug)]
pub enum HandshakeError {
    /// The handshake failed with this rustls error (e.g. `InvalidCertificate(UnknownIssuer)`).
    Tls(rustls::Error),
    /// Connecting or reading failed before/without a rustls error (refused, reset, EOF...).
    Io(std::io::Error),
    /// No answer within 5 s.
    Timeout,
}

impl HandshakeError {
    fn from_io(error: std::io::Error) -> Self {
        if let Some(tls) = find_rustls_error(&error) {
            return Self::Tls(tls.clone());
        }
        Self::Io(error)
    }

    /// The rustls error, if that is what it is.
    #[must_use]
    pub fn tls(&self) -> Option<&rustls::Error> {
        match self {
            Self::Tls(e) => Some(e),
            _ => None,
        }
    }
}

/// Finds a `rustls::Error` inside an error chain, descending into `io::Error::get_ref` (which a
/// plain `source()` walk skips).
#[must_use]
pub fn find_rustls_error<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            current = Some(inner);
            continue;
        }
        current = e.source();
    }
    None
}
