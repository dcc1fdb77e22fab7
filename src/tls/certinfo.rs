//! Human-readable details of one X.509 certificate.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::SystemTime;

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer as _;
use x509_parser::time::ASN1Time;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::error::CertParseError;
use super::pem_text::pem_block;
use super::time_text::{rfc3339_from_unix, unix_secs};

/// The Authority Information Access method "CA issuers" (RFC 5280, 4.2.2.1).
const OID_CA_ISSUERS: &str = "1.3.6.1.5.5.7.48.2";

/// What a person needs to know about a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    /// The subject name, RFC 4514 style: `CN=localhost, O=Example`.
    pub subject: String,
    /// The issuer name, in the same style.
    pub issuer: String,
    /// Subject alternative names: DNS names and IP addresses as plain text, e-mail addresses as
    /// `email:…`, URIs as `uri:…`, directory names as `dirname:…`.
    pub sans: Vec<String>,
    /// Start of validity, RFC 3339 UTC (`2026-11-26T19:00:00Z`).
    pub not_before: String,
    /// End of validity, RFC 3339 UTC.
    pub not_after: String,
    /// The basicConstraints CA flag.
    pub is_ca: bool,
    /// SHA-256 fingerprint of the DER encoding, uppercase hex pairs separated by `:` (as OpenSSL).
    pub sha256: String,
    /// Issuer equals subject and the certificate's signature verifies with its own key.
    pub self_signed: bool,
    /// The public key, e.g. `EC P-256`, `RSA 2048`, `Ed25519`.
    pub key: String,
    /// The serial number, uppercase hex pairs separated by `:`.
    pub serial: String,
    /// The "CA issuers" URIs of the Authority Information Access extension: where the issuing
    /// certificate can be downloaded.
    pub ca_issuers: Vec<String>,
    /// The certificate itself (DER), e.g. to save it with [`to_pem`](Self::to_pem). Not in the JSON.
    #[serde(skip)]
    pub der: Vec<u8>,
    /// Start of validity, seconds since the Unix epoch. Not in the JSON (see `not_before`).
    #[serde(skip)]
    pub not_before_unix: i64,
    /// End of validity, seconds since the Unix epoch. Not in the JSON (see `not_after`).
    #[serde(skip)]
    pub not_after_unix: i64,
}

/// Parses a DER certificate into [`CertInfo`].
pub fn cert_info(der: &[u8]) -> Result<CertInfo, CertParseError> {
    let cert = parse(der)?;
    let validity = cert.validity();
    let (not_before_unix, not_after_unix) = (validity.not_before.timestamp(), validity.not_after.timestamp());
    Ok(CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sans: sans(&cert),
        not_before: rfc3339_from_unix(not_before_unix),
        not_after: rfc3339_from_unix(not_after_unix),
        is_ca: cert.is_ca(),
        sha256: sha256_fingerprint(der),
        self_signed: is_self_signed(&cert),
        key: key_description(cert.public_key()),
        serial: hex_pairs(cert.raw_serial()),
        ca_issuers: ca_issuers(&cert),
        der: der.to_vec(),
        not_before_unix,
        not_after_unix,
    })
}

/// The certificates of a chain as one PEM text (a bundle), in the order given: what a CA file or a
/// `fullchain.pem` holds.
#[must_use]
pub fn chain_pem(certs: &[CertInfo]) -> String {
    certs.iter().map(CertInfo::to_pem).collect()
}

/// SHA-256 of `der` as uppercase hex pairs separated by `:`, like `openssl x509 -fingerprint -sha256`.
#[must_use]
pub fn sha256_fingerprint(der: &[u8]) -> String {
    hex_pairs(&Sha256::digest(der))
}

impl CertInfo {
    /// The certificate as a PEM block (`-----BEGIN CERTIFICATE-----` …), e.g. to save a server's
    /// certificate as a CA file.
    #[must_use]
    pub fn to_pem(&self) -> String {
        pem_block("CERTIFICATE", &self.der)
    }

    /// Whether the certificate had expired at `now`.
    #[must_use]
    pub fn expired_at(&self, now: SystemTime) -> bool {
        unix_secs(now) > self.not_after_unix
    }

