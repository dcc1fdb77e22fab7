//! The connection editor's working copy of a profile: text fields as the user types them, turned into a
//! [`Profile`] (or errors that name the field) only when saved.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::profile::{
    Endpoint, Profile, ProfileAuth, Scheme, Secret, SecretSource, Setting, SettingsError, TokenHeader, Verify,
    parse_endpoint, validate_name,
};
use crate::tls::CaMode;

/// One input of the editor. Every [`Setting`], plus what only a saved profile has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The profile's name.
    Name,
    /// A connection setting.
    Setting(Setting),
    /// The environment variable a secret is read from.
    SecretEnv,
    /// Free text.
    Notes,
}

impl Ord for Field {
    /// In the editor's order, so that the first error is the topmost field.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.position().cmp(&other.position())
    }
}

impl PartialOrd for Field {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Field {
    /// Where the field is in the editor, top to bottom.
    fn position(self) -> usize {
        match self {
            Self::Name => 0,
            Self::Setting(setting) => 1 + Setting::ALL.iter().position(|s| *s == setting).unwrap_or(Setting::ALL.len()),
            Self::SecretEnv => 100,
            Self::Notes => 101,
        }
    }

    /// The label the editor shows beside the input.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Setting(setting) => setting.label(),
            Self::SecretEnv => "Environment variable",
            Self::Notes => "Notes",
        }
    }

    /// The editor field a settings error names.
    #[must_use]
    pub fn of_error(err: &SettingsError) -> Self {
        match err.field {
            "name" => Self::Name,
            "token_env" | "password_env" => Self::SecretEnv,
            _ => err.setting().map_or(Self::Setting(Setting::Url), Self::Setting),
        }
    }
}

/// How the server's certificate is verified: the four choices the editor offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VerifyChoice {
    /// The operating system's trust store.
    #[default]
    System,
    /// The system store and the certificates of a CA file.
    SystemPlusCa,
    /// Only the certificates of a CA file.
    OnlyCa,
    /// No verification.
    Off,
}

impl VerifyChoice {
    /// Every choice, in the order shown.
    pub const ALL: [Self; 4] = [Self::System, Self::SystemPlusCa, Self::OnlyCa, Self::Off];

    /// The words shown for the choice.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::System => "System trust store",
            Self::SystemPlusCa => "System + this CA file",
            Self::OnlyCa => "Only this CA file",
            Self::Off => "Off (insecure)",
        }
    }

    /// True when the choice uses the CA file.
    #[must_use]
    pub fn uses_ca_file(self) -> bool {
        matches!(self, Self::SystemPlusCa | Self::OnlyCa)
    }
}

/// Which credentials the profile sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthChoice {
    /// None.
    #[default]
    None,
    /// A token.
    Token,
    /// User and password.
    Basic,
}

impl AuthChoice {
    /// Every choice, in the order shown.
    pub const ALL: [Self; 3] = [Self::None, Self::Token, Self::Basic];

    /// The words shown for the choice.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::Token => "Token",
            Self::Basic => "Basic (user and password)",
        }
    }
}

/// The editable fields, as typed. Compared with the saved profile's to tell whether there are unsaved changes.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct DraftFields {
    /// Profile name.
    pub name: String,
    /// Server URL.
    pub url: String,
    /// Verification choice.
    pub verify: VerifyChoice,
    /// CA file path (kept while another choice is selected).
    pub ca_file: String,
    /// Client certificate path.
    pub client_cert: String,
    /// Client key path.
    pub client_key: String,
    /// Server-name override.
    pub server_name: String,
    /// Credentials kind.
    pub auth: AuthChoice,
    /// Header of a token.
    pub token_header: TokenHeader,
    /// Basic-auth user.
    pub basic_user: String,
    /// True when the secret comes from an environment variable.
    pub secret_from_env: bool,
    /// That variable.
    pub secret_env: String,
    /// Tenant.
    pub tenant: String,
    /// Database.
    pub database: String,
    /// Connect timeout in seconds, as typed.
    pub connect_timeout_secs: String,
    /// Request timeout in seconds, as typed.
    pub request_timeout_secs: String,
    /// Pinned certificate fingerprint.
    pub pinned_sha256: Option<String>,
    /// Read-only profile.
    pub read_only: bool,
    /// Notes.
    pub notes: String,
}

