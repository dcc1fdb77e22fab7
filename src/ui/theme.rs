//! Colours and spacing, in one place: widgets never use colour literals of their own.

use egui::{Color32, Context, Stroke, Ui};

use crate::app::state::{Health, NoticeLevel};
use crate::diagnose::StepStatus;

/// Space between the groups of a page.
pub const GROUP_SPACING: f32 = 12.0;
/// Inner margin of cards and groups.
pub const CARD_MARGIN: i8 = 12;
/// Corner radius of cards.
pub const CARD_RADIUS: u8 = 6;
/// Width of the label column of the editor.
pub const LABEL_WIDTH: f32 = 150.0;
/// Height of a row in the profile list.
pub const PROFILE_ROW_HEIGHT: f32 = 44.0;

/// Sets the style of both themes.
pub fn install(ctx: &Context) {
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
        style.spacing.interact_size.y = 24.0;
        style.interaction.selectable_labels = true;
    });
    // Light theme: inputs get a visible border (egui's light inputs are white on a near-white card).
    ctx.style_mut_of(egui::Theme::Light, |style| {
        style.visuals.widgets.inactive.bg_stroke = Stroke::new(1.0, Color32::from_gray(0xb4));
        style.visuals.extreme_bg_color = Color32::WHITE;
    });
}

/// Green, amber and red that read well on the current theme.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Success.
    pub ok: Color32,
    /// Caution.
    pub warn: Color32,
    /// Failure.
    pub bad: Color32,
    /// Neutral, not known.
    pub muted: Color32,
    /// Accent for links and the selected row.
    pub accent: Color32,
    /// Background of the "verification off" banner.
    pub danger_fill: Color32,
    /// Text on that banner.
    pub danger_text: Color32,
}

/// The palette of `ui`'s theme.
#[must_use]
pub fn palette(ui: &Ui) -> Palette {
    if ui.visuals().dark_mode {
        Palette {
            ok: Color32::from_rgb(0x4c, 0xc3, 0x6a),
            warn: Color32::from_rgb(0xf0, 0xb4, 0x3c),
            bad: Color32::from_rgb(0xff, 0x6b, 0x6b),
            muted: Color32::from_gray(0x8a),
            accent: Color32::from_rgb(0x6c, 0xa8, 0xff),
            danger_fill: Color32::from_rgb(0x7a, 0x14, 0x14),
            danger_text: Color32::from_rgb(0xff, 0xe8, 0xe8),
        }
    } else {
        Palette {
            ok: Color32::from_rgb(0x1a, 0x7f, 0x37),
            warn: Color32::from_rgb(0xb0, 0x6a, 0x00),
            bad: Color32::from_rgb(0xc4, 0x1d, 0x1d),
            muted: Color32::from_gray(0x70),
            accent: Color32::from_rgb(0x1f, 0x5f, 0xd6),
            danger_fill: Color32::from_rgb(0xc4, 0x1d, 0x1d),
            danger_text: Color32::WHITE,
        }
    }
}

/// The colour of a profile's dot.
#[must_use]
pub fn health_color(ui: &Ui, health: Health) -> Color32 {
    let p = palette(ui);
    match health {
        Health::Unknown => p.muted,
        Health::Ok => p.ok,
        Health::Warning => p.warn,
        Health::Failed => p.bad,
    }
}

/// Words for a profile's dot.
#[must_use]
pub fn health_text(health: Health) -> &'static str {
    match health {
        Health::Unknown => "never checked",
        Health::Ok => "last check passed",
        Health::Warning => "last check passed with warnings",
        Health::Failed => "last check failed",
    }
}

/// Icon and colour of a step's status.
#[must_use]
pub fn step_mark(ui: &Ui, status: StepStatus) -> (&'static str, Color32) {
    let p = palette(ui);
    match status {
        StepStatus::Ok => ("✔", p.ok),
        StepStatus::Warning => ("⚠", p.warn),
        StepStatus::Failed => ("✖", p.bad),
        StepStatus::Skipped => ("–", p.muted),
    }
}

/// Colour of a notice.
#[must_use]
pub fn notice_color(ui: &Ui, level: NoticeLevel) -> Color32 {
    let p = palette(ui);
    match level {
        NoticeLevel::Info => p.accent,
        NoticeLevel::Warning => p.warn,
        NoticeLevel::Error => p.bad,
    }
}

/// A card: a framed group with the theme's fill.
pub fn card(ui: &Ui) -> egui::Frame {
    egui::Frame::group(ui.style())
        .fill(ui.visuals().faint_bg_color)
        .inner_margin(CARD_MARGIN)
        .corner_radius(CARD_RADIUS)
}

/// A card outlined in `color` (a result, a warning).
pub fn outlined_card(ui: &Ui, color: Color32) -> egui::Frame {
    card(ui).stroke(Stroke::new(1.5, color))
}
