//! Entry points for fuzzing: one function per parser of outside input, each taking raw bytes and calling the same
//! code the product runs on them, then checking the invariants that must hold for any input. They never return an
//! error: a parse failure is a normal outcome; only a panic (or a hang) is a failure.
//!
//! The cargo-fuzz crate in `fuzz/` runs each of them under libFuzzer (`scripts/fuzz.sh`), and `tests/fuzz_smoke.rs`
//! replays the committed seeds (`fuzz/seeds/<target>/`) and a few thousand mutations of them in `cargo test`. Not
//! part of the product's API.

use std::path::{Path, PathBuf};

use rustls_pki_types::CertificateDer;

use crate::chroma::{self, BrowseError, ChromaError, Database, ErrorResponse, Identity, Records, Tenant};
use crate::diagnose::{Diagnosis, diagnose_browse_error, diagnose_chroma_error};
use crate::profile::{
    self, Auth, ConnectionSettings, Endpoint, Secret, TokenHeader, endpoint_from_parts, parse_endpoint, redact_url,
};
use crate::tls::ca::CertProblem;
use crate::tls::{self, CertInfo, ClientIdentity, FileRole};

/// One fuzz target: its name (the cargo-fuzz target and the seed folder `fuzz/seeds/<name>/`) and its entry.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// Runs one input; panics when an invariant does not hold.
    pub entry: fn(&[u8]),
}

/// Every fuzz target.
pub const TARGETS: [Target; 6] = [
    Target { name: "url_input", entry: url_input },
    Target { name: "profile_toml", entry: profile_toml },
    Target { name: "tls_certificates", entry: tls_certificates },
    Target { name: "tls_key", entry: tls_key },
    Target { name: "chroma_json", entry: chroma_json },
    Target { name: "error_body", entry: error_body },
];

/// What a user pastes or types as a server address: the URL field of the editor and `--url`
/// ([`parse_endpoint`]), a host with a separate port and `ssl` as profile files and Chroma's clients give them
/// ([`endpoint_from_parts`]), `CHROMA_HOST` with its companions ([`profile::profile_from_chroma_env`]), the
/// editor's reading of a pasted URL with credentials ([`crate::app::Draft::take_url_credentials`]) and
/// [`redact_url`]. The input is the text (invalid UTF-8 replaced, as a text field would never hold it).
///
/// # Panics
///
/// When an accepted endpoint does not read back from its display URL, when a password shows in an error, or when
/// the editor keeps credentials in a URL.
pub fn url_input(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let input = input.as_ref();
    let parsed = parse_endpoint("url", input);
    match &parsed {
        Ok(endpoint) => assert_round_trip(endpoint),
        Err(err) => assert_no_password(input, &err.to_string()),
    }
    for (port, ssl) in [(None, None), (Some(8000), None), (None, Some(true)), (Some(443), Some(false))] {
        match endpoint_from_parts(input, port, ssl) {
            Ok(endpoint) => {
                assert_round_trip(&endpoint);
                if let Some(port) = port {
                    assert_eq!(endpoint.port, port, "endpoint_from_parts({input:?}) ignored port {port}");
                }
            }
            Err(err) => assert_no_password(input, &err.to_string()),
        }
    }
    // A URL with a scheme in the host field means the same as in the URL field.
    if input.contains("://") {
        assert_eq!(
            endpoint_from_parts(input, None, None).ok(),
            parsed.ok(),
            "the host field and the URL field read {input:?} differently"
        );
    }
    let redacted = redact_url(input);
    assert_eq!(redact_url(&redacted), redacted, "redact_url is not idempotent on {input:?}");
    for port in [None, Some("8000"), Some("x")] {
        for ssl in [None, Some("true")] {
            let env = |name: &str| match name {
                "CHROMA_HOST" => Some(input.to_owned()),
                "CHROMA_PORT" => port.map(str::to_owned),
                "CHROMA_SSL" => ssl.map(str::to_owned),
                _ => None,
            };
            if let Ok(import) = profile::profile_from_chroma_env(Some("fuzz"), env) {
                assert_round_trip(&import.profile.connection.endpoint);
            }
        }
    }
    let mut draft = crate::app::Draft::new_profile("fuzz");
    input.clone_into(&mut draft.fields.url);
    let moved = draft.take_url_credentials();
    if let Ok(url) = url::Url::parse(draft.fields.url.trim()) {
        assert!(
            url.username().is_empty() && url.password().is_none(),
            "the editor kept credentials in the URL {input:?} (moved: {moved})"
        );
    }
    if let Ok(profile) = draft.build() {
        assert_round_trip(&profile.connection.endpoint);
    }
}