// A draft never holds a secret, but keep Debug short and predictable.
impl fmt::Debug for DraftFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DraftFields").field("name", &self.name).field("url", &self.url).finish_non_exhaustive()
    }
}

/// The editor's working copy of one profile.
#[derive(Clone)]
pub struct Draft {
    /// The profile as saved, or `None` for a profile not saved yet.
    pub original: Option<Profile>,
    /// The fields as saved (or as first shown for a new profile).
    pub baseline: DraftFields,
    /// The fields as edited.
    pub fields: DraftFields,
    /// A new secret typed by the user (token or password); empty keeps the saved one.
    pub secret: String,
    /// Show the secret in clear.
    pub reveal_secret: bool,
    /// Errors of the last save attempt, by field.
    pub errors: BTreeMap<Field, String>,
}

impl fmt::Debug for Draft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Draft")
            .field("original", &self.original.as_ref().map(|p| &p.name))
            .field("fields", &self.fields)
            .field("secret", &if self.secret.is_empty() { "<none>" } else { "<redacted>" })
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

impl Draft {
    /// A draft of a saved profile.
    #[must_use]
    pub fn of_profile(profile: &Profile) -> Self {
        Self::starting_from(profile, Some(profile.clone()))
    }

    fn starting_from(profile: &Profile, original: Option<Profile>) -> Self {
        let fields = DraftFields::of(profile);
        Self {
            original,
            baseline: fields.clone(),
            fields,
            secret: String::new(),
            reveal_secret: false,
            errors: BTreeMap::new(),
        }
    }

    /// A draft of a new profile named `name`, with the defaults and a URL to start from.
    #[must_use]
    pub fn new_profile(name: &str) -> Self {
        let endpoint =
            Endpoint { scheme: Scheme::Http, host: "localhost".to_owned(), port: 8000, base_path: String::new() };
        Self::starting_from(&Profile::new(name, endpoint), None)
    }

    /// True when something differs from the saved profile (a new profile always counts as changed).
    #[must_use]
    pub fn is_dirty(&self) -> bool {
        self.original.is_none() || self.fields != self.baseline || !self.secret.is_empty()
    }

    /// The name of the saved profile this draft edits.
    #[must_use]
    pub fn saved_name(&self) -> Option<&str> {
        self.original.as_ref().map(|p| p.name.as_str())
    }

    /// Reads a pasted URL: credentials in it (`https://user:pw@host`) move to the basic-auth fields so that they
    /// are never kept in the URL. Returns true when it moved some.
    pub fn take_url_credentials(&mut self) -> bool {
        let Ok(mut url) = url::Url::parse(self.fields.url.trim()) else { return false };
        if url.username().is_empty() && url.password().is_none() {
            return false;
        }
        let user = percent_decode(url.username());
        let password = url.password().map(percent_decode).unwrap_or_default();
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.as_str().trim_end_matches('/').clone_into(&mut self.fields.url);
        self.fields.auth = AuthChoice::Basic;
        self.fields.basic_user = user;
        self.fields.secret_from_env = false;
        if !password.is_empty() {
            self.secret = password;
        }
        true
    }

