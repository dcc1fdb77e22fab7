#!/usr/bin/env bash
# The README screenshots, captured from the real app: ./scripts/screenshots.sh
#
# Sets up what scripts/demo.sh sets up (scripts/lib/demo-env.sh: the release app, Chroma 1.5.9 seeded, the TLS
# fronts of examples/demo_tls.rs, a CHROMA_CONNECT_HOME with the profiles local-tls, wrong-ca, wrong-name and
# plain-http), then runs the app once per picture, each time on a new Xvfb screen (a free display number, chosen
# by Xvfb -displayfd) and with its own copy of that CHROMA_CONNECT_HOME (so no window state leaks from one
# picture to the next), and captures the screen with ImageMagick's import into docs/:
#
#   editor.png           1280x800  gui --profile local-tls: the connection editor
#   doctor-failure.png   1280x800  gui --profile wrong-ca --check: the doctor page with the failed check
#   certificates.png     1280x800  the same, then a click on the "Certificates" tab
#   *-dark.png                     the same three in the dark theme (the app's saved theme preference)
#   editor-small.png     1024x700  the editor in a smaller window
#   browse-collections.png         the Browse page of local-tls (the saved page preference opens it)
#   browse-records.png             lab_docs's records with doc-02's detail panel (clicks: BROWSE_LAB_DOCS,
#                                  BROWSE_RECORD)
#   browse-similar.png             the records nearest to doc-02 (then BROWSE_SIMILAR), dark theme
#   certificates-trust.png         the "Would other clients connect?" card (scrolled: TRUST_SCROLL=X,Y,STEPS),
#   certificates-trust-small.png   and in a 900x640 dark window
#   doctor-explain.png             a pasted Python error explained (typed into the box at PASTE_BOX=X,Y), dark
#   profiles-small.png             800x600: the profile list, its toolbar and the editor at the smallest size
#
# Needs Xvfb, xdotool and ImageMagick (/usr/bin/import, /usr/bin/convert); no display of your own.
# Knobs: SCREENSHOTS_OUT=DIR (default docs), SCREENSHOTS_CHECK_WAIT=SECS (default 7: time given to the check),
#        SCREENSHOTS_CERT_TAB=X,Y (where the "Certificates" tab is on a 1280x800 screen; default 495,104),
#        SCREENSHOTS_ONLY="NAME..." (only these pictures, e.g. "certificates certificates-dark"),
#        CHROMA_CONNECT_KEEP_TMP=1 (keep the temporary folder: logs, raw captures, homes).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf 'screenshots.sh: %s\n' "$*" >&2; }
die() {
    say "ERROR: $*"
    exit 1
}

IMPORT=/usr/bin/import
CONVERT=/usr/bin/convert
OUT=${SCREENSHOTS_OUT:-$ROOT/docs}
CHECK_WAIT=${SCREENSHOTS_CHECK_WAIT:-7}
CERT_TAB=${SCREENSHOTS_CERT_TAB:-495,104}
ONLY=${SCREENSHOTS_ONLY:-}
for tool in Xvfb xdotool "$IMPORT" "$CONVERT"; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install xvfb xdotool imagemagick)"
done

# shellcheck source=lib/chroma-env.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/chroma-env.sh"
# shellcheck source=lib/demo-env.sh source-path=SCRIPTDIR
. "$ROOT/scripts/lib/demo-env.sh"

TMP=
# shellcheck disable=SC2317  # invoked through the trap below
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_servers "Chroma, the TLS fronts and Xvfb"
    if [[ -n $TMP ]]; then
        if [[ ${CHROMA_CONNECT_KEEP_TMP:-0} == 1 ]]; then
            say "kept $TMP"
        else
            rm -rf "$TMP"
        fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_xvfb WIDTHxHEIGHT LOG: a new X server on a free display; sets XVFB_DISPLAY (:N) and XVFB_PID.
start_xvfb() {
    local size=$1 log=$2 fdfile
    fdfile=$(mktemp "$TMP/xvfb-display.XXXXXX")
    # -displayfd: Xvfb picks a free display number and writes it once it accepts connections.
    # shellcheck disable=SC2016  # expanded by the inner bash
    start_tracked Xvfb "$log" bash -c 'exec Xvfb -displayfd 3 -screen 0 "$1x24" -nolisten tcp 3>"$2"' \
        xvfb "$size" "$fdfile"
    XVFB_PID=$TRACKED_PID
    local deadline=$((SECONDS + 20))
    until [[ -s $fdfile ]]; do
        kill -0 "$XVFB_PID" 2>/dev/null || {
            cat "$log" >&2
            die "Xvfb exited (log above)"
        }
        ((SECONDS < deadline)) || die "Xvfb did not start within 20 s (log: $log)"
        sleep 0.1
    done
    XVFB_DISPLAY=:$(tr -dc 0-9 <"$fdfile")
}

