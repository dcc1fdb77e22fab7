//! The TOML form of profiles, shared by the store file (`profiles.toml`) and export files.
//!
//! ```toml
//! schema_version = 1
//!
//! [profiles.staging]
//! url = "https://chroma.staging.example.com:8443"
//! verify = "/etc/ssl/corp-ca.pem"   # true (system store) | false (no verification) | a CA file
//! ca_mode = "only"                  # with a CA file: "only" it, or "merge" it with the system store
//! auth = "token"                    # "none" | "token" | "basic"
//! auth_header = "x-chroma-token"    # "bearer" | "x-chroma-token"
//! tenant = "default_tenant"
//! database = "default_database"
//! ```
//!
//! A profile may give `host` (which may hold a whole URL), `port` and `ssl` instead of `url`; they are written back
//! as `url`. Secrets are never part of this format: `token_env` / `password_env` name a variable to read them
//! from, otherwise they live in the keychain. An entry that cannot be read is kept as it is (and written back
//! unchanged) and reported by name, with the field at fault; unknown top-level keys are kept too.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::tls::CaMode;

use super::model::{Profile, ProfileAuth, SecretSource};
use super::settings::{Connection, DEFAULT_DATABASE, DEFAULT_TENANT, SettingsError, TokenHeader, Verify};
use super::url_input::{endpoint_from_parts, parse_endpoint};

/// The schema version this build reads and writes. Files with a higher one are refused, never overwritten.
pub const SCHEMA_VERSION: i64 = 1;

/// `verify = true | false | "/path/ca.pem"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum VerifyValue {
    /// `true`: the system store; `false`: no verification.
    Bool(bool),
    /// A CA file.
    Path(String),
}

/// `auth = "none" | "token" | "basic"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// No credentials.
    None,
    /// A token.
    Token,
    /// HTTP basic authentication.
    Basic,
}

/// One profile as written in TOML, and as `profiles list --json` shows it. Every field is optional when read;
/// defaults are filled in by [`record_to_profile`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "each field is the profile field of the same name, documented on `Profile`")]
pub struct ProfileRecord {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<VerifyValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_mode: Option<CaMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_header: Option<TokenHeader>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic_user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_env: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout_secs: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A profile entry that could not be read. It is kept as written (and written back unchanged) until the user
/// fixes or removes it.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokenProfile {
    /// The entry's name (its key under `[profiles]`).
    pub name: String,
    /// What is wrong, naming the field.
    pub error: String,
    /// The entry as written.
    pub(crate) raw: toml::Value,
}

/// The content of a profiles file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProfilesDoc {
    /// The profiles that could be read, sorted by name (ignoring case).
    pub profiles: Vec<Profile>,
    /// The entries that could not, sorted by name.
    pub broken: Vec<BrokenProfile>,
    /// Top-level keys this version does not know, kept as they are.
    pub(crate) extra: toml::Table,
}

/// A profiles file that cannot be used as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// Not TOML, or not the expected shape. Never holds the file's text.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Written by a newer version of the app.
    #[error(
        "schema_version {found} is newer than this Chroma Connect understands ({SCHEMA_VERSION}); \
         update Chroma Connect to use this file"
    )]
    FutureVersion {
        /// The version in the file.
        found: i64,
    },
    /// A profile that cannot be written (e.g. a path that is not UTF-8).
    #[error("profile {name}: {message}")]
    Write {
        /// The profile.
        name: String,
        /// What is wrong.
        message: String,
    },
}

impl ProfilesDoc {
    /// The profile named `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The profile or broken entry whose name equals `name` ignoring case, if any.
    #[must_use]
    pub fn name_taken(&self, name: &str) -> Option<&str> {
        self.profiles
            .iter()
            .map(|p| p.name.as_str())
            .chain(self.broken.iter().map(|b| b.name.as_str()))
            .find(|existing| existing.to_lowercase() == name.to_lowercase())
    }

    /// Sorts the profiles and broken entries by name.
    pub(crate) fn sort(&mut self) {
        let key = |name: &str| (name.to_lowercase(), name.to_owned());
        self.profiles.sort_by_cached_key(|p| key(&p.name));
        self.broken.sort_by_cached_key(|b| key(&b.name));
    }
}

