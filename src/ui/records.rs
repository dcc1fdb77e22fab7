//! The records view of one collection: filters, pager, the table, the detail panel, similar records, export.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::app::Command;
use crate::app::browse::{ExportState, FilterField, PAGE_SIZES, RecordsPage, RecordsView, Remote};
use crate::chroma::{ExportFormat, Record};

use super::{browse, theme, widgets};

const ROW_HEIGHT: f32 = 22.0;
/// Characters of a document shown in its table cell.
const DOCUMENT_PREVIEW: usize = 160;

/// Draws the records view.
pub fn records_ui(ui: &mut Ui, view: &mut RecordsView, session_ok: bool, commands: &mut Vec<Command>) {
    header_ui(ui, view, commands);
    filters_ui(ui, view, commands);
    if !session_ok {
        ui.weak("Not connected: press Refresh on the collections.");
        return;
    }
    let failure = match &view.similar {
        Some(similar) => similar.hits.failure().cloned(),
        None => view.page.failure().cloned(),
    };
    if let Some(failure) = failure {
        browse::failure_ui(ui, &failure, commands);
    }
    if view.selected_record().is_some() {
        egui::Panel::right("record_detail")
            .resizable(true)
            .default_size(340.0)
            .size_range(240.0..=640.0)
            .show(ui, |ui| detail_ui(ui, view, commands));
    }
    egui::CentralPanel::no_frame().show(ui, |ui| {
        if view.similar.is_some() {
            similar_ui(ui, view, commands);
        } else {
            pager_ui(ui, view, commands);
            table_ui(ui, view);
        }
    });
}

fn header_ui(ui: &mut Ui, view: &RecordsView, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        if ui.button("‹ Collections").clicked() {
            commands.push(Command::CloseCollection);
        }
        ui.label(RichText::new(&view.collection.name).size(16.0).strong());
        let index = view.collection.index();
        let mut facts = Vec::new();
        if let Some(total) = view.page.value().and_then(|p| p.total) {
            facts.push(widgets::plural(total, "record"));
        }
        if let Some(dimension) = view.collection.dimension {
            facts.push(format!("dimension {dimension}"));
        }
        if let Some(space) = index.space {
            facts.push(format!("space {space}"));
        }
        ui.weak(facts.join(" · "));
        ui.add(egui::Label::new(RichText::new(&view.collection.id).monospace().weak()).selectable(true));
    });
}

fn filters_ui(ui: &mut Ui, view: &mut RecordsView, commands: &mut Vec<Command>) {
    theme::card(ui).inner_margin(8).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let mut apply = false;
        egui::Grid::new("record_filters").num_columns(2).spacing([10.0, 4.0]).show(ui, |ui| {
            for (label, field, text, hint) in [
                ("where", Some(FilterField::Where), &mut view.filter.where_metadata, "{\"color\": \"red\"}"),
                (
                    "where_document",
                    Some(FilterField::WhereDocument),
                    &mut view.filter.where_document,
                    "{\"$contains\": \"word\"}",
                ),
                ("ids", None, &mut view.filter.ids, "id-1, id-2"),
            ] {
                let label = ui.label(RichText::new(label).monospace());
                ui.vertical(|ui| {
                    let edit = egui::TextEdit::singleline(text)
                        .hint_text(hint)
                        .code_editor()
                        .desired_width((ui.available_width() - 8.0).clamp(200.0, 520.0));
                    let response = ui.add(edit).labelled_by(label.id);
                    if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        apply = true;
                    }
                    if let Some((bad, message)) = &view.filter_error
                        && Some(*bad) == field
                    {
                        ui.colored_label(theme::palette(ui).bad, format!("✖ {message} Nothing was sent."));
                    }
                });
                ui.end_row();
            }
        });
        ui.horizontal_wrapped(|ui| {
            if ui.button("Apply filters").on_hover_text("Enter in a field does the same").clicked() {
                apply = true;
            }
            if ui.add_enabled(!view.filter.is_empty(), egui::Button::new("Clear")).clicked() {
                view.filter = crate::app::browse::FilterText::default();
                apply = true;
            }
            ui.separator();
            ui.label("Columns:");
            ui.checkbox(&mut view.columns.document, "document");
            ui.checkbox(&mut view.columns.metadata_keys, "metadata keys as columns");
            let embedding = ui.checkbox(&mut view.columns.embedding, "embedding");
            ui.checkbox(&mut view.columns.uri, "uri");
            if embedding.changed() && view.columns.embedding {
                // Embeddings are fetched only when shown.
                commands.push(Command::LoadRecords { offset: view.offset });
            }
        });
        export_ui(ui, view, commands);
        if apply {
            commands.push(Command::LoadRecords { offset: 0 });
        }
    });
}

