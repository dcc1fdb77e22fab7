//! Applying a [`Message`] from a background task. Results of requests that are no longer awaited are dropped.

use crate::diagnose::CheckEvent;
use crate::profile::{ImportRisk, Profile, StoreError};

use super::backend::{Message, Snapshot, capitalize};
use super::command::Command;
use super::draft::{Draft, DraftFields, Field};
use super::state::{
    CheckOutcome, Dialog, Discovery, FileCheck, Health, LastCheck, NoticeLevel, SecretInfo, StoreView, health_of,
};
use super::{ChromaConnectApp, PickOutcome};

impl ChromaConnectApp {
    /// Applies one result.
    pub(super) fn receive(&mut self, message: Message) {
        match message {
            Message::Opened { snapshot, secret_target } => {
                self.state.secret_target = Some(secret_target);
                match snapshot {
                    Ok(snapshot) => {
                        self.apply_snapshot(snapshot);
                        self.select_at_start();
                    }
                    Err(err) => self.state.store = StoreView::Failed(capitalize(&err)),
                }
            }
            Message::Reloaded(snapshot) => self.reloaded(snapshot),
            Message::Saved { id, result, secret, snapshot } => {
                if let Some(snapshot) = snapshot {
                    self.apply_snapshot(snapshot);
                }
                if self.state.saving == Some(id) {
                    self.state.saving = None;
                    self.saved(result, secret);
                }
            }
            Message::Changed { result, what, snapshot } => {
                if let Some(snapshot) = snapshot {
                    self.apply_snapshot(snapshot);
                }
                match result {
                    Ok(profile) => {
                        self.rebase_kept_edits(&profile);
                        self.state.notify(NoticeLevel::Info, format!("{what}."));
                    }
                    Err(err) => self.state.notify(NoticeLevel::Error, capitalize(&err)),
                }
            }
            Message::Deleted { name, result, snapshot } => {
                if let Some(snapshot) = snapshot {
                    self.apply_snapshot(snapshot);
                }
                match result {
                    Ok(text) => {
                        self.state.checks.remove(&name);
                        self.state.prefs.last_checks.remove(&name);
                        if self.state.draft.as_ref().and_then(Draft::saved_name) == Some(name.as_str()) {
                            self.state.draft = None;
                            self.select_first();
                        }
                        self.state.notify(NoticeLevel::Info, text);
                    }
                    Err(err) => self.state.notify(NoticeLevel::Error, capitalize(&err)),
                }
            }
            Message::ImportRead { path, profiles } => self.import_read(path, profiles),
            Message::Imported { result, snapshot } => {
                if let Some(snapshot) = snapshot {
                    self.apply_snapshot(snapshot);
                }
                match result {
                    Ok(text) => {
                        self.state.notify(NoticeLevel::Info, text);
                        if self.state.draft.is_none() {
                            self.select_first();
                        }
                    }
                    Err(err) => self.state.notify(NoticeLevel::Error, err),
                }
            }
            Message::CheckEvent { profile, id, event } => self.check_event(&profile, id, event),
            Message::CheckDone { profile, id, result } => self.check_done(profile, id, result),
            Message::FileChosen { setting, outcome } => self.file_chosen(setting, outcome),
            Message::FileRead { setting, id, path, summary } => {
                if matches!(self.state.files.get(&setting), Some(FileCheck::Reading(awaited)) if *awaited == id) {
                    self.state.files.insert(setting, FileCheck::Read { path, summary });
                }
            }
            Message::SecretInfo { profile, result } => {
                if self.state.draft.as_ref().and_then(Draft::saved_name) == Some(profile.as_str()) {
                    self.state.secret_info = Some(match result {
                        Ok(text) => SecretInfo::Found(text),
                        Err(err) => SecretInfo::Error(err),
                    });
                }
            }
            Message::Discovered { id, result } => {
                if self.state.discovery == Some(Discovery::Running(id)) {
                    self.state.discovery = Some(match result {
                        Ok((tenants, databases, note)) => Discovery::Found { tenants, databases, note },
                        Err(err) => Discovery::Failed(capitalize(&err)),
                    });
                }
            }
            Message::BrowseOpened { .. }
            | Message::CollectionCounts { .. }
            | Message::RecordsLoaded { .. }
            | Message::SimilarLoaded { .. }
            | Message::ExportProgress { .. }
            | Message::ExportDone { .. } => self.receive_browse(message),
            Message::Wrote { result } => match result {
                Ok(text) => self.state.notify(NoticeLevel::Info, format!("{text}.")),
                Err(err) => self.state.notify(NoticeLevel::Error, err),
            },
        }
    }