/// Reads a profiles file. Entries that cannot be read end up in [`ProfilesDoc::broken`]; only a file that is
/// not TOML, or is from a newer version, is an error.
pub fn parse_doc(text: &str) -> Result<ProfilesDoc, FormatError> {
    let mut table: toml::Table = toml::from_str(text).map_err(|err| syntax_error(text, &err))?;
    let version = match table.remove("schema_version") {
        None => SCHEMA_VERSION,
        Some(toml::Value::Integer(version)) => version,
        Some(_) => return Err(shape_error("schema_version must be a whole number")),
    };
    if version > SCHEMA_VERSION {
        return Err(FormatError::FutureVersion { found: version });
    }
    if version < 1 {
        return Err(shape_error(&format!("schema_version {version} is not a version of this file")));
    }
    let entries = match table.remove("profiles") {
        None => toml::Table::new(),
        Some(toml::Value::Table(entries)) => entries,
        Some(_) => return Err(shape_error("`profiles` must be a table of [profiles.NAME] sections")),
    };
    let mut doc = ProfilesDoc { extra: table, ..ProfilesDoc::default() };
    for (name, raw) in entries {
        match read_entry(&name, &raw) {
            Ok(profile) => doc.profiles.push(profile),
            Err(error) => doc.broken.push(BrokenProfile { name, error, raw }),
        }
    }
    doc.sort();
    Ok(doc)
}

/// Writes a profiles file: `header` (comment lines), the schema version, then one `[profiles.NAME]` section per
/// profile and broken entry.
pub fn write_doc(doc: &ProfilesDoc, header: &str) -> Result<String, FormatError> {
    let mut table = toml::Table::new();
    table.insert("schema_version".to_owned(), toml::Value::Integer(SCHEMA_VERSION));
    for (key, value) in &doc.extra {
        table.insert(key.clone(), value.clone());
    }
    let mut entries = toml::Table::new();
    for broken in &doc.broken {
        entries.insert(broken.name.clone(), broken.raw.clone());
    }
    for profile in &doc.profiles {
        let record = profile_to_record(profile);
        let value = toml::Value::try_from(&record)
            .map_err(|err| FormatError::Write { name: profile.name.clone(), message: err.to_string() })?;
        entries.insert(profile.name.clone(), value);
    }
    table.insert("profiles".to_owned(), toml::Value::Table(entries));
    let body = toml::to_string_pretty(&table)
        .map_err(|err| FormatError::Write { name: String::new(), message: err.to_string() })?;
    let mut out = String::new();
    for line in header.lines() {
        out.push_str(if line.is_empty() { "#" } else { "# " });
        out.push_str(line);
        out.push('\n');
    }
    if !header.is_empty() {
        out.push('\n');
    }
    out.push_str(&body);
    Ok(out)
}

/// A profile's record, as written.
#[must_use]
pub fn profile_to_record(profile: &Profile) -> ProfileRecord {
    let Profile { name: _, connection, notes, read_only } = profile;
    let Connection {
        endpoint: _,
        verify,
        ca_mode,
        client_cert,
        client_key,
        server_name,
        auth,
        tenant,
        database,
        connect_timeout,
        request_timeout,
        pinned_sha256,
    } = connection;
    let path_text = |path: &std::path::Path| path.to_string_lossy().into_owned();
    let (verify, ca_mode) = match verify {
        Verify::System => (VerifyValue::Bool(true), (*ca_mode != CaMode::Only).then_some(*ca_mode)),
        Verify::Off => (VerifyValue::Bool(false), (*ca_mode != CaMode::Only).then_some(*ca_mode)),
        Verify::CaFile(path) => (VerifyValue::Path(path_text(path)), Some(*ca_mode)),
    };
    let mut record = ProfileRecord {
        url: Some(profile.display_url()),
        verify: Some(verify),
        ca_mode,
        client_cert: client_cert.as_deref().map(path_text),
        client_key: client_key.as_deref().map(path_text),
        server_name: server_name.clone(),
        tenant: Some(tenant.clone()),
        database: Some(database.clone()),
        timeout_secs: Some(request_timeout.as_secs_f64()),
        connect_timeout_secs: Some(connect_timeout.as_secs_f64()),
        pinned_sha256: pinned_sha256.clone(),
        notes: (!notes.is_empty()).then(|| notes.clone()),
        read_only: Some(*read_only),
        ..ProfileRecord::default()
    };
    let env = |source: &SecretSource| match source {
        SecretSource::Stored => None,
        SecretSource::Env(var) => Some(var.clone()),
    };
    match auth {
        ProfileAuth::None => record.auth = Some(AuthKind::None),
        ProfileAuth::Token { header, source } => {
            record.auth = Some(AuthKind::Token);
            record.auth_header = Some(*header);
            record.token_env = env(source);
        }
        ProfileAuth::Basic { user, source } => {
            record.auth = Some(AuthKind::Basic);
            record.basic_user = Some(user.clone());
            record.password_env = env(source);
        }
    }
    record
}

