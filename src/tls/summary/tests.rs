//! Every kind of file a person may pick for a CA file, client certificate or key, made with rcgen in a tempdir.

use std::path::PathBuf;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, PKCS_ED25519,
    PKCS_RSA_SHA256,
};
use time::{Duration, OffsetDateTime};

use super::*;

/// A temporary folder to write files in.
struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

fn named(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params
}

fn ca_params(name: &str) -> CertificateParams {
    let mut params = named(name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2090, 4, 2);
    params
}

/// A self-signed CA, its parameters and key (to sign with).
fn ca(name: &str) -> (rcgen::Certificate, CertificateParams, KeyPair) {
    let params = ca_params(name);
    let key = KeyPair::generate().unwrap();
    (params.self_signed(&key).unwrap(), params, key)
}

fn leaf_params(name: &str, not_after: OffsetDateTime) -> CertificateParams {
    let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = not_after;
    params
}

fn in_days(days: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::days(days) + Duration::hours(1)
}

fn summary(path: &Path, role: FileRole) -> FileSummary {
    let summary = summarize_file(path, role);
    // Nothing in a summary names a key's bytes or a path.
    assert!(!summary.text.contains("-----"), "{}", summary.text);
    summary
}

#[test]
fn a_bundle_of_two_cas() {
    let dir = Dir::new();
    let (root, root_params, root_key) = ca("Acme Root CA");
    let mut issuing = ca_params("Acme Issuing CA");
    issuing.not_after = rcgen::date_time_ymd(2089, 1, 1);
    let issuing =
        issuing.signed_by(&KeyPair::generate().unwrap(), &Issuer::from_params(&root_params, &root_key)).unwrap();
    let path = dir.file("bundle.pem", format!("{}{}", root.pem(), issuing.pem()));
    let summary = summary(&path, FileRole::CaCertificates);
    assert!(summary.ok, "{}", summary.text);
    assert_eq!(
        summary.text,
        "2 certificates: Acme Root CA (CA, valid until 2090-04-02), Acme Issuing CA (CA, valid until 2089-01-01)"
    );
    assert_eq!(summary.certificates.len(), 2);
    assert_eq!(summary.certificates[0].der, root.der().to_vec());
    // DER gives the same.
    let der = dir.file("root.der", root.der());
    let from_der = summarize_file(&der, FileRole::CaCertificates);
    assert!(from_der.ok);
    assert_eq!(from_der.text, "1 certificate: Acme Root CA (CA, valid until 2090-04-02)");
}

#[test]
fn a_long_bundle_is_counted() {
    let pem: String = (0..5).map(|i| ca(&format!("Root {i}")).0.pem()).collect();
    let summary = summarize_bytes(pem.as_bytes(), FileRole::CaCertificates);
    assert!(summary.ok);
    assert_eq!(summary.certificates.len(), 5);
    assert!(summary.text.starts_with("5 certificates: Root 0 (CA, "), "{}", summary.text);
    assert!(summary.text.ends_with("and 2 more"), "{}", summary.text);
}

#[test]
fn a_leaf_with_days_left() {
    let dir = Dir::new();
    let (_, root_params, root_key) = ca("Acme Root CA");
    let not_after = in_days(92);
    let leaf = leaf_params("chroma.local", not_after)
        .signed_by(&KeyPair::generate().unwrap(), &Issuer::from_params(&root_params, &root_key))
        .unwrap();
    let until = not_after.date();
    let path = dir.file("client.pem", leaf.pem());
    let summary = summary(&path, FileRole::ClientCertificate);
    assert!(summary.ok, "{}", summary.text);
    assert_eq!(summary.text, format!("1 certificate: chroma.local (not a CA, valid until {until}, 92 days left)"));

    // The same certificate as a CA file: it is not a CA and not self-signed, so it cannot verify anything.
    let as_ca = summarize_file(&path, FileRole::CaCertificates);
    assert!(!as_ca.ok, "{}", as_ca.text);
    assert!(
        as_ca.text.ends_with("; a server certificate, not a CA: trust the CA that issued it (Acme Root CA) instead"),
        "{}",
        as_ca.text
    );
}

