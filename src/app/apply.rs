//! Applying a [`Command`]: state changes, and background work started on the [`super::Backend`].

use std::fmt::Write as _;

use crate::profile::{Profile, Secret, Setting, normalize_sha256_fingerprint, profile_from_chroma_env};
use crate::tls::chain_pem;

use super::ChromaConnectApp;
use super::command::Command;
use super::draft::{Draft, Field};
use super::state::{CheckOutcome, CheckRun, Dialog, Discovery, FileCheck, NoticeLevel, Page, SecretInfo};

impl ChromaConnectApp {
    /// Carries out one command. Never blocks: anything slow goes to the backend.
    pub fn apply(&mut self, ctx: &egui::Context, command: Command) {
        if self.needs_unsaved_question(&command) {
            self.state.dialog = Some(Dialog::UnsavedChanges(Box::new(command)));
            return;
        }
        match command {
            Command::SelectProfile(name) => self.select(&name),
            Command::NewProfile => self.new_profile(),
            Command::DuplicateProfile(name) => self.duplicate(&name),
            Command::AskDeleteProfile(name) => self.state.dialog = Some(Dialog::ConfirmDelete(name)),
            Command::DeleteProfile(name) => {
                self.state.dialog = None;
                if self.state.draft.as_ref().is_some_and(|d| d.original.is_none() && d.fields.name == name) {
                    self.state.draft = None;
                    self.select_first();
                } else {
                    self.backend.delete(name);
                }
            }
            Command::SaveDraft => self.save_draft(),
            Command::RevertDraft => self.revert_draft(),
            Command::ImportProfiles => self.backend.import(),
            Command::ConfirmImport { skip_flagged } => self.confirm_import(skip_flagged),
            Command::CopySnippet(lang) => self.copy_snippet(ctx, lang),
            Command::ExportProfiles => self.export_profiles(),
            Command::ImportFromEnvironment => self.import_from_environment(),
            Command::ChooseFile(setting) => self.backend.choose_file(setting),
            Command::SetPath(setting, path) => {
                if let Some(draft) = &mut self.state.draft {
                    *draft.fields.path_mut(setting) = path.display().to_string();
                    draft.errors.remove(&Field::Setting(setting));
                }
                self.state.dialog_unavailable.remove(&setting);
                self.inspect(setting);
            }
            Command::InspectFile(setting) => self.inspect(setting),
            Command::DiscoverScope => self.discover(),
            Command::RunCheck => self.run_check(),
            Command::CancelCheck => self.cancel_check(),
            Command::CopyReport
            | Command::SaveReport
            | Command::SaveBundle
            | Command::SaveChainPem
            | Command::AskPin(_)
            | Command::Pin(_)
            | Command::Unpin
            | Command::AskUseAsCa(_)
            | Command::UseAsCa(_) => self.apply_report_command(ctx, command),
            Command::ShowPage(page) => self.state.prefs.page = page,
            Command::ExplainPaste => {
                self.state.paste.explain();
                ctx.request_repaint();
            }
            Command::GoToSetting(setting) => {
                self.state.prefs.page = Page::Connection;
                self.state.focus = Some(setting);
            }
            Command::SetTheme(theme) => self.state.prefs.theme = theme,
            Command::CloseDialog => self.state.dialog = None,
            Command::DiscardAndContinue => {
                if let Some(Dialog::UnsavedChanges(next)) = self.state.dialog.take() {
                    self.revert_draft();
                    self.continue_with(ctx, *next);
                }
            }
            Command::SaveAndContinue => {
                if let Some(Dialog::UnsavedChanges(next)) = self.state.dialog.take() {
                    self.state.after_save = Some(next);
                    self.save_draft();
                }
            }
            Command::CopyText(text) => {
                ctx.copy_text(text);
                self.state.notify(NoticeLevel::Info, "Copied.");
            }
            Command::DismissNotice(index) => {
                if index < self.state.notices.len() {
                    self.state.notices.remove(index);
                }
            }
            Command::OpenBrowser
            | Command::OpenCollection(_)
            | Command::CloseCollection
            | Command::LoadRecords { .. }
            | Command::SetPageSize(_)
            | Command::FindSimilar
            | Command::CloseSimilar
            | Command::ExportRecords
            | Command::CancelExport
            | Command::CancelBrowse => self.apply_browse(command),
            Command::Quit => {
                self.state.close_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// The commands about the last report and its certificate chain.
    fn apply_report_command(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::CopyReport => {
                if let Some(report) = self.state.selected_check().and_then(CheckRun::report) {
                    ctx.copy_text(report.to_text());
                    self.state.notify(NoticeLevel::Info, "Report copied (secrets are never in it).");
                }
            }
            Command::SaveReport => {
                if let Some(report) = self.state.selected_check().and_then(CheckRun::report) {
                    let name = format!("{}-check.json", file_stem(self.state.selected_name().unwrap_or("profile")));
                    self.backend.save_as("Save report", name, "json", report.to_json(), "Report".to_owned());
                }
            }
            Command::SaveBundle => {
                if let Some(run) = self.state.selected_check()
                    && let (Some(report), Some(checked)) = (run.report(), run.checked.clone())
                {
                    let name = format!("chroma-connect-{}-bundle.json", file_stem(&checked.name));
                    self.backend.save_bundle(name, report.clone(), checked);
                }
            }
            Command::SaveChainPem => {
                if let Some(report) = self.state.selected_check().and_then(CheckRun::report) {
                    let pem = chain_pem(&report.certificates);
                    let name = format!("{}-chain.pem", file_stem(self.state.selected_name().unwrap_or("server")));
                    let what = format!("Chain of {} certificate(s)", report.certificates.len());
                    self.backend.save_as("Save certificate chain", name, "pem", pem, what);
                }
            }
            Command::AskPin(index) => {
                if let Some(cert) = self.chain_cert(index) {
                    let (subject, sha256) = (cert.subject.clone(), cert.sha256.clone());
                    self.state.dialog = Some(Dialog::ConfirmPin { subject, sha256 });
                }
            }
            Command::Pin(sha256) => {
                self.state.dialog = None;
                match normalize_sha256_fingerprint("pinned_sha256", &sha256) {
                    Ok(pin) => self.change_pin(Some(pin)),
                    Err(err) => self.state.notify(NoticeLevel::Error, format!("Cannot pin: {err}")),
                }
            }
            Command::Unpin => self.change_pin(None),
            Command::AskUseAsCa(index) => {
                if let Some(cert) = self.chain_cert(index) {
                    let (subject, sha256) = (cert.subject.clone(), cert.sha256.clone());
                    self.state.dialog = Some(Dialog::ConfirmUseAsCa { index, subject, sha256 });
                }
            }
            Command::UseAsCa(index) => {
                self.state.dialog = None;
                let name = self.state.draft.as_ref().and_then(Draft::saved_name).map(str::to_owned);
                match (name, self.chain_cert(index)) {
                    (Some(name), Some(cert)) => self.backend.use_as_ca(name, cert.to_pem(), &cert.sha256),
                    _ => self.state.notify(NoticeLevel::Warning, "Save the profile first."),
                }
            }
            _ => {}
        }
    }

    /// Runs what the unsaved-changes question held back, now that the draft is saved or reverted.
    pub(super) fn continue_with(&mut self, ctx: &egui::Context, next: Command) {
        if next == Command::Quit {
            self.state.close_confirmed = true;
        }
        self.apply(ctx, next);
    }

    /// Copies the selected saved profile as code, and says which variables the code reads.
    fn copy_snippet(&mut self, ctx: &egui::Context, lang: crate::snippet::Lang) {
        let Some(profile) = self.state.selected_profile().cloned() else { return };
        let snippet = crate::snippet::snippet(&profile, lang);
        ctx.copy_text(snippet.text);
        let mut text = format!("Copied profile {} as {}.", profile.name, lang.label());
        for (var, what) in &snippet.env {
            let _ = write!(text, " Set {var} to {what}.");
        }
        if self.state.draft.as_ref().is_some_and(Draft::is_dirty) {
            text.push_str(" (The saved settings: the changes not saved yet are not in it.)");
        }
        self.state.notify(NoticeLevel::Info, text);
    }

    /// Exports every saved profile through the save dialog.
    fn export_profiles(&mut self) {
        let profiles = self.state.store.profiles().to_vec();
        if profiles.is_empty() {
            self.state.notify(NoticeLevel::Warning, "There are no profiles to export yet.");
        } else {
            self.backend.export(&profiles);
        }
    }

    /// Starts a new profile in the editor, on its URL.
    fn new_profile(&mut self) {
        let name = self.free_name("New profile");
        self.state.draft = Some(Draft::new_profile(&name));
        self.after_draft_change();
        self.state.prefs.page = Page::Connection;
        self.state.focus = Some(Setting::Url);
    }

    /// Imports the profiles of the open import question: all, or only those it did not name.
    fn confirm_import(&mut self, skip_flagged: bool) {
        let Some(Dialog::ConfirmImport { path, mut profiles, risks }) = self.state.dialog.take() else { return };
        if skip_flagged {
            profiles.retain(|profile| !risks.iter().any(|(name, _)| *name == profile.name));
        }
        if profiles.is_empty() {
            self.state.notify(NoticeLevel::Info, "Nothing imported.");
        } else {
            self.backend.import_profiles(path, profiles);
        }
    }

    /// True when `command` would throw away unsaved changes, so the user must be asked first.
    fn needs_unsaved_question(&self, command: &Command) -> bool {
        let Some(draft) = &self.state.draft else { return false };
        if !draft.is_dirty() || self.state.close_confirmed {
            return false;
        }
        match command {
            Command::SelectProfile(name) => draft.saved_name() != Some(name.as_str()),
            Command::NewProfile | Command::DuplicateProfile(_) | Command::ImportFromEnvironment | Command::Quit => true,
            _ => false,
        }
    }

    /// Shows the profile `name`.
    pub(super) fn select(&mut self, name: &str) {
        let Some(profile) = self.state.store.get(name).cloned() else {
            self.state.notify(NoticeLevel::Error, format!("There is no profile named {name}."));
            return;
        };
        if self.state.draft.as_ref().and_then(Draft::saved_name) == Some(name) {
            return;
        }
        self.state.draft = Some(Draft::of_profile(&profile));
        self.state.prefs.selected = Some(name.to_owned());
        self.after_draft_change();
    }

    /// Shows the first profile, or the welcome panel when there is none.
    pub(super) fn select_first(&mut self) {
        if let Some(name) = self.state.store.profiles().first().map(|p| p.name.clone()) {
            self.select(&name);
        } else {
            self.state.draft = None;
            self.state.prefs.selected = None;
        }
    }

    /// Refreshes what depends on the draft: file summaries, where the secret is, discovery.
    pub(super) fn after_draft_change(&mut self) {
        if self.state.browse.as_ref().is_some_and(|b| Some(b.profile.as_str()) != self.state.selected_name()) {
            self.state.browse = None;
        }
        self.state.files.clear();
        self.state.dialog_unavailable.clear();
        self.state.discovery = None;
        self.state.secret_info = None;
        for setting in [Setting::CaFile, Setting::ClientCert, Setting::ClientKey] {
            self.inspect(setting);
        }
        let Some(profile) = self.state.selected_profile().cloned() else { return };
        if profile.connection.auth.source().is_some() {
            self.state.secret_info = Some(SecretInfo::Looking);
            self.backend.secret_info(profile);
        }
    }

    pub(super) fn inspect(&mut self, setting: Setting) {
        let Some(draft) = &self.state.draft else { return };
        let path = draft.fields.path(setting).trim().to_owned();
        let unchanged =
            matches!(self.state.files.get(&setting), Some(FileCheck::Read { path: read, .. }) if *read == path);
        if path.is_empty() {
            self.state.files.remove(&setting);
        } else if !unchanged {
            let id = self.backend.next_id();
            self.state.files.insert(setting, FileCheck::Reading(id));
            self.backend.inspect_file(id, setting, path);
        }
    }

    fn duplicate(&mut self, name: &str) {
        let Some(profile) = self.state.store.get(name).cloned() else { return };
        let mut copy = profile;
        copy.name = self.free_name(&format!("{name} copy"));
        copy.connection.pinned_sha256 = None;
        let mut draft = Draft::of_profile(&copy);
        draft.original = None;
        self.state.draft = Some(draft);
        self.after_draft_change();
        self.state.prefs.page = Page::Connection;
        if copy.connection.auth.source().is_some() {
            self.state.notify(NoticeLevel::Info, "The copy needs its own secret: type it before saving.");
        }
    }

    fn import_from_environment(&mut self) {
        match profile_from_chroma_env(None, |var| std::env::var(var).ok()) {
            Ok(found) => {
                let mut profile = found.profile;
                profile.name = self.free_name(&profile.name);
                let mut draft = Draft::of_profile(&profile);
                draft.original = None;
                if let Some(secret) = found.secret {
                    secret.expose().clone_into(&mut draft.secret);
                }
                self.state.draft = Some(draft);
                self.after_draft_change();
                self.state.prefs.page = Page::Connection;
                let mut text = format!("Read {}: review and save.", found.used.join(", "));
                for note in found.notes {
                    text.push(' ');
                    text.push_str(&note);
                }
                self.state.notify(NoticeLevel::Info, text);
            }
            Err(err) => self.state.notify(
                NoticeLevel::Warning,
                format!("No profile from the environment: {err}. Set CHROMA_HOST (and CHROMA_PORT, CHROMA_SSL, ...)."),
            ),
        }
    }

    fn save_draft(&mut self) {
        let Some(draft) = &mut self.state.draft else { return };
        match draft.build() {
            Ok(profile) => {
                draft.errors.clear();
                let id = self.backend.next_id();
                self.state.saving = Some(id);
                let secret = draft.new_secret();
                let saved = draft.saved_name().map(str::to_owned);
                let expected = draft.original.clone();
                self.backend.save(id, saved, expected, profile, secret);
            }
            Err(errors) => {
                let first = errors.keys().next().copied();
                draft.errors = errors;
                self.state.after_save = None;
                self.show_field_errors(first);
            }
        }
    }

    fn show_field_errors(&mut self, first: Option<Field>) {
        self.state.prefs.page = Page::Connection;
        if let Some(Field::Setting(setting)) = first {
            self.state.focus = Some(setting);
        }
        self.state.notify(NoticeLevel::Error, "Some settings need a correction: see the fields marked in red.");
    }

    fn revert_draft(&mut self) {
        let Some(draft) = &self.state.draft else { return };
        if let Some(profile) = draft.original.clone() {
            self.state.draft = Some(Draft::of_profile(&profile));
            self.after_draft_change();
        } else {
            self.state.draft = None;
            self.select_first();
        }
    }

    /// The profile to check or discover with: the draft as edited, named as saved (its secret is found by that
    /// name), and the secret typed in the editor, if any.
    pub(super) fn draft_for_connection(&mut self) -> Option<(Profile, Option<Secret>)> {
        let draft = self.state.draft.as_mut()?;
        match draft.build() {
            Ok(mut profile) => {
                draft.errors.clear();
                if let Some(saved) = draft.saved_name() {
                    saved.clone_into(&mut profile.name);
                }
                let secret = draft.new_secret();
                Some((profile, secret))
            }
            Err(errors) => {
                let first = errors.keys().next().copied();
                draft.errors = errors;
                self.show_field_errors(first);
                None
            }
        }
    }

    fn run_check(&mut self) {
        let Some(name) = self.state.selected_name().map(str::to_owned) else { return };
        if self.state.checks.get(&name).is_some_and(CheckRun::is_running) {
            return;
        }
        let Some((profile, secret)) = self.draft_for_connection() else { return };
        let id = self.backend.next_id();
        let run = CheckRun {
            id,
            current: None,
            steps: Vec::new(),
            started: std::time::Instant::now(),
            outcome: CheckOutcome::Running,
            checked: Some(profile.clone()),
        };
        self.state.checks.insert(name, run);
        if self.state.prefs.page == Page::Connection {
            self.state.prefs.page = Page::Doctor;
        }
        self.backend.run_check(id, profile, secret);
    }

    fn cancel_check(&mut self) {
        let Some(name) = self.state.selected_name().map(str::to_owned) else { return };
        if let Some(run) = self.state.checks.get_mut(&name)
            && run.is_running()
        {
            self.backend.cancel_check(run.id);
            run.outcome = CheckOutcome::Cancelled;
            run.current = None;
        }
    }

    fn discover(&mut self) {
        let Some((profile, secret)) = self.draft_for_connection() else { return };
        let id = self.backend.next_id();
        self.state.discovery = Some(Discovery::Running(id));
        self.backend.discover(id, profile, secret);
    }

    fn change_pin(&mut self, pin: Option<String>) {
        let Some(draft) = &mut self.state.draft else { return };
        match draft.saved_name().map(str::to_owned) {
            Some(name) => {
                let what = match &pin {
                    Some(_) => {
                        format!("Pinned the certificate in {name}: a different certificate now fails the check.")
                    }
                    None => format!("Removed the pinned certificate of {name}."),
                };
                self.backend.change(name, what, move |p| p.connection.pinned_sha256 = pin);
            }
            None => draft.fields.pinned_sha256 = pin,
        }
    }

    fn chain_cert(&self, index: usize) -> Option<crate::tls::CertInfo> {
        self.state.selected_check()?.report()?.certificates.get(index).cloned()
    }

    /// `base`, or `base (2)`, `base (3)`, ... whichever no profile has (ignoring case).
    fn free_name(&self, base: &str) -> String {
        let taken = |name: &str| self.state.store.profiles().iter().any(|p| p.name.eq_ignore_ascii_case(name));
        if !taken(base) {
            return base.to_owned();
        }
        (2..=10_000).map(|n| format!("{base} ({n})")).find(|name| !taken(name)).unwrap_or_else(|| base.to_owned())
    }
}

/// A profile name as a file name.
fn file_stem(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect()
}
