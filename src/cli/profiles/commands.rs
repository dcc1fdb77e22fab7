//! The `profiles` subcommands.

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};

use serde_json::{Value, json};

use crate::profile::{
    ConflictPolicy, ImportRisk, Imported, Profile, ProfileAuth, StoreError, UpdateOptions, export_profiles,
    parse_endpoint, parse_import, profile_from_chroma_env,
};

use crate::tls::{FileRole, summarize_file};

use super::super::check::summary_text;
use super::apply::{apply_add, apply_edit};
use super::args::{AddArgs, EditArgs, ExportArgs, ImportArgs, ListArgs, OnConflict, RemoveArgs, ShowArgs};
use super::describe::{changes, env_warnings, profile_json, secret_sentence, secret_status, trust_text, verify_text};
use super::pin::pin_current;
use super::{Failure, Home, err_line, out, out_text, pretty, shell_word};

pub(super) fn list(args: &ListArgs) -> Result<(), Failure> {
    let home = Home::open()?;
    let store = &home.store;
    if args.json {
        let profiles: Vec<Value> = store.profiles().iter().map(profile_json).collect();
        let broken: Vec<Value> = store.broken().iter().map(|b| json!({ "name": b.name, "error": b.error })).collect();
        out(&format!("{}\n", pretty(&json!({ "file": store.path(), "profiles": profiles, "broken": broken }))));
        return Ok(());
    }
    if store.profiles().is_empty() && store.broken().is_empty() {
        out_text(&format!(
            "No profiles yet. Add one with: chroma-connect profiles add NAME URL\n(profiles are kept in {})\n",
            store.path().display()
        ));
        return Ok(());
    }
    let rows: Vec<[String; 4]> = store
        .profiles()
        .iter()
        .map(|p| {
            let mut name = p.name.clone();
            if p.read_only {
                name.push_str(" (read-only)");
            }
            [name, p.display_url(), p.connection.auth.describe(), trust_text(p)]
        })
        .collect();
    let header = ["NAME".to_owned(), "URL".to_owned(), "AUTH".to_owned(), "TRUST".to_owned()];
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ");
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    for broken in store.broken() {
        let _ = writeln!(text, "{}  cannot be read (kept in the file as written): {}", broken.name, broken.error);
    }
    out_text(&text);
    Ok(())
}

pub(super) fn show(args: &ShowArgs) -> Result<(), Failure> {
    let home = Home::open()?;
    let profile = home.require(&args.name)?;
    let secret = secret_status(profile, &home.secrets);
    if args.json {
        let mut value = profile_json(profile);
        if let Value::Object(map) = &mut value {
            map.insert("secret".to_owned(), json!({ "kind": secret.kind, "description": secret.text }));
        }
        out(&format!("{}\n", pretty(&value)));
        return Ok(());
    }
    let mut lines: Vec<(&str, String)> = vec![("url", profile.display_url()), ("verify", verify_text(profile))];
    // What the files hold (read now, relative paths from the current directory).
    let file =
        |path: &std::path::Path, role| format!("{}: {}", path.display(), summary_text(&summarize_file(path, role)));
    if let Some(path) = profile.ca_file() {
        // The verify line names the file already.
        lines.push(("ca file", summary_text(&summarize_file(path, FileRole::CaCertificates))));
    }
    if let Some(cert) = &profile.connection.client_cert {
        lines.push(("client cert", file(cert, FileRole::ClientCertificate)));
    }
    if let Some(key) = &profile.connection.client_key {
        lines.push(("client key", file(key, FileRole::PrivateKey)));
    }
    if let Some(name) = &profile.connection.server_name {
        lines.push(("server name", name.clone()));
    }
    lines.push(("auth", profile.connection.auth.describe()));
    if profile.connection.auth != ProfileAuth::None {
        lines.push(("secret", secret.text.clone()));
    }
    lines.push(("tenant", profile.connection.tenant.clone()));
    lines.push(("database", profile.connection.database.clone()));
    lines.push((
        "timeouts",
        format!(
            "request {} s, connect {} s",
            profile.connection.request_timeout.as_secs_f64(),
            profile.connection.connect_timeout.as_secs_f64()
        ),
    ));
    if let Some(pin) = &profile.connection.pinned_sha256 {
        lines.push(("pinned", format!("sha256 {pin}")));
    }
    if profile.read_only {
        lines.push(("read-only", "yes: the app will not change data on this server through this profile".to_owned()));
    }
    if !profile.notes.is_empty() {
        lines.push(("notes", profile.notes.clone()));
    }
    let mut text = format!("Profile {}\n", profile.name);
    for (label, value) in lines {
        let _ = writeln!(text, "  {label:<12} {value}");
    }
    out_text(&text);
    Ok(())
}