    /// Builds the profile, or every error found, by field. The secret is apart: [`Self::new_secret`].
    pub fn build(&self) -> Result<Profile, BTreeMap<Field, String>> {
        let mut errors = BTreeMap::new();
        let f = &self.fields;
        if let Err(err) = validate_name(&f.name) {
            errors.insert(Field::Name, sentence(&err));
        }
        let endpoint = match parse_endpoint("url", f.url.trim()) {
            Ok(endpoint) => Some(endpoint),
            Err(err) => {
                errors.insert(Field::Setting(Setting::Url), sentence(&err));
                None
            }
        };
        let connect_timeout = parse_secs(&f.connect_timeout_secs, Setting::ConnectTimeout, &mut errors);
        let request_timeout = parse_secs(&f.request_timeout_secs, Setting::RequestTimeout, &mut errors);
        let verify = match f.verify {
            VerifyChoice::System => Verify::System,
            VerifyChoice::Off => Verify::Off,
            VerifyChoice::SystemPlusCa | VerifyChoice::OnlyCa => {
                if f.ca_file.trim().is_empty() {
                    errors.insert(
                        Field::Setting(Setting::CaFile),
                        "Choose the CA file, or pick \"System trust store\".".to_owned(),
                    );
                }
                Verify::CaFile(PathBuf::from(f.ca_file.trim()))
            }
        };
        let source =
            if f.secret_from_env { SecretSource::Env(f.secret_env.trim().to_owned()) } else { SecretSource::Stored };
        let auth = match f.auth {
            AuthChoice::None => ProfileAuth::None,
            AuthChoice::Token => ProfileAuth::Token { header: f.token_header, source },
            AuthChoice::Basic => ProfileAuth::Basic { user: f.basic_user.trim().to_owned(), source },
        };
        let (Some(endpoint), Some(connect_timeout), Some(request_timeout)) =
            (endpoint, connect_timeout, request_timeout)
        else {
            return Err(errors);
        };
        let mut profile = self.original.clone().unwrap_or_else(|| Profile::new(f.name.clone(), endpoint.clone()));
        profile.name.clone_from(&f.name);
        profile.connection.endpoint = endpoint;
        profile.connection.verify = verify;
        profile.connection.ca_mode = if f.verify == VerifyChoice::SystemPlusCa { CaMode::Merge } else { CaMode::Only };
        profile.connection.client_cert = non_empty_path(&f.client_cert);
        profile.connection.client_key = non_empty_path(&f.client_key);
        profile.connection.server_name = Some(f.server_name.trim().to_owned()).filter(|s| !s.is_empty());
        profile.connection.auth = auth;
        f.tenant.trim().clone_into(&mut profile.connection.tenant);
        f.database.trim().clone_into(&mut profile.connection.database);
        profile.connection.connect_timeout = connect_timeout;
        profile.connection.request_timeout = request_timeout;
        profile.connection.pinned_sha256.clone_from(&f.pinned_sha256);
        profile.read_only = f.read_only;
        profile.notes.clone_from(&f.notes);
        for (setting, text) in
            [(Setting::CaFile, &f.ca_file), (Setting::ClientCert, &f.client_cert), (Setting::ClientKey, &f.client_key)]
        {
            let path = std::path::Path::new(text.trim());
            let used = setting != Setting::CaFile || f.verify.uses_ca_file();
            if used && !text.trim().is_empty() && !path.is_absolute() {
                errors.insert(
                    Field::Setting(setting),
                    "Give the whole path, from / (a relative path would depend on where the app starts); Choose… \
                     gives one."
                        .to_owned(),
                );
            }
        }
        if errors.is_empty()
            && let Err(err) = profile.validate()
        {
            errors.insert(Field::of_error(&err), sentence(&err));
        }
        if errors.is_empty()
            && self.original.is_none()
            && matches!(profile.connection.auth.source(), Some(SecretSource::Stored))
            && self.secret.is_empty()
        {
            let noun = profile.connection.auth.secret_noun().unwrap_or("secret");
            let setting = if f.auth == AuthChoice::Basic { Setting::Password } else { Setting::Token };
            errors
                .insert(Field::Setting(setting), format!("Type the {noun}, or read it from an environment variable."));
        }
        if errors.is_empty() { Ok(profile) } else { Err(errors) }
    }

