//! Writes the man pages of `chroma-connect` and its subcommands from the clap definitions, so that they never drift
//! from `--help`: `cargo run --example manpages -- DIR` writes DIR/chroma-connect.1, DIR/chroma-connect-check.1, …
//! scripts/package.sh puts them, gzipped, in the Debian package.

use std::io::Write as _;
use std::path::PathBuf;

use clap::CommandFactory as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args_os().nth(1).ok_or("usage: manpages DIR")?);
    std::fs::create_dir_all(&dir)?;
    let command = chroma_connect::cli::Cli::command();
    clap_mangen::generate_to(command, &dir)?;
    let mut written: Vec<String> =
        std::fs::read_dir(&dir)?.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    written.sort();
    writeln!(std::io::stdout(), "{}", written.join("\n"))?;
    Ok(())
}
