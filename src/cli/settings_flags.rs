//! The settings flags, declared once: `check`, `collections` and `records` take them to connect, `profiles add` and
//! `profiles edit` to save. They become a [`SettingsPatch`], which the core applies and validates the same way for
//! both.

use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::profile::{AuthChange, Secret, SecretInput, SettingsError, SettingsPatch, TokenHeader, Verify};
use crate::tls::CaMode;

/// Trust, client certificate, credentials, tenant, database and timeouts.
#[derive(Debug, Default, Args)]
pub struct SettingsFlags {
    /// Trust only the CA certificate(s) in this file (PEM, PEM bundle or DER) instead of the system store
    /// (verify = the file). A relative path is taken from the folder the command runs in.
    #[arg(long, value_name = "PATH", conflicts_with = "insecure", help_heading = "Trust")]
    pub ca_file: Option<PathBuf>,
    /// With a CA file: `only` trusts just the file (like Python's verify=path; the default); `merge` adds it to the
    /// system store.
    #[arg(long, value_enum, help_heading = "Trust")]
    pub ca_mode: Option<CaModeArg>,
    /// Do not verify the server's certificate at all (verify = false). The connection is encrypted but the server
    /// is not authenticated.
    #[arg(long, help_heading = "Trust")]
    pub insecure: bool,
    /// Verify the certificate for (and send SNI as) this name while connecting to the URL's address.
    #[arg(long, value_name = "NAME", help_heading = "Trust")]
    pub server_name: Option<String>,
    /// Require the server certificate to have this SHA-256 fingerprint (trust on first use): another certificate
    /// fails with `tls.pin_mismatch`.
    #[arg(long, value_name = "SHA256", help_heading = "Trust")]
    pub pin: Option<String>,
    /// Client certificate (PEM) for servers that require mutual TLS.
    #[arg(long, value_name = "PATH", help_heading = "Client certificate")]
    pub client_cert: Option<PathBuf>,
    /// Private key (PEM, unencrypted) of the client certificate.
    #[arg(long, value_name = "PATH", help_heading = "Client certificate")]
    pub client_key: Option<PathBuf>,
    /// Read the token from this environment variable (keeps it out of shell history and `ps`); a profile reads it
    /// each time it is used and saves nothing.
    #[arg(
        long,
        value_name = "VAR",
        conflicts_with_all = ["token_stdin", "token", "basic_user", "password_env", "password_stdin"],
        help_heading = "Authentication"
    )]
    pub token_env: Option<String>,
    /// Read the token from standard input (a hidden prompt on a terminal); a profile saves it in the keychain.
    #[arg(
        long,
        conflicts_with_all = ["token", "basic_user", "password_env", "password_stdin"],
        help_heading = "Authentication"
    )]
    pub token_stdin: bool,
    /// The token itself. Prefer --token-env or --token-stdin: a token on the command line is visible to other
    /// local users and stays in the shell's history.
    #[arg(
        long,
        value_name = "TOKEN",
        conflicts_with_all = ["basic_user", "password_env", "password_stdin"],
        help_heading = "Authentication"
    )]
    pub token: Option<String>,
    /// Header that carries the token (default: bearer, or the profile's).
    #[arg(long, value_enum, help_heading = "Authentication")]
    pub auth_header: Option<AuthHeaderArg>,
    /// User for HTTP basic authentication (the password from --password-env or --password-stdin).
    #[arg(long, value_name = "USER", help_heading = "Authentication")]
    pub basic_user: Option<String>,
    /// Environment variable holding the basic-auth password.
    #[arg(long, value_name = "VAR", conflicts_with = "password_stdin", help_heading = "Authentication")]
    pub password_env: Option<String>,
    /// Read the basic-auth password from standard input (a hidden prompt on a terminal); a profile saves it in the
    /// keychain.
    #[arg(long, help_heading = "Authentication")]
    pub password_stdin: bool,
    /// Chroma tenant (default: `default_tenant`, or the profile's).
    #[arg(long, help_heading = "Chroma")]
    pub tenant: Option<String>,
    /// Chroma database (default: `default_database`, or the profile's).
    #[arg(long, help_heading = "Chroma")]
    pub database: Option<String>,
    /// Seconds to wait for each request (default: 30, or the profile's). The connect timeout is lowered to it
    /// when it is longer.
    #[arg(long, value_name = "SECS", help_heading = "Chroma")]
    pub timeout: Option<f64>,
    /// Seconds to wait for the TCP connection and the TLS handshake (default: 10, or the profile's).
    #[arg(long, value_name = "SECS", help_heading = "Chroma")]
    pub connect_timeout: Option<f64>,
}

/// `--ca-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CaModeArg {
    /// Trust only the CA file.
    Only,
    /// Trust the CA file and the system store.
    Merge,
}

/// `--auth-header`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthHeaderArg {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `X-Chroma-Token: <token>`.
    XChromaToken,
}

