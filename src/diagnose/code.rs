//! The stable diagnosis codes. The CLI's JSON and the GUI both use these strings: never rename one.

use std::fmt;

/// What a connection check concluded. `as_str` gives the stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// Everything worked.
    Ok,
    /// The URL or host/port cannot be used.
    ConfigInvalidUrl,
    /// Another setting is invalid (tenant, timeout, server name, credentials, ...).
    ConfigInvalid,
    /// The CA file does not exist.
    ConfigCaFileMissing,
    /// The CA file exists but holds no usable certificate.
    ConfigCaFileInvalid,
    /// The client certificate or key cannot be used.
    ConfigClientCertInvalid,
    /// The host name does not resolve.
    DnsNotFound,
    /// Nothing listens on the port (connection refused).
    NetRefused,
    /// The host or network is unreachable.
    NetUnreachable,
    /// Something did not answer in time.
    NetTimeout,
    /// The connection was closed or reset unexpectedly.
    NetReset,
    /// The server's certificate was issued by a CA that is not trusted.
    TlsUnknownIssuer,
    /// The server's certificate is self-signed and not trusted.
    TlsSelfSigned,
    /// The server's certificate is a CA certificate (CA:TRUE), which rustls refuses as a server certificate.
    TlsCaUsedAsEndEntity,
    /// The server's certificate has expired.
    TlsExpired,
    /// The server's certificate is not valid yet.
    TlsNotYetValid,
    /// The server's certificate does not hold the name we connected to.
    TlsNameMismatch,
    /// The server did not send the intermediate certificate(s) between its certificate and the root.
    TlsIncompleteChain,
    /// The server requires a client certificate and none was sent.
    TlsClientCertRequired,
    /// The server refused the client certificate that was sent.
    TlsClientCertRejected,
    /// The port does not speak TLS (plain HTTP).
    TlsNotTls,
    /// A pinned certificate fingerprint does not match.
    TlsPinMismatch,
    /// Another TLS failure.
    TlsOther,
    /// An http:// request went to a port that speaks TLS.
    HttpPlainToTlsPort,
    /// 401: credentials missing or not accepted.
    HttpUnauthorized,
    /// 403: credentials accepted but not allowed.
    HttpForbidden,
    /// Something answers HTTP, but it is not a Chroma server.
    HttpNotChroma,
    /// A proxy in front of Chroma answered 502/503/504.
    HttpProxyError,
    /// The server answered with a redirect, which is not followed (it changes the scheme, host or port, or
    /// there were too many).
    HttpRedirect,
    /// The answer is larger than the response size limit and was not read.
    HttpResponseTooLarge,
    /// An unexpected HTTP status, or a request that failed in an unexpected way.
    HttpOther,
    /// The tenant does not exist.
    ChromaTenantNotFound,
    /// The database does not exist.
    ChromaDatabaseNotFound,
    /// No collection has the name or id asked for.
    ChromaCollectionNotFound,
    /// The collection has no record with the id asked for.
    ChromaRecordNotFound,
    /// The record exists but has no embedding to compare with.
    ChromaNoEmbedding,
    /// A listing was stopped: more items, or more time, than the limits allow.
    ChromaListingCapped,
    /// Chroma answered with an error.
    ChromaApiError,
    /// A command-line argument that is not valid JSON (or not a JSON object).
    UsageInvalidJson,
    /// A command-line argument that cannot be used (e.g. a field that needs another argument).
    UsageInvalidArgument,
}

