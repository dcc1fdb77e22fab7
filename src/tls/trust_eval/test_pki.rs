//! Small rcgen PKIs for the unit tests of [`super`] and of `diagnose::trust`: roots, intermediates and leaves, in
//! memory.

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::{CertificateDer, UnixTime};
use time::{Duration, OffsetDateTime};

use super::{RootStore, TrustStores};

/// A CA that can sign.
pub(crate) struct Ca {
    /// Its certificate.
    pub(crate) der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

/// A leaf to make; `Leaf::default()` holds localhost and 127.0.0.1, is valid from yesterday for 30 days, CA:FALSE.
pub(crate) struct Leaf {
    pub(crate) names: Vec<String>,
    /// Validity, in days from now.
    pub(crate) from_days: i64,
    pub(crate) to_days: i64,
    /// An AIA caIssuers URL.
    pub(crate) aia: Option<String>,
    /// basicConstraints CA:TRUE.
    pub(crate) ca: bool,
}

impl Default for Leaf {
    fn default() -> Self {
        Self {
            names: vec!["localhost".to_owned(), "127.0.0.1".to_owned()],
            from_days: -1,
            to_days: 30,
            aia: None,
            ca: false,
        }
    }
}

impl Ca {
    /// A self-signed root.
    pub(crate) fn root(name: &str) -> Self {
        let params = ca_params(name, None);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Self { der: cert.der().clone(), issuer: Issuer::new(params, key) }
    }

    /// An intermediate CA signed by this one.
    pub(crate) fn intermediate(&self, name: &str) -> Self {
        self.intermediate_valid(name, -1, 365)
    }

    /// An intermediate CA signed by this one, valid from `from_days` to `to_days` from now.
    pub(crate) fn intermediate_valid(&self, name: &str, from_days: i64, to_days: i64) -> Self {
        let params = ca_params(name, Some((from_days, to_days)));
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Self { der: cert.der().clone(), issuer: Issuer::new(params, key) }
    }

    /// A leaf signed by this CA.
    pub(crate) fn leaf(&self, leaf: &Leaf) -> CertificateDer<'static> {
        let (params, key) = leaf_params(leaf);
        params.signed_by(&key, &self.issuer).unwrap().der().clone()
    }
}

/// A self-signed leaf.
pub(crate) fn self_signed(leaf: &Leaf) -> CertificateDer<'static> {
    let (params, key) = leaf_params(leaf);
    params.self_signed(&key).unwrap().der().clone()
}

/// Stores holding these certificates as roots.
pub(crate) fn stores(
    os: &[&CertificateDer<'static>],
    mozilla: &[&CertificateDer<'static>],
    ca_file: Option<&[&CertificateDer<'static>]>,
) -> TrustStores {
    let store = |certs: &[&CertificateDer<'static>]| {
        RootStore::from_certs(&certs.iter().map(|c| (*c).clone()).collect::<Vec<_>>())
    };
    TrustStores { os: store(os), mozilla: store(mozilla), ca_file: ca_file.map(store) }
}

/// Now.
pub(crate) fn now() -> UnixTime {
    UnixTime::now()
}

fn days(days: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::days(days)
}

fn ca_params(name: &str, valid: Option<(i64, i64)>) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.distinguished_name.push(DnType::OrganizationName, "Trust Tests");
    let (from, to) = valid.unwrap_or((-1, 3650));
    params.not_before = days(from);
    params.not_after = days(to);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    params
}

fn leaf_params(leaf: &Leaf) -> (CertificateParams, KeyPair) {
    let mut params = CertificateParams::new(leaf.names.clone()).unwrap();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, leaf.names.first().cloned().unwrap_or_default());
    params.not_before = days(leaf.from_days);
    params.not_after = days(leaf.to_days);
    if leaf.ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyCertSign];
    } else {
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    }
    params.use_authority_key_identifier_extension = true;
    if let Some(url) = &leaf.aia {
        params.custom_extensions.push(aia_extension(url));
    }
    (params, KeyPair::generate().unwrap())
}

/// Authority Information Access (1.3.6.1.5.5.7.1.1) with one caIssuers (1.3.6.1.5.5.7.48.2) URI.
fn aia_extension(uri: &str) -> CustomExtension {
    const CA_ISSUERS_OID: [u8; 8] = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
    let access_method = tlv(0x06, &CA_ISSUERS_OID);
    let access_location = tlv(0x86, uri.as_bytes());
    let description = tlv(0x30, &[access_method, access_location].concat());
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], tlv(0x30, &description))
}

/// A DER tag-length-value with a short length (under 128 bytes).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    assert!(content.len() < 0x80, "a short length");
    let mut out = vec![tag, u8::try_from(content.len()).unwrap()];
    out.extend_from_slice(content);
    out
}
