#!/usr/bin/env bash
# The icon renditions, made from assets/chroma-connect.svg: ./scripts/icons.sh
#
#   assets/icons/NxN.png                  N = 16 24 32 48 64 128 256 512 (the hicolor sizes of the .deb, the
#                                         window icon, the macOS bundle's PNGs)
#   packaging/windows/chroma-connect.ico  16, 24, 32, 48, 64 (BMP) and 256 (PNG), for the Windows resources
#   packaging/macos/ChromaConnect.icns    16, 32, 48, 128, 256, 512, for the macOS bundle
#
# The results are committed, so building and packaging need no rasterizer; run this after editing the SVG.
# Uses rsvg-convert (librsvg2-bin), icotool (icoutils) and png2icns (icnsutils): installed with apt-get when
# missing and running as root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SVG=$ROOT/assets/chroma-connect.svg
OUT=$ROOT/assets/icons
ICO=$ROOT/packaging/windows/chroma-connect.ico
ICNS=$ROOT/packaging/macos/ChromaConnect.icns
SIZES=(16 24 32 48 64 128 256 512)

say() { printf 'icons.sh: %s\n' "$*" >&2; }
die() {
    say "ERROR: $*"
    exit 1
}

# tool package: the Debian package that brings each tool.
need=()
for pair in rsvg-convert:librsvg2-bin icotool:icoutils png2icns:icnsutils; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
if ((${#need[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        say "installing ${need[*]}"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${need[@]}"; } >/dev/null || die "apt-get install ${need[*]} failed"
    else
        die "missing tools: apt-get install ${need[*]}"
    fi
fi

mkdir -p "$OUT"
for n in "${SIZES[@]}"; do
    rsvg-convert --width "$n" --height "$n" --keep-aspect-ratio --format png "$SVG" --output "$OUT/${n}x$n.png"
done
say "wrote ${SIZES[*]} px PNGs to ${OUT#"$ROOT"/}/"

# Small sizes as BMP entries (every Windows version reads them), 256 as a PNG entry (what Windows expects there).
icotool --create --output "$ICO" "$OUT"/{16x16,24x24,32x32,48x48,64x64}.png --raw="$OUT/256x256.png"
say "wrote ${ICO#"$ROOT"/} ($(stat -c %s "$ICO") bytes)"

png2icns "$ICNS" "$OUT"/{16x16,32x32,48x48,128x128,256x256,512x512}.png >/dev/null
say "wrote ${ICNS#"$ROOT"/} ($(stat -c %s "$ICNS") bytes)"