# brightness FILE: the mean grey level of an image, 0 (black) to 100 (white).
brightness() {
    "$CONVERT" "$1" -colorspace Gray -format '%[fx:int(100*mean)]' info:
}

# changed_pixels A B: how many pixels differ between two captures of the same size.
changed_pixels() {
    "$CONVERT" "$1" "$2" -compose difference -composite -colorspace Gray -threshold 1% \
        -format '%[fx:int(mean*w*h+0.5)]' info:
}

# shot NAME SIZE THEME WAIT ACTION -- APP_ARG...: runs the app with APP_ARGs on a new Xvfb screen of SIZE
# (WIDTHxHEIGHT) with THEME (light or dark), waits WAIT seconds after its window appears, does ACTION (none, or
# click-cert-tab), and captures the screen to $TMP/shots/NAME.png.
shot() {
    local name=$1 size=$2 theme=$3 wait=$4 action=$5
    shift 6
    [[ -z $ONLY || " $ONLY " == *" $name "* ]] || return 0
    local home=$TMP/homes/$name log=$TMP/logs/$name
    mkdir -p "$home" "$TMP/logs" "$TMP/shots"
    cp -a "$BASE_HOME/." "$home/"
    # The app keeps its theme in eframe's storage (window.ron in CHROMA_CONNECT_HOME), key chroma-connect-prefs:
    # a RON string of `Prefs` (every field has a default). Its default, "System", is dark under Xvfb.
    local choice=Light
    [[ $theme == dark ]] && choice=Dark
    # SHOT_PAGE (Browse, Doctor, ...) opens that page first.
    local page=
    [[ -n ${SHOT_PAGE:-} ]] && page=",page:$SHOT_PAGE"
    printf '{\n    "chroma-connect-prefs": "(theme:%s%s)",\n}\n' "$choice" "$page" >"$home/window.ron"
    start_xvfb "$size" "$log.xvfb.log"
    local display=$XVFB_DISPLAY xvfb=$XVFB_PID
    say "$name: chroma-connect $* ($size, $theme theme, on Xvfb $display)"
    start_tracked chroma-connect "$log.app.log" env DISPLAY="$display" CHROMA_CONNECT_HOME="$home" \
        CHROMA_CONNECT_SECRET_STORE=file XDG_CACHE_HOME="$TMP/xdg-cache" "$DEMO_APP" "$@"
    local app=$TRACKED_PID window
    window=$(DISPLAY=$display timeout 30 xdotool search --sync --onlyvisible --name '^Chroma Connect$' | head -n 1) ||
        true
    if [[ -z $window ]]; then
        cat "$log.app.log" >&2 || true
        die "$name: no window titled 'Chroma Connect' within 30 s (app log above)"
    fi
    local width=${size%x*} height=${size#*x}
    # No window manager: put the window at the top left and make it fill the screen.
    DISPLAY=$display xdotool windowmove "$window" 0 0 windowsize "$window" "$width" "$height"
    sleep "$wait"
    case $action in
    none) ;;
    click-cert-tab)
        "$IMPORT" -display "$display" -window root "$TMP/shots/$name.before-click.png"
        DISPLAY=$display xdotool mousemove "${CERT_TAB%,*}" "${CERT_TAB#*,}" click 1
        # Move away, so that no hover highlight is captured, and let it draw.
        sleep 0.5
        DISPLAY=$display xdotool mousemove "$((width - 1))" "$((height - 1))"
        sleep 1.5
        ;;
    clicks:*)
        # clicks:X,Y:X,Y... : click each point in turn, 2 s apart (pages and records load in between).
        local point
        IFS=: read -r -a points <<<"${action#clicks:}"
        for point in "${points[@]}"; do
            DISPLAY=$display xdotool mousemove "${point%,*}" "${point#*,}" click 1
            sleep 2
        done
        DISPLAY=$display xdotool mousemove "$((width - 1))" "$((height - 1))"
        sleep 1
        ;;
    scroll:* | tabscroll:*)
        # scroll:X,Y,N : N wheel steps down with the pointer at X,Y (to reach a card below the fold);
        # tabscroll:X,Y,N : the same after a click on the Certificates tab.
        local spec=${action#*scroll:} x y n
        IFS=, read -r x y n <<<"$spec"
        if [[ $action == tabscroll:* ]]; then
            DISPLAY=$display xdotool mousemove "${CERT_TAB%,*}" "${CERT_TAB#*,}" click 1
            sleep 1
        fi
        DISPLAY=$display xdotool mousemove "$x" "$y"
        for ((i = 0; i < n; i++)); do
            DISPLAY=$display xdotool click 5
            sleep 0.05
        done
        DISPLAY=$display xdotool mousemove "$((width - 1))" "$((height - 1))"
        sleep 1
        ;;
    type:*)
        # type:X,Y:TEXT : click at X,Y (a text box) and type TEXT.
        local spec=${action#type:} point text
        point=${spec%%:*}
        text=${spec#*:}
        # No window manager gives the window the keyboard: focus it first.
        DISPLAY=$display xdotool windowfocus --sync "$window"
        DISPLAY=$display xdotool mousemove "${point%,*}" "${point#*,}" click 1
        sleep 0.3
        DISPLAY=$display xdotool type --delay 2 "$text"
        DISPLAY=$display xdotool mousemove "$((width - 1))" "$((height - 1))"
        sleep 1.5
        ;;
    *) die "unknown action $action" ;;
    esac
    kill -0 "$app" 2>/dev/null || {
        cat "$log.app.log" >&2 || true
        die "$name: the app exited before the capture (log above)"
    }
    "$IMPORT" -display "$display" -window root "$TMP/shots/$name.png"
    stop_tracked "$app" "$xvfb"
    if [[ -f $TMP/shots/$name.before-click.png ]]; then
        # A page change redraws most of the window; a hover (the scroll bar) only a few pixels.
        local changed
        changed=$(changed_pixels "$TMP/shots/$name.before-click.png" "$TMP/shots/$name.png")
        if ((changed < 20000)); then
            die "$name.png: the click at $CERT_TAB changed only $changed pixels, so it probably missed the" \
                "Certificates tab (set SCREENSHOTS_CERT_TAB=X,Y; nothing was written to $OUT)"
        fi
        mv "$TMP/shots/$name.before-click.png" "$TMP/logs/$name.before-click.png"
    fi
    local level
    level=$(brightness "$TMP/shots/$name.png")
    if { [[ $theme == dark ]] && ((level > 50)); } || { [[ $theme == light ]] && ((level < 50)); }; then
        die "$name.png has a mean brightness of $level%: the $theme theme was not applied (nothing was written" \
            "to $OUT)"
    fi
}

