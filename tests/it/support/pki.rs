//! A throw-away PKI for TLS tests, made with rcgen; every file lives in a temporary folder that is
//! removed when the [`Pki`] is dropped.
//!
//! ```ignore
//! let pki = Pki::new();
//! let leaf = pki.leaf();                       // localhost + 127.0.0.1, signed by the root
//! let proxy = TlsProxy::start(ProxyConfig::for_leaf(&leaf, chroma_addr())).await;
//! // trust pki.root_pem_path() and talk to proxy.https_url()
//! ```
//!
//! The CAs (root, other root, intermediate, client CA) are made once in [`Pki::new`]; each leaf
//! function makes a fresh key and certificate with unique file names, so a test may make many.
//! Keys are ECDSA P-256, key files PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
//!
//! What rustls says about each leaf (see TLS-NOTES.md), when the client trusts the root:
//! | function | rustls error |
//! |---|---|
//! | [`Pki::leaf`], [`Pki::leaf_for`] | none |
//! | [`Pki::expired_leaf`] | `InvalidCertificate(ExpiredContext{..})` |
//! | [`Pki::not_yet_valid_leaf`] | `InvalidCertificate(NotValidYetContext{..})` |
//! | [`Pki::wrong_name_leaf`] | `InvalidCertificate(NotValidForNameContext{..})` |
//! | [`Pki::self_signed_leaf`] | `InvalidCertificate(UnknownIssuer)` (accepted when itself is the trusted root) |
//! | [`Pki::ca_as_leaf`] | `InvalidCertificate(Other(..CaUsedAsEndEntity..))`, even when itself is trusted |
//! | [`Pki::leaf_via_intermediate`]`(false)` | `InvalidCertificate(UnknownIssuer)`; `(true)`: none |
//! | [`Pki::leaf_from_other_root`] | `InvalidCertificate(UnknownIssuer)` |

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use time::{Duration, OffsetDateTime};

/// Common name of the test root CA.
pub const ROOT_CA_NAME: &str = "Chroma Connect Test Root CA";
/// Common name of the unrelated CA ([`Pki::other_root_pem_path`]).
pub const OTHER_ROOT_NAME: &str = "Chroma Connect Unrelated Test CA";
/// Common name of the intermediate CA (signed by the root).
pub const INTERMEDIATE_NAME: &str = "Chroma Connect Test Intermediate CA";
/// Common name of the CA that signs client certificates.
pub const CLIENT_CA_NAME: &str = "Chroma Connect Test Client CA";
/// The caIssuers URI in the Authority Information Access extension of
/// [`Pki::leaf_via_intermediate`] leaves (port 9 = discard: nothing answers there).
pub const AIA_CA_ISSUERS_URL: &str = "http://127.0.0.1:9/intermediate.crt";
/// The only name in [`Pki::wrong_name_leaf`].
pub const WRONG_NAME: &str = "chroma.other.test";
/// The default subject alternative names of leaves.
pub const DEFAULT_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// A server (end-entity) certificate, its key and the chain a server should send, as files.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// The leaf certificate alone (PEM).
    pub cert_pem_path: PathBuf,
    /// Its private key (PKCS#8 PEM).
    pub key_pem_path: PathBuf,
    /// What the server sends: the leaf, then the intermediate when the leaf has one and it is
    /// meant to be sent (PEM). Give this to the proxy.
    pub chain_pem_path: PathBuf,
    /// The leaf certificate (DER).
    pub der: Vec<u8>,
    /// The certificates of `chain_pem_path` (DER), leaf first.
    pub chain_der: Vec<Vec<u8>>,
}

/// Who signs a leaf made with [`Pki::leaf_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    /// The test root CA ([`Pki::root_pem_path`]).
    Root,
    /// The intermediate CA, itself signed by the root.
    Intermediate,
    /// The unrelated CA ([`Pki::other_root_pem_path`]).
    OtherRoot,
    /// The leaf's own key.
    SelfSigned,
}

