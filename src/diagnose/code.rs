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
    /// An unexpected HTTP status or a redirect.
    HttpOther,
    /// The tenant does not exist.
    ChromaTenantNotFound,
    /// The database does not exist.
    ChromaDatabaseNotFound,
    /// Chroma answered with an error.
    ChromaApiError,
}

impl Code {
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
            Self::HttpOther => "http.other",
            Self::ChromaTenantNotFound => "chroma.tenant_not_found",
            Self::ChromaDatabaseNotFound => "chroma.database_not_found",
            Self::ChromaApiError => "chroma.api_error",
        }
    }

    /// True for problems with the settings themselves (the CLI exits 2 for these).
    #[must_use]
    pub fn is_config(self) -> bool {
        self.as_str().starts_with("config.")
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
