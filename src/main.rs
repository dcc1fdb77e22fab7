//! `chroma-connect`: with no arguments, or `gui`, the desktop app; otherwise the command line. All the work is in
//! the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    match args.next() {
        None => chroma_connect::app::main(chroma_connect::app::StartOptions::default()),
        Some(first) if first == "gui" => match chroma_connect::app::parse_gui_args() {
            Ok(start) => chroma_connect::app::main(start),
            Err(code) => code,
        },
        Some(_) => chroma_connect::cli::main(),
    }
}
