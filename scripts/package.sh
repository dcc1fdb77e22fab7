#!/usr/bin/env bash
# Builds the Debian package of chroma-connect: ./scripts/package.sh [cargo-deb args...]
#
#  1. validates the desktop entry (desktop-file-validate) and the AppStream metainfo (appstreamcli validate
#     --no-net) of packaging/linux/;
#  2. writes the man pages (examples/manpages.rs: from the clap definitions) into packaging/linux/man, gzipped;
#  3. runs `cargo deb --locked` (a release build; the metadata is [package.metadata.deb] in Cargo.toml: the binary in
#     /usr/bin, the desktop entry, the hicolor icons, the metainfo, the man pages, the copyright file, the Depends of the libraries
#     the GUI opens at run time);
#  4. prints the path of the .deb on stdout (the only line it prints there), and its size, the installed size and
#     the binary's size on stderr.
#
# Installs what it needs when it is missing: cargo-deb (cargo install, once: ~100 s) and, running as root,
# desktop-file-utils and appstream (apt-get). Extra arguments go to cargo deb (e.g. --fast, --no-build,
# --output DIR). The package is target/debian/chroma-connect_VERSION-1_ARCH.deb unless --output says otherwise.
# Install it with: sudo apt install ./target/debian/chroma-connect_*.deb
set -euo pipefail

CARGO_DEB_VERSION=3.8.0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
APP_ID=io.github.chroma_connect.ChromaConnect

START=$SECONDS
say() { printf 'package.sh [%3ss]: %s\n' "$((SECONDS - START))" "$*" >&2; }
die() {
    say "ERROR: $*"
    exit 1
}

# apt_install PACKAGE...: installs Debian packages when running as root, else says what to install.
apt_install() {
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        say "installing $*"
        local log
        log=$(mktemp)
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } \
            >"$log" 2>&1 || {
            tail -n 20 "$log" >&2
            rm -f "$log"
            die "apt-get install $* failed (log above)"
        }
        rm -f "$log"
    else
        die "missing tools: apt-get install $*"
    fi
}

cd "$ROOT"

# ---------------------------------------------------------------- tools
missing=()
command -v desktop-file-validate >/dev/null || missing+=(desktop-file-utils)
command -v appstreamcli >/dev/null || missing+=(appstream)
command -v dpkg-deb >/dev/null || missing+=(dpkg)
((${#missing[@]} == 0)) || apt_install "${missing[@]}"
if ! command -v cargo-deb >/dev/null; then
    say "installing cargo-deb $CARGO_DEB_VERSION (cargo install, once)"
    cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked --quiet || die "cargo install cargo-deb failed"
fi

# ---------------------------------------------------------------- validate
desktop=packaging/linux/$APP_ID.desktop
metainfo=packaging/linux/$APP_ID.metainfo.xml
say "desktop-file-validate $desktop"
out=$(desktop-file-validate "$desktop" 2>&1) || die "desktop-file-validate failed: $out"
[[ -z $out ]] || say "$out"
say "appstreamcli validate --no-net $metainfo"
out=$(appstreamcli validate --no-net "$metainfo" 2>&1) || die "appstreamcli validate failed: $out"

# ---------------------------------------------------------------- man pages
# From the clap definitions (examples/manpages.rs), so that they say what --help says.
man=packaging/linux/man
rm -rf "$man"
say "man pages into $man"
cargo run --quiet --locked --example manpages -- "$man" >/dev/null || die "making the man pages failed"
gzip -9n "$man"/*.1

# ---------------------------------------------------------------- build
say "cargo deb --locked $* (a release build unless --profile says otherwise)"
deb=$(cargo deb --locked "$@" | tail -n 1)
[[ -f $deb ]] || die "cargo deb did not report a .deb (got '$deb')"

size=$(stat -c %s "$deb")
installed_kib=$(dpkg-deb --field "$deb" Installed-Size)
binary=$(dpkg-deb --contents "$deb" | awk '$6 == "./usr/bin/chroma-connect" { print $3 }')
say "$(basename "$deb"): $((size / 1024)) KiB; installed $((installed_kib / 1024)) MiB;" \
    "/usr/bin/chroma-connect $((binary / 1024)) KiB"
printf '%s\n' "$deb"
