//! `chroma-connect explain`: what an error message from another client means, as the check's diagnosis code, with
//! the setting to change and the fix in that client's terms. Reads the message from its arguments or standard input.

use std::io::{IsTerminal as _, Read as _, Write as _};

use clap::Args;

use crate::explain::{MAX_INPUT_BYTES, explain};

use super::flags::how_to_set;
use super::{EXIT_OK, EXIT_PROBLEM, EXIT_USAGE};

/// `explain` arguments.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The error message as the client printed it (quote it, or give several words); with none, or `-`, it is
    /// read from standard input (a whole traceback can be piped in). Put `--` before a text that starts with `-`.
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `explain`; returns the exit code: 0 recognised, 1 not recognised, 2 no text or unreadable input.
pub(super) fn run(args: &ExplainArgs) -> u8 {
    let text = if args.text.is_empty() || args.text == ["-"] {
        match read_stdin() {
            Ok(text) => text,
            Err(err) => {
                let _ = writeln!(std::io::stderr(), "error: cannot read the text from standard input: {err}");
                return EXIT_USAGE;
            }
        }
    } else {
        args.text.join(" ")
    };
    if text.trim().is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "error: no text to explain: give the error message as an argument (quoted) or on standard input"
        );
        return EXIT_USAGE;
    }
    let explanation = explain(&text);
    let out = if args.json {
        format!("{}\n", explanation.to_json())
    } else {
        crate::diagnose::sanitize_lines(&explanation.to_text_with(|setting| Some(how_to_set(setting, None))))
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    if explanation.recognised() { EXIT_OK } else { EXIT_PROBLEM }
}

/// Standard input, up to the size `explain` reads (bytes that are not UTF-8 are replaced).
fn read_stdin() -> std::io::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let _ = writeln!(std::io::stderr(), "Paste the error message, then press Ctrl-D (Ctrl-Z, Enter on Windows).");
    }
    let mut bytes = Vec::new();
    stdin.lock().take(u64::try_from(MAX_INPUT_BYTES).unwrap_or(u64::MAX)).read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
