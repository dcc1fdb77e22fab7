//! A saved connection: a name, the connection settings, and where its secret comes from — never the secret.

use std::path::Path;

use super::secret::Secret;
use super::settings::{Auth, Connection, ConnectionSettings, SettingsError, TokenHeader, validate_basic_user};
use super::url_input::Endpoint;

/// Longest profile name accepted.
pub const MAX_NAME_LEN: usize = 100;

/// Where a profile's secret (token or basic-auth password) comes from when the profile is used.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SecretSource {
    /// Saved under the profile's name in the OS keychain, or in the fallback file when there is no keychain.
    #[default]
    Stored,
    /// Read from this environment variable each time the profile is used (for scripts and CI).
    Env(String),
}

/// The credentials of a profile, without their secret.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProfileAuth {
    /// No credentials.
    #[default]
    None,
    /// A token in the chosen header.
    Token {
        /// The header that carries it.
        header: TokenHeader,
        /// Where the token comes from.
        source: SecretSource,
    },
    /// HTTP basic authentication.
    Basic {
        /// User name.
        user: String,
        /// Where the password comes from.
        source: SecretSource,
    },
}

impl ProfileAuth {
    /// Where the secret comes from, if these credentials have one.
    #[must_use]
    pub fn source(&self) -> Option<&SecretSource> {
        match self {
            Self::None => None,
            Self::Token { source, .. } | Self::Basic { source, .. } => Some(source),
        }
    }

    /// `token` or `password`: what the secret is called; `None` without credentials.
    #[must_use]
    pub fn secret_noun(&self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Token { .. } => Some("token"),
            Self::Basic { .. } => Some("password"),
        }
    }

    /// A short description without the secret, e.g. `token (X-Chroma-Token)`.
    #[must_use]
    pub fn describe(&self) -> String {
        self.with_secret(Secret::default()).describe()
    }

    /// These credentials with their secret.
    #[must_use]
    pub fn with_secret(&self, secret: Secret) -> Auth {
        match self {
            Self::None => Auth::None,
            Self::Token { header, .. } => Auth::Token { token: secret, header: *header },
            Self::Basic { user, .. } => Auth::Basic { user: user.clone(), password: secret },
        }
    }
}

impl super::settings::Credentials for ProfileAuth {
    fn is_none(&self) -> bool {
        *self == Self::None
    }

    fn describe(&self) -> String {
        Self::describe(self)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        match self {
            Self::None => Ok(()),
            Self::Token { source, .. } => validate_source("token_env", source),
            Self::Basic { user, source } => {
                validate_basic_user(user)?;
                validate_source("password_env", source)
            }
        }
    }
}

fn validate_source(field: &'static str, source: &SecretSource) -> Result<(), SettingsError> {
    match source {
        SecretSource::Stored => Ok(()),
        SecretSource::Env(var) => validate_env_name(field, var),
    }
}

/// A saved connection to one Chroma server: a name, the [`Connection`] settings without the secret, and what only
/// a profile has. Profiles are keyed by [`name`](Self::name); the secret is kept apart (see
/// [`super::SecretStore`]) and joined only by [`Profile::to_settings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The name the user chose; unique in the store (ignoring case).
    pub name: String,
    /// The connection settings; credentials say where the secret comes from, never hold it. Paths are absolute
    /// (see [`Profile::validate`]).
    pub connection: Connection<ProfileAuth>,
    /// Free text for the user.
    pub notes: String,
    /// The app must not change data on this server through this profile (the GUI offers no writes).
    pub read_only: bool,
}

impl Profile {
    /// A profile for `endpoint` with every other setting at its default.
    #[must_use]
    pub fn new(name: impl Into<String>, endpoint: Endpoint) -> Self {
        Self { name: name.into(), connection: Connection::new(endpoint), notes: String::new(), read_only: false }
    }

    /// A profile holding `settings`, and the secret they carry (to be saved apart).
    #[must_use]
    pub fn from_settings(name: impl Into<String>, settings: &ConnectionSettings) -> (Self, Option<Secret>) {
        let (auth, secret) = match &settings.auth {
            Auth::None => (ProfileAuth::None, None),
            Auth::Token { token, header } => {
                (ProfileAuth::Token { header: *header, source: SecretSource::Stored }, Some(token.clone()))
            }
            Auth::Basic { user, password } => {
                (ProfileAuth::Basic { user: user.clone(), source: SecretSource::Stored }, Some(password.clone()))
            }
        };
        let profile =
            Self { name: name.into(), connection: settings.with_auth(auth), notes: String::new(), read_only: false };
        (profile, secret)
    }

    /// The connection settings of this profile with `secret` (the token or password; empty when the profile has
    /// no credentials). Does not validate them: see [`ConnectionSettings::validate`].
    #[must_use]
    pub fn to_settings(&self, secret: Secret) -> ConnectionSettings {
        self.connection.with_auth(self.connection.auth.with_secret(secret))
    }

