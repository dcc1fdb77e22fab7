//! Turning [`TlsSettings`] into a rustls client configuration that records what it sees.

use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, OtherError, RootCertStore};
use rustls_pki_types::ServerName;

use super::ca::load_ca_file;
use super::capture::ChainCapture;
use super::error::TlsConfigError;
use super::identity::{ClientAuthRecord, RecordingResolver, load_client_identity};
use super::verifiers::{AcceptAnyServerCert, RecordingVerifier};
use super::{BuildOptions, CaMode, TlsSettings, Trust};

/// A client configuration together with what its connections record.
///
/// Every connection made with [`config`](Self::config) stores the chain the server presented in
/// [`capture`](Self::capture) (before verification) and notes in
/// [`client_auth`](Self::client_auth) whether the server asked for a client certificate.
#[derive(Debug, Clone)]
pub struct TlsClient {
    /// The rustls configuration, ready for `tokio_rustls::TlsConnector` or reqwest's
    /// `tls_backend_preconfigured`.
    pub config: Arc<ClientConfig>,
    /// The chains servers presented, keyed by server name.
    pub capture: ChainCapture,
    /// Whether servers asked for a client certificate and whether one was sent.
    pub client_auth: ClientAuthRecord,
}

impl TlsClient {
    /// Whether a server asked for a client certificate since the last [`reset`](Self::reset).
    #[must_use]
    pub fn client_cert_requested(&self) -> bool {
        self.client_auth.requested()
    }

    /// Whether a client certificate was sent since the last [`reset`](Self::reset).
    #[must_use]
    pub fn client_cert_sent(&self) -> bool {
        self.client_auth.sent()
    }

    /// Forgets the captured chains and the client-certificate record.
    pub fn reset(&self) {
        self.capture.clear();
        self.client_auth.reset();
    }
}

/// Builds the client configuration for `settings`: the trust they choose, the client identity
/// they name, ALPN and resumption from `opts`, all with the aws-lc-rs provider and rustls' safe
/// default protocol versions (TLS 1.2 and 1.3).
pub fn build_client_config(settings: &TlsSettings, opts: &BuildOptions) -> Result<TlsClient, TlsConfigError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = server_verifier(&settings.trust, &provider)?;
    let key =
        settings.client_identity.as_ref().map(|identity| load_client_identity(identity, &provider)).transpose()?;

    let capture = ChainCapture::default();
    let client_auth = ClientAuthRecord::default();
    let mut config = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(TlsConfigError::Rustls)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(RecordingVerifier {
            inner: verifier,
            capture: capture.clone(),
            pin: settings.pinned_sha256.clone(),
            verify_as: settings.verify_ip.map(|ip| ServerName::IpAddress(ip.into())),
        }))
        .with_client_cert_resolver(Arc::new(RecordingResolver { key, record: client_auth.clone() }));
    config.alpn_protocols =
        if opts.alpn_http1_only { vec![b"http/1.1".to_vec()] } else { vec![b"h2".to_vec(), b"http/1.1".to_vec()] };
    if settings.verify_ip.is_some() {
        config.enable_sni = false;
    }
    if !opts.resumption {
        config.resumption = Resumption::disabled();
    }
    Ok(TlsClient { config: Arc::new(config), capture, client_auth })
}

fn server_verifier(
    trust: &Trust,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, TlsConfigError> {
    Ok(match trust {
        Trust::System => {
            Arc::new(rustls_platform_verifier::Verifier::new(Arc::clone(provider)).map_err(TlsConfigError::Verifier)?)
        }
        Trust::Insecure => Arc::new(AcceptAnyServerCert { algorithms: provider.signature_verification_algorithms }),
        Trust::CaFile { path, mode: CaMode::Only } => {
            let mut roots = RootCertStore::empty();
            for cert in load_ca_file(path)? {
                roots.add(cert).map_err(|err| TlsConfigError::CaFileInvalid {
                    path: path.clone(),
                    detail: format!("a certificate cannot be used as a trust anchor: {err}"),
                })?;
            }
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(provider))
                .build()
                .map_err(|err| TlsConfigError::Rustls(rustls::Error::Other(OtherError(Arc::new(err)))))?
        }
        Trust::CaFile { path, mode: CaMode::Merge } => Arc::new(
            rustls_platform_verifier::Verifier::new_with_extra_roots(load_ca_file(path)?, Arc::clone(provider))
                .map_err(TlsConfigError::Verifier)?,
        ),
    })
}
