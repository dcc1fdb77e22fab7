//! The connection doctor: run the check, watch each step, read the diagnosis and go to the setting to change; or
//! paste an error another client printed and read what it means.

use egui::{RichText, Ui};

use crate::app::Command;
use crate::app::paste::{MAX_PASTE_CHARS, PasteState};
use crate::app::state::{AppState, CheckOutcome, CheckRun};
use crate::diagnose::{CheckReport, Step, StepStatus};
use crate::explain::{Explanation, Finding};
use crate::profile::Setting;

use super::{theme, widgets};

/// Draws the doctor page of the selected profile. Changes only the text of the "Paste an error" box.
pub fn doctor_ui(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let name = state.selected_name().unwrap_or_default().to_owned();
    toolbar_ui(ui, state, &name, commands);
    ui.add_space(6.0);
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        widgets::bound_page_width(ui, 900.0);
        check_ui(ui, state, &name, commands);
        ui.add_space(theme::GROUP_SPACING);
        paste_ui(ui, &mut state.paste, commands);
    });
}

fn toolbar_ui(ui: &mut Ui, state: &AppState, name: &str, commands: &mut Vec<Command>) {
    let run = state.checks.get(name);
    let running = run.is_some_and(CheckRun::is_running);
    let report = run.and_then(CheckRun::report);
    ui.horizontal(|ui| {
        if running {
            if ui.add(egui::Button::new("⏹ Cancel")).clicked() {
                commands.push(Command::CancelCheck);
            }
            ui.spinner();
            if let Some(run) = run {
                ui.weak(format!("Checking… {:.1} s", run.started.elapsed().as_secs_f32()));
            }
        } else if ui.add(egui::Button::new("▶ Test connection").shortcut_text("Ctrl+Enter")).clicked() {
            commands.push(Command::RunCheck);
        }
        ui.separator();
        ui.add_enabled_ui(report.is_some(), |ui| {
            if ui.button("Copy report").on_hover_text("The report as text, without secrets").clicked() {
                commands.push(Command::CopyReport);
            }
            if ui.button("Save report…").on_hover_text("The JSON of `chroma-connect check --json`").clicked() {
                commands.push(Command::SaveReport);
            }
            if ui
                .button("Save support bundle…")
                .on_hover_text(
                    "One file for a support ticket: the report, the certificate chain, what the CA and client \
                     certificate files hold, the settings without secrets, the app version and the OS",
                )
                .clicked()
            {
                commands.push(Command::SaveBundle);
            }
        });
    });
    if running {
        // Durations tick while a step runs.
        ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
    }
}

/// The check of the selected profile: its steps and result, or how to start one.
fn check_ui(ui: &mut Ui, state: &AppState, name: &str, commands: &mut Vec<Command>) {
    let Some(run) = state.checks.get(name) else {
        never_run_ui(ui, state, name);
        return;
    };
    steps_ui(ui, run);
    ui.add_space(theme::GROUP_SPACING);
    match &run.outcome {
        CheckOutcome::Running => {}
        CheckOutcome::Cancelled => {
            ui.weak("The check was cancelled. Nothing more is sent to the server.");
        }
        CheckOutcome::Failed(err) => {
            theme::outlined_card(ui, theme::palette(ui).bad).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(RichText::new("The check could not start").strong());
                ui.add(egui::Label::new(widgets::shown(err)).wrap());
            });
        }
        CheckOutcome::Done(report) => result_ui(ui, report, commands),
    }
}

fn never_run_ui(ui: &mut Ui, state: &AppState, name: &str) {
    widgets::empty_state_ui(
        ui,
        "Not checked yet",
        "Test connection (Ctrl+Enter) runs each step in turn: DNS, TCP, TLS, HTTP, API, authentication, tenant and \
         collections. The first that fails is named, with the setting to change.",
    );
    if let Some(last) = state.prefs.last_checks.get(name) {
        ui.vertical_centered(|ui| {
            ui.weak(format!("Last check, {}: {} — {}", last.checked_at, last.code, last.summary));
        });
    }
}

