//! The arguments of `profiles` and its subcommands (clap).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::cli::settings_flags::SettingsFlags;

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
    /// List the certificates of the saved profiles — each server's (one handshake, no credentials sent), the CA
    /// file's and the client certificate — with the days they have left, soonest first. Exit status 1 when one
    /// expires within --days (default 30) or cannot be read: for cron.
    Expiry(super::expiry::ExpiryArgs),
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
    /// What only a profile has.
    #[command(flatten)]
    pub profile: ProfileFlags,
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
    /// What only a profile has.
    #[command(flatten)]
    pub profile: ProfileFlags,
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

/// What only a saved profile has, for `add` and `edit`.
#[derive(Debug, Args)]
pub struct ProfileFlags {
    /// Connect now and pin the certificate the server presents.
    #[arg(long, conflicts_with = "pin", help_heading = "Trust")]
    pub pin_current: bool,
    /// Free text kept with the profile.
    #[arg(long, value_name = "TEXT", help_heading = "Profile")]
    pub notes: Option<String>,
    /// Mark the profile read-only: the app will not change data on this server through it.
    #[arg(long, help_heading = "Profile")]
    pub read_only: bool,
}