fn export_ui(ui: &mut Ui, view: &mut RecordsView, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Export:");
        ui.radio_value(&mut view.export.format, ExportFormat::JsonLines, "JSON Lines");
        ui.radio_value(&mut view.export.format, ExportFormat::Csv, "CSV");
        ui.radio_value(&mut view.export.whole, true, "all matching records");
        ui.radio_value(&mut view.export.whole, false, "this page");
        ui.checkbox(&mut view.export.embeddings, "with embeddings");
        match &view.export_state {
            Some(ExportState::Running { done, total, .. }) => {
                // Per mille, in integers: no float casts of large counts.
                let per_mille = total.filter(|t| *t > 0).map_or(0, |t| (done.saturating_mul(1000) / t).min(1000));
                let fraction = f32::from(u16::try_from(per_mille).unwrap_or(1000)) / 1000.0;
                let text = match total {
                    Some(total) => format!("{done} / {total}"),
                    None => format!("{done} records"),
                };
                ui.add(egui::ProgressBar::new(fraction).text(text).desired_width(160.0));
                if ui.button("Cancel").clicked() {
                    commands.push(Command::CancelExport);
                }
            }
            other => {
                if ui.button("Export…").clicked() {
                    commands.push(Command::ExportRecords);
                }
                match other {
                    Some(ExportState::Done(text)) => {
                        ui.colored_label(theme::palette(ui).ok, text);
                    }
                    Some(ExportState::Failed(text)) => {
                        ui.colored_label(theme::palette(ui).warn, text);
                    }
                    _ => {}
                }
            }
        }
    });
}

fn pager_ui(ui: &mut Ui, view: &RecordsView, commands: &mut Vec<Command>) {
    let page = view.page.value();
    let shown = page.map_or(0, |p| p.records.len());
    let total = page.and_then(|p| p.total);
    let size = view.page_size;
    ui.horizontal_wrapped(|ui| {
        let mut chosen = size;
        let label = ui.label("Per page");
        let combo =
            egui::ComboBox::from_id_salt("page_size").selected_text(size.to_string()).width(60.0).show_ui(ui, |ui| {
                for option in PAGE_SIZES {
                    ui.selectable_value(&mut chosen, option, option.to_string());
                }
            });
        let _ = combo.response.labelled_by(label.id);
        if chosen != size {
            commands.push(Command::SetPageSize(chosen));
        }
        let offset = view.offset;
        let at_start = offset == 0;
        let has_next =
            total.map_or(u32::try_from(shown).is_ok_and(|s| s == size), |t| u64::from(offset) + u64::from(size) < t);
        if ui.add_enabled(!at_start, egui::Button::new("⏮ First")).clicked() {
            commands.push(Command::LoadRecords { offset: 0 });
        }
        if ui.add_enabled(!at_start, egui::Button::new("◀ Previous")).clicked() {
            commands.push(Command::LoadRecords { offset: offset.saturating_sub(size) });
        }
        if ui.add_enabled(has_next, egui::Button::new("Next ▶")).clicked() {
            commands.push(Command::LoadRecords { offset: offset.saturating_add(size) });
        }
        let last = total.map(|t| {
            let t = u32::try_from(t).unwrap_or(u32::MAX);
            t.saturating_sub(1) / size.max(1) * size.max(1)
        });
        if ui.add_enabled(last.is_some_and(|l| l != offset), egui::Button::new("Last ⏭")).clicked()
            && let Some(last) = last
        {
            commands.push(Command::LoadRecords { offset: last });
        }
        if view.page.is_loading() {
            ui.spinner();
            if ui.button("Cancel").clicked() {
                commands.push(Command::CancelBrowse);
            }
        }
        ui.label(range_text(page, size));
    });
}

/// "records 101–200 of 12,345", "no records", "records 1–7 (filtered)".
fn range_text(page: Option<&RecordsPage>, _size: u32) -> String {
    let Some(page) = page else { return String::new() };
    if page.records.is_empty() {
        return if page.offset == 0 { "No records match.".to_owned() } else { "No records on this page.".to_owned() };
    }
    let first = u64::from(page.offset) + 1;
    let last = u64::from(page.offset) + page.records.len() as u64;
    match page.total {
        Some(total) => format!("records {}–{} of {}", group(first), group(last), group(total)),
        None => format!("records {}–{} (filtered)", group(first), group(last)),
    }
}

