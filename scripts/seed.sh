#!/usr/bin/env bash
# Seeds a running stack: the admin account (through the api's operator CLI, so the
# password policy applies and registration stays closed to admins), the demo SKUs' stock
# (through the inventory HTTP API, as the admin), a demo user (through POST /auth/register)
# and a few demo orders (through POST /orders; the inventory saga reserves their stock).
# Idempotent: existing accounts are reported, not changed; an existing SKU's on_hand is
# raised to at least the demo amount, never lowered; orders use fixed Idempotency-Keys, so
# a second run replays them instead of creating more.
#
#   ADMIN_EMAIL=admin@orderflow.local ADMIN_PASSWORD='...' scripts/seed.sh
#
# Environment:
#   ADMIN_EMAIL, ADMIN_PASSWORD   required; the password never goes on a command line
#   DEMO_EMAIL, DEMO_PASSWORD     the demo user (defaults below)
#   API_URL                       default http://127.0.0.1:8000
#   SEED_INVENTORY_URL            the inventory HTTP API; default the api's public routes,
#                                 $API_URL/inventory
#   API_BIN                       the api binary; default the stack's build, else `cargo run -q -p api --`
#   ORDERFLOW_STATE               where `scripts/stack` keeps stack.env
#                                 (default ~/.local/state/orderflow); its variables are
#                                 used for any that are not already set
set -euo pipefail

die() {
    echo "seed: $*" >&2
    exit 1
}

[[ -n ${ADMIN_EMAIL:-} ]] || die "ADMIN_EMAIL is required (the admin account's email)"
[[ -n ${ADMIN_PASSWORD:-} ]] || die "ADMIN_PASSWORD is required (12+ chars, upper, lower, digit, special)"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state_dir=${ORDERFLOW_STATE:-$HOME/.local/state/orderflow}
env_file=$state_dir/stack.env

