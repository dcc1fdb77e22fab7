//! Where profile secrets (tokens, basic-auth passwords) live: the OS keychain, or — where none is available, as
//! on a headless Linux without a Secret Service — a file readable only by the user. Never the profile file.
//!
//! A profile's secret is found in this order: the environment variable the profile names, else the keychain,
//! else the fallback file. New secrets go to the keychain when one is available, else to the file; which one
//! is always said ([`SecretStore::target`], [`SecretLocation::describe`]).
//!
//! Keychain calls block (D-Bus, or the OS's API) and may wait for the user to unlock the keychain: call them off
//! the UI thread. Each is bounded by a timeout so that a keychain that never answers cannot hang the app.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::Duration;

use keyring_core::{CredentialStore, Entry};

use super::format::{FormatError, parse_string_map};
use super::fsutil::{FileLock, write_atomic};
use super::model::{Profile, SecretSource};
use super::paths::AppPaths;
use super::secret::Secret;

/// The environment variable that chooses the secret store: `auto` (the default: the keychain when available,
/// else the file), `keychain` (the keychain or an error, never the file) or `file` (always the file).
pub const SECRET_STORE_ENV: &str = "CHROMA_CONNECT_SECRET_STORE";

/// How long opening the keychain may take.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one keychain call may take (it may wait for the user to unlock the keychain).
const CALL_TIMEOUT: Duration = Duration::from_mins(1);

/// Which secret store to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretStoreMode {
    /// The keychain when one is available, else the fallback file.
    #[default]
    Auto,
    /// The keychain only: fail when there is none.
    Keychain,
    /// The fallback file only.
    File,
}

/// Where a secret was found or saved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretLocation {
    /// Read from an environment variable.
    Env {
        /// The variable.
        var: String,
    },
    /// The OS keychain.
    Keychain {
        /// The keychain, e.g. `the Secret Service keychain`.
        store: &'static str,
        /// The service the secret is saved under (its account is the profile's name).
        service: String,
    },
    /// The fallback file.
    File {
        /// The file.
        path: PathBuf,
        /// Why no keychain is used; `None` when one is available now (the secret was saved before it was).
        no_keychain_reason: Option<String>,
    },
}

impl SecretLocation {
    /// A sentence fragment for the user, e.g. `token stored in the Secret Service keychain (service
    /// chroma-connect, account staging)`. `noun` is `token` or `password`.
    #[must_use]
    pub fn describe(&self, noun: &str, profile: &str) -> String {
        match self {
            Self::Env { var } => format!("{noun} read from ${var} when the profile is used"),
            Self::Keychain { store, service } => {
                format!("{noun} stored in {store} (service {service}, account {profile})")
            }
            Self::File { path, no_keychain_reason: Some(reason) } => format!(
                "{noun} stored in {} (readable only by you, 0600) because no keychain is available: {reason}",
                path.display()
            ),
            Self::File { path, no_keychain_reason: None } => format!(
                "{noun} stored in {} (readable only by you, 0600), saved when no keychain was available; save it \
                 again to move it to the keychain",
                path.display()
            ),
        }
    }

    /// `env`, `keychain` or `file`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Env { .. } => "env",
            Self::Keychain { .. } => "keychain",
            Self::File { .. } => "file",
        }
    }
}

/// A profile's secret and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSecret {
    /// The secret.
    pub secret: Secret,
    /// Where it was found.
    pub location: SecretLocation,
}