    /// Checks every field as [`Connection::validate`] does, plus the name and what a profile file needs: absolute
    /// UTF-8 paths for the CA file, client certificate and key (a relative path would depend on the folder the
    /// profile is used from). The error names the field.
    pub fn validate(&self) -> Result<(), SettingsError> {
        validate_name(&self.name)?;
        self.connection.validate()?;
        let connection = &self.connection;
        for (field, path) in [("ca_file", connection.ca_file()), ("client_cert", connection.client_cert.as_deref())]
            .into_iter()
            .chain([("client_key", connection.client_key.as_deref())])
        {
            if let Some(path) = path
                && path.to_str().is_none()
            {
                return Err(SettingsError::new(field, format!("is not valid UTF-8: {}", path.display())));
            }
            // A saved relative path would be read from wherever the profile is used: a `ca.pem` lying in that
            // folder would decide what is trusted.
            if let Some(path) = path
                && !path.is_absolute()
            {
                return Err(SettingsError::new(
                    field,
                    format!(
                        "is a relative path ({}); a profile keeps absolute paths only, so that the file it names does \
                         not depend on the folder it is used from",
                        path.display()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The CA file, when verification uses one.
    #[must_use]
    pub fn ca_file(&self) -> Option<&Path> {
        self.connection.ca_file()
    }

    /// True when the profile's secret is saved in the keychain or the fallback file (not read from a variable).
    #[must_use]
    pub fn has_stored_secret(&self) -> bool {
        self.connection.auth.source() == Some(&SecretSource::Stored)
    }

    /// The URL as shown to users.
    #[must_use]
    pub fn display_url(&self) -> String {
        self.connection.display_url()
    }
}

/// Checks a profile name: not empty, no surrounding spaces, no control characters, at most
/// [`MAX_NAME_LEN`] characters.
pub fn validate_name(name: &str) -> Result<(), SettingsError> {
    if name.trim().is_empty() {
        return Err(SettingsError::new("name", "is empty"));
    }
    if name.trim() != name {
        return Err(SettingsError::new("name", format!("`{name}` starts or ends with spaces")));
    }
    if name.chars().any(char::is_control) {
        return Err(SettingsError::new("name", "contains a control character (a newline or tab?)"));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(SettingsError::new("name", format!("is longer than {MAX_NAME_LEN} characters")));
    }
    Ok(())
}

/// Checks an environment-variable name: letters, digits and `_`, not starting with a digit.
pub fn validate_env_name(field: &'static str, var: &str) -> Result<(), SettingsError> {
    let mut chars = var.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(SettingsError::new(
            field,
            format!("`{var}` is not an environment-variable name (letters, digits and _, e.g. CHROMA_TOKEN)"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use crate::profile::Verify;
    use crate::profile::parse_endpoint;
    use crate::tls::CaMode;

    fn profile() -> Profile {
        Profile::new("staging", parse_endpoint("url", "https://chroma.example.com:8443").expect("url"))
    }

    #[test]
    fn settings_round_trip_through_a_profile() {
        let mut settings = ConnectionSettings::from_url("https://h:8443/p").expect("url");
        settings.verify = Verify::CaFile("/etc/chroma/ca.pem".into());
        settings.ca_mode = CaMode::Merge;
        settings.client_cert = Some("/etc/chroma/c.pem".into());
        settings.client_key = Some("/etc/chroma/k.pem".into());
        settings.server_name = Some("chroma.internal".into());
        settings.auth = Auth::Token { token: Secret::new("tok-1"), header: TokenHeader::XChromaToken };
        settings.tenant = "t".into();
        settings.database = "d".into();
        settings.connect_timeout = Duration::from_secs(3);
        settings.request_timeout = Duration::from_millis(4500);
        let (profile, secret) = Profile::from_settings("p", &settings);
        assert_eq!(secret, Some(Secret::new("tok-1")));
        assert!(!format!("{profile:?}").contains("tok-1"));
        assert_eq!(profile.to_settings(Secret::new("tok-1")), settings);
        assert!(profile.validate().is_ok());
    }

    #[test]
    fn paths_must_be_absolute() {
        let mut p = profile();
        p.connection.verify = Verify::CaFile("ca.pem".into());
        assert_eq!(p.validate().expect_err("relative").field, "ca_file");
        p.connection.verify = Verify::CaFile("/etc/ssl/ca.pem".into());
        assert!(p.validate().is_ok());
        p.connection.client_cert = Some("certs/c.pem".into());
        p.connection.client_key = Some("/k.pem".into());
        assert_eq!(p.validate().expect_err("relative").field, "client_cert");
        p.connection.client_cert = Some("/c.pem".into());
        p.connection.client_key = Some("./k.pem".into());
        let err = p.validate().expect_err("relative");
        assert_eq!(err.field, "client_key");
        assert!(err.to_string().contains("relative path (./k.pem)"), "{err}");
    }

    #[test]
    fn names_and_variables_are_checked() {
        for bad in ["", " x", "x ", "a\nb", &"n".repeat(MAX_NAME_LEN + 1)] {
            let mut p = profile();
            p.name = bad.to_owned();
            assert_eq!(p.validate().expect_err(bad).field, "name");
        }
        for good in ["local", "Customer A (on-prem) — prod", "ünïcode"] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        let mut p = profile();
        p.connection.auth = ProfileAuth::Token { header: TokenHeader::Bearer, source: SecretSource::Env("1X".into()) };
        assert_eq!(p.validate().expect_err("env").field, "token_env");
        p.connection.auth = ProfileAuth::Basic { user: "u".into(), source: SecretSource::Env("A B".into()) };
        assert_eq!(p.validate().expect_err("env").field, "password_env");
        p.connection.auth = ProfileAuth::Basic { user: "u".into(), source: SecretSource::Env("CHROMA_PW".into()) };
        assert!(p.validate().is_ok());
    }
}
