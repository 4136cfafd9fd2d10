#!/usr/bin/env bash
# Native (no Docker) Apache Flink 2.0.2 for orderflow: install, start (supervised), submit the
# stream job, status, stop. See apps/stream-job/README.md and docs/local-stack.md.
#
# usage: scripts/components/flink.sh install|start|submit|status|stop|job-id
#
# env: ORDERFLOW_CACHE (default ~/.cache/orderflow)      FLINK_HOME = $ORDERFLOW_CACHE/flink-2.0.2
#      ORDERFLOW_STATE (default ~/.local/state/orderflow) data/flink, logs/flink, run/flink
#      KAFKA_BROKERS (127.0.0.1:9092)  FLINK_REST_PORT (8081)  FLINK_RPC_PORT (6123)
#      FLINK_PROM_PORT_JM (9249)  FLINK_PROM_PORT_TM (9250)  FLINK_START_TIMEOUT (120 s)
#      FLINK_SUBMIT_TIMEOUT (120 s)  FLINK_STOP_SAVEPOINT (1|0)
#      FLINK_RESTORE: auto (default: the savepoint from `stop`, else the newest retained
#        checkpoint, if < 12 h old; else recompute from the topic) | none | PATH
set -euo pipefail

FLINK_VERSION=2.0.2
KAFKA_CONNECTOR_VERSION=4.0.1-2.0
KAFKA_CLIENTS_VERSION=3.9.1
LAYOUT_VERSION=1
INSTALL_STAMP="flink=${FLINK_VERSION} flink-connector-kafka=${KAFKA_CONNECTOR_VERSION} kafka-clients=${KAFKA_CLIENTS_VERSION} layout=${LAYOUT_VERSION}"
JOB_NAME=orderflow-sku-stats
SAVEPOINT_MAX_AGE_S=$((12 * 3600)) # state TTL is 24 h: never restore state older than half of it

SCRIPT_PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
REPO_ROOT="$(cd "$(dirname "$SCRIPT_PATH")/../.." && pwd)"
JOB_DIR="$REPO_ROOT/apps/stream-job"

ORDERFLOW_CACHE="${ORDERFLOW_CACHE:-$HOME/.cache/orderflow}"
ORDERFLOW_STATE="${ORDERFLOW_STATE:-$HOME/.local/state/orderflow}"
KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
FLINK_RPC_PORT="${FLINK_RPC_PORT:-6123}"
FLINK_PROM_PORT_JM="${FLINK_PROM_PORT_JM:-9249}"
FLINK_PROM_PORT_TM="${FLINK_PROM_PORT_TM:-9250}"
FLINK_START_TIMEOUT="${FLINK_START_TIMEOUT:-120}"
FLINK_SUBMIT_TIMEOUT="${FLINK_SUBMIT_TIMEOUT:-120}"
FLINK_RESTORE="${FLINK_RESTORE:-auto}"
FLINK_STOP_SAVEPOINT="${FLINK_STOP_SAVEPOINT:-1}"

# Ports of a running cluster are remembered in its state dir: `submit`, `status`, `stop` and
# `job-id` talk to the cluster that `start` started, whatever the caller's environment says.
LAUNCHER_ENV="$ORDERFLOW_STATE/data/flink/conf/launcher.env"
if [[ "${1:-}" != start && "${1:-}" != install && -f "$LAUNCHER_ENV" ]]; then
  # shellcheck source=/dev/null
  . "$LAUNCHER_ENV"
fi

FLINK_HOME="$ORDERFLOW_CACHE/flink-$FLINK_VERSION"
DL_DIR="$ORDERFLOW_CACHE/dl"
BUILD_DIR="$ORDERFLOW_CACHE/build/stream-job-runner"
DATA_DIR="$ORDERFLOW_STATE/data/flink"
CONF_DIR="$DATA_DIR/conf"
CHECKPOINT_DIR="$DATA_DIR/checkpoints"
SAVEPOINT_DIR="$DATA_DIR/savepoints"
LAST_SAVEPOINT_FILE="$DATA_DIR/last-savepoint"
BROKERS_FILE="$DATA_DIR/job-brokers"
# Hash of the job definition the saved state belongs to: state of another plan is never restored.
JOB_SQL_HASH_FILE="$DATA_DIR/job-sql-hash"
LAST_JOB_FILE="$DATA_DIR/last-job"
LOG_DIR="$ORDERFLOW_STATE/logs/flink"
RUN_DIR="$ORDERFLOW_STATE/run"
REST_URL="http://127.0.0.1:$FLINK_REST_PORT"

