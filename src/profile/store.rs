//! The profile store: `profiles.toml` in the app's config folder, shared by the GUI and the CLI.
//!
//! - Every change takes the store's lock, re-reads the file and applies the change to what is on disk, then
//!   replaces the file atomically (see [`super::fsutil`]): two running instances never lose each other's
//!   changes, and a crash or `kill -9` leaves the old file or the new one. [`ProfileStore::changed_on_disk`] and
//!   [`ProfileStore::reload`] let a long-running instance pick up another's changes; [`UpdateOptions::expected`]
//!   refuses to overwrite a profile that another instance changed since it was shown.
//! - A file that is not TOML is renamed `profiles.toml.corrupt-TIMESTAMP` and the store starts empty, with a
//!   [`StoreNotice`] saying where the file went. A single entry that cannot be read is kept as written and
//!   listed in [`ProfileStore::broken`].
//! - A file from a newer version ([`super::format::SCHEMA_VERSION`]) is refused and never written.
//! - Secrets never enter the file: the methods that create, rename or remove profiles also save, move or delete
//!   their secret in the [`SecretStore`].

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::format::{FormatError, ProfilesDoc, parse_doc, write_doc};
use super::fsutil::{FileLock, keep_aside, remove_stale_temps, write_atomic};
use super::model::{Profile, ProfileAuth};
use super::paths::AppPaths;
use super::secret::Secret;
use super::secrets::{SecretError, SecretLocation, SecretStore};
use super::settings::SettingsError;

pub use super::format::BrokenProfile;

const HEADER: &str = "Chroma Connect profiles. Secrets (tokens, passwords) are never kept here: they are in the OS \
keychain,\nor in secrets.toml (readable only by you) where no keychain is available.\nHand edits are fine: an \
entry that cannot be read is kept as it is and reported by name.";

/// Something the user should be told about the store, though it still works.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreNotice {
    /// The profile file could not be read; it was renamed and the store started empty.
    CorruptFileKept {
        /// Where the unreadable file is now.
        kept_as: PathBuf,
        /// Why it could not be read (position and message, never its text).
        reason: String,
    },
}

impl fmt::Display for StoreNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CorruptFileKept { kept_as, reason } => write!(
                f,
                "the profile file could not be read ({reason}); it was kept as {} and a new one was started",
                kept_as.display()
            ),
        }
    }
}

/// A profile store operation that failed. Names the profile or the file; never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file was written by a newer Chroma Connect.
    #[error(
        "the profile file was written by a newer Chroma Connect (schema_version {found}; this one understands \
         {supported}); it is left untouched: update Chroma Connect, or set CHROMA_CONNECT_HOME to use another \
         folder: {}", path.display()
    )]
    FutureVersion {
        /// The version in the file.
        found: i64,
        /// The version this build understands.
        supported: i64,
        /// The file.
        path: PathBuf,
    },
    /// A file operation failed.
    #[error("cannot {action} the profile file: {detail}: {}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// What went wrong.
        detail: String,
        /// The file.
        path: PathBuf,
    },
    /// No profile has this name.
    #[error("there is no profile named {name}{}", known_text(known))]
    NotFound {
        /// The name asked for.
        name: String,
        /// The names there are.
        known: Vec<String>,
    },
    /// The name is taken (names are unique ignoring case).
    #[error("a profile named {existing} already exists")]
    NameTaken {
        /// The name that was asked for.
        name: String,
        /// The existing profile's name.
        existing: String,
    },
    /// A setting is invalid.
    #[error("profile {name}: {source}")]
    Invalid {
        /// The profile.
        name: String,
        /// The setting at fault.
        source: SettingsError,
    },
    /// Another instance changed the profile since it was read.
    #[error(
        "profile {name} was changed by another Chroma Connect since it was read; reload it and make the change again"
    )]
    Conflict {
        /// The profile.
        name: String,
    },
    /// Profiles to import have the names of existing ones, and no conflict policy was chosen.
    #[error(
        "{} already exist{}: {}; nothing was imported: choose to rename or replace {}",
        if names.len() == 1 { "a profile with this name" } else { "profiles with these names" },
        if names.len() == 1 { "s" } else { "" },
        names.join(", "),
        if names.len() == 1 { "it" } else { "them" }
    )]
    ImportConflicts {
        /// The conflicting names.
        names: Vec<String>,
    },
    /// The secret could not be saved, moved or deleted.
    #[error(transparent)]
    Secret(#[from] SecretError),
}