    /// Whether the certificate was not yet valid at `now`.
    #[must_use]
    pub fn not_yet_valid_at(&self, now: SystemTime) -> bool {
        unix_secs(now) < self.not_before_unix
    }

    /// Whole days from `now` until the end of validity, rounded down: `0` on its last day, negative once
    /// expired (`-1` during the first day after). `None` when a date is out of range.
    #[must_use]
    pub fn days_left(&self, now: SystemTime) -> Option<i64> {
        let not_after = ASN1Time::from_timestamp(self.not_after_unix).ok()?.to_datetime();
        let now = ASN1Time::from_timestamp(unix_secs(now)).ok()?.to_datetime();
        Some((not_after - now).whole_seconds().div_euclid(86_400))
    }

    /// Whether the subject alternative names cover `name` (a DNS name or an IP address): see
    /// [`matching_san`](Self::matching_san).
    #[must_use]
    pub fn is_valid_for_name(&self, name: &str) -> bool {
        self.matching_san(name).is_some()
    }

    /// The subject alternative name that covers `name` (a DNS name or an IP address, `[…]` allowed
    /// around IPv6), with rustls' rules: case-insensitive, a trailing dot ignored, an IP address
    /// only by an IP address SAN, a `*` only as the whole left-most label of a name with at least
    /// two more labels, standing for exactly one label. The common name is ignored, as by browsers
    /// and rustls.
    #[must_use]
    pub fn matching_san(&self, name: &str) -> Option<&str> {
        let name = name.trim_end_matches('.');
        if let Ok(ip) = name.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            return self
                .sans
                .iter()
                .find(|san| san.parse::<IpAddr>().is_ok_and(|presented| presented == ip))
                .map(String::as_str);
        }
        self.sans.iter().find(|san| dns_name_matches(san, name)).map(String::as_str)
    }
}

/// Parses `der` as one X.509 certificate, and nothing after it: the DER kept, its fingerprint and its PEM are the
/// certificate's own (as the CA file loader requires).
pub(crate) fn parse(der: &[u8]) -> Result<X509Certificate<'_>, CertParseError> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Ok(cert),
        Ok((rest, _)) => {
            Err(CertParseError { detail: format!("{} bytes of trailing data after the certificate", rest.len()) })
        }
        Err(err) => Err(CertParseError { detail: err.to_string() }),
    }
}

/// Issuer equals subject (byte for byte) and the signature verifies with the certificate's own key.
pub(crate) fn is_self_signed(cert: &X509Certificate<'_>) -> bool {
    cert.subject().as_raw() == cert.issuer().as_raw() && cert.verify_signature(None).is_ok()
}

fn sans(cert: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return Vec::new();
    };
    san.value
        .general_names
        .iter()
        .filter_map(|name| match name {
            GeneralName::DNSName(dns) => Some((*dns).to_owned()),
            GeneralName::IPAddress(bytes) => Some(ip_text(bytes)),
            GeneralName::RFC822Name(email) => Some(format!("email:{email}")),
            GeneralName::URI(uri) => Some(format!("uri:{uri}")),
            GeneralName::DirectoryName(dn) => Some(format!("dirname:{dn}")),
            _ => None,
        })
        .collect()
}

fn ca_issuers(cert: &X509Certificate<'_>) -> Vec<String> {
    cert.iter_extensions()
        .filter_map(|ext| match ext.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => Some(aia),
            _ => None,
        })
        .flat_map(x509_parser::extensions::AuthorityInfoAccess::iter)
        .filter(|desc| desc.access_method.to_id_string() == OID_CA_ISSUERS)
        .filter_map(|desc| match desc.access_location {
            GeneralName::URI(uri) => Some(uri.to_owned()),
            _ => None,
        })
        .collect()
}

