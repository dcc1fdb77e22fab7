//! What `collections` and `records` share: connecting and finding the tenant and database, failures with a stable
//! code and an exit status, Ctrl-C, and writing the output.

use std::future::Future;
use std::io::Write as _;

use serde::Serialize;

use crate::chroma::{ApiVersion, BrowseError, BrowseSession, ChromaClient, ClientOptions, Scope};
use crate::diagnose::{
    Code, Diagnosis, diagnose_browse_error, diagnose_browse_error_probing, diagnose_settings_error, sanitize_display,
    sanitize_lines,
};
use crate::profile::{ConnectionSettings, Setting};

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
    /// A browsing error of this session, diagnosed.
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

/// A command that could not finish: the diagnosis (the same as `check` and the desktop app give for the same
/// failure), what the server said, and the exit status.
#[derive(Debug, Serialize)]
pub(super) struct Failure {
    /// The exit status (1 for server and connection problems, 2 for usage and configuration errors).
    #[serde(skip)]
    pub(super) exit: u8,
    /// Stable code, e.g. `chroma.collection_not_found`.
    pub(super) code: Code,
    /// One sentence: the diagnosis' summary.
    pub(super) message: String,
    /// The HTTP status, when the server answered with an error.
    pub(super) status: Option<u16>,
    /// The server's own words, when it sent some (made safe to show).
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
    /// A usage error of the command's own arguments (exit 2).
    pub(super) fn usage(code: Code, message: impl Into<String>) -> Self {
        Self::from_diagnosis(Diagnosis { code, summary: message.into(), hint: String::new(), setting: None })
    }

    /// A diagnosis as a failure; the exit status follows from its code.
    pub(super) fn from_diagnosis(diagnosis: Diagnosis) -> Self {
        let Diagnosis { code, summary, hint, setting } = diagnosis;
        Self {
            exit: if code.is_usage() { EXIT_USAGE } else { EXIT_PROBLEM },
            code,
            message: summary,
            status: None,
            server_message: None,
            hint: (!hint.is_empty()).then_some(hint),
            setting,
            profile: None,
        }
    }

    /// A browsing error, diagnosed as everywhere else, plus what the command line adds: its flags for the
    /// remedies that have one.
    pub(super) fn from_browse(err: &BrowseError, settings: &ConnectionSettings) -> Self {
        Self::with_cli_remedies(diagnose_browse_error(err, settings), err)
    }

    /// [`Failure::from_browse`] with the network probe `check` makes too (an http:// URL whose port speaks TLS):
    /// for the failures of connecting.
    async fn from_browse_probing(err: &BrowseError, settings: &ConnectionSettings) -> Self {
        Self::with_cli_remedies(diagnose_browse_error_probing(err, settings).await, err)
    }

    fn with_cli_remedies(diagnosis: Diagnosis, err: &BrowseError) -> Self {
        let mut failure = Self::from_diagnosis(diagnosis);
        failure.status = err.status();
        failure.server_message = err
            .server_message()
            .map(|said| sanitize_display(&said, SERVER_MESSAGE_CHARS))
            .filter(|said| !said.is_empty());
        let extra = match failure.code {
            Code::HttpResponseTooLarge => Some("On the command line: --limit, --include, --max-response-mib."),
            Code::ChromaCollectionNotFound => Some("`chroma-connect collections` lists the names and ids."),
            _ => None,
        };
        if let Some(extra) = extra {
            failure.hint = Some(failure.hint.map_or_else(|| extra.to_owned(), |hint| format!("{hint} {extra}")));
        }
        failure
    }

    /// The message on one line (it holds what the server said, when it said something).
    pub(super) fn one_line(&self) -> String {
        self.message.clone()
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
        let mut text = format!("error: [{}] {}\n", self.code, self.one_line());
        if let Some(hint) = &self.hint {
            for (index, line) in hint.lines().enumerate() {
                text.push_str(if index == 0 { "hint: " } else { "  " });
                text.push_str(line);
                text.push('\n');
            }
        }
        if let Some(setting) = self.setting {
            text.push_str(&setting_line(setting, self.profile.as_deref()));
            text.push('\n');
        }
        write_err(&text);
        self.exit
    }
}

/// Longest server message kept in a failure (characters).
const SERVER_MESSAGE_CHARS: usize = 500;

/// Reads the connection flags, builds the client (responses capped at `max_response_mib`), detects the API
/// generation and checks the tenant and database. Prints the settings' warnings (verification off, credentials
/// over http://, a profile's secret left out for another endpoint) on stderr.
pub(super) async fn open(connection: &ConnectionArgs, max_response_mib: u64) -> Result<Session, Failure> {
    let profile = connection.profile.clone();
    let with_profile = |failure: Failure| Failure { profile: profile.clone(), ..failure };
    let resolved =
        connection.resolve().map_err(|err| with_profile(Failure::from_diagnosis(diagnose_settings_error(&err))))?;
    let settings = resolved.settings;
    for warning in resolved.notes.iter().chain(&settings.warnings()) {
        write_err(&format!("warning: {}\n", sanitize_display(warning, 1000)));
    }
    let max_body_bytes = usize::try_from(max_response_mib)
        .ok()
        .and_then(|mib| mib.checked_mul(1024 * 1024))
        .ok_or_else(|| Failure::usage(Code::UsageInvalidArgument, "--max-response-mib is too large"))?;
    // A pinned fingerprint is enforced by the TLS verifier of every connection: a different certificate fails
    // the handshake, before any request (or credential) is sent.
    let options = ClientOptions { max_body_bytes, ..ClientOptions::default() };
    let BrowseSession { client, scope, version } =
        match BrowseSession::open(&settings, options, &settings.tenant, &settings.database).await {
            Ok(session) => session,
            Err(err) => return Err(with_profile(Failure::from_browse_probing(&err, &settings).await)),
        };
    Ok(Session { client, scope, settings, version, profile })
}

/// Parses a `--where`/`--where-document` value: a JSON object, or a usage error naming the flag.
pub(super) fn json_object_arg(flag: &str, text: Option<&str>) -> Result<Option<serde_json::Value>, Failure> {
    let Some(text) = text else { return Ok(None) };
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|err| Failure::usage(Code::UsageInvalidJson, format!("{flag} is not valid JSON: {err}")))?;
    if !value.is_object() {
        return Err(Failure::usage(
            Code::UsageInvalidJson,
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

/// Writes to stdout; a closed pipe (`| head`) is not an error worth reporting. Text (not JSON) goes through
/// [`write_text`].
pub(super) fn write_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Writes text for a terminal to stdout: line breaks kept, every other control character removed (nothing a
/// server sent can move the cursor or retitle the window).
pub(super) fn write_text(text: &str) {
    write_out(&sanitize_lines(text));
}

/// Writes to stderr, with control characters removed as [`write_text`] does.
pub(super) fn write_err(text: &str) {
    let _ = std::io::stderr().lock().write_all(sanitize_lines(text).as_bytes());
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
        assert_eq!((failure.exit, failure.code), (EXIT_USAGE, Code::UsageInvalidJson));
        assert!(failure.message.starts_with("--where is not valid JSON"), "{}", failure.message);
        let Err(failure) = json_object_arg("--where-document", Some(r#""number 1""#)) else { panic!("accepted") };
        assert!(failure.message.starts_with("--where-document must be a JSON object"), "{}", failure.message);
    }
}
