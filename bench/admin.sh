# Sourced by the bench scripts (after scripts/lib/common.sh and load_stack_env): the admin
# the load generator logs in as to stock the benchmark SKUs through the inventory service
# (orderflow-bench's BENCH_ADMIN_EMAIL / BENCH_ADMIN_PASSWORD, INVENTORY_URL from stack.env).
# `api admin create` is idempotent: an existing admin with this email is kept.
export BENCH_ADMIN_EMAIL=${BENCH_ADMIN_EMAIL:-bench-admin@example.com}
export BENCH_ADMIN_PASSWORD=${BENCH_ADMIN_PASSWORD:-Bench-Stock-Keeper-2026!}
ADMIN_PASSWORD=$BENCH_ADMIN_PASSWORD "$BIN_DIR/api" admin create --email "$BENCH_ADMIN_EMAIL" --role admin >/dev/null ||
  die "creating the bench admin $BENCH_ADMIN_EMAIL failed"