/// 12345 → "12,345".
fn group(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn table_ui(ui: &mut Ui, view: &mut RecordsView) {
    let Some(page) = view.page.value() else {
        if matches!(view.page, Remote::Loading { .. }) {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading records…");
            });
        }
        return;
    };
    let records: Vec<&Record> = page.records.iter().collect();
    let keys = if view.columns.metadata_keys { page.keys.clone() } else { Vec::new() };
    let mut clicked = None;
    records_table(ui, "records", &records, None, &keys, view, &mut clicked);
    if let Some(index) = clicked {
        view.selected = Some(index);
    }
}

fn similar_ui(ui: &mut Ui, view: &mut RecordsView, commands: &mut Vec<Command>) {
    let Some(similar) = &view.similar else { return };
    let space = view.collection.index().space.unwrap_or_else(|| "l2".to_owned());
    ui.horizontal_wrapped(|ui| {
        if ui.button("‹ Back to the page").clicked() {
            commands.push(Command::CloseSimilar);
        }
        ui.label(RichText::new(format!("{} nearest to {} ({space} distance)", similar.n, similar.source_id)).strong());
        if similar.hits.is_loading() {
            ui.spinner();
            if ui.button("Cancel").clicked() {
                commands.push(Command::CancelBrowse);
            }
        }
    });
    let Some(hits) = similar.hits.value().cloned() else { return };
    let records: Vec<&Record> = hits.iter().map(|h| &h.record).collect();
    let distances: Vec<Option<f64>> = hits.iter().map(|h| h.distance).collect();
    let keys: Vec<String> = if view.columns.metadata_keys {
        let set: std::collections::BTreeSet<String> =
            records.iter().filter_map(|r| r.metadata.as_ref()).flat_map(|m| m.keys().cloned()).collect();
        set.into_iter().collect()
    } else {
        Vec::new()
    };
    let mut clicked = None;
    records_table(ui, "similar", &records, Some(&distances), &keys, view, &mut clicked);
    if let Some(index) = clicked {
        view.selected = Some(index);
    }
}

#[expect(clippy::too_many_lines, reason = "one table: its columns are built in one place")]
fn records_table(
    ui: &mut Ui,
    id: &str,
    records: &[&Record],
    distances: Option<&[Option<f64>]>,
    keys: &[String],
    view: &RecordsView,
    clicked: &mut Option<usize>,
) {
    if records.is_empty() {
        return;
    }
    let columns = view.columns;
    let mut table = TableBuilder::new(ui)
        .id_salt(id)
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .min_scrolled_height(0.0)
        .column(Column::initial(120.0).at_least(60.0).clip(true));
    if distances.is_some() {
        table = table.column(Column::initial(90.0).at_least(60.0));
    }
    if columns.document {
        table = table.column(Column::initial(260.0).at_least(80.0).clip(true));
    }
    if columns.metadata_keys {
        for _ in keys {
            table = table.column(Column::initial(90.0).at_least(40.0).clip(true));
        }
    } else {
        table = table.column(Column::initial(220.0).at_least(80.0).clip(true));
    }
    if columns.embedding {
        table = table.column(Column::initial(160.0).at_least(60.0).clip(true));
    }
    if columns.uri {
        table = table.column(Column::initial(120.0).at_least(60.0).clip(true));
    }
    table = table.column(Column::remainder().at_least(10.0));
    table
        .header(22.0, |mut header| {
            let mut title = |text: &str| {
                header.col(|ui| {
                    ui.label(RichText::new(text).strong());
                });
            };
            title("id");
            if distances.is_some() {
                title("distance");
            }
            if columns.document {
                title("document");
            }
            if columns.metadata_keys {
                for key in keys {
                    title(key);
                }
            } else {
                title("metadata");
            }
            if columns.embedding {
                title("embedding");
            }
            if columns.uri {
                title("uri");
            }
            title("");
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, records.len(), |mut row| {
                let index = row.index();
                let Some(record) = records.get(index) else { return };
                row.set_selected(view.selected == Some(index));
                let mut cell = |text: String, mono: bool| {
                    row.col(|ui| {
                        let text = if mono { RichText::new(text).monospace() } else { RichText::new(text) };
                        ui.add(egui::Label::new(text).truncate().selectable(false));
                    });
                };
                cell(record.id.clone(), true);
                if let Some(distances) = distances {
                    cell(distances.get(index).copied().flatten().map(|d| format!("{d:.6}")).unwrap_or_default(), true);
                }
                if columns.document {
                    let document = record.document.as_deref().unwrap_or_default();
                    cell(one_line(document, DOCUMENT_PREVIEW), false);
                }
                if columns.metadata_keys {
                    for key in keys {
                        let value = record.metadata.as_ref().and_then(|m| m.get(key));
                        cell(value.map(value_text).unwrap_or_default(), false);
                    }
                } else {
                    cell(
                        record
                            .metadata
                            .as_ref()
                            .map(|m| serde_json::to_string(m).unwrap_or_default())
                            .unwrap_or_default(),
                        true,
                    );
                }
                if columns.embedding {
                    cell(record.embedding.as_ref().map(|e| embedding_preview(e, 4)).unwrap_or_default(), true);
                }
                if columns.uri {
                    cell(record.uri.clone().unwrap_or_default(), false);
                }
                cell(String::new(), false);
                if row.response().clicked() {
                    *clicked = Some(index);
                }
            });
        });
}

