//! "Would other clients connect?": the chain a check saw, judged as each kind of client judges it, with the fix in
//! that client's terms. curl and most system tools trust the OS store; Python's clients (chromadb, httpx, requests)
//! trust certifi, which is Mozilla's root list, and so does Node.js, which bundles it; browsers trust the OS store
//! and download a missing intermediate from the certificate's AIA URL; Chroma Connect trusts what the profile says.
//! This is what explains "it works in curl but not in Python". The judging is [`crate::tls::TrustStores::verify`];
//! this module maps clients to stores and writes the sentences.

use std::fmt::Write as _;

use rustls_pki_types::{CertificateDer, UnixTime};
use serde::Serialize;
use tokio::task::JoinHandle;

use crate::profile::{ConnectionSettings, Verify, normalize_sha256_fingerprint};
use crate::tls::{CaMode, RootStore, StoreId, TrustProblem, TrustStores, Verdict, sha256_fingerprint};

use super::text::{MAX_NAME_CHARS, sanitize_display};

/// A kind of client, by the trust it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientFamily {
    /// curl and most command-line and system tools: the OS store.
    Curl,
    /// Python: chromadb's HTTP client (httpx), httpx and requests, through certifi: Mozilla's root list.
    Python,
    /// Node.js: Mozilla's root list, bundled.
    Node,
    /// Browsers: the OS store, and they download a missing intermediate.
    Browser,
    /// This app with the profile's own trust.
    ChromaConnect,
}

impl ClientFamily {
    /// Every family, in the order shown.
    pub const ALL: [Self; 5] = [Self::Curl, Self::Python, Self::Node, Self::Browser, Self::ChromaConnect];

    /// The family's id, as in the JSON output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Curl => "curl",
            Self::Python => "python",
            Self::Node => "node",
            Self::Browser => "browser",
            Self::ChromaConnect => "chroma_connect",
        }
    }

    /// The clients of the family, in a few words.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Curl => "curl and most system tools",
            Self::Python => "Python: chromadb, httpx, requests",
            Self::Node => "Node.js",
            Self::Browser => "Browsers",
            Self::ChromaConnect => "Chroma Connect with this profile",
        }
    }
}

/// Which trust a family uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustSource {
    /// The operating system's store.
    Os,
    /// Mozilla's root list (certifi, Node.js).
    Mozilla,
    /// The profile's trust: the system store, a CA file, both, a pinned certificate, or none.
    Profile,
}

/// Why a client accepts or refuses the chain: the code of the first reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrustReason {
    /// Accepted: the chain leads to a root the client trusts, and holds the name.
    Ok,
    /// Accepted if the browser downloads the missing intermediate from the certificate's AIA URL.
    AiaFetch,
    /// Accepted without verification: the profile turns verification off.
    VerificationOff,
    /// Accepted because it is the pinned certificate, although the profile's trust alone refuses it.
    Pinned,
    /// A certificate of the chain expired.
    Expired,
    /// A certificate of the chain is not valid yet.
    NotYetValid,
    /// The certificate does not hold the name.
    NameMismatch,
    /// The server did not send an intermediate certificate.
    IncompleteChain,
    /// A self-signed certificate the client does not trust.
    SelfSigned,
    /// The chain leads to a CA the client does not trust.
    UnknownIssuer,
    /// A CA certificate (CA:TRUE) as the server's certificate.
    CaAsLeaf,
    /// Not the pinned certificate.
    PinMismatch,
    /// The client's store holds no root.
    NoRoots,
    /// Anything else wrong with the chain.
    Invalid,
}

impl TrustReason {
    /// The reason's code, as in the JSON output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::AiaFetch => "aia_fetch",
            Self::VerificationOff => "verification_off",
            Self::Pinned => "pinned",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::NameMismatch => "name_mismatch",
            Self::IncompleteChain => "incomplete_chain",
            Self::SelfSigned => "self_signed",
            Self::UnknownIssuer => "unknown_issuer",
            Self::CaAsLeaf => "ca_as_leaf",
            Self::PinMismatch => "pin_mismatch",
            Self::NoRoots => "no_roots",
            Self::Invalid => "invalid",
        }
    }
}

