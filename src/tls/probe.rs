//! A single TLS handshake over an open TCP connection, reporting what was negotiated or, on
//! failure, everything needed to explain it.

use std::fmt;
use std::io;

use rustls::ProtocolVersion;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::classify::{TlsFailure, classify, find_rustls_error};
use super::config::TlsClient;

/// What a successful handshake negotiated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// The protocol version, `TLSv1.3` or `TLSv1.2`.
    pub protocol: String,
    /// The cipher suite, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher_suite: String,
    /// The application protocol the server chose through ALPN, if any (`h2`, `http/1.1`).
    pub alpn: Option<String>,
    /// The chain the server presented, end entity first.
    pub chain: Vec<CertificateDer<'static>>,
    /// Whether the server asked for a client certificate.
    pub client_cert_requested: bool,
    /// Whether a client certificate was sent.
    pub client_cert_sent: bool,
}

/// A failed handshake, with the chain the server presented and the client-certificate exchange.
///
/// With TLS 1.3 a server that rejects the client (certificate) does so after the client's side
/// of the handshake is complete: that error arrives on the first read of the stream instead.
#[derive(Debug)]
pub struct ProbeError {
    /// The error from tokio-rustls; the rustls error, if any, is inside (see
    /// [`rustls_error`](Self::rustls_error)).
    pub error: io::Error,
    /// The chain the server presented, end entity first; empty if it sent none.
    pub chain: Vec<CertificateDer<'static>>,
    /// Whether the server asked for a client certificate.
    pub client_cert_requested: bool,
    /// Whether a client certificate was sent.
    pub client_cert_sent: bool,
}

impl ProbeError {
    /// The rustls error behind [`error`](Self::error), if the failure was a TLS one (and not,
    /// say, a reset connection).
    #[must_use]
    pub fn rustls_error(&self) -> Option<&rustls::Error> {
        find_rustls_error(&self.error)
    }

    /// Explains the failure with [`classify`], or `None` if it was not a TLS error.
    ///
    /// Unlike a bare `classify`, a `HandshakeFailure` alert is only read as "a client
    /// certificate is required" when the server actually asked for one.
    #[must_use]
    pub fn classify(&self) -> Option<TlsFailure> {
        let err = self.rustls_error()?;
        let failure = classify(err, &self.chain, self.client_cert_sent);
        if failure == TlsFailure::ClientCertRequired
            && !self.client_cert_requested
            && *err != rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired)
        {
            return Some(TlsFailure::Other { detail: err.to_string() });
        }
        Some(failure)
    }
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the TLS handshake failed")
    }
}

impl std::error::Error for ProbeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Performs a TLS handshake with `client` over `tcp`, for `server_name` (used for SNI and the
/// certificate check).
///
/// Resets the client's record of client-certificate requests and its captured chain for this
/// name first, so `client` should not be used by other connections meanwhile. Wrap the call in
/// a timeout: a silent peer makes it wait forever.
pub async fn handshake(
    tcp: TcpStream,
    client: &TlsClient,
    server_name: ServerName<'static>,
) -> Result<(Handshake, TlsStream<TcpStream>), ProbeError> {
    let key = server_name.to_str().into_owned();
    client.capture.remove(&key);
    client.client_auth.reset();

    let connector = TlsConnector::from(std::sync::Arc::clone(&client.config));
    match connector.connect(server_name, tcp).await {
        Ok(stream) => {
            let (_, conn) = stream.get_ref();
            let chain = conn
                .peer_certificates()
                .map(<[CertificateDer<'static>]>::to_vec)
                .or_else(|| client.capture.get(&key))
                .unwrap_or_default();
            let handshake = Handshake {
                protocol: conn.protocol_version().map_or_else(String::new, protocol_name),
                cipher_suite: conn
                    .negotiated_cipher_suite()
                    .map(|suite| {
                        let id = suite.suite();
                        id.as_str().map_or_else(|| format!("{id:?}"), str::to_owned)
                    })
                    .unwrap_or_default(),
                alpn: conn.alpn_protocol().map(|alpn| String::from_utf8_lossy(alpn).into_owned()),
                chain,
                client_cert_requested: client.client_auth.requested(),
                client_cert_sent: client.client_auth.sent(),
            };
            Ok((handshake, stream))
        }
        Err(error) => Err(ProbeError {
            error,
            chain: client.capture.get(&key).unwrap_or_default(),
            client_cert_requested: client.client_auth.requested(),
            client_cert_sent: client.client_auth.sent(),
        }),
    }
}

fn protocol_name(version: ProtocolVersion) -> String {
    match version {
        ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
        ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests;