fn known_text(known: &[String]) -> String {
    if known.is_empty() {
        " (there are no profiles yet)".to_owned()
    } else {
        format!(" (profiles: {})", known.join(", "))
    }
}

/// Choices for [`ProfileStore::update`].
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdateOptions<'a> {
    /// The profile as the caller last read it: the update is refused with [`StoreError::Conflict`] when the
    /// file holds something else (another instance changed it). `None` applies the change to whatever is there.
    pub expected: Option<&'a Profile>,
    /// A new secret (token or password) to save for the profile.
    pub new_secret: Option<&'a Secret>,
}

/// What [`ProfileStore::update`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated {
    /// The profile before.
    pub before: Profile,
    /// The profile after.
    pub after: Profile,
    /// Where the secret went, when one was saved or moved.
    pub secret: Option<SecretLocation>,
    /// Clean-up that failed (an old secret that could not be deleted); the update itself succeeded.
    pub warnings: Vec<String>,
}

/// What [`ProfileStore::remove`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// The removed profile.
    pub profile: Profile,
    /// Whether a saved secret was deleted with it, or why it could not be.
    pub secret_deleted: Result<bool, SecretError>,
}

/// How an import treats a profile whose name exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConflictPolicy {
    /// Import nothing and list the conflicts.
    #[default]
    Refuse,
    /// Import under a free name: `NAME (2)`, `NAME (3)`, …
    Rename,
    /// Replace the existing profile.
    Replace,
}

/// What happened to one imported profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Its name in the import.
    pub name: String,
    /// The name it was saved under.
    pub saved_as: String,
    /// True when it replaced an existing profile.
    pub replaced: bool,
    /// Where its secret was saved, when the import carried one.
    pub secret: Option<SecretLocation>,
    /// True when it needs a secret that is not saved yet (exports carry none).
    pub needs_secret: bool,
}

/// The profiles of one app home, as last read from (or written to) `profiles.toml`.
#[derive(Debug)]
pub struct ProfileStore {
    paths: AppPaths,
    doc: ProfilesDoc,
    /// SHA-256 of the file as last read or written; `None` when there was no file.
    seen: Option<[u8; 32]>,
    notices: Vec<StoreNotice>,
}

impl ProfileStore {
    /// Reads the store of `paths`. A missing file is an empty store; an unreadable one is kept aside (see
    /// [`notices`](Self::notices)); only a file from a newer version, or an I/O error, fails.
    pub fn open(paths: &AppPaths) -> Result<Self, StoreError> {
        let mut store = Self { paths: paths.clone(), doc: ProfilesDoc::default(), seen: None, notices: Vec::new() };
        store.reload()?;
        Ok(store)
    }

    /// The profile file.
    #[must_use]
    pub fn path(&self) -> PathBuf {
        self.paths.profiles_file()
    }

    /// The folders of this store.
    #[must_use]
    pub fn paths(&self) -> &AppPaths {
        &self.paths
    }

    /// The profiles, sorted by name.
    #[must_use]
    pub fn profiles(&self) -> &[Profile] {
        &self.doc.profiles
    }

    /// The entries that could not be read (kept in the file as they are).
    #[must_use]
    pub fn broken(&self) -> &[BrokenProfile] {
        &self.doc.broken
    }

