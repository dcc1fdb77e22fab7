//! The arguments of `profiles` and its subcommands (clap).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::cli::args::{AuthHeaderArg, CaModeArg};

/// `profiles` arguments.
#[derive(Debug, Args)]
pub struct ProfilesArgs {
    /// What to do with the saved profiles.
    #[command(subcommand)]
    pub command: ProfilesCommand,
}

/// The `profiles` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// List the saved profiles.
    List(ListArgs),
    /// Show one profile, and where its secret is kept.
    Show(ShowArgs),
    /// Save a new profile: `profiles add NAME URL [settings]`.
    Add(AddArgs),
    /// Change a profile; give only what changes.
    Edit(EditArgs),
    /// Remove a profile and its saved secret.
    Remove(RemoveArgs),
    /// Export profiles to a TOML file, without their secrets.
    Export(ExportArgs),
    /// Import profiles from an export file, or from the CHROMA_* environment variables (--from-env).
    Import(ImportArgs),
}

/// `profiles list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print one JSON object: `{file, profiles: [...], broken: [...]}`.
    #[arg(long)]
    pub json: bool,
}

/// `profiles show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The profile.
    pub name: String,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `profiles add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// A name for the profile (unique, ignoring case), e.g. staging or "Customer A (on-prem)".
    pub name: String,
    /// Server URL, e.g. `https://chroma.example.com:8443` (default port 443 for https, 80 for http), or
    /// host:port for plain HTTP.
    pub url: String,
    /// The settings.
    #[command(flatten)]
    pub settings: SettingsFlags,
}

/// `profiles edit`.
#[derive(Debug, Args)]
#[expect(clippy::struct_excessive_bools, reason = "command-line switches")]
pub struct EditArgs {
    /// The profile.
    pub name: String,
    /// New server URL.
    #[arg(long, conflicts_with_all = ["host", "port"], help_heading = "Server")]
    pub url: Option<String>,
    /// New host (keeps the scheme and port); may be a whole URL, which is split.
    #[arg(long, value_name = "HOST", help_heading = "Server")]
    pub host: Option<String>,
    /// New port.
    #[arg(long, value_name = "PORT", help_heading = "Server")]
    pub port: Option<u16>,
    /// Rename the profile (its saved secret moves with it).
    #[arg(long, value_name = "NEW_NAME", help_heading = "Profile")]
    pub rename: Option<String>,
    /// Verify with the system trust store again (verify = true), instead of a CA file or no verification.
    #[arg(long, conflicts_with_all = ["ca_file", "insecure"], help_heading = "Trust")]
    pub verify_system: bool,
    /// Remove the server-name override.
    #[arg(long, conflicts_with = "server_name", help_heading = "Trust")]
    pub no_server_name: bool,
    /// Remove the pinned certificate fingerprint.
    #[arg(long, conflicts_with_all = ["pin", "pin_current"], help_heading = "Trust")]
    pub unpin: bool,
    /// Remove the client certificate and key.
    #[arg(long, conflicts_with_all = ["client_cert", "client_key"], help_heading = "Client certificate")]
    pub no_client_cert: bool,
    /// Send no credentials any more (a saved secret is deleted).
    #[arg(
        long,
        conflicts_with_all = ["token_env", "token_stdin", "token", "basic_user", "password_env", "password_stdin"],
        help_heading = "Authentication"
    )]
    pub no_auth: bool,
    /// Clear the read-only mark.
    #[arg(long, conflicts_with = "read_only", help_heading = "Profile")]
    pub no_read_only: bool,
    /// The settings to change.
    #[command(flatten)]
    pub settings: SettingsFlags,
}

/// `profiles remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The profile.
    pub name: String,
}

/// `profiles export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The file to write (`-` for standard output).
    pub file: PathBuf,
    /// The profiles to export (all when none is given).
    pub names: Vec<String>,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `profiles import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// An export file (or a copy of profiles.toml); `-` for standard input.
    #[arg(required_unless_present = "from_env", conflicts_with = "from_env")]
    pub file: Option<PathBuf>,
    /// Make one profile from `CHROMA_HOST` (a URL, host or host:port), `CHROMA_PORT`, `CHROMA_SSL`,
    /// `CHROMA_API_KEY` (saved in the keychain, sent as X-Chroma-Token), `CHROMA_TENANT` and `CHROMA_DATABASE`.
    #[arg(long)]
    pub from_env: bool,
    /// With --from-env: the profile's name (default: the server's host).
    #[arg(long, value_name = "NAME", requires = "from_env")]
    pub name: Option<String>,
    /// What to do with a profile whose name exists: `rename` imports it as "NAME (2)", `replace` overwrites the
    /// existing one. Without this option nothing is imported when a name exists.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub on_conflict: Option<OnConflict>,
}

/// `--on-conflict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnConflict {
    /// Import under a free name, "NAME (2)".
    Rename,
    /// Replace the existing profile.
    Replace,
}

