//! Explaining why a TLS handshake failed, from the rustls error and the chain the server sent.

use std::fmt;
use std::io;

use rustls::{AlertDescription, CertificateError, InvalidMessage};
use rustls_pki_types::CertificateDer;

use super::certinfo::cert_info;
use super::time_text::rfc3339_from_unix;
use super::verifiers::PinMismatch;

/// Why a TLS handshake failed, in terms a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsFailure {
    /// The chain does not lead to a trusted CA.
    UnknownIssuer {
        /// The issuer of the top certificate the server sent (the CA that would have to be
        /// trusted), when it could be read.
        issuer: Option<String>,
    },
    /// The server's certificate is self-signed (issuer equals subject) and not trusted.
    SelfSigned {
        /// Its subject.
        subject: String,
    },
    /// The server's own certificate is a CA certificate (basicConstraints CA:TRUE), which rustls
    /// refuses as an end-entity certificate even when it is the trusted CA itself. OpenSSL-based
    /// clients accept it; the certificate should be re-issued with CA:FALSE.
    CaUsedAsEndEntity,
    /// The server's certificate (or one in its chain) has expired.
    Expired {
        /// When it expired (RFC 3339), when rustls said.
        not_after: Option<String>,
    },
    /// The server's certificate (or one in its chain) is not valid yet: a clock is wrong.
    NotYetValid {
        /// When it becomes valid (RFC 3339), when rustls said.
        not_before: Option<String>,
    },
    /// The certificate is not valid for the name that was connected to.
    NameMismatch {
        /// The name that was connected to; empty when rustls did not say.
        expected: String,
        /// The names the certificate holds (its subject alternative names).
        presented: Vec<String>,
    },
    /// The server sent only its own certificate, without the intermediate that issued it.
    IncompleteChain {
        /// The missing issuer (the issuer of the server's certificate).
        issuer: String,
        /// Where the missing certificate can be downloaded (Authority Information Access).
        ca_issuers_url: Option<String>,
    },
    /// The server requires a client certificate and none was sent.
    ClientCertRequired,
    /// The server rejected the client certificate that was sent.
    ClientCertRejected {
        /// The TLS alert the server sent, e.g. `UnknownCA`.
        alert: String,
    },
    /// The server presented a certificate other than the pinned one.
    PinMismatch {
        /// The pinned SHA-256 fingerprint.
        pinned: String,
        /// The fingerprint of the certificate presented now.
        presented: String,
    },
    /// The peer does not speak TLS (for example a plain-HTTP port).
    NotTls,
    /// Anything else.
    Other {
        /// The rustls error, as text.
        detail: String,
    },
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownIssuer { issuer: Some(issuer) } => {
                write!(f, "the certificate was issued by an untrusted CA ({issuer})")
            }
            Self::UnknownIssuer { issuer: None } => {
                write!(f, "the certificate was issued by an untrusted CA")
            }
            Self::SelfSigned { subject } => {
                write!(f, "the certificate is self-signed and not trusted ({subject})")
            }
            Self::CaUsedAsEndEntity => {
                write!(f, "the server presents a CA certificate (CA:TRUE) as its own certificate")
            }
            Self::Expired { not_after: Some(at) } => write!(f, "the certificate expired at {at}"),
            Self::Expired { not_after: None } => write!(f, "the certificate has expired"),
            Self::NotYetValid { not_before: Some(at) } => {
                write!(f, "the certificate is not valid before {at}")
            }
            Self::NotYetValid { not_before: None } => write!(f, "the certificate is not valid yet"),
            Self::NameMismatch { expected, presented } => write!(
                f,
                "the certificate is not valid for {expected:?} (it names {})",
                if presented.is_empty() { "nothing".to_owned() } else { presented.join(", ") }
            ),
            Self::IncompleteChain { issuer, .. } => {
                write!(f, "the server did not send the intermediate certificate ({issuer})")
            }
            Self::ClientCertRequired => write!(f, "the server requires a client certificate"),
            Self::ClientCertRejected { alert } => {
                write!(f, "the server rejected the client certificate ({alert})")
            }
            Self::NotTls => write!(f, "the server does not speak TLS on this port"),
            Self::PinMismatch { pinned, presented } => {
                write!(f, "the certificate {presented} is not the pinned one ({pinned})")
            }
            Self::Other { detail } => write!(f, "{detail}"),
        }
    }
}

