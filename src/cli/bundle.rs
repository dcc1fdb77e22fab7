//! `chroma-connect bundle (URL | --profile NAME) --output FILE`: runs the check and writes the support bundle — one
//! JSON file with the report, the chain, the file summaries, the settings without secrets, the version and the OS.

use std::io::Write as _;
use std::path::PathBuf;

use clap::Args;
use tokio_util::sync::CancellationToken;

use crate::diagnose::{CheckReport, SupportBundle, run_check};

use super::args::ConnectionArgs;
use super::{EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEM, EXIT_USAGE};

/// `bundle` arguments.
#[derive(Debug, Args)]
pub struct BundleArgs {
    /// Connection and trust settings, as for `check`.
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The file to write (`-` for standard output). An existing file is replaced.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
}

/// Runs `bundle`; returns the exit code: 0 when the bundle is written, whatever the check found (it is in the
/// bundle); 2 for usage errors; 1 when the file cannot be written; 130 when interrupted.
pub(super) async fn run(args: BundleArgs) -> u8 {
    let profile = args.connection.profile.clone();
    let settings = match args.connection.resolve() {
        Ok(resolved) => resolved.settings,
        Err(err) => {
            // Nothing to connect with: a bundle would hold only this error.
            let report = CheckReport::settings_failure(&args.connection.target_label(), &err);
            let _ = writeln!(std::io::stderr(), "error: {}", report.diagnosis.summary);
            return EXIT_USAGE;
        }
    };
    let _ = writeln!(std::io::stderr(), "Checking {} for the support bundle…", settings.display_url());
    let report = {
        let cancel = CancellationToken::new();
        let check = run_check(&settings, None, cancel.clone());
        tokio::pin!(check);
        tokio::select! {
            report = &mut check => report,
            _ = tokio::signal::ctrl_c() => {
                cancel.cancel();
                let _ = writeln!(std::io::stderr(), "interrupted");
                return EXIT_INTERRUPTED;
            }
        }
    };
    let Ok(report) = report else { return EXIT_INTERRUPTED };
    let output = args.output.clone();
    let bundle = tokio::task::spawn_blocking(move || SupportBundle::new(&report, &settings, profile.as_deref())).await;
    let Ok(bundle) = bundle else { return EXIT_PROBLEM };
    let json = format!("{}\n", bundle.to_json());
    if output.as_os_str() == "-" {
        let _ = std::io::stdout().write_all(json.as_bytes());
        return EXIT_OK;
    }
    let written =
        tokio::task::spawn_blocking(move || crate::profile::write_atomic(&output, json.as_bytes()).map(|()| output))
            .await;
    match written {
        Ok(Ok(path)) => {
            let _ = writeln!(
                std::io::stderr(),
                "Saved the support bundle to {} (no token, password or URL credentials in it). The check found: {} {}",
                path.display(),
                bundle_code(&bundle),
                crate::diagnose::sanitize_display(&bundle.check.diagnosis.summary, 300)
            );
            EXIT_OK
        }
        Ok(Err(err)) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write {}: {err}", args.output.display());
            EXIT_PROBLEM
        }
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: {err}");
            EXIT_PROBLEM
        }
    }
}

fn bundle_code(bundle: &SupportBundle) -> String {
    bundle.check.diagnosis.code.to_string()
}
