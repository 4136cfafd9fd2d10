# Shared by scripts/stack, scripts/test and friends: locations, logging, processes.
# shellcheck shell=bash

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# Expensive, reusable artifacts (binaries, Flink, venvs, cargo target dir): survive `reset`.
export ORDERFLOW_CACHE=${ORDERFLOW_CACHE:-$HOME/.cache/orderflow}
# Data, logs, pid files and the generated env file of the running stack.
export ORDERFLOW_STATE=${ORDERFLOW_STATE:-$HOME/.local/state/orderflow}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ORDERFLOW_CACHE/target}
# The stack runs release builds of the services; scripts that run a service binary use this.
export BIN_DIR=${BIN_DIR:-$CARGO_TARGET_DIR/release}
# Builds use the committed query metadata in .sqlx/, so they need no database.
export SQLX_OFFLINE=${SQLX_OFFLINE:-true}

RUN_DIR=$ORDERFLOW_STATE/run
LOG_DIR=$ORDERFLOW_STATE/logs
DATA_DIR=$ORDERFLOW_STATE/data
STACK_ENV=$ORDERFLOW_STATE/stack.env
mkdir -p "$ORDERFLOW_CACHE" "$RUN_DIR" "$LOG_DIR" "$DATA_DIR"

PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
KAFKA_PORT=${KAFKA_PORT:-9092}
MONGO_PORT=${MONGO_PORT:-27017}
API_PORT=${API_PORT:-8000}
# Where the outbox worker, the projector and the order saga serve /healthz and /metrics (METRICS_ADDR).
OUTBOX_WORKER_PORT=${OUTBOX_WORKER_PORT:-9101}
PROJECTOR_PORT=${PROJECTOR_PORT:-9102}
ORDER_SAGA_PORT=${ORDER_SAGA_PORT:-9104}
# The inventory service's internal HTTP API (with /healthz and /metrics).
INVENTORY_PORT=${INVENTORY_PORT:-8010}
WEB_PORT=${WEB_PORT:-5173}
export FLINK_REST_PORT=${FLINK_REST_PORT:-8081}
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}

NISSHI_VERSION=0.8.1
SECANTUS_VERSION=0.7.0b3
NISSHI=$ORDERFLOW_CACHE/nisshi/bin/nisshi
SECANTUS_VENV=$ORDERFLOW_CACHE/secantus-venv

STACK_T0=${STACK_T0:-$(date +%s.%N)}

# ensure_venv DIR REQUIREMENTS: a Python virtualenv at DIR with REQUIREMENTS installed, once
# per content of REQUIREMENTS. Under a lock: two scripts installing into one venv at the same
# time rewrite libraries the other has loaded (seen: schemathesis killed by SIGBUS).
ensure_venv() {
  local venv=$1 requirements=$2 stamp lock
  stamp=$(sha256sum "$requirements" | cut -c1-16)
  [ "$(cat "$venv/.orderflow-requirements" 2>/dev/null)" = "$stamp" ] && return 0
  mkdir -p "$(dirname "$venv")"
  exec {lock}>"$venv.lock"
  flock "$lock"
  if [ "$(cat "$venv/.orderflow-requirements" 2>/dev/null)" != "$stamp" ]; then
    say "installing ${requirements#"$ROOT"/} into $venv" >&2
    command -v python3 >/dev/null || apt_install python3
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q -r "$requirements"
    echo "$stamp" >"$venv/.orderflow-requirements"
  fi
  exec {lock}>&-
}

elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1fs", e - s }'; }

say() { printf '[%s] %s\n' "${SCRIPT_NAME:-stack}" "$*"; }

die() {
  say "ERROR: $*" >&2
  exit 1
}

# step NAME FUNCTION [ARGS...]: runs one step in a subshell with errexit in force, prints one
# line with its result (the step's last line of output) and elapsed time; on failure names the
# step and the log to read, and exits non-zero. Step output goes to $LOG_DIR/step-NAME.log.
# While a step runs longer than a few seconds it says what it is doing and how far along it is
# (see step_progress): on a terminal one line updated in place, elsewhere (CI, a log) a line
# every $STEP_PROGRESS_SECONDS (default 15) when something changed.
STEP_PROGRESS_SECONDS=${STEP_PROGRESS_SECONDS:-15}
step() {
  local name=$1 started log rc pid tty="" last_shown="" t0=$SECONDS last_time=$SECONDS shown_on_tty="" progress
  shift
  started=$(date +%s.%N)
  log=$LOG_DIR/step-$name.log
  [ -t 1 ] && tty=1
  set +e
  (
    set -eo pipefail
    # cargo draws its "Building [==> ] n/N: crate" bar into the log too (read by step_progress).
    export CARGO_TERM_PROGRESS_WHEN=always CARGO_TERM_PROGRESS_WIDTH=120
    "$@"
  ) >"$log" 2>&1 </dev/null &
  pid=$!
  while ! wait_exit "$pid" 1; do
    [ $((SECONDS - t0)) -ge 3 ] || continue
    progress=$(step_progress "$log" | cut -c1-60)
    if [ -n "$tty" ]; then
      printf '\r\033[K[%s] %-18s %-60s %8s' "${SCRIPT_NAME:-stack}" "$name" "… $progress" "$(elapsed "$started")"
      shown_on_tty=1
    elif [ $((SECONDS - last_time)) -ge "$STEP_PROGRESS_SECONDS" ] && [ "$progress" != "$last_shown" ]; then
      say "$(printf '%-18s %-60s %8s' "$name" "… $progress" "$(elapsed "$started")")"
      last_shown=$progress
      last_time=$SECONDS
    fi
  done
  wait "$pid"
  rc=$?
  set -e
  [ -n "$shown_on_tty" ] && printf '\r\033[K'
  if [ "$rc" = 0 ]; then
    say "$(printf '%-18s %-44s %8s' "$name" "$(tail -n 1 "$log" | tr '\r' '\n' | tail -n 1 | cut -c1-44)" "$(elapsed "$started")")"
  else
    say "$(printf '%-18s %-44s %8s' "$name" "FAILED (exit $rc)" "$(elapsed "$started")")" >&2
    say "step '$name' failed; read $log" >&2
    tail -n 15 "$log" | tr '\r' '\n' | grep -v '^ *Building \[' | tail -n 15 | sed 's/^/    /' >&2
    exit 1
  fi
}