/// An endpoint reads back from the URL it is shown (and saved) as.
fn assert_round_trip(endpoint: &Endpoint) {
    let shown = ConnectionSettings::new(endpoint.clone()).display_url();
    match parse_endpoint("url", &shown) {
        Ok(again) => assert_eq!(&again, endpoint, "{endpoint:?} is shown as {shown:?}, which reads back differently"),
        Err(err) => panic!("{endpoint:?} is shown as {shown:?}, which does not read back: {err}"),
    }
}

/// An error about `input` never shows the password of a `user:password@` in it (as [`redact_url`] finds it). Only
/// checked for passwords holding one of `!$&*+;=~^|`, which no message of ours holds, so that a short password
/// that happens to be an English word does not count.
fn assert_no_password(input: &str, message: &str) {
    let rest = input.trim().split_once("://").map_or(input.trim(), |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _)) = authority.rsplit_once('@') else { return };
    let Some((_, password)) = userinfo.split_once(':') else { return };
    if password.chars().count() < 4 || !password.contains(['!', '$', '&', '*', '+', ';', '=', '~', '^', '|']) {
        return;
    }
    let without_redacted = message.replace(&redact_url(input.trim()), "");
    assert!(!without_redacted.contains(password), "the error for {input:?} shows the password: {message}");
}

/// A profiles file ([`profile::parse_doc`], as the store and imports read it; [`profile::parse_import`]), and the
/// fallback secret file's reader. The input is the file's bytes; the store refuses a file that is not UTF-8 before
/// parsing, and so does this.
///
/// # Panics
///
/// When a file that reads does not write back, or reads back to other profiles; when a profile that was read does
/// not validate.
pub fn profile_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = profile::parse_import(text);
    let _ = profile::parse_string_map(text, "secrets");
    let Ok(doc) = profile::parse_doc(text) else { return };
    for profile in &doc.profiles {
        if let Err(err) = profile.validate() {
            panic!("profile {:?} was read but does not validate: {err}", profile.name);
        }
        let record = profile::profile_to_record(profile);
        match profile::record_to_profile(&profile.name, record) {
            Ok(again) => assert_eq!(&again, profile, "profile {:?} changes through its record", profile.name),
            Err(err) => panic!("profile {:?} does not read back from its record: {err}", profile.name),
        }
    }
    let written = write(&doc);
    let again = match profile::parse_doc(&written) {
        Ok(again) => again,
        Err(err) => panic!("the written file does not read back: {err}\n{written}"),
    };
    assert_eq!(again.profiles, doc.profiles, "the profiles read back differently once written:\n{written}");
    // The same entries stay broken, but not always with the same message: with two unknown keys, serde names the
    // first, and TOML writes a table's values before its sub-tables, whatever order the file had.
    let broken = |doc: &profile::ProfilesDoc| doc.broken.iter().map(|b| b.name.clone()).collect::<Vec<_>>();
    assert_eq!(broken(&again), broken(&doc), "the broken entries read back differently once written:\n{written}");
    // Entries and keys kept as written compare as text: a `nan` in them is not equal to itself.
    assert_eq!(write(&again), written, "the written file changes when it is read and written again");
}

fn write(doc: &profile::ProfilesDoc) -> String {
    match profile::write_doc(doc, "fuzz header\n\nsecond line") {
        Ok(written) => written,
        Err(err) => panic!("a file that reads does not write: {err}"),
    }
}

