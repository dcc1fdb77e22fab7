#!/usr/bin/env bash
# The supply-chain check of the test command: ./scripts/deny.sh
#
# Runs `cargo deny --offline check licenses bans sources` with deny.toml: only the licenses listed there, one
# rustls and one reqwest, no OpenSSL/native-tls, crates from crates.io only. Installs cargo-deny (cargo install,
# once: ~5 min on 2 cores) when it is missing, and first runs `cargo fetch --locked` so that every crate of
# Cargo.lock, for every platform, is in cargo's cache (--offline needs them; the fetch is a no-op once done).
# Advisories are not checked: the RustSec database cannot be fetched here.
set -euo pipefail

CARGO_DENY_VERSION=0.20.2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf 'deny.sh: %s\n' "$*" >&2; }
die() {
    say "ERROR: $*"
    exit 1
}

cd "$ROOT"
if ! command -v cargo-deny >/dev/null; then
    say "installing cargo-deny $CARGO_DENY_VERSION (cargo install, once)"
    cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked --quiet || die "cargo install cargo-deny failed"
fi
cargo fetch --locked --quiet || die "cargo fetch --locked failed"
cargo deny --offline check --hide-inclusion-graph licenses bans sources ||
    die "cargo deny found a license, ban or source problem (above); see deny.toml"
