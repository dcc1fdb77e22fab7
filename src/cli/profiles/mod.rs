//! `chroma-connect profiles`: list, show, add, edit, remove, export and import saved connections, and
//! `--profile NAME` for the commands that connect.
//!
//! Exit codes: 0 done; 1 the store, the keychain or the server failed; 2 usage or configuration errors (unknown
//! profile, name taken, invalid setting, import conflicts, a profile file from a newer version).

mod apply;
mod args;
mod commands;
mod describe;
mod expiry;
mod pin;

use std::io::Write as _;

use serde_json::Value;

use crate::profile::{
    AppPaths, ConnectionSettings, Profile, ProfileAuth, ProfileStore, SecretStore, SettingsError, StoreError,
    settings_with_secret,
};

use super::{EXIT_OK, EXIT_PROBLEM, EXIT_USAGE};

use commands::{add, edit, export, import, list, remove, show};

pub use args::{ProfilesArgs, ProfilesCommand};

/// The saved profile `name` and the folders of the app home, for `--profile NAME`. Errors name the setting
/// `profile`.
pub(crate) fn open_profile(name: &str) -> Result<(Profile, AppPaths), SettingsError> {
    let field_err =
        |err: &dyn std::fmt::Display| SettingsError::new("profile", format!("`{name}` cannot be used: {err}"));
    let paths = AppPaths::from_env().map_err(|err| field_err(&err))?;
    let mut store = ProfileStore::open(&paths).map_err(|err| field_err(&err))?;
    print_notices(&mut store);
    match store.require(name) {
        Ok(profile) => Ok((profile.clone(), paths)),
        Err(StoreError::NotFound { known, .. }) => {
            let known = if known.is_empty() {
                "there are no profiles yet".to_owned()
            } else {
                format!("profiles: {}", known.join(", "))
            };
            Err(SettingsError::new("profile", format!("`{name}` does not exist ({known})")))
        }
        Err(err) => Err(field_err(&err)),
    }
}

/// The connection settings of `profile` with its secret (from its variable, the keychain or the fallback file).
/// Errors name the setting (`token`, `password`, ...) and say how to save a missing secret.
pub(crate) fn settings_for_profile(profile: &Profile, paths: &AppPaths) -> Result<ConnectionSettings, SettingsError> {
    let secrets = SecretStore::open(paths)
        .map_err(|err| SettingsError::new("profile", format!("`{}` cannot be used: {err}", profile.name)))?;
    settings_with_secret(profile, &secrets).map_err(|mut err| {
        // The core says what is wrong; the command line adds how to save the secret again.
        if profile.has_stored_secret() {
            let (noun, flag) = match profile.connection.auth {
                ProfileAuth::Basic { .. } => ("password", "--password-stdin"),
                _ => ("token", "--token-stdin"),
            };
            err.message = format!(
                "{}; save it with: chroma-connect profiles edit {} {flag} (the {noun} is read from standard input)",
                err.message,
                shell_word(&profile.name)
            );
        }
        err
    })
}

/// Runs `profiles`; returns the exit code.
pub(super) async fn run(args: ProfilesArgs) -> u8 {
    let result = match args.command {
        ProfilesCommand::Expiry(args) => return expiry::expiry(args).await,
        ProfilesCommand::List(args) => list(&args),
        ProfilesCommand::Show(args) => show(&args),
        ProfilesCommand::Add(args) => add(args).await,
        ProfilesCommand::Edit(args) => edit(args).await,
        ProfilesCommand::Remove(args) => remove(&args),
        ProfilesCommand::Export(args) => export(&args),
        ProfilesCommand::Import(args) => import(&args),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(failure) => {
            err_line(&format!("error: {}", failure.message));
            failure.code
        }
    }
}

/// A failed command: the exit code and what to tell the user.
pub(super) struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Self { code: EXIT_USAGE, message: message.into() }
    }

    fn problem(message: impl Into<String>) -> Self {
        Self { code: EXIT_PROBLEM, message: message.into() }
    }
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        let code = match err {
            StoreError::Io { .. } | StoreError::Secret(_) => EXIT_PROBLEM,
            _ => EXIT_USAGE,
        };
        Self { code, message: err.to_string() }
    }
}

impl From<SettingsError> for Failure {
    fn from(err: SettingsError) -> Self {
        Self::usage(format!("the setting {err}"))
    }
}

/// The store and the secrets of the app home.
pub(super) struct Home {
    store: ProfileStore,
    secrets: SecretStore,
}

impl Home {
    fn open() -> Result<Self, Failure> {
        let paths = AppPaths::from_env().map_err(|err| Failure::problem(err.to_string()))?;
        let mut store = ProfileStore::open(&paths)?;
        print_notices(&mut store);
        let secrets = SecretStore::open(&paths).map_err(|err| Failure::usage(err.to_string()))?;
        Ok(Self { store, secrets })
    }

    /// The profile named `name`; an entry that cannot be read is named as such, with the reason.
    fn require(&self, name: &str) -> Result<&Profile, Failure> {
        if let Some(broken) = self.store.broken().iter().find(|b| b.name == name) {
            return Err(Failure::usage(format!(
                "profile {} cannot be read: {}; fix it in {} (or remove it with `chroma-connect profiles remove {}`)",
                broken.name,
                broken.error,
                self.store.path().display(),
                shell_word(&broken.name)
            )));
        }
        Ok(self.store.require(name)?)
    }
}

pub(super) fn print_notices(store: &mut ProfileStore) {
    for notice in store.take_notices() {
        err_line(&format!("warning: {notice}"));
    }
}

/// `name` quoted for a POSIX shell when it needs it.
pub(super) fn shell_word(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@:/+=,".contains(c)) {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\'', r"'\''"))
    }
}

pub(super) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|err| format!("{{\"error\":\"{err}\"}}"))
}

/// Writes to stdout; a closed pipe is not an error worth reporting.
pub(super) fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Writes text for a terminal to stdout, without control characters (names and notes may come from an imported
/// file).
pub(super) fn out_text(text: &str) {
    out(&crate::diagnose::sanitize_lines(text));
}

/// Writes a line to stderr, without control characters.
pub(super) fn err_line(text: &str) {
    let _ = writeln!(std::io::stderr(), "{}", crate::diagnose::sanitize_lines(text));
}
