//! The result of a check: steps, diagnosis, server, certificates; as JSON (the CLI contract) and as text.

use std::fmt::Write as _;

use serde::Serialize;

use crate::profile::{ConnectionSettings, Setting};
use crate::tls::CertInfo;

use super::code::Code;
use super::text::{MAX_NAME_CHARS, sanitize_display};
use super::trust::ClientTrust;

/// The steps of a check, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// Resolve the host name.
    Dns,
    /// Open a TCP connection.
    Tcp,
    /// TLS handshake and certificate verification (https only).
    Tls,
    /// A first HTTP request (the heartbeat).
    Http,
    /// Detect the API generation and the server version.
    Api,
    /// Check the credentials (`/auth/identity`).
    Auth,
    /// Check that the tenant and database exist.
    Tenant,
    /// Count the collections.
    Collections,
}

impl Step {
    /// Every step in order.
    pub const ALL: [Self; 8] =
        [Self::Dns, Self::Tcp, Self::Tls, Self::Http, Self::Api, Self::Auth, Self::Tenant, Self::Collections];

    /// The step's name as in the JSON output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dns => "dns",
            Self::Tcp => "tcp",
            Self::Tls => "tls",
            Self::Http => "http",
            Self::Api => "api",
            Self::Auth => "auth",
            Self::Tenant => "tenant",
            Self::Collections => "collections",
        }
    }
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// It worked.
    Ok,
    /// It worked, with something the user should know (e.g. verification off).
    Warning,
    /// It failed; the check stopped here.
    Failed,
    /// It did not run (not applicable, or an earlier step failed).
    Skipped,
}

/// One step's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    /// Which step.
    pub step: Step,
    /// How it ended.
    pub status: StepStatus,
    /// Wall-clock milliseconds it took.
    pub ms: f64,
    /// What it found, in a few words.
    pub detail: String,
}

/// The conclusion: a stable code, a one-line summary, what to do, and the setting to change when that is the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// The stable code.
    pub code: Code,
    /// What happened, in one sentence.
    pub summary: String,
    /// What to do about it; may span several lines. Names settings by their [`Setting::label`], never by a
    /// command-line flag.
    pub hint: String,
    /// The setting the hint asks to change, if any (`"setting": "ca_file"` in JSON, or `null`).
    pub setting: Option<Setting>,
}

impl Diagnosis {
    /// The same diagnosis, pointing at `setting`.
    #[must_use]
    pub(crate) fn pointing_at(mut self, setting: impl Into<Option<Setting>>) -> Self {
        self.setting = setting.into();
        self
    }
}

/// Which server answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerInfo {
    /// `v2` or `v1`.
    pub api: String,
    /// The version the server reports (`1.0.0` for chroma 1.x's Rust server).
    pub version: String,
}

/// The negotiated TLS session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsSession {
    /// `TLSv1.3` or `TLSv1.2`.
    pub protocol: String,
    /// The cipher suite.
    pub cipher_suite: String,
    /// The ALPN protocol, if any.
    pub alpn: Option<String>,
}

/// What was checked: never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The URL as configured.
    pub url: String,
    /// The address connected to, once known.
    pub address: Option<String>,
    /// The name verified in the certificate and sent as SNI.
    pub server_name: String,
    /// How the certificate is verified.
    pub verify: String,
    /// Which credentials are sent (kind only).
    pub auth: String,
    /// Tenant checked.
    pub tenant: String,
    /// Database checked.
    pub database: String,
}

/// Everything a check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// True when the server is reachable, trusted, authorised and the tenant and database exist.
    pub ok: bool,
    /// What was checked.
    pub target: Target,
    /// The conclusion.
    pub diagnosis: Diagnosis,
    /// Every step, in order, including skipped ones.
    pub steps: Vec<StepReport>,
    /// The server, once identified.
    pub server: Option<ServerInfo>,
    /// The TLS session, once established.
    pub tls: Option<TlsSession>,
    /// The chain the server presented, leaf first (also when verification failed).
    pub certificates: Vec<CertInfo>,
    /// Whether other kinds of client would accept that chain (curl, Python, Node.js, browsers, this app with the
    /// profile), each with the reason and the fix; empty when there is no chain.
    pub trust: Vec<ClientTrust>,
    /// The number of collections in the database.
    pub collections_count: Option<u64>,
    /// Things to know that are not failures (e.g. verification off).
    pub warnings: Vec<String>,
}