fn detail_ui(ui: &mut Ui, view: &mut RecordsView, commands: &mut Vec<Command>) {
    let Some(record) = view.selected_record().cloned() else { return };
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&record.id).monospace().strong());
            if ui.small_button("Copy id").clicked() {
                commands.push(Command::CopyText(record.id.clone()));
            }
            if ui.small_button("Copy JSON").clicked() {
                commands.push(Command::CopyText(crate::chroma::record_json_line(&record, None).trim_end().to_owned()));
            }
        });
        ui.separator();
        widgets::section_title_ui(ui, "Document");
        match &record.document {
            Some(document) => {
                ui.add(egui::Label::new(widgets::shown(document)).selectable(true).wrap());
                if ui.small_button("Copy document").clicked() {
                    commands.push(Command::CopyText(document.clone()));
                }
            }
            None => {
                ui.weak("none");
            }
        }
        ui.add_space(6.0);
        widgets::section_title_ui(ui, "Metadata");
        match &record.metadata {
            Some(metadata) if !metadata.is_empty() => {
                let pretty = serde_json::to_string_pretty(metadata).unwrap_or_default();
                ui.add(egui::Label::new(RichText::new(pretty).monospace()).selectable(true).wrap());
            }
            _ => {
                ui.weak("none");
            }
        }
        ui.add_space(6.0);
        widgets::section_title_ui(ui, "Embedding");
        match &record.embedding {
            Some(embedding) => {
                let norm = embedding.iter().map(|x| x * x).sum::<f64>().sqrt();
                ui.label(format!("dimension {} · norm {norm:.6}", embedding.len()));
                ui.add(egui::Label::new(RichText::new(embedding_preview(embedding, 8)).monospace()).wrap());
            }
            None => {
                ui.weak("not loaded (tick \"embedding\" to fetch embeddings)");
            }
        }
        if let Some(uri) = &record.uri {
            ui.add_space(6.0);
            widgets::section_title_ui(ui, "URI");
            ui.add(egui::Label::new(uri.as_str()).selectable(true).wrap());
        }
        ui.add_space(10.0);
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Nearest");
            ui.add(egui::DragValue::new(&mut view.similar_n).range(1..=100)).labelled_by(label.id);
            if ui
                .button("🔍 Find similar")
                .on_hover_text("The records nearest to this one by its stored embedding")
                .clicked()
            {
                commands.push(Command::FindSimilar);
            }
        });
    });
}

/// A metadata value for a table cell: strings as they are, anything else as JSON.
fn value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => one_line(text, 80),
        other => other.to_string(),
    }
}

/// The first `count` values of an embedding: `[0.1, 0.2, …]`.
fn embedding_preview(embedding: &[f64], count: usize) -> String {
    let values: Vec<String> = embedding.iter().take(count).map(|x| format!("{x:.4}")).collect();
    let more = if embedding.len() > count { ", …" } else { "" };
    format!("[{}{more}]", values.join(", "))
}

/// Text on one line, cut at `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(max + 1).collect();
    if flat.chars().count() > max {
        let cut: String = flat.chars().take(max).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_ranges_read_well() {
        assert_eq!(group(12_345), "12,345");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000_000), "1,000,000");
        let page = RecordsPage::new(Vec::new(), 0, Some(0));
        assert_eq!(range_text(Some(&page), 25), "No records match.");
    }

    #[test]
    fn previews_are_short_and_on_one_line() {
        assert_eq!(one_line("a\nb", 10), "a b");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(embedding_preview(&[1.0, 2.0, 3.0], 2), "[1.0000, 2.0000, …]");
    }
}