    /// The secret to save with the profile: the one typed, when credentials keep a stored secret.
    #[must_use]
    pub fn new_secret(&self) -> Option<Secret> {
        let stored = !self.fields.secret_from_env && self.fields.auth != AuthChoice::None;
        (stored && !self.secret.is_empty()).then(|| Secret::new(self.secret.clone()))
    }

    /// After a save: the saved profile becomes the baseline; the typed secret is forgotten.
    pub fn rebase(&mut self, saved: &Profile) {
        *self = Self::of_profile(saved);
    }
}

impl DraftFields {
    /// The fields of a profile.
    #[must_use]
    pub fn of(profile: &Profile) -> Self {
        let (verify, ca_file) = match (&profile.connection.verify, profile.connection.ca_mode) {
            (Verify::System, _) => (VerifyChoice::System, String::new()),
            (Verify::Off, _) => (VerifyChoice::Off, String::new()),
            (Verify::CaFile(path), CaMode::Merge) => (VerifyChoice::SystemPlusCa, path.display().to_string()),
            (Verify::CaFile(path), _) => (VerifyChoice::OnlyCa, path.display().to_string()),
        };
        let (auth, token_header, basic_user, source) = match &profile.connection.auth {
            ProfileAuth::None => (AuthChoice::None, TokenHeader::default(), String::new(), None),
            ProfileAuth::Token { header, source } => (AuthChoice::Token, *header, String::new(), Some(source)),
            ProfileAuth::Basic { user, source } => {
                (AuthChoice::Basic, TokenHeader::default(), user.clone(), Some(source))
            }
        };
        let (secret_from_env, secret_env) = match source {
            Some(SecretSource::Env(var)) => (true, var.clone()),
            _ => (false, String::new()),
        };
        Self {
            name: profile.name.clone(),
            url: profile.display_url(),
            verify,
            ca_file,
            client_cert: path_text(profile.connection.client_cert.as_ref()),
            client_key: path_text(profile.connection.client_key.as_ref()),
            server_name: profile.connection.server_name.clone().unwrap_or_default(),
            auth,
            token_header,
            basic_user,
            secret_from_env,
            secret_env,
            tenant: profile.connection.tenant.clone(),
            database: profile.connection.database.clone(),
            connect_timeout_secs: secs_text(profile.connection.connect_timeout),
            request_timeout_secs: secs_text(profile.connection.request_timeout),
            pinned_sha256: profile.connection.pinned_sha256.clone(),
            read_only: profile.read_only,
            notes: profile.notes.clone(),
        }
    }

    /// The text of a path field.
    #[must_use]
    pub fn path(&self, setting: Setting) -> &str {
        match setting {
            Setting::ClientCert => &self.client_cert,
            Setting::ClientKey => &self.client_key,
            _ => &self.ca_file,
        }
    }

    /// The path field of `setting` (CA file, client certificate or key), to set.
    pub fn path_mut(&mut self, setting: Setting) -> &mut String {
        match setting {
            Setting::ClientCert => &mut self.client_cert,
            Setting::ClientKey => &mut self.client_key,
            _ => &mut self.ca_file,
        }
    }
}

/// A settings error as a sentence for the editor: `Tenant is empty.`
fn sentence(err: &SettingsError) -> String {
    let mut text = err.message.trim().to_owned();
    if let Some(first) = text.get(..1) {
        text = format!("{}{}", first.to_uppercase(), text.get(1..).unwrap_or_default());
    }
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

fn parse_secs(text: &str, setting: Setting, errors: &mut BTreeMap<Field, String>) -> Option<Duration> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 3600.0 => Some(Duration::from_secs_f64(secs)),
        _ => {
            errors.insert(Field::Setting(setting), "Give a number of seconds between 0.1 and 3600.".to_owned());
            None
        }
    }
}

fn secs_text(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs.fract() == 0.0 { format!("{secs:.0}") } else { format!("{secs}") }
}

