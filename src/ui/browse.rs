//! The browser: tenant and database, the collections table (filter, sort, counts as they arrive), and the records
//! view of an open collection.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::app::Command;
use crate::app::browse::{BrowseFailure, BrowseState, CollectionColumn, CollectionsView, Remote};
use crate::app::state::AppState;

use super::{records, theme, widgets};

/// Height of a row of the collections table.
const ROW_HEIGHT: f32 = 22.0;

/// Draws the browse page of the selected profile.
pub fn browse_ui(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let name = state.selected_name().unwrap_or_default().to_owned();
    let Some(browse) = state.browse.as_mut().filter(|b| b.profile == name) else {
        // First visit: open it (once: the command marks it as loading).
        commands.push(Command::OpenBrowser);
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Connecting…");
        });
        return;
    };
    let session_ok = browse.session().is_some();
    if let Some(records) = &mut browse.records {
        records::records_ui(ui, records, session_ok, commands);
        return;
    }
    scope_bar_ui(ui, browse, commands);
    if let Some(failure) = browse.opened.failure() {
        failure_ui(ui, failure, commands);
    }
    ui.add_space(6.0);
    match &browse.opened {
        Remote::Loading { previous: None, .. } => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Connecting and listing the collections…");
                if ui.button("Cancel").clicked() {
                    commands.push(Command::CancelBrowse);
                }
            });
        }
        Remote::Idle => {
            widgets::empty_state_ui(ui, "Not connected", "Connect to list this database's collections.");
            ui.vertical_centered(|ui| {
                if ui.button("Connect").clicked() {
                    commands.push(Command::OpenBrowser);
                }
            });
        }
        _ => collections_ui(ui, &mut browse.collections, commands),
    }
}

fn scope_bar_ui(ui: &mut Ui, browse: &mut BrowseState, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        let tenant_label = ui.label("Tenant");
        let tenant =
            ui.add(egui::TextEdit::singleline(&mut browse.tenant).desired_width(150.0)).labelled_by(tenant_label.id);
        let database_label = ui.label("Database");
        let databases = browse.opened.value().map(|o| o.databases.clone()).unwrap_or_default();
        let mut chosen = None;
        if databases.len() > 1 {
            let combo = egui::ComboBox::from_id_salt("database").selected_text(&browse.database).width(180.0).show_ui(
                ui,
                |ui| {
                    for database in &databases {
                        if ui.selectable_label(*database == browse.database, database).clicked() {
                            chosen = Some(database.clone());
                        }
                    }
                },
            );
            let _ = combo.response.labelled_by(database_label.id);
        } else {
            let field = ui.add(egui::TextEdit::singleline(&mut browse.database).desired_width(180.0));
            let field = field.labelled_by(database_label.id);
            if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                commands.push(Command::OpenBrowser);
            }
        }
        if let Some(database) = chosen.filter(|d| *d != browse.database) {
            browse.database = database;
            commands.push(Command::OpenBrowser);
        }
        if tenant.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            commands.push(Command::OpenBrowser);
        }
        if ui.button("⟳ Refresh").on_hover_text("List the collections again").clicked() {
            commands.push(Command::OpenBrowser);
        }
        // While refreshing (the first connection has its own Cancel below).
        if browse.opened.is_loading() && browse.opened.value().is_some() {
            ui.spinner();
            if ui.button("Cancel").clicked() {
                commands.push(Command::CancelBrowse);
            }
        }
        if let Some(opened) = browse.opened.value() {
            let listed = if opened.databases_listed { "" } else { " · the server cannot list databases: type one" };
            ui.weak(format!("Chroma {} · API {}{listed}", opened.version, opened.scope.api.as_str()));
        }
    });
}

