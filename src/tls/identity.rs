//! The client identity (certificate chain and private key) for mutual TLS, and a record of what
//! the server asked for.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustls::SignatureScheme;
use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::ClientIdentity;
use super::ca::{
    CertProblem, NOTHING_RECOGNISED, certificates_from_bytes, describe_pem_error, describe_pem_labels, looks_like_pem,
    pem_labels, read_file,
};
use super::error::TlsConfigError;
use super::summary::FileRole;

/// Whether servers asked this client for a certificate, and whether it sent one.
///
/// Shared by every connection made with the same [`TlsClient`](super::TlsClient): for a precise
/// answer, [`reset`](Self::reset) it and make one connection at a time (as
/// [`handshake`](super::handshake) does).
#[derive(Debug, Clone, Default)]
pub struct ClientAuthRecord {
    requested: Arc<AtomicBool>,
    sent: Arc<AtomicBool>,
}

impl ClientAuthRecord {
    /// Whether a server sent a `CertificateRequest` since the last reset.
    #[must_use]
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Whether this client answered a `CertificateRequest` with a certificate since the last reset.
    #[must_use]
    pub fn sent(&self) -> bool {
        self.sent.load(Ordering::SeqCst)
    }

    /// Forgets what happened so far.
    pub fn reset(&self) {
        self.requested.store(false, Ordering::SeqCst);
        self.sent.store(false, Ordering::SeqCst);
    }
}

/// Loads a client identity and checks that the key belongs to the certificate.
pub fn load_client_identity(
    identity: &ClientIdentity,
    provider: &CryptoProvider,
) -> Result<Arc<CertifiedKey>, TlsConfigError> {
    let chain = load_client_cert_chain(&identity.cert_path)?;
    let key = load_client_key(&identity.key_path)?;
    certified_key(identity, chain, key, provider)
}

/// [`load_client_identity`] after both files are read: the signing key of `key`, checked against the first
/// certificate of `chain`. `identity` only names the files in errors.
pub(crate) fn certified_key(
    identity: &ClientIdentity,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    provider: &CryptoProvider,
) -> Result<Arc<CertifiedKey>, TlsConfigError> {
    let signing_key = provider.key_provider.load_private_key(key).map_err(|err| TlsConfigError::ClientKeyInvalid {
        path: identity.key_path.clone(),
        detail: format!("the key type is not supported ({err})"),
    })?;
    let certified = CertifiedKey::new(chain, signing_key);
    match certified.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => Ok(Arc::new(certified)),
        Err(rustls::Error::InconsistentKeys(_)) => Err(TlsConfigError::ClientKeyMismatch {
            cert_path: identity.cert_path.clone(),
            key_path: identity.key_path.clone(),
        }),
        Err(err) => {
            Err(TlsConfigError::ClientCertInvalid { path: identity.cert_path.clone(), detail: err.to_string() })
        }
    }
}

/// Loads a client certificate chain (PEM or DER): the client certificate first, then any
/// intermediates.
pub fn load_client_cert_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let bytes = read_file(path).map_err(|err| err.into_config_error(FileRole::ClientCertificate, path))?;
    client_cert_chain_from_bytes(&bytes, path)
}

/// [`load_client_cert_chain`] after the file is read. `path` only names the file in errors.
pub(crate) fn client_cert_chain_from_bytes(
    bytes: &[u8],
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let invalid = |detail: String| TlsConfigError::ClientCertInvalid { path: path.to_owned(), detail };
    if bytes.trim_ascii().is_empty() {
        return Err(invalid("the file is empty".to_owned()));
    }
    certificates_from_bytes(bytes).map_err(|problem| match problem {
        CertProblem::NoCertificate(found) => invalid(format!("no certificate; it holds {found}")),
        CertProblem::Invalid(detail) => invalid(detail),
    })
}

/// Loads an unencrypted private key: PEM (PKCS#8, PKCS#1 or SEC1) or DER.
pub fn load_client_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    let bytes = read_file(path).map_err(|err| err.into_config_error(FileRole::PrivateKey, path))?;
    private_key_from_bytes(&bytes).map_err(|detail| TlsConfigError::ClientKeyInvalid { path: path.to_owned(), detail })
}