/// Reads a record into a profile named `name`; the error names the field at fault.
pub fn record_to_profile(name: &str, record: ProfileRecord) -> Result<Profile, SettingsError> {
    let ProfileRecord {
        url,
        host,
        port,
        ssl,
        verify,
        ca_mode,
        client_cert,
        client_key,
        server_name,
        auth,
        auth_header,
        token_env,
        basic_user,
        password_env,
        tenant,
        database,
        timeout_secs,
        connect_timeout_secs,
        pinned_sha256,
        notes,
        read_only,
    } = record;
    let endpoint = match (url, host) {
        (Some(_), Some(_)) => return Err(SettingsError::new("host", "is given together with url; give one of them")),
        (Some(url), None) => {
            if port.is_some() || ssl.is_some() {
                return Err(SettingsError::new("url", "is given together with port or ssl; put them in the URL"));
            }
            parse_endpoint("url", &url)?
        }
        (None, Some(host)) => endpoint_from_parts(&host, port, ssl)?,
        (None, None) => return Err(SettingsError::new("url", "is missing (or give host, port and ssl)")),
    };
    let mut profile = Profile::new(name, endpoint);
    profile.connection.verify = read_verify(verify)?;
    profile.connection.ca_mode = ca_mode.unwrap_or_default();
    profile.connection.client_cert = client_cert.map(Into::into);
    profile.connection.client_key = client_key.map(Into::into);
    profile.connection.server_name = server_name;
    profile.connection.auth = read_auth(auth, auth_header, token_env, basic_user, password_env)?;
    profile.connection.tenant = tenant.unwrap_or_else(|| DEFAULT_TENANT.to_owned());
    profile.connection.database = database.unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
    if let Some(secs) = timeout_secs {
        profile.connection.request_timeout = seconds("timeout_secs", secs)?;
    }
    if let Some(secs) = connect_timeout_secs {
        profile.connection.connect_timeout = seconds("connect_timeout_secs", secs)?;
    }
    profile.connection.pinned_sha256 =
        pinned_sha256.map(|pin| super::settings::normalize_sha256_fingerprint("pinned_sha256", &pin)).transpose()?;
    profile.notes = notes.unwrap_or_default();
    profile.read_only = read_only.unwrap_or(false);
    profile.validate()?;
    Ok(profile)
}

/// `verify = true | false | "/path/ca.pem"`; a quoted `"true"` or `"false"` is refused rather than read as a path.
fn read_verify(verify: Option<VerifyValue>) -> Result<Verify, SettingsError> {
    Ok(match verify {
        None | Some(VerifyValue::Bool(true)) => Verify::System,
        Some(VerifyValue::Bool(false)) => Verify::Off,
        Some(VerifyValue::Path(path)) if matches!(path.trim().to_ascii_lowercase().as_str(), "true" | "false") => {
            return Err(SettingsError::new(
                "verify",
                format!("is the text \"{path}\"; write verify = {} without quotes", path.trim().to_ascii_lowercase()),
            ));
        }
        Some(VerifyValue::Path(path)) if path.trim().is_empty() => {
            return Err(SettingsError::new("verify", "is an empty path; write true, false or a CA file's path"));
        }
        Some(VerifyValue::Path(path)) => Verify::CaFile(path.into()),
    })
}

