//! Export of profiles to a TOML file (never with secrets; paths as given), import from such a file, and import
//! from the `CHROMA_*` environment variables that Chroma's clients read.
//!
//! Import conflicts (a name that exists) are handled by [`super::ProfileStore::import`] with a
//! [`super::ConflictPolicy`]: refuse, rename or replace — never a silent overwrite.

use super::Scheme;
use super::format::{FormatError, ProfilesDoc, parse_doc, write_doc};
use super::model::{Profile, ProfileAuth, SecretSource, validate_name};
use super::secret::Secret;
use super::settings::{SettingsError, TokenHeader};
use super::url_input::{Endpoint, endpoint_from_parts, host_has_port};

/// Chroma Cloud's API host, used when `CHROMA_API_KEY` is set without `CHROMA_HOST` (as Chroma's `CloudClient`
/// does).
pub const CHROMA_CLOUD_HOST: &str = "api.trychroma.com";

/// The port Chroma's clients use when none is given (`HttpClient(host=...)`).
pub const CHROMA_CLIENT_DEFAULT_PORT: u16 = 8000;

/// An import file that cannot be used. Nothing is imported then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// Not a profiles file, or from a newer version.
    #[error("the file cannot be read as Chroma Connect profiles: {0}")]
    Format(#[from] FormatError),
    /// Some entries are invalid.
    #[error("{}", broken_text(.0))]
    Broken(Vec<(String, String)>),
    /// The file holds no profile.
    #[error("the file holds no [profiles.NAME] section")]
    Empty,
}

fn broken_text(entries: &[(String, String)]) -> String {
    let list: Vec<String> = entries.iter().map(|(name, error)| format!("{name}: {error}")).collect();
    format!("{} profile(s) in the file cannot be read (nothing was imported): {}", entries.len(), list.join("; "))
}

/// The TOML of an export file holding `profiles`: their settings with paths as given, secret sources
/// (`token_env = "VAR"` is kept; saved secrets are not exported), and a header saying so.
pub fn export_profiles(profiles: &[&Profile]) -> Result<String, FormatError> {
    let doc = ProfilesDoc { profiles: profiles.iter().map(|p| (*p).clone()).collect(), ..ProfilesDoc::default() };
    let header = format!(
        "Chroma Connect profiles, exported {}.\nNo secrets: tokens and passwords stay where they were saved; after \
         importing, save each profile's token or password again.\nImport with Chroma Connect (or: chroma-connect \
         profiles import FILE).",
        crate::tls::now_rfc3339()
    );
    write_doc(&doc, &header)
}

/// The profiles of an export file (or of a copy of `profiles.toml`). All or nothing: one unreadable entry fails.
pub fn parse_import(text: &str) -> Result<Vec<Profile>, ImportError> {
    let doc = parse_doc(text)?;
    if !doc.broken.is_empty() {
        return Err(ImportError::Broken(doc.broken.into_iter().map(|b| (b.name, b.error)).collect()));
    }
    if doc.profiles.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(doc.profiles)
}

/// What an imported profile does that the user should know before using it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRisk {
    /// It turns certificate verification off on an https:// server.
    VerificationOff,
    /// It sends a secret read from this environment variable (whatever it holds where the profile is used).
    SecretFromEnv(String),
}

impl ImportRisk {
    /// The risks of `profile`, most serious first.
    #[must_use]
    pub fn of(profile: &Profile) -> Vec<Self> {
        let mut risks = Vec::new();
        if profile.connection.verify == super::Verify::Off && profile.connection.endpoint.scheme == Scheme::Https {
            risks.push(Self::VerificationOff);
        }
        if let Some(SecretSource::Env(var)) = profile.connection.auth.source() {
            risks.push(Self::SecretFromEnv(var.clone()));
        }
        risks
    }

    /// A sentence about `profile`, e.g. `staging turns certificate verification OFF: anyone on the path can
    /// impersonate https://…`. Names no CLI flag.
    #[must_use]
    pub fn sentence(&self, profile: &Profile) -> String {
        match self {
            Self::VerificationOff => format!(
                "{} turns certificate verification OFF: anyone on the path can impersonate {}",
                profile.name,
                profile.display_url()
            ),
            Self::SecretFromEnv(var) => format!(
                "{} sends the {} read from ${var} to {}: check that this is the variable you mean",
                profile.name,
                profile.connection.auth.secret_noun().unwrap_or("secret"),
                profile.display_url()
            ),
        }
    }
}

