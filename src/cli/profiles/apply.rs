//! Turning the flags of `add` and `edit` into changes of a profile.

use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};

use crate::profile::{
    Endpoint, Profile, ProfileAuth, Scheme, Secret, SecretSource, SettingsError, TokenHeader, Verify,
    endpoint_from_parts, host_has_port, normalize_sha256_fingerprint, parse_endpoint, seconds, validate_env_name,
};
use crate::tls::CaMode;

use super::Failure;
use super::args::{EditArgs, SettingsFlags};
use crate::cli::args::{AuthHeaderArg, CaModeArg};

/// Applies the settings flags of `add` (or `edit`) to `profile`; returns the secret to save, if one was given.
pub(super) fn apply_settings(
    profile: &mut Profile,
    flags: &SettingsFlags,
    adding: bool,
) -> Result<Option<Secret>, Failure> {
    apply_trust(profile, flags, adding)?;
    let secret = apply_auth(profile, flags)?;
    let SettingsFlags { tenant, database, timeout, connect_timeout, notes, read_only, .. } = flags;
    if let Some(tenant) = tenant {
        profile.tenant.clone_from(tenant);
    }
    if let Some(database) = database {
        profile.database.clone_from(database);
    }
    if let Some(secs) = timeout {
        profile.request_timeout = seconds("timeout", *secs)?;
        if connect_timeout.is_none() && adding {
            profile.connect_timeout = profile.request_timeout.min(crate::profile::DEFAULT_CONNECT_TIMEOUT);
        }
    }
    if let Some(secs) = connect_timeout {
        profile.connect_timeout = seconds("connect_timeout", *secs)?;
    }
    if let Some(notes) = notes {
        profile.notes.clone_from(notes);
    }
    if *read_only {
        profile.read_only = true;
    }
    Ok(secret)
}

/// Verification, server name, pin and client certificate.
fn apply_trust(profile: &mut Profile, flags: &SettingsFlags, adding: bool) -> Result<(), Failure> {
    let SettingsFlags { ca_file, ca_mode, insecure, server_name, pin, client_cert, client_key, .. } = flags;
    if let Some(path) = ca_file {
        profile.verify = Verify::CaFile(absolute("ca_file", path)?);
    }
    if *insecure {
        profile.verify = Verify::Off;
    }
    if let Some(mode) = ca_mode {
        if !matches!(profile.verify, Verify::CaFile(_)) {
            return Err(SettingsError::new("ca_mode", "applies only with a CA file (--ca-file)").into());
        }
        profile.ca_mode = match mode {
            CaModeArg::Only => CaMode::Only,
            CaModeArg::Merge => CaMode::Merge,
        };
    }
    if let Some(name) = server_name {
        profile.server_name = Some(name.clone());
    }
    if let Some(pin) = pin {
        profile.pinned_sha256 = Some(normalize_sha256_fingerprint("pin", pin)?);
    }
    let client_cert = client_cert.as_deref().map(|path| absolute("client_cert", path)).transpose()?;
    let client_key = client_key.as_deref().map(|path| absolute("client_key", path)).transpose()?;
    match (client_cert, client_key) {
        (Some(cert), Some(key)) => {
            profile.client_cert = Some(cert);
            profile.client_key = Some(key);
        }
        (Some(cert), None) if !adding && profile.client_key.is_some() => profile.client_cert = Some(cert),
        (None, Some(key)) if !adding && profile.client_cert.is_some() => profile.client_key = Some(key),
        (Some(_), None) => {
            return Err(SettingsError::new("client_key", "is missing: a client certificate needs its key").into());
        }
        (None, Some(_)) => {
            return Err(SettingsError::new("client_cert", "is missing: a client key needs its certificate").into());
        }
        (None, None) => {}
    }
    Ok(())
}

/// `path` made absolute against the folder the command runs in (a profile keeps absolute paths only: the file
/// must not depend on where the profile is used from).
fn absolute(field: &'static str, path: &Path) -> Result<PathBuf, SettingsError> {
    std::path::absolute(path).map_err(|err| {
        SettingsError::new(field, format!("cannot be made an absolute path ({err}): {}", path.display()))
    })
}

