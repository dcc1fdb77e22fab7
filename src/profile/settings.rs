//! The connection settings a check needs, in the language of Chroma's `chroma_server_ssl_verify` proposal.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::tls::pem_text::base64;
use crate::tls::{CaMode, ClientIdentity, TlsSettings, Trust};

use super::secret::Secret;
use super::setting::Setting;
use super::url_input::{Endpoint, parse_endpoint};

/// Chroma's default tenant.
pub const DEFAULT_TENANT: &str = "default_tenant";
/// Chroma's default database.
pub const DEFAULT_DATABASE: &str = "default_database";
/// How long to wait for a TCP connection or a TLS handshake.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for one HTTP request.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }
}

/// How the server's certificate is verified, with the meaning of the seed's `chroma_server_ssl_verify`:
/// `true`, `false`, or a path to a CA certificate file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Verify {
    /// `true`: verify against the operating system's trust store.
    #[default]
    System,
    /// `false`: no verification at all. Loudly visible wherever it is used.
    Off,
    /// A path: verify against the certificates in this file (PEM, PEM bundle or DER).
    CaFile(PathBuf),
}

/// Which header carries a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenHeader {
    /// `Authorization: Bearer <token>` (the Python client's default).
    #[default]
    Bearer,
    /// `X-Chroma-Token: <token>` (Chroma Cloud, and `chroma_auth_token_transport_header`).
    XChromaToken,
}

/// Credentials sent with every request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// A token in the chosen header.
    Token {
        /// The token.
        token: Secret,
        /// The header that carries it.
        header: TokenHeader,
    },
    /// HTTP basic authentication.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: Secret,
    },
}

impl Auth {
    /// A short description without the secret, e.g. `token (Authorization: Bearer)`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::None => "none".to_owned(),
            Self::Token { header: TokenHeader::Bearer, .. } => "token (Authorization: Bearer)".to_owned(),
            Self::Token { header: TokenHeader::XChromaToken, .. } => "token (X-Chroma-Token)".to_owned(),
            Self::Basic { user, .. } => format!("basic (user {user})"),
        }
    }

    /// The header name and value to send, if any.
    #[must_use]
    pub fn header(&self) -> Option<(&'static str, String)> {
        match self {
            Self::None => None,
            Self::Token { token, header: TokenHeader::Bearer } => {
                Some(("authorization", format!("Bearer {}", token.expose())))
            }
            Self::Token { token, header: TokenHeader::XChromaToken } => {
                Some(("x-chroma-token", token.expose().to_owned()))
            }
            Self::Basic { user, password } => {
                Some(("authorization", format!("Basic {}", base64(format!("{user}:{}", password.expose()).as_bytes()))))
            }
        }
    }
}

/// The settings of one connection, each declared once. `A` holds the credentials: [`Auth`] with the secret in a
/// [`ConnectionSettings`] (ready to connect), [`ProfileAuth`] with only where the secret comes from in a saved
/// [`Profile`](super::Profile). Flags, forms and files change them through [`SettingsPatch`](super::SettingsPatch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection<A> {
    /// Where the server listens.
    pub endpoint: Endpoint,
    /// How the server certificate is verified (https only): `true`, `false` or a CA file, as in the seed's
    /// `chroma_server_ssl_verify`.
    pub verify: Verify,
    /// With a CA file: trust only that file, or that file plus the system store.
    pub ca_mode: CaMode,
    /// Client certificate chain (PEM) for mutual TLS.
    pub client_cert: Option<PathBuf>,
    /// Private key (PEM) of the client certificate.
    pub client_key: Option<PathBuf>,
    /// Connect to the endpoint's address but verify the certificate for, and send SNI as, this name.
    pub server_name: Option<String>,
    /// Credentials.
    pub auth: A,
    /// Chroma tenant.
    pub tenant: String,
    /// Chroma database.
    pub database: String,
    /// Limit for the TCP connection and the TLS handshake.
    pub connect_timeout: Duration,
    /// Limit for each HTTP request.
    pub request_timeout: Duration,
    /// Trust on first use: the SHA-256 fingerprint (`AB:CD:…`, as [`crate::tls::sha256_fingerprint`] writes it)
    /// the server's certificate must have. A different certificate fails the check with `tls.pin_mismatch`, even
    /// when it verifies.
    pub pinned_sha256: Option<String>,
}