/// Whether one kind of client would connect, why not, and the fix in its terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientTrust {
    /// Which kind of client.
    pub family: ClientFamily,
    /// The clients, in a few words (the family's [`label`](ClientFamily::label)).
    pub client: String,
    /// Which trust it uses.
    pub store: TrustSource,
    /// That trust in words, e.g. `the OS trust store` or `only the CA file /etc/chroma/ca.pem`.
    pub store_text: String,
    /// Whether it would connect. True also for [`TrustReason::AiaFetch`] (likely, not certain),
    /// [`TrustReason::VerificationOff`] and [`TrustReason::Pinned`].
    pub accepted: bool,
    /// The code of the first reason.
    pub reason: TrustReason,
    /// Every reason, in short sentences.
    pub reason_text: String,
    /// What to change, in the client's terms; `None` when nothing needs to change.
    pub fix: Option<String>,
}

impl ClientTrust {
    /// Accepted without any caveat.
    #[must_use]
    pub fn plainly_accepted(&self) -> bool {
        self.accepted && self.reason == TrustReason::Ok
    }
}

/// Starts reading the trust stores `settings` need (the OS store once per process, Mozilla's list, the CA file) on
/// a blocking thread, so that they are ready when the chain is. `None` for http://.
pub(crate) fn load_stores(settings: &ConnectionSettings) -> Option<JoinHandle<TrustStores>> {
    if !settings.is_tls() {
        return None;
    }
    let ca_file = settings.ca_file().map(std::path::Path::to_owned);
    Some(tokio::task::spawn_blocking(move || {
        TrustStores::load(ca_file.as_deref()).unwrap_or_else(|err| TrustStores {
            ca_file: Some(RootStore::default().with_problem(err.to_string())),
            ..TrustStores::load(None).unwrap_or_default()
        })
    }))
}

/// What each kind of client would say of `chain` (leaf first, as presented), with the stores `load_stores` is
/// reading. Empty when there is no chain.
pub(crate) async fn judge_chain(
    settings: &ConnectionSettings,
    chain: &[CertificateDer<'static>],
    stores: Option<JoinHandle<TrustStores>>,
) -> Vec<ClientTrust> {
    let Some(stores) = stores else { return Vec::new() };
    if chain.is_empty() {
        return Vec::new();
    }
    let Ok(stores) = stores.await else { return Vec::new() };
    clients_trust(settings, chain, UnixTime::now(), &stores)
}

/// What each kind of client would say of `chain` (leaf first, as presented) for the settings' server name at
/// `now`, each client with its stores from `stores`. Pure.
#[must_use]
pub fn clients_trust(
    settings: &ConnectionSettings,
    chain: &[CertificateDer<'_>],
    now: UnixTime,
    stores: &TrustStores,
) -> Vec<ClientTrust> {
    let name = settings.tls_name();
    let os = stores.verify(chain, name, now, &[StoreId::Os]);
    let mozilla = stores.verify(chain, name, now, &[StoreId::Mozilla]);
    let profile = Profile::of(settings);
    let profile_verdict = profile.using().map(|using| stores.verify(chain, name, now, using));
    let ctx = Context { name, ca_file: settings.ca_file().map(|p| p.display().to_string()), profile: &profile };
    let leaf_sha256 = chain.first().map(|leaf| sha256_fingerprint(leaf));
    ClientFamily::ALL
        .into_iter()
        .map(|family| match family {
            ClientFamily::Curl | ClientFamily::Browser => ctx.judge(family, &os),
            ClientFamily::Python | ClientFamily::Node => ctx.judge(family, &mozilla),
            ClientFamily::ChromaConnect => ctx.judge_profile(profile_verdict.as_ref(), leaf_sha256.as_deref()),
        })
        .collect()
}

/// The profile's trust.
struct Profile {
    verify: Verify,
    ca_mode: CaMode,
    /// Normalised, as `sha256_fingerprint` writes it.
    pinned_sha256: Option<String>,
}

impl Profile {
    fn of(settings: &ConnectionSettings) -> Self {
        let pinned_sha256 = settings
            .pinned_sha256
            .as_deref()
            .map(|pin| normalize_sha256_fingerprint("pinned_sha256", pin).unwrap_or_else(|_| pin.to_owned()));
        Self { verify: settings.verify.clone(), ca_mode: settings.ca_mode, pinned_sha256 }
    }

    /// The stores the profile verifies with; `None` when verification is off.
    fn using(&self) -> Option<&'static [StoreId]> {
        match (&self.verify, self.ca_mode) {
            (Verify::Off, _) => None,
            (Verify::System, _) => Some(&[StoreId::Os]),
            (Verify::CaFile(_), CaMode::Only) => Some(&[StoreId::CaFile]),
            (Verify::CaFile(_), CaMode::Merge) => Some(&[StoreId::CaFile, StoreId::Os]),
        }
    }

    /// The trust in words, for `store_text`.
    fn describe(&self) -> String {
        let trust = match (&self.verify, self.ca_mode) {
            (Verify::Off, _) => "none: verification is off".to_owned(),
            (Verify::System, _) => "the system trust store".to_owned(),
            (Verify::CaFile(path), CaMode::Only) => format!("only the CA file {}", path.display()),
            (Verify::CaFile(path), CaMode::Merge) => format!("the CA file {} and the system store", path.display()),
        };
        if self.pinned_sha256.is_some() { format!("{trust}, and the pinned certificate") } else { trust }
    }

    /// The trust as the subject of a sentence.
    fn phrase(&self) -> &'static str {
        match (&self.verify, self.ca_mode) {
            (Verify::Off, _) => "nothing",
            (Verify::System, _) => "the system store",
            (Verify::CaFile(_), CaMode::Only) => "the CA file",
            (Verify::CaFile(_), CaMode::Merge) => "the CA file (with the system store)",
        }
    }
}

