//! `chroma-connect`: with no arguments, or `gui`, the desktop app; otherwise the command line. All the work is in
//! the library.

use std::process::ExitCode;

use chroma_connect::app::{self, StartOptions};
use chroma_connect::cli::{self, Outcome};

fn main() -> ExitCode {
    if std::env::args_os().len() <= 1 {
        return app::main(StartOptions::default());
    }
    match cli::main() {
        Outcome::Gui(args) => app::main(StartOptions { profile: args.profile, check: args.check }),
        Outcome::Exit(code) => code,
    }
}