/// Credentials: the kind, the header, where the secret comes from; returns a secret read now.
fn apply_auth(profile: &mut Profile, flags: &SettingsFlags) -> Result<Option<Secret>, Failure> {
    let SettingsFlags { token_env, token_stdin, token, auth_header, basic_user, password_env, password_stdin, .. } =
        flags;
    let header_flag = auth_header.map(|h| match h {
        AuthHeaderArg::Bearer => TokenHeader::Bearer,
        AuthHeaderArg::XChromaToken => TokenHeader::XChromaToken,
    });
    let current_header = match &profile.auth {
        ProfileAuth::Token { header, .. } => Some(*header),
        _ => None,
    };
    let header = header_flag.or(current_header).unwrap_or_default();
    let mut secret = None;
    if let Some(var) = token_env {
        let var = var.strip_prefix('$').unwrap_or(var);
        validate_env_name("token_env", var)?;
        profile.auth = ProfileAuth::Token { header, source: SecretSource::Env(var.to_owned()) };
    } else if *token_stdin || token.is_some() {
        let value = match token {
            Some(token) => token.clone(),
            None => read_secret(&format!("Token for profile {}", profile.name))?,
        };
        secret = Some(secret_value("token", value)?);
        profile.auth = ProfileAuth::Token { header, source: SecretSource::Stored };
    } else if let Some(user) = basic_user {
        let source = match (password_env, &profile.auth) {
            (Some(var), _) => SecretSource::Env(var.strip_prefix('$').unwrap_or(var).to_owned()),
            (None, ProfileAuth::Basic { source, .. }) if !*password_stdin => source.clone(),
            (None, _) => SecretSource::Stored,
        };
        if let SecretSource::Env(var) = &source {
            validate_env_name("password_env", var)?;
        }
        if source == SecretSource::Stored && !*password_stdin && !matches!(profile.auth, ProfileAuth::Basic { .. }) {
            return Err(SettingsError::new(
                "basic_user",
                "needs a password: --password-stdin (saved in the keychain) or --password-env VAR",
            )
            .into());
        }
        profile.auth = ProfileAuth::Basic { user: user.clone(), source };
    } else if password_env.is_some() || *password_stdin {
        let ProfileAuth::Basic { user, .. } = &profile.auth else {
            return Err(SettingsError::new("basic_user", "is missing: a password needs --basic-user USER").into());
        };
        let source = match password_env {
            Some(var) => {
                let var = var.strip_prefix('$').unwrap_or(var);
                validate_env_name("password_env", var)?;
                SecretSource::Env(var.to_owned())
            }
            None => SecretSource::Stored,
        };
        profile.auth = ProfileAuth::Basic { user: user.clone(), source };
    } else if let Some(header) = header_flag {
        let ProfileAuth::Token { source, .. } = &profile.auth else {
            return Err(SettingsError::new("auth_header", "needs a token (--token-stdin or --token-env VAR)").into());
        };
        profile.auth = ProfileAuth::Token { header, source: source.clone() };
    }
    if *password_stdin {
        let value = read_secret(&format!("Password for profile {}", profile.name))?;
        secret = Some(secret_value("password", value)?);
    }
    Ok(secret)
}

/// Applies `edit`'s flags to `profile`; returns the secret to save, if one was given.
pub(super) fn apply_edit(profile: &mut Profile, args: &EditArgs) -> Result<Option<Secret>, Failure> {
    if let Some(url) = &args.url {
        profile.endpoint = parse_endpoint("url", url)?;
    } else if args.host.is_some() || args.port.is_some() {
        profile.endpoint = edited_endpoint(&profile.endpoint, args.host.as_deref(), args.port)?;
    }
    if let Some(new_name) = &args.rename {
        profile.name.clone_from(new_name);
    }
    if args.verify_system {
        profile.verify = Verify::System;
    }
    if args.no_server_name {
        profile.server_name = None;
    }
    if args.unpin {
        profile.pinned_sha256 = None;
    }
    if args.no_client_cert {
        profile.client_cert = None;
        profile.client_key = None;
    }
    if args.no_auth {
        profile.auth = ProfileAuth::None;
    }
    if args.no_read_only {
        profile.read_only = false;
    }
    let secret = apply_settings(profile, &args.settings, false)?;
    if !matches!(profile.verify, Verify::CaFile(_)) {
        profile.ca_mode = CaMode::Only;
    }
    Ok(secret)
}

/// A new host and/or port on an existing endpoint: the scheme, port and path stay unless the new host says
/// otherwise (it may be a whole URL, which is split).
fn edited_endpoint(current: &Endpoint, host: Option<&str>, port: Option<u16>) -> Result<Endpoint, SettingsError> {
    let Some(host) = host else {
        let mut endpoint = current.clone();
        if let Some(port) = port {
            if port == 0 {
                return Err(SettingsError::new("port", "is 0; give the port the server listens on"));
            }
            endpoint.port = port;
        }
        return Ok(endpoint);
    };
    if host.contains("://") {
        return endpoint_from_parts(host, port, None);
    }
    let port = port.or(if host_has_port(host) { None } else { Some(current.port) });
    let mut endpoint = endpoint_from_parts(host, port, Some(current.scheme == Scheme::Https))?;
    if endpoint.base_path.is_empty() {
        endpoint.base_path.clone_from(&current.base_path);
    }
    Ok(endpoint)
}

/// Reads a secret: a hidden prompt on a terminal, else one line of standard input.
pub(super) fn read_secret(prompt: &str) -> Result<String, Failure> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(format!("{prompt} (input hidden): "))
            .map_err(|err| Failure::problem(format!("cannot read the secret: {err}")));
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|err| Failure::problem(format!("cannot read the secret from standard input: {err}")))?;
    let line = text.strip_suffix('\n').unwrap_or(&text);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_owned())
}

pub(super) fn secret_value(field: &'static str, value: String) -> Result<Secret, Failure> {
    if value.is_empty() {
        return Err(SettingsError::new(field, "is empty (nothing was read from standard input)").into());
    }
    if value.contains('\n') {
        return Err(SettingsError::new(field, "spans several lines; give it on one line").into());
    }
    Ok(Secret::new(value))
}
