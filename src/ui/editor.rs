//! The connection editor: Server, TLS, Authentication, Tenant & database, Advanced.

use egui::{Response, RichText, Ui};

use crate::app::state::{AppState, Discovery, FileCheck, SecretInfo};
use crate::app::{AuthChoice, Command, Draft, Field, VerifyChoice};
use crate::profile::{Setting, TokenHeader, parse_endpoint};

use super::{theme, widgets};

/// Draws the editor of the open draft.
pub fn editor_ui(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    actions_ui(ui, state, commands);
    ui.add_space(4.0);
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        // Wrapped text in a grid cell takes all the width it is offered: bound the input column by hand.
        let width = widgets::bound_page_width(ui, 820.0);
        let field_width = (width - theme::LABEL_WIDTH - 2.0 * f32::from(theme::CARD_MARGIN) - 24.0).max(200.0);
        ui.ctx().data_mut(|d| d.insert_temp(field_width_id(), field_width));
        server_ui(ui, state);
        ui.add_space(theme::GROUP_SPACING);
        tls_ui(ui, state, commands);
        ui.add_space(theme::GROUP_SPACING);
        auth_ui(ui, state);
        ui.add_space(theme::GROUP_SPACING);
        scope_ui(ui, state, commands);
        ui.add_space(theme::GROUP_SPACING);
        advanced_ui(ui, state);
        ui.add_space(theme::GROUP_SPACING);
    });
    // A focus request not met by a visible field is dropped, so it never lingers.
    state.focus = None;
}

fn actions_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let Some(draft) = &state.draft else { return };
    let dirty = draft.is_dirty();
    let saving = state.saving.is_some();
    ui.horizontal(|ui| {
        let save = ui.add_enabled(dirty && !saving, egui::Button::new("Save").shortcut_text("Ctrl+S"));
        if save.clicked() {
            commands.push(Command::SaveDraft);
        }
        if saving {
            ui.spinner();
        }
        let revert_text = if draft.original.is_some() { "Revert" } else { "Discard" };
        if ui.add_enabled(dirty, egui::Button::new(revert_text)).clicked() {
            commands.push(Command::RevertDraft);
        }
        ui.separator();
        if ui.add(egui::Button::new("▶ Test connection").shortcut_text("Ctrl+Enter")).clicked() {
            commands.push(Command::RunCheck);
        }
        if !draft.errors.is_empty() {
            ui.colored_label(theme::palette(ui).bad, format!("{} field(s) need a correction", draft.errors.len()));
        }
    });
}

fn field_width_id() -> egui::Id {
    egui::Id::unique("chroma-connect-editor-field-width")
}

/// The width of the editor's input column, as set for this frame.
fn field_width(ui: &Ui) -> f32 {
    ui.ctx().data(|d| d.get_temp(field_width_id())).unwrap_or(480.0)
}

/// A labelled row of the editor's grid: the label, then what `add` draws, then the field's error under it.
fn row<R>(
    ui: &mut Ui,
    draft_errors: &std::collections::BTreeMap<Field, String>,
    field: Field,
    help: &str,
    add: impl FnOnce(&mut Ui, egui::Id) -> R,
) -> R {
    let label = ui.label(field.label()).on_hover_text(help);
    let width = field_width(ui);
    let out = ui.vertical(|ui| {
        ui.set_max_width(width);
        let out = add(ui, label.id);
        if let Some(error) = draft_errors.get(&field) {
            ui.colored_label(theme::palette(ui).bad, format!("✖ {error}"));
        }
        out
    });
    ui.end_row();
    out.inner
}

/// A one-line text input, labelled for screen readers and tests, that takes focus when the app asks.
fn text_input(ui: &mut Ui, label: egui::Id, text: &mut String, hint: &str, focus: bool, password: bool) -> Response {
    let response = ui
        .add(
            egui::TextEdit::singleline(text)
                .hint_text(hint)
                .password(password)
                .desired_width(ui.available_width().min(480.0)),
        )
        .labelled_by(label);
    if focus {
        response.request_focus();
        response.scroll_to_me(Some(egui::Align::Center));
    }
    response
}