/// A profile made from the `CHROMA_*` environment variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvImport {
    /// The profile.
    pub profile: Profile,
    /// The API key, to be saved in the secret store.
    pub secret: Option<Secret>,
    /// The variables that were read.
    pub used: Vec<&'static str>,
    /// Defaults that were chosen, for the user to see.
    pub notes: Vec<String>,
}

/// Makes a profile from the variables Chroma's clients read: `CHROMA_HOST` (a host, `host:port` or a URL),
/// `CHROMA_PORT`, `CHROMA_SSL`, `CHROMA_API_KEY` (sent as `X-Chroma-Token`, as Chroma's clients do),
/// `CHROMA_TENANT`, `CHROMA_DATABASE`. `env` looks a variable up (`|name| std::env::var(name).ok()`). The name is
/// `name`, or the server's host. Errors name the variable.
pub fn profile_from_chroma_env(
    name: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<EnvImport, SettingsError> {
    let get = |var: &'static str, used: &mut Vec<&'static str>| {
        let value = env(var).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        if value.is_some() {
            used.push(var);
        }
        value
    };
    let mut used = Vec::new();
    let host = get("CHROMA_HOST", &mut used);
    let port = get("CHROMA_PORT", &mut used)
        .map(|p| p.parse::<u16>().map_err(|_| SettingsError::new("CHROMA_PORT", format!("`{p}` is not a port number"))))
        .transpose()?;
    let ssl = get("CHROMA_SSL", &mut used).map(|v| parse_bool("CHROMA_SSL", &v)).transpose()?;
    let api_key = get("CHROMA_API_KEY", &mut used);
    let tenant = get("CHROMA_TENANT", &mut used);
    let database = get("CHROMA_DATABASE", &mut used);
    let mut notes = Vec::new();

    let endpoint = match &host {
        None if api_key.is_some() => {
            notes.push(format!("CHROMA_HOST is not set: Chroma Cloud ({CHROMA_CLOUD_HOST}), as Chroma's CloudClient"));
            Endpoint { scheme: Scheme::Https, host: CHROMA_CLOUD_HOST.to_owned(), port: 443, base_path: String::new() }
        }
        None => {
            return Err(SettingsError::new(
                "CHROMA_HOST",
                "is not set (nor CHROMA_API_KEY for Chroma Cloud); set CHROMA_HOST to the server's URL or host",
            ));
        }
        Some(host) if host.contains("://") || port.is_some() || host_has_port(host) => {
            endpoint_from_parts(host, port, ssl).map_err(|err| SettingsError::new(env_field(err.field), err.message))?
        }
        Some(host) if host.ends_with("trychroma.com") && ssl != Some(false) => {
            endpoint_from_parts(host, Some(443), Some(true))
                .map_err(|err| SettingsError::new(env_field(err.field), err.message))?
        }
        Some(host) => {
            notes.push(format!(
                "CHROMA_PORT is not set: port {CHROMA_CLIENT_DEFAULT_PORT}, the default of Chroma's clients"
            ));
            endpoint_from_parts(host, Some(CHROMA_CLIENT_DEFAULT_PORT), ssl)
                .map_err(|err| SettingsError::new(env_field(err.field), err.message))?
        }
    };
    let name = name.map_or_else(|| endpoint.host.clone(), str::to_owned);
    validate_name(&name)?;
    let mut profile = Profile::new(name, endpoint);
    if api_key.is_some() {
        profile.connection.auth =
            ProfileAuth::Token { header: TokenHeader::XChromaToken, source: SecretSource::Stored };
    }
    if let Some(tenant) = tenant {
        profile.connection.tenant = tenant;
    }
    if let Some(database) = database {
        profile.connection.database = database;
    }
    profile.notes = format!("Imported from {}.", used.join(", "));
    profile.validate().map_err(|err| SettingsError::new(env_field(err.field), err.message))?;
    Ok(EnvImport { profile, secret: api_key.map(Secret::new), used, notes })
}

fn parse_bool(field: &'static str, value: &str) -> Result<bool, SettingsError> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(SettingsError::new(field, format!("`{value}` is neither true nor false"))),
    }
}