/// What the sentences need.
struct Context<'a> {
    /// The name clients verify.
    name: &'a str,
    /// The profile's CA file, if any.
    ca_file: Option<String>,
    profile: &'a Profile,
}

impl Context<'_> {
    /// A family that uses one store (every family but this app's).
    fn judge(&self, family: ClientFamily, verdict: &Verdict) -> ClientTrust {
        let (store, store_text, phrase) = match family {
            ClientFamily::Curl => (TrustSource::Os, "the OS trust store", "the OS store"),
            ClientFamily::Browser => {
                (TrustSource::Os, "the OS trust store; downloads missing intermediates", "the OS store")
            }
            ClientFamily::Python => (TrustSource::Mozilla, "certifi: Mozilla's root list", "Mozilla's list"),
            // This app is judged by `judge_profile`, never here.
            ClientFamily::Node | ClientFamily::ChromaConnect => {
                (TrustSource::Mozilla, "Mozilla's root list, bundled in Node.js", "Mozilla's list")
            }
        };
        let mut trust = ClientTrust {
            family,
            client: family.label().to_owned(),
            store,
            store_text: store_text.to_owned(),
            accepted: false,
            reason: TrustReason::Ok,
            reason_text: String::new(),
            fix: None,
        };
        let openssl = matches!(family, ClientFamily::Curl | ClientFamily::Python | ClientFamily::Node);
        match verdict.problems.as_slice() {
            [] => {
                trust.accepted = true;
                trust.reason_text = trusted_text(verdict);
            }
            // OpenSSL takes a CA:TRUE certificate as a server's when it trusts that very certificate.
            [TrustProblem::CaAsLeaf { trusted_as_is: true, .. }] if openssl => {
                trust.accepted = true;
                trust.reason_text = format!(
                    "Trusted: {phrase} holds this CA certificate (CA:TRUE) itself, and OpenSSL accepts it as the \
                     server's."
                );
            }
            [TrustProblem::IncompleteChain { issuer, ca_issuers_url }] if family == ClientFamily::Browser => {
                trust.accepted = true;
                trust.reason = TrustReason::AiaFetch;
                trust.reason_text = format!(
                    "Likely: the server did not send the intermediate \"{}\", but browsers download it from {}.",
                    shown(issuer),
                    shown(ca_issuers_url)
                );
                trust.fix = Some(self.fix(family, verdict.problems.first(), phrase));
            }
            problems => self.refused(&mut trust, problems, phrase, openssl),
        }
        trust
    }

    /// This app with the profile's trust and pin.
    fn judge_profile(&self, verdict: Option<&Verdict>, leaf_sha256: Option<&str>) -> ClientTrust {
        let family = ClientFamily::ChromaConnect;
        let mut trust = ClientTrust {
            family,
            client: family.label().to_owned(),
            store: TrustSource::Profile,
            store_text: self.profile.describe(),
            accepted: true,
            reason: TrustReason::Ok,
            reason_text: String::new(),
            fix: None,
        };
        let Some(verdict) = verdict else {
            trust.reason = TrustReason::VerificationOff;
            "Accepted without verification: any certificate would do.".clone_into(&mut trust.reason_text);
            trust.fix = Some(
                "Turn Verification on: the system store, or a CA file with the certificate of the server's CA."
                    .to_owned(),
            );
            return trust;
        };
        if let Some(pin) = &self.profile.pinned_sha256 {
            let matches = leaf_sha256.is_some_and(|sha| sha.eq_ignore_ascii_case(pin));
            if !matches {
                trust.accepted = false;
                trust.reason = TrustReason::PinMismatch;
                "The server's certificate is not the pinned one.".clone_into(&mut trust.reason_text);
                trust.fix = Some(
                    "If the server's certificate changed on purpose, compare its SHA-256 fingerprint with the \
                     server's, then pin it again."
                        .to_owned(),
                );
                return trust;
            }
            if verdict.accepted() {
                trust.reason_text = format!("{} It is the pinned certificate.", trusted_text(verdict));
            } else {
                trust.reason = TrustReason::Pinned;
                let why: Vec<String> =
                    verdict.problems.iter().map(|p| Self::problem_text(p, self.profile.phrase())).collect();
                trust.reason_text =
                    format!("Accepted because it is the pinned certificate. Without the pin: {}", why.join(" "));
            }
            return trust;
        }
        if verdict.accepted() {
            trust.reason_text = trusted_text(verdict);
            return trust;
        }
        trust.accepted = false;
        self.refused(&mut trust, &verdict.problems, self.profile.phrase(), false);
        trust
    }

    /// Fills in a refusal: the first problem's code, every problem's sentence and fix.
    fn refused(&self, trust: &mut ClientTrust, problems: &[TrustProblem], phrase: &str, openssl: bool) {
        trust.accepted = false;
        let Some(first) = problems.first() else { return };
        trust.reason = match first {
            // OpenSSL accepts a self-signed CA:TRUE certificate it trusts: for it, this is a self-signed one.
            TrustProblem::CaAsLeaf { self_signed: true, .. } if openssl => TrustReason::SelfSigned,
            other => reason_of(other),
        };
        let texts: Vec<String> = problems
            .iter()
            .map(|problem| match problem {
                TrustProblem::CaAsLeaf { self_signed: true, held_by, .. } if openssl => {
                    format!("The certificate is self-signed and {phrase} does not hold it{}.", held_by_text(held_by))
                }
                other => Self::problem_text(other, phrase),
            })
            .collect();
        trust.reason_text = texts.join(" ");
        let mut fixes: Vec<String> = Vec::new();
        for problem in problems {
            let fix = match problem {
                TrustProblem::CaAsLeaf { self_signed: true, held_by, .. } if openssl => {
                    self.client_fix(trust.family, "the server's certificate", held_by)
                }
                other => self.fix(trust.family, Some(other), phrase),
            };
            if !fixes.contains(&fix) {
                fixes.push(fix);
            }
        }
        trust.fix = Some(fixes.join(" "));
    }

    /// One problem in a sentence or two; `phrase` names the trust (`the OS store`).
    fn problem_text(problem: &TrustProblem, phrase: &str) -> String {
        match problem {
            TrustProblem::Expired { not_after, leaf: true, .. } => format!("The certificate expired on {not_after}."),
            TrustProblem::Expired { subject, not_after, leaf: false } => {
                format!("The intermediate \"{}\" expired on {not_after}.", shown(subject))
            }
            TrustProblem::NotYetValid { not_before, leaf: true, .. } => {
                format!("The certificate is not valid until {not_before}.")
            }
            TrustProblem::NotYetValid { subject, not_before, leaf: false } => {
                format!("The intermediate \"{}\" is not valid until {not_before}.", shown(subject))
            }
            TrustProblem::NameMismatch { name, presented } => {
                let names = if presented.is_empty() { "no names".to_owned() } else { shown(&presented.join(", ")) };
                format!("The certificate is for {names}, not {}.", shown(name))
            }
            TrustProblem::SelfSigned { held_by, .. } => {
                format!("The certificate is self-signed and {phrase} does not hold it{}.", held_by_text(held_by))
            }
            TrustProblem::UnknownIssuer { issuer, held_by, .. } => {
                format!("Issued by \"{}\", which {phrase} does not hold{}.", shown(issuer), held_by_text(held_by))
            }
            TrustProblem::IncompleteChain { issuer, ca_issuers_url } => format!(
                "The server did not send the intermediate \"{}\" (the certificate says it is at {}).",
                shown(issuer),
                shown(ca_issuers_url)
            ),
            TrustProblem::CaAsLeaf { .. } => {
                "The certificate is a CA certificate (CA:TRUE), which rustls and browsers refuse as a server's."
                    .to_owned()
            }
            TrustProblem::NoRoots { detail } => format!("No trusted root could be read: {}.", shown(detail)),
            TrustProblem::Invalid { detail } => format!("The chain is invalid: {}.", shown(detail)),
        }
    }

    /// What to change for `problem`, in the terms of `family`.
    fn fix(&self, family: ClientFamily, problem: Option<&TrustProblem>, phrase: &str) -> String {
        let Some(problem) = problem else { return String::new() };
        let name = shown(self.name);
        match problem {
            TrustProblem::Expired { leaf: true, .. } => "Renew the certificate on the server.".to_owned(),
            TrustProblem::Expired { leaf: false, .. } => {
                "On the server, replace the expired intermediate with the CA's current one.".to_owned()
            }
            TrustProblem::NotYetValid { .. } => {
                "Check this machine's clock; if it is right, re-issue the certificate with an earlier start date."
                    .to_owned()
            }
            TrustProblem::NameMismatch { presented, .. } => {
                let usable = presented.iter().find(|n| !n.starts_with('*')).map(|n| shown(n));
                match (usable, family) {
                    (Some(other), ClientFamily::ChromaConnect) => {
                        format!("Set Server name to {other}, or give the server a certificate for {name}.")
                    }
                    (Some(other), _) => {
                        format!(
                            "Connect with a name the certificate holds ({other}), or give the server a certificate for {name}."
                        )
                    }
                    (None, _) => format!("Give the server a certificate for {name}."),
                }
            }
            TrustProblem::IncompleteChain { issuer, .. } => format!(
                "On the server, serve the full chain: the certificate, then the intermediate \"{}\" (nginx: \
                 ssl_certificate fullchain.pem).",
                shown(issuer)
            ),
            TrustProblem::CaAsLeaf { .. } => {
                "Give the server a certificate with CA:FALSE (signed by that CA, or self-signed).".to_owned()
            }
            TrustProblem::SelfSigned { held_by, .. } => self.client_fix(family, "the server's certificate", held_by),
            TrustProblem::UnknownIssuer { issuer, issuer_sent, held_by } => {
                let mut fix = self.client_fix(family, &format!("the certificate of \"{}\"", shown(issuer)), held_by);
                if !issuer_sent && held_by.is_empty() {
                    let _ =
                        write!(fix, " If \"{}\" is an intermediate CA, the server must send it too.", shown(issuer));
                }
                fix
            }
            TrustProblem::NoRoots { .. } => match family {
                ClientFamily::ChromaConnect if self.ca_file.is_some() => {
                    "Set the CA file to the certificate of the server's CA.".to_owned()
                }
                _ => format!(
                    "Install the OS's CA certificates ({phrase} is empty; Debian/Ubuntu: the ca-certificates package)."
                ),
            },
            TrustProblem::Invalid { .. } => "Re-issue the server's certificate.".to_owned(),
        }
    }

    /// How to make `family` trust `ca` (`the certificate of "X"`, or `the server's certificate`), which the stores
    /// `held_by` hold.
    fn client_fix(&self, family: ClientFamily, ca: &str, held_by: &[StoreId]) -> String {
        let os_update = "Update the OS's CA certificates (Debian/Ubuntu: sudo apt install ca-certificates; macOS, \
                         Windows: the system updates): Mozilla's list trusts this CA.";
        if matches!(family, ClientFamily::Curl | ClientFamily::Browser) && held_by.contains(&StoreId::Mozilla) {
            return os_update.to_owned();
        }
        // The profile's CA file when it holds the CA, else a file to save.
        let (path, save) = match &self.ca_file {
            Some(path) if held_by.contains(&StoreId::CaFile) => (path.clone(), String::new()),
            _ => ("ca.pem".to_owned(), format!("Save {ca} as ca.pem (PEM), then: ")),
        };
        let fix = match family {
            ClientFamily::Curl => format!("{} Or: curl --cacert {path}.", os_install(&path)),
            ClientFamily::Browser => {
                format!("{} Firefox may need it imported in its own certificate settings.", os_install(&path))
            }
            ClientFamily::Python => format!(
                "pass Settings(chroma_server_ssl_verify=\"{path}\") to chromadb.HttpClient; for httpx set \
                 SSL_CERT_FILE={path}, for requests REQUESTS_CA_BUNDLE={path}."
            ),
            ClientFamily::Node => format!("start Node with NODE_EXTRA_CA_CERTS={path} set."),
            ClientFamily::ChromaConnect => match (&self.profile.verify, self.profile.ca_mode) {
                (Verify::CaFile(_), CaMode::Only) if held_by.contains(&StoreId::Os) => {
                    return "Set CA mode to merge: the OS store trusts this CA.".to_owned();
                }
                (Verify::CaFile(_), _) => format!("set the CA file to {path}."),
                _ => format!("set the CA file to {path} (CA mode merge keeps the system store)."),
            },
        };
        then(&save, &fix)
    }
}