/// The public key in a few words: `EC P-256`, `RSA 2048`, `Ed25519`.
pub(crate) fn key_description(spki: &SubjectPublicKeyInfo<'_>) -> String {
    let algorithm = spki.algorithm.algorithm.to_id_string();
    match algorithm.as_str() {
        "1.2.840.113549.1.1.1" => format!("RSA {}", rsa_bits(spki)),
        "1.2.840.113549.1.1.10" => format!("RSA-PSS {}", rsa_bits(spki)),
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|params| params.as_oid().ok())
                .map(|oid| oid.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "EC P-256".to_owned(),
                Some("1.3.132.0.34") => "EC P-384".to_owned(),
                Some("1.3.132.0.35") => "EC P-521".to_owned(),
                Some("1.3.132.0.10") => "EC secp256k1".to_owned(),
                Some(other) => format!("EC {other}"),
                None => "EC".to_owned(),
            }
        }
        "1.3.101.112" => "Ed25519".to_owned(),
        "1.3.101.113" => "Ed448".to_owned(),
        _ => algorithm,
    }
}

/// The modulus size of an RSA key in bits, `0` when it cannot be parsed.
fn rsa_bits(spki: &SubjectPublicKeyInfo<'_>) -> usize {
    let Ok(x509_parser::public_key::PublicKey::RSA(rsa)) = spki.parsed() else {
        return 0;
    };
    let modulus = rsa.modulus;
    let Some(start) = modulus.iter().position(|byte| *byte != 0) else {
        return 0;
    };
    let significant = modulus.get(start..).unwrap_or_default();
    let Some(first) = significant.first() else {
        return 0;
    };
    significant.len() * 8 - first.leading_zeros() as usize
}

fn ip_text(bytes: &[u8]) -> String {
    if let Ok(octets) = <[u8; 4]>::try_from(bytes) {
        Ipv4Addr::from(octets).to_string()
    } else if let Ok(octets) = <[u8; 16]>::try_from(bytes) {
        Ipv6Addr::from(octets).to_string()
    } else {
        // A name constraint style address/mask or garbage: show the bytes.
        hex_pairs(bytes)
    }
}

fn dns_name_matches(presented: &str, name: &str) -> bool {
    let presented = presented.trim_end_matches('.');
    if presented.parse::<IpAddr>().is_ok() || name.is_empty() {
        // An IP address SAN never matches a DNS name.
        return false;
    }
    if let Some(suffix) = presented.strip_prefix("*.") {
        // Like rustls (and NSS), at least two labels after the wildcard: no `*.com`.
        if !suffix.contains('.') || suffix.contains('*') {
            return false;
        }
        let Some((first, rest)) = name.split_once('.') else {
            return false;
        };
        !first.is_empty() && rest.eq_ignore_ascii_case(suffix)
    } else {
        presented.eq_ignore_ascii_case(name)
    }
}

