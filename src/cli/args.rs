//! Command-line arguments (clap) and their conversion into connection settings.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::profile::{Auth, ConnectionSettings, Endpoint, ProfileAuth, Secret, SettingsError, TokenHeader, Verify};
use crate::tls::CaMode;

/// Connect to Chroma servers with exactly the TLS trust you choose, and learn precisely why a connection fails.
#[derive(Debug, Parser)]
#[command(
    name = "chroma-connect",
    version,
    after_help = "With no arguments, chroma-connect opens the desktop app (the same as `chroma-connect gui`)."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop app (what `chroma-connect` with no arguments does). Exit status 2 when no window can open
    /// (no display): the other subcommands do the same work headless.
    Gui(GuiArgs),
    /// Check a connection step by step (dns, tcp, tls, http, api, auth, tenant, collections) and name the cause
    /// of any failure. Exit status: 0 ok, 1 problem found, 2 usage or configuration error.
    Check(CheckArgs),
    /// Saved connections: list, show, add, edit, remove, export, import. Secrets go to the OS keychain.
    Profiles(super::profiles::ProfilesArgs),
    /// List the collections of a database with their record counts, dimension, distance space and metadata.
    /// Exit status: 0 ok, 1 server or connection problem, 2 usage or configuration error.
    Collections(super::collections::CollectionsArgs),
    /// Show a page of a collection's records (filters: --where, --where-document, --ids), with --similar-to ID the
    /// records nearest to one record, or with --all export every matching record as JSON Lines or CSV (--output).
    /// Exit status: 0 ok, 1 server or connection problem, 2 usage error, 130 interrupted.
    Records(super::records::RecordsArgs),
    /// Explain an error message from another client (Python, Node.js, Java, Go, curl, OpenSSL, rustls, a Chroma
    /// error body), given as TEXT or on standard input: the diagnosis code, the setting to change and the fix in
    /// that client's terms. Exit status: 0 recognised, 1 not recognised, 2 no text.
    Explain(super::explain::ExplainArgs),
}

/// `gui` arguments.
#[derive(Debug, Args)]
pub struct GuiArgs {
    /// Select this saved profile.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Run the selected profile's connection check at once (the doctor page shows its diagnosis); without
    /// --profile, the profile selected when the app last closed.
    #[arg(long)]
    pub check: bool,
}

/// `check` arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Connection and trust settings.
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// How to reach the server: URL, trust, client certificate, credentials, tenant and database.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Server URL, e.g. `https://chroma.example.com:8443` (default port 443 for https, 80 for http), or host:port
    /// for plain HTTP. With --profile, replaces the profile's URL.
    #[arg(required_unless_present = "profile")]
    pub url: Option<String>,
    /// Use the saved profile NAME (see `profiles list`); flags given as well override its settings.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Trust only the CA certificate(s) in this file (PEM, PEM bundle or DER) instead of the system store.
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
    /// Require the server certificate to have this SHA-256 fingerprint (as a pinned profile does): another
    /// certificate fails with `tls.pin_mismatch`.
    #[arg(long, value_name = "SHA256", help_heading = "Trust")]
    pub pin: Option<String>,
    /// Client certificate (PEM) for servers that require mutual TLS.
    #[arg(long, value_name = "PATH", requires = "client_key", help_heading = "Client certificate")]
    pub client_cert: Option<PathBuf>,
    /// Private key (PEM, unencrypted) of the client certificate.
    #[arg(long, value_name = "PATH", requires = "client_cert", help_heading = "Client certificate")]
    pub client_key: Option<PathBuf>,

    /// Read the token from this environment variable (keeps it out of shell history and `ps`).
    #[arg(long, value_name = "VAR", conflicts_with_all = ["token", "basic_user"], help_heading = "Authentication")]
    pub token_env: Option<String>,
    /// The token itself. Prefer --token-env: a token on the command line is visible to other local users.
    #[arg(long, value_name = "TOKEN", conflicts_with = "basic_user", help_heading = "Authentication")]
    pub token: Option<String>,
    /// Header that carries the token (default: bearer, or the profile's).
    #[arg(long, value_enum, help_heading = "Authentication")]
    pub auth_header: Option<AuthHeaderArg>,
    /// User for HTTP basic authentication (the password comes from --password-env).
    #[arg(long, value_name = "USER", requires = "password_env", help_heading = "Authentication")]
    pub basic_user: Option<String>,
    /// Environment variable holding the basic-auth password.
    #[arg(long, value_name = "VAR", requires = "basic_user", help_heading = "Authentication")]
    pub password_env: Option<String>,

    /// Chroma tenant (default: `default_tenant`, or the profile's).
    #[arg(long, help_heading = "Chroma")]
    pub tenant: Option<String>,
    /// Chroma database (default: `default_database`, or the profile's).
    #[arg(long, help_heading = "Chroma")]
    pub database: Option<String>,
    /// Seconds to wait for each request (default: 30, or the profile's; the TCP connection and TLS handshake
    /// wait at most 10 s, or less when this is shorter).
    #[arg(long, value_name = "SECS", help_heading = "Chroma")]
    pub timeout: Option<f64>,
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