/// `first` then `rest`, whose first letter is a capital when it starts the text, else a small letter.
fn then(first: &str, rest: &str) -> String {
    let mut chars = rest.chars();
    let Some(initial) = chars.next() else { return first.to_owned() };
    if first.is_empty() {
        initial.to_uppercase().chain(chars).collect()
    } else {
        format!("{first}{}{}", initial.to_lowercase(), chars.as_str())
    }
}

/// How to install `path` into this OS's store.
fn os_install(path: &str) -> String {
    if cfg!(target_os = "macos") {
        format!(
            "Install {path} into the OS store: sudo security add-trusted-cert -d -r trustRoot -k \
             /Library/Keychains/System.keychain {path} (or Keychain Access)."
        )
    } else if cfg!(windows) {
        format!(
            "Install {path} into the OS store: certutil -addstore Root {path} (or certmgr.msc, Trusted Root \
             Certification Authorities)."
        )
    } else {
        format!(
            "Install {path} into the OS store: sudo cp {path} /usr/local/share/ca-certificates/chroma-ca.crt, \
             then sudo update-ca-certificates (Debian/Ubuntu)."
        )
    }
}

/// "Trusted: the chain leads to the root "X"."
fn trusted_text(verdict: &Verdict) -> String {
    match &verdict.root {
        Some(root) => format!("Trusted: the chain leads to the root \"{}\".", shown(root)),
        None => "Trusted.".to_owned(),
    }
}

