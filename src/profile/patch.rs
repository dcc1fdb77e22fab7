//! Changes to connection settings: the one place where command-line flags (of `check`, `collections`, `records`,
//! `profiles add` and `profiles edit`) become settings, with the rules that tie settings together.
//!
//! A [`SettingsPatch`] lists what changes; [`SettingsPatch::apply`] applies it to a [`Connection`], whether it
//! holds a secret ([`ConnectionSettings`](super::ConnectionSettings), for a one-off check) or only where the secret
//! comes from (a saved [`Profile`](super::Profile)), and validates the result once.

use std::path::PathBuf;
use std::time::Duration;

use crate::tls::CaMode;

use super::model::{ProfileAuth, SecretSource};
use super::secret::Secret;
use super::settings::{Auth, Connection, Credentials, SettingsError, TokenHeader, Verify};
use super::url_input::Endpoint;

/// Where a new secret comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretInput {
    /// An environment variable (its name, without `$`): read each time the settings are used.
    Env(String),
    /// The secret itself (typed, or read from standard input): a profile saves it in the keychain.
    Value(Secret),
}

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Env(var) => f.debug_tuple("Env").field(var).finish(),
            Self::Value(_) => f.write_str("Value(***)"),
        }
    }
}

/// A change of credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthChange {
    /// Send no credentials any more.
    None,
    /// Send a token. `header: None` keeps the header of the current token (`Authorization: Bearer` for a new one).
    Token {
        /// The header that carries it.
        header: Option<TokenHeader>,
        /// The token.
        secret: SecretInput,
    },
    /// Basic authentication. `user: None` keeps the current user, `password: None` the current password; either
    /// needs basic credentials to be there already.
    Basic {
        /// The user.
        user: Option<String>,
        /// The password.
        password: Option<SecretInput>,
    },
    /// Only the header of the current token.
    Header(TokenHeader),
}

/// What changes in a [`Connection`]; `None` leaves a setting as it is, `Some(None)` removes an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsPatch {
    /// The server.
    pub endpoint: Option<Endpoint>,
    /// Verification: the system store, off, or a CA file.
    pub verify: Option<Verify>,
    /// With a CA file: only it, or it and the system store. Needs a CA file after the patch.
    pub ca_mode: Option<CaMode>,
    /// The server-name override.
    pub server_name: Option<Option<String>>,
    /// The pinned fingerprint, normalised (see [`super::normalize_sha256_fingerprint`]).
    pub pinned_sha256: Option<Option<String>>,
    /// The client certificate.
    pub client_cert: Option<Option<PathBuf>>,
    /// The client certificate's key.
    pub client_key: Option<Option<PathBuf>>,
    /// The credentials.
    pub auth: Option<AuthChange>,
    /// The tenant.
    pub tenant: Option<String>,
    /// The database.
    pub database: Option<String>,
    /// The limit for each request. Without a connect timeout in the same patch, the connect timeout is lowered
    /// to it when it is longer (a handshake cannot wait longer than the request it is part of).
    pub request_timeout: Option<Duration>,
    /// The limit for the TCP connection and the TLS handshake.
    pub connect_timeout: Option<Duration>,
}

/// How credentials take an [`AuthChange`]: a one-off connection reads the secret now, a profile records where it
/// comes from and hands a typed secret back to be saved.
pub trait ApplyAuth: Credentials {
    /// Applies `change`; returns a secret to save in the keychain, if the change brought one.
    fn apply(&mut self, change: &AuthChange) -> Result<Option<Secret>, SettingsError>;
}

impl SettingsPatch {
    /// True when the patch changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// True when the patch brings credentials (a token or a user with a password), not only removes or adjusts
    /// them.
    #[must_use]
    pub fn gives_credentials(&self) -> bool {
        matches!(self.auth, Some(AuthChange::Token { .. } | AuthChange::Basic { password: Some(_), .. }))
    }