/// The variable a profile field comes from.
fn env_field(field: &'static str) -> &'static str {
    match field {
        "host" | "url" => "CHROMA_HOST",
        "port" => "CHROMA_PORT",
        "ssl" => "CHROMA_SSL",
        "token" => "CHROMA_API_KEY",
        "tenant" => "CHROMA_TENANT",
        "database" => "CHROMA_DATABASE",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<EnvImport, SettingsError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        profile_from_chroma_env(None, |name| map.get(name).cloned())
    }

    #[test]
    fn chroma_cloud_from_an_api_key() {
        let got =
            from(&[("CHROMA_API_KEY", "ck-123"), ("CHROMA_TENANT", "t-1"), ("CHROMA_DATABASE", "d")]).expect("import");
        assert_eq!(got.profile.display_url(), "https://api.trychroma.com:443");
        assert_eq!(got.profile.name, "api.trychroma.com");
        assert_eq!(
            got.profile.connection.auth,
            ProfileAuth::Token { header: TokenHeader::XChromaToken, source: SecretSource::Stored }
        );
        assert_eq!(got.secret, Some(Secret::new("ck-123")));
        assert_eq!((got.profile.connection.tenant.as_str(), got.profile.connection.database.as_str()), ("t-1", "d"));
        assert_eq!(got.used, ["CHROMA_API_KEY", "CHROMA_TENANT", "CHROMA_DATABASE"]);
        assert!(!format!("{got:?}").contains("ck-123"));
    }

    #[test]
    fn hosts_as_chroma_clients_read_them() {
        let url = |vars: &[(&str, &str)]| from(vars).map(|g| g.profile.display_url()).map_err(|e| e.field);
        assert_eq!(
            url(&[("CHROMA_HOST", "https://chroma.example.com:8443")]),
            Ok("https://chroma.example.com:8443".into())
        );
        assert_eq!(url(&[("CHROMA_HOST", "localhost")]), Ok("http://localhost:8000".into()));
        assert_eq!(url(&[("CHROMA_HOST", "localhost:9000")]), Ok("http://localhost:9000".into()));
        assert_eq!(
            url(&[("CHROMA_HOST", "h"), ("CHROMA_PORT", "443"), ("CHROMA_SSL", "true")]),
            Ok("https://h:443".into())
        );
        assert_eq!(
            url(&[("CHROMA_HOST", "europe-west1.gcp.trychroma.com")]),
            Ok("https://europe-west1.gcp.trychroma.com:443".into())
        );
        assert_eq!(url(&[("CHROMA_HOST", "https://h:1"), ("CHROMA_PORT", "2")]), Err("CHROMA_PORT"));
        assert_eq!(url(&[("CHROMA_HOST", "h"), ("CHROMA_PORT", "x")]), Err("CHROMA_PORT"));
        assert_eq!(url(&[("CHROMA_TENANT", "t")]), Err("CHROMA_HOST"));
        assert_eq!(url(&[("CHROMA_HOST", "h:1"), ("CHROMA_TENANT", "a/b")]), Err("CHROMA_TENANT"));
    }

    #[test]
    fn a_chroma_cloud_host_is_read_as_a_url_host() {
        // Found by fuzzing (url_input): a host ending in trychroma.com was kept as typed, even when it is no host
        // at all, and the profile saved with it did not read back from its own URL.
        let url = |host: &str| from(&[("CHROMA_HOST", host)]).map(|g| g.profile.display_url()).map_err(|e| e.field);
        assert_eq!(url("https:p/a/i.trychroma.com"), Err("CHROMA_HOST"));
        assert_eq!(url("my tenant.trychroma.com"), Err("CHROMA_HOST"));
        assert_eq!(url("API.trychroma.com"), Ok("https://api.trychroma.com:443".into()));
    }

    #[test]
    fn exports_read_back_and_hold_no_secret() {
        let mut profile = Profile::new("p", crate::profile::parse_endpoint("url", "https://h:1").expect("url"));
        profile.connection.auth = ProfileAuth::Token { header: TokenHeader::Bearer, source: SecretSource::Stored };
        let text = export_profiles(&[&profile]).expect("export");
        assert!(text.contains("No secrets"), "{text}");
        assert_eq!(parse_import(&text).expect("import"), vec![profile]);
        assert_eq!(parse_import("schema_version = 1"), Err(ImportError::Empty));
        assert!(matches!(parse_import("[profiles.x]\nurl = 3"), Err(ImportError::Broken(b)) if b[0].0 == "x"));
    }
}