fn grid(ui: &mut Ui, id: &str, add: impl FnOnce(&mut Ui)) {
    egui::Grid::new(id).num_columns(2).spacing([12.0, 8.0]).min_col_width(theme::LABEL_WIDTH).show(ui, add);
}

fn server_ui(ui: &mut Ui, state: &mut AppState) {
    let focus = state.focus;
    let Some(draft) = &mut state.draft else { return };
    theme::card(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        widgets::section_title_ui(ui, "Server");
        grid(ui, "server", |ui| {
            let errors = draft.errors.clone();
            row(ui, &errors, Field::Name, "The profile's name, unique", |ui, label| {
                text_input(ui, label, &mut draft.fields.name, "e.g. staging", false, false)
            });
            let changed = row(
                ui,
                &errors,
                Field::Setting(Setting::Url),
                "Paste the server's URL: https://host:port, or host:port for plain HTTP",
                |ui, label| {
                    let response = text_input(
                        ui,
                        label,
                        &mut draft.fields.url,
                        "https://chroma.example.com:8000",
                        focus == Some(Setting::Url),
                        false,
                    );
                    endpoint_line_ui(ui, draft);
                    response.changed()
                },
            );
            if changed && draft.take_url_credentials() {
                draft.errors.insert(
                    Field::Setting(Setting::Url),
                    "The user and password in the URL moved to Authentication (never keep them in a URL).".to_owned(),
                );
            }
        });
    });
}

/// What the URL means: scheme, host, port, path; or nothing while it does not parse.
fn endpoint_line_ui(ui: &mut Ui, draft: &mut Draft) {
    let Ok(endpoint) = parse_endpoint("url", draft.fields.url.trim()) else { return };
    let mut ssl = endpoint.scheme == crate::profile::Scheme::Https;
    ui.horizontal_wrapped(|ui| {
        if ui.checkbox(&mut ssl, "SSL/TLS").on_hover_text("https:// (on) or http:// (off)").changed() {
            let rest = draft.fields.url.trim().split_once("://").map_or(draft.fields.url.trim(), |(_, rest)| rest);
            let scheme = if ssl { "https" } else { "http" };
            draft.fields.url = format!("{scheme}://{rest}");
        }
        let path =
            if endpoint.base_path.is_empty() { String::new() } else { format!(" · path {}", endpoint.base_path) };
        ui.weak(format!("host {} · port {}{path}", endpoint.host, endpoint.port));
        if endpoint.port == 443 && !draft.fields.url.contains(":443") && ssl {
            ui.weak("(default port 443: Chroma itself listens on 8000)");
        }
    });
}

