//! What a CA file, client certificate or private-key file holds, in one line a person can read next to the
//! file's name: the certificates with their validity, the kind of key, or exactly what is wrong.
//!
//! Reads files with the same rules and parsers as the loaders ([`load_ca_file`](super::load_ca_file),
//! [`load_client_cert_chain`](super::load_client_cert_chain), [`load_client_key`](super::load_client_key)):
//! anything but a regular file, or a file over [`MAX_FILE_BYTES`], is refused before it is opened.

use std::fmt::{self, Write as _};
use std::path::Path;
use std::time::SystemTime;

use rustls_pki_types::PrivateKeyDer;
use x509_parser::prelude::FromDer as _;
use x509_parser::time::ASN1Time;
use x509_parser::x509::{SubjectPublicKeyInfo, X509Name};

use super::ca::{
    CertProblem, MAX_FILE_BYTES, NOTHING_RECOGNISED, ReadError, certificates_from_bytes, pem_labels, read_file,
};
use super::certinfo::{self, CertInfo, cert_info};
use super::identity::private_key_from_bytes;

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    /// The certificates that verify servers: CA certificates, or a self-signed server certificate trusted
    /// directly.
    CaCertificates,
    /// A client certificate for mutual TLS, optionally followed by its intermediates.
    ClientCertificate,
    /// The client certificate's private key.
    PrivateKey,
}

impl fmt::Display for FileRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CaCertificates => "CA file",
            Self::ClientCertificate => "client certificate file",
            Self::PrivateKey => "client private key file",
        })
    }
}

/// What a file holds, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// Whether the file can serve its role. False when it is missing, unreadable, holds the wrong thing, or its
    /// certificates are expired or not yet valid; a remark that is not a failure (a self-signed server
    /// certificate in a CA file) leaves it true.
    pub ok: bool,
    /// One line: "2 certificates: Acme Root CA (CA, valid until 2031-04-02), …", "EC P-256 private key
    /// (PKCS#8)", or the problem, e.g. "file not found" or "expired on 2024-01-01". Never holds key material.
    pub text: String,
    /// The certificates of the file, in file order; empty for a key or a file that cannot be read.
    pub certificates: Vec<CertInfo>,
}

/// Reads `path` and summarizes it for `role`. Blocks on the file system; never panics; never opens anything
/// but a regular file of at most [`MAX_FILE_BYTES`].
#[must_use]
pub fn summarize_file(path: &Path, role: FileRole) -> FileSummary {
    match read_file(path) {
        Ok(bytes) => summarize_bytes(&bytes, role),
        Err(err) => FileSummary::problem(read_problem(&err)),
    }
}

/// Summarizes the content of a file for `role` (PEM or DER, detected from the content).
#[must_use]
pub fn summarize_bytes(bytes: &[u8], role: FileRole) -> FileSummary {
    summarize_at(bytes, role, SystemTime::now())
}

/// Certificates listed one by one; the rest are counted.
const LISTED: usize = 3;
/// Validity shorter than this many days is shown as "N days left".
const DAYS_LEFT_SHOWN: i64 = 365;

impl FileSummary {
    fn problem(text: impl Into<String>) -> Self {
        Self { ok: false, text: text.into(), certificates: Vec::new() }
    }
}

fn summarize_at(bytes: &[u8], role: FileRole, now: SystemTime) -> FileSummary {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_FILE_BYTES {
        return FileSummary::problem(read_problem(&ReadError::TooLarge(u64::try_from(bytes.len()).unwrap_or(0))));
    }
    if bytes.trim_ascii().is_empty() {
        return FileSummary::problem("empty file");
    }
    match role {
        FileRole::PrivateKey => summarize_key(bytes),
        FileRole::CaCertificates | FileRole::ClientCertificate => summarize_certificates(bytes, role, now),
    }
}

