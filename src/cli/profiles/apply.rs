//! Turning the flags of `add` and `edit` into changes of a profile: the settings flags through the core's
//! [`SettingsPatch`](crate::profile::SettingsPatch), like every command's, plus what only a profile has.

use crate::cli::settings_flags::SettingsFlags;
use crate::profile::{
    AuthChange, Endpoint, Profile, Scheme, Secret, SettingsError, Verify, endpoint_from_parts, host_has_port,
    parse_endpoint,
};

use super::Failure;
use super::args::{EditArgs, ProfileFlags};

/// Applies `add`'s flags to a new `profile`; returns the secret to save, if one was given.
pub(super) fn apply_add(
    profile: &mut Profile,
    settings: &SettingsFlags,
    flags: &ProfileFlags,
) -> Result<Option<Secret>, Failure> {
    let patch = settings.to_patch(&format!("profile {}", profile.name))?;
    let secret = patch.apply(&mut profile.connection)?;
    apply_profile_flags(profile, flags);
    Ok(secret)
}

/// Applies `edit`'s flags to `profile`; returns the secret to save, if one was given.
pub(super) fn apply_edit(profile: &mut Profile, args: &EditArgs) -> Result<Option<Secret>, Failure> {
    let mut patch = args.settings.to_patch(&format!("profile {}", args.rename.as_ref().unwrap_or(&profile.name)))?;
    if let Some(url) = &args.url {
        patch.endpoint = Some(parse_endpoint("url", url)?);
    } else if args.host.is_some() || args.port.is_some() {
        patch.endpoint = Some(edited_endpoint(&profile.connection.endpoint, args.host.as_deref(), args.port)?);
    }
    if args.verify_system {
        patch.verify = Some(Verify::System);
    }
    if args.no_server_name {
        patch.server_name = Some(None);
    }
    if args.unpin {
        patch.pinned_sha256 = Some(None);
    }
    if args.no_client_cert {
        patch.client_cert = Some(None);
        patch.client_key = Some(None);
    }
    if args.no_auth {
        patch.auth = Some(AuthChange::None);
    }
    let secret = patch.apply(&mut profile.connection)?;
    if let Some(new_name) = &args.rename {
        profile.name.clone_from(new_name);
    }
    if args.no_read_only {
        profile.read_only = false;
    }
    apply_profile_flags(profile, &args.profile);
    Ok(secret)
}

fn apply_profile_flags(profile: &mut Profile, flags: &ProfileFlags) {
    let ProfileFlags { pin_current: _, notes, read_only } = flags;
    if let Some(notes) = notes {
        profile.notes.clone_from(notes);
    }
    if *read_only {
        profile.read_only = true;
    }
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