/// The settings flags of `add` and `edit`.
#[derive(Debug, Args)]
#[expect(clippy::struct_excessive_bools, reason = "command-line switches")]
pub struct SettingsFlags {
    /// Trust only the CA certificate(s) in this file (PEM, PEM bundle or DER) instead of the system store. A
    /// relative path is taken from the folder the command runs in and saved as an absolute path.
    #[arg(long, value_name = "PATH", conflicts_with = "insecure", help_heading = "Trust")]
    pub ca_file: Option<PathBuf>,
    /// With a CA file: `only` trusts just the file (like Python's verify=path); `merge` adds it to the system
    /// store.
    #[arg(long, value_enum, help_heading = "Trust")]
    pub ca_mode: Option<CaModeArg>,
    /// Do not verify the server's certificate at all (verify = false).
    #[arg(long, help_heading = "Trust")]
    pub insecure: bool,
    /// Verify the certificate for (and send SNI as) this name while connecting to the URL's address.
    #[arg(long, value_name = "NAME", help_heading = "Trust")]
    pub server_name: Option<String>,
    /// Pin the server certificate's SHA-256 fingerprint (trust on first use): a different certificate fails the
    /// check with `tls.pin_mismatch`.
    #[arg(long, value_name = "SHA256", help_heading = "Trust")]
    pub pin: Option<String>,
    /// Connect now and pin the certificate the server presents.
    #[arg(long, conflicts_with = "pin", help_heading = "Trust")]
    pub pin_current: bool,
    /// Client certificate (PEM) for servers that require mutual TLS.
    #[arg(long, value_name = "PATH", help_heading = "Client certificate")]
    pub client_cert: Option<PathBuf>,
    /// Private key (PEM, unencrypted) of the client certificate.
    #[arg(long, value_name = "PATH", help_heading = "Client certificate")]
    pub client_key: Option<PathBuf>,
    /// Read the token from this environment variable whenever the profile is used (nothing is saved).
    #[arg(
        long,
        value_name = "VAR",
        conflicts_with_all = ["token_stdin", "token", "basic_user", "password_env", "password_stdin"],
        help_heading = "Authentication"
    )]
    pub token_env: Option<String>,
    /// Read the token from standard input (a hidden prompt on a terminal) and save it in the keychain.
    #[arg(
        long,
        conflicts_with_all = ["token", "basic_user", "password_env", "password_stdin"],
        help_heading = "Authentication"
    )]
    pub token_stdin: bool,
    /// The token itself, saved in the keychain. Prefer --token-stdin: a token on the command line is visible to
    /// other local users and stays in the shell's history.
    #[arg(
        long,
        value_name = "TOKEN",
        conflicts_with_all = ["basic_user", "password_env", "password_stdin"],
        help_heading = "Authentication"
    )]
    pub token: Option<String>,
    /// Header that carries the token (default: bearer).
    #[arg(long, value_enum, help_heading = "Authentication")]
    pub auth_header: Option<AuthHeaderArg>,
    /// User for HTTP basic authentication.
    #[arg(long, value_name = "USER", help_heading = "Authentication")]
    pub basic_user: Option<String>,
    /// Read the basic-auth password from this environment variable whenever the profile is used.
    #[arg(long, value_name = "VAR", conflicts_with = "password_stdin", help_heading = "Authentication")]
    pub password_env: Option<String>,
    /// Read the basic-auth password from standard input (a hidden prompt on a terminal) and save it in the
    /// keychain.
    #[arg(long, help_heading = "Authentication")]
    pub password_stdin: bool,
    /// Chroma tenant (default: `default_tenant`).
    #[arg(long, help_heading = "Chroma")]
    pub tenant: Option<String>,
    /// Chroma database (default: `default_database`).
    #[arg(long, help_heading = "Chroma")]
    pub database: Option<String>,
    /// Seconds to wait for each request (default: 30).
    #[arg(long, value_name = "SECS", help_heading = "Chroma")]
    pub timeout: Option<f64>,
    /// Seconds to wait for the TCP connection and the TLS handshake (default: 10).
    #[arg(long, value_name = "SECS", help_heading = "Chroma")]
    pub connect_timeout: Option<f64>,
    /// Free text kept with the profile.
    #[arg(long, value_name = "TEXT", help_heading = "Profile")]
    pub notes: Option<String>,
    /// Mark the profile read-only: the app will not change data on this server through it.
    #[arg(long, help_heading = "Profile")]
    pub read_only: bool,
}
