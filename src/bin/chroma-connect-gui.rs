//! `chroma-connect-gui`: the desktop app alone, what launchers start on Windows. Its release build is a GUI
//! program there (`windows_subsystem = "windows"`): no console window opens beside the app. `chroma-connect` stays
//! a console program, so that its subcommands print in the terminal they run in; a console program started from
//! the Start menu would open an empty console window, hence this second binary. On Linux and macOS both behave the
//! same (launchers there run `chroma-connect`). It takes the options of `chroma-connect gui`.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser as _;

use chroma_connect::app::{self, StartOptions};
use chroma_connect::cli::GuiArgs;

/// Chroma Connect, the desktop app (the command line is `chroma-connect`).
#[derive(Debug, clap::Parser)]
#[command(name = "chroma-connect-gui", version)]
struct Args {
    #[command(flatten)]
    gui: GuiArgs,
}

fn main() -> ExitCode {
    let Args { gui } = Args::parse();
    app::main(StartOptions { profile: gui.profile, check: gui.check })
}