fn hex_pairs(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 3);
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 {
            text.push(':');
        }
        // Writing to a String cannot fail.
        let _ = write!(text, "{byte:02X}");
    }
    text
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use rcgen::{
        BasicConstraints, CertificateParams, CustomExtension, DnType, IsCa, Issuer, KeyPair, PKCS_ECDSA_P384_SHA384,
        PKCS_ED25519, PKCS_RSA_SHA256,
    };

    use super::*;
    use crate::tls::time_text::unix_from_rfc3339;

    fn ca() -> (CertificateParams, KeyPair) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, "Test Root");
        params.distinguished_name.push(DnType::OrganizationName, "Example");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        (params, KeyPair::generate().unwrap())
    }

    /// DER of an Authority Information Access extension with one caIssuers URI.
    fn aia_extension(uri: &str) -> CustomExtension {
        let uri = uri.as_bytes();
        let oid = [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
        let mut desc = oid.to_vec();
        desc.push(0x86);
        desc.push(u8::try_from(uri.len()).unwrap());
        desc.extend_from_slice(uri);
        let mut seq = vec![0x30, u8::try_from(desc.len()).unwrap()];
        seq.extend(desc);
        let mut outer = vec![0x30, u8::try_from(seq.len()).unwrap()];
        outer.extend(seq);
        CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], outer)
    }

    #[test]
    fn leaf_fields() {
        let (ca_params, ca_key) = ca();
        let issuer = Issuer::from_params(&ca_params, &ca_key);
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "*.example.test".to_owned()])
                .unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, "localhost");
        params.not_before = rcgen::date_time_ymd(2025, 1, 2);
        params.not_after = rcgen::date_time_ymd(2026, 11, 26) + time::Duration::hours(19);
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x01, 0xAB]));
        params.custom_extensions.push(aia_extension("http://ca.test/root.der"));
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();

        let info = cert_info(cert.der()).unwrap();
        assert_eq!(info.subject, "CN=localhost");
        assert_eq!(info.issuer, "CN=Test Root, O=Example");
        assert_eq!(info.sans, ["localhost", "127.0.0.1", "*.example.test"]);
        assert_eq!(info.not_before, "2025-01-02T00:00:00Z");
        assert_eq!(info.not_after, "2026-11-26T19:00:00Z");
        assert!(!info.is_ca);
        assert!(!info.self_signed);
        assert_eq!(info.key, "EC P-256");
        assert_eq!(info.serial, "01:AB");
        assert_eq!(info.ca_issuers, ["http://ca.test/root.der"]);

        let digest = Sha256::digest(cert.der().as_ref());
        let expected: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(info.sha256, expected.join(":"));
        assert_eq!(info.sha256.len(), 32 * 3 - 1);

        assert!(info.is_valid_for_name("localhost"));
        assert!(info.is_valid_for_name("LOCALHOST."));
        assert!(info.is_valid_for_name("127.0.0.1"));
        assert!(info.is_valid_for_name("a.example.test"));
        assert!(!info.is_valid_for_name("example.test"));
        assert!(!info.is_valid_for_name("a.b.example.test"));
        assert!(!info.is_valid_for_name("127.0.0.2"));

        let expiry_secs = unix_from_rfc3339("2026-11-26T19:00:00Z").unwrap();
        let expiry = UNIX_EPOCH + Duration::from_secs(u64::try_from(expiry_secs).unwrap());
        assert!(!info.expired_at(expiry));
        assert!(info.expired_at(expiry + Duration::from_secs(1)));
        assert!(info.not_yet_valid_at(UNIX_EPOCH));
        assert!(!info.not_yet_valid_at(expiry));

        assert_eq!(info.not_after_unix, expiry_secs);
        assert_eq!(info.days_left(expiry), Some(0));
        assert_eq!(info.days_left(expiry - Duration::from_secs(1)), Some(0));
        assert_eq!(info.days_left(expiry - Duration::from_hours(24)), Some(1));
        assert_eq!(info.days_left(expiry - Duration::from_hours(24 * 92) - Duration::from_secs(5)), Some(92));
        assert_eq!(info.days_left(expiry + Duration::from_secs(1)), Some(-1));
        assert_eq!(info.days_left(expiry + Duration::from_hours(72)), Some(-3));

        assert_eq!(info.der, cert.der().to_vec());
        let json = serde_json::to_value(&info).unwrap();
        for hidden in ["der", "not_before_unix", "not_after_unix"] {
            assert!(json.get(hidden).is_none(), "{hidden} is in the JSON");
        }
    }

    #[test]
    fn matching_sans_follow_rustls() {
        let params = CertificateParams::new(vec![
            "chroma.example.test".to_owned(),
            "*.apps.example.test".to_owned(),
            "*.test".to_owned(),
            "10.0.0.7".to_owned(),
            "::1".to_owned(),
        ])
        .unwrap();
        let cert = params.self_signed(&KeyPair::generate().unwrap()).unwrap();
        let info = cert_info(cert.der()).unwrap();
        assert_eq!(info.matching_san("chroma.example.test"), Some("chroma.example.test"));
        assert_eq!(info.matching_san("CHROMA.Example.Test."), Some("chroma.example.test"));
        assert_eq!(info.matching_san("db.apps.example.test"), Some("*.apps.example.test"));
        assert_eq!(info.matching_san("apps.example.test"), None);
        assert_eq!(info.matching_san("a.db.apps.example.test"), None);
        // A wildcard needs two labels after it.
        assert_eq!(info.matching_san("x.test"), None);
        assert_eq!(info.matching_san("10.0.0.7"), Some("10.0.0.7"));
        assert_eq!(info.matching_san("[::1]"), Some("::1"));
        assert_eq!(info.matching_san("0:0:0:0:0:0:0:1"), Some("::1"));
        assert_eq!(info.matching_san("10.0.0.8"), None);
        assert_eq!(info.matching_san(""), None);
        assert!(info.is_valid_for_name("db.apps.example.test"));
    }

    #[test]
    fn pem_of_one_and_of_a_chain() {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject as _;
        let (params, key) = ca();
        let root = params.self_signed(&key).unwrap();
        let leaf = CertificateParams::new(vec!["x.test".to_owned()])
            .unwrap()
            .signed_by(&KeyPair::generate().unwrap(), &Issuer::from_params(&params, &key))
            .unwrap();
        let infos = [cert_info(leaf.der()).unwrap(), cert_info(root.der()).unwrap()];
        let pem = infos[0].to_pem();
        assert_eq!(CertificateDer::from_pem_slice(pem.as_bytes()).unwrap().as_ref(), leaf.der().as_ref());
        let bundle = chain_pem(&infos);
        let read: Vec<Vec<u8>> =
            CertificateDer::pem_slice_iter(bundle.as_bytes()).map(|c| c.unwrap().to_vec()).collect();
        assert_eq!(read, [leaf.der().to_vec(), root.der().to_vec()]);
        assert_eq!(chain_pem(&[]), "");
    }

    #[test]
    fn ca_is_self_signed() {
        let (params, key) = ca();
        let cert = params.self_signed(&key).unwrap();
        let info = cert_info(cert.der()).unwrap();
        assert!(info.is_ca);
        assert!(info.self_signed);
        assert!(info.ca_issuers.is_empty());
        assert!(info.sans.is_empty());
        assert_eq!(info.subject, info.issuer);
    }

    #[test]
    fn same_names_but_foreign_signature_is_not_self_signed() {
        // A certificate whose issuer name equals its subject but that another key signed.
        let (params, key) = ca();
        let other_key = KeyPair::generate().unwrap();
        let issuer = Issuer::from_params(&params, &other_key);
        let cert = params.signed_by(&key, &issuer).unwrap();
        let info = cert_info(cert.der()).unwrap();
        assert_eq!(info.subject, info.issuer);
        assert!(!info.self_signed);
    }

    #[test]
    fn key_descriptions() {
        for (alg, expected) in [(&PKCS_ECDSA_P384_SHA384, "EC P-384"), (&PKCS_ED25519, "Ed25519")] {
            let key = KeyPair::generate_for(alg).unwrap();
            let cert = CertificateParams::new(vec!["x.test".to_owned()]).unwrap().self_signed(&key).unwrap();
            let info = cert_info(cert.der()).unwrap();
            assert_eq!(info.key, expected);
            assert!(info.self_signed, "{expected}");
        }
        let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048).unwrap();
        let cert = CertificateParams::new(vec!["x.test".to_owned()]).unwrap().self_signed(&key).unwrap();
        assert_eq!(cert_info(cert.der()).unwrap().key, "RSA 2048");
    }

    #[test]
    fn other_san_kinds() {
        let mut params = CertificateParams::new(vec!["::1".to_owned()]).unwrap();
        params.subject_alt_names.push(rcgen::SanType::Rfc822Name("ops@example.test".try_into().unwrap()));
        params.subject_alt_names.push(rcgen::SanType::URI("spiffe://example.test/a".try_into().unwrap()));
        let cert = params.self_signed(&KeyPair::generate().unwrap()).unwrap();
        let info = cert_info(cert.der()).unwrap();
        assert_eq!(info.sans, ["::1", "email:ops@example.test", "uri:spiffe://example.test/a"]);
        assert!(info.is_valid_for_name("::1"));
        assert!(info.is_valid_for_name("[::1]"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(cert_info(b"").is_err());
        assert!(cert_info(b"not a certificate").is_err());
        assert!(cert_info(&[0x30, 0x82, 0xFF, 0xFF, 0x00]).is_err());
    }

    #[test]
    fn trailing_data_is_not_part_of_a_certificate() {
        // Found by fuzzing (tls_certificates): two DER certificates back to back were read as the first one, with
        // the second kept in its DER, its fingerprint and its PEM, which the CA file loader then refused.
        let (params, key) = ca();
        let cert = params.self_signed(&key).unwrap();
        let info = cert_info(cert.der()).unwrap();
        assert_eq!(info.der, cert.der().as_ref());
        for trailing in [&[0u8][..], cert.der()] {
            let err = cert_info(&[cert.der().as_ref(), trailing].concat()).unwrap_err();
            assert!(err.detail.contains("trailing data"), "{err:?}");
        }
    }
}