/// "; Mozilla's list does" — the other stores that hold it.
fn held_by_text(held_by: &[StoreId]) -> String {
    let names: Vec<&str> = held_by
        .iter()
        .map(|id| match id {
            StoreId::Os => "the OS store",
            StoreId::Mozilla => "Mozilla's list",
            StoreId::CaFile => "the profile's CA file",
        })
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => format!("; {one} does"),
        many => format!("; {} do", many.join(" and ")),
    }
}

fn reason_of(problem: &TrustProblem) -> TrustReason {
    match problem {
        TrustProblem::Expired { .. } => TrustReason::Expired,
        TrustProblem::NotYetValid { .. } => TrustReason::NotYetValid,
        TrustProblem::NameMismatch { .. } => TrustReason::NameMismatch,
        TrustProblem::SelfSigned { .. } => TrustReason::SelfSigned,
        TrustProblem::UnknownIssuer { .. } => TrustReason::UnknownIssuer,
        TrustProblem::IncompleteChain { .. } => TrustReason::IncompleteChain,
        TrustProblem::CaAsLeaf { .. } => TrustReason::CaAsLeaf,
        TrustProblem::NoRoots { .. } => TrustReason::NoRoots,
        TrustProblem::Invalid { .. } => TrustReason::Invalid,
    }
}

/// Certificate text made safe to show.
fn shown(text: &str) -> String {
    sanitize_display(text, MAX_NAME_CHARS)
}

#[cfg(test)]
mod tests;
