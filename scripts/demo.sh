#!/usr/bin/env bash
# Try the app against a local server: ./scripts/demo.sh
#
#  1. builds the app (cargo build --release) and the TLS fronts (cargo build --example demo_tls);
#  2. starts Chroma 1.5.9 on a free port of 127.0.0.1 (the venv of scripts/test.sh, made when missing, in
#     ${CHROMA_CONNECT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chroma-connect-tests}/venv-1.5.9), seeded
#     with scripts/seed.py, and examples/demo_tls.rs in front of it: TLS with a private CA, and a second front
#     whose certificate has the wrong name;
#  3. makes a throw-away CHROMA_CONNECT_HOME with four profiles (made with `chroma-connect profiles add`):
#       local-tls   the TLS front, trusting the CA that signed it (the check passes)
#       wrong-ca    the same front with a CA file that signed nothing there (tls.unknown_issuer)
#       wrong-name  the front whose certificate is for chroma.other.test (tls.name_mismatch)
#       plain-http  the Chroma server itself, http://127.0.0.1:PORT
#  4. opens the app on local-tls (chroma-connect gui --profile local-tls), and when its window closes (or on
#     Ctrl-C) stops the servers and removes the temporary folders.
#
# Needs a display (DISPLAY or WAYLAND_DISPLAY); without one it says so and exits 2 before starting anything.
# Knobs: CHROMA_CONNECT_KEEP_TMP=1 keeps the temporary folder (logs, CAs, profiles).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf 'demo.sh: %s\n' "$*" >&2; }
# shellcheck disable=SC2317  # called from scripts/lib
die() {
    say "ERROR: $*"
    exit 1
}

if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
    say "no display (neither DISPLAY nor WAYLAND_DISPLAY is set): the app needs one. Run this on a desktop, or"
    say "try the same servers headless with ./scripts/test.sh, or see ./scripts/screenshots.sh (uses Xvfb)."
    exit 2
fi

# shellcheck source=lib/chroma-env.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/chroma-env.sh"
# shellcheck source=lib/demo-env.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/demo-env.sh"

TMP=
# shellcheck disable=SC2317  # invoked through the trap below
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_servers "Chroma and the TLS fronts"
    if [[ -n $TMP ]]; then
        if [[ ${CHROMA_CONNECT_KEEP_TMP:-0} == 1 ]]; then
            say "kept $TMP"
        else
            rm -rf "$TMP"
            say "removed $TMP"
        fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

demo_build
TMP=$(mktemp -d "${TMPDIR:-/tmp}/chroma-connect-demo.XXXXXX")
demo_start "$TMP"
HOME_DIR=$TMP/app-home
demo_profiles "$HOME_DIR"
say "opening the app (CHROMA_CONNECT_HOME=$HOME_DIR): try the profiles wrong-ca, wrong-name and plain-http too"
say "close the window (or press Ctrl-C here) to stop the servers and remove the temporary folder"
status=0
demo_app "$HOME_DIR" gui --profile local-tls || status=$?
say "the app exited with $status"
exit "$status"