/// A secret that cannot be read, saved or deleted. Never holds the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The keychain refused or failed.
    #[error("{store} could not {action} the secret of profile {profile}: {detail}")]
    Keychain {
        /// Which keychain.
        store: &'static str,
        /// `read`, `save` or `delete`.
        action: &'static str,
        /// The profile.
        profile: String,
        /// What it said.
        detail: String,
    },
    /// `CHROMA_CONNECT_SECRET_STORE=keychain` but there is no keychain.
    #[error("{SECRET_STORE_ENV}=keychain, but no keychain is available: {reason}")]
    KeychainRequired {
        /// Why there is none.
        reason: String,
    },
    /// The fallback file cannot be read or written.
    #[error("cannot {action} the secrets file: {detail}: {}", path.display())]
    File {
        /// `read` or `write`.
        action: &'static str,
        /// What went wrong.
        detail: String,
        /// The file.
        path: PathBuf,
    },
    /// The fallback file is readable by other users.
    #[error(
        "the secrets file is readable by other users (mode {mode:03o}); it is not used until you run \
         `chmod 600 {}`: {}", path.display(), path.display()
    )]
    FileTooOpen {
        /// The file's permission bits.
        mode: u32,
        /// The file.
        path: PathBuf,
    },
    /// The profile reads its secret from a variable that is not set.
    #[error("profile {profile} reads its {noun} from ${var}, which is {state}")]
    EnvMissing {
        /// The profile.
        profile: String,
        /// `token` or `password`.
        noun: &'static str,
        /// The variable.
        var: String,
        /// `not set`, `empty` or `not valid UTF-8`.
        state: &'static str,
    },
    /// `CHROMA_CONNECT_SECRET_STORE` has a value that means nothing.
    #[error("{SECRET_STORE_ENV} must be auto, keychain or file, not `{value}`")]
    BadMode {
        /// The value.
        value: String,
    },
}

/// The secrets of one app home: a keychain (opened on first use) and the fallback file.
pub struct SecretStore {
    mode: SecretStoreMode,
    service: String,
    file: PathBuf,
    lock: PathBuf,
    keychain: OnceLock<Result<Keychain, String>>,
}

