#!/usr/bin/env bash
# flink-job (Compose): submits the orderflow stream job once, with the same runner and SQL as
# the native stack (scripts/components/flink.sh). Idempotent: when a job named
# $FLINK_JOB_NAME is already active on the JobManager, it only reports it.
#
# env: FLINK_REST_URL (http://flink-jobmanager:8081), FLINK_JOB_NAME (orderflow-sku-stats),
#      FLINK_SUBMIT_TIMEOUT (180 s), and for job.sql: KAFKA_BROKERS, FLINK_CHECKPOINT_DIR.
set -euo pipefail

rest_url=${FLINK_REST_URL:-http://flink-jobmanager:8081}
job_name=${FLINK_JOB_NAME:-orderflow-sku-stats}
timeout_s=${FLINK_SUBMIT_TIMEOUT:-180}
: "${KAFKA_BROKERS:?KAFKA_BROKERS must be set (job.sql reads it)}"
: "${FLINK_CHECKPOINT_DIR:?FLINK_CHECKPOINT_DIR must be set (job.sql reads it)}"

log() { echo "[flink-job] $*"; }
rest() { curl -fsS --max-time 5 "$rest_url$1"; }

# id of the newest non-terminal job with our name, if any
active_job() {
  rest /jobs/overview | jq -r --arg name "$job_name" '
    [.jobs[] | select(.name == $name and (.state | IN("INITIALIZING","CREATED","RUNNING","RESTARTING","RECONCILING")))]
    | sort_by(-."start-time") | .[0].jid // empty'
}

deadline=$((SECONDS + timeout_s))
until rest /overview >/dev/null 2>&1 && [ "$(rest /overview | jq '.taskmanagers')" -ge 1 ]; do
  [ "$SECONDS" -lt "$deadline" ] || { log "no JobManager with a TaskManager at $rest_url after ${timeout_s}s"; exit 1; }
  sleep 2
done

jid=$(active_job)
if [ -n "$jid" ]; then
  log "job $job_name already active: $jid; nothing to do"
  exit 0
fi

host_port=${rest_url#*://}
host_port=${host_port%%/*}
log "submitting $job_name to $host_port (brokers $KAFKA_BROKERS, checkpoints $FLINK_CHECKPOINT_DIR)"
/opt/flink/bin/flink run -t remote -Drest.address="${host_port%%:*}" -Drest.port="${host_port##*:}" \
  -d /opt/orderflow/runner.jar /opt/orderflow/job.sql

while [ "$SECONDS" -lt "$deadline" ]; do
  jid=$(active_job)
  if [ -n "$jid" ] && rest "/jobs/$jid" | jq -e '.state == "RUNNING" and (.vertices | length > 0) and all(.vertices[]; .status == "RUNNING")' >/dev/null; then
    log "job $job_name RUNNING: $jid"
    exit 0
  fi
  sleep 2
done
log "job $job_name is not RUNNING after ${timeout_s}s; see $rest_url"
exit 1