/// Classifies a rustls error, using the chain the server presented (see
/// [`ChainCapture`](super::ChainCapture)) and whether a client certificate was sent.
#[must_use]
pub fn classify(err: &rustls::Error, presented_chain: &[CertificateDer<'_>], sent_client_cert: bool) -> TlsFailure {
    match err {
        rustls::Error::InvalidCertificate(cert_err) => classify_certificate(cert_err, presented_chain),
        rustls::Error::AlertReceived(alert) => classify_alert(*alert, sent_client_cert, err),
        rustls::Error::InvalidMessage(
            InvalidMessage::InvalidContentType
            | InvalidMessage::UnknownProtocolVersion
            | InvalidMessage::MessageTooShort
            | InvalidMessage::MessageTooLarge
            | InvalidMessage::InvalidEmptyPayload,
        )
        | rustls::Error::PeerSentOversizedRecord => TlsFailure::NotTls,
        other => TlsFailure::Other { detail: other.to_string() },
    }
}

/// Finds the rustls error inside an error chain.
///
/// Looks at each error of the `source()` chain and, for an [`io::Error`], at the error it wraps
/// ([`io::Error::get_ref`]): `io::Error::source()` skips the wrapped error, so a plain
/// `source()` walk never reaches a rustls error inside reqwest, hyper or tokio-rustls errors.
#[must_use]
pub fn find_rustls_error<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    chain(err).find_map(|e| e.downcast_ref::<rustls::Error>())
}