#[test]
fn a_self_signed_server_certificate_can_be_trusted_directly() {
    let leaf = leaf_params("chroma.local", in_days(400)).self_signed(&KeyPair::generate().unwrap()).unwrap();
    let summary = summarize_bytes(leaf.pem().as_bytes(), FileRole::CaCertificates);
    assert!(summary.ok, "{}", summary.text);
    assert!(summary.text.starts_with("1 certificate: chroma.local (not a CA, valid until "), "{}", summary.text);
    assert!(!summary.text.contains("days left"), "more than a year: {}", summary.text);
    assert!(summary.text.ends_with("; self-signed server certificate, can be trusted directly"), "{}", summary.text);
}

#[test]
fn expired_and_not_yet_valid() {
    let mut params = ca_params("Old Root");
    params.not_before = rcgen::date_time_ymd(2014, 1, 1);
    params.not_after = rcgen::date_time_ymd(2024, 1, 1);
    let old = params.self_signed(&KeyPair::generate().unwrap()).unwrap();
    let summary = summarize_bytes(old.pem().as_bytes(), FileRole::CaCertificates);
    assert!(!summary.ok);
    assert_eq!(summary.text, "1 certificate: Old Root (CA, expired on 2024-01-01)");
    assert_eq!(summary.certificates.len(), 1);

    let mut params = leaf_params("later.test", rcgen::date_time_ymd(2099, 1, 1));
    params.not_before = rcgen::date_time_ymd(2090, 6, 1);
    let later = params.self_signed(&KeyPair::generate().unwrap()).unwrap();
    let summary = summarize_bytes(later.pem().as_bytes(), FileRole::ClientCertificate);
    assert!(!summary.ok);
    assert_eq!(summary.text, "1 certificate: later.test (not a CA, not valid before 2090-06-01)");

    // One expired CA in a bundle with a good one: still usable, and said.
    let (good, _, _) = ca("Good Root");
    let both = format!("{}{}", good.pem(), old.pem());
    let summary = summarize_bytes(both.as_bytes(), FileRole::CaCertificates);
    assert!(summary.ok, "{}", summary.text);
    assert!(summary.text.contains("Old Root (CA, expired on 2024-01-01)"), "{}", summary.text);
}

#[test]
fn a_ca_where_the_client_certificate_belongs() {
    let (root, _, _) = ca("Acme Root CA");
    let summary = summarize_bytes(root.pem().as_bytes(), FileRole::ClientCertificate);
    assert!(!summary.ok);
    assert!(summary.text.contains("the first certificate is a CA, not a client certificate"), "{}", summary.text);
}

#[test]
fn keys_where_certificates_belong_and_back() {
    let dir = Dir::new();
    let key = KeyPair::generate().unwrap();
    let key_file = dir.file("key.pem", key.serialize_pem());
    for role in [FileRole::CaCertificates, FileRole::ClientCertificate] {
        let summary = summary(&key_file, role);
        assert!(!summary.ok);
        assert_eq!(summary.text, "no certificate: the file holds a private key");
    }
    let der_key = dir.file("key.der", key.serialize_der());
    assert_eq!(summarize_file(&der_key, FileRole::CaCertificates).text, "no certificate: the file holds a private key");

    let (root, _, _) = ca("Acme Root CA");
    for cert in [dir.file("cert.pem", root.pem()), dir.file("cert.der", root.der())] {
        let summary = summary(&cert, FileRole::PrivateKey);
        assert!(!summary.ok);
        assert_eq!(summary.text, "no private key; it holds a certificate");
    }

    // A certificate and its key in one file: fine for a client certificate, remarked for a CA file.
    let both = format!("{}{}", root.pem(), key.serialize_pem());
    let summary = summarize_bytes(both.as_bytes(), FileRole::CaCertificates);
    assert!(summary.ok);
    assert!(
        summary.text.ends_with("; the file also holds a private key, which a CA file should not"),
        "{}",
        summary.text
    );
}

#[test]
fn certificate_signing_requests() {
    let key = KeyPair::generate().unwrap();
    let csr = CertificateParams::new(vec!["x.test".to_owned()]).unwrap().serialize_request(&key).unwrap();
    for bytes in [csr.pem().unwrap().into_bytes(), csr.der().to_vec()] {
        for role in [FileRole::CaCertificates, FileRole::ClientCertificate] {
            let summary = summarize_bytes(&bytes, role);
            assert!(!summary.ok);
            assert!(
                summary.text.starts_with("a certificate signing request (CSR), not a certificate"),
                "{}",
                summary.text
            );
        }
        let summary = summarize_bytes(&bytes, FileRole::PrivateKey);
        assert!(!summary.ok);
        assert!(summary.text.contains("certificate signing request"), "{}", summary.text);
    }
}

