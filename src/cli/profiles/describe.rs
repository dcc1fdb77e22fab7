//! How profiles and their secrets are described to the user (text and JSON).

use serde_json::Value;

use crate::profile::{Profile, Scheme, SecretLocation, SecretSource, SecretStore, Verify, profile_to_record};
use crate::tls::CaMode;

use super::shell_word;

/// What changed between two versions of a profile, one line each.
pub(super) fn changes(before: &Profile, after: &Profile) -> Vec<String> {
    let a = profile_json(before);
    let b = profile_json(after);
    let (Value::Object(a), Value::Object(b)) = (a, b) else { return Vec::new() };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let (old, new) = (a.get(key), b.get(key));
            (old != new).then(|| format!("{key}: {} → {}", value_text(old), value_text(new)))
        })
        .collect()
}

fn value_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "(none)".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Where a profile's secret is, as kind and sentence.
pub(super) struct SecretStatus {
    pub(super) kind: &'static str,
    pub(super) text: String,
}

pub(super) fn secret_status(profile: &Profile, secrets: &SecretStore) -> SecretStatus {
    let Some(noun) = profile.connection.auth.secret_noun() else {
        return SecretStatus { kind: "none", text: "no credentials".to_owned() };
    };
    match secrets.resolve(profile) {
        Ok(Some(found)) => {
            SecretStatus { kind: found.location.kind(), text: found.location.describe(noun, &profile.name) }
        }
        Ok(None) => {
            let flag = if noun == "token" { "--token-stdin" } else { "--password-stdin" };
            let target = secrets.target().map_or_else(|err| err.to_string(), |t| target_text(&t));
            SecretStatus {
                kind: "missing",
                text: format!(
                    "no {noun} saved; save one with: chroma-connect profiles edit {} {flag} (it would go to {target})",
                    shell_word(&profile.name)
                ),
            }
        }
        Err(err) => SecretStatus { kind: "error", text: err.to_string() },
    }
}

fn target_text(target: &SecretLocation) -> String {
    match target {
        SecretLocation::Keychain { store, .. } => (*store).to_owned(),
        SecretLocation::File { path, .. } => path.display().to_string(),
        SecretLocation::Env { var } => format!("${var}"),
    }
}

/// The line that says where a profile's secret is (after add/edit).
pub(super) fn secret_sentence(profile: &Profile, saved: Option<&SecretLocation>, secrets: &SecretStore) -> String {
    let Some(noun) = profile.connection.auth.secret_noun() else { return String::new() };
    match (saved, profile.connection.auth.source()) {
        (Some(location), _) => format!("{}.\n", capitalize(&location.describe(noun, &profile.name))),
        (None, Some(SecretSource::Env(var))) => {
            format!("{}.\n", capitalize(&SecretLocation::Env { var: var.clone() }.describe(noun, &profile.name)))
        }
        (None, _) => format!("{}.\n", capitalize(&secret_status(profile, secrets).text)),
    }
}

pub(super) fn env_warnings(profile: &Profile) -> Vec<String> {
    let Some(SecretSource::Env(var)) = profile.connection.auth.source() else { return Vec::new() };
    if std::env::var_os(var).is_some() {
        return Vec::new();
    }
    vec![format!(
        "${var} is not set in this environment: profile {} will fail until it is (did the shell expand \
         --token-env $VAR? give the variable's name without $)",
        profile.name
    )]
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// The profile as JSON: its name and the fields of its TOML form.
pub(super) fn profile_json(profile: &Profile) -> Value {
    let mut value = serde_json::to_value(profile_to_record(profile)).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("name".to_owned(), Value::String(profile.name.clone()));
    }
    value
}

pub(super) fn trust_text(profile: &Profile) -> String {
    if profile.connection.endpoint.scheme == Scheme::Http {
        return "- (http)".to_owned();
    }
    let mut text = match (&profile.connection.verify, profile.connection.ca_mode) {
        (Verify::System, _) => "system".to_owned(),
        (Verify::Off, _) => "OFF (insecure)".to_owned(),
        (Verify::CaFile(path), CaMode::Only) => format!("CA file {}", path.display()),
        (Verify::CaFile(path), CaMode::Merge) => format!("CA file {} + system", path.display()),
    };
    if profile.connection.pinned_sha256.is_some() {
        text.push_str(", pinned");
    }
    text
}

pub(super) fn verify_text(profile: &Profile) -> String {
    match (&profile.connection.verify, profile.connection.ca_mode) {
        (Verify::System, _) => "true (system trust store)".to_owned(),
        (Verify::Off, _) => "false (NO verification: the server is not authenticated)".to_owned(),
        (Verify::CaFile(path), CaMode::Only) => format!("CA file {} (only this file)", path.display()),
        (Verify::CaFile(path), CaMode::Merge) => format!("CA file {} (and the system trust store)", path.display()),
    }
}
