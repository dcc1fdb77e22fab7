//! Small pieces shared by the pages.

use egui::{RichText, Ui};

use crate::app::Command;
use crate::app::state::Health;
use crate::profile::Setting;

use super::theme;

/// The red banner shown on every page of a profile that does not verify certificates.
pub fn danger_banner_ui(ui: &mut Ui, text: &str, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    egui::Frame::new().fill(p.danger_fill).inner_margin(8).corner_radius(theme::CARD_RADIUS).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("⚠ Verification off").strong().color(p.danger_text));
            ui.label(RichText::new(text).color(p.danger_text));
            if ui.button("Turn verification on").clicked() {
                commands.push(Command::GoToSetting(Setting::Verify));
            }
        });
    });
}

/// A profile's status dot, with its meaning as tooltip.
pub fn status_dot_ui(ui: &mut Ui, health: Health) -> egui::Response {
    let size = egui::vec2(12.0, 12.0);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    let color = theme::health_color(ui, health);
    if health == Health::Unknown {
        ui.painter().circle_stroke(rect.center(), 4.5, egui::Stroke::new(1.5, color));
    } else {
        ui.painter().circle_filled(rect.center(), 5.0, color);
    }
    response.on_hover_text(theme::health_text(health))
}

/// A diagnosis code, selectable and in monospace, with a copy button.
pub fn code_chip_ui(ui: &mut Ui, code: &str, commands: &mut Vec<Command>) {
    ui.add(egui::Label::new(RichText::new(code).monospace().strong()).selectable(true))
        .on_hover_text("The diagnosis code: quote it in support tickets");
    if ui.small_button("Copy").on_hover_text("Copy the code").clicked() {
        commands.push(Command::CopyText(code.to_owned()));
    }
}

/// An empty state: a title, what to do, and nothing else.
pub fn empty_state_ui(ui: &mut Ui, title: &str, text: &str) {
    ui.add_space(24.0);
    ui.vertical_centered(|ui| {
        ui.label(RichText::new(title).size(18.0).strong());
        ui.add_space(4.0);
        ui.add(egui::Label::new(RichText::new(text).color(theme::palette(ui).muted)).wrap());
    });
    ui.add_space(12.0);
}

/// A section title inside a card.
pub fn section_title_ui(ui: &mut Ui, title: &str) {
    ui.label(RichText::new(title).size(15.0).strong());
    ui.add_space(2.0);
}

/// The common name in a subject (`CN=…`), or the whole subject.
#[must_use]
pub fn common_name(subject: &str) -> &str {
    subject.split(',').map(str::trim).find_map(|part| part.strip_prefix("CN=")).unwrap_or(subject)
}

/// Text from the core or a server, made safe to draw with the bundled fonts: the arrows the core's step details
/// use have no glyph there (they would show as boxes), so they become ASCII arrows.
/// Control characters (a hostile server's escape sequences) are removed too.
#[must_use]
pub fn shown(text: &str) -> String {
    crate::diagnose::sanitize_lines(text).replace(['→', '⇒'], "->").replace('←', "<-")
}

/// Bounds the content of a page's vertical scroll area to the visible width (less the scroll bar) and `max`:
/// wrapped text in grids and frames otherwise takes more width than is shown. Returns the width.
pub fn bound_page_width(ui: &mut Ui, max: f32) -> f32 {
    let width = (ui.available_width() - 16.0).clamp(200.0, max);
    ui.set_max_width(width);
    width
}

/// A fixed-width cell of a row, left-aligned.
pub fn cell(ui: &mut Ui, width: f32, text: RichText) {
    ui.allocate_ui_with_layout(egui::vec2(width, 16.0), egui::Layout::left_to_right(egui::Align::TOP), |ui| {
        ui.set_min_width(width);
        ui.label(text);
    });
}

/// `1 day`, `2 days`: a count with its noun.
#[must_use]
pub fn plural(count: impl TryInto<i64>, noun: &str) -> String {
    let count: i64 = count.try_into().unwrap_or(i64::MAX);
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}