fn read_problem(err: &ReadError) -> String {
    match err {
        ReadError::Missing => "file not found".to_owned(),
        ReadError::Unreadable(err) => format!("cannot be read: {err}"),
        ReadError::NotRegular(kind) => format!("not a regular file: {kind}"),
        ReadError::TooLarge(size) => format!("larger than 1 MiB ({size} bytes): not a certificate or key file"),
    }
}

fn summarize_key(bytes: &[u8]) -> FileSummary {
    let key = match private_key_from_bytes(bytes) {
        Ok(key) => key,
        Err(detail) => return FileSummary::problem(detail),
    };
    let format = match &key {
        PrivateKeyDer::Pkcs8(_) => "PKCS#8",
        PrivateKeyDer::Pkcs1(_) => "PKCS#1",
        PrivateKeyDer::Sec1(_) => "SEC1",
        _ => "unknown format",
    };
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    match provider.key_provider.load_private_key(key) {
        Ok(signing_key) => {
            let kind = signing_key
                .public_key()
                .and_then(|spki| {
                    SubjectPublicKeyInfo::from_der(spki.as_ref()).ok().map(|(_, spki)| certinfo::key_description(&spki))
                })
                .unwrap_or_else(|| format!("{:?}", signing_key.algorithm()));
            FileSummary { ok: true, text: format!("{kind} private key ({format})"), certificates: Vec::new() }
        }
        Err(err) => FileSummary::problem(format!("a {format} private key that cannot be used ({err})")),
    }
}

fn summarize_certificates(bytes: &[u8], role: FileRole, now: SystemTime) -> FileSummary {
    let ders = match certificates_from_bytes(bytes) {
        Ok(ders) => ders,
        Err(CertProblem::NoCertificate(found)) => return FileSummary::problem(no_certificate(&found)),
        Err(CertProblem::Invalid(detail)) => return FileSummary::problem(detail),
    };
    let mut certificates = Vec::with_capacity(ders.len());
    for der in &ders {
        match cert_info(der) {
            Ok(info) => certificates.push(info),
            Err(err) => return FileSummary::problem(err.to_string()),
        }
    }
    let holds_key = pem_labels(bytes).iter().any(|label| label.ends_with("PRIVATE KEY"));
    let (ok, notes) = match role {
        FileRole::CaCertificates => ca_verdict(&certificates, now, holds_key),
        FileRole::ClientCertificate | FileRole::PrivateKey => client_verdict(&certificates, now, holds_key),
    };
    let mut text = list_text(&certificates, now);
    for note in notes {
        text.push_str("; ");
        text.push_str(&note);
    }
    FileSummary { ok, text, certificates }
}

/// Whether a CA file can verify servers: some certificate is a CA (or a self-signed server certificate) and
/// valid now. Remarks about the rest.
fn ca_verdict(certificates: &[CertInfo], now: SystemTime, holds_key: bool) -> (bool, Vec<String>) {
    let ok = certificates.iter().any(|cert| (cert.is_ca || cert.self_signed) && valid_at(cert, now));
    let mut notes = Vec::new();
    let leaves: Vec<&CertInfo> = certificates.iter().filter(|cert| !cert.is_ca).collect();
    match (certificates.len(), leaves.as_slice()) {
        (_, []) => {}
        (1, [leaf]) if leaf.self_signed => {
            notes.push("self-signed server certificate, can be trusted directly".to_owned());
        }
        (1, [leaf]) => notes.push(format!(
            "a server certificate, not a CA: trust the CA that issued it ({}) instead",
            issuer_name(leaf)
        )),
        (_, leaves) => notes.push(format!(
            "{} of them {} not a CA (a server certificate?)",
            leaves.len(),
            if leaves.len() == 1 { "is" } else { "are" }
        )),
    }
    if holds_key {
        notes.push("the file also holds a private key, which a CA file should not".to_owned());
    }
    (ok, notes)
}