# wait_exit PID SECONDS: true once PID (a child of this shell) has exited, else false after
# SECONDS. (`wait` itself cannot time out.)
wait_exit() {
  local pid=$1 ticks=$(($2 * 10))
  while [ "$ticks" -gt 0 ]; do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
    ticks=$((ticks - 1))
  done
  ! kill -0 "$pid" 2>/dev/null
}

# step_progress LOG: what a running step is doing, condensed to one line from the end of its
# log: cargo's progress bar → "compiling 212/487: tokio, serde"; npm's per-package fetch lines
# (--loglevel http) → "npm: 120 of ~431 packages fetched"; a line "PROGRESS_DIR <dir> <total MB>"
# → "<n> MB of <total> MB" (downloads written there); otherwise the last line as it is.
step_progress() {
  local log=$1 last bar watch dir
  last=$(tail -c 4096 "$log" 2>/dev/null | tr '\r' '\n' | sed 's/\x1b\[[0-9;]*[A-Za-z]//g; s/^ *//' | grep -v '^$' | grep -v '^PROGRESS_DIR ' | tail -n 1)
  bar=$(sed -nE 's/^Building \[[ =>-]*\] ([0-9]+)\/([0-9]+): (.*)$/compiling \1\/\2: \3/p' <<<"$last")
  if [ -n "$bar" ]; then
    echo "$bar"
  elif [[ $last == "npm http fetch"* ]]; then
    echo "npm: $(grep -c '^npm http fetch' "$log") of ~$(jq '.packages | length' "$ROOT/apps/web/package-lock.json" 2>/dev/null) packages fetched"
  else
    watch=$(grep '^PROGRESS_DIR ' "$log" 2>/dev/null | tail -n 1)
    dir=$(cut -d' ' -f2 <<<"$watch")
    if [ -n "$watch" ] && [ -d "$dir" ]; then
      echo "$(du -sm "$dir" 2>/dev/null | cut -f1) of ~$(cut -d' ' -f3 <<<"$watch") MB: $last"
    else
      echo "$last"
    fi
  fi
}

# A process we started is identified by its pid file AND its command line, so a recycled
# pid is never mistaken for ours (and never killed).
pid_of() {
  local name=$1 pid marker
  [ -f "$RUN_DIR/$name.pid" ] || return 1
  read -r pid marker <"$RUN_DIR/$name.pid" || true
  [ -n "${pid:-}" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  if [ -n "${marker:-}" ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"; then
    return 1
  fi
  echo "$pid"
}

is_running() { pid_of "$1" >/dev/null; }

# spawn NAME MARKER DIR CMD...: starts CMD detached from this shell (it outlives CI steps and
# terminals), logs to $LOG_DIR/NAME.log, records "pid marker".
spawn() {
  local name=$1 marker=$2 dir=$3
  shift 3
  (cd "$dir" && exec setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null) &
  echo "$! $marker" >"$RUN_DIR/$name.pid"
}

# stop_pid NAME [SIGNAL]: stops a process we started, by pid, and waits for it to exit.
stop_pid() {
  local name=$1 signal=${2:-TERM} pid
  if pid=$(pid_of "$name"); then
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      [ -d "/proc/$pid" ] || break
      sleep 0.1
    done
    if [ -d "/proc/$pid" ]; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "$(printf '%-18s %s' "$name" "stopped (pid $pid)")"
  fi
  rm -f "$RUN_DIR/$name.pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

APT_UPDATED=""
# apt_install PACKAGE...: installs whichever Debian packages are missing.
apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  if [ -z "$APT_UPDATED" ]; then
    $sudo apt-get update -qq >&2
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

load_stack_env() {
  [ -f "$STACK_ENV" ] || return 1
  set -a
  # shellcheck disable=SC1090
  . "$STACK_ENV"
  set +a
}