/// A CA file or a client certificate file: the loaders' parsing ([`tls::load_ca_file`] and
/// [`tls::load_client_cert_chain`] after the read), the one-line summary ([`tls::summarize_bytes`]) and the details of
/// each certificate ([`tls::cert_info`], also on the raw input, as for a chain a server presents); and the same
/// certificates as a presented chain that failed to verify ([`tls::classify`]).
///
/// # Panics
///
/// When a certificate that loaded has no details, when a certificate does not read back from its PEM, or when a
/// loader and the summary disagree on what the file holds.
pub fn tls_certificates(data: &[u8]) {
    let path = Path::new("/fuzz/ca.pem");
    let ca = tls::ca::ca_certificates_from_bytes(data, path);
    let chain = tls::identity::client_cert_chain_from_bytes(data, path);
    if u64::try_from(data.len()).unwrap_or(u64::MAX) > tls::MAX_FILE_BYTES {
        // Never read from a file; the summary says so.
        return;
    }
    let ca_summary = tls::summarize_bytes(data, FileRole::CaCertificates);
    let client_summary = tls::summarize_bytes(data, FileRole::ClientCertificate);
    if let Ok(info) = tls::cert_info(data) {
        exercise_cert_info(&info);
    }
    // The same bytes as the chain a server presented, classified after a failed handshake.
    let presented = chain.as_ref().map_or_else(|_| vec![CertificateDer::from(data.to_vec())], Clone::clone);
    for err in [rustls::CertificateError::UnknownIssuer, rustls::CertificateError::NotValidForName] {
        let _ = tls::classify(&rustls::Error::InvalidCertificate(err), &presented, false).to_string();
    }
    let Ok(ders) = chain else {
        assert!(ca.is_err(), "the CA loader reads certificates the client certificate loader refuses");
        assert!(ca_summary.certificates.is_empty() && !ca_summary.ok, "a summary lists certificates that do not load");
        return;
    };
    if let Ok(ca) = &ca {
        assert_eq!(ca, &ders, "the CA loader and the client certificate loader read different certificates");
    }
    let mut infos = Vec::with_capacity(ders.len());
    for der in &ders {
        match tls::cert_info(der) {
            Ok(info) => infos.push(info),
            Err(err) => panic!("a loaded certificate has no details: {err}"),
        }
    }
    for info in &infos {
        exercise_cert_info(info);
    }
    assert_eq!(ca_summary.certificates, infos, "the CA file summary lists other certificates than the loader");
    assert_eq!(client_summary.certificates, infos, "the client file summary lists other certificates than the loader");
    let bundle = tls::chain_pem(&infos);
    match tls::ca::certificates_from_bytes(bundle.as_bytes()) {
        Ok(again) => assert_eq!(again, ders, "the certificates do not read back from their PEM bundle"),
        Err(CertProblem::NoCertificate(problem) | CertProblem::Invalid(problem)) => {
            panic!("the PEM bundle of loaded certificates does not load: {problem}")
        }
    }
}

/// Everything [`CertInfo`] offers on one certificate.
fn exercise_cert_info(info: &CertInfo) {
    assert_eq!(info.sha256, tls::sha256_fingerprint(&info.der));
    let pem = info.to_pem();
    match tls::ca::certificates_from_bytes(pem.as_bytes()) {
        Ok(again) => assert!(
            again.len() == 1 && again.first().is_some_and(|der| der.as_ref() == info.der.as_slice()),
            "a certificate does not read back from its PEM"
        ),
        Err(CertProblem::NoCertificate(problem) | CertProblem::Invalid(problem)) => {
            panic!("a certificate with details does not read back from its PEM: {problem}")
        }
    }
    let now = std::time::SystemTime::now();
    let _ = (info.expired_at(now), info.not_yet_valid_at(now), info.days_left(now));
    for name in info.sans.iter().map(String::as_str).chain(["localhost", "127.0.0.1", "[::1]", "a.b.c", ""]) {
        let _ = info.matching_san(name);
    }
    let _ = serde_json::to_string(info);
}

