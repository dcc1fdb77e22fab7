//! Errors of the Chroma client: transport, HTTP status with the server's message, decoding, size cap.

use std::fmt;

/// A failed call to a Chroma server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChromaError {
    /// No HTTP response: DNS, TCP, TLS, timeout, or a connection closed mid-request.
    #[error("request failed before a response arrived: {detail} ({url})")]
    Transport {
        /// The innermost meaningful cause, as text.
        detail: String,
        /// The URL requested.
        url: String,
        /// The transport error, for classification.
        #[source]
        source: reqwest::Error,
        /// The certificate chain the server presented in the last handshake (leaf first), when the failure may
        /// be a TLS one: it names the issuer of an untrusted certificate. Empty for http:// and when nothing was
        /// presented.
        chain: Vec<rustls_pki_types::CertificateDer<'static>>,
    },
    /// The server's host name does not resolve (the client resolves it once, when it is built).
    #[error("{host} does not resolve: {detail}")]
    Resolve {
        /// The host name.
        host: String,
        /// Why, as the resolver said.
        detail: String,
    },
    /// The server answered with a non-success status.
    #[error("{response}")]
    Status {
        /// What the server said (boxed: it is much larger than the other variants).
        response: Box<ErrorResponse>,
    },
    /// A success status whose body is not what a Chroma server sends.
    #[error("unexpected response body: {detail} ({url})")]
    Decode {
        /// What could not be parsed.
        detail: String,
        /// The start of the body.
        body_snippet: String,
        /// The URL requested.
        url: String,
    },
    /// The response body exceeded the configured cap and was not read further.
    #[error("the response is larger than the limit of {limit_bytes} bytes and was not read ({url})")]
    BodyTooLarge {
        /// The cap in bytes.
        limit_bytes: usize,
        /// The URL requested.
        url: String,
    },
    /// The TLS configuration cannot be built (a CA file, client certificate or key that cannot be used).
    #[error(transparent)]
    TlsConfig(#[from] crate::tls::TlsConfigError),
    /// A setting is invalid.
    #[error("the setting {0}")]
    Settings(#[from] crate::profile::SettingsError),
    /// The client could not be built from the settings.
    #[error("cannot build the HTTP client: {detail}")]
    Build {
        /// What went wrong.
        detail: String,
    },
}

impl ChromaError {
    /// The HTTP status, when the server answered.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { response } => Some(response.status),
            _ => None,
        }
    }

    /// The error response, when the server answered with an error status.
    #[must_use]
    pub fn response(&self) -> Option<&ErrorResponse> {
        match self {
            Self::Status { response } => Some(response),
            _ => None,
        }
    }

    /// True when the server said the thing asked for does not exist, in any generation's dialect
    /// (1.x and 0.5.x: 404 `NotFoundError`; 0.4.x: 500 with `NotFoundError('...')` in the body).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        let Some(response) = self.response() else { return false };
        response.status == 404
            || response.error_kind.as_deref().is_some_and(|kind| kind.starts_with("NotFoundError"))
            || response.message.contains("NotFoundError")
    }
}