impl ConnectionArgs {
    /// The connection settings these arguments describe: the saved profile named by `--profile` (with its
    /// secret), if any, with every flag given explicitly applied on top; otherwise the URL and the flags.
    /// Environment variables named by `--token-env` and `--password-env` are read here; errors name the flag.
    pub fn to_settings(&self) -> Result<ConnectionSettings, SettingsError> {
        self.resolve().map(|resolved| resolved.settings)
    }

    /// [`to_settings`](Self::to_settings), and the notes the user should see: `--profile NAME URL` with a URL of
    /// another server than the profile's (another scheme, host or port) leaves the profile's saved token or
    /// password out (it is never read) unless credentials are given again.
    pub fn resolve(&self) -> Result<Resolved, SettingsError> {
        let mut notes = Vec::new();
        let mut settings = match (&self.profile, &self.url) {
            (Some(name), url) => {
                let (profile, paths) = super::profiles::open_profile(name)?;
                let endpoint = url.as_deref().map(|url| crate::profile::parse_endpoint("url", url)).transpose()?;
                let elsewhere = endpoint.as_ref().is_some_and(|endpoint| !same_server(endpoint, &profile.endpoint));
                let mut settings = if elsewhere && profile.auth != ProfileAuth::None {
                    let given_again = self.token.is_some() || self.token_env.is_some() || self.basic_user.is_some();
                    if !given_again {
                        let noun = profile.auth.secret_noun().unwrap_or("secret");
                        notes.push(format!(
                            "the {noun} of profile {name} is not sent: the URL given is another server than the \
                             profile's ({}); give credentials again to send some (--token-env VAR, or --basic-user \
                             with --password-env)",
                            profile.display_url()
                        ));
                    }
                    let mut settings = profile.to_settings(Secret::default());
                    settings.auth = Auth::None;
                    settings
                } else {
                    super::profiles::settings_for_profile(&profile, &paths)?
                };
                if let Some(endpoint) = endpoint {
                    settings.endpoint = endpoint;
                }
                settings
            }
            (None, Some(url)) => ConnectionSettings::from_url(url)?,
            (None, None) => return Err(SettingsError::new("url", "is missing: give a URL or --profile NAME")),
        };
        if let Some(path) = &self.ca_file {
            settings.verify = Verify::CaFile(path.clone());
        }
        if self.insecure {
            settings.verify = Verify::Off;
        }
        if let Some(mode) = self.ca_mode {
            if !matches!(settings.verify, Verify::CaFile(_)) {
                return Err(SettingsError::new("ca_mode", "applies only with a CA file (--ca-file)"));
            }
            settings.ca_mode = match mode {
                CaModeArg::Only => CaMode::Only,
                CaModeArg::Merge => CaMode::Merge,
            };
        }
        if let Some(name) = &self.server_name {
            settings.server_name = Some(name.clone());
        }
        if let Some(pin) = &self.pin {
            settings.pinned_sha256 = Some(crate::profile::normalize_sha256_fingerprint("pin", pin)?);
        }
        if let (Some(cert), Some(key)) = (&self.client_cert, &self.client_key) {
            settings.client_cert = Some(cert.clone());
            settings.client_key = Some(key.clone());
        }
        let header_flag = self.auth_header.map(|header| match header {
            AuthHeaderArg::Bearer => TokenHeader::Bearer,
            AuthHeaderArg::XChromaToken => TokenHeader::XChromaToken,
        });
        let header = match (&settings.auth, header_flag) {
            (_, Some(header)) => header,
            (Auth::Token { header, .. }, None) => *header,
            _ => TokenHeader::Bearer,
        };
        match (&self.token_env, &self.token, &self.basic_user, &self.password_env) {
            (Some(var), _, _, _) => {
                settings.auth = Auth::Token { token: Secret::new(read_env("token_env", var)?), header };
            }
            (None, Some(token), _, _) => settings.auth = Auth::Token { token: Secret::new(token.clone()), header },
            (None, None, Some(user), Some(var)) => {
                settings.auth =
                    Auth::Basic { user: user.clone(), password: Secret::new(read_env("password_env", var)?) };
            }
            _ => {
                if let Auth::Token { header: profile_header, .. } = &mut settings.auth {
                    *profile_header = header;
                }
            }
        }
        if let Some(tenant) = &self.tenant {
            settings.tenant.clone_from(tenant);
        }
        if let Some(database) = &self.database {
            settings.database.clone_from(database);
        }
        if let Some(timeout) = self.timeout {
            if !timeout.is_finite() || timeout <= 0.0 || timeout > 86_400.0 {
                return Err(SettingsError::new("timeout", "must be a number of seconds between 0 and 86400"));
            }
            settings.request_timeout = Duration::from_secs_f64(timeout);
            settings.connect_timeout = settings.request_timeout.min(settings.connect_timeout);
        }
        settings.validate()?;
        Ok(Resolved { settings, notes })
    }