fn tls_ui(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let focus = state.focus;
    let files = state.files.clone();
    let unavailable = state.dialog_unavailable.clone();
    let Some(draft) = &mut state.draft else { return };
    let https = draft.fields.url.trim_start().to_ascii_lowercase().starts_with("https://");
    theme::card(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        widgets::section_title_ui(ui, "TLS");
        if !https {
            ui.weak("The URL is plain http://: nothing below is used until SSL/TLS is on.");
        }
        let errors = draft.errors.clone();
        grid(ui, "tls", |ui| {
            row(
                ui,
                &errors,
                Field::Setting(Setting::Verify),
                "How the server's certificate is verified",
                |ui, _label| {
                    let before = draft.fields.verify;
                    for choice in VerifyChoice::ALL {
                        let text = if choice == VerifyChoice::Off {
                            RichText::new(choice.label()).color(theme::palette(ui).bad)
                        } else {
                            RichText::new(choice.label())
                        };
                        let radio = ui.radio_value(&mut draft.fields.verify, choice, text);
                        if focus == Some(Setting::Verify) && choice == before {
                            radio.request_focus();
                            radio.scroll_to_me(Some(egui::Align::Center));
                        }
                    }
                    if draft.fields.verify == VerifyChoice::Off {
                        ui.colored_label(
                            theme::palette(ui).bad,
                            "Any certificate is accepted: use only to look at a server you cannot fix yet.",
                        );
                    }
                },
            );
            if draft.fields.verify.uses_ca_file() || focus == Some(Setting::CaFile) {
                path_row(ui, draft, &errors, Setting::CaFile, focus, &files, &unavailable, commands);
            }
            path_row(ui, draft, &errors, Setting::ClientCert, focus, &files, &unavailable, commands);
            path_row(ui, draft, &errors, Setting::ClientKey, focus, &files, &unavailable, commands);
            row(
                ui,
                &errors,
                Field::Setting(Setting::ServerName),
                "Verify the certificate for this name (and send it as SNI) instead of the URL's host",
                |ui, label| {
                    text_input(
                        ui,
                        label,
                        &mut draft.fields.server_name,
                        "the URL's host",
                        focus == Some(Setting::ServerName),
                        false,
                    );
                },
            );
            row(
                ui,
                &errors,
                Field::Setting(Setting::PinnedSha256),
                "Trust on first use: the SHA-256 fingerprint the server's certificate must have",
                |ui, _label| match draft.fields.pinned_sha256.clone() {
                    Some(pin) => {
                        ui.horizontal_wrapped(|ui| {
                            ui.add(egui::Label::new(RichText::new(&pin).monospace()).selectable(true));
                            let unpin = ui.button("Unpin");
                            if focus == Some(Setting::PinnedSha256) {
                                unpin.request_focus();
                                unpin.scroll_to_me(Some(egui::Align::Center));
                            }
                            if unpin.clicked() {
                                commands.push(Command::Unpin);
                            }
                        });
                    }
                    None => {
                        ui.weak("None. Pin the server's certificate from the Certificates page.");
                    }
                },
            );
        });
    });
}

#[expect(clippy::too_many_arguments, reason = "one row of the grid needs the draft and what the app knows of files")]
fn path_row(
    ui: &mut Ui,
    draft: &mut Draft,
    errors: &std::collections::BTreeMap<Field, String>,
    setting: Setting,
    focus: Option<Setting>,
    files: &std::collections::HashMap<Setting, FileCheck>,
    unavailable: &std::collections::HashMap<Setting, String>,
    commands: &mut Vec<Command>,
) {
    let help = match setting {
        Setting::CaFile => "The certificate(s) of the authority that signed the server's certificate (PEM or DER)",
        Setting::ClientCert => "For mutual TLS: your client certificate (PEM)",
        _ => "For mutual TLS: the private key of the client certificate (PEM, not encrypted)",
    };
    row(ui, errors, Field::Setting(setting), help, |ui, label| {
        ui.horizontal(|ui| {
            let width = (ui.available_width() - 90.0).clamp(120.0, 480.0 - 90.0);
            let response = ui
                .add(
                    egui::TextEdit::singleline(draft.fields.path_mut(setting))
                        .hint_text("/path/to/file.pem")
                        .desired_width(width),
                )
                .labelled_by(label);
            if focus == Some(setting) {
                response.request_focus();
                response.scroll_to_me(Some(egui::Align::Center));
            }
            if response.lost_focus()
                || (response.changed() && response.has_focus() && ui.input(|i| i.modifiers.command))
            {
                commands.push(Command::InspectFile(setting));
            }
            if ui.button("Choose…").on_hover_text("Open the file dialog").clicked() {
                commands.push(Command::ChooseFile(setting));
            }
        });
        if let Some(reason) = unavailable.get(&setting) {
            ui.colored_label(theme::palette(ui).warn, reason);
        }
        let path = draft.fields.path(setting).trim();
        match files.get(&setting) {
            Some(FileCheck::Reading(_)) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.weak("Reading…");
                });
            }
            Some(FileCheck::Read { path: read, summary }) if read == path => {
                let p = theme::palette(ui);
                let (mark, color) = if summary.ok { ("✔", p.ok) } else { ("✖", p.bad) };
                ui.add(egui::Label::new(RichText::new(format!("{mark} {}", summary.text)).color(color)).wrap());
            }
            _ if !path.is_empty() => {
                ui.weak("Press Enter or leave the field to check the file.");
            }
            _ => {}
        }
    });
}

