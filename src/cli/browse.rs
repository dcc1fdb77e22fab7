//! What `collections` and `records` share: connecting and finding the tenant and database, failures with a stable
//! code and an exit status, Ctrl-C, and writing the output.

use std::future::Future;
use std::io::Write as _;

use serde::Serialize;

use crate::chroma::{ApiVersion, BrowseError, ChromaClient, ChromaError, ClientOptions, Scope};
use crate::profile::{Auth, ConnectionSettings, Setting};
use crate::tls;

use super::args::ConnectionArgs;
use super::flags::setting_line;
use super::{EXIT_INTERRUPTED, EXIT_PROBLEM, EXIT_USAGE};

/// A connected client and where it browses.
#[derive(Debug)]
pub(super) struct Session {
    /// The client (one connection pool).
    pub(super) client: ChromaClient,
    /// API generation, tenant and database.
    pub(super) scope: Scope,
    /// The connection settings.
    pub(super) settings: ConnectionSettings,
    /// The server's version (`"1.0.0"` for the 1.x Rust server), when it says.
    pub(super) version: Option<String>,
    /// The saved profile the settings came from (`--profile`).
    pub(super) profile: Option<String>,
}

/// `"server"` of the JSON output.
#[derive(Debug, Serialize)]
pub(super) struct ServerJson {
    /// The URL as shown to users.
    pub(super) url: String,
    /// `v2` or `v1`.
    pub(super) api: ApiVersion,
    /// The server's version string.
    pub(super) version: Option<String>,
}

impl Session {
    /// A browsing error of this session, classified.
    pub(super) fn failure(&self, err: &BrowseError) -> Failure {
        Failure { profile: self.profile.clone(), ..Failure::from_browse(err, &self.settings) }
    }

    /// The `"server"` object of the JSON output.
    pub(super) fn server_json(&self) -> ServerJson {
        ServerJson { url: self.settings.display_url(), api: self.scope.api, version: self.version.clone() }
    }

    /// `default_tenant/default_database at http://host:port (Chroma 1.0.0, API v2)`.
    pub(super) fn describe(&self) -> String {
        let version = self.version.as_deref().map_or_else(String::new, |v| format!("Chroma {v}, "));
        format!(
            "{}/{} at {} ({version}API {})",
            self.scope.tenant,
            self.scope.database,
            self.settings.display_url(),
            self.scope.api.as_str()
        )
    }
}

/// A command that could not finish: a stable code, a sentence, what the server said, and what to do.
#[derive(Debug, Serialize)]
pub(super) struct Failure {
    /// The exit status (1 for server and connection problems, 2 for usage and configuration errors).
    #[serde(skip)]
    pub(super) exit: u8,
    /// Stable code, e.g. `chroma.collection_not_found`.
    pub(super) code: &'static str,
    /// One sentence.
    pub(super) message: String,
    /// The HTTP status, when the server answered with an error.
    pub(super) status: Option<u16>,
    /// The server's own words, when it sent some.
    pub(super) server_message: Option<String>,
    /// What to do about it.
    pub(super) hint: Option<String>,
    /// The setting to change, when that is the fix (`"ca_file"`, ...).
    pub(super) setting: Option<Setting>,
    /// The profile the settings came from, for the remedies that name it.
    #[serde(skip)]
    pub(super) profile: Option<String>,
}