/// A client private key file ([`tls::load_client_key`] after the read, and its summary), and the same bytes as a
/// file holding both the certificate and the key, as the mutual-TLS identity loader checks them
/// ([`tls::load_client_identity`] after the reads).
///
/// # Panics
///
/// When the key summary calls a key usable that the loader refuses.
pub fn tls_key(data: &[u8]) {
    let key = tls::identity::private_key_from_bytes(data);
    let summary = tls::summarize_bytes(data, FileRole::PrivateKey);
    if summary.ok {
        assert!(key.is_ok(), "the summary calls a key usable that the loader refuses: {}", summary.text);
    }
    let path = PathBuf::from("/fuzz/client.pem");
    let identity = ClientIdentity { cert_path: path.clone(), key_path: path.clone() };
    if let (Ok(key), Ok(chain)) = (key, tls::identity::client_cert_chain_from_bytes(data, &path)) {
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let _ = tls::identity::certified_key(&identity, chain, key, &provider);
    }
}

/// A body a Chroma server answered with success: every parser the client has for one (heartbeat, version, counts,
/// identity, tenant, database(s), collection(s) with their index settings, `get` and `query` results), and the
/// exports of the records read.
///
/// # Panics
///
/// When a parsed result contradicts itself (a column of another length than the ids) or exports to broken JSON.
pub fn chroma_json(data: &[u8]) {
    let _ = chroma::parse_heartbeat(data);
    let _ = chroma::parse_version(data);
    let _ = chroma::parse_count(data);
    let _ = chroma::parse_json::<Identity>(data);
    let _ = chroma::parse_json::<Tenant>(data);
    let _ = chroma::parse_json::<Database>(data);
    let _ = chroma::parse_json::<Vec<Database>>(data);
    if let Ok(collection) = chroma::parse_collection(data) {
        let _ = collection.index();
    }
    if let Ok(collections) = chroma::parse_collections(data) {
        for collection in &collections {
            let _ = collection.index();
        }
    }
    if let Ok(records) = chroma::parse_get(data) {
        exercise_records(&records);
    }
    if let Ok(result) = chroma::parse_query(data) {
        for hits in &result.results {
            for hit in hits {
                check_json_line(&hit.record, hit.distance);
            }
            let records: Vec<chroma::Record> = hits.iter().map(|hit| hit.record.clone()).collect();
            let _ = chroma::records_csv(&records, true);
        }
    }
}

fn exercise_records(records: &Records) {
    for record in &records.records {
        check_json_line(record, None);
    }
    let _ = chroma::records_csv(&records.records, true);
    let _ = chroma::records_csv(&records.records, false);
    let _ = serde_json::to_string(records);
}

/// A record's JSON line is one line of JSON with its id.
fn check_json_line(record: &chroma::Record, distance: Option<f64>) {
    let line = chroma::record_json_line(record, distance);
    assert!(line.ends_with('\n') && line.matches('\n').count() == 1, "not one JSON line: {line}");
    match serde_json::from_str::<serde_json::Value>(&line) {
        Ok(value) => assert_eq!(
            value.get("id").and_then(serde_json::Value::as_str),
            Some(record.id.as_str()),
            "the JSON line lost the id: {line}"
        ),
        Err(err) => panic!("a record exports to invalid JSON ({err}): {line}"),
    }
}

/// URLs the error responses are given, one per way a request is named in a diagnosis.
const ERROR_URLS: [&str; 4] = [
    "https://chroma.example.com:8443/api/v2/heartbeat",
    "https://chroma.example.com:8443/api/v2/tenants/t/databases/d",
    "https://chroma.example.com:8443/api/v2/tenants/t/databases/d/collections/c/get",
    "http://127.0.0.1:8000/api/v1/collections?tenant=t&database=d",
];