pub(super) async fn add(args: AddArgs) -> Result<(), Failure> {
    let AddArgs { name, url, settings, profile: profile_flags } = args;
    let mut home = Home::open()?;
    // Before reading a secret from standard input for nothing.
    if let Some(existing) = home.store.profiles().iter().find(|p| p.name.to_lowercase() == name.to_lowercase()) {
        let existing = existing.name.clone();
        return Err(Failure::usage(format!(
            "a profile named {existing} already exists; change it with: chroma-connect profiles edit {} ...",
            shell_word(&existing)
        )));
    }
    let mut profile = Profile::new(name, parse_endpoint("url", &url)?);
    let secret = apply_add(&mut profile, &settings, &profile_flags)?;
    if profile_flags.pin_current {
        pin_current(&mut profile).await?;
    }
    if let Err(err) = profile.validate() {
        return Err(err.into());
    }
    let location = home.store.add(profile.clone(), secret.as_ref(), &home.secrets)?;
    let mut text =
        format!("Saved profile {} ({}) in {}.\n", profile.name, profile.display_url(), home.store.path().display());
    text.push_str(&secret_sentence(&profile, location.as_ref(), &home.secrets));
    let _ = writeln!(text, "Check it with: chroma-connect check --profile {}", shell_word(&profile.name));
    out_text(&text);
    for warning in env_warnings(&profile) {
        err_line(&format!("warning: {warning}"));
    }
    Ok(())
}

pub(super) async fn edit(args: EditArgs) -> Result<(), Failure> {
    let mut home = Home::open()?;
    let current = home.require(&args.name)?.clone();
    // Apply the flags to a copy first (reading a secret, pinning), then save them onto the profile as it is on
    // disk at that moment: another instance's changes to other profiles are kept.
    let mut edited = current.clone();
    let secret = apply_edit(&mut edited, &args)?;
    if args.profile.pin_current {
        pin_current(&mut edited).await?;
    }
    if edited == current && secret.is_none() {
        out_text(&format!("Profile {} unchanged: no setting was given.\n", current.name));
        return Ok(());
    }
    let new = edited.clone();
    let updated = home.store.update(
        &args.name,
        &home.secrets,
        UpdateOptions { expected: Some(&current), new_secret: secret.as_ref() },
        move |profile| {
            *profile = new;
            Ok(())
        },
    )?;
    let after = &updated.after;
    let mut text = if after.name == updated.before.name {
        format!("Updated profile {} ({}).\n", after.name, after.display_url())
    } else {
        format!("Renamed profile {} to {} ({}).\n", updated.before.name, after.name, after.display_url())
    };
    for change in changes(&updated.before, after) {
        let _ = writeln!(text, "  {change}");
    }
    if secret.is_some() || after.name != updated.before.name || after.connection.auth != updated.before.connection.auth
    {
        text.push_str(&secret_sentence(after, updated.secret.as_ref(), &home.secrets));
    }
    out_text(&text);
    for warning in updated.warnings.iter().cloned().chain(env_warnings(after)) {
        err_line(&format!("warning: {warning}"));
    }
    Ok(())
}

pub(super) fn remove(args: &RemoveArgs) -> Result<(), Failure> {
    let mut home = Home::open()?;
    if home.store.get(&args.name).is_none() && home.store.broken().iter().any(|b| b.name == args.name) {
        home.store.remove_broken(&args.name)?;
        out_text(&format!("Removed the unreadable entry {}.\n", args.name));
        return Ok(());
    }
    let removed = home.store.remove(&args.name, &home.secrets)?;
    let noun = removed.profile.connection.auth.secret_noun().unwrap_or("secret");
    let mut text = format!("Removed profile {} ({}).\n", removed.profile.name, removed.profile.display_url());
    match removed.secret_deleted {
        Ok(true) => {
            let _ = writeln!(text, "Its saved {noun} was deleted.");
        }
        Ok(false) => {}
        Err(err) => err_line(&format!("warning: its saved {noun} could not be deleted: {err}")),
    }
    out_text(&text);
    Ok(())
}

