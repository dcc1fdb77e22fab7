//! The profile list on the left, and the welcome panel when there is no profile.

use egui::{RichText, Ui};

use crate::app::Command;
use crate::app::state::{AppState, StoreView};
use crate::profile::Profile;
use crate::snippet::Lang;

use super::{theme, widgets};

/// The list: search, actions, one row per profile (only visible rows are drawn).
pub fn profile_list_ui(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    ui.add_space(6.0);
    let search_label = ui.label("Search");
    let search = ui.add(
        egui::TextEdit::singleline(&mut state.search).hint_text("Name or URL (Ctrl+F)").desired_width(f32::INFINITY),
    );
    let search = search.labelled_by(search_label.id);
    if std::mem::take(&mut state.focus_search) {
        search.request_focus();
    }
    let selected = state.draft.as_ref().and_then(|d| d.saved_name()).map(str::to_owned);
    ui.horizontal_wrapped(|ui| {
        if ui.button("➕ New").on_hover_text("New profile (Ctrl+N)").clicked() {
            commands.push(Command::NewProfile);
        }
        ui.add_enabled_ui(selected.is_some(), |ui| {
            if ui.button("Duplicate").on_hover_text("A new profile with these settings").clicked()
                && let Some(name) = &selected
            {
                commands.push(Command::DuplicateProfile(name.clone()));
            }
            if ui.button("🗑 Delete").on_hover_text("Delete this profile and its saved secret").clicked()
                && let Some(name) = &selected
            {
                commands.push(Command::AskDeleteProfile(name.clone()));
            }
            ui.menu_button("Copy as code", |ui| {
                for lang in Lang::ALL {
                    if ui.button(lang.label()).clicked() {
                        commands.push(Command::CopySnippet(lang));
                    }
                }
            })
            .response
            .on_hover_text("The saved profile as another client's code; secrets are read from environment variables");
        });
        ui.menu_button("☰", |ui| import_export_items_ui(ui, commands)).response.on_hover_text("Import and export");
    });
    ui.separator();

    let needle = state.search.trim().to_lowercase();
    let profiles: Vec<&Profile> =
        state.store.profiles().iter().filter(|p| needle.is_empty() || matches(p, &needle)).collect();
    // A new, unsaved profile is listed first.
    if let Some(draft) = state.draft.as_ref().filter(|d| d.original.is_none()) {
        new_row_ui(ui, &draft.fields.name);
    }
    if profiles.is_empty() {
        let text = match &state.store {
            StoreView::Loading => "Opening the profiles…".to_owned(),
            _ if !needle.is_empty() => format!("No profile matches \"{}\".", state.search.trim()),
            _ => "No saved profile yet.".to_owned(),
        };
        ui.weak(text);
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show_rows(
        ui,
        theme::PROFILE_ROW_HEIGHT,
        profiles.len(),
        |ui, range| {
            for profile in profiles.get(range).unwrap_or_default() {
                let is_selected = selected.as_deref() == Some(profile.name.as_str());
                if row_ui(ui, state, profile, is_selected).clicked() && !is_selected {
                    commands.push(Command::SelectProfile(profile.name.clone()));
                }
            }
        },
    );
    if let StoreView::Ready { broken, .. } = &state.store
        && !broken.is_empty()
    {
        ui.separator();
        ui.colored_label(
            theme::palette(ui).warn,
            format!("{} entries of the profile file cannot be read:", broken.len()),
        )
        .on_hover_text("They are kept in the file as written; fix or remove them with a text editor or the CLI.");
        for entry in broken {
            ui.weak(format!("{}: {}", entry.name, entry.error));
        }
    }
}

/// The import and export entries of the profile menus.
pub fn import_export_items_ui(ui: &mut Ui, commands: &mut Vec<Command>) {
    if ui.button("Import…").clicked() {
        commands.push(Command::ImportProfiles);
    }
    if ui.button("Import from CHROMA_* environment").clicked() {
        commands.push(Command::ImportFromEnvironment);
    }
    if ui.button("Export all…").clicked() {
        commands.push(Command::ExportProfiles);
    }
}

fn matches(profile: &Profile, needle: &str) -> bool {
    profile.name.to_lowercase().contains(needle) || profile.display_url().to_lowercase().contains(needle)
}

/// One row: dot, name and URL; a selectable item for screen readers and tests.
fn row_ui(ui: &mut Ui, state: &AppState, profile: &Profile, selected: bool) -> egui::Response {
    let width = ui.available_width();
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(width, theme::PROFILE_ROW_HEIGHT - 4.0), egui::Sense::click());
    let health = state.health(&profile.name);
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &profile.name));
    let visuals = ui.style().interact_selectable(&response, selected);
    if selected || response.hovered() {
        ui.painter().rect_filled(rect, 4.0, visuals.weak_bg_fill);
    }
    let color = theme::health_color(ui, health);
    let dot = egui::pos2(rect.left() + 12.0, rect.center().y);
    if health == crate::app::state::Health::Unknown {
        ui.painter().circle_stroke(dot, 4.5, egui::Stroke::new(1.5, color));
    } else {
        ui.painter().circle_filled(dot, 5.0, color);
    }
    let text_left = rect.left() + 26.0;
    let last = state.prefs.last_checks.get(&profile.name);
    // The server's certificate expires within 30 days (from the last check): a badge at the right of the name.
    let expiry = last.and_then(|l| l.cert_days_left(std::time::SystemTime::now())).filter(|days| *days < 30);
    let mut right = rect.right() - 6.0;
    if let Some(days) = expiry {
        let p = theme::palette(ui);
        let (text, color) =
            if days < 0 { ("cert expired".to_owned(), p.bad) } else { (format!("cert {days} d"), p.warn) };
        let badge = ui.painter().layout_no_wrap(text, egui::FontId::proportional(11.0), color);
        right -= badge.size().x;
        ui.painter().with_clip_rect(rect).galley(egui::pos2(right, rect.top() + 6.0), badge, color);
        right -= 6.0;
    }
    let max_width = (rect.right() - text_left - 6.0).max(10.0);
    let name_width = (right - text_left).max(10.0);
    let name =
        ui.painter().layout(profile.name.clone(), egui::FontId::proportional(14.0), visuals.text_color(), name_width);
    let url = ui.painter().layout(
        profile.display_url(),
        egui::FontId::proportional(11.5),
        ui.visuals().weak_text_color(),
        max_width,
    );
    ui.painter().with_clip_rect(rect).galley(egui::pos2(text_left, rect.top() + 4.0), name, visuals.text_color());
    ui.painter().with_clip_rect(rect).galley(
        egui::pos2(text_left, rect.top() + 22.0),
        url,
        ui.visuals().weak_text_color(),
    );
    response.on_hover_ui(|ui| {
        ui.label(RichText::new(&profile.name).strong());
        ui.label(profile.display_url());
        ui.label(theme::health_text(health));
        if let Some(last) = last {
            ui.weak(format!("{} at {}", last.code, last.checked_at));
        }
        match expiry {
            Some(days) if days < 0 => {
                ui.colored_label(theme::palette(ui).bad, "The server's certificate has expired (at the last check).");
            }
            Some(days) => {
                ui.colored_label(
                    theme::palette(ui).warn,
                    format!(
                        "The server's certificate expires in {} (at the last check).",
                        widgets::plural(days, "day")
                    ),
                );
            }
            None => {}
        }
    })
}

