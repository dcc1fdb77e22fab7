//! The certificate a server presents now, fetched with one handshake: what `--pin-current` and the app pin.

use std::net::SocketAddr;

use rustls_pki_types::ServerName;

use crate::profile::ConnectionSettings;
use crate::tls::{self, BuildOptions};

/// The certificate a server presents, and why it does not verify, if it does not.
#[derive(Debug)]
pub struct PresentedCertificate {
    /// The chain as presented, the leaf first.
    pub chain: Vec<rustls_pki_types::CertificateDer<'static>>,
    /// The server's own certificate.
    pub leaf: rustls_pki_types::CertificateDer<'static>,
    /// The address the handshake reached.
    pub address: SocketAddr,
    /// Why it does not verify with the settings' trust, when it does not.
    pub verification_problem: Option<String>,
}

/// Connects with `settings`' trust and returns the certificate the server presents, whether it verifies or not
/// (for pinning it: trust on first use). Sends no request and no credentials. The error says what failed.
pub async fn presented_certificate(settings: &ConnectionSettings) -> Result<PresentedCertificate, String> {
    if !settings.is_tls() {
        return Err("the URL is http://: there is no certificate to pin".to_owned());
    }
    settings.validate().map_err(|err| format!("the setting {err}"))?;
    // The CA, client certificate and key files are read on a blocking thread, never on the runtime.
    let tls_settings = settings.tls_settings();
    let client = tokio::task::spawn_blocking(move || {
        tls::build_client_config(&tls_settings, &BuildOptions { alpn_http1_only: true, resumption: false })
    })
    .await
    .map_err(|err| err.to_string())?
    .map_err(|err| err.to_string())?;
    let name = ServerName::try_from(settings.tls_name().to_owned()).map_err(|err| err.to_string())?;
    let limit = settings.connect_timeout;
    let endpoint = &settings.endpoint;
    let attempt = async {
        let mut addresses = tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port))
            .await
            .map_err(|err| format!("{} does not resolve: {err}", endpoint.host))?;
        let address = addresses.next().ok_or_else(|| format!("{} has no address", endpoint.host))?;
        let tcp = tokio::net::TcpStream::connect(address)
            .await
            .map_err(|err| format!("cannot connect to {address}: {err}"))?;
        match tls::handshake(tcp, &client, name).await {
            Ok((handshake, _stream)) => Ok::<_, String>((handshake.chain, address, None)),
            Err(probe) => {
                let problem = probe.classify().map_or_else(|| probe.error.to_string(), |f| f.to_string());
                Ok((probe.chain, address, Some(problem)))
            }
        }
    };
    let (chain, address, problem) = tokio::time::timeout(limit, attempt)
        .await
        .map_err(|_| format!("no TLS answer from {} within {} s", settings.display_url(), limit.as_secs_f64()))??;
    let leaf = chain
        .first()
        .cloned()
        .ok_or_else(|| format!("{address} presented no certificate ({})", problem.clone().unwrap_or_default()))?;
    Ok(PresentedCertificate { chain, leaf, address, verification_problem: problem })
}