/// A description of a leaf, for [`Pki::leaf_with`]. `LeafSpec::default()` is what [`Pki::leaf`]
/// makes: names localhost + 127.0.0.1, valid from now - 1 day to now + 30 days, signed by the
/// root, CA:FALSE, extended key usage serverAuth.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    /// DNS names and IP addresses (strings that parse as an IP become IP SANs).
    pub names: Vec<String>,
    /// Subject common name.
    pub common_name: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub signer: Signer,
    /// `Some(false)`: basicConstraints CA:FALSE; `Some(true)`: CA:TRUE; `None`: no extension.
    pub ca: Option<bool>,
    /// An Authority Information Access extension with this caIssuers URI.
    pub aia_ca_issuers: Option<String>,
    /// Put the intermediate in the chain file (only for [`Signer::Intermediate`]).
    pub send_intermediate: bool,
    /// A label in the file names, to help when reading a failing test's files.
    pub label: String,
}

impl Default for LeafSpec {
    fn default() -> Self {
        let now = OffsetDateTime::now_utc();
        Self {
            names: DEFAULT_NAMES.iter().map(ToString::to_string).collect(),
            common_name: "localhost".to_owned(),
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(30),
            signer: Signer::Root,
            ca: Some(false),
            aia_ca_issuers: None,
            send_intermediate: true,
            label: "leaf".to_owned(),
        }
    }
}

impl LeafSpec {
    #[must_use]
    pub fn names(mut self, names: &[&str]) -> Self {
        self.names = names.iter().map(ToString::to_string).collect();
        self
    }

    #[must_use]
    pub fn valid(mut self, not_before: OffsetDateTime, not_after: OffsetDateTime) -> Self {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    #[must_use]
    pub fn signer(mut self, signer: Signer) -> Self {
        self.signer = signer;
        self
    }

    #[must_use]
    pub fn ca(mut self, ca: Option<bool>) -> Self {
        self.ca = ca;
        self
    }

    #[must_use]
    pub fn aia_ca_issuers(mut self, uri: &str) -> Self {
        self.aia_ca_issuers = Some(uri.to_owned());
        self
    }

    #[must_use]
    pub fn send_intermediate(mut self, send: bool) -> Self {
        self.send_intermediate = send;
        self
    }

    #[must_use]
    pub fn label(mut self, label: &str) -> Self {
        label.clone_into(&mut self.label);
        self
    }
}

#[derive(Debug)]
struct Ca {
    issuer: Issuer<'static, KeyPair>,
    der: Vec<u8>,
    pem: String,
    pem_path: PathBuf,
}

/// The test PKI. See the module docs.
#[derive(Debug)]
pub struct Pki {
    dir: tempfile::TempDir,
    root: Ca,
    other_root: Ca,
    intermediate: Ca,
    client_ca: Ca,
    counter: AtomicUsize,
}

impl Default for Pki {
    fn default() -> Self {
        Self::new()
    }
}

impl Pki {
    /// Makes the CAs and writes their PEM files into a new temporary folder.
    #[must_use]
    pub fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("chroma-connect-pki-").tempdir().expect("create the PKI temp dir");
        let root = make_root(dir.path(), "root-ca", ROOT_CA_NAME);
        let other_root = make_root(dir.path(), "other-root-ca", OTHER_ROOT_NAME);
        let client_ca = make_root(dir.path(), "client-ca", CLIENT_CA_NAME);
        let intermediate = {
            let mut params = ca_params(INTERMEDIATE_NAME);
            params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            params.use_authority_key_identifier_extension = true;
            let key = KeyPair::generate().expect("generate intermediate key");
            let cert = params.signed_by(&key, &root.issuer).expect("sign intermediate");
            let pem = cert.pem();
            let pem_path = dir.path().join("intermediate-ca.pem");
            fs::write(&pem_path, &pem).expect("write intermediate");
            Ca { issuer: Issuer::new(params, key), der: cert.der().to_vec(), pem, pem_path }
        };
        let pki = Self { dir, root, other_root, intermediate, client_ca, counter: AtomicUsize::new(0) };
        fs::write(pki.root_der_path(), &pki.root.der).expect("write root DER");
        fs::write(pki.root_bundle_path(), format!("{}{}", pki.other_root.pem, pki.root.pem))
            .expect("write root bundle");
        pki
    }