fn steps_ui(ui: &mut Ui, run: &CheckRun) {
    theme::card(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        widgets::section_title_ui(ui, "Steps");
        for step in Step::ALL {
            ui.horizontal_top(|ui| match run.steps.iter().find(|s| s.step == step) {
                Some(report) => {
                    let (mark, color) = theme::step_mark(ui, report.status);
                    widgets::cell(ui, 20.0, RichText::new(mark).color(color).strong());
                    widgets::cell(ui, 100.0, RichText::new(step.as_str()).monospace());
                    let ms = if report.status == StepStatus::Skipped {
                        String::new()
                    } else {
                        format!("{:.1} ms", report.ms)
                    };
                    widgets::cell(ui, 80.0, RichText::new(ms).monospace());
                    let detail = RichText::new(widgets::shown(&report.detail));
                    let detail = if report.status == StepStatus::Skipped { detail.weak() } else { detail };
                    ui.add(egui::Label::new(detail).wrap());
                }
                None if run.current == Some(step) => {
                    ui.add_sized([20.0, 16.0], egui::Spinner::new());
                    widgets::cell(ui, 100.0, RichText::new(step.as_str()).monospace().strong());
                    widgets::cell(ui, 80.0, RichText::new(""));
                    ui.weak("running…");
                }
                None => {
                    widgets::cell(ui, 20.0, RichText::new("·").weak());
                    widgets::cell(ui, 100.0, RichText::new(step.as_str()).monospace().weak());
                }
            });
            ui.add_space(2.0);
        }
    });
}

fn result_ui(ui: &mut Ui, report: &CheckReport, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    let color = if report.ok { if report.warnings.is_empty() { p.ok } else { p.warn } } else { p.bad };
    theme::outlined_card(ui, color).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            let title = if report.ok { "✔ Connected" } else { "✖ Problem found" };
            ui.label(RichText::new(title).size(17.0).strong().color(color));
            widgets::code_chip_ui(ui, report.diagnosis.code.as_str(), commands);
        });
        ui.add(egui::Label::new(RichText::new(widgets::shown(&report.diagnosis.summary)).strong()).wrap());
        if !report.diagnosis.hint.is_empty() {
            ui.add_space(4.0);
            ui.add(egui::Label::new(widgets::shown(&report.diagnosis.hint)).wrap());
        }
        if let Some(setting) = report.diagnosis.setting {
            ui.add_space(4.0);
            setting_button_ui(ui, setting, commands);
        }
        if !report.certificates.is_empty()
            && !report.ok
            && ui.link("See the certificate chain the server presented").clicked()
        {
            commands.push(Command::ShowPage(crate::app::Page::Certificates));
        }
    });
    if !report.warnings.is_empty() {
        ui.add_space(theme::GROUP_SPACING);
        theme::outlined_card(ui, p.warn).show(ui, |ui| {
            ui.set_width(ui.available_width());
            widgets::section_title_ui(ui, "Warnings");
            for warning in &report.warnings {
                ui.add(egui::Label::new(RichText::new(format!("⚠ {}", widgets::shown(warning))).color(p.warn)).wrap());
            }
        });
    }
    ui.add_space(theme::GROUP_SPACING);
    theme::card(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        widgets::section_title_ui(ui, "What was checked");
        ui.vertical(|ui| {
            let target = &report.target;
            fact(ui, "URL", &target.url);
            if let Some(address) = &target.address {
                fact(ui, "Address", address);
            }
            fact(ui, "Server name", &target.server_name);
            fact(ui, "Verification", &target.verify);
            fact(ui, "Authentication", &target.auth);
            fact(ui, "Tenant / database", &format!("{} / {}", target.tenant, target.database));
            if let Some(server) = &report.server {
                fact(ui, "Chroma", &format!("{} (API {})", server.version, server.api));
            }
            if let Some(tls) = &report.tls {
                let alpn = tls.alpn.as_deref().unwrap_or("none");
                fact(ui, "TLS", &format!("{} · {} · ALPN {alpn}", tls.protocol, tls.cipher_suite));
            }
            if let Some(count) = report.collections_count {
                fact(ui, "Collections", &count.to_string());
            }
        });
    });
}

/// The button that opens the editor on the setting a diagnosis names.
fn setting_button_ui(ui: &mut Ui, setting: Setting, commands: &mut Vec<Command>) {
    if ui.button(format!("✏ Change {}", setting.label())).on_hover_text("Open the editor on that field").clicked() {
        commands.push(Command::GoToSetting(setting));
    }
}

