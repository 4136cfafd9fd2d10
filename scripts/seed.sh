#!/usr/bin/env bash
# Seeds a running stack: the admin account (through the api's operator CLI, so the
# password policy applies and registration stays closed to admins) and a demo user
# (through POST /auth/register). Idempotent: existing accounts are reported, not changed.
#
#   ADMIN_EMAIL=admin@orderflow.local ADMIN_PASSWORD='...' scripts/seed.sh
#
# Environment:
#   ADMIN_EMAIL, ADMIN_PASSWORD   required; the password never goes on a command line
#   DEMO_EMAIL, DEMO_PASSWORD     the demo user (defaults below)
#   API_URL                       default http://127.0.0.1:8000
#   API_BIN                       the api binary; default `cargo run -q -p api --`
#   ORDERFLOW_STATE               where `scripts/stack` keeps api.env
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
env_file=$state_dir/api.env

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
demo_email=${DEMO_EMAIL:-demo@orderflow.local}
demo_password=${DEMO_PASSWORD:-Blue-Kettle-Runs-42!}

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

# 2. The demo user, through the public API. The body goes through stdin, not argv.
json_string() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    printf '"%s"' "$s"
}
body=$(printf '{"email":%s,"password":%s,"role":"user"}' \
    "$(json_string "$demo_email")" "$(json_string "$demo_password")")
response_file=$(mktemp)
trap 'rm -f "$response_file"' EXIT
status=$(printf '%s' "$body" | curl -sS -o "$response_file" -w '%{http_code}' \
    -H 'Content-Type: application/json' --data-binary @- "$api_url/auth/register") \
    || die "the API does not answer at $api_url (start it with scripts/stack up)"
case $status in
    201) echo "seed: demo user $demo_email created" ;;
    409) echo "seed: demo user $demo_email already exists" ;;
    *) die "registering the demo user failed with HTTP $status: $(cat "$response_file")" ;;
esac