log() { echo "[flink] $*"; }
err() { echo "[flink] error: $*" >&2; }
die() { err "$*"; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed"; }

# ---------------------------------------------------------------- process helpers
pid_file() { echo "$RUN_DIR/flink-$1.pid"; } # jobmanager|taskmanager|jobmanager-supervisor|...

# pid_alive FILE PATTERN: the pid in FILE runs and its command line contains PATTERN
# (guards against a recycled pid belonging to something else).
pid_alive() {
  local file="$1" pattern="$2" pid
  [[ -s "$file" ]] || return 1
  pid="$(head -n1 "$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$pattern"* ]]
}
read_pid() { head -n1 "$1" 2>/dev/null || true; }

proc_pattern() {
  case "$1" in
    jobmanager) echo "StandaloneSessionClusterEntrypoint" ;;
    taskmanager) echo "TaskManagerRunner" ;;
    *-supervisor) echo "flink.sh __supervise" ;;
  esac
}
component_alive() { pid_alive "$(pid_file "$1")" "$(proc_pattern "$1")"; }

# ---------------------------------------------------------------- REST helpers
rest() { curl -fsS --max-time 5 "$REST_URL$1"; }
rest_up() { rest /overview >/dev/null 2>&1; }
taskmanager_count() {
  rest /taskmanagers 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("taskmanagers", [])))' 2>/dev/null || echo 0
}
# prints "<id> <state>" of the newest job named $JOB_NAME that is not terminal, if any
active_job() {
  rest /jobs/overview 2>/dev/null | python3 -c '
import json, sys
name = sys.argv[1]
jobs = [j for j in json.load(sys.stdin).get("jobs", []) if j.get("name") == name
        and j.get("state") in ("INITIALIZING", "CREATED", "RUNNING", "RESTARTING", "RECONCILING")]
jobs.sort(key=lambda j: j.get("start-time", 0), reverse=True)
if jobs:
    print(jobs[0]["jid"], jobs[0]["state"])
' "$JOB_NAME" 2>/dev/null || true
}
# job_running ID: job RUNNING and every vertex RUNNING (tasks deployed, not just scheduled)
job_running() {
  rest "/jobs/$1" 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
ok = j.get("state") == "RUNNING" and j.get("vertices") and all(v.get("status") == "RUNNING" for v in j["vertices"])
sys.exit(0 if ok else 1)' 2>/dev/null
}

# ---------------------------------------------------------------- install
wheel_present() { compgen -G "$DL_DIR/$1" >/dev/null; }

download_wheels() {
  mkdir -p "$DL_DIR/.partial"
  # pip shows no progress outside a terminal: it downloads into $DL_DIR/.partial (TMPDIR), and
  # `scripts/stack up` reports how many MB of the ~400 are there (step_progress, PROGRESS_DIR).
  echo "PROGRESS_DIR $DL_DIR 400"
  local pip=(env TMPDIR="$DL_DIR/.partial" python3 -m pip download --no-deps --disable-pip-version-check --dest "$DL_DIR")
  if ! wheel_present "apache_flink_libraries-${FLINK_VERSION}[.-]*"; then
    log "downloading apache-flink-libraries==$FLINK_VERSION (~310 MB)"
    "${pip[@]}" "apache-flink-libraries==$FLINK_VERSION" || die "pip download apache-flink-libraries failed"
  fi
  if ! wheel_present "apache_flink-${FLINK_VERSION}-*.whl"; then
    # Only bin/ and conf/ are used, so any platform's wheel will do: pin one that exists.
    log "downloading apache-flink==$FLINK_VERSION"
    "${pip[@]}" --only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 \
      --implementation cp "apache-flink==$FLINK_VERSION" || die "pip download apache-flink failed"
  fi
  if ! wheel_present "shigawire_apache_flink_libraries-2.0.0.post1-*.whl"; then
    log "downloading shigawire-apache-flink-libraries==2.0.0.post1 (~90 MB)"
    "${pip[@]}" "shigawire-apache-flink-libraries==2.0.0.post1" || die "pip download shigawire-apache-flink-libraries failed"
  fi
}