impl Failure {
    /// A usage or configuration error (exit 2).
    pub(super) fn usage(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            exit: EXIT_USAGE,
            code,
            message: message.into(),
            status: None,
            server_message: None,
            hint: None,
            setting: None,
            profile: None,
        }
    }

    /// A server or connection problem (exit 1).
    fn problem(code: &'static str, message: impl Into<String>, hint: Option<String>) -> Self {
        Self {
            exit: EXIT_PROBLEM,
            code,
            message: message.into(),
            status: None,
            server_message: None,
            hint,
            setting: None,
            profile: None,
        }
    }

    /// The same failure, pointing at `setting`.
    fn pointing_at(mut self, setting: impl Into<Option<Setting>>) -> Self {
        self.setting = setting.into();
        self
    }

    /// A browsing error, classified. `settings` tailor the hints.
    pub(super) fn from_browse(err: &BrowseError, settings: &ConnectionSettings) -> Self {
        match err {
            BrowseError::Chroma(inner) => Self::from_chroma(inner, settings),
            BrowseError::TenantNotFound { .. } => Self::problem(
                "chroma.tenant_not_found",
                err.to_string(),
                Some("Use an existing tenant (the default is default_tenant).".to_owned()),
            )
            .pointing_at(Setting::Tenant),
            BrowseError::DatabaseNotFound { .. } => Self::problem(
                "chroma.database_not_found",
                err.to_string(),
                Some("Use an existing database (the default is default_database).".to_owned()),
            )
            .pointing_at(Setting::Database),
            BrowseError::CollectionNotFound { .. } => Self::problem(
                "chroma.collection_not_found",
                err.to_string(),
                Some("`chroma-connect collections` lists the collections (names and ids).".to_owned()),
            ),
            BrowseError::RecordNotFound { .. } => Self::problem("chroma.record_not_found", err.to_string(), None),
            BrowseError::NoEmbedding { .. } => Self::problem("chroma.no_embedding", err.to_string(), None),
        }
    }

    fn from_chroma(err: &ChromaError, settings: &ConnectionSettings) -> Self {
        let check_hint = || {
            Some(format!(
                "`chroma-connect check {}` (with the same flags) tells step by step what is wrong.",
                settings.display_url()
            ))
        };
        let auth_setting = match settings.auth {
            Auth::None => Setting::Auth,
            Auth::Token { .. } => Setting::Token,
            Auth::Basic { .. } => Setting::Password,
        };
        match err {
            ChromaError::Status { response } => {
                let said = crate::chroma::server_message(response);
                let (code, message, hint, setting) = match response.status {
                    401 => (
                        "http.unauthorized",
                        "the server asks for credentials (401)".to_owned(),
                        Some(auth_hint(settings)),
                        Some(auth_setting),
                    ),
                    403 => (
                        "http.forbidden",
                        "the server refused the credentials (403)".to_owned(),
                        Some(auth_hint(settings)),
                        Some(auth_setting),
                    ),
                    300..=399 => (
                        "http.redirect",
                        format!(
                            "the server redirects to {} (not followed: credentials never go to another host)",
                            response.location.as_deref().unwrap_or("nowhere")
                        ),
                        Some("Use the URL it redirects to.".to_owned()),
                        Some(Setting::Url),
                    ),
                    status if response.chroma_shaped => {
                        ("chroma.api_error", format!("the server refused the request (HTTP {status})"), None, None)
                    }
                    status => {
                        ("http.other", format!("unexpected HTTP {status} for {}", response.url), check_hint(), None)
                    }
                };
                let mut failure = Self::problem(code, message, hint).pointing_at(setting);
                failure.status = Some(response.status);
                failure.server_message = (!said.is_empty()).then_some(said);
                failure
            }
            ChromaError::Transport { detail, source, .. } => {
                let pin = tls::find_rustls_error(source).and_then(|tls_err| match tls::classify(tls_err, &[], false) {
                    tls::TlsFailure::PinMismatch { pinned, presented } => Some((pinned, presented)),
                    _ => None,
                });
                match pin {
                    Some((pinned, presented)) => Self::problem(
                        "tls.pin_mismatch",
                        format!(
                            "the server presented another certificate than the pinned one (pinned {pinned}, \
                             presented {presented}); nothing was sent"
                        ),
                        Some(
                            "If the server's certificate was renewed on purpose, pin the new one; otherwise \
                             something may be intercepting the connection."
                                .to_owned(),
                        ),
                    )
                    .pointing_at(Setting::PinnedSha256),
                    None => Self::problem(
                        "net.transport",
                        format!("no answer from {}: {detail}", settings.display_url()),
                        check_hint(),
                    ),
                }
            }
            ChromaError::BodyTooLarge { .. } => Self::problem(
                "http.response_too_large",
                err.to_string(),
                Some("Ask for less (--limit, --include) or raise --max-response-mib.".to_owned()),
            ),
            ChromaError::Decode { .. } => Self::problem("http.not_chroma", err.to_string(), check_hint()),
            ChromaError::Build { detail } => Self::usage("config.invalid", format!("cannot connect: {detail}")),
        }
    }

    /// The message and what the server said, on one line.
    pub(super) fn one_line(&self) -> String {
        match &self.server_message {
            Some(said) => format!("{}: {said}", self.message),
            None => self.message.clone(),
        }
    }

    /// Prints the failure (JSON on stdout with `--json`, always a sentence on stderr) and returns the exit status.
    pub(super) fn report(&self, json: bool) -> u8 {
        if json {
            #[derive(Serialize)]
            struct Output<'a> {
                ok: bool,
                error: &'a Failure,
            }
            write_out(&format!("{}\n", compact(&Output { ok: false, error: self })));
        }
        let mut text = format!("error: {}\n", self.one_line());
        if let Some(hint) = &self.hint {
            text.push_str("hint: ");
            text.push_str(hint);
            text.push('\n');
        }
        if let Some(setting) = self.setting {
            text.push_str(&setting_line(setting, self.profile.as_deref()));
            text.push('\n');
        }
        write_err(&text);
        self.exit
    }
}

