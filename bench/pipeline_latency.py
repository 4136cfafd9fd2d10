"""Latency of the event pipeline on the running native stack (numbers, never asserted).

Places N orders through the API at a steady rate, each with a SKU of its own, then reads:
- outbox publish lag: outbox_events.published_at - orders.created_at (PostgreSQL);
- order → stats latency: sku_stats.updated_at - orders.created_at (MongoDB), i.e. until the
  order is visible to GET /stats/sku, through worker → Kafka → Flink → Kafka → projector.

    bench/run [--orders N] [--rate PER_SECOND]
"""

import argparse
import sys
import time
import uuid
from datetime import timezone

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from conftest import API_URL, Api, stack_env  # noqa: E402

import psycopg  # noqa: E402
import pymongo  # noqa: E402


def percentiles(values_ms):
    ordered = sorted(values_ms)

    def at(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    return {"p50": at(50), "p90": at(90), "p99": at(99), "max": ordered[-1]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rate", type=float, default=10.0, help="orders per second")
    args = parser.parse_args()

    env = stack_env()
    api = Api(API_URL)
    token = api.new_user()
    run = uuid.uuid4().hex[:8].upper()
    started = time.monotonic()
    order_ids = []
    for n in range(args.orders):
        delay = started + n / args.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        body = {"currency": "EUR", "items": [{"sku": f"BENCH-{run}-{n:05d}", "qty": 1, "unit_price": 100}]}
        status, order = api.call("POST", "/orders", body, token=token, headers={"Idempotency-Key": str(uuid.uuid4())})
        if status != 201:
            sys.exit(f"order {n} failed: HTTP {status} {order}")
        order_ids.append(order["id"])
    placing = time.monotonic() - started

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as pg:
        deadline = time.monotonic() + 120
        while True:
            rows = pg.execute(
                """SELECT o.created_at, e.published_at, i.sku FROM orders o
                   JOIN outbox_events e ON e.aggregate_id = o.id
                   JOIN order_items i ON i.order_id = o.id
                   WHERE o.id = ANY(%s::uuid[])""",
                (order_ids,),
            ).fetchall()
            if all(published for _, published, _ in rows) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    created = {sku: created_at for created_at, _, sku in rows}
    publish_lag = [(published - created_at).total_seconds() * 1000 for created_at, published, _ in rows if published]

    mongo = pymongo.MongoClient(env["MONGODB_URL"], tz_aware=True).get_default_database()
    deadline = time.monotonic() + 120
    while True:
        docs = list(mongo.sku_stats.find({"sku": {"$regex": f"^BENCH-{run}-"}}, {"sku": 1, "updated_at": 1}))
        if len(docs) == len(order_ids) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    stats_latency = [
        (doc["updated_at"].astimezone(timezone.utc) - created[doc["sku"]]).total_seconds() * 1000 for doc in docs
    ]

    print(f"orders: {len(order_ids)} at {args.rate:g}/s (placed in {placing:.1f} s), one SKU each")
    print(f"{'metric':<32}{'n':>6}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, values in [("outbox publish lag", publish_lag), ("order -> /stats/sku visible", stats_latency)]:
        if not values:
            print(f"{name:<32}{0:>6}  (nothing arrived)")
            continue
        p = percentiles(values)
        print(f"{name:<32}{len(values):>6}{p['p50']:>10.0f}{p['p90']:>10.0f}{p['p99']:>10.0f}{p['max']:>10.0f}")
    if len(publish_lag) < len(order_ids) or len(stats_latency) < len(order_ids):
        sys.exit("not every order made it through the pipeline within 120 s")


if __name__ == "__main__":
    main()