    /// The profile named `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.doc.get(name)
    }

    /// The profile named `name`, or an error listing the names there are.
    pub fn require(&self, name: &str) -> Result<&Profile, StoreError> {
        self.get(name).ok_or_else(|| not_found(&self.doc, name))
    }

    /// What the user should be told (e.g. an unreadable file that was kept aside). Drained by the caller.
    pub fn take_notices(&mut self) -> Vec<StoreNotice> {
        std::mem::take(&mut self.notices)
    }

    /// True when the file differs from what this store last read or wrote (another instance, or a hand edit).
    #[must_use]
    pub fn changed_on_disk(&self) -> bool {
        read_bytes(&self.path()).map_or(true, |bytes| bytes.as_deref().map(digest) != self.seen)
    }

    /// Reads the file again. Returns true when the profiles changed.
    pub fn reload(&mut self) -> Result<bool, StoreError> {
        let path = self.path();
        let (doc, seen) = match read_doc(&path)? {
            Read::Missing => (ProfilesDoc::default(), None),
            Read::Doc(doc, seen) => (doc, Some(seen)),
            Read::Corrupt(_) => {
                // Keep it aside under the lock, after checking that no other instance replaced it meanwhile.
                let _lock = self.lock()?;
                self.load_locked()?
            }
        };
        let changed = doc != self.doc;
        self.doc = doc;
        self.seen = seen;
        Ok(changed)
    }

    /// Adds `profile`; saves `secret` for it when given (a leftover secret of an earlier profile of that name is
    /// deleted otherwise). Fails when the name is taken (ignoring case).
    pub fn add(
        &mut self,
        profile: Profile,
        secret: Option<&Secret>,
        secrets: &SecretStore,
    ) -> Result<Option<SecretLocation>, StoreError> {
        validate(&profile)?;
        self.transact(|doc| {
            if let Some(existing) = doc.name_taken(&profile.name) {
                return Err(StoreError::NameTaken { name: profile.name.clone(), existing: existing.to_owned() });
            }
            let location = store_secret(&profile, secret, secrets)?;
            doc.profiles.push(profile);
            Ok(location)
        })
    }

    /// Changes the profile named `name` with `change`, applied to the profile as it is on disk now. A new name
    /// moves the saved secret; credentials without a saved secret any more delete it.
    pub fn update(
        &mut self,
        name: &str,
        secrets: &SecretStore,
        options: UpdateOptions<'_>,
        change: impl FnOnce(&mut Profile) -> Result<(), SettingsError>,
    ) -> Result<Updated, StoreError> {
        let (before, after, secret) = self.transact(|doc| {
            let Some(index) = doc.profiles.iter().position(|p| p.name == name) else {
                return Err(match options.expected {
                    Some(_) => StoreError::Conflict { name: name.to_owned() },
                    None => not_found(doc, name),
                });
            };
            let before = doc.profiles.get(index).cloned().ok_or_else(|| not_found(doc, name))?;
            if options.expected.is_some_and(|expected| *expected != before) {
                return Err(StoreError::Conflict { name: name.to_owned() });
            }
            let mut after = before.clone();
            change(&mut after).map_err(|source| StoreError::Invalid { name: name.to_owned(), source })?;
            validate(&after)?;
            let renamed = after.name != before.name;
            if renamed
                && let Some(existing) = doc.name_taken(&after.name)
                && existing != before.name
            {
                return Err(StoreError::NameTaken { name: after.name.clone(), existing: existing.to_owned() });
            }
            let secret = match options.new_secret {
                Some(_) => store_secret(&after, options.new_secret, secrets)?,
                // Copy the secret to the new name before the file names it; the old copy goes after.
                None if renamed && before.has_stored_secret() && after.has_stored_secret() => {
                    match secrets.get(&before.name)? {
                        Some(found) => Some(secrets.set(&after.name, &found.secret)?),
                        None => None,
                    }
                }
                None => None,
            };
            if let Some(slot) = doc.profiles.get_mut(index) {
                *slot = after.clone();
            }
            Ok((before, after, secret))
        })?;
        let mut warnings = Vec::new();
        let old_secret_unused = before.has_stored_secret() && (after.name != before.name || !after.has_stored_secret());
        if old_secret_unused && let Err(err) = secrets.delete(&before.name) {
            tracing::warn!("the old secret of profile {} was not deleted: {err}", before.name);
            warnings.push(format!("the old secret of profile {} could not be deleted: {err}", before.name));
        }
        Ok(Updated { before, after, secret, warnings })
    }

    /// Removes the profile named `name`, then its saved secret.
    pub fn remove(&mut self, name: &str, secrets: &SecretStore) -> Result<Removed, StoreError> {
        let profile = self.transact(|doc| {
            let index = doc.profiles.iter().position(|p| p.name == name).ok_or_else(|| not_found(doc, name))?;
            Ok(doc.profiles.remove(index))
        })?;
        let secret_deleted = if profile.has_stored_secret() { secrets.delete(&profile.name) } else { Ok(false) };
        Ok(Removed { profile, secret_deleted })
    }

    /// Removes an entry that could not be read (see [`broken`](Self::broken)).
    pub fn remove_broken(&mut self, name: &str) -> Result<BrokenProfile, StoreError> {
        self.transact(|doc| {
            let index = doc.broken.iter().position(|b| b.name == name).ok_or_else(|| not_found(doc, name))?;
            Ok(doc.broken.remove(index))
        })
    }

    /// Imports `profiles` (each with the secret it carries, if any), treating existing names as `policy` says.
    /// All or nothing: an invalid profile or (with [`ConflictPolicy::Refuse`]) a conflict imports none.
    pub fn import(
        &mut self,
        profiles: Vec<(Profile, Option<Secret>)>,
        policy: ConflictPolicy,
        secrets: &SecretStore,
    ) -> Result<Vec<Imported>, StoreError> {
        for (profile, _) in &profiles {
            validate(profile)?;
        }
        let mut deferred_deletes = Vec::new();
        let imported = self.transact(|doc| {
            let conflicts: Vec<String> = profiles
                .iter()
                .filter(|(p, _)| doc.name_taken(&p.name).is_some())
                .map(|(p, _)| p.name.clone())
                .collect();
            if policy == ConflictPolicy::Refuse && !conflicts.is_empty() {
                return Err(StoreError::ImportConflicts { names: conflicts });
            }
            let mut imported = Vec::new();
            for (mut profile, secret) in profiles {
                let name = profile.name.clone();
                let existing = doc.name_taken(&name).map(str::to_owned);
                let (location, replaced, kept_old_secret) = match (existing, policy) {
                    (Some(_), ConflictPolicy::Rename) => {
                        profile.name = free_name(doc, &name);
                        (store_secret(&profile, secret.as_ref(), secrets)?, false, false)
                    }
                    (Some(existing), _) => {
                        let old = doc.get(&existing).cloned();
                        doc.profiles.retain(|p| p.name != existing);
                        doc.broken.retain(|b| b.name != existing);
                        // The old secret serves the new profile only for the same server and kind of
                        // credentials: it must never be sent to another server.
                        let keep = secret.is_none()
                            && existing == profile.name
                            && old.as_ref().is_some_and(|old| same_server_and_auth(old, &profile));
                        if keep {
                            (None, true, true)
                        } else {
                            if old.as_ref().is_some_and(Profile::has_stored_secret) && existing != profile.name {
                                deferred_deletes.push(existing);
                            }
                            (store_secret(&profile, secret.as_ref(), secrets)?, true, false)
                        }
                    }
                    (None, _) => (store_secret(&profile, secret.as_ref(), secrets)?, false, false),
                };
                let needs_secret = profile.has_stored_secret() && location.is_none() && !kept_old_secret;
                imported.push(Imported {
                    name,
                    saved_as: profile.name.clone(),
                    replaced,
                    secret: location,
                    needs_secret,
                });
                doc.profiles.push(profile);
            }
            Ok(imported)
        })?;
        for name in deferred_deletes {
            if let Err(err) = secrets.delete(&name) {
                tracing::warn!("the old secret of profile {name} was not deleted: {err}");
            }
        }
        Ok(imported)
    }

    /// Takes the store's lock, reads the latest file, lets `change` modify it and writes it back atomically.
    fn transact<T>(&mut self, change: impl FnOnce(&mut ProfilesDoc) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let _lock = self.lock()?;
        let (latest, seen) = self.load_locked()?;
        let mut doc = latest.clone();
        let out = match change(&mut doc) {
            Ok(out) => out,
            Err(err) => {
                // Refused, but what is on disk now is what the caller should see next.
                self.doc = latest;
                self.seen = seen;
                return Err(err);
            }
        };
        doc.sort();
        let path = self.path();
        let text = write_doc(&doc, HEADER).map_err(|err| io_error("write", &path, &err.to_string()))?;
        remove_stale_temps(&path);
        write_atomic(&path, text.as_bytes()).map_err(|err| io_error("write", &path, &err.to_string()))?;
        self.doc = doc;
        self.seen = Some(digest(text.as_bytes()));
        Ok(out)
    }

    /// Reads the file holding the lock; an unreadable file is kept aside here. A file with the bytes last seen
    /// is not parsed again.
    fn load_locked(&mut self) -> Result<(ProfilesDoc, Option<[u8; 32]>), StoreError> {
        let path = self.path();
        if let Some(seen) = self.seen
            && read_bytes(&path).is_ok_and(|bytes| bytes.as_deref().map(digest) == Some(seen))
        {
            return Ok((self.doc.clone(), Some(seen)));
        }
        match read_doc(&path)? {
            Read::Missing => Ok((ProfilesDoc::default(), None)),
            Read::Doc(doc, seen) => Ok((doc, Some(seen))),
            Read::Corrupt(reason) => {
                let kept_as = keep_aside(&path).map_err(|err| io_error("keep aside", &path, &err.to_string()))?;
                tracing::warn!("unreadable profile file kept as {}: {reason}", kept_as.display());
                self.notices.push(StoreNotice::CorruptFileKept { kept_as, reason });
                Ok((ProfilesDoc::default(), None))
            }
        }
    }

    fn lock(&self) -> Result<FileLock, StoreError> {
        let path = self.paths.profiles_lock();
        FileLock::acquire(&path).map_err(|err| io_error("lock", &path, &err.to_string()))
    }
}