/// Whether a client certificate file can be presented: the first certificate is the client's (not a CA) and
/// valid now.
fn client_verdict(certificates: &[CertInfo], now: SystemTime, holds_key: bool) -> (bool, Vec<String>) {
    let mut notes = Vec::new();
    let Some(first) = certificates.first() else { return (false, notes) };
    let mut ok = valid_at(first, now);
    if first.is_ca {
        ok = false;
        notes.push(
            "the first certificate is a CA, not a client certificate: the client's own certificate must come first"
                .to_owned(),
        );
    }
    if holds_key {
        notes.push("the file also holds a private key".to_owned());
    }
    (ok, notes)
}

/// "2 certificates: A (CA, valid until …), B (…)", at most [`LISTED`] described and the rest counted.
fn list_text(certificates: &[CertInfo], now: SystemTime) -> String {
    let total = certificates.len();
    let described: Vec<String> = certificates.iter().take(LISTED).map(|cert| describe(cert, now)).collect();
    let mut text = format!("{total} certificate{}: {}", if total == 1 { "" } else { "s" }, described.join(", "));
    let rest = certificates.get(LISTED..).unwrap_or_default();
    if !rest.is_empty() {
        let _ = write!(text, " and {} more", rest.len());
        let outside = rest.iter().filter(|cert| !valid_at(cert, now)).count();
        if outside > 0 {
            let _ = write!(text, " ({outside} of them expired or not yet valid)");
        }
    }
    text
}

/// "Acme Root CA (CA, valid until 2031-04-02)", "chroma.local (not a CA, valid until 2027-03-01, 92 days
/// left)", "old (CA, expired on 2024-01-01)".
fn describe(cert: &CertInfo, now: SystemTime) -> String {
    let kind = if cert.is_ca { "CA" } else { "not a CA" };
    let validity = if cert.expired_at(now) {
        format!("expired on {}", date(cert.not_after_unix))
    } else if cert.not_yet_valid_at(now) {
        format!("not valid before {}", date(cert.not_before_unix))
    } else {
        let mut text = format!("valid until {}", date(cert.not_after_unix));
        if let Some(days) = cert.days_left(now).filter(|days| *days <= DAYS_LEFT_SHOWN) {
            let _ = write!(text, ", {days} day{} left", if days == 1 { "" } else { "s" });
        }
        text
    };
    format!("{} ({kind}, {validity})", subject_name(cert))
}

fn valid_at(cert: &CertInfo, now: SystemTime) -> bool {
    !cert.expired_at(now) && !cert.not_yet_valid_at(now)
}

/// `YYYY-MM-DD` (UTC) of seconds since the Unix epoch.
fn date(secs: i64) -> String {
    ASN1Time::from_timestamp(secs)
        .map_or_else(|_| "an unknown date".to_owned(), |time| time.to_datetime().date().to_string())
}

/// The subject's common name, else the first subject alternative name, else the whole subject.
fn subject_name(cert: &CertInfo) -> String {
    certinfo::parse(&cert.der)
        .ok()
        .and_then(|parsed| common_name(parsed.subject()))
        .or_else(|| cert.sans.first().cloned())
        .unwrap_or_else(|| if cert.subject.is_empty() { "(no name)".to_owned() } else { cert.subject.clone() })
}

/// The issuer's common name, else the whole issuer name.
fn issuer_name(cert: &CertInfo) -> String {
    certinfo::parse(&cert.der)
        .ok()
        .and_then(|parsed| common_name(parsed.issuer()))
        .unwrap_or_else(|| cert.issuer.clone())
}

fn common_name(name: &X509Name<'_>) -> Option<String> {
    name.iter_common_name().next().and_then(|cn| cn.as_str().ok()).filter(|cn| !cn.is_empty()).map(str::to_owned)
}

/// The text for certificate bytes that hold no certificate; `found` is what they hold instead.
fn no_certificate(found: &str) -> String {
    match found {
        NOTHING_RECOGNISED => "not PEM or DER: no certificate found".to_owned(),
        "a certificate signing request" => {
            "a certificate signing request (CSR), not a certificate: the certificate is what the CA returns for it"
                .to_owned()
        }
        other => format!("no certificate: the file holds {other}"),
    }
}

#[cfg(test)]
mod tests;