/// Everything needed to reach one Chroma server with the user's trust and credentials (the secret included).
pub type ConnectionSettings = Connection<Auth>;

/// How credentials are held in a [`Connection`]: checked, described and compared the same way whether the secret
/// is there ([`Auth`]) or only where it comes from ([`ProfileAuth`]).
pub trait Credentials: Clone + PartialEq + Default {
    /// True when no credentials are sent.
    fn is_none(&self) -> bool;
    /// Checks the credentials; the error names the field.
    fn validate(&self) -> Result<(), SettingsError>;
    /// A short description without the secret, e.g. `token (X-Chroma-Token)`.
    fn describe(&self) -> String;
}

impl Credentials for Auth {
    fn is_none(&self) -> bool {
        *self == Self::None
    }

    fn describe(&self) -> String {
        Self::describe(self)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        match self {
            Self::Token { token, .. } if token.is_empty() => Err(SettingsError::new("token", "is empty")),
            Self::Token { token, .. } if !is_header_safe(token.expose()) => Err(SettingsError::new(
                "token",
                "contains characters that cannot be sent in an HTTP header (a newline or control character?)",
            )),
            Self::Basic { user, .. } => validate_basic_user(user),
            _ => Ok(()),
        }
    }
}

/// Checks the user of basic authentication: not empty, no `:` (it ends the user in the header).
pub(crate) fn validate_basic_user(user: &str) -> Result<(), SettingsError> {
    if user.is_empty() || user.contains(':') {
        return Err(SettingsError::new("basic_user", "must be non-empty and must not contain ':'"));
    }
    if user.chars().any(char::is_control) {
        return Err(SettingsError::new("basic_user", "must not contain control characters (a newline or tab?)"));
    }
    Ok(())
}

impl ConnectionSettings {
    /// Settings for a URL with every other setting at its default (verification on, system trust store).
    pub fn from_url(url: &str) -> Result<Self, SettingsError> {
        Ok(Self::new(parse_endpoint("url", url)?))
    }
}