fn new_row_ui(ui: &mut Ui, name: &str) {
    theme::card(ui).inner_margin(6).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            widgets::status_dot_ui(ui, crate::app::state::Health::Unknown);
            ui.label(RichText::new(name).strong());
            ui.weak("(new, not saved)");
        });
    });
}

/// Shown when there is no profile: what the app does and how to start.
pub fn welcome_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.add_space(32.0);
        ui.vertical_centered(|ui| {
            ui.set_max_width(560.0);
            ui.label(RichText::new("Welcome to Chroma Connect").size(24.0).strong());
            ui.add_space(8.0);
            ui.label(
                "Connect to a Chroma server with exactly the TLS trust you choose, and learn precisely why a \
                 connection fails: a step-by-step check, the server's certificate chain, and the one setting to \
                 change.",
            );
            ui.add_space(16.0);
            match &state.store {
                StoreView::Loading => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Opening the profiles…");
                    });
                }
                StoreView::Failed(err) => {
                    ui.colored_label(theme::palette(ui).bad, err);
                    ui.label(
                        "Nothing is written until this is solved; the CLI says the same: chroma-connect profiles list.",
                    );
                }
                StoreView::Ready { .. } => {
                    if ui.add(egui::Button::new(RichText::new("➕ Create a profile").size(16.0))).clicked() {
                        commands.push(Command::NewProfile);
                    }
                    ui.weak("Ctrl+N. Paste the server's URL, choose how to trust its certificate, then test it.");
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button("Import profiles…").clicked() {
                            commands.push(Command::ImportProfiles);
                        }
                        if ui.button("Import from CHROMA_* environment").clicked() {
                            commands.push(Command::ImportFromEnvironment);
                        }
                    });
                    ui.add_space(16.0);
                    ui.weak("Headless? The same checks run in a terminal:");
                    // Monospace: the proportional font draws "--" as a dash.
                    ui.label(
                        egui::RichText::new("chroma-connect check https://host:8000 --ca-file ca.pem")
                            .monospace()
                            .weak(),
                    );
                }
            }
        });
    });
}