/// What an encrypted private key needs (the same `openssl pkey` command decrypts PKCS#8 and legacy PEM).
pub(crate) const ENCRYPTED_KEY: &str =
    "encrypted private key: not supported, decrypt it with `openssl pkey -in KEY -out KEY-plain.pem`";

/// The unencrypted private key in PEM (PKCS#8, PKCS#1 or SEC1) or DER `bytes`; the error says what is wrong
/// ("the file is empty", [`ENCRYPTED_KEY`], "no private key; it holds a certificate", ...).
pub(crate) fn private_key_from_bytes(bytes: &[u8]) -> Result<PrivateKeyDer<'static>, String> {
    if bytes.trim_ascii().is_empty() {
        return Err("the file is empty".to_owned());
    }
    if !looks_like_pem(bytes) {
        if let Ok(key) = PrivateKeyDer::try_from(bytes.to_vec()) {
            return Ok(key);
        }
        // Say what the DER holds when it is something known.
        return Err(match certificates_from_bytes(bytes) {
            Ok(_) => "no private key; it holds a certificate".to_owned(),
            Err(CertProblem::NoCertificate(found)) if found != NOTHING_RECOGNISED && found != "a private key" => {
                format!("no private key; it holds {found}")
            }
            Err(_) => "neither a PEM nor a DER private key".to_owned(),
        });
    }
    let labels = pem_labels(bytes);
    let encrypted_pkcs8 = labels.iter().any(|label| label == "ENCRYPTED PRIVATE KEY");
    let encrypted_legacy =
        bytes.windows(b"Proc-Type: 4,ENCRYPTED".len()).any(|window| window == b"Proc-Type: 4,ENCRYPTED");
    if encrypted_pkcs8 || encrypted_legacy {
        return Err(ENCRYPTED_KEY.to_owned());
    }
    match PrivateKeyDer::from_pem_slice(bytes) {
        Ok(key) => Ok(key),
        Err(rustls_pki_types::pem::Error::NoItemsFound) => {
            Err(format!("no private key; it holds {}", describe_pem_labels(&labels)))
        }
        Err(err) => Err(describe_pem_error(&err)),
    }
}

/// Presents the client identity (if any) when asked, and records that the server asked.
#[derive(Debug)]
pub(crate) struct RecordingResolver {
    pub(crate) key: Option<Arc<CertifiedKey>>,
    pub(crate) record: ClientAuthRecord,
}

impl ResolvesClientCert for RecordingResolver {
    fn resolve(&self, _root_hint_subjects: &[&[u8]], sigschemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        self.record.requested.store(true, Ordering::SeqCst);
        let key = self.key.as_ref()?;
        // rustls sends an empty certificate message when no offered scheme suits the key.
        if key.key.choose_scheme(sigschemes).is_some() {
            self.record.sent.store(true, Ordering::SeqCst);
        }
        Some(Arc::clone(key))
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use rcgen::{CertificateParams, KeyPair};

    use super::*;

    fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(bytes).unwrap();
        file.flush().unwrap();
        file
    }

    fn provider() -> CryptoProvider {
        rustls::crypto::aws_lc_rs::default_provider()
    }

    fn identity_files(key: &KeyPair) -> (tempfile::NamedTempFile, tempfile::NamedTempFile) {
        let cert = CertificateParams::new(vec!["client.test".to_owned()]).unwrap().self_signed(key).unwrap();
        (file_with(cert.pem().as_bytes()), file_with(key.serialize_pem().as_bytes()))
    }

    #[test]
    fn matching_identity_loads() {
        let key = KeyPair::generate().unwrap();
        let (cert_file, key_file) = identity_files(&key);
        let identity = ClientIdentity { cert_path: cert_file.path().to_owned(), key_path: key_file.path().to_owned() };
        let certified = load_client_identity(&identity, &provider()).unwrap();
        assert_eq!(certified.cert.len(), 1);
    }

    #[test]
    fn der_key_loads() {
        let key = KeyPair::generate().unwrap();
        let file = file_with(&key.serialize_der());
        assert!(matches!(load_client_key(file.path()).unwrap(), PrivateKeyDer::Pkcs8(_)));
    }