cmd_install() {
  need python3; need java; need javac; need jar; need curl
  if [[ -f "$FLINK_HOME/.orderflow-install" && "$(cat "$FLINK_HOME/.orderflow-install")" == "$INSTALL_STAMP" ]]; then
    log "already installed: $FLINK_HOME ($INSTALL_STAMP)"
    return 0
  fi
  download_wheels
  local tmp="$FLINK_HOME.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  log "assembling $FLINK_HOME"
  python3 - "$DL_DIR" "$tmp" "$KAFKA_CONNECTOR_VERSION" "$KAFKA_CLIENTS_VERSION" "$FLINK_VERSION" <<'PY' || die "assembling FLINK_HOME failed"
import glob, io, os, shutil, sys, tarfile, zipfile

dl, out, want_connector, want_clients, flink_version = sys.argv[1:6]

def one(pattern):
    hits = sorted(glob.glob(os.path.join(dl, pattern)))
    if not hits:
        sys.exit(f"missing {pattern} in {dl}")
    return hits[-1]

def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)

# 1. jars (lib/, plugins/metrics-prometheus, bin/bash-java-utils.jar) from apache-flink-libraries
libs = one(f"apache_flink_libraries-{flink_version}[.-]*")
if libs.endswith(".whl"):
    src = zipfile.ZipFile(libs)
    entries = [(n, lambda n=n: src.read(n)) for n in src.namelist()]
else:
    src = tarfile.open(libs)
    entries = [(m.name, lambda m=m: src.extractfile(m).read()) for m in src.getmembers() if m.isfile()]
found_prom = False
for name, read in entries:
    i = name.find("deps/")
    if i < 0:
        continue
    rel = name[i + len("deps/"):]
    if rel.startswith("lib/") and rel.endswith(".jar"):
        write(os.path.join(out, rel), read())
    elif rel == "bin/bash-java-utils.jar":
        write(os.path.join(out, rel), read())
    elif rel.startswith("plugins/metrics-prometheus/"):
        write(os.path.join(out, rel), read())
        found_prom = True

# 2. bin/ and conf/ from apache-flink
z = zipfile.ZipFile(one(f"apache_flink-{flink_version}-*.whl"))
for n in z.namelist():
    for part in ("bin", "conf"):
        prefix = f"pyflink/{part}/"
        if n.startswith(prefix) and not n.endswith("/"):
            rel = n[len("pyflink/"):]
            write(os.path.join(out, rel), z.read(n), 0o755 if part == "bin" else 0o644)

# 3. the Kafka connector + kafka-clients from shigawire-apache-flink-libraries, versions checked
z = zipfile.ZipFile(one("shigawire_apache_flink_libraries-2.0.0.post1-*.whl"))
conn = z.read("pyflink/lib/flink-connector-kafka.jar")
mf = zipfile.ZipFile(io.BytesIO(conn)).read("META-INF/MANIFEST.MF").decode()
ver = dict(l.split(": ", 1) for l in mf.splitlines() if ": " in l).get("Implementation-Version", "?")
if ver != want_connector:
    sys.exit(f"flink-connector-kafka.jar is {ver}, expected {want_connector}")
clients = z.read("pyflink/lib/kafka-clients.jar")
props = zipfile.ZipFile(io.BytesIO(clients)).read("kafka/kafka-version.properties").decode()
cver = dict(l.split("=", 1) for l in props.splitlines() if "=" in l).get("version", "?")
if cver != want_clients:
    sys.exit(f"kafka-clients.jar is {cver}, expected {want_clients}")
write(os.path.join(out, f"lib/flink-connector-kafka-{ver}.jar"), conn)
write(os.path.join(out, f"lib/kafka-clients-{cver}.jar"), clients)
print(f"[flink] flink-connector-kafka {ver}, kafka-clients {cver}, prometheus reporter: {found_prom}")
if not os.path.exists(os.path.join(out, "lib", f"flink-dist-{flink_version}.jar")):
    sys.exit("flink-dist jar missing from apache-flink-libraries")