/// The credentials of a record: `auth` and the fields that go with its kind (inferred when `auth` is absent).
fn read_auth(
    auth: Option<AuthKind>,
    auth_header: Option<TokenHeader>,
    token_env: Option<String>,
    basic_user: Option<String>,
    password_env: Option<String>,
) -> Result<ProfileAuth, SettingsError> {
    let kind = auth.unwrap_or(match (&token_env, &auth_header, &basic_user, &password_env) {
        (Some(_), _, _, _) | (_, Some(_), _, _) => AuthKind::Token,
        (_, _, Some(_), _) | (_, _, _, Some(_)) => AuthKind::Basic,
        _ => AuthKind::None,
    });
    let source = |var: Option<String>| var.map_or(SecretSource::Stored, SecretSource::Env);
    Ok(match kind {
        AuthKind::None => {
            if let Some(field) = first_given(&[
                ("auth_header", auth_header.is_some()),
                ("token_env", token_env.is_some()),
                ("basic_user", basic_user.is_some()),
                ("password_env", password_env.is_some()),
            ]) {
                return Err(SettingsError::new(field, "is given but auth is \"none\""));
            }
            ProfileAuth::None
        }
        AuthKind::Token => {
            if let Some(field) =
                first_given(&[("basic_user", basic_user.is_some()), ("password_env", password_env.is_some())])
            {
                return Err(SettingsError::new(field, "is given but auth is \"token\""));
            }
            ProfileAuth::Token { header: auth_header.unwrap_or_default(), source: source(token_env) }
        }
        AuthKind::Basic => {
            if let Some(field) =
                first_given(&[("auth_header", auth_header.is_some()), ("token_env", token_env.is_some())])
            {
                return Err(SettingsError::new(field, "is given but auth is \"basic\""));
            }
            let user = basic_user.ok_or_else(|| SettingsError::new("basic_user", "is missing (auth is \"basic\")"))?;
            ProfileAuth::Basic { user, source: source(password_env) }
        }
    })
}