    /// Applies the patch to `connection` and validates the result; returns a secret to save, if the patch brought
    /// one for a profile. On error `connection` may be partly changed: apply to a copy to keep the original.
    pub fn apply<A: ApplyAuth>(&self, connection: &mut Connection<A>) -> Result<Option<Secret>, SettingsError> {
        let Self {
            endpoint,
            verify,
            ca_mode,
            server_name,
            pinned_sha256,
            client_cert,
            client_key,
            auth,
            tenant,
            database,
            request_timeout,
            connect_timeout,
        } = self;
        if let Some(endpoint) = endpoint {
            connection.endpoint = endpoint.clone();
        }
        if let Some(verify) = verify {
            connection.verify = verify.clone();
        }
        if let Some(mode) = ca_mode {
            if connection.ca_file().is_none() {
                return Err(SettingsError::new("ca_mode", "applies only with a CA file"));
            }
            connection.ca_mode = *mode;
        }
        if connection.ca_file().is_none() {
            connection.ca_mode = CaMode::Only;
        }
        if let Some(name) = server_name {
            connection.server_name.clone_from(name);
        }
        if let Some(pin) = pinned_sha256 {
            connection.pinned_sha256.clone_from(pin);
        }
        if let Some(cert) = client_cert {
            connection.client_cert.clone_from(cert);
        }
        if let Some(key) = client_key {
            connection.client_key.clone_from(key);
        }
        let secret = match auth {
            Some(change) => connection.auth.apply(change)?,
            None => None,
        };
        if let Some(tenant) = tenant {
            connection.tenant.clone_from(tenant);
        }
        if let Some(database) = database {
            connection.database.clone_from(database);
        }
        if let Some(timeout) = request_timeout {
            connection.request_timeout = *timeout;
            if connect_timeout.is_none() {
                connection.connect_timeout = connection.connect_timeout.min(*timeout);
            }
        }
        if let Some(timeout) = connect_timeout {
            connection.connect_timeout = *timeout;
        }
        connection.validate()?;
        Ok(secret)
    }
}

/// The header a token change ends with: the one given, else the current token's, else Bearer.
fn token_header(given: Option<TokenHeader>, current: Option<TokenHeader>) -> TokenHeader {
    given.or(current).unwrap_or_default()
}

fn env_name(field: &'static str, var: &str) -> Result<String, SettingsError> {
    let var = var.strip_prefix('$').unwrap_or(var);
    super::model::validate_env_name(field, var)?;
    Ok(var.to_owned())
}

/// Reads the secret of `input` now: the variable's value, or the secret given.
fn read_now(field: &'static str, input: &SecretInput) -> Result<Secret, SettingsError> {
    match input {
        SecretInput::Value(secret) => Ok(secret.clone()),
        SecretInput::Env(var) => {
            let var = env_name(field, var)?;
            match std::env::var(&var) {
                Ok(value) if !value.is_empty() => Ok(Secret::new(value)),
                Ok(_) => Err(SettingsError::new(field, format!("names ${var}, which is empty"))),
                Err(std::env::VarError::NotPresent) => {
                    Err(SettingsError::new(field, format!("names ${var}, which is not set")))
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    Err(SettingsError::new(field, format!("names ${var}, which is not valid UTF-8")))
                }
            }
        }
    }
}

fn no_basic() -> SettingsError {
    SettingsError::new("basic_user", "is missing: a password needs a user for basic authentication")
}

fn no_token() -> SettingsError {
    SettingsError::new("auth_header", "needs a token: there is none to send in it")
}

