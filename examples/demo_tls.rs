//! TLS fronts for trying the app against a local Chroma server (`scripts/demo.sh`, `scripts/screenshots.sh`).
//!
//! `cargo run --example demo_tls -- --upstream 127.0.0.1:PORT --dir DIR` makes a throw-away PKI (the one of the
//! integration tests, `tests/it/support/pki.rs`) and writes into DIR:
//! - `ca.pem`: the private root CA that signed both certificates served here;
//! - `other-ca.pem`: an unrelated CA that signed nothing served here ("the wrong CA file").
//!
//! It then starts two TLS-terminating proxies (`tests/it/support/proxy.rs`) in front of the plain-HTTP upstream,
//! each on a free port of 127.0.0.1, prints one line per proxy on stdout and serves until SIGTERM or SIGINT:
//!
//! ```text
//! good=https://localhost:PORT          certificate for localhost and 127.0.0.1, signed by ca.pem
//! wrong_name=https://localhost:PORT2   certificate for chroma.other.test only, signed by ca.pem
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::print_stderr, reason = "a demo tool")]

// The support code of the integration tests, used as is. `proxy.rs` needs `client.rs` and the `Background` and
// `bind_loopback` of `mod.rs`, so the whole module comes along (as in `examples/tls_proxy.rs`).
#[path = "../tests/it/support/mod.rs"]
#[allow(dead_code, unreachable_pub, reason = "the tests use the rest of the support code")]
mod support;

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use support::pki::Pki;
use support::proxy::{ProxyConfig, TlsProxy};
use tokio::signal::unix::{SignalKind, signal};

const USAGE: &str = "usage: demo_tls --upstream 127.0.0.1:PORT --dir DIR";

struct Args {
    upstream: SocketAddr,
    dir: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut upstream = None;
    let mut dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let mut value = || inline.clone().or_else(|| args.next()).ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--upstream" => {
                let raw = value()?;
                upstream = Some(raw.parse::<SocketAddr>().map_err(|e| format!("--upstream {raw}: {e}"))?);
            }
            "--dir" => dir = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args { upstream: upstream.ok_or("--upstream is required")?, dir: dir.ok_or("--dir is required")? })
}

fn copy_pem(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {} to {}: {e}", from.display(), to.display()));
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("demo_tls: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Listen before anything is printed, so that the lines on stdout name ports that are open.
    let mut terminate = signal(SignalKind::terminate()).expect("listen for SIGTERM");
    let mut interrupt = signal(SignalKind::interrupt()).expect("listen for SIGINT");

    // The PKI's files live in a temporary folder removed when `pki` is dropped: the CAs are copied into DIR.
    let pki = Pki::new();
    std::fs::create_dir_all(&args.dir).unwrap_or_else(|e| panic!("create {}: {e}", args.dir.display()));
    copy_pem(&pki.root_pem_path(), &args.dir.join("ca.pem"));
    copy_pem(&pki.other_root_pem_path(), &args.dir.join("other-ca.pem"));

    let good = TlsProxy::start(ProxyConfig::for_leaf(&pki.leaf(), args.upstream)).await;
    let wrong_name = TlsProxy::start(ProxyConfig::for_leaf(&pki.wrong_name_leaf(), args.upstream)).await;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "good={}", good.https_url()).expect("write to stdout");
    writeln!(stdout, "wrong_name={}", wrong_name.https_url()).expect("write to stdout");
    stdout.flush().expect("flush stdout");
    drop(stdout);

    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    // Stop accepting, close the connections, remove the PKI's temporary folder.
    drop(good);
    drop(wrong_name);
    drop(pki);
    ExitCode::SUCCESS
}
