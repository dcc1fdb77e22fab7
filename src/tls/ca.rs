//! Loading CA files (PEM or DER, detected by content) and the certificate-file helpers shared
//! with [`identity`](super::identity).

use std::io::{self, Read as _};
use std::path::Path;

use rustls_pki_types::pem::{self, PemObject as _, SectionKind};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer as _;
use x509_parser::revocation_list::CertificateRevocationList;

use super::error::TlsConfigError;
use super::summary::FileRole;

/// What a file holds when it holds nothing recognisable.
pub(crate) const NOTHING_RECOGNISED: &str = "no PEM or DER certificate";

/// The largest CA, client certificate or key file that is read: 1 MiB. (A bundle of every public root CA is
/// about 250 KiB.)
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Loads every certificate of a CA file and checks that each one can be a trust anchor.
///
/// The file may be PEM (one certificate or a bundle; other PEM blocks are skipped) or DER (one
/// certificate, or several concatenated); the format is detected from the content, not the name.
pub fn load_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let bytes = read_file(path).map_err(|err| err.into_config_error(FileRole::CaCertificates, path))?;
    ca_certificates_from_bytes(&bytes, path)
}

/// [`load_ca_file`] after the file is read: the certificates of `bytes`, each usable as a trust anchor. `path`
/// only names the file in errors.
pub(crate) fn ca_certificates_from_bytes(
    bytes: &[u8],
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    if bytes.trim_ascii().is_empty() {
        return Err(TlsConfigError::CaFileEmpty { path: path.to_owned() });
    }
    let certs = certificates_from_bytes(bytes).map_err(|problem| match problem {
        CertProblem::NoCertificate(found) => TlsConfigError::CaFileNoCertificate { path: path.to_owned(), found },
        CertProblem::Invalid(detail) => TlsConfigError::CaFileInvalid { path: path.to_owned(), detail },
    })?;
    let total = certs.len();
    for (index, cert) in certs.iter().enumerate() {
        if let Err(err) = rustls::RootCertStore::empty().add(cert.clone()) {
            return Err(TlsConfigError::CaFileInvalid {
                path: path.to_owned(),
                detail: format!("{} cannot be used as a trust anchor: {err}", ordinal(index, total)),
            });
        }
    }
    Ok(certs)
}

/// Why a file could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The file does not exist.
    Missing,
    /// Any other I/O error.
    Unreadable(io::Error),
    /// Not a regular file; says what it is ("a directory", "a FIFO (named pipe)", ...).
    NotRegular(&'static str),
    /// Larger than [`MAX_FILE_BYTES`]; its size.
    TooLarge(u64),
}

impl ReadError {
    /// The configuration error for the file `path` of `role`.
    pub(crate) fn into_config_error(self, role: FileRole, path: &Path) -> TlsConfigError {
        let path = path.to_owned();
        match (self, role) {
            (Self::Missing, FileRole::CaCertificates) => TlsConfigError::CaFileMissing { path },
            (Self::Missing, FileRole::ClientCertificate) => TlsConfigError::ClientCertMissing { path },
            (Self::Missing, FileRole::PrivateKey) => TlsConfigError::ClientKeyMissing { path },
            (Self::Unreadable(source), FileRole::CaCertificates) => TlsConfigError::CaFileUnreadable { path, source },
            (Self::Unreadable(source), FileRole::ClientCertificate) => {
                TlsConfigError::ClientCertUnreadable { path, source }
            }
            (Self::Unreadable(source), FileRole::PrivateKey) => TlsConfigError::ClientKeyUnreadable { path, source },
            (Self::NotRegular(kind), role) => TlsConfigError::NotRegularFile { role, path, kind },
            (Self::TooLarge(size), role) => TlsConfigError::FileTooLarge { role, path, size },
        }
    }
}

/// Reads a whole certificate or key file, telling "does not exist" apart from other failures. Anything but a
/// regular file (a directory, a FIFO that would block the read, a device such as `/dev/zero`) is refused
/// before it is opened, and so is a file larger than [`MAX_FILE_BYTES`] (also if it grows while it is read).
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let io_error = |err: io::Error| match err.kind() {
        io::ErrorKind::NotFound => ReadError::Missing,
        _ => ReadError::Unreadable(err),
    };
    let metadata = std::fs::metadata(path).map_err(io_error)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(file_kind(metadata.file_type())));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(metadata.len()));
    }
    let file = std::fs::File::open(path).map_err(io_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(ReadError::Unreadable)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(read));
    }
    Ok(bytes)
}

/// What a file that is not a regular file is, as "a directory", "a FIFO (named pipe)", ...
fn file_kind(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    "a special file"
}

