//! Every diagnosis the findings can produce: the setting it points at, and no command-line flag in its words.

use std::io;
use std::path::PathBuf;

use super::*;
use crate::diagnose::report::CheckReport;
use crate::profile::Secret;

fn settings(auth: Auth) -> ConnectionSettings {
    let mut settings = ConnectionSettings::from_url("https://chroma.example.test:8443").unwrap();
    settings.auth = auth;
    settings
}

fn response(status: u16, chroma_shaped: bool, message: &str) -> ErrorResponse {
    ErrorResponse {
        status,
        error_kind: None,
        message: message.to_owned(),
        chroma_shaped,
        content_type: None,
        server: Some("nginx".to_owned()),
        location: (300..400).contains(&status).then(|| "https://elsewhere.test/".to_owned()),
        url: "https://chroma.example.test:8443/api/v2/heartbeat".to_owned(),
        client_cert_requested: false,
        client_cert_sent: false,
    }
}

/// Every diagnosis of `findings` for `settings`, with the setting it must point at.
#[expect(clippy::too_many_lines, reason = "one line per diagnosis: the list is the test")]
fn every_diagnosis(settings: &ConnectionSettings) -> Vec<(Diagnosis, Option<Setting>)> {
    let ctx = Context { settings, address: Some("127.0.0.1:8443".parse().unwrap()) };
    let path = || PathBuf::from("certs/x.pem");
    let auth_setting = match settings.auth {
        Auth::None => Setting::Auth,
        Auth::Token { .. } => Setting::Token,
        Auth::Basic { .. } => Setting::Password,
    };
    let mut all = vec![
        (settings_error(&SettingsError::new("ca_file", "is an empty path")), Some(Setting::CaFile)),
        (settings_error(&SettingsError::new("url", "has no host")), Some(Setting::Url)),
        (settings_error(&SettingsError::new("timeout", "must be more than zero")), Some(Setting::RequestTimeout)),
        (settings_error(&SettingsError::new("token_env", "names $X, which is not set")), Some(Setting::Token)),
        (settings_error(&SettingsError::new("profile", "`x` does not exist")), None),
        (tls_config_error(&TlsConfigError::CaFileMissing { path: path() }), Some(Setting::CaFile)),
        (tls_config_error(&TlsConfigError::CaFileEmpty { path: path() }), Some(Setting::CaFile)),
        (
            tls_config_error(&TlsConfigError::CaFileNoCertificate { path: path(), found: "a private key".to_owned() }),
            Some(Setting::CaFile),
        ),
        (
            tls_config_error(&TlsConfigError::CaFileUnreadable { path: path(), source: io::Error::other("denied") }),
            Some(Setting::CaFile),
        ),
        (
            tls_config_error(&TlsConfigError::NotRegularFile {
                role: FileRole::CaCertificates,
                path: path(),
                kind: "a FIFO (named pipe)",
            }),
            Some(Setting::CaFile),
        ),
        (
            tls_config_error(&TlsConfigError::ClientCertInvalid {
                path: path(),
                detail: "the file is empty".to_owned(),
            }),
            Some(Setting::ClientCert),
        ),
        (
            tls_config_error(&TlsConfigError::FileTooLarge {
                role: FileRole::ClientCertificate,
                path: path(),
                size: 2_000_000,
            }),
            Some(Setting::ClientCert),
        ),
        (tls_config_error(&TlsConfigError::ClientKeyMissing { path: path() }), Some(Setting::ClientKey)),
        (
            tls_config_error(&TlsConfigError::NotRegularFile {
                role: FileRole::PrivateKey,
                path: path(),
                kind: "a character device",
            }),
            Some(Setting::ClientKey),
        ),
        (
            tls_config_error(&TlsConfigError::ClientKeyMismatch { cert_path: path(), key_path: path() }),
            Some(Setting::ClientKey),
        ),
        (tls_config_error(&TlsConfigError::Rustls(rustls::Error::General("x".to_owned()))), None),
        (dns_failure(ctx, "no such host"), Some(Setting::Url)),
        (timeout(ctx, "tcp", Duration::from_secs(10)), Some(Setting::Url)),
        (timeout(ctx, "tls", Duration::from_secs(10)), Some(Setting::ConnectTimeout)),
        (timeout(ctx, "http", Duration::from_millis(2500)), Some(Setting::RequestTimeout)),
        (plain_to_tls_port(ctx), Some(Setting::Url)),
        (pin_mismatch("AA:BB", Some("CC:DD")), Some(Setting::PinnedSha256)),
        (pin_mismatch("AA:BB", None), Some(Setting::PinnedSha256)),
        (not_chroma(ctx, "it is nginx"), Some(Setting::Url)),
        (missing("tenant", "acme", "acme", Some("other")), Some(Setting::Tenant)),
        (missing("database", "docs", "acme", None), Some(Setting::Database)),
        (status_failure(ctx, "the heartbeat", &response(401, true, "no")), Some(auth_setting)),
        (status_failure(ctx, "the heartbeat", &response(403, false, "")), Some(auth_setting)),
        (status_failure(ctx, "the heartbeat", &response(502, false, "Bad Gateway")), None),
        (
            status_failure(
                ctx,
                "the heartbeat",
                &response(400, false, "The plain HTTP request was sent to HTTPS port"),
            ),
            Some(Setting::Url),
        ),
        (status_failure(ctx, "the heartbeat", &response(301, false, "")), Some(Setting::Url)),
        (status_failure(ctx, "the heartbeat", &response(500, true, "InternalError")), None),
        (status_failure(ctx, "the heartbeat", &response(418, false, "teapot")), Some(Setting::Url)),
        (
            chroma_error(
                ctx,
                "the version",
                &ChromaError::BodyTooLarge { limit_bytes: 1024, url: "https://h/".to_owned() },
            ),
            Some(Setting::Url),
        ),
        (
            chroma_error(
                ctx,
                "the heartbeat",
                &ChromaError::Decode {
                    detail: "not JSON".to_owned(),
                    body_snippet: "<html>".to_owned(),
                    url: "https://h/".to_owned(),
                },
            ),
            Some(Setting::Url),
        ),
        (chroma_error(ctx, "building the client", &ChromaError::Build { detail: "bad".to_owned() }), None),
        (
            chroma_error(ctx, "the request", &ChromaError::Resolve { host: "h".to_owned(), detail: "x".to_owned() }),
            Some(Setting::Url),
        ),
        (
            chroma_error(ctx, "the request", &ChromaError::TlsConfig(TlsConfigError::CaFileMissing { path: path() })),
            Some(Setting::CaFile),
        ),
        (
            chroma_error(ctx, "the request", &ChromaError::Settings(SettingsError::new("tenant", "is empty"))),
            Some(Setting::Tenant),
        ),
    ];
    for err in browse_errors() {
        let setting = match &err {
            BrowseError::TenantNotFound { .. } => Some(Setting::Tenant),
            BrowseError::DatabaseNotFound { .. } => Some(Setting::Database),
            BrowseError::Chroma(inner) if matches!(**inner, ChromaError::Status { .. }) => Some(auth_setting),
            _ => None,
        };
        all.push((browse_error(ctx, &err), setting));
    }
    for (kind, setting) in [
        (io::ErrorKind::ConnectionRefused, Setting::Url),
        (io::ErrorKind::TimedOut, Setting::Url),
        (io::ErrorKind::HostUnreachable, Setting::Url),
        (io::ErrorKind::ConnectionReset, Setting::Url),
    ] {
        all.push((io_failure(ctx, &io::Error::from(kind)), Some(setting)));
    }
    let failures = [
        (TlsFailure::UnknownIssuer { issuer: Some("CN=Corp CA".to_owned()) }, Some(Setting::CaFile)),
        (TlsFailure::UnknownIssuer { issuer: None }, Some(Setting::CaFile)),
        (TlsFailure::SelfSigned { subject: "CN=chroma".to_owned() }, Some(Setting::CaFile)),
        (TlsFailure::CaUsedAsEndEntity, None),
        (TlsFailure::Expired { not_after: Some("2024-01-01T00:00:00Z".to_owned()) }, None),
        (TlsFailure::NotYetValid { not_before: None }, None),
        (
            TlsFailure::NameMismatch {
                expected: "10.0.0.7".to_owned(),
                presented: vec!["*.example.test".to_owned(), "chroma.internal".to_owned()],
            },
            Some(Setting::ServerName),
        ),
        (TlsFailure::NameMismatch { expected: String::new(), presented: Vec::new() }, Some(Setting::ServerName)),
        (
            TlsFailure::IncompleteChain {
                issuer: "CN=Issuing".to_owned(),
                ca_issuers_url: Some("http://x/".to_owned()),
            },
            None,
        ),
        (TlsFailure::ClientCertRequired, Some(Setting::ClientCert)),
        (TlsFailure::ClientCertRejected { alert: "UnknownCA".to_owned() }, Some(Setting::ClientCert)),
        (TlsFailure::PinMismatch { pinned: "AA".to_owned(), presented: "BB".to_owned() }, Some(Setting::PinnedSha256)),
        (TlsFailure::NotTls, Some(Setting::Url)),
        (TlsFailure::Other { detail: "handshake failure".to_owned() }, None),
    ];
    for (failure, setting) in failures {
        all.push((tls_failure(ctx, &failure), setting));
    }
    // A proxy that asked for a client certificate and refused at the HTTP layer, recognised or not.
    for (status, server, message, sent) in [
        (400, "nginx", "No required SSL certificate was sent", false),
        (400, "nginx", "The SSL certificate error", true),
        (403, "", "Forbidden", false),
        (403, "", "Forbidden", true),
    ] {
        let mut refused = response(status, false, message);
        refused.server = Some(server.to_owned()).filter(|s| !s.is_empty());
        refused.client_cert_requested = true;
        refused.client_cert_sent = sent;
        all.push((status_failure(ctx, "the heartbeat", &refused), Some(Setting::ClientCert)));
    }
    all
}

