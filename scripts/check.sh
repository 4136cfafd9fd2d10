#!/usr/bin/env bash
# End-to-end check of a running orderflow stack (docs/spec.md#operations), native or Docker Compose:
#   healthz → login → stock a new SKU → create an order (Idempotency-Key) → its outbox row
#   gets published_at → the event is on orders.events → the inventory saga reserves it →
#   pay → committed (the stock left) → GET /stats/sku shows it.
# Prints each step and exits 0 only when every step holds.
#
#   ADMIN_EMAIL=... ADMIN_PASSWORD=... scripts/check.sh                  # native stack
#   CHECK_MODE=compose ADMIN_EMAIL=... ADMIN_PASSWORD=... scripts/check.sh # docker compose
#
# Environment: ADMIN_EMAIL / ADMIN_PASSWORD (an admin: /stats/sku is admin-only; the seed
# creates one), API_URL (default http://127.0.0.1:8000), CHECK_MODE (native | compose,
# default native), COMPOSE_FILE (default compose.yaml), CHECK_TIMEOUT_SECONDS (60),
# CHECK_INVENTORY_URL (the inventory HTTP API; default $API_URL/inventory, the api's public
# routes).
set -euo pipefail
SCRIPT_NAME=check
# shellcheck source=scripts/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

: "${ADMIN_EMAIL:?set ADMIN_EMAIL (an admin account, e.g. from scripts/seed.sh)}"
: "${ADMIN_PASSWORD:?set ADMIN_PASSWORD}"
API_URL=${API_URL:-http://127.0.0.1:8000}
CHECK_MODE=${CHECK_MODE:-native}
TIMEOUT=${CHECK_TIMEOUT_SECONDS:-60}
export COMPOSE_FILE=${COMPOSE_FILE:-$ROOT/compose.yaml}

INVENTORY_API=${CHECK_INVENTORY_URL:-$API_URL/inventory}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# SQL against the stack's database: directly (native) or inside the postgres container.
sql() {
  if [ "$CHECK_MODE" = compose ]; then
    docker compose exec -T postgres sh -c 'psql -qAtX -U "$POSTGRES_USER" -d "$POSTGRES_DB"' <<<"$1"
  else
    # A DATABASE_URL from the caller wins (e.g. Compose with the host-ports override).
    [ -n "${DATABASE_URL:-}" ] || load_stack_env || die "no DATABASE_URL and no $STACK_ENV: is the stack up?"
    psql -qAtX "$DATABASE_URL" -c "$1"
  fi
}

# Messages of orders.events with the given key, one per line.
events_with_key() {
  if [ "$CHECK_MODE" = compose ]; then
    docker compose exec -T kafka /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server kafka:9092 \
      --topic orders.events --from-beginning --timeout-ms 5000 --property print.key=true 2>/dev/null |
      grep -F "$1" || true
  else
    "$BIN_DIR/orderflow-topics" tail orders.events --from-beginning --key "$1" --timeout-ms 3000
  fi
}

STEP_T0=0
begin() {
  STEP_T0=$(date +%s.%N)
  printf '[check] %-34s' "$1"
}
pass() { printf 'ok   %-44s %s\n' "${1:-}" "$(elapsed "$STEP_T0")"; }
fail() {
  printf 'FAIL %s\n' "$1"
  exit 1
}

# poll SECONDS COMMAND...: retries COMMAND until it succeeds.
poll() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# http METHOD PATH [BODY] [HEADER...]: the status code; the body goes to $WORK/body.
# PATH is on the API, unless it is a whole URL.
http() {
  local method=$1 path=$2 body=${3:-} url
  shift 3 || shift $#
  url=$API_URL$path
  [[ $path == http* ]] && url=$path
  local args=(-sS -o "$WORK/body" -w '%{http_code}' -X "$method" "$url")
  [ -n "${TOKEN:-}" ] && args+=(-H @"$WORK/auth-header")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary @-)
  for header in "$@"; do args+=(-H "$header"); done
  printf '%s' "$body" | curl "${args[@]}"
}

begin "api /healthz"
status=$(http GET /healthz) || fail "the API does not answer at $API_URL"
[ "$status" = 200 ] || fail "HTTP $status: $(cat "$WORK/body")"
pass "postgres, redis, kafka up"

begin "login as $ADMIN_EMAIL"
login=$(jq -nc --arg e "$ADMIN_EMAIL" --arg p "$ADMIN_PASSWORD" '{email: $e, password: $p}')
status=$(http POST /auth/login "$login")
[ "$status" = 200 ] || fail "HTTP $status: $(cat "$WORK/body")"
TOKEN=$(jq -r .access_token "$WORK/body")
# The token goes through a file, never through a command line.
printf 'Authorization: Bearer %s\n' "$TOKEN" >"$WORK/auth-header"
pass "access token issued"

