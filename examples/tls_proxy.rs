//! A TLS-terminating proxy in front of a Chroma server, with a throw-away CA, for benchmarks and trying the CLI
//! by hand. It is the proxy of the integration tests (`tests/it/support`), run as a program.
//!
//! `cargo run --example tls_proxy -- UPSTREAM_ADDR DIR [KIND]` writes `DIR/ca.pem` (the CA to trust), prints
//! `https://localhost:PORT` on stdout, and serves until killed. KIND picks the certificate: `good` (default),
//! `expired`, `not-yet-valid`, `wrong-name`, `self-signed`, `ca-as-leaf`, `other-root`, `no-intermediate`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, reason = "a test tool")]

#[path = "../tests/it/support/mod.rs"]
#[allow(dead_code, unreachable_pub, reason = "the tests use the rest of the support code")]
mod support;

use std::io::Write as _;
use std::net::SocketAddr;

use support::pki::Pki;
use support::proxy::{ProxyConfig, TlsProxy};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: tls_proxy UPSTREAM_ADDR DIR [good|expired|not-yet-valid|wrong-name|self-signed|ca-as-leaf|other-root|no-intermediate]";
    let upstream: SocketAddr = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let dir = std::path::PathBuf::from(args.next().expect(usage));
    let kind = args.next().unwrap_or_else(|| "good".to_owned());
    let pki = Pki::new();
    let leaf = match kind.as_str() {
        "good" => pki.leaf(),
        "expired" => pki.expired_leaf(),
        "not-yet-valid" => pki.not_yet_valid_leaf(),
        "wrong-name" => pki.wrong_name_leaf(),
        "self-signed" => pki.self_signed_leaf(),
        "ca-as-leaf" => pki.ca_as_leaf(),
        "other-root" => pki.leaf_from_other_root(),
        "no-intermediate" => pki.leaf_via_intermediate(false),
        _ => panic!("{usage}"),
    };
    std::fs::create_dir_all(&dir).expect("create DIR");
    std::fs::copy(pki.root_pem_path(), dir.join("ca.pem")).expect("write ca.pem");
    let proxy = TlsProxy::start(ProxyConfig::for_leaf(&leaf, upstream)).await;
    println!("{}", proxy.https_url());
    std::io::stdout().flush().expect("flush");
    std::future::pending::<()>().await;
}