PY
  # Base config for ad-hoc use of this FLINK_HOME; `start` writes the effective, per-state
  # config to $ORDERFLOW_STATE/data/flink/conf (FLINK_CONF_DIR) every time.
  write_config "$tmp/conf" "$ORDERFLOW_STATE"
  echo "$INSTALL_STAMP" >"$tmp/.orderflow-install"
  rm -rf "$FLINK_HOME"
  mv "$tmp" "$FLINK_HOME"
  trap - EXIT
  log "installed $FLINK_HOME ($(du -sh "$FLINK_HOME" | cut -f1))"
}

# write_config DIR STATE: config.yaml, masters, workers for the given state dir
write_config() {
  local dir="$1" state="$2"
  mkdir -p "$dir"
  local prom=""
  if [[ -d "$FLINK_HOME/plugins/metrics-prometheus" || -d "$dir/../plugins/metrics-prometheus" ]]; then
    prom="
metrics:
  reporter:
    prom:
      factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
      port: \"$FLINK_PROM_PORT_JM\"  # the TaskManager gets -D metrics.reporter.prom.port=$FLINK_PROM_PORT_TM"
  fi
  cat >"$dir/config.yaml" <<EOF
# Written by scripts/components/flink.sh — regenerated on every start; edit the script instead.
env:
  java:
    opts:
      all: --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
  pid.dir: $state/run/flink
  log.dir: $state/logs/flink
jobmanager:
  bind-host: 127.0.0.1
  rpc:
    address: 127.0.0.1
    port: $FLINK_RPC_PORT
  memory:
    process:
      size: 1024m
  execution:
    failover-strategy: region
taskmanager:
  bind-host: 127.0.0.1
  host: 127.0.0.1
  numberOfTaskSlots: 2
  memory:
    process:
      size: 1280m
    managed:
      fraction: 0.1
parallelism:
  default: 1
rest:
  address: 127.0.0.1
  bind-address: 127.0.0.1
  port: $FLINK_REST_PORT
blob:
  server:
    port: "0"
state:
  backend:
    type: hashmap
execution:
  checkpointing:
    interval: 10 s
    dir: file://$state/data/flink/checkpoints
    savepoint-dir: file://$state/data/flink/savepoints
    externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
restart-strategy:
  type: exponential-delay
  exponential-delay:
    initial-backoff: 1 s
    max-backoff: 10 s
heartbeat:
  interval: 2000
  timeout: 15000
web:
  submit:
    enable: false
  cancel:
    enable: true$prom
EOF
  echo "127.0.0.1:$FLINK_REST_PORT" >"$dir/masters"
  echo "127.0.0.1" >"$dir/workers"
}

ensure_installed() {
  [[ -f "$FLINK_HOME/.orderflow-install" && "$(cat "$FLINK_HOME/.orderflow-install")" == "$INSTALL_STAMP" ]] ||
    die "Flink is not installed in $FLINK_HOME: run '$0 install' first"
}