fn auth_ui(ui: &mut Ui, state: &mut AppState) {
    let focus = state.focus;
    let secret_info = state.secret_info.clone();
    let Some(draft) = &mut state.draft else { return };
    theme::card(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        widgets::section_title_ui(ui, "Authentication");
        let errors = draft.errors.clone();
        grid(ui, "auth", |ui| {
            row(ui, &errors, Field::Setting(Setting::Auth), "The credentials sent with every request", |ui, _| {
                ui.horizontal_wrapped(|ui| {
                    for choice in AuthChoice::ALL {
                        let radio = ui.radio_value(&mut draft.fields.auth, choice, choice.label());
                        if focus == Some(Setting::Auth) && choice == draft.fields.auth {
                            radio.request_focus();
                        }
                    }
                });
            });
            if draft.fields.auth == AuthChoice::Token {
                row(
                    ui,
                    &errors,
                    Field::Setting(Setting::TokenHeader),
                    "Chroma's Python client sends Authorization: Bearer; Chroma Cloud uses X-Chroma-Token",
                    |ui, _| {
                        ui.horizontal_wrapped(|ui| {
                            ui.radio_value(
                                &mut draft.fields.token_header,
                                TokenHeader::Bearer,
                                "Authorization: Bearer",
                            );
                            ui.radio_value(&mut draft.fields.token_header, TokenHeader::XChromaToken, "X-Chroma-Token");
                        });
                    },
                );
            }
            if draft.fields.auth == AuthChoice::Basic {
                row(ui, &errors, Field::Setting(Setting::BasicUser), "The user name", |ui, label| {
                    text_input(
                        ui,
                        label,
                        &mut draft.fields.basic_user,
                        "user",
                        focus == Some(Setting::BasicUser),
                        false,
                    );
                });
            }
            if draft.fields.auth != AuthChoice::None {
                let setting = if draft.fields.auth == AuthChoice::Token { Setting::Token } else { Setting::Password };
                secret_rows(ui, draft, &errors, setting, focus, secret_info.as_ref());
            }
        });
    });
}

fn secret_rows(
    ui: &mut Ui,
    draft: &mut Draft,
    errors: &std::collections::BTreeMap<Field, String>,
    setting: Setting,
    focus: Option<Setting>,
    info: Option<&SecretInfo>,
) {
    row(ui, errors, Field::Setting(setting), "Kept in the OS keychain, never in the profile file", |ui, label| {
        ui.horizontal_wrapped(|ui| {
            ui.radio_value(&mut draft.fields.secret_from_env, false, "Saved");
            ui.radio_value(&mut draft.fields.secret_from_env, true, "From an environment variable");
        });
        if draft.fields.secret_from_env {
            return;
        }
        ui.horizontal(|ui| {
            let hint = if draft.original.is_some() { "unchanged (type to replace)" } else { "" };
            let reveal = draft.reveal_secret;
            text_input(ui, label, &mut draft.secret, hint, focus == Some(setting), !reveal);
            let eye = if reveal { "🙈 Hide" } else { "👁 Show" };
            if ui.button(eye).on_hover_text("Show or hide what you typed").clicked() {
                draft.reveal_secret = !reveal;
            }
        });
        secret_info_ui(ui, info);
    });
    if draft.fields.secret_from_env {
        row(ui, errors, Field::SecretEnv, "Read each time the profile is used (for scripts and CI)", |ui, label| {
            text_input(ui, label, &mut draft.fields.secret_env, "CHROMA_TOKEN", false, false);
            secret_info_ui(ui, info);
        });
    }
}

/// Where the saved secret is, or why it cannot be read.
fn secret_info_ui(ui: &mut Ui, info: Option<&SecretInfo>) {
    match info {
        Some(SecretInfo::Looking) => {
            ui.weak("Looking for the saved secret…");
        }
        Some(SecretInfo::Found(text)) => {
            ui.add(egui::Label::new(RichText::new(text).weak().small()).wrap());
        }
        Some(SecretInfo::Error(err)) => {
            ui.add(egui::Label::new(RichText::new(err).color(theme::palette(ui).bad)).wrap());
        }
        None => {}
    }
}