    #[test]
    fn mismatched_key() {
        let key = KeyPair::generate().unwrap();
        let (cert_file, _) = identity_files(&key);
        let other = file_with(KeyPair::generate().unwrap().serialize_pem().as_bytes());
        let identity = ClientIdentity { cert_path: cert_file.path().to_owned(), key_path: other.path().to_owned() };
        let err = load_client_identity(&identity, &provider()).unwrap_err();
        assert!(matches!(err, TlsConfigError::ClientKeyMismatch { .. }), "{err:?}");
        assert!(err.is_client_identity());
        assert!(!err.is_ca_file());
    }

    #[test]
    fn missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let key = KeyPair::generate().unwrap();
        let (cert_file, key_file) = identity_files(&key);
        let identity =
            ClientIdentity { cert_path: dir.path().join("client.pem"), key_path: key_file.path().to_owned() };
        let err = load_client_identity(&identity, &provider()).unwrap_err();
        assert!(matches!(err, TlsConfigError::ClientCertMissing { .. }), "{err:?}");
        let identity =
            ClientIdentity { cert_path: cert_file.path().to_owned(), key_path: dir.path().join("client.key") };
        let err = load_client_identity(&identity, &provider()).unwrap_err();
        assert!(matches!(err, TlsConfigError::ClientKeyMissing { .. }), "{err:?}");
    }

    #[test]
    fn encrypted_keys_are_named() {
        let pkcs8 = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0011\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        for text in [pkcs8, legacy] {
            let file = file_with(text.as_bytes());
            match load_client_key(file.path()).unwrap_err() {
                TlsConfigError::ClientKeyInvalid { detail, .. } => {
                    assert!(detail.contains("encrypted"), "{detail}");
                    assert!(detail.contains("openssl pkey"), "{detail}");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn wrong_contents() {
        let key = KeyPair::generate().unwrap();
        let (cert_file, key_file) = identity_files(&key);
        // A certificate where the key should be, and a key where the certificate should be.
        match load_client_key(cert_file.path()).unwrap_err() {
            TlsConfigError::ClientKeyInvalid { detail, .. } => {
                assert_eq!(detail, "no private key; it holds a certificate");
            }
            other => panic!("unexpected {other:?}"),
        }
        match load_client_cert_chain(key_file.path()).unwrap_err() {
            TlsConfigError::ClientCertInvalid { detail, .. } => {
                assert_eq!(detail, "no certificate; it holds a private key");
            }
            other => panic!("unexpected {other:?}"),
        }
        let empty = file_with(b"\n");
        assert!(matches!(load_client_key(empty.path()).unwrap_err(), TlsConfigError::ClientKeyInvalid { .. }));
        let garbage = file_with(b"\x01\x02garbage");
        assert!(matches!(load_client_key(garbage.path()).unwrap_err(), TlsConfigError::ClientKeyInvalid { .. }));
        // A DER certificate where the key should be.
        let cert = CertificateParams::new(vec!["client.test".to_owned()]).unwrap().self_signed(&key).unwrap();
        let der_cert = file_with(cert.der());
        match load_client_key(der_cert.path()).unwrap_err() {
            TlsConfigError::ClientKeyInvalid { detail, .. } => {
                assert_eq!(detail, "no private key; it holds a certificate");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn special_and_huge_files_are_refused() {
        let err = load_client_key(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(&err, TlsConfigError::NotRegularFile { role: FileRole::PrivateKey, .. }), "{err:?}");
        assert!(err.is_client_identity());
        assert!(err.to_string().starts_with("the client private key file is a character device"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = load_client_cert_chain(dir.path()).unwrap_err();
        assert!(matches!(&err, TlsConfigError::NotRegularFile { role: FileRole::ClientCertificate, .. }), "{err:?}");
        let big = file_with(&vec![b'A'; 2 * 1024 * 1024]);
        let err = load_client_cert_chain(big.path()).unwrap_err();
        assert!(matches!(&err, TlsConfigError::FileTooLarge { size: 2_097_152, .. }), "{err:?}");
    }

    #[test]
    fn resolver_records_requests() {
        let record = ClientAuthRecord::default();
        let resolver = RecordingResolver { key: None, record: record.clone() };
        assert!(!resolver.has_certs());
        assert!(resolver.resolve(&[], &[SignatureScheme::ECDSA_NISTP256_SHA256]).is_none());
        assert!(record.requested());
        assert!(!record.sent());
        record.reset();
        assert!(!record.requested());
    }
}