impl ApplyAuth for Auth {
    fn apply(&mut self, change: &AuthChange) -> Result<Option<Secret>, SettingsError> {
        let current_header = match self {
            Self::Token { header, .. } => Some(*header),
            _ => None,
        };
        *self = match (change, &*self) {
            (AuthChange::None, _) => Self::None,
            (AuthChange::Token { header, secret }, _) => {
                Self::Token { token: read_now("token_env", secret)?, header: token_header(*header, current_header) }
            }
            (AuthChange::Basic { user, password: Some(password) }, current) => {
                let user = match (user, current) {
                    (Some(user), _) | (None, Self::Basic { user, .. }) => user.clone(),
                    (None, _) => return Err(no_basic()),
                };
                Self::Basic { user, password: read_now("password_env", password)? }
            }
            (AuthChange::Basic { user, password: None }, Self::Basic { user: current, password }) => {
                Self::Basic { user: user.clone().unwrap_or_else(|| current.clone()), password: password.clone() }
            }
            (AuthChange::Basic { password: None, .. }, _) => {
                return Err(SettingsError::new("password", "is missing: basic authentication needs a password"));
            }
            (AuthChange::Header(header), Self::Token { token, .. }) => {
                Self::Token { token: token.clone(), header: *header }
            }
            (AuthChange::Header(_), _) => return Err(no_token()),
        };
        Ok(None)
    }
}

/// Where a profile's new secret comes from, and the secret to save if it was given.
fn source_of(field: &'static str, input: &SecretInput) -> Result<(SecretSource, Option<Secret>), SettingsError> {
    match input {
        SecretInput::Env(var) => Ok((SecretSource::Env(env_name(field, var)?), None)),
        SecretInput::Value(secret) => Ok((SecretSource::Stored, Some(secret.clone()))),
    }
}

