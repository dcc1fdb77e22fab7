//! The certificate chain of the last check, as cards; pin a certificate or trust its CA from here; whether other
//! clients (curl, Python, Node.js, browsers) would accept that chain, and the fix in their terms.

use std::time::SystemTime;

use egui::{RichText, Ui};

use crate::app::Command;
use crate::app::state::{AppState, CheckRun};
use crate::diagnose::{CheckReport, ClientTrust, Code};
use crate::profile::normalize_sha256_fingerprint;
use crate::tls::CertInfo;

use super::{theme, widgets};

/// Days of validity under which a certificate shows amber.
const SOON_DAYS: i64 = 30;

/// Draws the certificates page of the selected profile.
pub fn certificates_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let report = state.selected_check().and_then(CheckRun::report);
    let Some(report) = report else {
        widgets::empty_state_ui(
            ui,
            "No certificate chain yet",
            "The chain the server presents appears here after a check — also when verification fails. Run one \
             with Test connection (Ctrl+Enter).",
        );
        ui.vertical_centered(|ui| {
            if ui.button("▶ Test connection").clicked() {
                commands.push(Command::RunCheck);
            }
        });
        return;
    };
    if report.certificates.is_empty() {
        let text = if report.target.url.starts_with("http://") {
            "This profile uses plain http://: there is no TLS and no certificate."
        } else {
            "The check ended before the TLS handshake, so the server presented no certificate. See the Doctor page."
        };
        widgets::empty_state_ui(ui, "No certificate", text);
        return;
    }
    let pinned = state
        .draft
        .as_ref()
        .and_then(|d| d.fields.pinned_sha256.clone())
        .and_then(|pin| normalize_sha256_fingerprint("pinned_sha256", &pin).ok());
    let saved = state.draft.as_ref().is_some_and(|d| d.original.is_some());
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!(
                "Chain presented by {} ({} certificate{})",
                report.target.address.as_deref().unwrap_or(&report.target.url),
                report.certificates.len(),
                if report.certificates.len() == 1 { "" } else { "s" }
            ))
            .strong(),
        );
        if ui.button("Save chain as PEM…").clicked() {
            commands.push(Command::SaveChainPem);
        }
    });
    if !report.ok {
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(theme::palette(ui).bad, "The check failed:");
            ui.label(widgets::shown(&report.diagnosis.summary));
        });
    }
    ui.add_space(6.0);
    let now = SystemTime::now();
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        widgets::bound_page_width(ui, 900.0);
        for (index, cert) in report.certificates.iter().enumerate() {
            cert_card_ui(ui, report, index, cert, now, pinned.as_deref(), saved, commands);
            ui.add_space(theme::GROUP_SPACING);
        }
        if !report.trust.is_empty() {
            trust_card_ui(ui, report, commands);
            ui.add_space(theme::GROUP_SPACING);
        }
    });
}

#[expect(clippy::too_many_arguments, reason = "a card needs the report, the certificate and the profile's pin")]
fn cert_card_ui(
    ui: &mut Ui,
    report: &CheckReport,
    index: usize,
    cert: &CertInfo,
    now: SystemTime,
    pinned: Option<&str>,
    saved: bool,
    commands: &mut Vec<Command>,
) {
    let p = theme::palette(ui);
    let days = cert.days_left(now);
    let expired = days.is_some_and(|d| d < 0) || cert.not_yet_valid_at(now);
    let color = if expired {
        p.bad
    } else if days.is_some_and(|d| d < SOON_DAYS) {
        p.warn
    } else {
        p.muted
    };
    let role = match (index, cert.is_ca, cert.self_signed) {
        (0, _, true) => "Server certificate (self-signed)",
        (0, _, _) => "Server certificate",
        (_, true, true) => "Root CA",
        (_, true, false) => "Intermediate CA",
        _ => "Certificate",
    };
    let this_pinned = pinned.is_some_and(|pin| {
        normalize_sha256_fingerprint("pinned_sha256", &cert.sha256).is_ok_and(|sha| sha.eq_ignore_ascii_case(pin))
    });
    theme::outlined_card(ui, color).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(widgets::common_name(&cert.subject)).size(17.0).strong());
            ui.weak(format!("#{index} · {role}"));
            if this_pinned {
                ui.colored_label(p.ok, "📌 pinned");
            }
        });
        ui.vertical(|ui| {
            row(ui, "Subject", |ui| selectable(ui, &cert.subject));
            row(ui, "Issuer", |ui| selectable(ui, &cert.issuer));
            if index == 0 {
                row(ui, "Names", |ui| names_ui(ui, report, cert));
            } else if !cert.sans.is_empty() {
                row(ui, "Names", |ui| selectable(ui, &cert.sans.join(", ")));
            }
            row(ui, "Valid", |ui| {
                let left = match days {
                    Some(d) if d < 0 => format!("expired {} ago", widgets::plural(-d, "day")),
                    Some(d) => format!("{} left", widgets::plural(d, "day")),
                    None => String::new(),
                };
                let left = if cert.not_yet_valid_at(now) { "not valid yet".to_owned() } else { left };
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!("{} to {}", cert.not_before, cert.not_after));
                    let text_color = if expired {
                        p.bad
                    } else if days.is_some_and(|d| d < SOON_DAYS) {
                        p.warn
                    } else {
                        p.ok
                    };
                    ui.colored_label(text_color, left);
                });
            });
            row(ui, "CA", |ui| {
                ui.label(if cert.is_ca { "yes (CA:TRUE)" } else { "no" });
            });
            row(ui, "Key", |ui| {
                ui.label(&cert.key);
            });
            row(ui, "Serial", |ui| selectable(ui, &cert.serial));
            row(ui, "SHA-256", |ui| {
                // The button first: after a wrapped label it would stand past the card's edge and widen the page.
                ui.horizontal_top(|ui| {
                    if ui.small_button("Copy").on_hover_text("Copy the fingerprint").clicked() {
                        commands.push(Command::CopyText(cert.sha256.clone()));
                    }
                    ui.add(egui::Label::new(RichText::new(&cert.sha256).monospace()).selectable(true).wrap());
                });
            });
        });
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            if index == 0 && !this_pinned {
                let pin = ui.add_enabled(saved, egui::Button::new("📌 Trust this certificate for this profile"));
                let pin = pin.on_hover_text("Pin its fingerprint: the check then fails when the server shows another");
                let pin = pin.on_disabled_hover_text("Save the profile first");
                if pin.clicked() {
                    commands.push(Command::AskPin(index));
                }
            }
            if offers_as_ca(report, index, cert) {
                let button = ui.add_enabled(saved, egui::Button::new("🔐 Use as this profile's CA file"));
                let button = button
                    .on_hover_text("Save this certificate in the app's folder and verify the server against it")
                    .on_disabled_hover_text("Save the profile first");
                if button.clicked() {
                    commands.push(Command::AskUseAsCa(index));
                }
            }
        });
    });
}