prepare_state() {
  mkdir -p "$CONF_DIR" "$CHECKPOINT_DIR" "$SAVEPOINT_DIR" "$LOG_DIR" "$RUN_DIR/flink"
  if component_alive jobmanager || component_alive taskmanager; then
    # A running cluster keeps the config it was started with (a restarted TaskManager must
    # find the same ports); adopt its ports.
    if [[ -f "$LAUNCHER_ENV" ]]; then
      # shellcheck source=/dev/null
      . "$LAUNCHER_ENV"
    fi
    REST_URL="http://127.0.0.1:$FLINK_REST_PORT"
    return 0
  fi
  local f
  for f in "$FLINK_HOME"/conf/*; do
    case "$(basename "$f")" in config.yaml | masters | workers) ;; *) cp -f "$f" "$CONF_DIR/" ;; esac
  done
  write_config "$CONF_DIR" "$ORDERFLOW_STATE"
  cat >"$LAUNCHER_ENV" <<EOF
FLINK_REST_PORT=$FLINK_REST_PORT
FLINK_RPC_PORT=$FLINK_RPC_PORT
FLINK_PROM_PORT_JM=$FLINK_PROM_PORT_JM
FLINK_PROM_PORT_TM=$FLINK_PROM_PORT_TM
EOF
}

flink_env() {
  export FLINK_HOME FLINK_CONF_DIR="$CONF_DIR" FLINK_LOG_DIR="$LOG_DIR" FLINK_PID_DIR="$RUN_DIR/flink" FLINK_IDENT_STRING=orderflow
}

# ---------------------------------------------------------------- supervisor
# __supervise COMPONENT: keeps COMPONENT (jobmanager|taskmanager) running in the foreground
# mode, restarting it when it exits; SIGTERM stops the component and the supervisor.
cmd_supervise() {
  local comp="$1" child="" stopping=0 restarts=0 started rc
  local pidf slog
  pidf="$(pid_file "$comp")"
  slog="$LOG_DIR/$comp-supervisor.log"
  echo $$ >"$(pid_file "$comp-supervisor")"
  flink_env
  trap 'stopping=1; [[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null || true' TERM INT
  slog_line() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $*" >>"$slog"; }
  # Adopt a component left running by a previous supervisor (e.g. one killed with -9).
  if component_alive "$comp"; then
    child="$(read_pid "$pidf")"
    slog_line "adopting running $comp pid $child"
    while [[ $stopping == 0 ]] && kill -0 "$child" 2>/dev/null; do sleep 1; done
    if [[ $stopping == 1 ]]; then
      while kill -0 "$child" 2>/dev/null; do sleep 0.2; done
      rm -f "$pidf" "$(pid_file "$comp-supervisor")"; exit 0
    fi
    slog_line "$comp pid $child exited"
  fi
  while [[ $stopping == 0 ]]; do
    local extra=()
    if [[ $comp == taskmanager ]]; then
      extra=(-D "metrics.reporter.prom.port=$FLINK_PROM_PORT_TM")
    else
      extra=(-D "metrics.reporter.prom.port=$FLINK_PROM_PORT_JM")
    fi
    "$FLINK_HOME/bin/$comp.sh" start-foreground "${extra[@]}" >>"$LOG_DIR/$comp.out" 2>&1 &
    child=$!
    echo "$child" >"$pidf"
    started=$SECONDS
    slog_line "started $comp pid $child (restart #$restarts)"
    rc=0
    wait "$child" || rc=$?
    # `wait` returns early when a trapped signal arrives: wait for the real exit
    while kill -0 "$child" 2>/dev/null; do sleep 0.2; done
    [[ $stopping == 1 ]] && break
    restarts=$((restarts + 1))
    local delay=2
    ((SECONDS - started < 30)) && delay=$((restarts < 10 ? restarts * 2 : 20))
    ((SECONDS - started >= 30)) && restarts=1
    slog_line "$comp pid $child exited (code $rc); restarting in ${delay}s"
    sleep "$delay" &
    wait $! || true
  done
  slog_line "stopped $comp"
  rm -f "$pidf" "$(pid_file "$comp-supervisor")"
}

start_supervised() {
  local comp="$1"
  if component_alive "$comp-supervisor"; then
    log "$comp already supervised (supervisor pid $(read_pid "$(pid_file "$comp-supervisor")"))"
    return 0
  fi
  rm -f "$(pid_file "$comp-supervisor")"
  log "starting $comp (supervised)"
  ORDERFLOW_CACHE="$ORDERFLOW_CACHE" ORDERFLOW_STATE="$ORDERFLOW_STATE" \
    setsid nohup bash "$SCRIPT_PATH" __supervise "$comp" >>"$LOG_DIR/$comp-supervisor.log" 2>&1 </dev/null &

  for _ in $(seq 1 50); do
    component_alive "$comp-supervisor" && component_alive "$comp" && return 0
    sleep 0.2
  done
  die "$comp did not start; see $LOG_DIR/$comp-supervisor.log and $LOG_DIR/$comp.out"
}

# ---------------------------------------------------------------- commands
cmd_start() {
  need python3; need curl; need java
  ensure_installed
  prepare_state
  if ! component_alive jobmanager && rest_up; then
    die "something else already answers on $REST_URL (FLINK_REST_PORT=$FLINK_REST_PORT)"
  fi
  local t0=$SECONDS
  start_supervised jobmanager
  start_supervised taskmanager
  local deadline=$((SECONDS + FLINK_START_TIMEOUT))
  until rest_up && (($(taskmanager_count) >= 1)); do
    if ((SECONDS >= deadline)); then
      die "no TaskManager registered at $REST_URL within ${FLINK_START_TIMEOUT}s; logs: $LOG_DIR"
    fi
    component_alive jobmanager-supervisor || die "jobmanager supervisor died; see $LOG_DIR"
    sleep 1
  done
  log "Flink up at $REST_URL ($(taskmanager_count) TaskManager(s), $((SECONDS - t0))s)"
}

build_runner() {
  local src="$JOB_DIR/runner/SqlRunner.java" sum
  [[ -f "$src" ]] || die "missing $src"
  sum="$( (sha256sum "$src"; echo "$FLINK_VERSION") | sha256sum | cut -c1-16)"
  RUNNER_JAR="$BUILD_DIR/runner.jar"
  if [[ -f "$RUNNER_JAR" && "$(cat "$BUILD_DIR/runner.stamp" 2>/dev/null)" == "$sum" ]]; then
    return 0
  fi
  log "building $RUNNER_JAR"
  local tmp="$BUILD_DIR/tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp/classes"
  javac --release 11 -nowarn -cp "$FLINK_HOME/lib/*" -d "$tmp/classes" "$src" >&2 || { rm -rf "$tmp"; die "javac failed"; }
  jar --create --file "$tmp/runner.jar" --main-class SqlRunner -C "$tmp/classes" . || { rm -rf "$tmp"; die "jar failed"; }
  mv -f "$tmp/runner.jar" "$RUNNER_JAR"
  echo "$sum" >"$BUILD_DIR/runner.stamp"
  rm -rf "$tmp"
}

job_sql_hash() { sha256sum "$JOB_DIR/job.sql" | cut -c1-16; }

# prints the savepoint to restore from, or nothing
restore_point() {
  case "$FLINK_RESTORE" in
    none) return 0 ;;
    auto) ;;
    *) echo "$FLINK_RESTORE"; return 0 ;;
  esac
  local sp="" stamp age
  # State of another job definition would be partly dropped (--allowNonRestoredState) while
  # the source offsets survive: the sums would be wrong. Recompute from the topic instead.
  # (No recorded hash: state from before hashes were recorded, so of unknown definition.)
  if [[ "$(cat "$JOB_SQL_HASH_FILE" 2>/dev/null)" != "$(job_sql_hash)" ]]; then
    err "the saved state may belong to another version of job.sql; recomputing from the topic"
    return 0
  fi
  # Offsets in a checkpoint belong to one broker: never restore them against another one.
  if [[ -s "$BROKERS_FILE" && "$(cat "$BROKERS_FILE")" != "$KAFKA_BROKERS" ]]; then
    err "saved state was built from brokers $(cat "$BROKERS_FILE"), not $KAFKA_BROKERS; recomputing from the topic"
    return 0
  fi
  if [[ -s "$LAST_SAVEPOINT_FILE" ]]; then
    # savepoint taken by `stop`
    sp="$(cat "$LAST_SAVEPOINT_FILE")"
    stamp="$LAST_SAVEPOINT_FILE"
    [[ -e "${sp#file:}" ]] || { err "savepoint $sp is gone; ignoring it"; sp=""; }
  fi
  if [[ -z "$sp" ]]; then
    # newest retained checkpoint of the last submitted job (cancelled, JobManager crashed, ...)
    local last_job
    last_job="$(cat "$LAST_JOB_FILE" 2>/dev/null || true)"
    [[ -n "$last_job" && -d "$CHECKPOINT_DIR/$last_job" ]] || return 0
    stamp="$(find "$CHECKPOINT_DIR/$last_job" -mindepth 2 -maxdepth 2 -path '*/chk-*/_metadata' -printf '%T@ %p\n' 2>/dev/null |
      sort -rn | head -n1 | cut -d' ' -f2-)"
    [[ -n "$stamp" ]] || return 0
    sp="file://$(dirname "$stamp")"
  fi
  age=$(($(date +%s) - $(stat -c %Y "$stamp")))
  if ((age > SAVEPOINT_MAX_AGE_S)); then
    err "restore point $sp is ${age}s old (state TTL risk); recomputing from the topic instead"
    return 0
  fi
  echo "$sp"
}