/// Finds a TLS alert that reached the error chain only as text: h2 keeps just the kind and the text of an I/O
/// error (`h2::proto::Error::Io(kind, Some(inner.to_string()))`), so an alert the server sends on an HTTP/2
/// connection after the handshake (TLS 1.3 servers judge the client certificate then) arrives as
/// `io::Error(InvalidData, "received fatal alert: BadCertificate")`, without the rustls error. The text is compared
/// with rustls' own text of every alert, so only an exact one is recovered.
#[must_use]
pub fn find_alert_text(err: &(dyn std::error::Error + 'static)) -> Option<rustls::Error> {
    chain(err)
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .filter(|e| e.kind() == io::ErrorKind::InvalidData)
        .find_map(|io_err| {
            let text = io_err.to_string();
            if !text.starts_with("received fatal alert") {
                return None;
            }
            (0..=u8::MAX)
                .map(AlertDescription::from)
                .filter(|alert| !matches!(alert, AlertDescription::Unknown(_)))
                .map(rustls::Error::AlertReceived)
                .find(|candidate| candidate.to_string() == text)
        })
}

/// Finds the most telling [`io::Error`] inside an error chain (walked like
/// [`find_rustls_error`]): the first one whose kind is not [`io::ErrorKind::Other`] or that
/// carries an OS error code (connection refused, timed out, reset, …), else the innermost one.
#[must_use]
pub fn find_io_error<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a io::Error> {
    let mut innermost = None;
    for io_err in chain(err).filter_map(|e| e.downcast_ref::<io::Error>()) {
        if io_err.kind() != io::ErrorKind::Other || io_err.raw_os_error().is_some() {
            return Some(io_err);
        }
        innermost = Some(io_err);
    }
    innermost
}

/// The errors of a chain, descending into the error an [`io::Error`] wraps.
fn chain<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    // A bound, in case some error's source() loops.
    const MAX_DEPTH: usize = 64;
    std::iter::successors(Some(err), |current| {
        if let Some(io_err) = current.downcast_ref::<io::Error>()
            && let Some(inner) = io_err.get_ref()
        {
            let inner: &(dyn std::error::Error + 'static) = inner;
            return Some(inner);
        }
        current.source()
    })
    .take(MAX_DEPTH)
}

fn classify_certificate(err: &CertificateError, chain: &[CertificateDer<'_>]) -> TlsFailure {
    match err {
        CertificateError::UnknownIssuer => classify_unknown_issuer(chain),
        CertificateError::Expired => TlsFailure::Expired { not_after: None },
        CertificateError::ExpiredContext { not_after, .. } => {
            TlsFailure::Expired { not_after: Some(unix_text(*not_after)) }
        }
        CertificateError::NotValidYet => TlsFailure::NotYetValid { not_before: None },
        CertificateError::NotValidYetContext { not_before, .. } => {
            TlsFailure::NotYetValid { not_before: Some(unix_text(*not_before)) }
        }
        CertificateError::NotValidForName => {
            TlsFailure::NameMismatch { expected: String::new(), presented: leaf_sans(chain).unwrap_or_default() }
        }
        CertificateError::NotValidForNameContext { expected, presented } => TlsFailure::NameMismatch {
            expected: expected.to_str().into_owned(),
            presented: leaf_sans(chain).unwrap_or_else(|| presented.iter().map(|name| plain_name(name)).collect()),
        },
        CertificateError::Other(other) if other.0.downcast_ref::<PinMismatch>().is_some() => {
            let mismatch = other
                .0
                .downcast_ref::<PinMismatch>()
                .cloned()
                .unwrap_or_else(|| PinMismatch { pinned: String::new(), presented: String::new() });
            TlsFailure::PinMismatch { pinned: mismatch.pinned, presented: mismatch.presented }
        }
        CertificateError::Other(other) => {
            let ca_as_leaf = other.0.downcast_ref::<webpki::Error>().map_or_else(
                || format!("{other:?}").contains("CaUsedAsEndEntity"),
                |webpki_err| matches!(webpki_err, webpki::Error::CaUsedAsEndEntity),
            );
            if ca_as_leaf {
                TlsFailure::CaUsedAsEndEntity
            } else {
                TlsFailure::Other { detail: rustls::Error::InvalidCertificate(err.clone()).to_string() }
            }
        }
        other => TlsFailure::Other { detail: rustls::Error::InvalidCertificate(other.clone()).to_string() },
    }
}

/// Self-signed leaf, a leaf sent without its intermediate, or simply an untrusted CA.
fn classify_unknown_issuer(chain: &[CertificateDer<'_>]) -> TlsFailure {
    let Some(leaf) = chain.first().and_then(|der| cert_info(der).ok()) else {
        return TlsFailure::UnknownIssuer { issuer: None };
    };
    if leaf.issuer == leaf.subject {
        return TlsFailure::SelfSigned { subject: leaf.subject };
    }
    if chain.len() == 1 && !leaf.ca_issuers.is_empty() {
        return TlsFailure::IncompleteChain { issuer: leaf.issuer, ca_issuers_url: leaf.ca_issuers.into_iter().next() };
    }
    let issuer = chain.last().and_then(|top| cert_info(top).ok()).map(|top| top.issuer);
    TlsFailure::UnknownIssuer { issuer }
}

fn classify_alert(alert: AlertDescription, sent_client_cert: bool, err: &rustls::Error) -> TlsFailure {
    match alert {
        AlertDescription::CertificateRequired => TlsFailure::ClientCertRequired,
        AlertDescription::HandshakeFailure if !sent_client_cert => TlsFailure::ClientCertRequired,
        AlertDescription::UnknownCA
        | AlertDescription::BadCertificate
        | AlertDescription::CertificateUnknown
        | AlertDescription::UnsupportedCertificate
        | AlertDescription::CertificateRevoked
        | AlertDescription::CertificateExpired
        | AlertDescription::AccessDenied
        | AlertDescription::HandshakeFailure
        | AlertDescription::DecryptError
            if sent_client_cert =>
        {
            TlsFailure::ClientCertRejected { alert: format!("{alert:?}") }
        }
        _ => TlsFailure::Other { detail: err.to_string() },
    }
}

fn leaf_sans(chain: &[CertificateDer<'_>]) -> Option<Vec<String>> {
    chain.first().and_then(|der| cert_info(der).ok()).map(|info| info.sans)
}

/// `DnsName("a.test")` / `IpAddress(127.0.0.1)` (webpki's debug text) to `a.test` / `127.0.0.1`.
fn plain_name(name: &str) -> String {
    for prefix in ["DnsName(\"", "UniformResourceIdentifier(\""] {
        if let Some(inner) = name.strip_prefix(prefix).and_then(|rest| rest.strip_suffix("\")")) {
            return inner.to_owned();
        }
    }
    name.strip_prefix("IpAddress(").and_then(|rest| rest.strip_suffix(')')).unwrap_or(name).to_owned()
}

fn unix_text(time: rustls_pki_types::UnixTime) -> String {
    rfc3339_from_unix(i64::try_from(time.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rustls_pki_types::{ServerName, UnixTime};

    use super::*;

    #[derive(Debug)]
    struct Wrapper(Box<dyn std::error::Error + Send + Sync>);

    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "error sending request")
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(self.0.as_ref())
        }
    }

    #[test]
    fn finds_rustls_error_through_nested_io_errors() {
        let tls = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let inner = io::Error::new(io::ErrorKind::InvalidData, tls.clone());
        let outer = io::Error::other(inner);
        let top = Wrapper(Box::new(outer));

        // A plain source() walk does not reach it.
        let mut plain: Option<&(dyn std::error::Error + 'static)> = Some(&top);
        while let Some(e) = plain {
            assert!(e.downcast_ref::<rustls::Error>().is_none());
            plain = e.source();
        }

        assert_eq!(find_rustls_error(&top), Some(&tls));
        let io_err = find_io_error(&top).unwrap();
        assert_eq!(io_err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(find_rustls_error(&tls), Some(&tls));
    }

    #[test]
    fn recovers_an_alert_that_h2_turned_into_text() {
        // What h2 makes of tokio-rustls' error: the kind and the text, in a new io::Error.
        let alert = rustls::Error::AlertReceived(AlertDescription::BadCertificate);
        let flattened = io::Error::new(io::ErrorKind::InvalidData, alert.to_string());
        let top = Wrapper(Box::new(io::Error::other(flattened)));
        assert!(find_rustls_error(&top).is_none());
        assert_eq!(find_alert_text(&top), Some(alert));
        assert_eq!(
            classify(&find_alert_text(&top).unwrap(), &[], true),
            TlsFailure::ClientCertRejected { alert: "BadCertificate".to_owned() }
        );
        let required = io::Error::new(io::ErrorKind::InvalidData, "received fatal alert: CertificateRequired");
        assert_eq!(
            find_alert_text(&Wrapper(Box::new(required))),
            Some(rustls::Error::AlertReceived(AlertDescription::CertificateRequired))
        );
        // Anything else is left alone: another kind, another text, an unknown alert.
        for (kind, text) in [
            (io::ErrorKind::Other, "received fatal alert: BadCertificate"),
            (io::ErrorKind::InvalidData, "received fatal alert: BadCertificate, and more"),
            (io::ErrorKind::InvalidData, "received fatal alert: Unknown(200)"),
            (io::ErrorKind::InvalidData, "connection closed"),
        ] {
            assert!(find_alert_text(&Wrapper(Box::new(io::Error::new(kind, text)))).is_none(), "{text}");
        }
    }

    #[test]
    fn finds_refused_io_error() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        let top = Wrapper(Box::new(io::Error::other(refused)));
        assert_eq!(find_io_error(&top).unwrap().kind(), io::ErrorKind::ConnectionRefused);
        assert!(find_rustls_error(&top).is_none());
        let plain = Wrapper("no io here".into());
        assert!(find_io_error(&plain).is_none());
    }

    #[test]
    fn classifies_context_variants_without_chain() {
        let at = |text: &str| {
            let secs = crate::tls::time_text::unix_from_rfc3339(text).unwrap();
            UnixTime::since_unix_epoch(std::time::Duration::from_secs(u64::try_from(secs).unwrap()))
        };
        let expired = rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
            time: at("2027-01-15T08:00:00Z"),
            not_after: at("2026-11-26T19:00:00Z"),
        });
        assert_eq!(
            classify(&expired, &[], false),
            TlsFailure::Expired { not_after: Some("2026-11-26T19:00:00Z".to_owned()) }
        );
        let name = rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("db.test").unwrap(),
            presented: vec!["DnsName(\"a.test\")".to_owned(), "IpAddress(10.0.0.1)".to_owned()],
        });
        assert_eq!(
            classify(&name, &[], false),
            TlsFailure::NameMismatch {
                expected: "db.test".to_owned(),
                presented: vec!["a.test".to_owned(), "10.0.0.1".to_owned()],
            }
        );
        assert_eq!(
            classify(&rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer), &[], false),
            TlsFailure::UnknownIssuer { issuer: None }
        );
        assert_eq!(
            classify(
                &rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
                &[CertificateDer::from(vec![1, 2, 3])],
                false
            ),
            TlsFailure::UnknownIssuer { issuer: None }
        );
    }

    #[test]
    fn classifies_alerts_and_messages() {
        let alert = |a| rustls::Error::AlertReceived(a);
        assert_eq!(classify(&alert(AlertDescription::CertificateRequired), &[], false), TlsFailure::ClientCertRequired);
        assert_eq!(classify(&alert(AlertDescription::HandshakeFailure), &[], false), TlsFailure::ClientCertRequired);
        assert_eq!(
            classify(&alert(AlertDescription::UnknownCA), &[], true),
            TlsFailure::ClientCertRejected { alert: "UnknownCA".to_owned() }
        );
        assert!(matches!(classify(&alert(AlertDescription::UnknownCA), &[], false), TlsFailure::Other { .. }));
        assert_eq!(
            classify(&rustls::Error::InvalidMessage(InvalidMessage::InvalidContentType), &[], false),
            TlsFailure::NotTls
        );
        let webpki_other = rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::new(
            webpki::Error::CaUsedAsEndEntity,
        ))));
        assert_eq!(classify(&webpki_other, &[], false), TlsFailure::CaUsedAsEndEntity);
        assert!(matches!(classify(&rustls::Error::DecryptError, &[], false), TlsFailure::Other { .. }));
    }
}