enum Read {
    Missing,
    Doc(ProfilesDoc, [u8; 32]),
    Corrupt(String),
}

fn read_doc(path: &Path) -> Result<Read, StoreError> {
    let Some(bytes) = read_bytes(path).map_err(|err| io_error("read", path, &err.to_string()))? else {
        return Ok(Read::Missing);
    };
    let seen = digest(&bytes);
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(Read::Corrupt("it is not UTF-8 text".to_owned()));
    };
    match parse_doc(text) {
        Ok(doc) => Ok(Read::Doc(doc, seen)),
        Err(FormatError::FutureVersion { found }) => {
            Err(StoreError::FutureVersion { found, supported: super::format::SCHEMA_VERSION, path: path.to_path_buf() })
        }
        Err(err) => Ok(Read::Corrupt(err.to_string())),
    }
}

fn read_bytes(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn io_error(action: &'static str, path: &Path, detail: &str) -> StoreError {
    StoreError::Io { action, detail: detail.to_owned(), path: path.to_path_buf() }
}

fn not_found(doc: &ProfilesDoc, name: &str) -> StoreError {
    StoreError::NotFound { name: name.to_owned(), known: doc.profiles.iter().map(|p| p.name.clone()).collect() }
}

fn validate(profile: &Profile) -> Result<(), StoreError> {
    profile.validate().map_err(|source| StoreError::Invalid { name: profile.name.clone(), source })
}

/// Saves `secret` for `profile`; without one, deletes a leftover secret of that name so that it is never sent
/// to the server of a new profile that happens to reuse the name.
fn store_secret(
    profile: &Profile,
    secret: Option<&Secret>,
    secrets: &SecretStore,
) -> Result<Option<SecretLocation>, StoreError> {
    match secret {
        Some(secret) if profile.connection.auth != ProfileAuth::None => Ok(Some(secrets.set(&profile.name, secret)?)),
        _ => {
            if profile.has_stored_secret() {
                secrets.delete(&profile.name)?;
            }
            Ok(None)
        }
    }
}

fn same_server_and_auth(a: &Profile, b: &Profile) -> bool {
    let kind = |p: &Profile| std::mem::discriminant(&p.connection.auth);
    a.connection.endpoint == b.connection.endpoint
        && kind(a) == kind(b)
        && a.has_stored_secret()
        && b.has_stored_secret()
}

/// `NAME (2)`, `NAME (3)`, … — the first that is free.
fn free_name(doc: &ProfilesDoc, name: &str) -> String {
    let taken = doc.profiles.len() + doc.broken.len();
    // Among taken + 1 candidates at least one is free.
    (2..=taken + 2)
        .map(|n| format!("{name} ({n})"))
        .find(|candidate| doc.name_taken(candidate).is_none())
        .unwrap_or_else(|| format!("{name} ({})", taken + 2))
}