cmd_submit() {
  need python3; need curl
  ensure_installed
  [[ -f "$CONF_DIR/config.yaml" ]] || die "no Flink config in $CONF_DIR: run '$0 start' first"
  mkdir -p "$SAVEPOINT_DIR" "$LOG_DIR"
  rest_up || die "no JobManager at $REST_URL: run '$0 start' first"
  local active
  active="$(active_job)"
  if [[ -n "$active" && "$(cat "$JOB_SQL_HASH_FILE" 2>/dev/null)" != "$(job_sql_hash)" ]]; then
    log "job.sql changed since job $active was submitted: cancelling it to recompute from the topic"
    "$FLINK_HOME/bin/flink" cancel "${active%% *}" >>"$LOG_DIR/submit.log" 2>&1 || die "cancelling job $active failed"
    local waited=0
    while [[ -n "$(active_job)" ]] && ((waited < 60)); do sleep 1; waited=$((waited + 1)); done
    [[ -z "$(active_job)" ]] || die "job $active did not stop after cancel"
    active=""
  fi
  if [[ -n "$active" ]]; then
    log "job $JOB_NAME already active: $active"
    return 0
  fi
  build_runner
  local sp t0=$SECONDS
  sp="$(restore_point)"
  if submit_and_wait "$sp"; then
    [[ -n "$sp" && -f "$LAST_SAVEPOINT_FILE" ]] && mv -f "$LAST_SAVEPOINT_FILE" "$LAST_SAVEPOINT_FILE.used"
    log "job $JOB_NAME RUNNING: $SUBMITTED_JOB ($((SECONDS - t0))s)"
    return 0
  fi
  if [[ -n "$sp" && "$FLINK_RESTORE" == auto && "$SUBMIT_FAILURE" == restore ]]; then
    err "restoring $sp failed (see $LOG_DIR/submit.log); recomputing from the topic instead"
    [[ -f "$LAST_SAVEPOINT_FILE" ]] && mv -f "$LAST_SAVEPOINT_FILE" "$LAST_SAVEPOINT_FILE.rejected"
    if submit_and_wait ""; then
      log "job $JOB_NAME RUNNING: $SUBMITTED_JOB ($((SECONDS - t0))s)"
      return 0
    fi
  fi
  die "$SUBMIT_ERROR"
}

