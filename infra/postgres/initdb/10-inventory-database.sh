#!/usr/bin/env bash
# The inventory service's own database (docs/spec.md#inventory), owned by the stack's user.
# The postgres image runs this once, when it initialises an empty data volume; for an
# existing volume see docs/decisions.md ("The inventory database in Compose").
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE DATABASE inventory OWNER "$POSTGRES_USER";
SQL