    /// An import file was read: import it at once, or ask first when some profiles need a look.
    fn import_read(&mut self, path: std::path::PathBuf, profiles: Vec<Profile>) {
        let risks: Vec<(String, String)> = profiles
            .iter()
            .flat_map(|profile| {
                ImportRisk::of(profile).into_iter().map(|risk| (profile.name.clone(), risk.sentence(profile)))
            })
            .collect();
        if risks.is_empty() {
            self.backend.import_profiles(path, profiles);
        } else {
            self.state.dialog = Some(Dialog::ConfirmImport { path, profiles, risks });
        }
    }

    fn check_event(&mut self, profile: &str, id: super::state::RequestId, event: CheckEvent) {
        let Some(run) = self.state.checks.get_mut(profile) else { return };
        if run.id != id || !run.is_running() {
            return;
        }
        match event {
            CheckEvent::Started(step) => run.current = Some(step),
            CheckEvent::Finished(report) => {
                run.current = None;
                run.steps.retain(|s| s.step != report.step);
                run.steps.push(report);
            }
        }
    }

    fn check_done(
        &mut self,
        profile: String,
        id: super::state::RequestId,
        result: Result<Box<crate::diagnose::CheckReport>, Option<String>>,
    ) {
        self.backend.check_finished(id);
        let Some(run) = self.state.checks.get_mut(&profile) else { return };
        if run.id != id || !run.is_running() {
            return;
        }
        run.current = None;
        let last = match result {
            Ok(report) => {
                run.steps.clone_from(&report.steps);
                let last = LastCheck {
                    health: health_of(&report),
                    code: report.diagnosis.code.to_string(),
                    summary: report.diagnosis.summary.clone(),
                    checked_at: crate::tls::now_rfc3339(),
                    cert_not_after_unix: report.certificates.iter().map(|c| c.not_after_unix).min(),
                };
                run.outcome = CheckOutcome::Done(report);
                Some(last)
            }
            Err(None) => {
                run.outcome = CheckOutcome::Cancelled;
                None
            }
            Err(Some(err)) => {
                run.outcome = CheckOutcome::Failed(err.clone());
                Some(LastCheck {
                    health: Health::Failed,
                    code: "config.invalid".to_owned(),
                    summary: err,
                    checked_at: crate::tls::now_rfc3339(),
                    cert_not_after_unix: None,
                })
            }
        };
        // Only saved profiles remember their last check.
        if let Some(last) = last
            && self.state.store.get(&profile).is_some()
        {
            self.state.prefs.last_checks.insert(profile, last);
        }
    }

    fn file_chosen(&mut self, setting: crate::profile::Setting, outcome: PickOutcome) {
        match outcome {
            PickOutcome::Chosen(path) => {
                self.state.dialog_unavailable.remove(&setting);
                if let Some(draft) = &mut self.state.draft {
                    *draft.fields.path_mut(setting) = path.display().to_string();
                    draft.errors.remove(&Field::Setting(setting));
                }
                self.state.files.remove(&setting);
                self.inspect(setting);
            }
            PickOutcome::Cancelled => {}
            PickOutcome::Unavailable(reason) => {
                self.state.dialog_unavailable.insert(setting, reason);
            }
        }
    }

    fn apply_snapshot(&mut self, snapshot: Snapshot) {
        let Snapshot { profiles, broken, path, notices } = snapshot;
        for notice in notices {
            self.state.notify(NoticeLevel::Warning, capitalize(&notice));
        }
        self.state.store = StoreView::Ready { profiles, broken, path };
    }

    /// The first selection: `--profile`, else the one selected last time, else the first.
    fn select_at_start(&mut self) {
        let wanted = self.start.profile.take();
        let mut check = std::mem::take(&mut self.start.check);
        if let Some(name) = wanted {
            if let Some(name) = self.state.store.get(&name).map(|p| p.name.clone()) {
                self.select(&name);
                if check {
                    self.apply_without_ctx_check();
                }
                return;
            }
            // Checking another profile than the one asked for would mislead.
            check = false;
            self.state.notify(NoticeLevel::Error, format!("There is no profile named {name}."));
        }
        let remembered = self.state.prefs.selected.clone().filter(|name| self.state.store.get(name).is_some());
        match remembered {
            Some(name) => self.select(&name),
            None => self.select_first(),
        }
        if check && self.state.draft.is_some() {
            self.apply_without_ctx_check();
        }
    }