    /// The temporary folder holding every file.
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The root CA "Chroma Connect Test Root CA" (PEM).
    #[must_use]
    pub fn root_pem_path(&self) -> PathBuf {
        self.root.pem_path.clone()
    }

    /// The same root CA as DER (a binary file named `root-ca.der`).
    #[must_use]
    pub fn root_der_path(&self) -> PathBuf {
        self.dir().join("root-ca.der")
    }

    /// The root certificate's DER bytes.
    #[must_use]
    pub fn root_der(&self) -> Vec<u8> {
        self.root.der.clone()
    }

    /// The root certificate's PEM text.
    #[must_use]
    pub fn root_pem(&self) -> String {
        self.root.pem.clone()
    }

    /// A PEM bundle with two certificates: the unrelated CA first, then the root.
    #[must_use]
    pub fn root_bundle_path(&self) -> PathBuf {
        self.dir().join("root-bundle.pem")
    }

    /// An unrelated CA (PEM): trusting it alone makes every leaf of the root untrusted.
    #[must_use]
    pub fn other_root_pem_path(&self) -> PathBuf {
        self.other_root.pem_path.clone()
    }

    /// The intermediate CA (PEM), signed by the root.
    #[must_use]
    pub fn intermediate_pem_path(&self) -> PathBuf {
        self.intermediate.pem_path.clone()
    }

    /// The intermediate's DER bytes.
    #[must_use]
    pub fn intermediate_der(&self) -> Vec<u8> {
        self.intermediate.der.clone()
    }

    /// The CA that signs client certificates (PEM); give it to `ProxyConfig::client_ca`.
    #[must_use]
    pub fn client_ca(&self) -> PathBuf {
        self.client_ca.pem_path.clone()
    }

    /// A leaf as described by `spec`.
    #[must_use]
    pub fn leaf_with(&self, spec: &LeafSpec) -> Leaf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let stem = format!("{:03}-{}", n, sanitize(&spec.label));

        let names: Vec<String> = spec.names.clone();
        let mut params = CertificateParams::new(names).expect("leaf names");
        params.distinguished_name.push(DnType::CommonName, spec.common_name.clone());
        params.distinguished_name.push(DnType::OrganizationName, "Chroma Connect Tests");
        params.not_before = spec.not_before;
        params.not_after = spec.not_after;
        params.is_ca = match spec.ca {
            None => IsCa::NoCa,
            Some(false) => IsCa::ExplicitNoCa,
            Some(true) => IsCa::Ca(BasicConstraints::Unconstrained),
        };
        if spec.ca == Some(true) {
            params.key_usages =
                vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        } else {
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        }
        params.use_authority_key_identifier_extension = spec.signer != Signer::SelfSigned;
        if let Some(uri) = &spec.aia_ca_issuers {
            params.custom_extensions.push(aia_extension(uri));
        }

        let key = KeyPair::generate().expect("generate leaf key");
        let cert = match spec.signer {
            Signer::Root => params.signed_by(&key, &self.root.issuer),
            Signer::Intermediate => params.signed_by(&key, &self.intermediate.issuer),
            Signer::OtherRoot => params.signed_by(&key, &self.other_root.issuer),
            Signer::SelfSigned => params.self_signed(&key),
        }
        .expect("sign leaf");