impl Code {
    /// Every code, in the order of the enum.
    pub const ALL: [Self; 40] = [
        Self::Ok,
        Self::ConfigInvalidUrl,
        Self::ConfigInvalid,
        Self::ConfigCaFileMissing,
        Self::ConfigCaFileInvalid,
        Self::ConfigClientCertInvalid,
        Self::DnsNotFound,
        Self::NetRefused,
        Self::NetUnreachable,
        Self::NetTimeout,
        Self::NetReset,
        Self::TlsUnknownIssuer,
        Self::TlsSelfSigned,
        Self::TlsCaUsedAsEndEntity,
        Self::TlsExpired,
        Self::TlsNotYetValid,
        Self::TlsNameMismatch,
        Self::TlsIncompleteChain,
        Self::TlsClientCertRequired,
        Self::TlsClientCertRejected,
        Self::TlsNotTls,
        Self::TlsPinMismatch,
        Self::TlsOther,
        Self::HttpPlainToTlsPort,
        Self::HttpUnauthorized,
        Self::HttpForbidden,
        Self::HttpNotChroma,
        Self::HttpProxyError,
        Self::HttpRedirect,
        Self::HttpResponseTooLarge,
        Self::HttpOther,
        Self::ChromaTenantNotFound,
        Self::ChromaDatabaseNotFound,
        Self::ChromaCollectionNotFound,
        Self::ChromaRecordNotFound,
        Self::ChromaNoEmbedding,
        Self::ChromaListingCapped,
        Self::ChromaApiError,
        Self::UsageInvalidJson,
        Self::UsageInvalidArgument,
    ];

    /// The stable code string, e.g. `tls.unknown_issuer`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::ConfigInvalidUrl => "config.invalid_url",
            Self::ConfigInvalid => "config.invalid",
            Self::ConfigCaFileMissing => "config.ca_file_missing",
            Self::ConfigCaFileInvalid => "config.ca_file_invalid",
            Self::ConfigClientCertInvalid => "config.client_cert_invalid",
            Self::DnsNotFound => "dns.not_found",
            Self::NetRefused => "net.refused",
            Self::NetUnreachable => "net.unreachable",
            Self::NetTimeout => "net.timeout",
            Self::NetReset => "net.reset",
            Self::TlsUnknownIssuer => "tls.unknown_issuer",
            Self::TlsSelfSigned => "tls.self_signed",
            Self::TlsCaUsedAsEndEntity => "tls.ca_used_as_end_entity",
            Self::TlsExpired => "tls.expired",
            Self::TlsNotYetValid => "tls.not_yet_valid",
            Self::TlsNameMismatch => "tls.name_mismatch",
            Self::TlsIncompleteChain => "tls.incomplete_chain",
            Self::TlsClientCertRequired => "tls.client_cert_required",
            Self::TlsClientCertRejected => "tls.client_cert_rejected",
            Self::TlsNotTls => "tls.not_tls",
            Self::TlsPinMismatch => "tls.pin_mismatch",
            Self::TlsOther => "tls.other",
            Self::HttpPlainToTlsPort => "http.plain_to_tls_port",
            Self::HttpUnauthorized => "http.unauthorized",
            Self::HttpForbidden => "http.forbidden",
            Self::HttpNotChroma => "http.not_chroma",
            Self::HttpProxyError => "http.proxy_error",
            Self::HttpRedirect => "http.redirect",
            Self::HttpResponseTooLarge => "http.response_too_large",
            Self::HttpOther => "http.other",
            Self::ChromaTenantNotFound => "chroma.tenant_not_found",
            Self::ChromaDatabaseNotFound => "chroma.database_not_found",
            Self::ChromaCollectionNotFound => "chroma.collection_not_found",
            Self::ChromaRecordNotFound => "chroma.record_not_found",
            Self::ChromaNoEmbedding => "chroma.no_embedding",
            Self::ChromaListingCapped => "chroma.listing_capped",
            Self::ChromaApiError => "chroma.api_error",
            Self::UsageInvalidJson => "usage.invalid_json",
            Self::UsageInvalidArgument => "usage.invalid_argument",
        }
    }

    /// True for problems with the settings themselves.
    #[must_use]
    pub fn is_config(self) -> bool {
        self.as_str().starts_with("config.")
    }

    /// True for problems with what was asked rather than with the server: the settings (`config.*`) and the
    /// command's own arguments (`usage.*`). The CLI exits 2 for these, 1 for the others.
    #[must_use]
    pub fn is_usage(self) -> bool {
        self.is_config() || self.as_str().starts_with("usage.")
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_dotted() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(text == "ok" || text.split_once('.').is_some_and(|(a, b)| !a.is_empty() && !b.is_empty()));
        }
        assert!(Code::UsageInvalidJson.is_usage() && !Code::UsageInvalidJson.is_config());
        assert!(Code::ConfigInvalid.is_usage() && !Code::HttpOther.is_usage());
    }
}