impl ApplyAuth for ProfileAuth {
    fn apply(&mut self, change: &AuthChange) -> Result<Option<Secret>, SettingsError> {
        let current_header = match self {
            Self::Token { header, .. } => Some(*header),
            _ => None,
        };
        let (auth, secret) = match (change, &*self) {
            (AuthChange::None, _) => (Self::None, None),
            (AuthChange::Token { header, secret }, _) => {
                let (source, secret) = source_of("token_env", secret)?;
                (Self::Token { header: token_header(*header, current_header), source }, secret)
            }
            (AuthChange::Basic { user, password: Some(password) }, current) => {
                let user = match (user, current) {
                    (Some(user), _) | (None, Self::Basic { user, .. }) => user.clone(),
                    (None, _) => return Err(no_basic()),
                };
                let (source, secret) = source_of("password_env", password)?;
                (Self::Basic { user, source }, secret)
            }
            (AuthChange::Basic { user, password: None }, Self::Basic { user: current, source }) => {
                (Self::Basic { user: user.clone().unwrap_or_else(|| current.clone()), source: source.clone() }, None)
            }
            (AuthChange::Basic { password: None, .. }, _) => {
                return Err(SettingsError::new(
                    "password",
                    "is missing: basic authentication needs a password (saved in the keychain, or read from an \
                     environment variable)",
                ));
            }
            (AuthChange::Header(header), Self::Token { source, .. }) => {
                (Self::Token { header: *header, source: source.clone() }, None)
            }
            (AuthChange::Header(_), _) => return Err(no_token()),
        };
        *self = auth;
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{ConnectionSettings, Profile, parse_endpoint};

    fn settings() -> ConnectionSettings {
        ConnectionSettings::from_url("https://h:8443").expect("url")
    }

    fn profile() -> Profile {
        Profile::new("p", parse_endpoint("url", "https://h:8443").expect("url"))
    }

    #[test]
    fn a_request_timeout_lowers_the_connect_timeout_for_both_kinds() {
        let patch = SettingsPatch { request_timeout: Some(Duration::from_secs(2)), ..SettingsPatch::default() };
        let mut one_off = settings();
        patch.apply(&mut one_off).expect("apply");
        let mut saved = profile();
        patch.apply(&mut saved.connection).expect("apply");
        for connection in [one_off.connect_timeout, saved.connection.connect_timeout] {
            assert_eq!(connection, Duration::from_secs(2));
        }
        let longer = SettingsPatch { request_timeout: Some(Duration::from_mins(1)), ..SettingsPatch::default() };
        longer.apply(&mut saved.connection).expect("apply");
        assert_eq!(saved.connection.connect_timeout, Duration::from_secs(2), "never raised");
        let both = SettingsPatch {
            request_timeout: Some(Duration::from_secs(1)),
            connect_timeout: Some(Duration::from_secs(5)),
            ..SettingsPatch::default()
        };
        both.apply(&mut saved.connection).expect("apply");
        assert_eq!(saved.connection.connect_timeout, Duration::from_secs(5));
    }

    #[test]
    fn rules_between_settings() {
        let mode = SettingsPatch { ca_mode: Some(CaMode::Merge), ..SettingsPatch::default() };
        assert_eq!(mode.apply(&mut settings()).expect_err("no CA file").field, "ca_mode");
        let mut s = settings();
        SettingsPatch { verify: Some(Verify::CaFile("/ca.pem".into())), ..mode.clone() }.apply(&mut s).expect("ok");
        assert_eq!(s.ca_mode, CaMode::Merge);
        SettingsPatch { verify: Some(Verify::Off), ..SettingsPatch::default() }.apply(&mut s).expect("ok");
        assert_eq!(s.ca_mode, CaMode::Only, "the mode goes with the CA file");
        let cert = SettingsPatch { client_cert: Some(Some("/c.pem".into())), ..SettingsPatch::default() };
        assert_eq!(cert.apply(&mut settings()).expect_err("no key").field, "client_key");
    }

    #[test]
    fn credentials_for_a_profile_are_sources_and_a_secret_to_save() {
        let mut p = profile();
        let token = AuthChange::Token { header: None, secret: SecretInput::Value(Secret::new("tok-patch")) };
        let patch = SettingsPatch { auth: Some(token), ..SettingsPatch::default() };
        assert_eq!(patch.apply(&mut p.connection).expect("apply"), Some(Secret::new("tok-patch")));
        assert_eq!(p.connection.auth, ProfileAuth::Token { header: TokenHeader::Bearer, source: SecretSource::Stored });
        let header =
            SettingsPatch { auth: Some(AuthChange::Header(TokenHeader::XChromaToken)), ..SettingsPatch::default() };
        assert_eq!(header.apply(&mut p.connection).expect("apply"), None);
        let env = AuthChange::Token { header: None, secret: SecretInput::Env("$CHROMA_TOKEN".into()) };
        SettingsPatch { auth: Some(env), ..SettingsPatch::default() }.apply(&mut p.connection).expect("apply");
        assert_eq!(
            p.connection.auth,
            ProfileAuth::Token { header: TokenHeader::XChromaToken, source: SecretSource::Env("CHROMA_TOKEN".into()) },
            "the header stays"
        );
        let bad_env = AuthChange::Token { header: None, secret: SecretInput::Env("1 X".into()) };
        let err = SettingsPatch { auth: Some(bad_env), ..SettingsPatch::default() }
            .apply(&mut p.connection)
            .expect_err("bad name");
        assert_eq!(err.field, "token_env");
    }

    #[test]
    fn credentials_for_a_check_are_read_now() {
        let mut s = settings();
        let env = AuthChange::Token {
            header: Some(TokenHeader::XChromaToken),
            secret: SecretInput::Env("CHROMA_CONNECT_PATCH_SURELY_UNSET".into()),
        };
        let err = SettingsPatch { auth: Some(env), ..SettingsPatch::default() }.apply(&mut s).expect_err("unset");
        assert_eq!(err.field, "token_env");
        assert!(err.to_string().contains("$CHROMA_CONNECT_PATCH_SURELY_UNSET, which is not set"), "{err}");
        let user_only = AuthChange::Basic { user: Some("u".into()), password: None };
        let err = SettingsPatch { auth: Some(user_only), ..SettingsPatch::default() }.apply(&mut s).expect_err("pw");
        assert_eq!(err.field, "password");
        let header = SettingsPatch { auth: Some(AuthChange::Header(TokenHeader::Bearer)), ..SettingsPatch::default() };
        assert_eq!(header.apply(&mut s).expect_err("no token").field, "auth_header");
        assert!(!format!("{:?}", SecretInput::Value(Secret::new("tok-dbg"))).contains("tok-dbg"));
    }
}