        let mut chain_pem = cert.pem();
        let mut chain_der = vec![cert.der().to_vec()];
        if spec.signer == Signer::Intermediate && spec.send_intermediate {
            chain_pem.push_str(&self.intermediate.pem);
            chain_der.push(self.intermediate.der.clone());
        }
        let cert_pem_path = self.dir().join(format!("{stem}.pem"));
        let key_pem_path = self.dir().join(format!("{stem}-key.pem"));
        let chain_pem_path = self.dir().join(format!("{stem}-chain.pem"));
        fs::write(&cert_pem_path, cert.pem()).expect("write leaf");
        fs::write(&key_pem_path, key.serialize_pem()).expect("write leaf key");
        fs::write(&chain_pem_path, chain_pem).expect("write leaf chain");
        Leaf { cert_pem_path, key_pem_path, chain_pem_path, der: cert.der().to_vec(), chain_der }
    }

    /// A good leaf: localhost + 127.0.0.1, signed by the root, valid now.
    #[must_use]
    pub fn leaf(&self) -> Leaf {
        self.leaf_with(&LeafSpec::default())
    }

    /// A good leaf for these names (DNS names, or IP addresses as text).
    #[must_use]
    pub fn leaf_for(&self, names: &[&str]) -> Leaf {
        let mut spec = LeafSpec::default().names(names).label("leaf-for");
        if let Some(first) = names.first() {
            (*first).clone_into(&mut spec.common_name);
        }
        self.leaf_with(&spec)
    }

    /// Expired: valid from now - 60 days to now - 1 day.
    #[must_use]
    pub fn expired_leaf(&self) -> Leaf {
        let now = OffsetDateTime::now_utc();
        self.leaf_with(&LeafSpec::default().valid(now - Duration::days(60), now - Duration::days(1)).label("expired"))
    }

    /// Not valid yet: valid from now + 30 days to now + 60 days.
    #[must_use]
    pub fn not_yet_valid_leaf(&self) -> Leaf {
        let now = OffsetDateTime::now_utc();
        self.leaf_with(
            &LeafSpec::default().valid(now + Duration::days(30), now + Duration::days(60)).label("not-yet-valid"),
        )
    }

    /// Signed by the root but named only [`WRONG_NAME`] ("chroma.other.test").
    #[must_use]
    pub fn wrong_name_leaf(&self) -> Leaf {
        let mut spec = LeafSpec::default().names(&[WRONG_NAME]).label("wrong-name");
        WRONG_NAME.clone_into(&mut spec.common_name);
        self.leaf_with(&spec)
    }

    /// Self-signed, basicConstraints CA:FALSE, names localhost + 127.0.0.1.
    #[must_use]
    pub fn self_signed_leaf(&self) -> Leaf {
        self.leaf_with(&LeafSpec::default().signer(Signer::SelfSigned).label("self-signed"))
    }

    /// Self-signed with basicConstraints CA:TRUE and names localhost + 127.0.0.1: what a naive
    /// `openssl req -x509` makes. rustls refuses it (`CaUsedAsEndEntity`) even when it is trusted.
    #[must_use]
    pub fn ca_as_leaf(&self) -> Leaf {
        self.leaf_with(&LeafSpec::default().signer(Signer::SelfSigned).ca(Some(true)).label("ca-as-leaf"))
    }

    /// Signed by the intermediate, with an AIA caIssuers URI [`AIA_CA_ISSUERS_URL`]; the chain
    /// file holds leaf + intermediate when `send_intermediate`, else the leaf alone.
    #[must_use]
    pub fn leaf_via_intermediate(&self, send_intermediate: bool) -> Leaf {
        self.leaf_with(
            &LeafSpec::default()
                .signer(Signer::Intermediate)
                .aia_ca_issuers(AIA_CA_ISSUERS_URL)
                .send_intermediate(send_intermediate)
                .label(if send_intermediate { "via-intermediate-sent" } else { "via-intermediate-missing" }),
        )
    }

    /// A good-looking leaf signed by the unrelated CA.
    #[must_use]
    pub fn leaf_from_other_root(&self) -> Leaf {
        self.leaf_with(&LeafSpec::default().signer(Signer::OtherRoot).label("other-root"))
    }

    /// A client certificate (CN "chroma-connect test client", EKU clientAuth) and its key, as
    /// `(cert_pem_path, key_pem_path)`; signed by [`Pki::client_ca`] when `signed_by_client_ca`,
    /// else by the unrelated CA (a server requiring the client CA refuses it).
    #[must_use]
    pub fn client_cert(&self, signed_by_client_ca: bool) -> (PathBuf, PathBuf) {
        let (cert_pem, key_pem, stem) = self.make_client_cert(signed_by_client_ca);
        let cert_path = self.dir().join(format!("{stem}.pem"));
        let key_path = self.dir().join(format!("{stem}-key.pem"));
        fs::write(&cert_path, cert_pem).expect("write client cert");
        fs::write(&key_path, key_pem).expect("write client key");
        (cert_path, key_path)
    }

    /// Like [`Pki::client_cert`] but certificate and key in one PEM file (what
    /// `reqwest::Identity::from_pem` takes).
    #[must_use]
    pub fn client_identity_pem_path(&self, signed_by_client_ca: bool) -> PathBuf {
        let (cert_pem, key_pem, stem) = self.make_client_cert(signed_by_client_ca);
        let path = self.dir().join(format!("{stem}-identity.pem"));
        fs::write(&path, format!("{cert_pem}{key_pem}")).expect("write client identity");
        path
    }

    fn make_client_cert(&self, signed_by_client_ca: bool) -> (String, String, String) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let stem = format!("{n:03}-client-{}", if signed_by_client_ca { "good" } else { "other-ca" });
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("client params");
        params.distinguished_name.push(DnType::CommonName, "chroma-connect test client");
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(30);
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().expect("generate client key");
        let issuer = if signed_by_client_ca { &self.client_ca.issuer } else { &self.other_root.issuer };
        let cert = params.signed_by(&key, issuer).expect("sign client cert");
        (cert.pem(), key.serialize_pem(), stem)
    }

    /// An empty file (0 bytes).
    #[must_use]
    pub fn empty_file(&self) -> PathBuf {
        self.write_named("empty.pem", b"")
    }

    /// A text file that is neither PEM nor DER.
    #[must_use]
    pub fn garbage_file(&self) -> PathBuf {
        self.write_named("garbage.pem", b"this is not a certificate\nat all, just some text\n")
    }

    /// A PEM file holding only a private key (PKCS#8), no certificate.
    #[must_use]
    pub fn key_only_file(&self) -> PathBuf {
        let key = KeyPair::generate().expect("generate key");
        self.write_named("key-only.pem", key.serialize_pem().as_bytes())
    }

    /// A PEM certificate whose base64 body is cut in the middle (no END line).
    #[must_use]
    pub fn truncated_pem_file(&self) -> PathBuf {
        let pem = &self.root.pem;
        let cut = &pem[..pem.len() / 2];
        self.write_named("truncated.pem", cut.as_bytes())
    }

    fn write_named(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir().join(name);
        fs::write(&path, bytes).expect("write test file");
        path
    }
}

