//! The connection doctor: run the check, watch each step, read the diagnosis and go to the setting to change.

use egui::{RichText, Ui};

use crate::app::Command;
use crate::app::state::{AppState, CheckOutcome, CheckRun};
use crate::diagnose::{CheckReport, Step, StepStatus};

use super::{theme, widgets};

/// Draws the doctor page of the selected profile.
pub fn doctor_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let name = state.selected_name().unwrap_or_default().to_owned();
    let run = state.checks.get(&name);
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
        });
    });
    if running {
        // Durations tick while a step runs.
        ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
    }
    ui.add_space(6.0);
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        widgets::bound_page_width(ui, 900.0);
        let Some(run) = run else {
            never_run_ui(ui, state, &name);
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
    });
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
            if ui
                .button(format!("✏ Change {}", setting.label()))
                .on_hover_text("Open the editor on that field")
                .clicked()
            {
                commands.push(Command::GoToSetting(setting));
            }
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

fn fact(ui: &mut Ui, label: &str, value: &str) {
    ui.horizontal_top(|ui| {
        widgets::cell(ui, 130.0, RichText::new(label).weak());
        ui.add(egui::Label::new(widgets::shown(value)).selectable(true).wrap());
    });
}