/// Why certificate bytes yielded no certificates.
pub(crate) enum CertProblem {
    /// Something other than a certificate; says what.
    NoCertificate(String),
    /// A certificate (or what claims to be one) that does not parse.
    Invalid(String),
}

/// Every certificate in PEM or DER `bytes`, each checked to parse as X.509.
pub(crate) fn certificates_from_bytes(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, CertProblem> {
    let certs = if looks_like_pem(bytes) {
        pem_certificates(bytes)?
    } else if bytes.first() == Some(&0x30) {
        der_certificates(bytes)?
    } else {
        return Err(CertProblem::NoCertificate(NOTHING_RECOGNISED.to_owned()));
    };
    let total = certs.len();
    for (index, cert) in certs.iter().enumerate() {
        match X509Certificate::from_der(cert.as_ref()) {
            Ok(([], _)) => {}
            Ok(_) => {
                return Err(CertProblem::Invalid(format!(
                    "{} has trailing data after the certificate",
                    ordinal(index, total)
                )));
            }
            Err(err) => {
                return Err(CertProblem::Invalid(format!(
                    "{} is not a valid X.509 certificate: {err}",
                    ordinal(index, total)
                )));
            }
        }
    }
    Ok(certs)
}

/// Whether `bytes` contain a PEM `BEGIN` line.
pub(crate) fn looks_like_pem(bytes: &[u8]) -> bool {
    !pem_labels(bytes).is_empty()
}

/// The labels of the PEM `-----BEGIN …-----` lines in `bytes`, in order.
pub(crate) fn pem_labels(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|byte| *byte == b'\n' || *byte == b'\r')
        .filter_map(|line| {
            let line = line.trim_ascii();
            let label = line.strip_prefix(b"-----BEGIN ")?.strip_suffix(b"-----")?;
            Some(String::from_utf8_lossy(label).into_owned())
        })
        .collect()
}

/// Describes PEM blocks that are not certificates: "a private key", "a certificate signing
/// request and a public key", …
pub(crate) fn describe_pem_labels(labels: &[String]) -> String {
    let mut descriptions: Vec<String> = Vec::new();
    for label in labels {
        let description = match label.as_str() {
            "CERTIFICATE" => "a certificate".to_owned(),
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "DSA PRIVATE KEY" | "OPENSSH PRIVATE KEY" => {
                "a private key".to_owned()
            }
            "ENCRYPTED PRIVATE KEY" => "an encrypted private key".to_owned(),
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => "a certificate signing request".to_owned(),
            "PUBLIC KEY" | "RSA PUBLIC KEY" => "a public key".to_owned(),
            "X509 CRL" => "a certificate revocation list".to_owned(),
            "TRUSTED CERTIFICATE" => "an OpenSSL TRUSTED CERTIFICATE block (convert it with \
                                      `openssl x509 -in FILE -out ca.pem`)"
                .to_owned(),
            "PKCS7" | "CMS" => "a PKCS#7 bundle (extract the certificates with \
                                `openssl pkcs7 -print_certs -in FILE -out ca.pem`)"
                .to_owned(),
            other => format!("a PEM block labelled \"{other}\""),
        };
        if !descriptions.contains(&description) {
            descriptions.push(description);
        }
    }
    if descriptions.is_empty() { NOTHING_RECOGNISED.to_owned() } else { descriptions.join(" and ") }
}

/// Says what a PEM syntax error means, without byte-array dumps.
pub(crate) fn describe_pem_error(err: &pem::Error) -> String {
    match err {
        pem::Error::MissingSectionEnd { end_marker } => {
            format!("the PEM block \"{}\" has no END line", String::from_utf8_lossy(end_marker))
        }
        pem::Error::IllegalSectionStart { line } => {
            format!("malformed PEM BEGIN line \"{}\"", String::from_utf8_lossy(line).trim())
        }
        pem::Error::Base64Decode(detail) => format!("a PEM block is not valid base64 ({detail})"),
        other => format!("the PEM data cannot be read ({other})"),
    }
}

/// "certificate 2 of 3", or "the certificate" when there is only one.
fn ordinal(index: usize, total: usize) -> String {
    if total == 1 { "the certificate".to_owned() } else { format!("certificate {} of {total}", index + 1) }
}