fn ca_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, common_name);
    params.distinguished_name.push(DnType::OrganizationName, "Chroma Connect Tests");
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(365);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params
}

fn make_root(dir: &Path, stem: &str, common_name: &str) -> Ca {
    let params = ca_params(common_name);
    let key = KeyPair::generate().expect("generate CA key");
    let cert = params.self_signed(&key).expect("self-sign CA");
    let pem = cert.pem();
    let pem_path = dir.join(format!("{stem}.pem"));
    fs::write(&pem_path, &pem).expect("write CA");
    Ca { issuer: Issuer::new(params, key), der: cert.der().to_vec(), pem, pem_path }
}

/// The Authority Information Access extension (1.3.6.1.5.5.7.1.1, RFC 5280 4.2.2.1) with one
/// caIssuers (1.3.6.1.5.5.7.48.2) access description pointing at `uri`.
fn aia_extension(uri: &str) -> CustomExtension {
    const CA_ISSUERS_OID: [u8; 8] = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
    let access_method = der_tlv(0x06, &CA_ISSUERS_OID);
    // GeneralName uniformResourceIdentifier: [6] IMPLICIT IA5String.
    let access_location = der_tlv(0x86, uri.as_bytes());
    let description = der_tlv(0x30, &[access_method, access_location].concat());
    let syntax = der_tlv(0x30, &description);
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], syntax)
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).expect("short length"));
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | u8::try_from(bytes.len()).expect("length of length"));
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn sanitize(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}
