"""The event pipeline end to end (issue 5): orders placed through the API reach MongoDB's
`sku_stats` through the outbox worker, Kafka, the Flink job and the projector, and the
numbers are exact: identical, for every (sku, currency, minute), to the same aggregation
computed in SQL from PostgreSQL (revenue is kept per currency, never added across currencies) — also while the projector, the Flink TaskManager and the outbox worker
are killed with SIGKILL and restarted mid-stream.

The stack runs the inventory saga: every SKU is stocked far beyond what the orders ask, so
each order is reserved and keeps its one event (an out-of-stock order would also get an
`OrderCanceled`); the stats count placed orders either way.
"""

import os
import random
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

ORDERS = int(os.environ.get("EXACTNESS_ORDERS", "500"))
# Over 3 minutes of event time: orders.created_at is the event time, stamped by the API.
SECONDS = float(os.environ.get("EXACTNESS_SECONDS", "190"))
SETTLE_TIMEOUT = 180


def place_orders(api, tokens, skus, count, seconds):
    """Places `count` random orders, evenly spread over `seconds`; returns their ids."""
    rng = random.Random()
    order_ids = []
    started = time.monotonic()
    for n in range(count):
        delay = started + n * seconds / count - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        items = [
            {"sku": sku, "qty": rng.randint(1, 20), "unit_price": rng.choice([0, rng.randint(1, 100_000)])}
            for sku in rng.sample(skus, rng.randint(1, 3))
        ]
        body = {"currency": rng.choice(["HUF", "EUR", "USD"]), "items": items}
        status, order = api.call(
            "POST", "/orders", body, token=rng.choice(tokens), headers={"Idempotency-Key": str(uuid.uuid4())}
        )
        assert status == 201, order
        order_ids.append(order["id"])
    return order_ids


def expected_stats(pg, prefix):
    rows = pg.execute(
        """
        SELECT i.sku,
               o.currency,
               to_char(date_trunc('minute', o.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               sum(i.qty)::bigint,
               sum(i.qty::bigint * i.unit_price)::bigint
        FROM orders o JOIN order_items i ON i.order_id = o.id
        WHERE i.sku LIKE %s
        GROUP BY 1, 2, 3
        """,
        (prefix + "%",),
    ).fetchall()
    return {(sku, currency, window): (qty, revenue) for sku, currency, window, qty, revenue in rows}


def actual_stats(mongo, prefix):
    """sku_stats by (sku, currency, minute); fields as crates/read-model defines them."""
    docs = mongo.sku_stats.find({"sku": {"$regex": f"^{prefix}"}})
    return {
        (doc["sku"], doc.get("currency"), doc["window_start"].strftime("%Y-%m-%dT%H:%M:%SZ")): (
            doc["qty_sum"],
            doc["revenue_sum"],
        )
        for doc in docs
    }


def wait_until_published(pg, order_ids):
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        pending = pg.execute(
            "SELECT count(*) FROM outbox_events WHERE aggregate_id = ANY(%s::uuid[]) AND published_at IS NULL",
            (order_ids,),
        ).fetchone()[0]
        if pending == 0:
            return
        assert time.monotonic() < deadline, f"{pending} outbox rows still unpublished"
        time.sleep(1)


def assert_stats_converge(pg, mongo, prefix):
    expected = expected_stats(pg, prefix)
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        actual = actual_stats(mongo, prefix)
        if actual == expected:
            return expected
        if time.monotonic() > deadline:
            missing = {k: v for k, v in expected.items() if actual.get(k) != v}
            extra = {k: v for k, v in actual.items() if k not in expected}
            raise AssertionError(f"sku_stats differ from SQL: wrong or missing {missing}, unexpected {extra}")
        time.sleep(2)


def assert_one_audit_document_per_event(pg, mongo, order_ids):
    event_ids = [
        str(row[0])
        for row in pg.execute(
            "SELECT id FROM outbox_events WHERE aggregate_id = ANY(%s::uuid[])", (order_ids,)
        ).fetchall()
    ]
    assert len(event_ids) == len(order_ids), "one OrderCreated outbox row per order"
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        documents = mongo.order_events.count_documents({"order_id": {"$in": order_ids}})
        distinct = len(mongo.order_events.distinct("event_id", {"event_id": {"$in": event_ids}}))
        if documents == distinct == len(event_ids):
            return
        assert documents <= len(event_ids), f"{documents} audit documents for {len(event_ids)} events"
        assert time.monotonic() < deadline, f"{distinct} of {len(event_ids)} events in order_events"
        time.sleep(1)


# Far more than ORDERS orders of at most 3 lines × 20 units can take from one SKU.
AMPLE_STOCK = 1_000_000