/// A browsing failure: the doctor's diagnosis, the server's words, and a way to run the check.
pub fn failure_ui(ui: &mut Ui, failure: &BrowseFailure, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    theme::outlined_card(ui, p.bad).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("✖").color(p.bad).strong());
            widgets::code_chip_ui(ui, failure.diagnosis.code.as_str(), commands);
        });
        ui.add(egui::Label::new(RichText::new(widgets::shown(&failure.diagnosis.summary)).strong()).wrap());
        if let Some(message) = &failure.server_message {
            ui.add(egui::Label::new(format!("The server said: {}", widgets::shown(message))).wrap());
        }
        if !failure.diagnosis.hint.is_empty() {
            ui.add(egui::Label::new(widgets::shown(&failure.diagnosis.hint)).wrap());
        }
        ui.horizontal(|ui| {
            if let Some(setting) = failure.diagnosis.setting
                && ui.button(format!("✏ Change {}", setting.label())).clicked()
            {
                commands.push(Command::GoToSetting(setting));
            }
            if ui.button("▶ Run the connection check").clicked() {
                commands.push(Command::ShowPage(crate::app::Page::Doctor));
                commands.push(Command::RunCheck);
            }
        });
    });
}

#[expect(clippy::too_many_lines, reason = "one table: its header, columns and rows are built in one place")]
fn collections_ui(ui: &mut Ui, view: &mut CollectionsView, commands: &mut Vec<Command>) {
    let shown = view.visible();
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(egui::TextEdit::singleline(&mut view.filter).hint_text("name or id").desired_width(220.0))
            .labelled_by(label.id);
        let total = view.rows.len();
        let text = if shown.len() == total {
            widgets::plural(total, "collection")
        } else {
            format!("{} of {}", shown.len(), widgets::plural(total, "collection"))
        };
        ui.weak(text);
        if view.counting > 0 {
            ui.spinner();
            ui.weak(format!("counting records… {} to go", view.counting));
        }
    });
    if view.rows.is_empty() {
        widgets::empty_state_ui(
            ui,
            "No collections",
            "This database has no collections yet. Choose another database above, or create collections with a \
             Chroma client.",
        );
        return;
    }
    let mut sort_by = None;
    let available = ui.available_height();
    TableBuilder::new(ui)
        .id_salt("collections")
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(200.0).at_least(100.0).clip(true))
        .column(Column::initial(110.0).at_least(60.0).clip(true))
        .column(Column::initial(80.0).at_least(60.0))
        .column(Column::initial(50.0).at_least(40.0))
        .column(Column::initial(60.0).at_least(40.0))
        .column(Column::remainder().at_least(100.0).clip(true))
        .min_scrolled_height(0.0)
        .max_scroll_height(available)
        .header(24.0, |mut header| {
            for (title, column) in [
                ("Name", Some(CollectionColumn::Name)),
                ("Id", None),
                ("Records", Some(CollectionColumn::Count)),
                ("Dim", Some(CollectionColumn::Dimension)),
                ("Space", Some(CollectionColumn::Space)),
                ("Metadata", None),
            ] {
                header.col(|ui| {
                    let arrow = match column {
                        Some(c) if c == view.sort => {
                            if view.descending {
                                " ⬇"
                            } else {
                                " ⬆"
                            }
                        }
                        _ => "",
                    };
                    match column {
                        Some(column) => {
                            if ui.button(RichText::new(format!("{title}{arrow}")).strong()).clicked() {
                                sort_by = Some(column);
                            }
                        }
                        None => {
                            ui.label(RichText::new(title).strong());
                        }
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, shown.len(), |mut row| {
                let Some(item) = shown.get(row.index()).and_then(|&i| view.rows.get(i)) else { return };
                row.col(|ui| {
                    if ui.link(&item.collection.name).on_hover_text("Show its records").clicked() {
                        commands.push(Command::OpenCollection(item.collection.id.clone()));
                    }
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(RichText::new(&item.collection.id).monospace().weak()).truncate())
                        .on_hover_text(&item.collection.id);
                });
                row.col(|ui| match &item.count {
                    None => {
                        ui.spinner();
                    }
                    Some(Ok(count)) => {
                        ui.label(count.to_string());
                    }
                    Some(Err(err)) => {
                        ui.colored_label(theme::palette(ui).bad, "?").on_hover_text(err);
                    }
                });
                row.col(|ui| {
                    ui.label(item.dimension.map(|d| d.to_string()).unwrap_or_default());
                });
                row.col(|ui| {
                    ui.label(&item.space);
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(RichText::new(&item.metadata).weak()).truncate());
                });
            });
        });
    if let Some(column) = sort_by {
        if view.sort == column {
            view.descending = !view.descending;
        } else {
            view.sort = column;
            view.descending = column == CollectionColumn::Count;
        }
    }
}