impl<A: Credentials> Connection<A> {
    /// Settings for an endpoint with every other setting at its default (verification on with the system store,
    /// no credentials, the default tenant and database and timeouts).
    #[must_use]
    pub fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            verify: Verify::System,
            ca_mode: CaMode::Only,
            client_cert: None,
            client_key: None,
            server_name: None,
            auth: A::default(),
            tenant: DEFAULT_TENANT.to_owned(),
            database: DEFAULT_DATABASE.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            pinned_sha256: None,
        }
    }

    /// The same settings with other credentials.
    #[must_use]
    pub fn with_auth<B>(&self, auth: B) -> Connection<B> {
        let Self {
            endpoint,
            verify,
            ca_mode,
            client_cert,
            client_key,
            server_name,
            auth: _,
            tenant,
            database,
            connect_timeout,
            request_timeout,
            pinned_sha256,
        } = self;
        Connection {
            endpoint: endpoint.clone(),
            verify: verify.clone(),
            ca_mode: *ca_mode,
            client_cert: client_cert.clone(),
            client_key: client_key.clone(),
            server_name: server_name.clone(),
            auth,
            tenant: tenant.clone(),
            database: database.clone(),
            connect_timeout: *connect_timeout,
            request_timeout: *request_timeout,
            pinned_sha256: pinned_sha256.clone(),
        }
    }

    /// True for `https://` endpoints.
    #[must_use]
    pub fn is_tls(&self) -> bool {
        self.endpoint.scheme == Scheme::Https
    }

    /// The name the certificate must hold and SNI carries: the override if set, else the URL's host.
    #[must_use]
    pub fn tls_name(&self) -> &str {
        self.server_name.as_deref().unwrap_or(&self.endpoint.host)
    }

    /// The base URL as shown to users (never holds credentials).
    #[must_use]
    pub fn display_url(&self) -> String {
        let Endpoint { scheme, host, port, base_path } = &self.endpoint;
        let host = if host.contains(':') { format!("[{host}]") } else { host.clone() };
        format!("{}://{host}:{port}{base_path}", scheme.as_str())
    }

    /// The CA file, when verification uses one.
    #[must_use]
    pub fn ca_file(&self) -> Option<&std::path::Path> {
        match &self.verify {
            Verify::CaFile(path) => Some(path),
            _ => None,
        }
    }

    /// Checks every field; the error names the first field that is wrong.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let Self {
            endpoint,
            verify,
            ca_mode: _,
            client_cert,
            client_key,
            server_name,
            auth,
            tenant,
            database,
            connect_timeout,
            request_timeout,
            pinned_sha256,
        } = self;
        if endpoint.host.trim().is_empty() {
            return Err(SettingsError::new("host", "is empty"));
        }
        if endpoint.port == 0 {
            return Err(SettingsError::new("port", "is 0; give the port the server listens on"));
        }
        if let Verify::CaFile(path) = verify
            && path.as_os_str().is_empty()
        {
            return Err(SettingsError::new("ca_file", "is an empty path"));
        }
        match (client_cert, client_key) {
            (Some(_), None) => {
                return Err(SettingsError::new("client_key", "is missing: a client certificate needs its private key"));
            }
            (None, Some(_)) => {
                return Err(SettingsError::new(
                    "client_cert",
                    "is missing: a client key was given without its certificate",
                ));
            }
            _ => {}
        }
        if let Some(name) = server_name
            && rustls_pki_types::ServerName::try_from(name.as_str()).is_err()
        {
            return Err(SettingsError::new("server_name", format!("`{name}` is neither a DNS name nor an IP address")));
        }
        auth.validate()?;
        for (field, value) in [("tenant", tenant), ("database", database)] {
            if value.trim().is_empty() {
                return Err(SettingsError::new(field, "is empty"));
            }
            if value.contains('/') || value.contains('?') || value.contains('#') {
                return Err(SettingsError::new(field, format!("`{value}` must not contain '/', '?' or '#'")));
            }
            // A path segment `.` or `..` would change the request's path (`/tenants/../databases`).
            if value == "." || value == ".." {
                return Err(SettingsError::new(field, format!("cannot be `{value}`")));
            }
            if value.chars().any(char::is_control) {
                return Err(SettingsError::new(field, "must not contain control characters (a newline or tab?)"));
            }
        }
        for (field, value) in [("connect_timeout", connect_timeout), ("timeout", request_timeout)] {
            if value.is_zero() {
                return Err(SettingsError::new(field, "must be more than zero"));
            }
        }
        if let Some(pin) = pinned_sha256
            && normalize_sha256_fingerprint("pinned_sha256", pin)? != *pin
        {
            return Err(SettingsError::new("pinned_sha256", "must be written as uppercase hex pairs separated by ':'"));
        }
        Ok(())
    }

    /// Observations that are not errors but that the user should see (e.g. TLS settings on an http:// URL).
    #[must_use]
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.is_tls() {
            if self.verify == Verify::Off {
                warnings
                    .push("certificate verification is OFF: anyone on the path can impersonate this server".to_owned());
            }
        } else {
            if let Verify::CaFile(path) = &self.verify {
                warnings
                    .push(format!("the CA file is not used: the URL is http://, not https:// ({})", path.display()));
            }
            if self.client_cert.is_some() {
                warnings.push("the client certificate is not used: the URL is http://, not https://".to_owned());
            }
            if !self.auth.is_none() {
                warnings.push("credentials are sent in clear text over http://".to_owned());
            }
            if self.pinned_sha256.is_some() {
                warnings.push(
                    "the pinned certificate fingerprint is not used: the URL is http://, not https://".to_owned(),
                );
            }
        }
        warnings
    }

    /// The TLS part of these settings, for [`crate::tls::build_client_config`].
    #[must_use]
    pub fn tls_settings(&self) -> TlsSettings {
        let trust = match &self.verify {
            Verify::System => Trust::System,
            Verify::Off => Trust::Insecure,
            Verify::CaFile(path) => Trust::CaFile { path: path.clone(), mode: self.ca_mode },
        };
        let client_identity = match (&self.client_cert, &self.client_key) {
            (Some(cert_path), Some(key_path)) => {
                Some(ClientIdentity { cert_path: cert_path.clone(), key_path: key_path.clone() })
            }
            _ => None,
        };
        // An IP address as the server name: the connection goes to the URL's host, the certificate is verified
        // for that IP (a DNS name as the server name is the host of the client's URL instead).
        let verify_ip = self.server_name.as_deref().and_then(|name| name.parse::<std::net::IpAddr>().ok());
        TlsSettings { trust, client_identity, pinned_sha256: self.pinned_sha256.clone(), verify_ip }
    }
}