    fn apply_without_ctx_check(&mut self) {
        // `RunCheck` needs no context; the page is the doctor so the result shows at once.
        self.state.prefs.page = super::Page::Doctor;
        let ctx = self.backend_ctx();
        self.apply(&ctx, Command::RunCheck);
    }

    fn reloaded(&mut self, snapshot: Snapshot) {
        self.apply_snapshot(snapshot);
        let Some(draft) = &self.state.draft else { return };
        let Some(saved) = draft.saved_name().map(str::to_owned) else { return };
        match self.state.store.get(&saved).cloned() {
            Some(profile) if draft.original.as_ref() != Some(&profile) => {
                if draft.is_dirty() {
                    self.state.notify(
                        NoticeLevel::Warning,
                        format!(
                            "{saved} was changed by another program; saving now would be refused. Revert to see it."
                        ),
                    );
                } else {
                    self.state.draft = Some(Draft::of_profile(&profile));
                    self.after_draft_change();
                    self.state.notify(NoticeLevel::Info, format!("{saved} was changed by another program."));
                }
            }
            Some(_) => {}
            None => {
                if draft.is_dirty() {
                    if let Some(draft) = &mut self.state.draft {
                        draft.original = None;
                    }
                    self.state.notify(
                        NoticeLevel::Warning,
                        format!("{saved} was deleted by another program; saving will create it again."),
                    );
                } else {
                    self.state.notify(NoticeLevel::Info, format!("{saved} was deleted by another program."));
                    self.state.draft = None;
                    self.select_first();
                }
            }
        }
    }

    fn saved(&mut self, result: Result<Profile, StoreError>, secret: Option<String>) {
        match result {
            Ok(profile) => {
                let old = self.state.draft.as_ref().and_then(Draft::saved_name).map(str::to_owned);
                if let Some(old) = old.filter(|old| *old != profile.name) {
                    if let Some(run) = self.state.checks.remove(&old) {
                        self.state.checks.insert(profile.name.clone(), run);
                    }
                    if let Some(last) = self.state.prefs.last_checks.remove(&old) {
                        self.state.prefs.last_checks.insert(profile.name.clone(), last);
                    }
                }
                // A check of the new profile ran under its draft name: keep it.
                if let Some(draft) = &mut self.state.draft {
                    draft.rebase(&profile);
                }
                self.state.prefs.selected = Some(profile.name.clone());
                self.after_draft_change();
                let mut text = format!("Saved {}.", profile.name);
                if let Some(secret) = secret {
                    text.push(' ');
                    text.push_str(&capitalize(&secret));
                    text.push('.');
                }
                self.state.notify(NoticeLevel::Info, text);
                if let Some(next) = self.state.after_save.take() {
                    let ctx = self.backend_ctx();
                    self.continue_with(&ctx, *next);
                }
            }
            Err(err) => {
                self.state.after_save = None;
                if let StoreError::Invalid { source, .. } = &err
                    && let Some(draft) = &mut self.state.draft
                {
                    draft.errors.insert(Field::of_error(source), capitalize(&source.message));
                }
                if let StoreError::NameTaken { existing, .. } = &err
                    && let Some(draft) = &mut self.state.draft
                {
                    draft.errors.insert(Field::Name, format!("A profile named {existing} already exists."));
                }
                self.state.notify(NoticeLevel::Error, format!("Not saved: {}.", capitalize(&err.to_string())));
            }
        }
    }

    /// After an action changed the saved profile: a clean draft follows it; a draft with edits keeps them and
    /// takes only what the action changed.
    fn rebase_kept_edits(&mut self, profile: &Profile) {
        let Some(draft) = &mut self.state.draft else { return };
        if draft.saved_name() != Some(profile.name.as_str()) {
            return;
        }
        if draft.is_dirty() {
            let new = DraftFields::of(profile);
            draft.fields.pinned_sha256.clone_from(&new.pinned_sha256);
            draft.fields.verify = new.verify;
            draft.fields.ca_file.clone_from(&new.ca_file);
            draft.baseline = new;
            draft.original = Some(profile.clone());
        } else {
            draft.rebase(profile);
        }
        self.after_draft_change();
    }

    /// The egui context the backend wakes (the window's).
    fn backend_ctx(&self) -> egui::Context {
        self.backend.repaint_context()
    }
}