impl fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretStore")
            .field("mode", &self.mode)
            .field("service", &self.service)
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl SecretStore {
    /// The secret store of `paths`, in the mode `CHROMA_CONNECT_SECRET_STORE` chooses. Does not touch the keychain
    /// yet.
    pub fn open(paths: &AppPaths) -> Result<Self, SecretError> {
        let mode = match std::env::var(SECRET_STORE_ENV).as_deref().map(str::trim) {
            Err(_) | Ok("" | "auto") => SecretStoreMode::Auto,
            Ok("keychain") => SecretStoreMode::Keychain,
            Ok("file") => SecretStoreMode::File,
            Ok(other) => return Err(SecretError::BadMode { value: other.to_owned() }),
        };
        Ok(Self::with_mode(paths, mode))
    }

    /// The secret store of `paths` in `mode`.
    #[must_use]
    pub fn with_mode(paths: &AppPaths, mode: SecretStoreMode) -> Self {
        Self {
            mode,
            service: paths.keychain_service(),
            file: paths.secrets_file(),
            lock: paths.secrets_lock(),
            keychain: OnceLock::new(),
        }
    }

    /// Where new secrets are saved: the keychain, or the file and why. Opens the keychain on first call.
    pub fn target(&self) -> Result<SecretLocation, SecretError> {
        match self.keychain() {
            Ok(keychain) => Ok(SecretLocation::Keychain { store: keychain.name, service: self.service.clone() }),
            Err(reason) if self.mode == SecretStoreMode::Keychain => {
                Err(SecretError::KeychainRequired { reason: reason.to_owned() })
            }
            Err(reason) => {
                Ok(SecretLocation::File { path: self.file.clone(), no_keychain_reason: Some(reason.to_owned()) })
            }
        }
    }

    /// The fallback file.
    #[must_use]
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The secret saved for `profile`: from the keychain, else from the fallback file.
    pub fn get(&self, profile: &str) -> Result<Option<ResolvedSecret>, SecretError> {
        if let Ok(keychain) = self.keychain() {
            let found = keychain.call(&self.service, profile, "read", |entry| match entry.get_password() {
                Ok(value) => Ok(Some(value)),
                Err(keyring_core::Error::NoEntry) => Ok(None),
                Err(err) => Err(err),
            })?;
            if let Some(value) = found {
                let location = SecretLocation::Keychain { store: keychain.name, service: self.service.clone() };
                return Ok(Some(ResolvedSecret { secret: Secret::new(value), location }));
            }
        }
        if self.mode == SecretStoreMode::Keychain {
            return Ok(None);
        }
        let map = self.read_file()?;
        Ok(map.get(profile).map(|value| ResolvedSecret {
            secret: Secret::new(value.clone()),
            location: SecretLocation::File {
                path: self.file.clone(),
                no_keychain_reason: self.keychain().err().map(str::to_owned),
            },
        }))
    }

    /// Saves `secret` for `profile` where [`target`](Self::target) says, and removes any copy left in the
    /// fallback file when that is the keychain.
    pub fn set(&self, profile: &str, secret: &Secret) -> Result<SecretLocation, SecretError> {
        let target = self.target()?;
        match &target {
            SecretLocation::Keychain { .. } => {
                let value = secret.expose().to_owned();
                let keychain = self.keychain().map_err(|r| SecretError::KeychainRequired { reason: r.to_owned() })?;
                keychain.call(&self.service, profile, "save", move |entry| entry.set_password(&value))?;
                if self.mode != SecretStoreMode::Keychain && self.file.exists() {
                    self.change_file(|map| map.remove(profile).is_some())?;
                }
            }
            _ => {
                self.change_file(|map| {
                    map.insert(profile.to_owned(), secret.expose().to_owned());
                    true
                })?;
            }
        }
        Ok(target)
    }

    /// Deletes the secret of `profile` from the keychain and the fallback file. True when one existed.
    pub fn delete(&self, profile: &str) -> Result<bool, SecretError> {
        let mut deleted = false;
        if let Ok(keychain) = self.keychain() {
            deleted = keychain.call(&self.service, profile, "delete", |entry| match entry.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring_core::Error::NoEntry) => Ok(false),
                Err(err) => Err(err),
            })?;
        }
        if self.mode != SecretStoreMode::Keychain && self.file.exists() {
            deleted |= self.change_file(|map| map.remove(profile).is_some())?;
        }
        Ok(deleted)
    }

    /// Moves the secret of `from` to `to` (for a renamed profile). Returns where it went, if there was one.
    pub fn rename(&self, from: &str, to: &str) -> Result<Option<SecretLocation>, SecretError> {
        let Some(found) = self.get(from)? else { return Ok(None) };
        // Copy first, delete after: a crash in between leaves a spare copy, never no secret.
        let location = self.set(to, &found.secret)?;
        self.delete(from)?;
        Ok(Some(location))
    }

    /// The secret `profile` uses: from its environment variable if it names one, else the saved one. `None` when
    /// the profile has no credentials or nothing is saved.
    pub fn resolve(&self, profile: &Profile) -> Result<Option<ResolvedSecret>, SecretError> {
        let (Some(source), Some(noun)) = (profile.connection.auth.source(), profile.connection.auth.secret_noun())
        else {
            return Ok(None);
        };
        match source {
            SecretSource::Env(var) => {
                let missing =
                    |state| SecretError::EnvMissing { profile: profile.name.clone(), noun, var: var.clone(), state };
                match std::env::var(var) {
                    Ok(value) if !value.is_empty() => Ok(Some(ResolvedSecret {
                        secret: Secret::new(value),
                        location: SecretLocation::Env { var: var.clone() },
                    })),
                    Ok(_) => Err(missing("empty")),
                    Err(std::env::VarError::NotPresent) => Err(missing("not set")),
                    Err(std::env::VarError::NotUnicode(_)) => Err(missing("not valid UTF-8")),
                }
            }
            SecretSource::Stored => self.get(&profile.name),
        }
    }

    fn keychain(&self) -> Result<&Keychain, &str> {
        self.keychain
            .get_or_init(|| match self.mode {
                SecretStoreMode::File => Err(format!("{SECRET_STORE_ENV}=file")),
                SecretStoreMode::Auto | SecretStoreMode::Keychain => Keychain::open(),
            })
            .as_ref()
            .map_err(String::as_str)
    }

    fn read_file(&self) -> Result<BTreeMap<String, String>, SecretError> {
        let text = match std::fs::read_to_string(&self.file) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(err) => return Err(self.file_error("read", &err.to_string())),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&self.file)
                .map_err(|err| self.file_error("read", &err.to_string()))?
                .permissions()
                .mode()
                & 0o777;
            if mode & 0o077 != 0 {
                return Err(SecretError::FileTooOpen { mode, path: self.file.clone() });
            }
        }
        match parse_string_map(&text, "secrets") {
            Ok((_, map)) => Ok(map),
            Err(FormatError::FutureVersion { found }) => {
                Err(self
                    .file_error("read", &format!("it was written by a newer Chroma Connect (schema_version {found})")))
            }
            Err(err) => Err(self.file_error("read", &format!("it is damaged ({err}); fix or remove it"))),
        }
    }

    /// Changes the fallback file under its lock; writes it only when `change` says it changed something.
    fn change_file(&self, change: impl FnOnce(&mut BTreeMap<String, String>) -> bool) -> Result<bool, SecretError> {
        let _lock = FileLock::acquire(&self.lock).map_err(|err| self.file_error("lock", &err.to_string()))?;
        let mut map = self.read_file()?;
        if !change(&mut map) {
            return Ok(false);
        }
        let mut table = toml::Table::new();
        table.insert("schema_version".to_owned(), toml::Value::Integer(super::format::SCHEMA_VERSION));
        table.insert(
            "secrets".to_owned(),
            toml::Value::Table(map.into_iter().map(|(k, v)| (k, toml::Value::String(v))).collect()),
        );
        let body = toml::to_string(&table).map_err(|_| self.file_error("write", "cannot encode the secrets"))?;
        let text = format!(
            "# Chroma Connect secrets, kept here because no OS keychain was available. Readable only by you.\n\
             # Each key is a profile name; see profiles.toml for the profiles.\n\n{body}"
        );
        super::fsutil::remove_stale_temps(&self.file);
        write_atomic(&self.file, text.as_bytes()).map_err(|err| self.file_error("write", &err.to_string()))?;
        Ok(true)
    }

    fn file_error(&self, action: &'static str, detail: &str) -> SecretError {
        SecretError::File { action, detail: detail.to_owned(), path: self.file.clone() }
    }
}