impl CheckReport {
    /// The report for settings that could not even be read (the CLI's bad flags): every step skipped.
    #[must_use]
    /// `url` is shown as the target, its password (if it holds one) replaced by `***`.
    pub fn settings_failure(url: &str, err: &crate::profile::SettingsError) -> Self {
        let diagnosis = super::findings::settings_error(err);
        let steps = Step::ALL
            .into_iter()
            .map(|step| StepReport {
                step,
                status: StepStatus::Skipped,
                ms: 0.0,
                detail: "not run: the settings are invalid".to_owned(),
            })
            .collect();
        let unknown = || "unknown".to_owned();
        Self {
            ok: false,
            target: Target {
                url: crate::profile::redact_url(url),
                address: None,
                server_name: unknown(),
                verify: unknown(),
                auth: unknown(),
                tenant: unknown(),
                database: unknown(),
            },
            diagnosis,
            steps,
            server: None,
            tls: None,
            certificates: Vec::new(),
            trust: Vec::new(),
            collections_count: None,
            warnings: Vec::new(),
        }
    }

    /// The report as pretty JSON (the CLI's `--json` contract).
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|err| format!("{{\"error\":\"{err}\"}}"))
    }

    /// The report as text for a terminal: target, step timeline, diagnosis, hint, certificate chain.
    #[must_use]
    pub fn to_text(&self) -> String {
        self.to_text_with(|_| None)
    }

    /// [`to_text`](Self::to_text), with `how` telling how this face changes a setting (e.g. a command-line
    /// flag), shown after the setting's label.
    #[must_use]
    pub fn to_text_with(&self, how: impl Fn(Setting) -> Option<String>) -> String {
        let mut out = self.target.to_text();
        for step in &self.steps {
            out.push_str(&step_line(step));
            out.push('\n');
        }
        out.push_str(&self.conclusion_text_with(how));
        out
    }

    /// The text after the step timeline: diagnosis, hint, the setting to change, warnings, TLS session and
    /// certificate chain.
    #[must_use]
    pub fn conclusion_text(&self) -> String {
        self.conclusion_text_with(|_| None)
    }

    /// [`conclusion_text`](Self::conclusion_text), with `how` telling how this face changes a setting (e.g. a
    /// command-line flag): `  setting: CA file (--ca-file)`.
    #[must_use]
    pub fn conclusion_text_with(&self, how: impl Fn(Setting) -> Option<String>) -> String {
        let mut out = String::from("\n");
        let marker = if self.ok { "OK" } else { "PROBLEM" };
        let _ = writeln!(out, "{marker} [{}] {}", self.diagnosis.code, self.diagnosis.summary);
        if !self.diagnosis.hint.is_empty() {
            for line in self.diagnosis.hint.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        if let Some(setting) = self.diagnosis.setting {
            match how(setting) {
                Some(how) => {
                    let _ = writeln!(out, "  setting: {} ({how})", setting.label());
                }
                None => {
                    let _ = writeln!(out, "  setting: {}", setting.label());
                }
            }
        }
        for warning in &self.warnings {
            let _ = writeln!(out, "WARNING: {warning}");
        }
        if let Some(tls) = &self.tls {
            let alpn = tls.alpn.as_deref().unwrap_or("none");
            let _ = writeln!(out, "\nTLS: {} {} (ALPN {alpn})", tls.protocol, tls.cipher_suite);
        }
        if !self.certificates.is_empty() {
            let _ = writeln!(out, "\nCertificate chain presented by the server ({}):", self.certificates.len());
            for (index, cert) in self.certificates.iter().enumerate() {
                out.push_str(&cert_text(index, cert));
            }
        }
        if !self.trust.is_empty() {
            let name = sanitize_display(&self.target.server_name, MAX_NAME_CHARS);
            let _ = writeln!(out, "\nWould other clients connect to {name}?");
            for client in &self.trust {
                out.push_str(&trust_text(client));
            }
        }
        out
    }
}