/// A browsing error of every kind (a 401 for the HTTP ones).
fn browse_errors() -> Vec<BrowseError> {
    let text = String::from;
    vec![
        BrowseError::from(ChromaError::Status { response: Box::new(response(401, true, "Unauthorized")) }),
        BrowseError::TenantNotFound { tenant: text("t") },
        BrowseError::DatabaseNotFound { tenant: text("t"), database: text("d") },
        BrowseError::CollectionNotFound { collection: text("c"), tenant: text("t"), database: text("d") },
        BrowseError::RecordNotFound { id: text("r"), collection: text("c") },
        BrowseError::NoEmbedding { id: text("r"), collection: text("c") },
        BrowseError::ListingCapped { what: "collections", items: 3, reason: text("there are more than 2 collections") },
    ]
}

#[test]
fn browsing_and_the_check_give_the_same_diagnosis() {
    let settings = settings(Auth::Token { token: Secret::new("tok-findings"), header: TokenHeader::Bearer });
    let ctx = Context { settings: &settings, address: None };
    let codes: Vec<Code> = browse_errors().iter().map(|err| browse_error(ctx, err).code).collect();
    assert_eq!(
        codes,
        [
            Code::HttpUnauthorized,
            Code::ChromaTenantNotFound,
            Code::ChromaDatabaseNotFound,
            Code::ChromaCollectionNotFound,
            Code::ChromaRecordNotFound,
            Code::ChromaNoEmbedding,
            Code::ChromaListingCapped,
        ]
    );
    // A status of a browsing call is diagnosed as the check's step diagnoses it.
    for (status, chroma_shaped, code) in [
        (401, true, Code::HttpUnauthorized),
        (403, false, Code::HttpForbidden),
        (502, false, Code::HttpProxyError),
        (504, false, Code::HttpProxyError),
        (307, false, Code::HttpRedirect),
        (500, true, Code::ChromaApiError),
        (418, false, Code::HttpOther),
    ] {
        let err = ChromaError::Status { response: Box::new(response(status, chroma_shaped, "said")) };
        let check = chroma_error(ctx, "the heartbeat", &err);
        let browse = browse_error(ctx, &BrowseError::from(err));
        assert_eq!((check.code, check.setting, check.hint), (code, browse.setting, browse.hint), "{status}");
        assert_eq!(browse.code, code, "{status}");
    }
    // A refusal after a client-certificate request, likewise.
    for (sent, code) in [(false, Code::TlsClientCertRequired), (true, Code::TlsClientCertRejected)] {
        let mut refused = response(403, false, "RBAC: access denied");
        refused.client_cert_requested = true;
        refused.client_cert_sent = sent;
        let err = ChromaError::Status { response: Box::new(refused) };
        let check = chroma_error(ctx, "the heartbeat", &err);
        let browse = browse_error(ctx, &BrowseError::from(err));
        assert_eq!((check.code, check.setting, check.hint), (code, browse.setting, browse.hint), "{sent}");
        assert_eq!(browse.code, code);
    }
    let err = ChromaError::BodyTooLarge { limit_bytes: 10, url: "https://h/api/v2/x".to_owned() };
    assert_eq!(browse_error(ctx, &BrowseError::from(err)).code, Code::HttpResponseTooLarge);
    let err = crate::diagnose::diagnose_settings_error(&SettingsError::new("url", "has no host"));
    assert_eq!(err.code, Code::ConfigInvalidUrl);
}