fn pem_certificates(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, CertProblem> {
    let mut certs = Vec::new();
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(bytes) {
        match section {
            Ok((SectionKind::Certificate, der)) => certs.push(CertificateDer::from(der)),
            Ok(_) => {}
            Err(err) => return Err(CertProblem::Invalid(describe_pem_error(&err))),
        }
    }
    if certs.is_empty() {
        return Err(CertProblem::NoCertificate(describe_pem_labels(&pem_labels(bytes))));
    }
    Ok(certs)
}

fn der_certificates(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, CertProblem> {
    let mut certs = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        match X509Certificate::from_der(rest) {
            Ok((after, _)) => {
                let Some((cert, _)) = rest.split_at_checked(rest.len() - after.len()) else {
                    return Err(CertProblem::Invalid("the DER data is inconsistent".to_owned()));
                };
                certs.push(CertificateDer::from(cert.to_vec()));
                rest = after;
            }
            Err(_) if !certs.is_empty() => {
                return Err(CertProblem::Invalid(format!(
                    "the data after DER certificate {} is not a certificate",
                    certs.len()
                )));
            }
            Err(err) => return Err(describe_der_non_certificate(bytes, &err.to_string())),
        }
    }
    Ok(certs)
}

/// Names a DER object that is not a certificate, or reports why it does not parse.
fn describe_der_non_certificate(bytes: &[u8], parse_error: &str) -> CertProblem {
    if X509CertificationRequest::from_der(bytes).is_ok() {
        CertProblem::NoCertificate("a certificate signing request".to_owned())
    } else if CertificateRevocationList::from_der(bytes).is_ok() {
        CertProblem::NoCertificate("a certificate revocation list".to_owned())
    } else if PrivateKeyDer::try_from(bytes).is_ok() {
        CertProblem::NoCertificate("a private key".to_owned())
    } else {
        CertProblem::Invalid(format!("the DER data is not a valid X.509 certificate: {parse_error}"))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

    use super::*;

    pub(crate) fn ca_cert(name: &str) -> (rcgen::Certificate, KeyPair) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().unwrap();
        (params.self_signed(&key).unwrap(), key)
    }

    fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(bytes).unwrap();
        file.flush().unwrap();
        file
    }

    #[test]
    fn pem_single() {
        let (cert, _) = ca_cert("Root A");
        let file = file_with(cert.pem().as_bytes());
        let certs = load_ca_file(file.path()).unwrap();
        assert_eq!(certs, [cert.der().clone()]);
    }

    #[test]
    fn pem_bundle_with_text_around() {
        let (a, _) = ca_cert("Root A");
        let (b, _) = ca_cert("Root B");
        let text = format!("# bundle\nRoot A\n{}\n\r\nRoot B\r\n{}trailing words\n", a.pem(), b.pem());
        let file = file_with(text.as_bytes());
        let certs = load_ca_file(file.path()).unwrap();
        assert_eq!(certs, [a.der().clone(), b.der().clone()]);
    }

    #[test]
    fn der_single_and_concatenated() {
        let (a, _) = ca_cert("Root A");
        let (b, _) = ca_cert("Root B");
        let file = file_with(a.der());
        assert_eq!(load_ca_file(file.path()).unwrap(), [a.der().clone()]);
        let both = [a.der().as_ref(), b.der().as_ref()].concat();
        let file = file_with(&both);
        assert_eq!(load_ca_file(file.path()).unwrap(), [a.der().clone(), b.der().clone()]);
    }

    #[test]
    fn missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.pem");
        let err = load_ca_file(&path).unwrap_err();
        assert!(matches!(&err, TlsConfigError::CaFileMissing { path: p } if *p == path), "{err:?}");
        assert!(err.is_ca_file());
        assert!(!err.is_client_identity());
        assert!(err.to_string().ends_with("nope.pem"), "{err}");
    }

    #[test]
    fn directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_ca_file(dir.path()).unwrap_err();
        assert!(
            matches!(&err, TlsConfigError::NotRegularFile { role: FileRole::CaCertificates, kind: "a directory", .. }),
            "{err:?}"
        );
        assert!(err.is_ca_file());
        assert_eq!(err.path(), Some(dir.path()));
        assert!(err.to_string().starts_with("the CA file is a directory, not a regular file: "), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn fifo_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("ca.pem");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        // Reading a FIFO nobody writes to would block forever: it must be refused before it is opened.
        let err = load_ca_file(&fifo).unwrap_err();
        assert!(matches!(&err, TlsConfigError::NotRegularFile { kind: "a FIFO (named pipe)", .. }), "{err:?}");
        assert!(err.to_string().ends_with("ca.pem"), "{err}");
        let err = load_ca_file(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(&err, TlsConfigError::NotRegularFile { kind: "a character device", .. }), "{err:?}");
    }

    #[test]
    fn oversize_is_refused() {
        let (cert, _) = ca_cert("Root A");
        let mut text = cert.pem();
        while u64::try_from(text.len()).unwrap() <= MAX_FILE_BYTES {
            text.push_str(&cert.pem());
        }
        let file = file_with(text.as_bytes());
        let err = load_ca_file(file.path()).unwrap_err();
        assert!(matches!(&err, TlsConfigError::FileTooLarge { role: FileRole::CaCertificates, .. }), "{err:?}");
        assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
        // Exactly the limit is still read.
        let (cert, _) = ca_cert("Root B");
        let mut text = cert.pem().into_bytes();
        text.resize(usize::try_from(MAX_FILE_BYTES).unwrap(), b'\n');
        let file = file_with(&text);
        assert_eq!(load_ca_file(file.path()).unwrap().len(), 1);
    }

    #[test]
    fn empty_and_whitespace() {
        for content in [&b""[..], b" \n\t\r\n  "] {
            let file = file_with(content);
            let err = load_ca_file(file.path()).unwrap_err();
            assert!(matches!(err, TlsConfigError::CaFileEmpty { .. }), "{err:?}");
        }
    }

    #[test]
    fn key_only() {
        let key = KeyPair::generate().unwrap();
        let file = file_with(key.serialize_pem().as_bytes());
        let err = load_ca_file(file.path()).unwrap_err();
        match err {
            TlsConfigError::CaFileNoCertificate { found, .. } => assert_eq!(found, "a private key"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn der_key_only() {
        let key = KeyPair::generate().unwrap();
        let file = file_with(&key.serialize_der());
        let err = load_ca_file(file.path()).unwrap_err();
        match err {
            TlsConfigError::CaFileNoCertificate { found, .. } => assert_eq!(found, "a private key"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn garbage() {
        for content in [&b"hello, this is not a certificate\n"[..], &[0xFF, 0x00, 0x13, 0x37]] {
            let file = file_with(content);
            let err = load_ca_file(file.path()).unwrap_err();
            match err {
                TlsConfigError::CaFileNoCertificate { found, .. } => {
                    assert_eq!(found, NOTHING_RECOGNISED);
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn csr_pem_and_der() {
        let key = KeyPair::generate().unwrap();
        let csr = CertificateParams::new(vec!["x.test".to_owned()]).unwrap().serialize_request(&key).unwrap();
        for content in [csr.pem().unwrap().into_bytes(), csr.der().to_vec()] {
            let file = file_with(&content);
            let err = load_ca_file(file.path()).unwrap_err();
            match err {
                TlsConfigError::CaFileNoCertificate { found, .. } => {
                    assert_eq!(found, "a certificate signing request");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn pem_block_that_is_not_x509() {
        let text = "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n";
        let file = file_with(text.as_bytes());
        let err = load_ca_file(file.path()).unwrap_err();
        match err {
            TlsConfigError::CaFileInvalid { detail, .. } => {
                assert!(detail.contains("not a valid X.509 certificate"), "{detail}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn pem_without_end_line() {
        let (cert, _) = ca_cert("Root A");
        let pem = cert.pem();
        let truncated = pem.split("-----END").next().unwrap();
        let file = file_with(truncated.as_bytes());
        let err = load_ca_file(file.path()).unwrap_err();
        match err {
            TlsConfigError::CaFileInvalid { detail, .. } => {
                assert!(detail.contains("no END line"), "{detail}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn second_certificate_broken() {
        let (a, _) = ca_cert("Root A");
        let text = format!("{}-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n", a.pem());
        let file = file_with(text.as_bytes());
        let err = load_ca_file(file.path()).unwrap_err();
        match err {
            TlsConfigError::CaFileInvalid { detail, .. } => {
                assert!(detail.starts_with("certificate 2 of 2"), "{detail}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn labels_are_described() {
        let labels = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            describe_pem_labels(&labels(&["PUBLIC KEY", "X509 CRL", "PUBLIC KEY"])),
            "a public key and a certificate revocation list"
        );
        assert_eq!(describe_pem_labels(&labels(&["FOO BAR"])), "a PEM block labelled \"FOO BAR\"");
        assert_eq!(describe_pem_labels(&[]), NOTHING_RECOGNISED);
        let file = file_with(b"-----BEGIN TRUSTED CERTIFICATE-----\nAAAA\n-----END TRUSTED CERTIFICATE-----\n");
        let err = load_ca_file(file.path()).unwrap_err();
        assert!(
            matches!(&err, TlsConfigError::CaFileNoCertificate { found, .. } if found.contains("TRUSTED CERTIFICATE")),
            "{err:?}"
        );
    }
}