# KEY=VALUE lines (optionally `export`ed or quoted); variables set by the caller win.
load_env_file() {
    local line key value
    while IFS= read -r line || [[ -n $line ]]; do
        line=${line#export }
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        [[ $line == *=* ]] || continue
        key=${line%%=*}
        value=${line#*=}
        [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
        if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then
            value=${BASH_REMATCH[1]}
        fi
        [[ -z ${!key+set} ]] && export "$key=$value"
    done <"$1"
    return 0
}

if [[ -f $env_file ]]; then
    load_env_file "$env_file"
fi
[[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set and $env_file does not provide it (is the stack up?)"

api_url=${API_URL:-http://127.0.0.1:8000}
# Stock through the api's public /inventory routes (the api is the only public edge; they
# forward to the inventory service's internal API, which serves the same paths).
inventory_url=${SEED_INVENTORY_URL:-$api_url/inventory}
demo_email=${DEMO_EMAIL:-demo@orderflow.local}
demo_password=${DEMO_PASSWORD:-Blue-Kettle-Runs-42!}

# The release build `scripts/stack up` runs (BIN_DIR as in scripts/lib/common.sh).
stack_api_bin=${BIN_DIR:-${CARGO_TARGET_DIR:-${ORDERFLOW_CACHE:-$HOME/.cache/orderflow}/target}/release}/api
if [[ -z ${API_BIN:-} && -x $stack_api_bin ]]; then
    API_BIN=$stack_api_bin
fi

run_api() {
    if [[ -n ${API_BIN:-} ]]; then
        "$API_BIN" "$@"
    else
        (cd "$repo_root" && cargo run -q -p api -- "$@")
    fi
}

# 1. The admin: the CLI reads ADMIN_PASSWORD from the environment.
echo "seed: admin $ADMIN_EMAIL"
ADMIN_PASSWORD=$ADMIN_PASSWORD run_api admin create --email "$ADMIN_EMAIL" --role admin \
    || die "creating the admin failed (see above)"

json_string() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    printf '"%s"' "$s"
}
response_file=$(mktemp)
header_file=$(mktemp)
trap 'rm -f "$response_file" "$header_file"' EXIT

# login EMAIL PASSWORD: prints the access token. The body goes through stdin, not argv.
login() {
    local status
    status=$(printf '{"email":%s,"password":%s}' "$(json_string "$1")" "$(json_string "$2")" |
        curl -sS -o "$response_file" -w '%{http_code}' \
            -H 'Content-Type: application/json' --data-binary @- "$api_url/auth/login") \
        || die "the API does not answer at $api_url (start it with scripts/stack up)"
    [[ $status == 200 ]] || die "logging in as $1 failed with HTTP $status: $(cat "$response_file")"
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$response_file"
}

# call TOKEN METHOD URL [BODY]: the status code; the response goes to $response_file. The
# token goes through a private header file, never through a command line.
call() {
    local token=$1 method=$2 url=$3 body=${4:-}
    (umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$header_file")
    local args=(-sS -o "$response_file" -w '%{http_code}' -X "$method" "$url" -H @"$header_file")
    [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary @-)
    printf '%s' "$body" | curl "${args[@]}"
}

# 2. Stock for the demo SKUs (before the orders that reserve it), as the admin.
admin_token=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
[[ -n $admin_token ]] || die "the admin's login response has no access_token"
demo_stock=(KETTLE-BLUE:40 MUG-WHITE:200 COFFEE-1KG:120 GRINDER-X:15 FILTER-100:500)
for entry in "${demo_stock[@]}"; do
    sku=${entry%%:*}
    amount=${entry#*:}
    status=$(call "$admin_token" POST "$inventory_url/stock" "{\"sku\":\"$sku\",\"on_hand\":$amount}") \
        || die "the inventory API does not answer at $inventory_url"
    case $status in
        201) echo "seed: stock $sku created with on_hand $amount" ;;
        409)
            grep -q '"SKU_EXISTS"' "$response_file" || die "creating stock $sku: HTTP 409: $(cat "$response_file")"
            status=$(call "$admin_token" GET "$inventory_url/stock/$sku") || die "the inventory API does not answer"
            [[ $status == 200 ]] || die "reading stock $sku failed with HTTP $status: $(cat "$response_file")"
            on_hand=$(sed -n 's/.*"on_hand":\([0-9]*\).*/\1/p' "$response_file")
            if ((on_hand >= amount)); then
                echo "seed: stock $sku already has on_hand $on_hand"
            else
                status=$(call "$admin_token" PUT "$inventory_url/stock/$sku/on-hand" "{\"on_hand\":$amount}") ||
                    die "the inventory API does not answer"
                [[ $status == 200 ]] || die "restocking $sku failed with HTTP $status: $(cat "$response_file")"
                echo "seed: stock $sku raised from $on_hand to $amount"
            fi
            ;;
        *) die "creating stock $sku failed with HTTP $status: $(cat "$response_file")" ;;
    esac
done

# 3. The demo user, through the public API.
body=$(printf '{"email":%s,"password":%s,"role":"user"}' \
    "$(json_string "$demo_email")" "$(json_string "$demo_password")")
status=$(printf '%s' "$body" | curl -sS -o "$response_file" -w '%{http_code}' \
    -H 'Content-Type: application/json' --data-binary @- "$api_url/auth/register") \
    || die "the API does not answer at $api_url (start it with scripts/stack up)"
case $status in
    201) echo "seed: demo user $demo_email created" ;;
    409) echo "seed: demo user $demo_email already exists" ;;
    *) die "registering the demo user failed with HTTP $status: $(cat "$response_file")" ;;
esac

# 4. Demo orders, as the demo user. Fixed keys: 201 the first time, 200 (replay) after.
access_token=$(login "$demo_email" "$demo_password")
[[ -n $access_token ]] || die "the login response has no access_token"

demo_orders=(
    '6f1e2d3c-0000-4000-8000-000000000001|{"currency":"EUR","items":[{"sku":"KETTLE-BLUE","qty":1,"unit_price":3499},{"sku":"MUG-WHITE","qty":4,"unit_price":899}]}'
    '6f1e2d3c-0000-4000-8000-000000000002|{"currency":"HUF","items":[{"sku":"COFFEE-1KG","qty":2,"unit_price":8990}]}'
    '6f1e2d3c-0000-4000-8000-000000000003|{"currency":"USD","items":[{"sku":"GRINDER-X","qty":1,"unit_price":12900},{"sku":"FILTER-100","qty":3,"unit_price":450}]}'
)
for entry in "${demo_orders[@]}"; do
    key=${entry%%|*}
    status=$(printf '%s' "${entry#*|}" | curl -sS -o "$response_file" -w '%{http_code}' \
        -H 'Content-Type: application/json' -H "Idempotency-Key: $key" \
        -H @<(printf 'Authorization: Bearer %s\n' "$access_token") \
        --data-binary @- "$api_url/orders")
    case $status in
        201) echo "seed: demo order $key created" ;;
        200) echo "seed: demo order $key already exists" ;;
        *) die "creating demo order $key failed with HTTP $status: $(cat "$response_file")" ;;
    esac
done
