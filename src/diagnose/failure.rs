//! The one place where a failure of any face (the check, browsing from the command line or the desktop app) becomes
//! a [`Diagnosis`]: the same failure gets the same code, summary, hint and setting everywhere.

use std::net::SocketAddr;

use crate::chroma::{BrowseError, ChromaError};
use crate::profile::{ConnectionSettings, SettingsError};
use crate::tls::TlsConfigError;

use super::check::{speaks_tls, tls_refusal};
use super::code::Code;
use super::findings::{self, Context};
use super::report::Diagnosis;

/// The diagnosis of a failed browsing call (resolving the scope, listing databases or collections, counting,
/// reading or comparing records) made with `settings`. Pure and immediate; see
/// [`diagnose_browse_error_probing`] for the one refinement that needs the network.
#[must_use]
pub fn diagnose_browse_error(err: &BrowseError, settings: &ConnectionSettings) -> Diagnosis {
    findings::browse_error(Context { settings, address: None }, err)
}

/// The diagnosis of a failed client call ([`crate::chroma::ChromaClient::connect`], a heartbeat, ...) made with
/// `settings`.
#[must_use]
pub fn diagnose_chroma_error(err: &ChromaError, settings: &ConnectionSettings) -> Diagnosis {
    findings::request_error(Context { settings, address: None }, err)
}

/// The diagnosis of settings that cannot be used (an invalid URL, a missing secret, an unknown profile).
#[must_use]
pub fn diagnose_settings_error(err: &SettingsError) -> Diagnosis {
    findings::settings_error(err)
}

/// The diagnosis of a TLS configuration that cannot be built (a CA file, client certificate or key).
#[must_use]
pub fn diagnose_tls_config_error(err: &TlsConfigError) -> Diagnosis {
    findings::tls_config_error(err)
}

/// [`diagnose_browse_error`], plus what the check also finds out over the network: an `http://` URL whose port
/// answers in TLS (`http.plain_to_tls_port`, where the error alone looks like a reset connection), and, for an
/// `https://` URL whose connection closed without a TLS cause, the refusal of a client certificate that a TLS 1.3
/// server sends after the handshake (an HTTP/2 connection may lose that alert: hyper then says only "connection
/// closed"). Makes at most one TLS handshake, bounded by the connect timeout. Use it where the caller can wait (a
/// background task).
pub async fn diagnose_browse_error_probing(err: &BrowseError, settings: &ConnectionSettings) -> Diagnosis {
    let diagnosis = diagnose_browse_error(err, settings);
    let transport = matches!(err, BrowseError::Chroma(inner) if matches!(**inner, ChromaError::Transport { .. }));
    if !transport {
        return diagnosis;
    }
    if !settings.is_tls()
        && let Some(address) = first_address(settings).await
        && speaks_tls(address, settings.tls_name(), settings.connect_timeout).await
    {
        return findings::plain_to_tls_port(Context { settings, address: Some(address) });
    }
    if settings.is_tls()
        && matches!(diagnosis.code, Code::HttpOther | Code::NetReset)
        && let Some((address, failure)) = tls_refusal(settings, &addresses(settings).await).await
    {
        return findings::tls_failure(Context { settings, address: Some(address) }, &failure);
    }
    diagnosis
}

/// The first address the endpoint's host resolves to, within the connect timeout.
async fn first_address(settings: &ConnectionSettings) -> Option<SocketAddr> {
    addresses(settings).await.into_iter().next()
}

/// The addresses the endpoint's host resolves to, within the connect timeout; none when it does not resolve.
async fn addresses(settings: &ConnectionSettings) -> Vec<SocketAddr> {
    let endpoint = &settings.endpoint;
    let lookup = tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port));
    match tokio::time::timeout(settings.connect_timeout, lookup).await {
        Ok(Ok(found)) => found.collect(),
        _ => Vec::new(),
    }
}
