//! The support bundle: one JSON file a customer attaches to a ticket — the check report (steps with their timings,
//! diagnosis, the presented chain with its details, warnings), the chain as PEM, what the profile's certificate and
//! key files hold, the settings without any secret, the app's version and the operating system.
//!
//! Nothing secret can be in it: the report and the settings never hold a token, password or URL credentials (the
//! URL is shown as [`crate::profile::ConnectionSettings::display_url`] writes it), and file summaries never hold key
//! material.

use serde::Serialize;

use crate::profile::{Connection, Credentials};
use crate::tls::{FileRole, chain_pem, summarize_file};

use super::CheckReport;

/// The version of the bundle's layout. Fields are only ever added.
pub const BUNDLE_VERSION: u32 = 1;

/// The operating system, as far as the app can tell without running anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OsInfo {
    /// `linux`, `macos`, `windows`, …
    pub os: String,
    /// `x86_64`, `aarch64`, …
    pub arch: String,
    /// `unix` or `windows`.
    pub family: String,
    /// The distribution's name on Linux (`PRETTY_NAME` of /etc/os-release), when known.
    pub release: Option<String>,
}

impl OsInfo {
    /// This machine. Reads /etc/os-release on Linux (blocking, a small file).
    #[must_use]
    pub fn current() -> Self {
        let release = if cfg!(target_os = "linux") {
            std::fs::read_to_string("/etc/os-release").ok().and_then(|text| {
                text.lines().find_map(|line| {
                    line.strip_prefix("PRETTY_NAME=").map(|v| super::sanitize_display(v.trim_matches('"'), 100))
                })
            })
        } else {
            None
        };
        Self {
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
            family: std::env::consts::FAMILY.to_owned(),
            release,
        }
    }
}

/// What one of the profile's files holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleFile {
    /// `ca_file`, `client_cert` or `client_key`.
    pub setting: &'static str,
    /// The path.
    pub path: String,
    /// Whether it can serve its role.
    pub ok: bool,
    /// Its summary (certificates and their validity, or the key's type; never key material).
    pub summary: String,
}

/// The settings, without any secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleSettings {
    /// The URL (never with credentials).
    pub url: String,
    /// `system`, `off`, or the CA file's path.
    pub verify: String,
    /// `only` or `merge`.
    pub ca_mode: String,
    /// The name the certificate is verified for.
    pub server_name: String,
    /// The client certificate and key paths, when set.
    pub client_cert: Option<String>,
    /// The client key's path.
    pub client_key: Option<String>,
    /// The kind of credentials and their header, never the secret, e.g. `token (X-Chroma-Token)`.
    pub auth: String,
    /// Tenant.
    pub tenant: String,
    /// Database.
    pub database: String,
    /// Connect timeout in seconds.
    pub connect_timeout_secs: f64,
    /// Request timeout in seconds.
    pub request_timeout_secs: f64,
    /// The pinned fingerprint, when set (a public value).
    pub pinned_sha256: Option<String>,
    /// The settings' warnings (verification off, credentials over http://, …).
    pub warnings: Vec<String>,
}

/// The app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    /// `chroma-connect`.
    pub name: &'static str,
    /// The version.
    pub version: &'static str,
}

/// Everything a support engineer needs about one failing (or working) connection.
#[derive(Debug, Clone, Serialize)]
pub struct SupportBundle {
    /// [`BUNDLE_VERSION`].
    pub bundle_version: u32,
    /// When it was made (RFC 3339, UTC).
    pub created_at: String,
    /// The app.
    pub app: AppInfo,
    /// The operating system.
    pub os: OsInfo,
    /// The saved profile, when the check used one.
    pub profile: Option<String>,
    /// The settings, without secrets.
    pub settings: BundleSettings,
    /// What the certificate and key files hold.
    pub files: Vec<BundleFile>,
    /// The check report: what `check --json` prints (steps with durations, diagnosis, server, TLS session,
    /// certificates, warnings).
    pub check: CheckReport,
    /// The report as the CLI prints it, for reading in a ticket.
    pub check_text: String,
    /// The presented chain as PEM (empty when there was no handshake).
    pub chain_pem: String,
}

impl SupportBundle {
    /// A bundle of `report`, made with `connection` (of a profile named `profile`, if any). Reads the certificate
    /// and key files and /etc/os-release: call it off the UI thread and off the async runtime.
    #[must_use]
    pub fn new<A: Credentials>(report: &CheckReport, connection: &Connection<A>, profile: Option<&str>) -> Self {
        let path_text = |path: &std::path::Path| path.to_string_lossy().into_owned();
        let mut files = Vec::new();
        let wanted = [
            ("ca_file", FileRole::CaCertificates, connection.ca_file()),
            ("client_cert", FileRole::ClientCertificate, connection.client_cert.as_deref()),
            ("client_key", FileRole::PrivateKey, connection.client_key.as_deref()),
        ];
        for (setting, role, path) in wanted {
            if let Some(path) = path {
                let summary = summarize_file(path, role);
                files.push(BundleFile { setting, path: path_text(path), ok: summary.ok, summary: summary.text });
            }
        }
        let settings = BundleSettings {
            url: connection.display_url(),
            verify: match &connection.verify {
                crate::profile::Verify::System => "system".to_owned(),
                crate::profile::Verify::Off => "off".to_owned(),
                crate::profile::Verify::CaFile(path) => path_text(path),
            },
            ca_mode: format!("{:?}", connection.ca_mode).to_lowercase(),
            server_name: connection.tls_name().to_owned(),
            client_cert: connection.client_cert.as_deref().map(path_text),
            client_key: connection.client_key.as_deref().map(path_text),
            auth: connection.auth.describe(),
            tenant: connection.tenant.clone(),
            database: connection.database.clone(),
            connect_timeout_secs: connection.connect_timeout.as_secs_f64(),
            request_timeout_secs: connection.request_timeout.as_secs_f64(),
            pinned_sha256: connection.pinned_sha256.clone(),
            warnings: connection.warnings(),
        };
        Self {
            bundle_version: BUNDLE_VERSION,
            created_at: crate::tls::now_rfc3339(),
            app: AppInfo { name: "chroma-connect", version: env!("CARGO_PKG_VERSION") },
            os: OsInfo::current(),
            profile: profile.map(str::to_owned),
            settings,
            files,
            check: report.clone(),
            check_text: report.to_text(),
            chain_pem: chain_pem(&report.certificates),
        }
    }

    /// The bundle as pretty JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|err| format!("{{\"error\":\"{err}\"}}"))
    }
}