/// An open OS keychain.
struct Keychain {
    store: Arc<CredentialStore>,
    name: &'static str,
}

impl Keychain {
    /// Opens the platform's keychain, or says why there is none.
    fn open() -> Result<Self, String> {
        let opened = on_thread(OPEN_TIMEOUT, platform_store)
            .map_err(|()| format!("the keychain did not answer within {} s", OPEN_TIMEOUT.as_secs()))?;
        let (store, name) = opened?;
        Ok(Self { store, name })
    }

    /// Runs `call` on the entry of `profile`, bounded by [`CALL_TIMEOUT`].
    fn call<T: Send + 'static>(
        &self,
        service: &str,
        profile: &str,
        action: &'static str,
        call: impl FnOnce(&Entry) -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T, SecretError> {
        let fail =
            |detail: String| SecretError::Keychain { store: self.name, action, profile: profile.to_owned(), detail };
        let store = Arc::clone(&self.store);
        let (service, user) = (service.to_owned(), profile.to_owned());
        let outcome = on_thread(CALL_TIMEOUT, move || {
            let entry = new_entry(&store, &service, &user)?;
            call(&entry)
        });
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(fail(describe_keyring_error(&err))),
            Err(()) => Err(fail(format!(
                "no answer within {} s (is the keychain locked, waiting for a password?)",
                CALL_TIMEOUT.as_secs()
            ))),
        }
    }
}

/// The entry for one profile. On the Secret Service it gets a readable label (what Seahorse shows).
fn new_entry(store: &Arc<CredentialStore>, service: &str, user: &str) -> keyring_core::Result<Entry> {
    #[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
    {
        let label = format!("Chroma Connect: {user}");
        let modifiers = std::collections::HashMap::from([("label", label.as_str())]);
        Entry::new_in_store_with_modifiers(store, service, user, &modifiers)
    }
    #[cfg(not(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android")))))]
    {
        Entry::new_in_store(store, service, user)
    }
}

