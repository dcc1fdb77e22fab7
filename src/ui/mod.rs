//! Drawing: free `*_ui` functions that read the app state, change only what the user types into it, and return
//! [`Command`]s for everything else. Nothing here does network or file I/O.

mod browse;
mod certificates;
mod dialogs;
mod doctor;
mod editor;
mod profiles;
mod records;
pub mod theme;
mod widgets;

use egui::{Key, KeyboardShortcut, Modifiers, Ui};

use crate::app::Command;
use crate::app::state::{AppState, Page, StoreView, ThemeChoice};
use crate::profile::Verify;

/// Draws the whole window; returns what the user asked for.
pub fn app_ui(ui: &mut Ui, state: &mut AppState) -> Vec<Command> {
    let mut commands = Vec::new();
    shortcuts_ui(ui, state, &mut commands);
    egui::Panel::top("top_bar").show(ui, |ui| top_bar_ui(ui, state, &mut commands));
    egui::Panel::bottom("status_bar").show(ui, |ui| status_bar_ui(ui, state, &mut commands));
    let has_profiles = !state.store.profiles().is_empty() || state.draft.is_some();
    if has_profiles {
        egui::Panel::left("profiles_panel")
            .resizable(true)
            .default_size(270.0)
            .size_range(200.0..=480.0)
            .show(ui, |ui| profiles::profile_list_ui(ui, state, &mut commands));
    }
    egui::CentralPanel::default().show(ui, |ui| {
        if state.draft.is_some() {
            selected_ui(ui, state, &mut commands);
        } else {
            profiles::welcome_ui(ui, state, &mut commands);
        }
    });
    dialogs::dialog_ui(ui, state, &mut commands);
    commands
}

fn shortcuts_ui(ui: &Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let shortcut = |key| KeyboardShortcut::new(Modifiers::COMMAND, key);
    ui.ctx().input_mut(|input| {
        if input.consume_shortcut(&shortcut(Key::N)) {
            commands.push(Command::NewProfile);
        }
        if input.consume_shortcut(&shortcut(Key::S)) {
            commands.push(Command::SaveDraft);
        }
        if input.consume_shortcut(&shortcut(Key::Enter)) {
            commands.push(Command::RunCheck);
        }
        if input.consume_shortcut(&shortcut(Key::F)) {
            state.focus_search = true;
        }
        if state.dialog.is_some() && input.consume_key(Modifiers::NONE, Key::Escape) {
            commands.push(Command::CloseDialog);
        }
    });
}

fn top_bar_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.add_space(4.0);
        ui.heading("Chroma Connect");
        ui.separator();
        ui.menu_button("Profiles", |ui| {
            if ui.add(egui::Button::new("New profile").shortcut_text("Ctrl+N")).clicked() {
                commands.push(Command::NewProfile);
            }
            profiles::import_export_items_ui(ui, commands);
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.horizontal(|ui| {
                let mut theme = state.prefs.theme;
                // Right to left: the combo box first, then its label to its left.
                let combo = egui::ComboBox::from_id_salt("theme").selected_text(theme_label(theme)).width(120.0);
                let combo = combo.show_ui(ui, |ui| {
                    for choice in [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark] {
                        ui.selectable_value(&mut theme, choice, theme_label(choice));
                    }
                });
                let label = ui.label("Theme");
                let _ = combo.response.labelled_by(label.id);
                if theme != state.prefs.theme {
                    commands.push(Command::SetTheme(theme));
                }
            });
        });
    });
}

fn theme_label(theme: ThemeChoice) -> &'static str {
    match theme {
        ThemeChoice::System => "💻 System",
        ThemeChoice::Light => "☀ Light",
        ThemeChoice::Dark => "🌙 Dark",
    }
}

fn status_bar_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    for (index, notice) in state.notices.iter().enumerate() {
        let color = theme::notice_color(ui, notice.level);
        theme::outlined_card(ui, color).inner_margin(6).show(ui, |ui| {
            ui.horizontal(|ui| {
                if ui.small_button("✖").on_hover_text("Dismiss").clicked() {
                    commands.push(Command::DismissNotice(index));
                }
                ui.add(egui::Label::new(egui::RichText::new(&notice.text).color(color)).wrap());
            });
        });
    }
    ui.horizontal(|ui| {
        let store = match &state.store {
            StoreView::Loading => "Opening the profiles…".to_owned(),
            StoreView::Ready { path, profiles, .. } => {
                format!("{} in {}", widgets::plural(profiles.len(), "profile"), path.display())
            }
            StoreView::Failed(_) => "The profiles cannot be used (see above)".to_owned(),
        };
        ui.weak(store);
        if let Some(target) = &state.secret_target {
            ui.separator();
            let short = if target.contains("keychain") && !target.contains("no keychain") {
                "Secrets: OS keychain"
            } else {
                "Secrets: fallback file (no keychain)"
            };
            ui.weak(short).on_hover_text(target);
        }
    });
}

/// The header, the banner and the page of the selected profile.
fn selected_ui(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let Some(draft) = &state.draft else { return };
    let name = draft.saved_name().unwrap_or(&draft.fields.name).to_owned();
    let dirty = draft.is_dirty();
    let read_only = draft.fields.read_only;
    let verify_off = draft.fields.verify == crate::app::VerifyChoice::Off;
    let saved_off = state.selected_profile().is_some_and(|p| p.connection.verify == Verify::Off);
    let is_tls = draft.fields.url.trim_start().to_ascii_lowercase().starts_with("https");
    ui.horizontal(|ui| {
        ui.heading(egui::RichText::new(&name).strong());
        if dirty {
            ui.label(egui::RichText::new("✏ Unsaved changes").color(theme::palette(ui).warn))
                .on_hover_text("Ctrl+S saves");
        }
        if read_only {
            ui.label(egui::RichText::new("read-only").color(theme::palette(ui).muted))
                .on_hover_text("This profile is marked read-only: Chroma Connect offers no writes through it");
        }
    });
    ui.weak(&draft.fields.url);
    if verify_off && is_tls {
        widgets::danger_banner_ui(
            ui,
            "Certificate verification is OFF for this profile: anyone between you and the server can read and \
             change the traffic, tokens included.",
            commands,
        );
    } else if saved_off && is_tls {
        ui.colored_label(
            theme::palette(ui).bad,
            "⚠ The saved profile still has verification off: save (Ctrl+S) to turn it on.",
        );
    }
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        for page in Page::ALL {
            let selected = state.prefs.page == page;
            if ui.selectable_label(selected, egui::RichText::new(page.title()).size(15.0)).clicked() && !selected {
                commands.push(Command::ShowPage(page));
            }
        }
    });
    ui.separator();
    match state.prefs.page {
        Page::Connection => editor::editor_ui(ui, state, commands),
        Page::Doctor => doctor::doctor_ui(ui, state, commands),
        Page::Certificates => certificates::certificates_ui(ui, state, commands),
        Page::Browse => browse::browse_ui(ui, state, commands),
    }
}