demo_build
TMP=$(mktemp -d "${TMPDIR:-/tmp}/chroma-connect-screenshots.XXXXXX")
demo_start "$TMP"
BASE_HOME=$TMP/base-home
demo_profiles "$BASE_HOME"

for theme in light dark; do
    suffix=
    [[ $theme == dark ]] && suffix=-dark
    shot "editor$suffix" 1280x800 "$theme" 3 none -- gui --profile local-tls
    shot "doctor-failure$suffix" 1280x800 "$theme" "$CHECK_WAIT" none -- gui --profile wrong-ca --check
    shot "certificates$suffix" 1280x800 "$theme" "$CHECK_WAIT" click-cert-tab -- gui --profile wrong-ca --check
done
shot editor-small 1024x700 light 3 none -- gui --profile local-tls
# The browser of local-tls: the collections; lab_docs's records with a record's detail; its similar records.
# The points are where the lab_docs row, the record doc-02 and "Find similar" are on a 1280x800 screen.
SHOT_PAGE=Browse shot browse-collections 1280x800 light 4 none -- gui --profile local-tls
SHOT_PAGE=Browse shot browse-records 1280x800 light 4 "clicks:${BROWSE_LAB_DOCS:-303,326}:${BROWSE_RECORD:-500,454}" -- \
    gui --profile local-tls
SHOT_PAGE=Browse shot browse-similar 1280x800 dark 4 \
    "clicks:${BROWSE_LAB_DOCS:-303,326}:${BROWSE_RECORD:-500,454}:${BROWSE_SIMILAR:-1092,653}" -- gui --profile local-tls
# The trust of other clients under the chain (scrolled to it), and the doctor explaining a pasted Python error.
shot certificates-trust 1280x800 light "$CHECK_WAIT" "tabscroll:${TRUST_SCROLL:-800,500,40}" -- \
    gui --profile wrong-ca --check
shot certificates-trust-small 900x640 dark "$CHECK_WAIT" "tabscroll:${TRUST_SCROLL_SMALL:-600,400,40}" -- \
    gui --profile wrong-ca --check
SHOT_PAGE=Doctor shot doctor-explain 1280x800 dark 3 \
    "type:${PASTE_BOX:-700,395}:ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)" \
    -- gui --profile local-tls
shot profiles-small 800x600 light 3 none -- gui --profile local-tls

mkdir -p "$OUT"
for file in "$TMP"/shots/*.png; do
    # Without ImageMagick's date chunks: the same pixels give the same file.
    "$CONVERT" "$file" -strip "$OUT/$(basename "$file")"
    say "wrote $OUT/$(basename "$file") ($("$CONVERT" "$file" -format '%wx%h' info:), $(wc -c <"$OUT/$(basename "$file")") bytes)"
done
