//! The `chroma-connect` command line: the headless face of the core, for scripts and support tickets.
//!
//! Exit codes: 0 when the check passed; 1 when it found a problem; 2 for usage or configuration errors;
//! 130 when interrupted.

mod args;
mod browse;
mod bundle;
mod check;
mod collections;
mod explain;
mod export;
mod flags;
mod profiles;
mod records;
mod settings_flags;
mod snippet;
mod table;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

pub use args::{Cli, Command, ConnectionArgs, GuiArgs};

/// The check passed.
pub const EXIT_OK: u8 = 0;
/// The check found a problem with the server or the connection.
pub const EXIT_PROBLEM: u8 = 1;
/// The command line or the settings are wrong.
pub const EXIT_USAGE: u8 = 2;
/// Interrupted (Ctrl-C).
pub const EXIT_INTERRUPTED: u8 = 130;

/// What the command line asks for: the desktop app (drawn by the binary, which links the GUI), or a CLI run that
/// ended with this exit code.
#[derive(Debug)]
pub enum Outcome {
    /// Open the window with these options.
    Gui(GuiArgs),
    /// The command ran (or the arguments were refused); exit with this code.
    Exit(ExitCode),
}

/// Parses the command line and runs it, unless it asks for the desktop app.
#[must_use]
pub fn main() -> Outcome {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help/version to stdout and errors to stderr, with its own exit codes (0 or 2).
            let _ = err.print();
            return Outcome::Exit(ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(EXIT_USAGE)));
        }
    };
    if let Command::Gui(args) = cli.command {
        return Outcome::Gui(args);
    }
    Outcome::Exit(run_cli(cli))
}

fn run_cli(cli: Cli) -> ExitCode {
    init_logging();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: cannot start the async runtime: {err}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let code = runtime.block_on(run(cli));
    ExitCode::from(code)
}

async fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => check::run(args).await,
        Command::Profiles(args) => profiles::run(args).await,
        Command::Collections(args) => collections::run(args).await,
        Command::Records(args) => records::run(args).await,
        Command::Snippet(args) => snippet::run(&args),
        Command::Bundle(args) => bundle::run(args).await,
        Command::Explain(args) => explain::run(&args),
        Command::Gui(_) => EXIT_USAGE,
    }
}

/// Logs go to stderr, off unless `CHROMA_CONNECT_LOG` asks (e.g. `CHROMA_CONNECT_LOG=debug`). Secrets are never
/// logged: headers are not logged and [`crate::profile::Secret`] has no readable `Debug`.
fn init_logging() {
    let Ok(filter) = std::env::var("CHROMA_CONNECT_LOG") else { return };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}
