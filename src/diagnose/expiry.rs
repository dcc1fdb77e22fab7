//! Expiry watch: for each saved profile, the server's certificates (one handshake, no request, no credentials),
//! its CA file and its client certificate, with the days each has left — what `profiles expiry` lists for cron.

use std::sync::Arc;
use std::time::SystemTime;

use serde::Serialize;
use tokio::sync::Semaphore;

use crate::profile::{Auth, Profile};
use crate::tls::{CertInfo, FileRole, cert_info, summarize_file};

/// How many profiles are checked at once by default.
pub const EXPIRY_CONCURRENCY: usize = 8;

/// Which certificate of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryKind {
    /// The certificate the server presents.
    ServerCertificate,
    /// Another certificate of the chain the server presents (an intermediate, or a root it sends).
    ServerChain,
    /// A certificate of the profile's CA file.
    CaFile,
    /// The profile's client certificate.
    ClientCertificate,
}

impl ExpiryKind {
    /// A few words for tables: `server`, `server chain`, `CA file`, `client cert`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::ServerCertificate => "server",
            Self::ServerChain => "server chain",
            Self::CaFile => "CA file",
            Self::ClientCertificate => "client cert",
        }
    }
}

/// One certificate and its time left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiryItem {
    /// The profile.
    pub profile: String,
    /// Which certificate.
    pub kind: ExpiryKind,
    /// Its subject (sanitized, cut).
    pub subject: String,
    /// Its `notAfter`, e.g. `2027-03-01 12:00:00 UTC`.
    pub not_after: String,
    /// Whole days left (negative once expired).
    pub days_left: i64,
    /// Where it was read: the server's address, or the file's path.
    pub source: String,
}

/// A certificate that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiryProblem {
    /// The profile.
    pub profile: String,
    /// Which certificate.
    pub kind: ExpiryKind,
    /// What went wrong.
    pub error: String,
}

/// What an expiry watch found, soonest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExpiryReport {
    /// Every certificate read, soonest expiry first.
    pub items: Vec<ExpiryItem>,
    /// What could not be read (an unreachable server, a missing file).
    pub problems: Vec<ExpiryProblem>,
    /// Profiles with nothing to watch (plain HTTP without files), with why.
    pub skipped: Vec<(String, String)>,
}

impl ExpiryReport {
    /// The items with fewer than `days` days left.
    pub fn within(&self, days: i64) -> impl Iterator<Item = &ExpiryItem> {
        self.items.iter().filter(move |item| item.days_left < days)
    }
}

/// Watches every profile, `concurrency` at a time (each handshake bounded by the profile's connect timeout).
pub async fn watch_expiry(profiles: Vec<Profile>, concurrency: usize, now: SystemTime) -> ExpiryReport {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, profile) in profiles.into_iter().enumerate() {
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, profile_expiry(&profile, now).await)
        });
    }
    let mut parts = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(part) = joined {
            parts.push(part);
        }
    }
    parts.sort_by_key(|(index, _)| *index);
    let mut report = ExpiryReport::default();
    for (_, part) in parts {
        report.items.extend(part.items);
        report.problems.extend(part.problems);
        report.skipped.extend(part.skipped);
    }
    report.items.sort_by(|a, b| a.days_left.cmp(&b.days_left).then_with(|| a.profile.cmp(&b.profile)));
    report
}

/// The certificates of one profile.
pub async fn profile_expiry(profile: &Profile, now: SystemTime) -> ExpiryReport {
    let mut report = ExpiryReport::default();
    let name = &profile.name;
    let item = |kind: ExpiryKind, info: &CertInfo, source: String| ExpiryItem {
        profile: name.clone(),
        kind,
        subject: super::sanitize_display(&info.subject, 200),
        not_after: info.not_after.clone(),
        days_left: info.days_left(now).unwrap_or(i64::MIN),
        source,
    };
    let problem = |kind: ExpiryKind, error: String| ExpiryProblem { profile: name.clone(), kind, error };
    let connection = &profile.connection;
    if connection.is_tls() {
        // A handshake sends no credentials: the secret is neither needed nor read.
        let settings = profile.connection.with_auth(Auth::None);
        match super::presented_certificate(&settings).await {
            Ok(presented) => {
                let source = presented.address.to_string();
                for (index, der) in presented.chain.iter().enumerate() {
                    let kind = if index == 0 { ExpiryKind::ServerCertificate } else { ExpiryKind::ServerChain };
                    match cert_info(der) {
                        Ok(info) => report.items.push(item(kind, &info, source.clone())),
                        Err(err) => report.problems.push(problem(kind, format!("cannot be read: {err}"))),
                    }
                }
            }
            Err(err) => report.problems.push(problem(ExpiryKind::ServerCertificate, err)),
        }
    }
    for (kind, role, path) in [
        (ExpiryKind::CaFile, FileRole::CaCertificates, connection.ca_file().map(std::path::Path::to_path_buf)),
        (ExpiryKind::ClientCertificate, FileRole::ClientCertificate, connection.client_cert.clone()),
    ] {
        let Some(path) = path else { continue };
        let shown = path.display().to_string();
        let summary = tokio::task::spawn_blocking(move || summarize_file(&path, role)).await;
        match summary {
            Ok(summary) if !summary.certificates.is_empty() => {
                // A client certificate file may carry its intermediates: its own certificate is the first.
                let certificates = if kind == ExpiryKind::ClientCertificate {
                    &summary.certificates[..1]
                } else {
                    &summary.certificates[..]
                };
                for info in certificates {
                    report.items.push(item(kind, info, shown.clone()));
                }
            }
            Ok(summary) => report.problems.push(problem(kind, format!("{shown}: {}", summary.text))),
            Err(err) => report.problems.push(problem(kind, format!("{shown}: {err}"))),
        }
    }
    if report.items.is_empty() && report.problems.is_empty() {
        report.skipped.push((name.clone(), "http:// and no certificate file: nothing expires".to_owned()));
    }
    report
}