pub(super) fn export(args: &ExportArgs) -> Result<(), Failure> {
    let home = Home::open()?;
    let profiles: Vec<&Profile> = if args.names.is_empty() {
        home.store.profiles().iter().collect()
    } else {
        args.names.iter().map(|name| home.require(name)).collect::<Result<_, _>>()?
    };
    if profiles.is_empty() {
        return Err(Failure::usage("there are no profiles to export"));
    }
    let text = export_profiles(&profiles).map_err(|err| Failure::problem(err.to_string()))?;
    let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
    let summary = format!(
        "Exported {} profile{} ({}) without secrets: tokens and passwords stay in this machine's keychain; paths \
         are as given.",
        profiles.len(),
        if profiles.len() == 1 { "" } else { "s" },
        names.join(", ")
    );
    if args.file.as_os_str() == "-" {
        out(&text);
        err_line(&summary);
        return Ok(());
    }
    if args.file.exists() && !args.force {
        return Err(Failure::usage(format!(
            "{} exists; give --force to overwrite it, or another file name",
            args.file.display()
        )));
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&args.file)
        .and_then(|mut file| file.write_all(text.as_bytes()).and_then(|()| file.sync_all()))
        .map_err(|err| Failure::problem(format!("cannot write {}: {err}", args.file.display())))?;
    out_text(&format!("{summary}\nWritten to {}.\n", args.file.display()));
    Ok(())
}

pub(super) fn import(args: &ImportArgs) -> Result<(), Failure> {
    let mut home = Home::open()?;
    let policy = match args.on_conflict {
        None => ConflictPolicy::Refuse,
        Some(OnConflict::Rename) => ConflictPolicy::Rename,
        Some(OnConflict::Replace) => ConflictPolicy::Replace,
    };
    let mut notes = Vec::new();
    let (profiles, from) = if args.from_env {
        let found = profile_from_chroma_env(args.name.as_deref(), |var| std::env::var(var).ok())?;
        notes = found.notes;
        let from = found.used.join(", ");
        (vec![(found.profile, found.secret)], from)
    } else {
        let file = args.file.clone().unwrap_or_default();
        let text = if file.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|err| Failure::problem(format!("cannot read standard input: {err}")))?;
            text
        } else {
            std::fs::read_to_string(&file)
                .map_err(|err| Failure::usage(format!("cannot read {}: {err}", file.display())))?
        };
        let profiles = parse_import(&text).map_err(|err| Failure::usage(format!("{err}: {}", file.display())))?;
        (profiles.into_iter().map(|p| (p, None)).collect(), file.display().to_string())
    };
    let imported = home.store.import(profiles, policy, &home.secrets).map_err(|err| match err {
        StoreError::ImportConflicts { .. } => {
            Failure::usage(format!("{err} (--on-conflict rename or --on-conflict replace)"))
        }
        other => other.into(),
    })?;
    let mut text =
        format!("Imported {} profile{} from {from}:\n", imported.len(), if imported.len() == 1 { "" } else { "s" });
    for item in &imported {
        let _ = writeln!(text, "  {}", imported_line(item));
    }
    for note in notes {
        let _ = writeln!(text, "  note: {note}");
    }
    for item in &imported {
        if let Some(profile) = home.store.get(&item.saved_as) {
            if let Some(location) = &item.secret {
                let noun = profile.connection.auth.secret_noun().unwrap_or("secret");
                let _ = writeln!(text, "{}: {}.", profile.name, location.describe(noun, &profile.name));
            }
            if item.needs_secret {
                let (noun, flag) = match profile.connection.auth {
                    ProfileAuth::Basic { .. } => ("password", "--password-stdin"),
                    _ => ("token", "--token-stdin"),
                };
                let _ = writeln!(
                    text,
                    "{} needs its {noun}: chroma-connect profiles edit {} {flag}",
                    profile.name,
                    shell_word(&profile.name)
                );
            }
        }
    }
    out_text(&text);
    for item in &imported {
        if let Some(profile) = home.store.get(&item.saved_as) {
            for warning in import_warnings(profile) {
                err_line(&format!("warning: {warning}"));
            }
        }
    }
    Ok(())
}

/// What an imported profile does that the user should know before using it (the core's [`ImportRisk`]), with the
/// command that changes it.
pub(super) fn import_warnings(profile: &Profile) -> Vec<String> {
    ImportRisk::of(profile)
        .iter()
        .map(|risk| {
            let remedy = match risk {
                ImportRisk::VerificationOff => format!(
                    " (change it with: chroma-connect profiles edit {} --verify-system, or --ca-file PATH)",
                    shell_word(&profile.name)
                ),
                ImportRisk::SecretFromEnv(_) => String::new(),
            };
            format!("imported profile {}{remedy}", risk.sentence(profile))
        })
        .collect()
}

fn imported_line(item: &Imported) -> String {
    match (item.replaced, item.name == item.saved_as) {
        (true, _) => format!("{} (replaced the existing profile)", item.saved_as),
        (false, true) => item.saved_as.clone(),
        (false, false) => format!("{} as {} (the name {} exists)", item.name, item.saved_as, item.name),
    }
}
