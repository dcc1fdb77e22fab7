//! The messages `explain` knows: one row per phrase, as each client prints it, with what it means.
//!
//! Needles are matched ASCII-case-insensitively. Where one needle contains another (OpenSSL's "self-signed
//! certificate in certificate chain" and "self-signed certificate"), the longer match wins at that place. The
//! sources of the texts are named in `tests/it/explain.rs`, next to a real message for each row.

use crate::diagnose::Code;

use super::Client;

/// How much a match says on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Rank {
    /// A message that hides the real error (chromadb's "Could not connect to a Chroma server").
    Wrapper = 1,
    /// A message that names a kind of failure without its cause (curl's exit 60 alone).
    Generic = 2,
    /// A message that names the cause.
    Specific = 3,
}

/// Which client printed a phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// Only this client prints it.
    Fixed(Client),
    /// OpenSSL's verification texts, printed by Python, curl, Node.js and OpenSSL itself: the paste's other
    /// phrases tell which; OpenSSL when nothing does.
    OpenSsl,
    /// A system error text (connection refused, name resolution): the paste's other phrases tell which client.
    Any,
}

/// What a matched phrase means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meaning {
    /// This diagnosis code.
    Code(Code),
    /// curl's exit code: the number after the needle.
    CurlExit,
    /// An OpenSSL verify result: the number after the needle.
    OpensslVerify,
    /// An HTTP status: the number after the needle.
    HttpStatus,
    /// chromadb's `NotFoundError: Tenant …` / `Database …` / `Collection …`: the word after the needle.
    ChromaNotFound,
    /// Go's `x509: certificate has expired or is not yet valid: current time T is after|before T2`.
    GoValidity,
    /// A message that hides the error underneath; the failures it can stand for.
    Wrapper(&'static [Code]),
}