    /// What the settings are for, as shown when they cannot be read: the URL (without the password it may hold),
    /// or `profile NAME`.
    #[must_use]
    pub fn target_label(&self) -> String {
        match (&self.url, &self.profile) {
            (Some(url), _) => crate::profile::redact_url(url),
            (None, Some(name)) => format!("profile {name}"),
            (None, None) => String::new(),
        }
    }
}

/// Connection settings read from the command line, and what the user should be told about them.
#[derive(Debug)]
pub struct Resolved {
    /// The settings.
    pub settings: ConnectionSettings,
    /// Things the user should know (printed as warnings), e.g. a profile's secret left out.
    pub notes: Vec<String>,
}

/// True when two endpoints are the same server: same scheme, host (ignoring case) and port.
fn same_server(a: &Endpoint, b: &Endpoint) -> bool {
    a.scheme == b.scheme && a.host.eq_ignore_ascii_case(&b.host) && a.port == b.port
}

fn read_env(field: &'static str, var: &str) -> Result<String, SettingsError> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Ok(value),
        Ok(_) => Err(SettingsError::new(field, format!("names ${var}, which is empty"))),
        Err(std::env::VarError::NotPresent) => {
            Err(SettingsError::new(field, format!("names ${var}, which is not set")))
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(SettingsError::new(field, format!("names ${var}, which is not valid UTF-8")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<ConnectionSettings, String> {
        let mut all = vec!["chroma-connect", "check"];
        all.extend_from_slice(args);
        let cli = Cli::try_parse_from(all).map_err(|e| e.to_string())?;
        let Command::Check(check) = cli.command else { return Err("not check".to_owned()) };
        check.connection.to_settings().map_err(|e| e.to_string())
    }

    #[test]
    fn flags_become_settings() {
        let s = parse(&[
            "https://localhost:8443",
            "--ca-file",
            "ca.pem",
            "--ca-mode",
            "merge",
            "--server-name",
            "chroma.internal",
            "--tenant",
            "t",
            "--database",
            "d",
            "--timeout",
            "2.5",
        ])
        .expect("settings");
        assert_eq!(s.verify, Verify::CaFile("ca.pem".into()));
        assert_eq!(s.ca_mode, CaMode::Merge);
        assert_eq!(s.tls_name(), "chroma.internal");
        assert_eq!((s.tenant.as_str(), s.database.as_str()), ("t", "d"));
        assert_eq!(s.request_timeout, Duration::from_millis(2500));
        assert_eq!(s.connect_timeout, Duration::from_millis(2500));
    }

    #[test]
    fn conflicting_and_incomplete_flags_are_usage_errors() {
        assert!(parse(&["https://h:1", "--ca-file", "a", "--insecure"]).is_err());
        assert!(parse(&["https://h:1", "--client-cert", "c.pem"]).is_err());
        assert!(parse(&["https://h:1", "--basic-user", "u"]).is_err());
        assert!(parse(&["https://h:1", "--ca-mode", "merge"]).is_err());
        let err = parse(&["https://h:1", "--timeout", "0"]).expect_err("timeout");
        assert!(err.starts_with("timeout"), "{err}");
    }

    #[test]
    fn token_from_a_missing_variable_names_the_flag() {
        let err = parse(&["https://h:1", "--token-env", "CHROMA_CONNECT_TEST_SURELY_UNSET_VAR"]).expect_err("unset");
        assert!(err.starts_with("token_env"), "{err}");
    }

    #[test]
    fn token_header_choice() {
        let s = parse(&["https://h:1", "--token", "abc", "--auth-header", "x-chroma-token"]).expect("settings");
        assert_eq!(s.auth, Auth::Token { token: Secret::new("abc"), header: TokenHeader::XChromaToken });
    }
}
