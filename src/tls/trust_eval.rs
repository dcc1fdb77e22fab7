//! Would another TLS client accept a server's chain? The chain the server presented (leaf first, as sent) and the
//! name a client verifies, checked against each root store a client may trust — the operating system's store,
//! Mozilla's root program, a CA file — the way rustls and webpki check them: a path from the leaf through the
//! intermediates the server sent to a root of the store, the validity dates, the name.
//!
//! A refusal comes with its causes ([`TrustProblem`]): an unknown issuer (and which other store would know it), a
//! self-signed certificate, an incomplete chain (the issuer was not sent, is in no store, and the certificate says
//! where to download it: what a browser fetching Authority Information Access URLs may still complete), an expired
//! or not-yet-valid certificate, a name the certificate does not hold, a CA certificate used as the server's.
//!
//! Pure apart from [`RootStore::os`] (reads the OS store, once per process) and [`TrustStores::load`] (that and the
//! CA file): both block, so call them off the async runtime. No network: nothing is fetched.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls_pki_types::{CertificateDer, ServerName, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use serde::Serialize;
use webpki::{EndEntityCert, KeyUsage};
use x509_parser::x509::X509Name;

use super::ca::load_ca_file;
use super::certinfo::{CertInfo, cert_info, parse};
use super::error::TlsConfigError;
use super::time_text::rfc3339_from_unix;

/// One of the root stores a client may trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreId {
    /// The operating system's trust store: what curl, most system tools and browsers use.
    Os,
    /// Mozilla's root program, as the `webpki-roots` crate ships it: the list certifi and Node.js bundle.
    Mozilla,
    /// The CA file of the connection settings.
    CaFile,
}

impl StoreId {
    /// Every store, in the order they are described.
    pub const ALL: [Self; 3] = [Self::Os, Self::Mozilla, Self::CaFile];
}

/// A set of trusted roots. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct RootStore {
    anchors: Arc<[TrustAnchor<'static>]>,
    problem: Option<String>,
}

