//! Integration tests of chroma-connect, built as one test binary `it` (`cargo test --test it`).
//!
//! Run them with `./scripts/test.sh` (extra arguments go to `cargo test`, e.g.
//! `./scripts/test.sh --test it smoke`): it starts and seeds a real Chroma 1.5.9 server and sets
//! `CHROMA_TEST_URL`. Shared helpers are in `support` (see its module docs); add one module per
//! area below.
//!
//! Tests that call blocking code (e.g. run the CLI with `std::process::Command`) while a support
//! server serves them need `#[tokio::test(flavor = "multi_thread")]` or the servers'
//! `start_on_thread` variants.

// Reason: in tests a failed unwrap/expect is a test failure with a backtrace, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Reason: each test module uses only part of the support code.
#[allow(dead_code, unreachable_pub)]
mod support;

mod check;
mod cli;
mod smoke;