/// Reads a SHA-256 certificate fingerprint as users paste it — hex in any case, with or without `:` or spaces,
/// optionally after `sha256:`, `SHA256:` or openssl's `sha256 Fingerprint=` — and writes it as uppercase hex
/// pairs separated by `:`, the form [`crate::tls::sha256_fingerprint`] produces. `field` names the setting in
/// errors.
pub fn normalize_sha256_fingerprint(field: &'static str, input: &str) -> Result<String, SettingsError> {
    let text = input.trim();
    let text = text.rsplit_once('=').map_or(text, |(_, value)| value);
    let lower = text.to_ascii_lowercase();
    let text = lower.strip_prefix("sha256:").or_else(|| lower.strip_prefix("sha-256:")).unwrap_or(&lower);
    let hex: String = text.chars().filter(|c| !matches!(c, ':' | ' ' | '-')).collect();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(SettingsError::new(
            field,
            "must be a SHA-256 fingerprint: 64 hex digits, e.g. AB:CD:… as `openssl x509 -noout -fingerprint -sha256` \
             prints it",
        ));
    }
    let upper = hex.to_ascii_uppercase();
    let pairs: Vec<&str> = (0..32).filter_map(|i| upper.get(i * 2..i * 2 + 2)).collect();
    Ok(pairs.join(":"))
}

/// True when `value` can be an HTTP header value (visible ASCII, spaces and tabs).
fn is_header_safe(value: &str) -> bool {
    value.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
}

/// A setting that is wrong, with the field's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {message}")]
pub struct SettingsError {
    /// The setting's name as the user knows it (`url`, `ca_file`, `client_key`, `tenant`, ...).
    pub field: &'static str,
    /// What is wrong, as the rest of a sentence starting with the field name.
    pub message: String,
}

impl SettingsError {
    /// A new error for `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }

    /// The setting to change, when [`field`](Self::field) names a connection setting (not for `name` or
    /// `profile`).
    #[must_use]
    pub fn setting(&self) -> Option<Setting> {
        Setting::from_field(self.field)
    }
}

