//! `chroma-connect check`: runs the connection check and prints the timeline live (text) or one JSON object.

use std::io::Write as _;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::diagnose::{CheckEvent, CheckReport, Target, run_check, step_line};
use crate::profile::{ConnectionSettings, Verify};
use crate::tls::{FileRole, FileSummary, summarize_file};

use super::args::CheckArgs;
use super::flags::how_to_set;
use super::{EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEM, EXIT_USAGE};

/// Runs `check`; returns the exit code.
pub(super) async fn run(args: CheckArgs) -> u8 {
    let profile = args.connection.profile.as_deref();
    let settings = match args.connection.resolve() {
        Ok(resolved) => {
            for note in &resolved.notes {
                let _ = writeln!(std::io::stderr(), "warning: {}", crate::diagnose::sanitize_lines(note));
            }
            resolved.settings
        }
        Err(err) => {
            let report = CheckReport::settings_failure(&args.connection.target_label(), &err);
            print(&report, args.json, true, profile);
            return EXIT_USAGE;
        }
    };

    let cancel = CancellationToken::new();
    let (events_tx, mut events_rx) = mpsc::unbounded_channel();
    let live = !args.json;
    if live {
        // What the files hold is read on a blocking thread, never on the runtime (a file may be slow to read).
        let for_files = settings.clone();
        let files = tokio::task::spawn_blocking(move || file_lines(&for_files)).await.unwrap_or_default();
        write_out(&Target::of(&settings).to_text_with(&files));
    }
    let check = run_check(&settings, Some(events_tx), cancel.clone());
    tokio::pin!(check);
    let report = loop {
        tokio::select! {
            report = &mut check => break report,
            Some(event) = events_rx.recv() => {
                if live && let CheckEvent::Finished(step) = event {
                    write_out(&format!("{}\n", step_line(&step)));
                }
            }
            _ = tokio::signal::ctrl_c() => {
                cancel.cancel();
            }
        }
    };
    let Ok(report) = report else {
        let _ = writeln!(std::io::stderr(), "interrupted");
        return EXIT_INTERRUPTED;
    };
    // Steps that finished in the same poll as the check itself.
    while let Ok(event) = events_rx.try_recv() {
        if live && let CheckEvent::Finished(step) = event {
            write_out(&format!("{}\n", step_line(&step)));
        }
    }
    print(&report, args.json, false, profile);
    if report.ok {
        EXIT_OK
    } else if report.diagnosis.code.is_config() {
        EXIT_USAGE
    } else {
        EXIT_PROBLEM
    }
}

fn print(report: &CheckReport, json: bool, whole: bool, profile: Option<&str>) {
    let how = |setting| Some(how_to_set(setting, profile));
    if json {
        write_json(&format!("{}\n", report.to_json()));
    } else if whole {
        write_out(&report.to_text_with(how));
    } else {
        write_out(&report.conclusion_text_with(how));
    }
}

/// What the CA file and the client certificate and key hold, for the header (https only: http:// uses none).
fn file_lines(settings: &ConnectionSettings) -> Vec<(&'static str, String)> {
    if !settings.is_tls() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    if let Verify::CaFile(path) = &settings.verify {
        lines.push(("ca file", summary_text(&summarize_file(path, FileRole::CaCertificates))));
    }
    if let Some(path) = &settings.client_cert {
        lines.push((
            "client cert",
            format!("{}: {}", path.display(), summary_text(&summarize_file(path, FileRole::ClientCertificate))),
        ));
    }
    if let Some(path) = &settings.client_key {
        lines.push((
            "client key",
            format!("{}: {}", path.display(), summary_text(&summarize_file(path, FileRole::PrivateKey))),
        ));
    }
    lines
}

/// The summary, marked when the file cannot serve.
pub(super) fn summary_text(summary: &FileSummary) -> String {
    if summary.ok { summary.text.clone() } else { format!("PROBLEM: {}", summary.text) }
}

/// Writes text for a terminal to stdout, without control characters (line breaks kept): nothing a server or a
/// certificate holds can move the cursor or retitle the window. A closed pipe (`| head`) is not an error worth
/// reporting.
fn write_out(text: &str) {
    write_json(&crate::diagnose::sanitize_lines(text));
}

/// Writes to stdout as it is (JSON escapes control characters itself).
fn write_json(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}