/// An error answer of a server or a proxy ([`ErrorResponse::parse`], [`chroma::server_message`]) and its diagnosis
/// ([`diagnose_chroma_error`], [`diagnose_browse_error`]), with each kind of credentials in the settings. Input: two
/// bytes of status (big-endian, folded into 100..=999), then the headers as `Name: value` lines up to the first NUL
/// byte, then the body; without a NUL byte everything after the status is the body.
///
/// # Panics
///
/// When a diagnosis shows a control or invisible formatting character, or a snippet is longer than its limit.
pub fn error_body(data: &[u8]) {
    let (status, rest) = match data {
        [high, low, rest @ ..] => (100 + u16::from_be_bytes([*high, *low]) % 900, rest),
        _ => (500, data),
    };
    let (header_block, body) = match rest.iter().position(|byte| *byte == 0) {
        Some(nul) => (rest.get(..nul).unwrap_or_default(), rest.get(nul + 1..).unwrap_or_default()),
        None => (&[][..], rest),
    };
    let headers = header_map(header_block);
    let url = ERROR_URLS[usize::from(status) % ERROR_URLS.len()];
    let response = ErrorResponse::parse(status, &headers, body, url);
    let snippet = chroma::snippet(body);
    assert!(snippet.chars().count() <= 201, "a snippet is longer than 200 characters and the ellipsis");
    let _ = chroma::server_message(&response);
    let _ = response.to_string();
    let status_error = ChromaError::Status { response: Box::new(response) };
    let _ = status_error.is_not_found();
    let decode_error = ChromaError::Decode {
        detail: chroma::parse_heartbeat(body).err().unwrap_or_default(),
        body_snippet: snippet,
        url: url.to_owned(),
    };
    for settings in error_settings() {
        check_diagnosis(&diagnose_chroma_error(&status_error, &settings));
        check_diagnosis(&diagnose_chroma_error(&decode_error, &settings));
    }
    let browse = BrowseError::from(status_error);
    let _ = (browse.is_not_found(), browse.server_message(), browse.to_string());
    for settings in error_settings() {
        check_diagnosis(&diagnose_browse_error(&browse, &settings));
    }
}

/// `Name: value` lines as headers; lines that are not valid headers are skipped, as an HTTP client would refuse them.
fn header_map(block: &[u8]) -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    for line in block.split(|byte| *byte == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|byte| *byte == b':') else { continue };
        let (name, value) = (line.get(..colon).unwrap_or_default(), line.get(colon + 1..).unwrap_or_default());
        if let (Ok(name), Ok(value)) = (
            reqwest::header::HeaderName::from_bytes(name),
            reqwest::header::HeaderValue::from_bytes(value.trim_ascii()),
        ) {
            headers.append(name, value);
        }
    }
    headers
}

/// Settings with each kind of credentials, for the hints that depend on them.
fn error_settings() -> [ConnectionSettings; 3] {
    let endpoint = Endpoint {
        scheme: profile::Scheme::Https,
        host: "chroma.example.com".to_owned(),
        port: 8443,
        base_path: String::new(),
    };
    let none = ConnectionSettings::new(endpoint);
    let mut token = none.clone();
    token.auth = Auth::Token { token: Secret::new("fuzz-token"), header: TokenHeader::XChromaToken };
    let mut basic = none.clone();
    basic.auth = Auth::Basic { user: "fuzz".to_owned(), password: Secret::new("fuzz-password") };
    [none, token, basic]
}

/// A diagnosis shows no control character nor invisible formatting character, whatever the server sent.
fn check_diagnosis(diagnosis: &Diagnosis) {
    // The hint may span lines; the summary is one.
    for (what, text, line_breaks) in [("summary", &diagnosis.summary, false), ("hint", &diagnosis.hint, true)] {
        let bad = text
            .chars()
            .find(|ch| (ch.is_control() && !(line_breaks && *ch == '\n')) || crate::diagnose::is_invisible_format(*ch));
        assert!(bad.is_none(), "the diagnosis {what} holds {bad:?}: {text:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_takes_empty_and_garbage_input() {
        for target in TARGETS {
            for input in [&b""[..], b"\0", b"\xff\xfe", b"{", b"-----BEGIN CERTIFICATE-----\n"] {
                (target.entry)(input);
            }
        }
    }
}