/// An HTTP error response, with the server's own words when it sent a Chroma-shaped body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Chroma's `error` field (`NotFoundError`, `AuthError`, `InvalidArgumentError`, ...), when present.
    pub error_kind: Option<String>,
    /// The server's message: Chroma's `message`, `FastAPI`'s `detail`, or the start of a non-JSON body.
    pub message: String,
    /// True when the body was Chroma-shaped JSON (`{"error": ...}`); false for HTML pages and empty bodies.
    pub chroma_shaped: bool,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Server` header (e.g. `nginx`, `uvicorn`).
    pub server: Option<String>,
    /// The `Location` header of a redirect.
    pub location: Option<String>,
    /// The URL requested.
    pub url: String,
    /// Whether the server asked this client for a certificate (mutual TLS) in a handshake of the client that got
    /// this answer; false for http://. A proxy that asks for one and then refuses at the HTTP layer (nginx's 400
    /// "No required SSL certificate was sent", a 403 of `HAProxy`, Envoy or Caddy) is told apart by it.
    pub client_cert_requested: bool,
    /// Whether the client answered that request with a certificate.
    pub client_cert_sent: bool,
}

impl fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(kind) = &self.error_kind {
            write!(f, " {kind}")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        write!(f, " ({})", self.url)
    }
}

impl ErrorResponse {
    /// Builds an error response from a status, headers and body, understanding every dialect of Chroma's
    /// error bodies: `{"error","message"}` (1.x, 0.5.x), `{"error":"ValueError('...')"}` (0.4.x),
    /// `FastAPI`'s `{"detail": ...}`, and non-JSON pages (proxies). The client-certificate facts are left false:
    /// the client fills them in.
    #[must_use]
    pub fn parse(status: u16, headers: &reqwest::header::HeaderMap, body: &[u8], url: &str) -> Self {
        let header = |name: reqwest::header::HeaderName| {
            headers.get(name).and_then(|value| value.to_str().ok()).map(str::to_owned)
        };
        let (error_kind, message, chroma_shaped) = parse_error_body(body);
        Self {
            status,
            error_kind,
            message,
            chroma_shaped,
            content_type: header(reqwest::header::CONTENT_TYPE),
            server: header(reqwest::header::SERVER),
            location: header(reqwest::header::LOCATION),
            url: url.to_owned(),
            client_cert_requested: false,
            client_cert_sent: false,
        }
    }
}

/// `(error kind, message, chroma-shaped)` from an error body.
fn parse_error_body(body: &[u8]) -> (Option<String>, String, bool) {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body) {
        let text = |key: &str| map.get(key).map(json_text);
        match (text("error"), text("message"), text("detail")) {
            (Some(kind), Some(message), _) => return (Some(kind), message, true),
            // 0.4.x: `{"error": "NotFoundError('Tenant x not found')"}`.
            (Some(kind), None, _) => {
                let name = kind.split('(').next().unwrap_or_default().to_owned();
                return (Some(name), kind, true);
            }
            (None, _, Some(detail)) => return (None, detail, false),
            _ => {}
        }
    }
    (None, snippet(body), false)
}

/// A JSON value as text: strings without quotes, anything else compactly.
fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The start of a body as one line of text, with HTML tags removed, at most 200 characters.
#[must_use]
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut in_tag = false;
    for ch in text.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if in_tag => {}
            c if c.is_whitespace() => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > 200 {
        let cut: String = collapsed.chars().take(200).collect();
        format!("{cut}…")
    } else {
        collapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str) -> ErrorResponse {
        ErrorResponse::parse(status, &reqwest::header::HeaderMap::new(), body.as_bytes(), "http://x/")
    }

    #[test]
    fn chroma_1x_error_body() {
        let r = parse(404, r#"{"error":"NotFoundError","message":"Tenant [no_such_tenant] not found"}"#);
        assert_eq!(r.error_kind.as_deref(), Some("NotFoundError"));
        assert_eq!(r.message, "Tenant [no_such_tenant] not found");
        assert!(r.chroma_shaped);
    }

    #[test]
    fn chroma_04_error_body_is_not_found() {
        let r = parse(500, r#"{"error":"NotFoundError('Tenant no_such_tenant not found')"}"#);
        assert_eq!(r.error_kind.as_deref(), Some("NotFoundError"));
        assert_eq!(r.message, "NotFoundError('Tenant no_such_tenant not found')");
        assert!(ChromaError::Status { response: Box::new(r) }.is_not_found());
    }

    #[test]
    fn fastapi_detail_and_html() {
        let r = parse(404, r#"{"detail":"Not Found"}"#);
        assert_eq!((r.error_kind, r.message.as_str(), r.chroma_shaped), (None, "Not Found", false));
        let r = parse(502, "<html><head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>");
        assert_eq!(r.message, "502 Bad Gateway nginx");
        assert!(!r.chroma_shaped);
    }

    #[test]
    fn snippet_is_bounded() {
        let long = "x".repeat(1000);
        assert_eq!(snippet(long.as_bytes()).chars().count(), 201);
    }
}
