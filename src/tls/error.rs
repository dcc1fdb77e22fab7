//! Errors from building a TLS configuration and from parsing certificates.

use std::io;
use std::path::{Path, PathBuf};

use super::summary::FileRole;

/// Why a TLS client configuration could not be built.
///
/// Each message reads as a sentence and names the file last. Where another error caused this one,
/// it is attached as the [`source`](std::error::Error::source) and not repeated in the message:
/// display the whole chain with `{err:#}` (anyhow) or by walking `source()`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsConfigError {
    /// The CA file does not exist.
    #[error("the CA file does not exist: {}", path.display())]
    CaFileMissing {
        /// The CA file.
        path: PathBuf,
    },
    /// The CA file exists but cannot be read (permissions, a directory, an I/O error).
    #[error("the CA file cannot be read: {}", path.display())]
    CaFileUnreadable {
        /// The CA file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// The CA file is empty or holds only whitespace.
    #[error("the CA file is empty: {}", path.display())]
    CaFileEmpty {
        /// The CA file.
        path: PathBuf,
    },
    /// The CA file holds no certificate.
    #[error("the CA file contains no certificate (it holds {found}): {}", path.display())]
    CaFileNoCertificate {
        /// The CA file.
        path: PathBuf,
        /// What the file holds instead, e.g. "a private key" or "no PEM or DER certificate".
        found: String,
    },
    /// The CA file holds something that is not a usable X.509 certificate.
    #[error("the CA file holds an unusable certificate ({detail}): {}", path.display())]
    CaFileInvalid {
        /// The CA file.
        path: PathBuf,
        /// What is wrong, e.g. which certificate does not parse.
        detail: String,
    },
    /// The client certificate file does not exist.
    #[error("the client certificate file does not exist: {}", path.display())]
    ClientCertMissing {
        /// The client certificate file.
        path: PathBuf,
    },
    /// The client certificate file exists but cannot be read.
    #[error("the client certificate file cannot be read: {}", path.display())]
    ClientCertUnreadable {
        /// The client certificate file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// The client certificate file holds no usable certificate.
    #[error("the client certificate is unusable ({detail}): {}", path.display())]
    ClientCertInvalid {
        /// The client certificate file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The private-key file does not exist.
    #[error("the client private key file does not exist: {}", path.display())]
    ClientKeyMissing {
        /// The private-key file.
        path: PathBuf,
    },
    /// The private-key file exists but cannot be read.
    #[error("the client private key file cannot be read: {}", path.display())]
    ClientKeyUnreadable {
        /// The private-key file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// The private-key file holds no usable private key (encrypted, malformed, unsupported).
    #[error("the client private key is unusable ({detail}): {}", path.display())]
    ClientKeyInvalid {
        /// The private-key file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The private key does not belong to the client certificate.
    #[error(
        "the client private key does not match the client certificate: key {}, certificate {}",
        key_path.display(),
        cert_path.display()
    )]
    ClientKeyMismatch {
        /// The client certificate file.
        cert_path: PathBuf,
        /// The private-key file.
        key_path: PathBuf,
    },
    /// A CA file, client certificate or key file that is not a regular file (a directory, a FIFO, a
    /// device): it is not read.
    #[error("the {role} is {kind}, not a regular file: {}", path.display())]
    NotRegularFile {
        /// Which file.
        role: FileRole,
        /// The file.
        path: PathBuf,
        /// What it is instead, e.g. "a directory" or "a FIFO (named pipe)".
        kind: &'static str,
    },
    /// A CA file, client certificate or key file larger than [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES):
    /// no certificate file is that large, so it is not read.
    #[error("the {role} is larger than 1 MiB ({size} bytes), too large for certificates or a key: {}", path.display())]
    FileTooLarge {
        /// Which file.
        role: FileRole,
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
    },
    /// The operating system's certificate verifier could not be set up (for example no system
    /// trust store was found).
    #[error("the system certificate verifier could not be set up")]
    Verifier(#[source] rustls::Error),
    /// Any other failure from rustls while building the configuration.
    #[error("the TLS configuration could not be built")]
    Rustls(#[source] rustls::Error),
}

impl TlsConfigError {
    /// Which file the error is about: the CA file, the client certificate or its private key (also for a key
    /// that does not match the certificate). `None` for errors that concern no file.
    #[must_use]
    pub fn role(&self) -> Option<FileRole> {
        match self {
            Self::CaFileMissing { .. }
            | Self::CaFileUnreadable { .. }
            | Self::CaFileEmpty { .. }
            | Self::CaFileNoCertificate { .. }
            | Self::CaFileInvalid { .. } => Some(FileRole::CaCertificates),
            Self::ClientCertMissing { .. } | Self::ClientCertUnreadable { .. } | Self::ClientCertInvalid { .. } => {
                Some(FileRole::ClientCertificate)
            }
            Self::ClientKeyMissing { .. }
            | Self::ClientKeyUnreadable { .. }
            | Self::ClientKeyInvalid { .. }
            | Self::ClientKeyMismatch { .. } => Some(FileRole::PrivateKey),
            Self::NotRegularFile { role, .. } | Self::FileTooLarge { role, .. } => Some(*role),
            Self::Verifier(_) | Self::Rustls(_) => None,
        }
    }

    /// Whether the error concerns the client certificate or its private key.
    #[must_use]
    pub fn is_client_identity(&self) -> bool {
        matches!(self.role(), Some(FileRole::ClientCertificate | FileRole::PrivateKey))
    }

    /// Whether the error concerns the CA file.
    #[must_use]
    pub fn is_ca_file(&self) -> bool {
        self.role() == Some(FileRole::CaCertificates)
    }

    /// The file the error is about, if any. For a key mismatch this is the private-key file.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::CaFileMissing { path }
            | Self::CaFileUnreadable { path, .. }
            | Self::CaFileEmpty { path }
            | Self::CaFileNoCertificate { path, .. }
            | Self::CaFileInvalid { path, .. }
            | Self::ClientCertMissing { path }
            | Self::ClientCertUnreadable { path, .. }
            | Self::ClientCertInvalid { path, .. }
            | Self::ClientKeyMissing { path }
            | Self::ClientKeyUnreadable { path, .. }
            | Self::ClientKeyInvalid { path, .. }
            | Self::ClientKeyMismatch { key_path: path, .. }
            | Self::NotRegularFile { path, .. }
            | Self::FileTooLarge { path, .. } => Some(path),
            Self::Verifier(_) | Self::Rustls(_) => None,
        }
    }
}

/// A certificate that x509-parser could not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the certificate cannot be parsed: {detail}")]
pub struct CertParseError {
    /// What the parser reported.
    pub detail: String,
}