fn path_text(path: Option<&PathBuf>) -> String {
    path.map(|p| p.display().to_string()).unwrap_or_default()
}

fn non_empty_path(text: &str) -> Option<PathBuf> {
    let text = text.trim();
    (!text.is_empty()).then(|| PathBuf::from(text))
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_profile_round_trips_without_changes() {
        let mut profile = Profile::new("staging", parse_endpoint("url", "https://chroma.example.com:8443").unwrap());
        profile.connection.verify = Verify::CaFile("/etc/ca.pem".into());
        profile.connection.ca_mode = CaMode::Merge;
        profile.connection.auth =
            ProfileAuth::Token { header: TokenHeader::XChromaToken, source: SecretSource::Stored };
        let draft = Draft::of_profile(&profile);
        assert!(!draft.is_dirty());
        assert_eq!(draft.fields.verify, VerifyChoice::SystemPlusCa);
        assert_eq!(draft.build().unwrap(), profile);
    }

    #[test]
    fn errors_name_the_field() {
        let mut draft = Draft::new_profile("");
        draft.fields.url = "https://".to_owned();
        draft.fields.tenant = String::new();
        draft.fields.connect_timeout_secs = "soon".to_owned();
        let errors = draft.build().unwrap_err();
        assert!(errors.contains_key(&Field::Name), "{errors:?}");
        assert!(errors.contains_key(&Field::Setting(Setting::Url)), "{errors:?}");
        assert!(errors.contains_key(&Field::Setting(Setting::ConnectTimeout)), "{errors:?}");
    }

    #[test]
    fn a_ca_choice_needs_a_file_and_a_new_token_profile_needs_its_token() {
        let mut draft = Draft::new_profile("a");
        draft.fields.verify = VerifyChoice::OnlyCa;
        let errors = draft.build().unwrap_err();
        assert!(errors.contains_key(&Field::Setting(Setting::CaFile)));
        draft.fields.verify = VerifyChoice::System;
        draft.fields.auth = AuthChoice::Token;
        let errors = draft.build().unwrap_err();
        assert!(errors.contains_key(&Field::Setting(Setting::Token)));
        draft.secret = "t0ken".to_owned();
        assert!(draft.build().is_ok());
        assert_eq!(draft.new_secret().unwrap().expose(), "t0ken");
    }

    #[test]
    fn relative_file_paths_are_refused() {
        let mut draft = Draft::new_profile("a");
        draft.fields.verify = VerifyChoice::OnlyCa;
        draft.fields.ca_file = "ca.pem".to_owned();
        let errors = draft.build().unwrap_err();
        assert!(errors[&Field::Setting(Setting::CaFile)].contains("whole path"), "{errors:?}");
        draft.fields.ca_file = "/etc/ca.pem".to_owned();
        assert!(draft.build().is_ok());
    }

    #[test]
    fn pasted_credentials_move_to_basic_auth() {
        let mut draft = Draft::new_profile("a");
        draft.fields.url = "https://admin:p%40ss@chroma.example.com:8443".to_owned();
        assert!(draft.take_url_credentials());
        assert_eq!(draft.fields.url, "https://chroma.example.com:8443");
        assert_eq!(draft.fields.auth, AuthChoice::Basic);
        assert_eq!(draft.fields.basic_user, "admin");
        assert_eq!(draft.secret, "p@ss");
        assert!(!format!("{draft:?}").contains("p@ss"));
    }

    #[test]
    fn editing_marks_the_draft_dirty_and_reverting_clears_it() {
        let profile = Profile::new("a", parse_endpoint("url", "http://localhost:8000").unwrap());
        let mut draft = Draft::of_profile(&profile);
        draft.fields.tenant = "other".to_owned();
        assert!(draft.is_dirty());
        draft.fields.tenant = "default_tenant".to_owned();
        assert!(!draft.is_dirty());
    }
}