impl Target {
    /// What a check of `settings` targets (the address is filled in once connected).
    #[must_use]
    pub fn of(settings: &ConnectionSettings) -> Self {
        Self {
            url: settings.display_url(),
            address: None,
            server_name: settings.tls_name().to_owned(),
            verify: if settings.is_tls() { settings.verify.to_string() } else { "not used (http://)".to_owned() },
            auth: settings.auth.describe(),
            tenant: settings.tenant.clone(),
            database: settings.database.clone(),
        }
    }

    /// The header of the text report.
    #[must_use]
    pub fn to_text(&self) -> String {
        self.to_text_with(&[])
    }

    /// The header of the text report with more lines after `verify`, each a label (up to 12 characters) and a
    /// value, e.g. `("ca file", "2 certificates: …")`.
    #[must_use]
    pub fn to_text_with(&self, files: &[(&str, String)]) -> String {
        let mut out = String::new();
        let Self { url, address, server_name, verify, auth, tenant, database } = self;
        let _ = writeln!(out, "Checking {url}");
        if let Some(address) = address {
            let _ = writeln!(out, "  address      {address}");
        }
        let _ = writeln!(out, "  server name  {server_name}");
        let _ = writeln!(out, "  verify       {verify}");
        for (label, value) in files {
            let _ = writeln!(out, "  {label:<12} {value}");
        }
        let _ = writeln!(out, "  auth         {auth}");
        let _ = writeln!(out, "  tenant/db    {tenant} / {database}");
        out.push('\n');
        out
    }
}

/// One timeline line, e.g. `  ✓ tls          3.1 ms  TLSv1.3, certificate verified`.
#[must_use]
pub fn step_line(step: &StepReport) -> String {
    let mark = match step.status {
        StepStatus::Ok => "✓",
        StepStatus::Warning => "!",
        StepStatus::Failed => "✗",
        StepStatus::Skipped => "-",
    };
    let ms = if step.status == StepStatus::Skipped { String::new() } else { format!("{:.1} ms", step.ms) };
    let detail = sanitize_display(&step.detail, MAX_DETAIL_CHARS);
    format!("  {mark} {:<12}{ms:>10}  {detail}", step.step.as_str()).trim_end().to_owned()
}

/// Longest step detail shown in text (characters).
const MAX_DETAIL_CHARS: usize = 400;

/// One client of the trust block: `  ✗ Node.js (Mozilla's root list, bundled in Node.js): unknown_issuer`, then the
/// reason and the fix, indented.
fn trust_text(client: &ClientTrust) -> String {
    let mark = match (client.accepted, client.plainly_accepted()) {
        (true, true) => "✓",
        (true, false) => "!",
        (false, _) => "✗",
    };
    let mut out = String::new();
    let clean = |text: &str| sanitize_display(text, MAX_DETAIL_CHARS * 2);
    let _ = writeln!(out, "  {mark} {} ({}): {}", client.client, clean(&client.store_text), client.reason.as_str());
    let _ = writeln!(out, "      {}", clean(&client.reason_text));
    if let Some(fix) = &client.fix {
        let _ = writeln!(out, "      fix: {}", clean(fix));
    }
    out
}

fn cert_text(index: usize, cert: &CertInfo) -> String {
    let mut out = String::new();
    let role = if index == 0 { "leaf" } else { "chain" };
    let name = |text: &str| sanitize_display(text, MAX_NAME_CHARS);
    let _ = writeln!(out, "  [{index}] {role}: {}", name(&cert.subject));
    let _ = writeln!(out, "      issuer     {}", name(&cert.issuer));
    if !cert.sans.is_empty() {
        let names: Vec<String> = cert.sans.iter().map(|san| name(san)).collect();
        let _ = writeln!(out, "      names      {}", sanitize_display(&names.join(", "), MAX_DETAIL_CHARS));
    }
    let _ = writeln!(out, "      valid      {} to {}", cert.not_before, cert.not_after);
    let mut flags = Vec::new();
    if cert.is_ca {
        flags.push("CA:TRUE");
    }
    if cert.self_signed {
        flags.push("self-signed");
    }
    let flags = if flags.is_empty() { String::new() } else { format!("  ({})", flags.join(", ")) };
    let _ = writeln!(out, "      key        {}{flags}", cert.key);
    let _ = writeln!(out, "      sha256     {}", cert.sha256);
    out
}
