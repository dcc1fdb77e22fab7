# shellcheck shell=bash
# Real Chroma servers for the scripts of chroma-connect (test.sh, demo.sh, screenshots.sh). Source it:
#
#   . "$ROOT/scripts/lib/chroma-env.sh"
#
# Functions:
#   ensure_venv VERSION VENV REQUIREMENT...   make (or reuse) VENV with chromadb VERSION, under a lock
#   start_chroma VENV DATA_DIR PORT LOG [ARG...]
#                                             `chroma run` on 127.0.0.1:PORT in its own process group
#                                             (setsid), output to LOG; the pid is in CHROMA_PID and recorded
#                                             for stop_servers. Give the server its own HOME with
#                                             `HOME=DIR start_chroma ...`; extra ARGs go to `chroma run`.
#   start_tracked NAME LOG COMMAND [ARG...]   any other server, started and recorded the same way (TRACKED_PID)
#   wait_for NAME PID URL LOG                 until URL answers (curl), PID dies or 60 s pass (then die)
#   free_port [PYTHON]                        prints a free TCP port of 127.0.0.1
#   stop_tracked PID...                       SIGTERM to these recorded process groups, SIGKILL after 10 s
#   stop_servers [WHAT]                       the same for every recorded one, then says "WHAT stopped"
#   ensure_proxies                            nginx, haproxy and caddy (the real proxies of tests/it/proxy_mtls.rs):
#                                             installs the missing ones with apt-get when root, else says which
#
# The caller may define say MESSAGE and die MESSAGE (log to stderr; die exits 1) before sourcing; otherwise
# plain versions prefixed with CHROMA_ENV_NAME (default: the script's name) are defined.
# Settings (read when sourced):
#   CHROMA_ENV_CACHE   where the venvs live (default
#                      ${CHROMA_CONNECT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chroma-connect-tests})
#   CHROMA_CONNECT_PYTHON   the python that makes venvs (default python3)

CHROMA_ENV_CACHE=${CHROMA_ENV_CACHE:-${CHROMA_CONNECT_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/chroma-connect-tests}}
CHROMA_ENV_PYTHON=${CHROMA_CONNECT_PYTHON:-python3}
CHROMA_ENV_NAME=${CHROMA_ENV_NAME:-$(basename "$0")}
# Recorded by start_chroma / start_tracked: process-group leaders and their names, for stop_servers.
CHROMA_ENV_PIDS=()
CHROMA_ENV_PID_NAMES=()

if ! declare -F say >/dev/null; then
    say() { printf '%s: %s\n' "$CHROMA_ENV_NAME" "$*" >&2; }
fi
if ! declare -F die >/dev/null; then
    die() {
        say "ERROR: $*"
        exit 1
    }
fi

# venv_works VERSION VENV: the venv imports chromadb VERSION.
venv_works() {
    local version=$1 venv=$2
    [[ -x $venv/bin/chroma && -x $venv/bin/python ]] &&
        "$venv/bin/python" -c "import chromadb, sys; sys.exit(chromadb.__version__ != '$version')" \
            >/dev/null 2>&1
}

# ensure_venv VERSION VENV PIP_REQUIREMENT...: makes (or reuses) VENV with these requirements.
ensure_venv() {
    local version=$1 venv=$2
    shift 2
    # Written only after a complete, verified install: a venv without it is half-made.
    local marker=$venv/.chroma-connect-ready
    local log=$CHROMA_ENV_CACHE/pip-install-$version.log
    # -x follows symlinks: a venv whose base python went away fails here and is rebuilt.
    [[ -f $marker && -x $venv/bin/chroma && -x $venv/bin/python ]] && return 0
    mkdir -p "$CHROMA_ENV_CACHE"
    # One installer at a time (two runs started together share the cache).
    exec 9>"$CHROMA_ENV_CACHE/install.lock"
    if command -v flock >/dev/null; then
        say "taking the venv lock $CHROMA_ENV_CACHE/install.lock"
        flock 9
    fi
    if [[ -f $marker && -x $venv/bin/chroma && -x $venv/bin/python ]]; then
        exec 9>&-
        return 0
    fi
    if venv_works "$version" "$venv" && "$venv/bin/python" -m pip install --disable-pip-version-check -q "$@" \
        >"$log" 2>&1; then
        # A venv made by hand or by an older version of this script: accept it (with the pins applied).
        say "found a working chromadb $version venv at $venv"
    else
        if [[ -e $venv ]]; then
            say "removing a half-made venv at $venv"
            rm -rf "$venv"
        fi
        say "installing $* into $venv (about a minute, 500 MB; log: $log)"
        if ! { "$CHROMA_ENV_PYTHON" -m venv "$venv" &&
            "$venv/bin/python" -m pip install --disable-pip-version-check -q "$@"; } >"$log" 2>&1; then
            tail -n 30 "$log" >&2 || true
            rm -rf "$venv"
            die "installing chromadb==$version failed (log above)"
        fi
        venv_works "$version" "$venv" || {
            rm -rf "$venv"
            die "chromadb==$version installed but does not import"
        }
    fi
    date -u +%Y-%m-%dT%H:%M:%SZ >"$marker"
    exec 9>&-
}