/// Which details to read after the needle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Extract {
    /// Nothing.
    None,
    /// A quoted host name after this marker, on the same line (`not valid for 'h'`).
    QuotedHost(&'static str),
    /// The word after this marker, on the same line (`ENOTFOUND h`).
    HostAfter(&'static str),
    /// The address after this marker (`ECONNREFUSED 127.0.0.1:8000`).
    AddressAfter(&'static str),
    /// curl's `Failed to connect to h port p`.
    CurlConnect,
    /// Go's `certificate is valid for a, b, not c`.
    GoValidFor,
    /// Node's `Host: h. is not in the cert's altnames: DNS:a, DNS:b` (or `IP: …`).
    NodeAltnames,
    /// rustls' `certificate not valid for name "h"; certificate is only valid for DnsName("a")`, or its Debug
    /// form `NotValidForNameContext { expected: DnsName("h"), presented: [...] }`.
    RustlsNames,
    /// chromadb's `Could not connect to tenant t.`: the tenant.
    Tenant,
}

/// One known phrase.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pattern {
    /// The phrase, lower case.
    pub needle: &'static str,
    /// What it means.
    pub meaning: Meaning,
    /// How much it says on its own.
    pub rank: Rank,
    /// Who prints it.
    pub source: Source,
    /// Details to read after it.
    pub extract: Extract,
}

use Client::{ChromaServer, Chromadb, Curl, Go, Httpx, Java, Node, OpenSsl, PythonSsl, Rustls};
use Code::{
    ChromaApiError, ChromaTenantNotFound, ConfigCaFileInvalid, DnsNotFound, HttpForbidden, HttpPlainToTlsPort,
    HttpProxyError, HttpUnauthorized, NetRefused, NetReset, NetTimeout, NetUnreachable, TlsCaUsedAsEndEntity,
    TlsClientCertRejected, TlsClientCertRequired, TlsExpired, TlsNameMismatch, TlsNotTls, TlsNotYetValid, TlsOther,
    TlsSelfSigned, TlsUnknownIssuer,
};
use Extract as X;
use Rank::{Generic, Specific, Wrapper};

const fn row(needle: &'static str, code: Code, source: Source, extract: Extract) -> Pattern {
    Pattern { needle, meaning: Meaning::Code(code), rank: Specific, source, extract }
}

const fn generic(needle: &'static str, code: Code, source: Source) -> Pattern {
    Pattern { needle, meaning: Meaning::Code(code), rank: Generic, source, extract: X::None }
}

const fn special(needle: &'static str, meaning: Meaning, rank: Rank, source: Source) -> Pattern {
    Pattern { needle, meaning, rank, source, extract: X::None }
}

const fn fixed(client: Client) -> Source {
    Source::Fixed(client)
}

/// What a connection-level wrapper can hide.
const CONNECTION_FAILURES: &[Code] =
    &[NetRefused, DnsNotFound, NetTimeout, TlsUnknownIssuer, TlsSelfSigned, TlsNameMismatch, TlsExpired, TlsNotTls];

/// What a bare "certificate verify failed" can stand for.
const VERIFY_FAILURES: &[Code] =
    &[TlsUnknownIssuer, TlsSelfSigned, Code::TlsIncompleteChain, TlsExpired, TlsNameMismatch];

const OPENSSL: Source = Source::OpenSsl;
const ANY: Source = Source::Any;

/// Every known phrase.
pub(super) const PATTERNS: &[Pattern] = &[
    // OpenSSL's verification texts (crypto/x509/x509_txt.c), as Python's ssl, curl, Node.js and openssl print them.
    // OpenSSL 3 writes "self-signed", 1.1 "self signed".
    row("self-signed certificate in certificate chain", TlsUnknownIssuer, OPENSSL, X::None),
    row("self signed certificate in certificate chain", TlsUnknownIssuer, OPENSSL, X::None),
    row("self-signed certificate", TlsSelfSigned, OPENSSL, X::None),
    row("self signed certificate", TlsSelfSigned, OPENSSL, X::None),
    row("unable to get local issuer certificate", TlsUnknownIssuer, OPENSSL, X::None),
    row("unable to get issuer certificate", TlsUnknownIssuer, OPENSSL, X::None),
    row("unable to verify the first certificate", TlsUnknownIssuer, OPENSSL, X::None),
    row("certificate has expired", TlsExpired, OPENSSL, X::None),
    row("certificate is not yet valid", TlsNotYetValid, OPENSSL, X::None),
    row("hostname mismatch", TlsNameMismatch, OPENSSL, X::QuotedHost("not valid for ")),
    row("ip address mismatch", TlsNameMismatch, OPENSSL, X::QuotedHost("not valid for ")),
    row("wrong version number", TlsNotTls, OPENSSL, X::None),
    row("tlsv13 alert certificate required", TlsClientCertRequired, OPENSSL, X::None),
    row("tlsv1 alert unknown ca", TlsClientCertRejected, OPENSSL, X::None),
    row("sslv3 alert bad certificate", TlsClientCertRejected, OPENSSL, X::None),
    row("certificate revoked", TlsOther, OPENSSL, X::None),
    special("verify error:num=", Meaning::OpensslVerify, Specific, fixed(OpenSsl)),
    special("verify return code: ", Meaning::OpensslVerify, Specific, fixed(OpenSsl)),
    Pattern {
        needle: "certificate verify failed",
        meaning: Meaning::Wrapper(VERIFY_FAILURES),
        rank: Wrapper,
        source: OPENSSL,
        extract: X::None,
    },
    // curl (lib/vtls/openssl.c, libcurl-errors).
    row(
        "no alternative certificate subject name matches target host name",
        TlsNameMismatch,
        fixed(Curl),
        X::QuotedHost("host name "),
    ),
    row("does not match target host name", TlsNameMismatch, fixed(Curl), X::QuotedHost("target host name ")),
    row("could not resolve host", DnsNotFound, fixed(Curl), X::HostAfter("could not resolve host: ")),
    row("couldn't connect to server", NetRefused, fixed(Curl), X::CurlConnect),
    row("ssl connection timeout", NetTimeout, fixed(Curl), X::None),
    row("empty reply from server", NetReset, fixed(Curl), X::None),
    special("curl: (", Meaning::CurlExit, Generic, fixed(Curl)),
    special("curl error ", Meaning::CurlExit, Generic, fixed(Curl)),
    // Node.js error codes (lib/_tls_wrap.js, OpenSSL's X509_V_ERR names, libuv/getaddrinfo).
    row("self_signed_cert_in_chain", TlsUnknownIssuer, fixed(Node), X::None),
    row("unable_to_verify_leaf_signature", TlsUnknownIssuer, fixed(Node), X::None),
    row("unable_to_get_issuer_cert_locally", TlsUnknownIssuer, fixed(Node), X::None),
    row("depth_zero_self_signed_cert", TlsSelfSigned, fixed(Node), X::None),
    row("cert_has_expired", TlsExpired, fixed(Node), X::None),
    row("cert_not_yet_valid", TlsNotYetValid, fixed(Node), X::None),
    row("err_tls_cert_altname_invalid", TlsNameMismatch, fixed(Node), X::NodeAltnames),
    row("does not match certificate's altnames", TlsNameMismatch, fixed(Node), X::NodeAltnames),
    row("err_ssl_wrong_version_number", TlsNotTls, fixed(Node), X::None),
    row("err_ssl_tlsv13_alert_certificate_required", TlsClientCertRequired, fixed(Node), X::None),
    row("econnrefused", NetRefused, fixed(Node), X::AddressAfter("econnrefused ")),
    row("enotfound", DnsNotFound, fixed(Node), X::HostAfter("enotfound ")),
    row("eai_again", DnsNotFound, fixed(Node), X::HostAfter("eai_again ")),
    row("etimedout", NetTimeout, fixed(Node), X::AddressAfter("etimedout ")),
    row("econnreset", NetReset, fixed(Node), X::None),
    row("ehostunreach", NetUnreachable, fixed(Node), X::AddressAfter("ehostunreach ")),
    row("enetunreach", NetUnreachable, fixed(Node), X::AddressAfter("enetunreach ")),
    Pattern {
        needle: "failed to connect to chromadb",
        meaning: Meaning::Wrapper(CONNECTION_FAILURES),
        rank: Wrapper,
        source: fixed(Node),
        extract: X::None,
    },
    special("typeerror: fetch failed", Meaning::Wrapper(CONNECTION_FAILURES), Wrapper, fixed(Node)),
    // Java (sun.security.validator, sun.security.util.HostnameChecker, sun.security.ssl).
    row("pkix path building failed", TlsUnknownIssuer, fixed(Java), X::None),
    row("unable to find valid certification path to requested target", TlsUnknownIssuer, fixed(Java), X::None),
    row("no subject alternative dns name matching", TlsNameMismatch, fixed(Java), X::HostAfter("name matching ")),
    row("no subject alternative names matching ip address", TlsNameMismatch, fixed(Java), X::HostAfter("ip address ")),
    row("no subject alternative names present", TlsNameMismatch, fixed(Java), X::None),
    row("certificateexpiredexception", TlsExpired, fixed(Java), X::None),
    row("certificatenotyetvalidexception", TlsNotYetValid, fixed(Java), X::None),
    generic("validity check failed", TlsExpired, fixed(Java)),
    row("received fatal alert: certificate_required", TlsClientCertRequired, fixed(Java), X::None),
    row("received fatal alert: bad_certificate", TlsClientCertRejected, fixed(Java), X::None),
    row("received fatal alert: unknown_ca", TlsClientCertRejected, fixed(Java), X::None),
    row("unsupported or unrecognized ssl message", TlsNotTls, fixed(Java), X::None),
    row("unknownhostexception", DnsNotFound, fixed(Java), X::HostAfter("unknownhostexception: ")),
    row("connect timed out", NetTimeout, fixed(Java), X::None),
    row("read timed out", NetTimeout, fixed(Java), X::None),
    // Go (crypto/x509/verify.go, crypto/tls, net, net/http).
    row("x509: certificate signed by unknown authority", TlsUnknownIssuer, fixed(Go), X::None),
    row("x509: certificate is valid for ", TlsNameMismatch, fixed(Go), X::GoValidFor),
    row("x509: certificate is not valid for any names", TlsNameMismatch, fixed(Go), X::HostAfter("wanted to match ")),
    row(
        "because it doesn't contain any ip sans",
        TlsNameMismatch,
        fixed(Go),
        X::HostAfter("validate certificate for "),
    ),
    row("x509: certificate relies on legacy common name field", TlsNameMismatch, fixed(Go), X::None),
    special(
        "x509: certificate has expired or is not yet valid: current time",
        Meaning::GoValidity,
        Specific,
        fixed(Go),
    ),
    row("x509: certificate has expired or is not yet valid", TlsExpired, fixed(Go), X::None),
    row("http: server gave http response to https client", TlsNotTls, fixed(Go), X::None),
    row("tls: first record does not look like a tls handshake", TlsNotTls, fixed(Go), X::None),
    row("remote error: tls: certificate required", TlsClientCertRequired, fixed(Go), X::None),
    row("remote error: tls: bad certificate", TlsClientCertRejected, fixed(Go), X::None),
    row("remote error: tls: unknown certificate authority", TlsClientCertRejected, fixed(Go), X::None),
    row("no such host", DnsNotFound, fixed(Go), X::HostAfter("lookup ")),
    row("i/o timeout", NetTimeout, fixed(Go), X::None),
    row("client.timeout exceeded", NetTimeout, fixed(Go), X::None),
    // rustls (its Error and CertificateError, Display and Debug) through reqwest / hyper-util.
    row("unknownissuer", TlsUnknownIssuer, fixed(Rustls), X::None),
    row("notvalidforname", TlsNameMismatch, fixed(Rustls), X::RustlsNames),
    row("certificate not valid for name", TlsNameMismatch, fixed(Rustls), X::RustlsNames),
    row("invalidcertificate(expired", TlsExpired, fixed(Rustls), X::None),
    row("invalid peer certificate: certificate expired", TlsExpired, fixed(Rustls), X::None),
    row("invalidcertificate(notvalidyet", TlsNotYetValid, fixed(Rustls), X::None),
    row("invalid peer certificate: certificate not valid yet", TlsNotYetValid, fixed(Rustls), X::None),
    row("causedasendentity", TlsCaUsedAsEndEntity, fixed(Rustls), X::None),
    row("alertreceived(certificaterequired)", TlsClientCertRequired, fixed(Rustls), X::None),
    row("received fatal alert: certificaterequired", TlsClientCertRequired, fixed(Rustls), X::None),
    row("alertreceived(unknownca)", TlsClientCertRejected, fixed(Rustls), X::None),
    row("received fatal alert: unknownca", TlsClientCertRejected, fixed(Rustls), X::None),
    row("alertreceived(badcertificate)", TlsClientCertRejected, fixed(Rustls), X::None),
    row("received fatal alert: badcertificate", TlsClientCertRejected, fixed(Rustls), X::None),
    row("invalidcontenttype", TlsNotTls, fixed(Rustls), X::None),
    row("failed to lookup address information", DnsNotFound, fixed(Rustls), X::None),
    special("error sending request for url", Meaning::Wrapper(CONNECTION_FAILURES), Wrapper, fixed(Rustls)),
    // Python: ssl's reason codes, socket errors as Python prints them, httpx, chromadb (chromadb/api/client.py,
    // chromadb/errors.py).
    row("[ssl: wrong_version_number]", TlsNotTls, fixed(PythonSsl), X::None),
    row("[ssl: tlsv13_alert_certificate_required]", TlsClientCertRequired, fixed(PythonSsl), X::None),
    row("[ssl: tlsv1_alert_unknown_ca]", TlsClientCertRejected, fixed(PythonSsl), X::None),
    row("[ssl: sslv3_alert_bad_certificate]", TlsClientCertRejected, fixed(PythonSsl), X::None),
    row("[errno -2] name or service not known", DnsNotFound, fixed(PythonSsl), X::None),
    row("[errno -3] temporary failure in name resolution", DnsNotFound, fixed(PythonSsl), X::None),
    row("[errno 8] nodename nor servname provided", DnsNotFound, fixed(PythonSsl), X::None),
    row("[errno 11001] getaddrinfo failed", DnsNotFound, fixed(PythonSsl), X::None),
    row("httpx.connecttimeout", NetTimeout, fixed(Httpx), X::None),
    row("httpx.readtimeout", NetTimeout, fixed(Httpx), X::None),
    row("chromadb.errors.chromaautherror", HttpForbidden, fixed(Chromadb), X::None),
    row("chromadb.errors.authorizationerror", HttpUnauthorized, fixed(Chromadb), X::None),
    special("notfounderror: ", Meaning::ChromaNotFound, Specific, fixed(Chromadb)),
    Pattern {
        needle: "could not connect to tenant ",
        meaning: Meaning::Code(ChromaTenantNotFound),
        rank: Generic,
        source: fixed(Chromadb),
        extract: X::Tenant,
    },
    special("could not connect to a chroma server", Meaning::Wrapper(CONNECTION_FAILURES), Wrapper, fixed(Chromadb)),
    // HTTP answers (statuses as clients print them; nginx's error pages).
    special("http/1.1 ", Meaning::HttpStatus, Specific, ANY),
    special("http/1.0 ", Meaning::HttpStatus, Specific, ANY),
    special("http/2 ", Meaning::HttpStatus, Specific, ANY),
    row("401 unauthorized", HttpUnauthorized, ANY, X::None),
    row("401 authorization required", HttpUnauthorized, ANY, X::None),
    row("401 client error", HttpUnauthorized, ANY, X::None),
    row("403 forbidden", HttpForbidden, ANY, X::None),
    row("403 client error", HttpForbidden, ANY, X::None),
    row("502 bad gateway", HttpProxyError, ANY, X::None),
    row("503 service unavailable", HttpProxyError, ANY, X::None),
    row("504 gateway time", HttpProxyError, ANY, X::None),
    row("the plain http request was sent to https port", HttpPlainToTlsPort, ANY, X::None),
    row("no required ssl certificate was sent", TlsClientCertRequired, ANY, X::None),
    row("the v1 api is deprecated", ChromaApiError, fixed(ChromaServer), X::None),
    // System error texts, printed by many clients.
    row("connection refused", NetRefused, ANY, X::None),
    row("name or service not known", DnsNotFound, ANY, X::None),
    row("temporary failure in name resolution", DnsNotFound, ANY, X::None),
    row("nodename nor servname provided", DnsNotFound, ANY, X::None),
    row("no route to host", NetUnreachable, ANY, X::None),
    row("network is unreachable", NetUnreachable, ANY, X::None),
    row("connection reset by peer", NetReset, ANY, X::None),
    row("connection timed out", NetTimeout, ANY, X::None),
    row("operation timed out", NetTimeout, ANY, X::None),
    row("problem with reading the ssl ca cert", ConfigCaFileInvalid, fixed(Curl), X::None),
];

/// The code of curl's exit status `exit` (libcurl-errors), when it names a connection failure.
pub(super) fn curl_exit_code(exit: u32) -> Option<Code> {
    Some(match exit {
        6 => DnsNotFound,
        7 => NetRefused,
        28 => NetTimeout,
        35 => TlsOther,
        51 => TlsNameMismatch,
        52 | 56 => NetReset,
        58 => Code::ConfigClientCertInvalid,
        60 => TlsUnknownIssuer,
        77 => ConfigCaFileInvalid,
        _ => return None,
    })
}

/// The code of OpenSSL's verify result `number` (`X509_V_ERR_*`), when it is a failure.
pub(super) fn openssl_verify_code(number: u32) -> Option<Code> {
    Some(match number {
        2 | 19..=21 => TlsUnknownIssuer,
        9 => TlsNotYetValid,
        10 => TlsExpired,
        18 => TlsSelfSigned,
        62 | 64 => TlsNameMismatch,
        7 | 23 | 24 | 26 => TlsOther,
        _ => return None,
    })
}

/// The code of an HTTP status, when it names a failure `explain` can speak of.
pub(super) fn http_status_code(status: u32) -> Option<Code> {
    Some(match status {
        401 => HttpUnauthorized,
        403 => HttpForbidden,
        502..=504 => HttpProxyError,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needles_are_lower_case_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for pattern in PATTERNS {
            assert_eq!(pattern.needle, pattern.needle.to_ascii_lowercase(), "{}", pattern.needle);
            assert!(!pattern.needle.trim().is_empty());
            assert!(seen.insert(pattern.needle), "{} twice", pattern.needle);
        }
    }

    #[test]
    fn numbers_map_to_codes() {
        assert_eq!(curl_exit_code(60), Some(TlsUnknownIssuer));
        assert_eq!(curl_exit_code(0), None);
        assert_eq!(openssl_verify_code(0), None, "0 is ok");
        assert_eq!(openssl_verify_code(62), Some(TlsNameMismatch));
        assert_eq!(http_status_code(200), None);
        assert_eq!(http_status_code(503), Some(HttpProxyError));
    }
}
