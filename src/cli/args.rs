//! Command-line arguments (clap) and their conversion into connection settings.

use clap::{Args, Parser, Subcommand};

use super::settings_flags::SettingsFlags;
use crate::profile::{Auth, ConnectionSettings, Endpoint, ProfileAuth, Secret, SettingsError};

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
    /// Write a saved profile as another client's code: Python (`chromadb.HttpClient` with
    /// `Settings(chroma_server_ssl_verify=...)`), JavaScript (`ChromaClient`, with `NODE_EXTRA_CA_CERTS` for a
    /// private CA), a curl command for the heartbeat, or an `openssl s_client` command. Secrets are read from
    /// environment variables, never written. Exit status: 0 ok, 2 unknown profile.
    Snippet(super::snippet::SnippetArgs),
    /// Run the check and write a support bundle: one JSON file with the report (steps and timings, diagnosis,
    /// certificates), the chain as PEM, what the CA, certificate and key files hold, the settings without any
    /// secret, the app version and the OS — what to attach to a ticket. Exit status: 0 written (whatever the
    /// check found), 1 cannot write, 2 usage error.
    Bundle(super::bundle::BundleArgs),
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

    /// Trust, client certificate, credentials, tenant, database and timeouts.
    #[command(flatten)]
    pub settings: SettingsFlags,
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
        let whose = self.profile.as_ref().map_or_else(|| "the connection".to_owned(), |name| format!("profile {name}"));
        let patch = self.settings.to_patch(&whose)?;
        let mut settings = match (&self.profile, &self.url) {
            (Some(name), url) => {
                let (profile, paths) = super::profiles::open_profile(name)?;
                let endpoint = url.as_deref().map(|url| crate::profile::parse_endpoint("url", url)).transpose()?;
                let elsewhere =
                    endpoint.as_ref().is_some_and(|endpoint| !same_server(endpoint, &profile.connection.endpoint));
                let mut settings = if patch.gives_credentials() {
                    // Credentials given again replace the profile's: its secret is not read.
                    profile.to_settings(Secret::default())
                } else if elsewhere && profile.connection.auth != ProfileAuth::None {
                    let noun = profile.connection.auth.secret_noun().unwrap_or("secret");
                    notes.push(format!(
                        "the {noun} of profile {name} is not sent: the URL given is another server than the \
                         profile's ({}); give credentials again to send some (--token-env VAR, or --basic-user \
                         with --password-env)",
                        profile.display_url()
                    ));
                    profile.connection.with_auth(Auth::None)
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
        patch.apply(&mut settings)?;
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::profile::{TokenHeader, Verify};
    use crate::tls::CaMode;

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
        assert_eq!(s.verify, Verify::CaFile(std::path::absolute("ca.pem").expect("absolute")), "made absolute");
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
