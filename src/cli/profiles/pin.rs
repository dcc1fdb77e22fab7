//! `--pin-current`: one TLS handshake with the profile's trust settings, to pin the certificate presented.

use std::net::SocketAddr;

use rustls_pki_types::ServerName;

use crate::profile::{Auth, ConnectionSettings, Profile, Secret};
use crate::tls::{self, BuildOptions};

use super::{Failure, err_line};

/// Connects to the profile's server and pins the certificate it presents.
pub(super) async fn pin_current(profile: &mut Profile) -> Result<(), Failure> {
    // A handshake sends no credentials: the profile's token or password is neither needed nor read.
    let mut settings = profile.to_settings(Secret::default());
    settings.auth = Auth::None;
    let presented = presented_certificate(&settings).await.map_err(Failure::problem)?;
    let info = tls::cert_info(&presented.leaf).ok();
    let fingerprint = tls::sha256_fingerprint(&presented.leaf);
    let subject = info.map(|i| crate::diagnose::sanitize_display(&i.subject, 200)).unwrap_or_default();
    err_line(&format!("Pinned the certificate {} presents now: {subject}\n  sha256 {fingerprint}", presented.address));
    if let Some(problem) = presented.verification_problem {
        err_line(&format!(
            "warning: this certificate does not verify with the profile's trust settings ({problem}); the pin alone \
             does not make it trusted: the check will still fail until it verifies (or verification is off)"
        ));
    }
    profile.pinned_sha256 = Some(fingerprint);
    Ok(())
}

/// The leaf certificate a server presents, and why it does not verify, if it does not.
struct Presented {
    leaf: rustls_pki_types::CertificateDer<'static>,
    address: SocketAddr,
    verification_problem: Option<String>,
}

async fn presented_certificate(settings: &ConnectionSettings) -> Result<Presented, String> {
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
        .into_iter()
        .next()
        .ok_or_else(|| format!("{address} presented no certificate ({})", problem.clone().unwrap_or_default()))?;
    Ok(Presented { leaf, address, verification_problem: problem })
}