# submit_and_wait RESTORE_POINT: sets SUBMITTED_JOB, or SUBMIT_ERROR + SUBMIT_FAILURE
# (restore = the job was rejected or failed, worth retrying without state; other = give up)
submit_and_wait() {
  local sp="$1" out rc=0 jid state deadline
  SUBMITTED_JOB="" SUBMIT_ERROR="" SUBMIT_FAILURE=other
  flink_env
  export KAFKA_BROKERS FLINK_CHECKPOINT_DIR="file://$CHECKPOINT_DIR"
  local args=(run -d)
  [[ -n "$sp" ]] && args+=(-s "$sp" --allowNonRestoredState)
  log "submitting $JOB_NAME (brokers $KAFKA_BROKERS${sp:+, restoring $sp})"
  echo "$KAFKA_BROKERS" >"$BROKERS_FILE"
  job_sql_hash >"$JOB_SQL_HASH_FILE"
  out="$("$FLINK_HOME/bin/flink" "${args[@]}" "$RUNNER_JAR" "$JOB_DIR/job.sql" 2>&1)" || rc=$?
  echo "$out" >>"$LOG_DIR/submit.log"
  if ((rc != 0)); then
    echo "$out" | grep -v '^\s*at ' | tail -n 15 >&2
    SUBMIT_ERROR="flink run failed (exit $rc); full output in $LOG_DIR/submit.log"
    [[ -n "$sp" ]] && SUBMIT_FAILURE=restore
    return 1
  fi
  jid="$(echo "$out" | sed -n 's/.*submitted job \([0-9a-f]\{32\}\).*/\1/p' | tail -n1)"
  [[ -n "$jid" ]] || jid="$(echo "$out" | sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' | tail -n1)"
  [[ -n "$jid" ]] || { SUBMIT_ERROR="could not find the job id in the output of flink run ($LOG_DIR/submit.log)"; return 1; }
  deadline=$((SECONDS + FLINK_SUBMIT_TIMEOUT))
  while ((SECONDS < deadline)); do
    if job_running "$jid"; then
      SUBMITTED_JOB="$jid"
      echo "$jid" >"$LAST_JOB_FILE"
      return 0
    fi
    state="$(rest "/jobs/$jid" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])' 2>/dev/null || true)"
    case "$state" in
      FAILED | CANCELED | FINISHED)
        SUBMIT_ERROR="job $jid ended as $state; see $REST_URL/#/job/completed/$jid and $LOG_DIR"
        [[ -n "$sp" && "$state" == FAILED ]] && SUBMIT_FAILURE=restore
        return 1
        ;;
    esac
    sleep 1
  done
  SUBMIT_ERROR="job $jid not RUNNING after ${FLINK_SUBMIT_TIMEOUT}s (state: ${state:-unknown}); see $LOG_DIR${sp:+ (restored from $sp; FLINK_RESTORE=none starts fresh)}"
  return 1
}