fn auth_hint(settings: &ConnectionSettings) -> String {
    match settings.auth {
        Auth::None => "No credentials were sent: give a token (with --auth-header x-chroma-token if the server \
                       wants that header) or basic credentials."
            .to_owned(),
        _ => "Check the credentials; `chroma-connect check` with the same flags explains the failure.".to_owned(),
    }
}

/// Reads the connection flags, builds the client (responses capped at `max_response_mib`), detects the API
/// generation and checks the tenant and database.
pub(super) async fn open(connection: &ConnectionArgs, max_response_mib: u64) -> Result<Session, Failure> {
    let profile = connection.profile.clone();
    let settings = connection.to_settings().map_err(|err| Failure {
        profile: profile.clone(),
        ..Failure::usage("config.invalid", format!("the setting {err}")).pointing_at(err.setting())
    })?;
    let max_body_bytes = usize::try_from(max_response_mib)
        .ok()
        .and_then(|mib| mib.checked_mul(1024 * 1024))
        .ok_or_else(|| Failure::usage("config.invalid", "--max-response-mib is too large"))?;
    // A pinned fingerprint is enforced by the TLS verifier of every connection: a different certificate fails
    // the handshake, before any request (or credential) is sent.
    let options = ClientOptions { max_body_bytes, ..ClientOptions::default() };
    let with_profile = |failure: Failure| Failure { profile: profile.clone(), ..failure };
    let client = ChromaClient::connect(&settings, options)
        .await
        .map_err(|err| with_profile(Failure::from_chroma(&err, &settings)))?;
    let scope = client
        .resolve_scope(&settings.tenant, &settings.database)
        .await
        .map_err(|err| with_profile(Failure::from_browse(&err, &settings)))?;
    // The version is for display only: a server that hides it is still browsable.
    let version = client.version(scope.api).await.ok();
    Ok(Session { client, scope, settings, version, profile })
}

/// Parses a `--where`/`--where-document` value: a JSON object, or a usage error naming the flag.
pub(super) fn json_object_arg(flag: &str, text: Option<&str>) -> Result<Option<serde_json::Value>, Failure> {
    let Some(text) = text else { return Ok(None) };
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|err| Failure::usage("usage.invalid_json", format!("{flag} is not valid JSON: {err}")))?;
    if !value.is_object() {
        return Err(Failure::usage(
            "usage.invalid_json",
            format!("{flag} must be a JSON object, like {{\"color\": \"red\"}} (got {value})"),
        ));
    }
    Ok(Some(value))
}

/// Runs a command until it finishes or Ctrl-C (exit 130); dropping the command's future cancels its requests.
pub(super) async fn until_interrupted(command: impl Future<Output = u8>) -> u8 {
    tokio::select! {
        code = command => code,
        _ = tokio::signal::ctrl_c() => {
            write_err("interrupted\n");
            EXIT_INTERRUPTED
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth reporting.
pub(super) fn write_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Writes to stderr.
pub(super) fn write_err(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// A JSON value on one line (metadata in tables).
pub(super) fn compact<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_flags_must_be_json_objects() {
        assert!(matches!(json_object_arg("--where", None), Ok(None)));
        assert!(matches!(json_object_arg("--where", Some(r#"{"color":"red"}"#)), Ok(Some(_))));
        let Err(failure) = json_object_arg("--where", Some("{color: red}")) else { panic!("accepted bad JSON") };
        assert_eq!((failure.exit, failure.code), (EXIT_USAGE, "usage.invalid_json"));
        assert!(failure.message.starts_with("--where is not valid JSON"), "{}", failure.message);
        let Err(failure) = json_object_arg("--where-document", Some(r#""number 1""#)) else { panic!("accepted") };
        assert!(failure.message.starts_with("--where-document must be a JSON object"), "{}", failure.message);
    }
}