impl SettingsFlags {
    /// The change these flags make. Paths become absolute, the pin is normalised, timeouts are checked, and a
    /// secret asked for with `--token-stdin` or `--password-stdin` is read now (`whose` ends the prompt, e.g.
    /// `profile staging`). Errors name the setting.
    pub fn to_patch(&self, whose: &str) -> Result<SettingsPatch, SettingsError> {
        let Self {
            ca_file,
            ca_mode,
            insecure,
            server_name,
            pin,
            client_cert,
            client_key,
            token_env: _,
            token_stdin: _,
            token: _,
            auth_header: _,
            basic_user: _,
            password_env: _,
            password_stdin: _,
            tenant,
            database,
            timeout,
            connect_timeout,
        } = self;
        let verify = match (ca_file, insecure) {
            (Some(path), _) => Some(Verify::CaFile(absolute("ca_file", path)?)),
            (None, true) => Some(Verify::Off),
            (None, false) => None,
        };
        Ok(SettingsPatch {
            endpoint: None,
            verify,
            ca_mode: ca_mode.map(|mode| match mode {
                CaModeArg::Only => CaMode::Only,
                CaModeArg::Merge => CaMode::Merge,
            }),
            server_name: server_name.clone().map(Some),
            pinned_sha256: pin
                .as_deref()
                .map(|pin| crate::profile::normalize_sha256_fingerprint("pin", pin).map(Some))
                .transpose()?,
            client_cert: client_cert.as_deref().map(|path| absolute("client_cert", path).map(Some)).transpose()?,
            client_key: client_key.as_deref().map(|path| absolute("client_key", path).map(Some)).transpose()?,
            auth: self.auth_change(whose)?,
            tenant: tenant.clone(),
            database: database.clone(),
            request_timeout: timeout.map(|secs| crate::profile::seconds("timeout", secs)).transpose()?,
            connect_timeout: connect_timeout
                .map(|secs| crate::profile::seconds("connect_timeout", secs))
                .transpose()?,
        })
    }

    fn auth_change(&self, whose: &str) -> Result<Option<AuthChange>, SettingsError> {
        let header = self.auth_header.map(|header| match header {
            AuthHeaderArg::Bearer => TokenHeader::Bearer,
            AuthHeaderArg::XChromaToken => TokenHeader::XChromaToken,
        });
        let password = match (&self.password_env, self.password_stdin) {
            (Some(var), _) => Some(SecretInput::Env(var.clone())),
            (None, true) => Some(SecretInput::Value(read_secret("password", &format!("Password for {whose}"))?)),
            (None, false) => None,
        };
        let change = if let Some(var) = &self.token_env {
            AuthChange::Token { header, secret: SecretInput::Env(var.clone()) }
        } else if let Some(token) = &self.token {
            AuthChange::Token { header, secret: SecretInput::Value(secret_value("token", token.clone(), false)?) }
        } else if self.token_stdin {
            AuthChange::Token {
                header,
                secret: SecretInput::Value(read_secret("token", &format!("Token for {whose}"))?),
            }
        } else if self.basic_user.is_some() || password.is_some() {
            AuthChange::Basic { user: self.basic_user.clone(), password }
        } else if let Some(header) = header {
            AuthChange::Header(header)
        } else {
            return Ok(None);
        };
        Ok(Some(change))
    }
}

/// `path` made absolute against the folder the command runs in: the file a setting names never depends on where it
/// is used from (a saved relative path would trust whatever `ca.pem` lies there).
fn absolute(field: &'static str, path: &Path) -> Result<PathBuf, SettingsError> {
    if path.as_os_str().is_empty() {
        return Err(SettingsError::new(field, "is an empty path"));
    }
    std::path::absolute(path).map_err(|err| {
        SettingsError::new(field, format!("cannot be made an absolute path ({err}): {}", path.display()))
    })
}

/// Reads a secret: a hidden prompt on a terminal, else one line of standard input.
fn read_secret(field: &'static str, prompt: &str) -> Result<Secret, SettingsError> {
    let unreadable =
        |err: std::io::Error| SettingsError::new(field, format!("cannot be read from standard input: {err}"));
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{prompt} (input hidden): ")).map_err(unreadable)?
    } else {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(unreadable)?;
        text
    };
    let line = text.strip_suffix('\n').unwrap_or(&text);
    secret_value(field, line.strip_suffix('\r').unwrap_or(line).to_owned(), true)
}

fn secret_value(field: &'static str, value: String, from_stdin: bool) -> Result<Secret, SettingsError> {
    if value.is_empty() {
        let why = if from_stdin { " (nothing was read from standard input)" } else { "" };
        return Err(SettingsError::new(field, format!("is empty{why}")));
    }
    if value.contains('\n') {
        return Err(SettingsError::new(field, "spans several lines; give it on one line"));
    }
    Ok(Secret::new(value))
}