#[test]
fn what_servers_say_is_made_safe_to_show() {
    let settings = settings(Auth::None);
    let ctx = Context { settings: &settings, address: None };
    let evil = format!("bad\u{1b}]0;owned\u{7}\n\u{202E}gnp.exe {}", "x".repeat(5000));
    let mut said = response(502, false, &evil);
    said.server = Some("nginx\u{1b}[2J".to_owned());
    let diagnosis = status_failure(ctx, "the heartbeat", &said);
    for text in [&diagnosis.summary, &diagnosis.hint] {
        assert!(!text.chars().any(|c| c.is_control() || c == '\u{202E}'), "{text:?}");
    }
    assert!(diagnosis.summary.chars().count() < 1000, "cut: {}", diagnosis.summary.len());
    let failure = TlsFailure::UnknownIssuer { issuer: Some("CN=Evil\u{1b}[31m\nCA".to_owned()) };
    let diagnosis = tls_failure(ctx, &failure);
    assert!(diagnosis.summary.contains("\"CN=Evil[31m CA\""), "{}", diagnosis.summary);
    let mut redirect = response(302, false, "");
    redirect.location = Some("https://user:hunter2@elsewhere.test/".to_owned());
    let diagnosis = status_failure(ctx, "the heartbeat", &redirect);
    assert!(diagnosis.summary.contains("https://user:***@elsewhere.test/"), "{}", diagnosis.summary);
    assert!(!diagnosis.summary.contains("hunter2"));
}

