# shellcheck shell=bash
# The "try it with a local server" set-up shared by scripts/demo.sh and scripts/screenshots.sh. Source it after
# scripts/lib/chroma-env.sh (whose ensure_venv, start_chroma, start_tracked, wait_for, free_port and stop_servers
# it uses), with ROOT set to the checkout:
#
#   demo_build                 cargo build --release (the app) and cargo build --example demo_tls (the TLS fronts)
#   demo_start TMP             in the folder TMP: Chroma 1.5.9 (the shared venv) on a free port of 127.0.0.1,
#                              seeded with scripts/seed.py, and demo_tls in front of it. Sets DEMO_CHROMA_URL,
#                              DEMO_GOOD_URL, DEMO_WRONG_NAME_URL and DEMO_PKI (the folder holding ca.pem and
#                              other-ca.pem).
#   demo_profiles HOME         makes the profiles local-tls, wrong-ca, wrong-name and plain-http in the
#                              CHROMA_CONNECT_HOME folder HOME, through the CLI
#   demo_app HOME ARG...       runs the app (./target/release/chroma-connect ARG...) with CHROMA_CONNECT_HOME=HOME
#
# Everything started is recorded for stop_servers; the caller traps EXIT and calls stop_servers and removes TMP.

DEMO_CHROMA_VERSION=1.5.9
DEMO_VENV=$CHROMA_ENV_CACHE/venv-$DEMO_CHROMA_VERSION
DEMO_APP=$ROOT/target/release/chroma-connect
DEMO_TLS=$ROOT/target/debug/examples/demo_tls

# demo_build: builds the release app and the demo_tls example (it uses the tests' dev-dependencies).
demo_build() {
    say "building the app (cargo build --release; the first build takes minutes)"
    (cd "$ROOT" && cargo build --release --quiet) || die "cargo build --release failed"
    say "building the TLS fronts (cargo build --example demo_tls)"
    (cd "$ROOT" && cargo build --example demo_tls --quiet) || die "cargo build --example demo_tls failed"
}

# demo_start TMP: see the top of this file. Logs are TMP/chroma.log and TMP/demo_tls.log.
demo_start() {
    local tmp=$1
    ensure_venv "$DEMO_CHROMA_VERSION" "$DEMO_VENV" "chromadb==$DEMO_CHROMA_VERSION"
    mkdir -p "$tmp/chroma-home" "$tmp/data" "$tmp/pki"
    local port
    port=$(free_port "$DEMO_VENV/bin/python")
    DEMO_CHROMA_URL=http://127.0.0.1:$port
    say "starting Chroma $DEMO_CHROMA_VERSION on $DEMO_CHROMA_URL (data and logs in $tmp)"
    HOME=$tmp/chroma-home start_chroma "$DEMO_VENV" "$tmp/data" "$port" "$tmp/chroma.log"
    wait_for "Chroma $DEMO_CHROMA_VERSION" "$CHROMA_PID" "$DEMO_CHROMA_URL/api/v2/heartbeat" "$tmp/chroma.log"
    say "seeding it with scripts/seed.py"
    HOME=$tmp/chroma-home ANONYMIZED_TELEMETRY=False "$DEMO_VENV/bin/python" "$ROOT/scripts/seed.py" \
        127.0.0.1 "$port" >"$tmp/seed.log" 2>&1 || {
        cat "$tmp/seed.log" >&2
        die "seeding Chroma failed (log above)"
    }

    DEMO_PKI=$tmp/pki
    local urls=$tmp/demo_tls.urls
    # shellcheck disable=SC2016  # expanded by the inner bash
    start_tracked demo_tls "$tmp/demo_tls.log" \
        bash -c 'exec "$1" --upstream "$2" --dir "$3" >"$4"' demo_tls "$DEMO_TLS" "127.0.0.1:$port" "$DEMO_PKI" "$urls"
    local pid=$TRACKED_PID deadline=$((SECONDS + 30))
    until [[ -s $urls ]] && grep -q '^wrong_name=' "$urls"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            cat "$tmp/demo_tls.log" >&2 || true
            die "demo_tls exited before printing its URLs (log above)"
        fi
        ((SECONDS < deadline)) || die "demo_tls printed no URLs within 30 s (log: $tmp/demo_tls.log)"
        sleep 0.1
    done
    DEMO_GOOD_URL=$(sed -n 's/^good=//p' "$urls")
    DEMO_WRONG_NAME_URL=$(sed -n 's/^wrong_name=//p' "$urls")
    [[ $DEMO_GOOD_URL == https://* && $DEMO_WRONG_NAME_URL == https://* ]] || die "demo_tls printed: $(cat "$urls")"
    say "TLS fronts: $DEMO_GOOD_URL (certificate signed by $DEMO_PKI/ca.pem), $DEMO_WRONG_NAME_URL (wrong name)"
}

# demo_cli HOME ARG...: the CLI with CHROMA_CONNECT_HOME=HOME; secrets (none are used) would stay in HOME.
demo_cli() {
    local home=$1
    shift
    CHROMA_CONNECT_HOME=$home CHROMA_CONNECT_SECRET_STORE=file "$DEMO_APP" "$@"
}

# demo_profiles HOME: the four demo profiles, made with `chroma-connect profiles add` in HOME.
demo_profiles() {
    local home=$1 log=$1/profiles-add.log
    mkdir -p "$home"
    say "making the profiles local-tls, wrong-ca, wrong-name and plain-http in $home"
    {
        demo_cli "$home" profiles add local-tls "$DEMO_GOOD_URL" --ca-file "$DEMO_PKI/ca.pem" \
            --notes "The demo's TLS front, trusting the private CA that signed its certificate." &&
            demo_cli "$home" profiles add wrong-ca "$DEMO_GOOD_URL" --ca-file "$DEMO_PKI/other-ca.pem" \
                --notes "The same server, with a CA file that did not sign its certificate." &&
            demo_cli "$home" profiles add wrong-name "$DEMO_WRONG_NAME_URL" --ca-file "$DEMO_PKI/ca.pem" \
                --notes "A certificate signed by the right CA, for another name (chroma.other.test)." &&
            demo_cli "$home" profiles add plain-http "$DEMO_CHROMA_URL" \
                --notes "The Chroma server itself, plain HTTP."
    } >"$log" 2>&1 || {
        cat "$log" >&2
        die "chroma-connect profiles add failed (output above)"
    }
    rm -f "$log"
}

# demo_app HOME ARG...: the app, in the foreground.
demo_app() {
    local home=$1
    shift
    demo_cli "$home" "$@"
}