/// The "Paste an error" box: an error another client printed, explained as a diagnosis.
fn paste_ui(ui: &mut Ui, paste: &mut PasteState, commands: &mut Vec<Command>) {
    theme::card(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let title = ui.label(RichText::new("Paste an error").size(15.0).strong());
        ui.add(
            egui::Label::new(
                RichText::new(
                    "An error message another client printed (Python, Node.js, Java, Go, curl, OpenSSL, rustls) or a \
                     Chroma error body: it is read here, without connecting, and named as the check would name it.",
                )
                .color(theme::palette(ui).muted),
            )
            .wrap(),
        );
        ui.add_space(4.0);
        let edit = egui::ScrollArea::vertical()
            .id_salt("paste an error")
            .max_height(140.0)
            .show(ui, |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut paste.text)
                        .hint_text("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: …")
                        .font(egui::TextStyle::Monospace)
                        .desired_rows(4)
                        .desired_width(f32::INFINITY)
                        .char_limit(MAX_PASTE_CHARS),
                )
                .labelled_by(title.id)
            })
            .inner;
        if edit.changed() {
            commands.push(Command::ExplainPaste);
        }
        ui.horizontal(|ui| {
            if ui.add_enabled(!paste.text.is_empty(), egui::Button::new("Clear")).clicked() {
                paste.text.clear();
                commands.push(Command::ExplainPaste);
            }
        });
        ui.add_space(4.0);
        match &paste.explanation {
            None => {
                ui.add(
                    egui::Label::new(
                        RichText::new(
                            "Paste the whole error, a traceback included: the first exception of a Python traceback \
                             is often the real one, and chromadb's \"Could not connect to a Chroma server\" hides it.",
                        )
                        .color(theme::palette(ui).muted),
                    )
                    .wrap(),
                );
            }
            Some(explanation) => explanation_ui(ui, explanation, commands),
        }
    });
}

fn explanation_ui(ui: &mut Ui, explanation: &Explanation, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    let Some(main) = explanation.main() else {
        theme::outlined_card(ui, p.warn).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new("Not recognised").size(17.0).strong().color(p.warn));
            let (summary, hint) = if explanation.empty {
                ("Nothing to explain: the text is empty.", "")
            } else {
                (
                    "This text holds no error message that Chroma Connect knows.",
                    "Paste the whole error as the client printed it, traceback included. Or run Test connection: \
                     it names the cause itself.",
                )
            };
            ui.add(egui::Label::new(RichText::new(summary).strong()).wrap());
            ui.add(egui::Label::new(hint).wrap());
        });
        return;
    };
    let color = if main.code.is_some() { p.bad } else { p.warn };
    theme::outlined_card(ui, color).show(ui, |ui| {
        ui.set_width(ui.available_width());
        finding_ui(ui, main, color, commands);
    });
    for other in &explanation.findings[1..] {
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Also:").strong());
            if let Some(code) = other.code {
                ui.add(egui::Label::new(RichText::new(code.as_str()).monospace()).selectable(true));
            }
            ui.add(egui::Label::new(widgets::shown(&other.summary)).wrap());
        });
    }
    ui.add_space(4.0);
    ui.add(egui::Label::new(RichText::new(widgets::shown(&explanation.next_step())).color(p.muted)).wrap());
}

fn finding_ui(ui: &mut Ui, finding: &Finding, color: egui::Color32, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        let title = finding.client.map_or("Recognised", crate::explain::Client::label);
        ui.label(RichText::new(title).size(17.0).strong().color(color));
        match finding.code {
            Some(code) => widgets::code_chip_ui(ui, code.as_str(), commands),
            None => {
                ui.label(RichText::new("hides the real error").color(color));
            }
        }
    });
    ui.add(egui::Label::new(RichText::new(widgets::shown(&finding.summary)).strong()).wrap());
    ui.add(
        egui::Label::new(RichText::new(format!("\"{}\"", widgets::shown(&finding.matched))).monospace().weak())
            .selectable(true)
            .wrap(),
    );
    ui.add_space(4.0);
    ui.add(egui::Label::new(widgets::shown(&finding.hint)).wrap());
    if let (Some(fix), Some(client)) = (&finding.fix, finding.client) {
        ui.add_space(4.0);
        ui.label(RichText::new(format!("In {}", client.label())).strong());
        // One alternative a line.
        let fix = widgets::shown(fix).replace("; ", ";\n");
        ui.add(egui::Label::new(RichText::new(fix).monospace()).selectable(true).wrap());
    }
    if let Some(setting) = finding.setting {
        ui.add_space(4.0);
        setting_button_ui(ui, setting, commands);
    }
}

fn fact(ui: &mut Ui, label: &str, value: &str) {
    ui.horizontal_top(|ui| {
        widgets::cell(ui, 130.0, RichText::new(label).weak());
        ui.add(egui::Label::new(widgets::shown(value)).selectable(true).wrap());
    });
}