impl RootStore {
    /// The roots made of these certificates; a certificate that cannot be a trust anchor is left out.
    #[must_use]
    pub fn from_certs(certs: &[CertificateDer<'_>]) -> Self {
        let anchors: Vec<TrustAnchor<'static>> =
            certs.iter().filter_map(|cert| webpki::anchor_from_trusted_cert(cert).ok()).map(|a| a.to_owned()).collect();
        Self { anchors: anchors.into(), problem: None }
    }

    /// Mozilla's root program as the `webpki-roots` crate ships it. No I/O.
    #[must_use]
    pub fn mozilla() -> Self {
        static MOZILLA: OnceLock<RootStore> = OnceLock::new();
        MOZILLA.get_or_init(|| Self { anchors: webpki_roots::TLS_SERVER_ROOTS.to_vec().into(), problem: None }).clone()
    }

    /// The operating system's trust store, read with `rustls-native-certs` the first time (like OpenSSL, it reads
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR` instead when they are set) and kept for the life of the process. Blocks on
    /// the first call (tens of milliseconds): call it off the async runtime.
    #[must_use]
    pub fn os() -> Self {
        static OS: OnceLock<RootStore> = OnceLock::new();
        OS.get_or_init(|| {
            let loaded = rustls_native_certs::load_native_certs();
            let mut store = Self::from_certs(&loaded.certs);
            if !loaded.errors.is_empty() {
                let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
                store.problem = Some(errors.join("; "));
            }
            store
        })
        .clone()
    }

    /// A store whose roots are those of `self` and of `other`.
    #[must_use]
    pub fn merged(&self, other: &Self) -> Self {
        let anchors: Vec<TrustAnchor<'static>> = self.anchors.iter().chain(other.anchors.iter()).cloned().collect();
        let problem = match (&self.problem, &other.problem) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.clone().or_else(|| b.clone()),
        };
        Self { anchors: anchors.into(), problem }
    }

    /// The same roots, with a note on why the store could not be read completely.
    #[must_use]
    pub fn with_problem(mut self, problem: impl Into<String>) -> Self {
        self.problem = Some(problem.into());
        self
    }

    /// The number of roots.
    #[must_use]
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether the store holds no root.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Why the store could not be read completely, if it could not.
    #[must_use]
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Whether a root has this subject (the DER content of the name, as webpki keeps it).
    fn holds_subject(&self, subject: &[u8]) -> bool {
        self.anchors.iter().any(|anchor| anchor.subject.as_ref() == subject)
    }

    /// Whether `anchor` is one of the roots.
    fn holds_anchor(&self, anchor: &TrustAnchor<'_>) -> bool {
        self.anchors.iter().any(|held| {
            held.subject.as_ref() == anchor.subject.as_ref()
                && held.subject_public_key_info.as_ref() == anchor.subject_public_key_info.as_ref()
        })
    }
}

/// The root stores clients trust: the OS store, Mozilla's root program and the CA file of the settings, if any.
/// Tests make their own, with their own roots in any of them.
#[derive(Debug, Clone, Default)]
pub struct TrustStores {
    /// The operating system's store.
    pub os: RootStore,
    /// Mozilla's root program.
    pub mozilla: RootStore,
    /// The roots of the CA file, when the settings name one.
    pub ca_file: Option<RootStore>,
}

/// What one client (one choice of stores) would say of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Why the chain is refused, most fundamental first: validity dates, then the name, then the path to a root.
    /// Empty when it is accepted.
    pub problems: Vec<TrustProblem>,
    /// The root the chain leads to (its common name, else its whole subject), when a path to a root was found.
    pub root: Option<String>,
}

impl Verdict {
    /// Whether the chain is accepted.
    #[must_use]
    pub fn accepted(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Why a client refuses a chain. Names are common names (else the whole subject) as the certificates hold them:
/// make them safe before showing them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustProblem {
    /// A certificate of the path expired.
    Expired {
        /// The certificate's name.
        subject: String,
        /// Its end of validity, RFC 3339 UTC.
        not_after: String,
        /// Whether it is the server's own certificate (else an intermediate).
        leaf: bool,
    },
    /// A certificate of the path is not valid yet.
    NotYetValid {
        /// The certificate's name.
        subject: String,
        /// Its start of validity, RFC 3339 UTC.
        not_before: String,
        /// Whether it is the server's own certificate.
        leaf: bool,
    },
    /// The server's certificate does not hold the name.
    NameMismatch {
        /// The name verified.
        name: String,
        /// The DNS names and IP addresses it holds.
        presented: Vec<String>,
    },
    /// The server's certificate is self-signed and these stores do not hold it.
    SelfSigned {
        /// Its name.
        subject: String,
        /// The other stores that hold it.
        held_by: Vec<StoreId>,
    },
    /// The chain leads to an issuer these stores do not hold.
    UnknownIssuer {
        /// The issuer's name.
        issuer: String,
        /// Whether the server sent the issuer's certificate (a root at the end of the chain). When it did not and
        /// the issuer is an intermediate CA, the chain is also incomplete.
        issuer_sent: bool,
        /// The other stores that hold it.
        held_by: Vec<StoreId>,
    },
    /// The server did not send the certificate of an issuer that no store holds, and the certificate names a URL
    /// to download it from (Authority Information Access "CA issuers"): an intermediate is missing.
    IncompleteChain {
        /// The missing issuer's name.
        issuer: String,
        /// Where the certificate says the issuer can be downloaded.
        ca_issuers_url: String,
    },
    /// The server's certificate is a CA certificate (basicConstraints CA:TRUE): webpki and rustls refuse it as a
    /// server's certificate, OpenSSL accepts it when it is itself trusted.
    CaAsLeaf {
        /// The certificate is self-signed.
        self_signed: bool,
        /// The certificate is self-signed and these stores hold it itself.
        trusted_as_is: bool,
        /// The other stores that hold it itself.
        held_by: Vec<StoreId>,
    },
    /// The stores hold no root at all, because one could not be read.
    NoRoots {
        /// Why it could not be read.
        detail: String,
    },
    /// Anything else wrong with the chain or the name (webpki's words).
    Invalid {
        /// What is wrong.
        detail: String,
    },
}

impl TrustProblem {
    /// Whether the fix is on the server (renew, send the full chain, a certificate for the right name) rather than
    /// in what the client trusts.
    #[must_use]
    pub fn is_server_side(&self) -> bool {
        matches!(
            self,
            Self::Expired { .. }
                | Self::NotYetValid { .. }
                | Self::NameMismatch { .. }
                | Self::IncompleteChain { .. }
                | Self::CaAsLeaf { .. }
                | Self::Invalid { .. }
        )
    }
}

impl TrustStores {
    /// The OS store (read once per process, see [`RootStore::os`]), Mozilla's roots and the CA file's roots. Blocks:
    /// call it off the async runtime.
    pub fn load(ca_file: Option<&Path>) -> Result<Self, TlsConfigError> {
        let ca_file = ca_file.map(|path| load_ca_file(path).map(|certs| RootStore::from_certs(&certs))).transpose()?;
        Ok(Self { os: RootStore::os(), mozilla: RootStore::mozilla(), ca_file })
    }

    /// One store, if there is one.
    #[must_use]
    pub fn store(&self, id: StoreId) -> Option<&RootStore> {
        match id {
            StoreId::Os => Some(&self.os),
            StoreId::Mozilla => Some(&self.mozilla),
            StoreId::CaFile => self.ca_file.as_ref(),
        }
    }

    /// What a client trusting the roots of `using` (together) would say of `chain` (leaf first, as the server sent
    /// it) for `name` (a DNS name or an IP address) at `now`.
    #[must_use]
    pub fn verify(&self, chain: &[CertificateDer<'_>], name: &str, now: UnixTime, using: &[StoreId]) -> Verdict {
        let anchors: Vec<TrustAnchor<'static>> =
            using.iter().filter_map(|id| self.store(*id)).flat_map(|store| store.anchors.iter().cloned()).collect();
        let invalid = |detail: String| Verdict { problems: vec![TrustProblem::Invalid { detail }], root: None };
        let Some(leaf_der) = chain.first() else {
            return invalid("the server sent no certificate".to_owned());
        };
        let leaf = match EndEntityCert::try_from(leaf_der) {
            Ok(leaf) => leaf,
            Err(err) => return invalid(format!("the server's certificate cannot be read: {err}")),
        };
        let sent: Vec<Sent> = chain.iter().filter_map(Sent::parse).collect();
        let intermediates = chain.get(1..).unwrap_or_default();

        let mut problems = Vec::new();
        let mut path = verify_path(&leaf, &anchors, intermediates, now);
        if let Err(err @ (webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. })) = &path {
            problems.push(time_problem(err, &sent));
            // Whether the chain would be trusted once renewed: look again at a time when the certificates are valid.
            if let Some(valid) = valid_time(&sent) {
                path = verify_path(&leaf, &anchors, intermediates, valid);
            }
        }
        match ServerName::try_from(name) {
            Ok(server_name) => {
                if leaf.verify_is_valid_for_subject_name(&server_name).is_err() {
                    let presented = sent.first().map(|s| host_names(&s.info)).unwrap_or_default();
                    problems.push(TrustProblem::NameMismatch { name: name.to_owned(), presented });
                }
            }
            Err(_) => problems.push(TrustProblem::Invalid { detail: format!("{name} is not a valid server name") }),
        }
        let root = match path {
            Ok(root) => Some(root),
            Err(webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. }) => None,
            Err(webpki::Error::UnknownIssuer) if anchors.is_empty() && self.problem_of(using).is_some() => {
                problems.push(TrustProblem::NoRoots { detail: self.problem_of(using).unwrap_or_default() });
                None
            }
            Err(webpki::Error::UnknownIssuer) => {
                problems.push(self.unknown_issuer(&sent, using, &anchors));
                None
            }
            Err(webpki::Error::CaUsedAsEndEntity) => {
                let self_signed = sent.first().is_some_and(|s| s.info.self_signed);
                let holders: Vec<StoreId> = match webpki::anchor_from_trusted_cert(leaf_der) {
                    Ok(anchor) if self_signed => StoreId::ALL
                        .into_iter()
                        .filter(|id| self.store(*id).is_some_and(|store| store.holds_anchor(&anchor)))
                        .collect(),
                    _ => Vec::new(),
                };
                let trusted_as_is = holders.iter().any(|id| using.contains(id));
                let held_by = holders.into_iter().filter(|id| !using.contains(id)).collect();
                problems.push(TrustProblem::CaAsLeaf { self_signed, trusted_as_is, held_by });
                None
            }
            Err(err) => {
                problems.push(TrustProblem::Invalid { detail: err.to_string() });
                None
            }
        };
        Verdict { problems, root }
    }

    /// Why one of the stores `using` could not be read, if one could not.
    fn problem_of(&self, using: &[StoreId]) -> Option<String> {
        using.iter().filter_map(|id| self.store(*id)).find_map(|store| store.problem().map(str::to_owned))
    }

    /// Why the chain leads to no root of `using`: follows the issuers through the certificates the server sent,
    /// from the leaf, to the last one it can reach.
    fn unknown_issuer(&self, sent: &[Sent], using: &[StoreId], anchors: &[TrustAnchor<'_>]) -> TrustProblem {
        let Some(mut end) = sent.first() else {
            return TrustProblem::Invalid { detail: "the server's certificate cannot be read".to_owned() };
        };
        let mut visited = vec![0];
        while !end.info.self_signed {
            let next = sent.iter().enumerate().find(|(i, s)| !visited.contains(i) && s.subject == end.issuer);
            let Some((index, next)) = next else { break };
            visited.push(index);
            end = next;
        }
        let held_by = |subject: &[u8]| -> Vec<StoreId> {
            StoreId::ALL
                .into_iter()
                .filter(|id| !using.contains(id))
                .filter(|id| self.store(*id).is_some_and(|store| store.holds_subject(subject)))
                .collect()
        };
        if end.info.self_signed {
            let held_by = held_by(&end.subject);
            return if visited.len() == 1 {
                TrustProblem::SelfSigned { subject: end.name.clone(), held_by }
            } else {
                TrustProblem::UnknownIssuer { issuer: end.name.clone(), issuer_sent: true, held_by }
            };
        }
        let held_by = held_by(&end.issuer);
        let held_here = anchors.iter().any(|anchor| anchor.subject.as_ref() == end.issuer.as_slice());
        match end.info.ca_issuers.first() {
            Some(url) if held_by.is_empty() && !held_here => {
                TrustProblem::IncompleteChain { issuer: end.issuer_name.clone(), ca_issuers_url: url.clone() }
            }
            _ => TrustProblem::UnknownIssuer { issuer: end.issuer_name.clone(), issuer_sent: false, held_by },
        }
    }
}

/// A certificate the server sent, read.
struct Sent {
    /// The subject and the issuer as webpki and trust anchors keep them (the DER content of the name).
    subject: Vec<u8>,
    issuer: Vec<u8>,
    /// Its common name (else its whole subject), and its issuer's.
    name: String,
    issuer_name: String,
    info: CertInfo,
}

impl Sent {
    fn parse(der: &CertificateDer<'_>) -> Option<Self> {
        let cert = EndEntityCert::try_from(der).ok()?;
        let parsed = parse(der).ok()?;
        Some(Self {
            subject: cert.subject().to_vec(),
            issuer: cert.issuer().to_vec(),
            name: display_name(parsed.subject()),
            issuer_name: display_name(parsed.issuer()),
            info: cert_info(der).ok()?,
        })
    }
}

/// The signature algorithms rustls verifies with (the aws-lc-rs provider's).
fn algorithms() -> &'static [&'static dyn SignatureVerificationAlgorithm] {
    static ALGORITHMS: OnceLock<&'static [&'static dyn SignatureVerificationAlgorithm]> = OnceLock::new();
    ALGORITHMS.get_or_init(|| rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms.all)
}

/// A path from `leaf` through `intermediates` to one of `anchors`, for a TLS server at `time`: the root's name.
fn verify_path(
    leaf: &EndEntityCert<'_>,
    anchors: &[TrustAnchor<'_>],
    intermediates: &[CertificateDer<'_>],
    time: UnixTime,
) -> Result<String, webpki::Error> {
    let path =
        leaf.verify_for_usage(algorithms(), anchors, intermediates, time, KeyUsage::server_auth(), None, None)?;
    // The root is the issuer of the last certificate of the path.
    let last = path.intermediate_certificates().next_back().map_or_else(|| leaf.der(), webpki::Cert::der);
    Ok(parse(&last).map_or_else(|_| "an unnamed root".to_owned(), |cert| display_name(cert.issuer())))
}

/// The time problem webpki found, with the certificate it concerns.
fn time_problem(err: &webpki::Error, sent: &[Sent]) -> TrustProblem {
    let at = |secs: u64, pick: fn(&CertInfo) -> i64| {
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        let index = sent.iter().position(|s| pick(&s.info) == secs).unwrap_or(0);
        let name = sent.get(index).map_or_else(|| "the server's certificate".to_owned(), |s| s.name.clone());
        (name, rfc3339_from_unix(secs), index == 0)
    };
    match err {
        webpki::Error::CertNotValidYet { not_before, .. } => {
            let (subject, not_before, leaf) = at(not_before.as_secs(), |info| info.not_before_unix);
            TrustProblem::NotYetValid { subject, not_before, leaf }
        }
        webpki::Error::CertExpired { not_after, .. } => {
            let (subject, not_after, leaf) = at(not_after.as_secs(), |info| info.not_after_unix);
            TrustProblem::Expired { subject, not_after, leaf }
        }
        other => TrustProblem::Invalid { detail: other.to_string() },
    }
}

/// A time at which every certificate sent is valid (else the leaf is): the middle of that window.
fn valid_time(sent: &[Sent]) -> Option<UnixTime> {
    let window = |certs: &[Sent]| {
        let start = certs.iter().map(|s| s.info.not_before_unix).max()?;
        let end = certs.iter().map(|s| s.info.not_after_unix).min()?;
        (start <= end).then(|| start + (end - start) / 2)
    };
    let middle = window(sent).or_else(|| window(sent.get(..1)?))?;
    Some(UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(middle).ok()?)))
}

/// The DNS names and IP addresses of a certificate (what a TLS client matches the name against).
fn host_names(info: &CertInfo) -> Vec<String> {
    info.sans.iter().filter(|san| !san.contains(':') || san.parse::<std::net::IpAddr>().is_ok()).cloned().collect()
}

/// A name's common name, else the whole name (RFC 4514 style).
fn display_name(name: &X509Name<'_>) -> String {
    name.iter_common_name()
        .find_map(|cn| cn.as_str().ok().map(str::to_owned))
        .filter(|cn| !cn.trim().is_empty())
        .unwrap_or_else(|| name.to_string())
}

#[cfg(test)]
pub(crate) mod test_pki;
#[cfg(test)]
mod tests;