#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
fn platform_store() -> Result<(Arc<CredentialStore>, &'static str), String> {
    let store = zbus_secret_service_keyring_store::Store::new()
        .map_err(|err| format!("the Secret Service cannot be reached ({})", describe_keyring_error(&err)))?;
    Ok((store, "the Secret Service keychain"))
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<(Arc<CredentialStore>, &'static str), String> {
    let store = apple_native_keyring_store::keychain::Store::new().map_err(|err| describe_keyring_error(&err))?;
    Ok((store, "the macOS Keychain"))
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<(Arc<CredentialStore>, &'static str), String> {
    let store = windows_native_keyring_store::Store::new().map_err(|err| describe_keyring_error(&err))?;
    Ok((store, "the Windows Credential Manager"))
}

#[cfg(not(any(unix, target_os = "windows")))]
fn platform_store() -> Result<(Arc<CredentialStore>, &'static str), String> {
    Err("this platform has no supported keychain".to_owned())
}

/// A keychain error as text, without any data it may carry (a wrongly encoded value could be the secret).
fn describe_keyring_error(err: &keyring_core::Error) -> String {
    use keyring_core::Error as E;
    match err {
        E::PlatformFailure(inner) => inner.to_string(),
        E::NoStorageAccess(inner) => format!("access denied or locked ({inner})"),
        E::NoEntry => "no such secret".to_owned(),
        E::BadEncoding(_) => "the saved value is not UTF-8 text".to_owned(),
        E::BadDataFormat(..) => "the saved value is malformed".to_owned(),
        E::BadStoreFormat(reason) => format!("the keychain's data is malformed: {reason}"),
        E::TooLong(field, limit) => format!("the {field} is longer than the keychain's limit of {limit}"),
        E::Invalid(field, reason) => format!("invalid {field}: {reason}"),
        E::Ambiguous(entries) => format!("{} keychain items match; remove the extra ones", entries.len()),
        E::NoDefaultStore => "no keychain".to_owned(),
        E::NotSupportedByStore(what) => format!("not supported: {what}"),
        _ => "unknown keychain error".to_owned(),
    }
}

/// Runs `work` on its own thread and waits at most `limit` for it. On timeout the thread is left to finish (or
/// to die with the process).
fn on_thread<T: Send + 'static>(limit: Duration, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ()> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("keychain".to_owned())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(|_| ())?;
    rx.recv_timeout(limit).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_store(dir: &Path) -> SecretStore {
        SecretStore::with_mode(&AppPaths::in_dir(dir), SecretStoreMode::File)
    }

    #[test]
    fn the_file_store_keeps_secrets_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = file_store(dir.path());
        assert_eq!(store.get("p").expect("get"), None);
        let location = store.set("p", &Secret::new("tok-file-1")).expect("set");
        assert!(matches!(&location, SecretLocation::File { no_keychain_reason: Some(r), .. } if r.contains("=file")));
        assert!(location.describe("token", "p").contains("0600"));
        assert_eq!(store.get("p").expect("get").map(|r| r.secret), Some(Secret::new("tok-file-1")));
        assert_eq!(store.rename("p", "q").expect("rename").map(|l| l.kind()), Some("file"));
        assert_eq!(store.get("p").expect("get"), None);
        assert_eq!(store.get("q").expect("get").map(|r| r.secret), Some(Secret::new("tok-file-1")));
        assert!(store.delete("q").expect("delete"));
        assert!(!store.delete("q").expect("delete again"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            store.set("r", &Secret::new("x")).expect("set");
            std::fs::set_permissions(store.file(), std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let err = store.get("r").expect_err("too open");
            assert!(matches!(err, SecretError::FileTooOpen { mode: 0o644, .. }), "{err}");
        }
    }

    #[test]
    fn a_damaged_file_is_reported_without_its_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = file_store(dir.path());
        store.set("p", &Secret::new("x")).expect("set");
        std::fs::write(store.file(), "[secrets]\np = \"tok-damaged-42").expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(store.file(), std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
        let err = store.get("p").expect_err("damaged");
        assert!(!err.to_string().contains("tok-damaged-42"), "{err}");
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn env_references_are_read_when_used() {
        use crate::profile::{ProfileAuth, TokenHeader, parse_endpoint};
        let dir = tempfile::tempdir().expect("tempdir");
        let store = file_store(dir.path());
        let mut profile = Profile::new("p", parse_endpoint("url", "http://h:1").expect("url"));
        profile.connection.auth = ProfileAuth::Token {
            header: TokenHeader::Bearer,
            source: SecretSource::Env("CHROMA_CONNECT_UNIT_SURELY_UNSET".into()),
        };
        let err = store.resolve(&profile).expect_err("unset");
        assert!(err.to_string().contains("$CHROMA_CONNECT_UNIT_SURELY_UNSET, which is not set"), "{err}");
        profile.connection.auth =
            ProfileAuth::Token { header: TokenHeader::Bearer, source: SecretSource::Env("PATH".into()) };
        let resolved = store.resolve(&profile).expect("resolve").expect("some");
        assert_eq!(resolved.location, SecretLocation::Env { var: "PATH".into() });
        assert!(!format!("{resolved:?}").contains(resolved.secret.expose()));
    }
}
