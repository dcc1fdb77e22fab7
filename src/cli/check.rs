//! `chroma-connect check`: runs the connection check and prints the timeline live (text) or one JSON object.

use std::io::Write as _;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::diagnose::{CheckEvent, CheckReport, Target, run_check, step_line};

use super::args::CheckArgs;
use super::{EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEM, EXIT_USAGE};

/// Runs `check`; returns the exit code.
pub(super) async fn run(args: CheckArgs) -> u8 {
    let settings = match args.connection.to_settings() {
        Ok(settings) => settings,
        Err(err) => {
            let report = CheckReport::settings_failure(&args.connection.target_label(), &err);
            print(&report, args.json, true);
            return EXIT_USAGE;
        }
    };

    let cancel = CancellationToken::new();
    let (events_tx, mut events_rx) = mpsc::unbounded_channel();
    let live = !args.json;
    if live {
        write_out(&Target::of(&settings).to_text());
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
    print(&report, args.json, false);
    if report.ok {
        EXIT_OK
    } else if report.diagnosis.code.is_config() {
        EXIT_USAGE
    } else {
        EXIT_PROBLEM
    }
}

fn print(report: &CheckReport, json: bool, whole: bool) {
    if json {
        write_out(&format!("{}\n", report.to_json()));
    } else if whole {
        write_out(&report.to_text());
    } else {
        write_out(&report.conclusion_text());
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth reporting.
fn write_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}
