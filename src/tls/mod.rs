//! TLS trust configuration, CA-file loading, certificate-chain capture, certificate details and
//! classification of handshake failures.
//!
//! Nothing here knows about any particular server or protocol above TLS: the module turns a
//! [`TlsSettings`] into a [`rustls::ClientConfig`] (through [`build_client_config`]) that records the
//! chain each server presented ([`ChainCapture`]) and whether the server asked for a client
//! certificate ([`ClientAuthRecord`]), so that a failed handshake can be explained
//! ([`classify()`]) with the certificate details of [`cert_info`]. [`summarize_file`] says in one line what a CA,
//! client certificate or key file holds, or what is wrong with it. [`TrustStores::verify`] says whether a client
//! trusting another store (the OS store, Mozilla's root program, a CA file) would accept a presented chain.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub mod ca;
pub mod capture;
pub mod certinfo;
pub mod classify;
pub mod config;
pub mod error;
pub mod identity;
pub(crate) mod pem_text;
pub mod probe;
pub mod summary;
mod time_text;
pub mod trust_eval;
mod verifiers;

pub use ca::{MAX_FILE_BYTES, load_ca_file};
pub use capture::ChainCapture;
pub use certinfo::{CertInfo, cert_info, chain_pem, sha256_fingerprint};
pub use classify::{TlsFailure, classify, find_alert_text, find_io_error, find_rustls_error};
pub use config::{TlsClient, build_client_config};
pub use error::{CertParseError, TlsConfigError};
pub use identity::{ClientAuthRecord, load_client_cert_chain, load_client_identity, load_client_key};
pub use probe::{Handshake, ProbeError, handshake};
pub use summary::{FileRole, FileSummary, summarize_bytes, summarize_file};
pub use time_text::now_rfc3339;
pub use trust_eval::{RootStore, StoreId, TrustProblem, TrustStores, Verdict};
pub use verifiers::PinMismatch;

/// How a CA file is combined with the operating system's trust store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaMode {
    /// Trust only the certificates in the CA file, like Python's `verify=path` or `curl --cacert`.
    #[default]
    Only,
    /// Trust the certificates in the CA file in addition to the system store.
    Merge,
}

/// Which server certificates to accept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Trust {
    /// The operating system's trust store (through `rustls-platform-verifier`).
    #[default]
    System,
    /// Accept any server certificate. Handshake signatures are still checked, so the connection is
    /// encrypted, but the server is not authenticated and its name is not checked.
    Insecure,
    /// Trust the certificates of a CA file (PEM or DER, one or many certificates).
    CaFile {
        /// The CA file.
        path: PathBuf,
        /// Whether the system store is trusted as well.
        mode: CaMode,
    },
}

/// A client certificate and its private key, for servers that require mutual TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// A PEM (or DER) file with the client certificate, optionally followed by its intermediates.
    pub cert_path: PathBuf,
    /// A PEM (or DER) file with the unencrypted private key (PKCS#8, PKCS#1 or SEC1).
    pub key_path: PathBuf,
}

/// Everything that decides how this client authenticates servers and itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsSettings {
    /// Which server certificates to accept.
    pub trust: Trust,
    /// The client certificate to present when a server asks for one.
    pub client_identity: Option<ClientIdentity>,
    /// Trust on first use: the SHA-256 fingerprint (as [`sha256_fingerprint`] prints it) the server's own
    /// certificate must have. Enforced inside the verifier, for every connection, on top of `trust`.
    pub pinned_sha256: Option<String>,
    /// Verify every server's certificate for this IP address, whatever host the connection was opened for, and
    /// send no SNI (as for any IP address). For an IP address given as the server name while connecting to
    /// another host or address.
    pub verify_ip: Option<std::net::IpAddr>,
}

/// Connection-level choices that do not concern trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildOptions {
    /// Offer only `http/1.1` in ALPN instead of `h2` and `http/1.1`.
    pub alpn_http1_only: bool,
    /// Allow TLS session resumption. Turn it off for diagnostic probes: a resumed session does not
    /// present (nor verify) the server's certificate chain again.
    pub resumption: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self { alpn_http1_only: false, resumption: true }
    }
}