/// "Would other clients connect?": each kind of client with a mark, why, and the fix with a Copy button.
fn trust_card_ui(ui: &mut Ui, report: &CheckReport, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    let refused = report.trust.iter().any(|client| !client.accepted);
    theme::outlined_card(ui, if refused { p.warn } else { p.ok }).show(ui, |ui| {
        ui.set_width(ui.available_width());
        widgets::section_title_ui(ui, "Would other clients connect?");
        ui.add(
            egui::Label::new(
                RichText::new(format!(
                    "This chain and the name {}, judged with the trust each kind of client uses.",
                    widgets::shown(&report.target.server_name)
                ))
                .color(p.muted),
            )
            .wrap(),
        );
        for client in &report.trust {
            ui.add_space(6.0);
            client_trust_ui(ui, client, commands);
        }
    });
}

fn client_trust_ui(ui: &mut Ui, client: &ClientTrust, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    let (mark, color, verdict) = match (client.accepted, client.plainly_accepted()) {
        (true, true) => ("✔", p.ok, "connects"),
        (true, false) => ("⚠", p.warn, "connects, with a caveat"),
        (false, _) => ("✖", p.bad, "does not connect"),
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(mark).color(color).strong()).on_hover_text(verdict);
        ui.label(RichText::new(&client.client).strong());
        ui.weak(widgets::shown(&client.store_text));
    });
    row(ui, "Why", |ui| selectable(ui, &widgets::shown(&client.reason_text)));
    if let Some(fix) = &client.fix {
        row(ui, "Fix", |ui| {
            selectable(ui, &widgets::shown(fix));
            if ui.small_button("Copy fix").on_hover_text(format!("Copy the fix for {}", client.client)).clicked() {
                commands.push(Command::CopyText(fix.clone()));
            }
        });
    }
}

/// Whether to offer "Use as this profile's CA file" for a certificate: a self-signed one, or the topmost CA of
/// a chain the check did not trust.
fn offers_as_ca(report: &CheckReport, index: usize, cert: &CertInfo) -> bool {
    let untrusted = matches!(report.diagnosis.code, Code::TlsUnknownIssuer | Code::TlsSelfSigned);
    let topmost = index + 1 == report.certificates.len();
    cert.self_signed || (untrusted && cert.is_ca && topmost)
}

fn names_ui(ui: &mut Ui, report: &CheckReport, cert: &CertInfo) {
    let host = &report.target.server_name;
    let matching = cert.matching_san(host).map(str::to_owned);
    ui.horizontal_wrapped(|ui| {
        let p = theme::palette(ui);
        for san in &cert.sans {
            if matching.as_deref() == Some(san.as_str()) {
                ui.label(RichText::new(format!("✔ {san}")).color(p.ok).strong())
                    .on_hover_text(format!("matches {host}"));
            } else {
                ui.label(san);
            }
        }
        if matching.is_none() {
            ui.colored_label(p.bad, format!("✖ no name matches {host}"));
        }
    });
}

fn row(ui: &mut Ui, label: &str, add: impl FnOnce(&mut Ui)) {
    ui.horizontal_top(|ui| {
        widgets::cell(ui, 80.0, RichText::new(label).weak());
        ui.vertical(add);
    });
}

fn selectable(ui: &mut Ui, text: &str) {
    ui.add(egui::Label::new(text).selectable(true).wrap());
}