begin "stock a new SKU"
uuid=$(cat /proc/sys/kernel/random/uuid)
uuid=${uuid//-/}
SKU="CHECK-${uuid^^}"
# Exactly what the order takes: after the payment nothing is left.
status=$(http POST "$INVENTORY_API/stock" "$(jq -nc --arg sku "$SKU" '{sku: $sku, on_hand: 3}')") ||
  fail "the inventory API does not answer at $INVENTORY_API"
[ "$status" = 201 ] || fail "HTTP $status: $(cat "$WORK/body")"
pass "$SKU: on_hand 3"

begin "create order (Idempotency-Key)"
KEY=$(cat /proc/sys/kernel/random/uuid)
order=$(jq -nc --arg sku "$SKU" '{currency: "EUR", items: [{sku: $sku, qty: 3, unit_price: 1250}]}')
status=$(http POST /orders "$order" "Idempotency-Key: $KEY")
[ "$status" = 201 ] || fail "HTTP $status: $(cat "$WORK/body")"
ORDER_ID=$(jq -r .id "$WORK/body")
CREATED_AT=$(jq -r .created_at "$WORK/body")
status=$(http POST /orders "$order" "Idempotency-Key: $KEY")
[ "$status" = 200 ] && [ "$(jq -r .id "$WORK/body")" = "$ORDER_ID" ] || fail "the replay did not return the same order (HTTP $status)"
pass "order $ORDER_ID, replay → same order"

begin "outbox row published"
published() { [ "$(sql "SELECT count(*) FROM outbox_events WHERE aggregate_id = '$ORDER_ID' AND published_at IS NOT NULL")" = 1 ]; }
poll "$TIMEOUT" published || fail "no published OrderCreated outbox row for $ORDER_ID within ${TIMEOUT}s"
pass "published_at set"

begin "event on orders.events"
on_topic() { events_with_key "$ORDER_ID" | grep -q OrderCreated; }
poll "$TIMEOUT" on_topic || fail "no OrderCreated with key $ORDER_ID on orders.events"
pass "OrderCreated keyed by the order id"

# reservation_is STATE: the order's reservation is STATE; stops the check at once when it
# settled on something else (e.g. rejected: the stock was not there).
reservation_is() {
  local status reservation
  status=$(http GET "/orders/$ORDER_ID") && [ "$status" = 200 ] || return 1
  reservation=$(jq -r .reservation "$WORK/body")
  case $reservation in
    "$1") return 0 ;;
    pending | reserved) return 1 ;;
    *) fail "reservation is '$reservation', not '$1': $(cat "$WORK/body")" ;;
  esac
}

begin "inventory saga: reserved"
poll "$TIMEOUT" reservation_is reserved ||
  fail "order $ORDER_ID still '$(jq -r .reservation "$WORK/body")' after ${TIMEOUT}s (is the inventory service consuming orders.events, and order-saga inventory.events?)"
pass "reservation reserved"

begin "pay, then committed"
status=$(http PATCH "/orders/$ORDER_ID/status" '{"status":"paid"}')
[ "$status" = 200 ] || fail "paying: HTTP $status: $(cat "$WORK/body")"
poll "$TIMEOUT" reservation_is committed ||
  fail "order $ORDER_ID paid but its reservation is still '$(jq -r .reservation "$WORK/body")' after ${TIMEOUT}s"
status=$(http GET "$INVENTORY_API/stock/$SKU")
[ "$status" = 200 ] && jq -e '.on_hand == 0 and .reserved == 0' "$WORK/body" >/dev/null ||
  fail "stock after the payment: HTTP $status: $(cat "$WORK/body")"
pass "committed; $SKU on_hand 0, reserved 0"

begin "GET /stats/sku shows it"
from=$(date -u -d "$CREATED_AT - 2 minutes" +%Y-%m-%dT%H:%M:%SZ)
to=$(date -u -d "$CREATED_AT + 2 minutes" +%Y-%m-%dT%H:%M:%SZ)
stats_show_order() {
  [ "$(http GET "/stats/sku?sku=$SKU&from=$from&to=$to")" = 200 ] &&
    jq -e '[.items[] | select(.qty_sum == 3 and .revenue_sum == 3750)] | length == 1' "$WORK/body" >/dev/null
}
poll "$TIMEOUT" stats_show_order || fail "$SKU not in /stats/sku within ${TIMEOUT}s: $(cat "$WORK/body")"
pass "$SKU: qty_sum 3, revenue_sum 3750"

say "all steps hold"