#[test]
fn key_kinds() {
    let rsa = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048).unwrap();
    for (key, expected) in [
        (KeyPair::generate().unwrap(), "EC P-256 private key (PKCS#8)"),
        (KeyPair::generate_for(&PKCS_ED25519).unwrap(), "Ed25519 private key (PKCS#8)"),
        (rsa, "RSA 2048 private key (PKCS#8)"),
    ] {
        for bytes in [key.serialize_pem().into_bytes(), key.serialize_der()] {
            let summary = summarize_bytes(&bytes, FileRole::PrivateKey);
            assert!(summary.ok, "{}", summary.text);
            assert_eq!(summary.text, expected);
            assert!(summary.certificates.is_empty());
        }
    }
}

#[test]
fn encrypted_keys_are_not_supported() {
    let pkcs8 = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n";
    let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0011\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    for text in [pkcs8, legacy] {
        let summary = summarize_bytes(text.as_bytes(), FileRole::PrivateKey);
        assert!(!summary.ok);
        assert!(
            summary.text.starts_with("encrypted private key: not supported, decrypt it with `openssl pkey"),
            "{}",
            summary.text
        );
    }
    let summary = summarize_bytes(pkcs8.as_bytes(), FileRole::ClientCertificate);
    assert_eq!(summary.text, "no certificate: the file holds an encrypted private key");
}

#[test]
fn empty_garbage_and_broken_pem() {
    for role in [FileRole::CaCertificates, FileRole::ClientCertificate, FileRole::PrivateKey] {
        for empty in [&b""[..], b"  \n\r\n"] {
            assert_eq!(summarize_bytes(empty, role), FileSummary::problem("empty file"));
        }
    }
    for garbage in [&b"hello, this is not a certificate\n"[..], &[0xFF, 0x00, 0x13, 0x37]] {
        let summary = summarize_bytes(garbage, FileRole::CaCertificates);
        assert!(!summary.ok);
        assert_eq!(summary.text, "not PEM or DER: no certificate found");
        let summary = summarize_bytes(garbage, FileRole::PrivateKey);
        assert!(!summary.ok);
        assert_eq!(summary.text, "neither a PEM nor a DER private key");
    }
    let broken = "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n";
    let summary = summarize_bytes(broken.as_bytes(), FileRole::CaCertificates);
    assert!(!summary.ok);
    assert!(summary.text.contains("not a valid X.509 certificate"), "{}", summary.text);
}

#[test]
fn missing_directory_and_oversize_files() {
    let dir = Dir::new();
    assert_eq!(
        summarize_file(&dir.0.path().join("nope.pem"), FileRole::CaCertificates),
        FileSummary::problem("file not found")
    );
    assert_eq!(
        summarize_file(dir.0.path(), FileRole::ClientCertificate),
        FileSummary::problem("not a regular file: a directory")
    );
    let big = dir.file("big.pem", vec![b'A'; usize::try_from(MAX_FILE_BYTES).unwrap() + 1]);
    let summary = summarize_file(&big, FileRole::CaCertificates);
    assert!(!summary.ok);
    assert_eq!(summary.text, "larger than 1 MiB (1048577 bytes): not a certificate or key file");
    let summary = summarize_bytes(&vec![b'A'; 2 * 1024 * 1024], FileRole::PrivateKey);
    assert!(summary.text.starts_with("larger than 1 MiB"), "{}", summary.text);
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_not_opened() {
    let dir = Dir::new();
    let fifo = dir.0.path().join("ca.pem");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // Opening a FIFO for reading blocks until someone writes: this returns at once, or the test hangs.
    for role in [FileRole::CaCertificates, FileRole::ClientCertificate, FileRole::PrivateKey] {
        assert_eq!(summarize_file(&fifo, role), FileSummary::problem("not a regular file: a FIFO (named pipe)"));
    }
    assert_eq!(
        summarize_file(Path::new("/dev/zero"), FileRole::PrivateKey),
        FileSummary::problem("not a regular file: a character device")
    );
}

#[cfg(unix)]
#[test]
fn unreadable_files_say_why() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = Dir::new();
    let path = dir.file("key.pem", KeyPair::generate().unwrap().serialize_pem());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        // Running as root: permissions do not stop reading.
        return;
    }
    let summary = summarize_file(&path, FileRole::PrivateKey);
    assert!(!summary.ok);
    assert!(summary.text.starts_with("cannot be read: "), "{}", summary.text);
}