fn every_settings() -> Vec<ConnectionSettings> {
    let mut with_ca = settings(Auth::None);
    with_ca.verify = Verify::CaFile("certs/ca.pem".into());
    with_ca.ca_mode = CaMode::Merge;
    let mut off = settings(Auth::None);
    off.verify = Verify::Off;
    vec![
        settings(Auth::None),
        settings(Auth::Token { token: Secret::new("tok-findings"), header: TokenHeader::Bearer }),
        settings(Auth::Token { token: Secret::new("tok-findings"), header: TokenHeader::XChromaToken }),
        settings(Auth::Basic { user: "ops".to_owned(), password: Secret::new("pw-findings") }),
        with_ca,
        off,
    ]
}

#[test]
fn every_diagnosis_that_names_a_setting_points_at_it() {
    for settings in every_settings() {
        for (diagnosis, expected) in every_diagnosis(&settings) {
            assert_eq!(diagnosis.setting, expected, "[{}] {}\n{}", diagnosis.code, diagnosis.summary, diagnosis.hint);
            assert!(!diagnosis.summary.is_empty(), "{}", diagnosis.code);
            if let Some(setting) = diagnosis.setting {
                // The hint says what to do with it, in the words of its label.
                let label = setting.label().to_lowercase();
                assert!(
                    diagnosis.hint.to_lowercase().contains(&label),
                    "[{}] hint does not name {label:?}:\n{}",
                    diagnosis.code,
                    diagnosis.hint
                );
            }
        }
    }
}

/// `--` then a letter, not within a longer run of dashes (`-----BEGIN CERTIFICATE-----` is not a flag).
fn names_a_flag(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len()).any(|i| {
        bytes.get(i..i + 3).is_some_and(|w| w[0] == b'-' && w[1] == b'-' && w[2].is_ascii_alphabetic())
            && (i == 0 || bytes.get(i - 1) != Some(&b'-'))
    })
}

#[test]
fn the_flag_detector() {
    assert!(names_a_flag("use --ca-file"));
    assert!(names_a_flag("--insecure turns it off"));
    assert!(!names_a_flag("-----BEGIN CERTIFICATE-----"));
    assert!(!names_a_flag("openssl x509 -noout -fingerprint"));
}

#[test]
fn no_hint_names_a_command_line_flag() {
    for settings in every_settings() {
        for (diagnosis, _) in every_diagnosis(&settings) {
            for text in [&diagnosis.hint, &diagnosis.summary] {
                assert!(!names_a_flag(text), "[{}] names a flag:\n{text}", diagnosis.code);
                assert!(!text.contains("tok-findings") && !text.contains("pw-findings"), "a secret in: {text}");
            }
        }
    }
}

#[test]
fn the_setting_is_in_the_json_and_the_text() {
    let settings = settings(Auth::None);
    let err = SettingsError::new("ca_file", "is an empty path");
    let report = CheckReport::settings_failure(&settings.display_url(), &err);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["diagnosis"]["setting"], "ca_file");
    for key in ["code", "summary", "hint"] {
        assert!(json["diagnosis"][key].is_string(), "{key}");
    }
    assert!(report.conclusion_text().contains("\n  setting: CA file\n"), "{}", report.conclusion_text());
    let text = report.conclusion_text_with(|setting| Some(format!("--{}", setting.as_str().replace('_', "-"))));
    assert!(text.contains("\n  setting: CA file (--ca-file)\n"), "{text}");

    let report = CheckReport::settings_failure("x", &SettingsError::new("profile", "`x` does not exist"));
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert!(json["diagnosis"]["setting"].is_null(), "{json}");
    assert!(!report.to_text().contains("setting:"));
}