/// A number of seconds as a duration: more than zero, at most a day.
pub fn seconds(field: &'static str, secs: f64) -> Result<Duration, SettingsError> {
    if !secs.is_finite() || secs <= 0.0 || secs > 86_400.0 {
        return Err(SettingsError::new(field, "must be a number of seconds between 0 and 86400"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn first_given(fields: &[(&'static str, bool)]) -> Option<&'static str> {
    fields.iter().find(|(_, given)| *given).map(|(field, _)| *field)
}

fn read_entry(name: &str, raw: &toml::Value) -> Result<Profile, String> {
    let record = ProfileRecord::deserialize(raw.clone()).map_err(|err| err.message().to_owned())?;
    record_to_profile(name, record).map_err(|err| err.to_string())
}

fn shape_error(message: &str) -> FormatError {
    FormatError::Syntax { line: 1, column: 1, message: message.to_owned() }
}

/// A parse error with its position but without the text around it (a hand-edited file might hold a secret).
fn syntax_error(text: &str, err: &toml::de::Error) -> FormatError {
    let offset = err.span().map_or(0, |span| span.start).min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    FormatError::Syntax { line, column, message: err.message().trim().to_owned() }
}

/// Reads a TOML string map such as the fallback secret file's `[secrets]`. Errors carry only positions.
pub(crate) fn parse_string_map(text: &str, key: &str) -> Result<(i64, BTreeMap<String, String>), FormatError> {
    let mut table: toml::Table = toml::from_str(text).map_err(|err| {
        // Never the message: it may quote the file, and this file holds secrets.
        let FormatError::Syntax { line, column, .. } = syntax_error(text, &err) else {
            return shape_error("not TOML");
        };
        FormatError::Syntax { line, column, message: "not valid TOML".to_owned() }
    })?;
    let version = match table.remove("schema_version") {
        None => SCHEMA_VERSION,
        Some(toml::Value::Integer(version)) => version,
        Some(_) => return Err(shape_error("schema_version must be a whole number")),
    };
    if version > SCHEMA_VERSION {
        return Err(FormatError::FutureVersion { found: version });
    }
    let mut map = BTreeMap::new();
    match table.remove(key) {
        None => {}
        Some(toml::Value::Table(entries)) => {
            for (name, value) in entries {
                let toml::Value::String(value) = value else {
                    return Err(shape_error(&format!("the entry `{name}` under [{key}] is not a string")));
                };
                map.insert(name, value);
            }
        }
        Some(_) => return Err(shape_error(&format!("`{key}` must be a table"))),
    }
    Ok((version, map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_entries_are_kept_and_reported() {
        let text = r#"
schema_version = 1
future_setting = { a = 1 }

[profiles.good]
url = "http://localhost:8000"

[profiles.typo]
url = "https://h:1"
tenent = "x"

[profiles."bad url"]
url = "ftp://h:1"
"#;
        let doc = parse_doc(text).expect("parse");
        assert_eq!(doc.profiles.len(), 1);
        let broken: Vec<(&str, &str)> = doc.broken.iter().map(|b| (b.name.as_str(), b.error.as_str())).collect();
        assert_eq!(broken.len(), 2);
        assert!(broken[0].0 == "bad url" && broken[0].1.starts_with("url "), "{broken:?}");
        assert!(broken[1].0 == "typo" && broken[1].1.contains("tenent"), "{broken:?}");
        let written = write_doc(&doc, "header").expect("write");
        let again = parse_doc(&written).expect("reparse");
        assert_eq!(again, doc, "{written}");
        assert!(written.starts_with("# header\n"));
        assert!(written.contains("tenent"));
        assert!(written.contains("future_setting"));
    }

    #[test]
    fn future_versions_and_syntax_errors() {
        assert_eq!(parse_doc("schema_version = 2").expect_err("future"), FormatError::FutureVersion { found: 2 });
        let err = parse_doc("schema_version = 1\n[profiles.x]\nurl = \"tok-secret-123").expect_err("syntax");
        assert!(matches!(err, FormatError::Syntax { line: 3, .. }), "{err:?}");
        assert!(!err.to_string().contains("tok-secret-123"), "{err}");
        assert!(parse_doc("").expect("empty").profiles.is_empty());
    }

    #[test]
    fn the_seeds_verify_language() {
        let read = |verify: &str| {
            parse_doc(&format!("[profiles.p]\nurl = \"https://h:1\"\n{verify}\n")).map(|d| {
                d.profiles.first().map(|p| (p.connection.verify.clone(), p.connection.ca_mode)).ok_or(d.broken)
            })
        };
        assert_eq!(read("verify = true"), Ok(Ok((Verify::System, CaMode::Only))));
        assert_eq!(read("verify = false"), Ok(Ok((Verify::Off, CaMode::Only))));
        assert_eq!(
            read("verify = \"/ca.pem\"\nca_mode = \"merge\""),
            Ok(Ok((Verify::CaFile("/ca.pem".into()), CaMode::Merge)))
        );
        let Ok(Err(broken)) = read("verify = \"false\"") else { panic!("quoted false accepted") };
        assert!(broken[0].error.contains("without quotes"), "{broken:?}");
    }

    #[test]
    fn host_port_ssl_become_a_url() {
        let doc = parse_doc(
            "[profiles.a]\nhost = \"https://h.example:8443\"\nport = 8443\n\
             [profiles.b]\nhost = \"h.example\"\nport = 8000\n\
             [profiles.c]\nhost = \"h.example\"\nssl = true\n\
             [profiles.d]\nhost = \"https://h.example:8443\"\nport = 8000\n",
        )
        .expect("parse");
        let urls: Vec<String> = doc.profiles.iter().map(Profile::display_url).collect();
        assert_eq!(urls, ["https://h.example:8443", "http://h.example:8000", "https://h.example:443"]);
        assert!(doc.broken[0].error.starts_with("port is 8000"), "{:?}", doc.broken);
    }
}
