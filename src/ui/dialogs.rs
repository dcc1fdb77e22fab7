//! Modal questions: delete, unsaved changes, pin, trust a CA, import profiles that need a look. Esc or a click outside closes them.

use egui::{RichText, Ui};

use crate::app::Command;
use crate::app::state::{AppState, Dialog};

use super::theme;
use super::widgets::plural;

/// Draws the open dialog, if any.
pub fn dialog_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(dialog) = &state.dialog else { return };
    let modal = egui::Modal::new(egui::Id::unique("chroma-connect-dialog")).show(ui.ctx(), |ui| {
        ui.set_max_width(480.0);
        match dialog {
            Dialog::ConfirmDelete(name) => {
                ui.heading(format!("Delete {name}?"));
                ui.label("The profile and its saved token or password are removed. This cannot be undone.");
                buttons_ui(ui, commands, "Delete", Command::DeleteProfile(name.clone()), true);
            }
            Dialog::UnsavedChanges(next) => {
                let name = state.selected_name().unwrap_or("This profile");
                ui.heading("Unsaved changes");
                ui.label(format!("{name} has changes that are not saved."));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() {
                        commands.push(Command::SaveAndContinue);
                    }
                    let discard = if **next == Command::Quit { "Discard and quit" } else { "Discard" };
                    if ui.button(discard).clicked() {
                        commands.push(Command::DiscardAndContinue);
                    }
                    if ui.button("Cancel").clicked() {
                        commands.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::ConfirmPin { subject, sha256 } => {
                ui.heading("Trust this certificate?");
                ui.label(format!("Pin the certificate of {subject} in this profile."));
                ui.label("From now on the check, and every connection of this profile, fails when the server shows any other certificate — until you unpin it.");
                fingerprint_ui(ui, sha256);
                ui.label("Compare it with the fingerprint the server's operator gives you before you pin it.");
                buttons_ui(ui, commands, "Pin", Command::Pin(sha256.clone()), false);
            }
            Dialog::ConfirmImport { path, profiles, risks } => {
                ui.heading("Import these profiles?");
                let file = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
                ui.label(format!("{file} holds {}. Look at what some of them do first:", plural(profiles.len(), "profile")));
                ui.add_space(4.0);
                for (_, sentence) in risks {
                    ui.label(RichText::new(format!("!  {sentence}")).color(theme::palette(ui).bad));
                }
                ui.add_space(4.0);
                ui.label("Import them only if you know where this file comes from.");
                let flagged = profiles.iter().filter(|p| risks.iter().any(|(name, _)| *name == p.name)).count();
                ui.add_space(8.0);
                ui.horizontal_wrapped(|ui| {
                    if ui.button(RichText::new(format!("Import all {}", profiles.len())).strong()).clicked() {
                        commands.push(Command::ConfirmImport { skip_flagged: false });
                    }
                    let others = profiles.len() - flagged;
                    if others > 0 && ui.button(format!("Import only the other {}", plural(others, "profile"))).clicked() {
                        commands.push(Command::ConfirmImport { skip_flagged: true });
                    }
                    if ui.button("Cancel").clicked() {
                        commands.push(Command::CloseDialog);
                    }
                });
            }
            Dialog::ConfirmUseAsCa { index, subject, sha256 } => {
                ui.heading("Use this certificate as the CA file?");
                ui.label(format!(
                    "{subject} is saved in Chroma Connect's data folder and becomes this profile's CA file: the \
                     server is then verified against it (Only this CA file)."
                ));
                fingerprint_ui(ui, sha256);
                ui.label("Do this only if you trust this server: compare the fingerprint with what its operator gives you.");
                buttons_ui(ui, commands, "Use as CA file", Command::UseAsCa(*index), false);
            }
        }
    });
    if modal.should_close() && !commands.iter().any(is_dialog_answer) {
        commands.push(Command::CloseDialog);
    }
}

fn is_dialog_answer(command: &Command) -> bool {
    matches!(
        command,
        Command::DeleteProfile(_)
            | Command::SaveAndContinue
            | Command::DiscardAndContinue
            | Command::Pin(_)
            | Command::UseAsCa(_)
            | Command::ConfirmImport { .. }
            | Command::CloseDialog
    )
}

fn fingerprint_ui(ui: &mut Ui, sha256: &str) {
    theme::card(ui).show(ui, |ui| {
        ui.label(RichText::new("SHA-256").strong());
        ui.add(egui::Label::new(RichText::new(sha256).monospace()).selectable(true).wrap());
    });
}

fn buttons_ui(ui: &mut Ui, commands: &mut Vec<Command>, yes: &str, command: Command, danger: bool) {
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        let text = if danger {
            RichText::new(yes).color(theme::palette(ui).bad).strong()
        } else {
            RichText::new(yes).strong()
        };
        if ui.button(text).clicked() {
            commands.push(command);
        }
        if ui.button("Cancel").clicked() {
            commands.push(Command::CloseDialog);
        }
    });
}
