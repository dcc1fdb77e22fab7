//! Integration tests of chroma-connect, built as one test binary `it` (`cargo test --test it`).
//!
//! Run them with `./scripts/test.sh` (extra arguments go to `cargo test`, e.g.
//! `./scripts/test.sh --test it smoke`): it starts and seeds a real Chroma 1.5.9 server and sets
//! `CHROMA_TEST_URL`, and a Chroma 0.4.24 server (API v1 only) for `browse_v1` as
//! `CHROMA_V1_TEST_URL` (`CHROMA_TEST_PYTHON` / `CHROMA_V1_TEST_PYTHON` are their venvs' python,
//! for comparisons with chromadb's own client). Shared helpers are in `support` (see its module
//! docs); add one module per area below.
//!
//! Tests that call blocking code (e.g. run the CLI with `std::process::Command`) while a support
//! server serves them need `#[tokio::test(flavor = "multi_thread")]` or the servers'
//! `start_on_thread` variants.

// Reason: in tests a failed unwrap/expect is a test failure with a backtrace, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Reason: each test module uses only part of the support code.
#[allow(dead_code, unreachable_pub)]
mod support;

mod browse;
mod browse_v1;
mod bundle;
mod check;
mod cli;
mod expiry;
mod explain;
mod export;
mod gui;
mod gui_browse;
mod gui_explain;
mod gui_trust;
mod profiles;
#[cfg(unix)]
mod profiles_crash;
#[cfg(unix)]
mod profiles_keychain;
mod proxy_mtls;
mod same_diagnosis;
mod security;
mod smoke;
mod snippet;
mod trust;

/// The environment variable that names another `chroma-connect` binary for the tests that run the CLI, e.g. one
/// built from an older commit, to see a test fail on the code before a fix.
pub(crate) const CLI_BINARY_ENV: &str = "CHROMA_CONNECT_TEST_BIN";

/// The `chroma-connect` binary the tests run: this build's, or the one named by [`CLI_BINARY_ENV`].
pub(crate) fn cli_binary() -> std::path::PathBuf {
    std::env::var_os(CLI_BINARY_ENV).map_or_else(|| env!("CARGO_BIN_EXE_chroma-connect").into(), Into::into)
}