# start_tracked NAME LOG COMMAND [ARG...]: runs COMMAND in the background as the leader of a new process group
# (setsid), stdin from /dev/null, stdout and stderr to LOG; sets TRACKED_PID and records it for stop_servers.
start_tracked() {
    local name=$1 log=$2
    shift 2
    setsid "$@" </dev/null >"$log" 2>&1 &
    TRACKED_PID=$!
    CHROMA_ENV_PIDS+=("$TRACKED_PID")
    CHROMA_ENV_PID_NAMES+=("$name")
}

# start_chroma VENV DATA_DIR PORT LOG [CHROMA_RUN_ARG...]: `chroma run` on 127.0.0.1:PORT with its data in
# DATA_DIR, started with start_tracked (pid in CHROMA_PID). `chroma run` 1.x has no --log-path: its log is its
# stdout/stderr, LOG; 0.4.x writes chroma.log into the working directory unless given --log-path.
start_chroma() {
    local venv=$1 data=$2 port=$3 log=$4
    shift 4
    ANONYMIZED_TELEMETRY=False NO_COLOR=1 start_tracked Chroma "$log" \
        "$venv/bin/chroma" run --path "$data" --host 127.0.0.1 --port "$port" "$@"
    # shellcheck disable=SC2034  # for the caller
    CHROMA_PID=$TRACKED_PID
}

# wait_for NAME PID URL LOG: until URL answers, the process dies, or 60 s pass.
wait_for() {
    local name=$1 pid=$2 url=$3 log=$4
    local deadline=$((SECONDS + 60))
    until curl -fsS --noproxy '*' --max-time 2 -o /dev/null "$url" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$log" >&2 || true
            die "$name exited before answering its heartbeat (log above)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 40 "$log" >&2 || true
            die "no heartbeat from $name at $url within 60 s (log above)"
        fi
        sleep 0.2
    done
}

# free_port [PYTHON]: prints a TCP port of 127.0.0.1 that is free now.
free_port() {
    "${1:-$CHROMA_ENV_PYTHON}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# stop_tracked PID...: stops these process groups recorded by start_tracked/start_chroma (SIGTERM to each group;
# SIGKILL after 10 s), waits for them and forgets them.
stop_tracked() {
    (($# > 0)) || return 0
    local pid i alive
    for pid in "$@"; do
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for ((i = 0; i < 100; i++)); do
        alive=0
        for pid in "$@"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        ((alive)) || break
        sleep 0.1
    done
    local name keep_pids=() keep_names=()
    for pid in "$@"; do
        name=process
        for i in "${!CHROMA_ENV_PIDS[@]}"; do
            [[ ${CHROMA_ENV_PIDS[$i]} == "$pid" ]] && name=${CHROMA_ENV_PID_NAMES[$i]}
        done
        if kill -0 "$pid" 2>/dev/null; then
            say "$name (pid $pid) did not stop on SIGTERM within 10 s: SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    for i in "${!CHROMA_ENV_PIDS[@]}"; do
        [[ " $* " == *" ${CHROMA_ENV_PIDS[$i]} "* ]] && continue
        keep_pids+=("${CHROMA_ENV_PIDS[$i]}")
        keep_names+=("${CHROMA_ENV_PID_NAMES[$i]}")
    done
    CHROMA_ENV_PIDS=("${keep_pids[@]}")
    CHROMA_ENV_PID_NAMES=("${keep_names[@]}")
}

# stop_servers [WHAT]: stops every process group recorded by start_tracked/start_chroma (each was started with
# setsid and leads its own group; they are stopped together, SIGKILL after 10 s) and says "WHAT stopped"
# (default "servers"). Does nothing when none is running.
stop_servers() {
    ((${#CHROMA_ENV_PIDS[@]} > 0)) || return 0
    stop_tracked "${CHROMA_ENV_PIDS[@]}"
    say "${1:-servers} stopped"
}

# ensure_proxies: nginx, haproxy and caddy on this machine (tests/it/proxy_mtls.rs runs them as real proxies, each
# in the foreground with its own configuration in a temporary folder). Installs the missing ones with apt-get,
# quietly, when root; Debian's policy-rc.d keeps the packages' services from starting in a container. Otherwise
# only says what is missing: those tests then fail, saying so.
ensure_proxies() {
    local binary missing=()
    for binary in nginx haproxy caddy; do
        command -v "$binary" >/dev/null || [[ -x /usr/sbin/$binary ]] || missing+=("$binary")
    done
    ((${#missing[@]} > 0)) || return 0
    if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
        say "not installed: ${missing[*]} (the proxy tests need them: apt-get install ${missing[*]})"
        return 0
    fi
    local log
    log=$(mktemp "${TMPDIR:-/tmp}/chroma-connect-apt.XXXXXX")
    say "installing ${missing[*]} (for the proxy tests; log: $log)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"; } >"$log" 2>&1; then
        tail -n 20 "$log" >&2 || true
        die "installing ${missing[*]} failed (log above)"
    fi
    rm -f "$log"
}