fn scope_ui(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let focus = state.focus;
    let discovery = state.discovery.clone();
    let Some(draft) = &mut state.draft else { return };
    theme::card(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        widgets::section_title_ui(ui, "Tenant & database");
        let errors = draft.errors.clone();
        grid(ui, "scope", |ui| {
            row(ui, &errors, Field::Setting(Setting::Tenant), "Chroma tenant (default_tenant)", |ui, label| {
                text_input(
                    ui,
                    label,
                    &mut draft.fields.tenant,
                    "default_tenant",
                    focus == Some(Setting::Tenant),
                    false,
                );
            });
            row(ui, &errors, Field::Setting(Setting::Database), "Chroma database (default_database)", |ui, label| {
                text_input(
                    ui,
                    label,
                    &mut draft.fields.database,
                    "default_database",
                    focus == Some(Setting::Database),
                    false,
                );
            });
        });
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("🔍 Discover")
                .on_hover_text("Ask the server which tenant and databases these credentials use")
                .clicked()
            {
                commands.push(Command::DiscoverScope);
            }
            match &discovery {
                Some(Discovery::Running(_)) => {
                    ui.spinner();
                    ui.weak("Asking the server…");
                }
                Some(Discovery::Failed(err)) => {
                    ui.colored_label(theme::palette(ui).bad, err);
                }
                Some(Discovery::Found { tenants, databases, note }) => {
                    for tenant in tenants {
                        if ui.selectable_label(draft.fields.tenant == *tenant, format!("tenant {tenant}")).clicked() {
                            draft.fields.tenant.clone_from(tenant);
                        }
                    }
                    for database in databases {
                        if ui.selectable_label(draft.fields.database == *database, database).clicked() {
                            draft.fields.database.clone_from(database);
                        }
                    }
                    if !note.is_empty() {
                        ui.weak(note);
                    }
                }
                None => {}
            }
        });
    });
}

fn advanced_ui(ui: &mut Ui, state: &mut AppState) {
    let focus = state.focus;
    let Some(draft) = &mut state.draft else { return };
    let open = focus.is_some_and(|s| matches!(s, Setting::ConnectTimeout | Setting::RequestTimeout));
    theme::card(ui).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let header = egui::CollapsingHeader::new(RichText::new("Advanced").size(15.0).strong())
            .id_salt("advanced")
            .open(open.then_some(true));
        header.show(ui, |ui| {
            let errors = draft.errors.clone();
            grid(ui, "advanced", |ui| {
                row(
                    ui,
                    &errors,
                    Field::Setting(Setting::ConnectTimeout),
                    "Limit for the TCP connection and the TLS handshake, in seconds",
                    |ui, label| {
                        text_input(
                            ui,
                            label,
                            &mut draft.fields.connect_timeout_secs,
                            "10",
                            focus == Some(Setting::ConnectTimeout),
                            false,
                        );
                    },
                );
                row(
                    ui,
                    &errors,
                    Field::Setting(Setting::RequestTimeout),
                    "Limit for each HTTP request, in seconds",
                    |ui, label| {
                        text_input(
                            ui,
                            label,
                            &mut draft.fields.request_timeout_secs,
                            "30",
                            focus == Some(Setting::RequestTimeout),
                            false,
                        );
                    },
                );
                let label = ui.label("Read-only");
                ui.checkbox(&mut draft.fields.read_only, "Offer no writes through this profile").labelled_by(label.id);
                ui.end_row();
                let label = ui.label(Field::Notes.label());
                ui.add(
                    egui::TextEdit::multiline(&mut draft.fields.notes)
                        .desired_rows(2)
                        .desired_width(ui.available_width().min(480.0))
                        .hint_text("Who runs this server, where its CA comes from, …"),
                )
                .labelled_by(label.id);
                ui.end_row();
            });
        });
    });
}