cmd_job_id() {
  local active
  active="$(active_job)"
  [[ -n "$active" ]] || die "no active job named $JOB_NAME at $REST_URL"
  echo "${active%% *}"
}

cmd_status() {
  local bad=0 jid
  if component_alive jobmanager && rest_up; then
    echo "flink-jobmanager healthy pid=$(read_pid "$(pid_file jobmanager)") rest=$REST_URL"
  else
    echo "flink-jobmanager unhealthy"; bad=1
  fi
  if component_alive taskmanager && (($(taskmanager_count) >= 1)); then
    echo "flink-taskmanager healthy pid=$(read_pid "$(pid_file taskmanager)")"
  else
    echo "flink-taskmanager unhealthy"; bad=1
  fi
  jid="$(active_job)"
  if [[ -n "$jid" ]] && job_running "${jid%% *}"; then
    echo "stream-job healthy job=${jid%% *} name=$JOB_NAME"
  else
    echo "stream-job unhealthy ${jid:+state=${jid#* }}"; bad=1
  fi
  return $bad
}

# stop_component COMP: supervisor first (it stops its child), then any leftover child
stop_component() {
  local comp="$1" spid cpid
  if component_alive "$comp-supervisor"; then
    spid="$(read_pid "$(pid_file "$comp-supervisor")")"
    cpid="$(read_pid "$(pid_file "$comp")")"
    log "stopping $comp supervisor $spid"
    kill -TERM "$spid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$spid" 2>/dev/null || break; sleep 0.2; done
  fi
  if component_alive "$comp"; then
    cpid="$(read_pid "$(pid_file "$comp")")"
    log "stopping $comp pid $cpid"
    kill -TERM "$cpid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$cpid" 2>/dev/null; then
      err "$comp pid $cpid ignored SIGTERM for 30s; sending SIGKILL"
      kill -KILL "$cpid" 2>/dev/null || true
      sleep 1
    fi
  fi
  if component_alive "$comp-supervisor" || component_alive "$comp"; then
    die "could not stop $comp"
  fi
  rm -f "$(pid_file "$comp")" "$(pid_file "$comp-supervisor")"
}

cmd_stop() {
  local active jid out
  if [[ "$FLINK_STOP_SAVEPOINT" == 1 ]] && component_alive jobmanager && rest_up; then
    active="$(active_job)"
    jid="${active%% *}"
    if [[ -n "$jid" ]] && job_running "$jid"; then
      log "stopping job $jid with a savepoint"
      mkdir -p "$SAVEPOINT_DIR"
      flink_env
      if out="$(timeout 90 "$FLINK_HOME/bin/flink" stop --savepointPath "file://$SAVEPOINT_DIR" "$jid" 2>&1)"; then
        local sp
        sp="$(echo "$out" | sed -n 's/.*Savepoint completed\. Path: \(.*\)$/\1/p' | tail -n1)"
        if [[ -n "$sp" ]]; then
          echo "$sp" >"$LAST_SAVEPOINT_FILE"
          log "savepoint $sp"
        fi
      else
        err "stop-with-savepoint failed (the next submit recomputes from the topic): $(echo "$out" | tail -n 3)"
      fi
    fi
  fi
  stop_component taskmanager
  stop_component jobmanager
  log "stopped"
}

main() {
  case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  submit) cmd_submit ;;
  status) cmd_status ;;
  stop) cmd_stop ;;
  job-id) cmd_job_id ;;
  __supervise) cmd_supervise "${2:?component}" ;;
  *)
    echo "usage: $0 install|start|submit|status|stop|job-id" >&2
    exit 2
    ;;
  esac
}

# One line: bash has parsed it completely before running it, so editing this file while a
# supervisor runs cannot make bash execute half-read lines when the supervisor returns.
main "$@"; exit $?