impl fmt::Display for Verify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::System => f.write_str("system trust store"),
            Self::Off => f.write_str("OFF (no verification)"),
            Self::CaFile(path) => write!(f, "CA file {}", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ConnectionSettings {
        ConnectionSettings::from_url("https://localhost:8443").expect("url")
    }

    #[test]
    fn defaults_verify_with_the_system_store() {
        let s = settings();
        assert_eq!(s.verify, Verify::System);
        assert_eq!(s.tenant, DEFAULT_TENANT);
        assert_eq!(s.database, DEFAULT_DATABASE);
        assert!(s.validate().is_ok());
        assert_eq!(s.tls_settings().trust, Trust::System);
    }

    #[test]
    fn validation_names_the_field() {
        let mut s = settings();
        s.client_cert = Some("c.pem".into());
        assert_eq!(s.validate().expect_err("key missing").field, "client_key");
        let mut s = settings();
        s.server_name = Some("not a name".into());
        assert_eq!(s.validate().expect_err("bad name").field, "server_name");
        let mut s = settings();
        s.tenant = " ".into();
        assert_eq!(s.validate().expect_err("tenant").field, "tenant");
        let mut s = settings();
        s.database = "a/b".into();
        assert_eq!(s.validate().expect_err("database").field, "database");
        let mut s = settings();
        s.request_timeout = Duration::ZERO;
        let err = s.validate().expect_err("timeout");
        assert_eq!(err.field, "timeout");
        assert_eq!(err.setting(), Some(Setting::RequestTimeout));
        let mut s = settings();
        s.client_key = Some("k.pem".into());
        let err = s.validate().expect_err("cert missing");
        assert_eq!(err.setting(), Some(Setting::ClientCert));
        assert!(!err.to_string().contains("--"), "{err}");
        let mut s = settings();
        s.auth = Auth::Token { token: Secret::new("a\nb"), header: TokenHeader::Bearer };
        let err = s.validate().expect_err("token");
        assert_eq!(err.field, "token");
        assert!(!err.to_string().contains("a\nb"));
    }

    #[test]
    fn auth_headers() {
        let token = Auth::Token { token: Secret::new("t0k"), header: TokenHeader::Bearer };
        assert_eq!(token.header(), Some(("authorization", "Bearer t0k".to_owned())));
        let token = Auth::Token { token: Secret::new("t0k"), header: TokenHeader::XChromaToken };
        assert_eq!(token.header(), Some(("x-chroma-token", "t0k".to_owned())));
        let basic = Auth::Basic { user: "Aladdin".into(), password: Secret::new("open sesame") };
        assert_eq!(basic.header(), Some(("authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".to_owned())));
        let basic = Auth::Basic { user: "a".into(), password: Secret::new("bc") };
        assert_eq!(basic.header().map(|h| h.1), Some("Basic YTpiYw==".to_owned()));
        assert!(!format!("{basic:?}").contains("bc\""));
    }

    #[test]
    fn fingerprints_are_normalized() {
        let want = (0..32).map(|i| format!("{:02X}", i * 7)).collect::<Vec<_>>().join(":");
        let plain = want.replace(':', "").to_ascii_lowercase();
        for input in [
            want.clone(),
            plain.clone(),
            format!("sha256:{plain}"),
            format!("sha256 Fingerprint={want}"),
            format!("  {}  ", want.replace(':', " ")),
        ] {
            assert_eq!(normalize_sha256_fingerprint("pin", &input).as_deref(), Ok(want.as_str()), "{input}");
        }
        for bad in ["", "AB:CD", &format!("{plain}00"), &plain.replace('0', "g")] {
            assert_eq!(normalize_sha256_fingerprint("pin", bad).expect_err(bad).field, "pin");
        }
        let mut s = settings();
        s.pinned_sha256 = Some(plain);
        assert_eq!(s.validate().expect_err("lowercase pin").field, "pinned_sha256");
        s.pinned_sha256 = Some(want);
        assert!(s.validate().is_ok());
    }

    #[test]
    fn dot_segments_are_not_names() {
        for bad in [".", "..", "a\nb"] {
            let mut s = settings();
            s.tenant = bad.to_owned();
            assert_eq!(s.validate().expect_err(bad).field, "tenant", "{bad:?}");
            let mut s = settings();
            s.database = bad.to_owned();
            assert_eq!(s.validate().expect_err(bad).field, "database", "{bad:?}");
        }
        let mut s = settings();
        s.tenant = "...".to_owned();
        s.database = ".hidden".to_owned();
        assert!(s.validate().is_ok());
    }

    #[test]
    fn an_ip_address_as_server_name_is_verified_by_the_tls_layer() {
        let mut s = settings();
        s.server_name = Some("10.0.0.7".to_owned());
        assert_eq!(s.tls_settings().verify_ip, Some("10.0.0.7".parse().expect("ip")));
        s.server_name = Some("chroma.internal".to_owned());
        assert_eq!(s.tls_settings().verify_ip, None);
    }

    #[test]
    fn display_url_brackets_ipv6() {
        let s = ConnectionSettings::from_url("https://[::1]:8443/x").expect("url");
        assert_eq!(s.display_url(), "https://[::1]:8443/x");
    }

    #[test]
    fn ca_file_maps_to_trust_with_mode() {
        let mut s = settings();
        s.verify = Verify::CaFile("ca.pem".into());
        s.ca_mode = CaMode::Merge;
        assert_eq!(s.tls_settings().trust, Trust::CaFile { path: "ca.pem".into(), mode: CaMode::Merge });
        s.verify = Verify::Off;
        assert_eq!(s.tls_settings().trust, Trust::Insecure);
        assert_eq!(s.warnings().len(), 1);
    }
}
