//! `chroma-connect snippet --profile NAME --lang python|js|curl|openssl`: the profile as another client's code.

use std::io::Write as _;

use clap::{Args, ValueEnum};

use crate::snippet::{Lang, snippet};

use super::{EXIT_OK, EXIT_USAGE};

/// `snippet` arguments.
#[derive(Debug, Args)]
pub struct SnippetArgs {
    /// The saved profile (see `profiles list`).
    #[arg(long, value_name = "NAME")]
    pub profile: String,
    /// What to write: Python (`chromadb.HttpClient`), JavaScript (`ChromaClient`), a curl command for the
    /// heartbeat, or an `openssl s_client` command that shows the handshake and the chain.
    #[arg(long, value_enum)]
    pub lang: LangArg,
}

/// `--lang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// Python with the chromadb package.
    Python,
    /// JavaScript (Node.js) with the chromadb npm package.
    Js,
    /// curl.
    Curl,
    /// `openssl s_client`.
    Openssl,
}

/// Runs `snippet`: the code on stdout, the variables to set on stderr.
pub(super) fn run(args: &SnippetArgs) -> u8 {
    let (profile, _) = match super::profiles::open_profile(&args.profile) {
        Ok(found) => found,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: {err}");
            return EXIT_USAGE;
        }
    };
    let lang = match args.lang {
        LangArg::Python => Lang::Python,
        LangArg::Js => Lang::Js,
        LangArg::Curl => Lang::Curl,
        LangArg::Openssl => Lang::Openssl,
    };
    let snippet = snippet(&profile, lang);
    let _ = std::io::stdout().write_all(snippet.text.as_bytes());
    for (var, what) in &snippet.env {
        let _ = writeln!(std::io::stderr(), "note: set {var} to {what}");
    }
    EXIT_OK
}