def run_and_compare(api, pg, mongo, inventory, chaos=None, chaos_errors=()):
    run = uuid.uuid4().hex[:8].upper()
    prefix = f"EXA-{run}-"
    skus = [f"{prefix}{n:02d}" for n in range(12)]
    for sku in skus:
        inventory.stock(sku, AMPLE_STOCK)
    tokens = [api.new_user() for _ in range(3)]
    chaos_thread = threading.Thread(target=chaos, daemon=True) if chaos else None
    if chaos_thread:
        chaos_thread.start()
    order_ids = place_orders(api, tokens, skus, ORDERS, SECONDS)
    if chaos_thread:
        chaos_thread.join(timeout=120)
        assert not chaos_thread.is_alive(), "the chaos schedule did not finish"
        assert not chaos_errors, f"killing or restarting a process failed: {chaos_errors}"

    first, last = pg.execute(
        "SELECT min(created_at), max(created_at) FROM orders WHERE id = ANY(%s::uuid[])", (order_ids,)
    ).fetchone()
    assert last - first >= timedelta(minutes=3), "orders span at least 3 minutes of event time"

    wait_until_published(pg, order_ids)
    expected = assert_stats_converge(pg, mongo, prefix)
    assert len({window for _, _, window in expected}) >= 4, "at least four distinct minutes"
    assert {currency for _, currency, _ in expected} == {"HUF", "EUR", "USD"}, "every currency"
    # The same SKU and minute in two currencies: two documents, never one sum.
    by_sku_minute = {}
    for sku, currency, window in expected:
        by_sku_minute.setdefault((sku, window), set()).add(currency)
    assert any(len(currencies) > 1 for currencies in by_sku_minute.values())
    assert sum(qty for qty, _ in expected.values()) > ORDERS
    assert_one_audit_document_per_event(pg, mongo, order_ids)


def test_sku_stats_equal_the_sql_aggregation(api, pg, mongo, inventory):
    run_and_compare(api, pg, mongo, inventory)


def test_sku_stats_stay_exact_while_processes_are_killed(api, pg, mongo, inventory, processes):
    errors = []

    def chaos():
        try:
            schedule = SECONDS / 190
            time.sleep(25 * schedule)
            old = processes.kill9("projector")
            time.sleep(8 * schedule)
            processes.stack_up()
            processes.wait_replaced("projector", old)

            time.sleep(20 * schedule)
            old = processes.kill9("flink-taskmanager")
            processes.wait_replaced("flink-taskmanager", old)  # its supervisor restarts it

            time.sleep(30 * schedule)
            old = processes.kill9("outbox-worker")
            time.sleep(8 * schedule)
            processes.stack_up()
            processes.wait_replaced("outbox-worker", old)

            time.sleep(20 * schedule)
            old_projector = processes.kill9("projector")
            old_worker = processes.kill9("outbox-worker")
            time.sleep(5 * schedule)
            processes.stack_up()
            processes.wait_replaced("projector", old_projector)
            processes.wait_replaced("outbox-worker", old_worker)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    run_and_compare(api, pg, mongo, inventory, chaos, errors)


def test_a_redelivered_event_is_counted_once(api, pg, mongo, inventory):
    """The outbox delivers at least once: the same envelope published twice (as a worker
    killed between the broker's ack and its commit does) must count once."""
    sku = f"DUP-{uuid.uuid4().hex[:10].upper()}"
    inventory.stock(sku, 100)
    token = api.new_user()
    status, order = api.call(
        "POST",
        "/orders",
        {"currency": "EUR", "items": [{"sku": sku, "qty": 7, "unit_price": 250}]},
        token=token,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert status == 201, order
    # A second outbox row carrying the very same envelope (same event_id).
    pg.execute(
        """
        INSERT INTO outbox_events (id, message_key, aggregate_type, aggregate_id, event_type, payload_json)
        SELECT gen_random_uuid(), message_key, aggregate_type, aggregate_id, event_type, payload_json
        FROM outbox_events WHERE aggregate_id = %s::uuid AND event_type = 'OrderCreated'
        """,
        (order["id"],),
    )
    wait_until_published(pg, [order["id"]])
    window = datetime.fromisoformat(order["created_at"].replace("Z", "+00:00")).astimezone(timezone.utc)
    key = (sku, "EUR", window.replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"))
    deadline = time.monotonic() + 60
    while actual_stats(mongo, sku).get(key) != (7, 1750):
        assert time.monotonic() < deadline, f"{key}: {actual_stats(mongo, sku)}"
        time.sleep(1)
    time.sleep(5)  # a double count would arrive right behind the first
    assert actual_stats(mongo, sku) == {key: (7, 1750)}
