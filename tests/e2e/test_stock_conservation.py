"""Stock is conserved under faults (issue 13, docs/spec.md#inventory-saga): thousands of
random orders, payments and cancellations from several users over a handful of SKUs with
limited stock (plus restocks), while the inventory service, the order saga, the outbox
worker and the broker are killed with SIGKILL and started again. Once everything has
settled (every event of the run published and consumed on both sides), for every SKU (left side from the inventory database, right side from the orders
database):

    reserved  = Σ qty of orders whose reservation is `reserved`
    on_hand   = initial + restocks − Σ qty of orders whose reservation is `committed`
    available = on_hand − reserved ≥ 0

and no reservation is left `pending`. Restocks are counted from the `StockAdjusted` rows of
the inventory outbox (written in the transaction that changed `on_hand`), since an admin's
`PUT` sets an absolute value that races with commits.

Also here (it restarts the order saga with a short TTL, so it runs in the serial suite):
an unpaid reservation expires and its stock returns.

Named to run after the pipeline tests: killing the broker makes the Flink job restart.
"""

import os
import random
import threading
import time
import urllib.error
import uuid

from confluent_kafka import Consumer, TopicPartition

from conftest import stack_env

ORDERS = int(os.environ.get("CONSERVATION_ORDERS", "2500"))
# The orders are spread evenly over this long, so the faults hit the whole run; the load
# phase ends then even if fewer orders were placed (a slow or frozen machine).
LOAD_SECONDS = float(os.environ.get("CONSERVATION_SECONDS", "80"))
SKUS = 5
INITIAL_STOCK = 120
USERS = 4
WORKERS = 8
SETTLE_TIMEOUT = float(os.environ.get("CONSERVATION_SETTLE_SECONDS", "180"))
# Killed in this order, one every CHAOS_PERIOD seconds, the last two together.
VICTIMS = ["inventory", "order-saga", "outbox-worker", "kafka", "inventory", ("order-saga", "outbox-worker"),
           "kafka", "inventory", "order-saga", "outbox-worker"]
CHAOS_PERIOD = LOAD_SECONDS / (len(VICTIMS) + 1)


class Load:
    """Users placing, paying and canceling orders; counts what the API answered."""

    def __init__(self, api, tokens, skus):
        self.api, self.tokens, self.skus = api, tokens, skus
        self.lock = threading.Lock()
        self.order_ids = []
        self.answers = {}
        self.errors = []
        self.retry_pay = []  # payments answered RESERVATION_PENDING, tried again later
        self.stop = threading.Event()

    def count(self, what, status):
        with self.lock:
            self.answers[(what, status)] = self.answers.get((what, status), 0) + 1

    def place(self, rng):
        items = [{"sku": sku, "qty": rng.randint(1, 3), "unit_price": 100} for sku in rng.sample(self.skus, rng.randint(1, 3))]
        token = rng.choice(self.tokens)
        status, order = self.api.call(
            "POST", "/orders", {"currency": "EUR", "items": items}, token=token,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert status == 201, order
        with self.lock:
            self.order_ids.append((order["id"], token))
            if len(self.order_ids) >= ORDERS:
                self.stop.set()

    def change(self, rng, status_wanted):
        with self.lock:
            if status_wanted == "paid" and self.retry_pay and rng.random() < 0.5:
                order_id, token = self.retry_pay.pop(0)
            else:
                # Recent orders, but not the newest: most of these have their reservation answer.
                order_id, token = rng.choice(self.order_ids[-400:-60] or self.order_ids)
        status, body = self.api.call("PATCH", f"/orders/{order_id}/status", {"status": status_wanted}, token=token)
        code = (body or {}).get("error", {}).get("code", "") if status >= 400 else ""
        assert status in (200, 409), body
        self.count(status_wanted, f"{status} {code}".strip())
        if code == "RESERVATION_PENDING":
            with self.lock:
                self.retry_pay.append((order_id, token))

    def worker(self, seed):
        """One order per slot (ORDERS spread over LOAD_SECONDS), each followed by a payment
        (2 in 3) or a cancellation of a recent order."""
        rng = random.Random(seed)
        interval = WORKERS * LOAD_SECONDS / ORDERS
        next_at = time.monotonic() + rng.uniform(0, interval)
        try:
            while not self.stop.wait(max(0.0, next_at - time.monotonic())):
                next_at += interval
                self.place(rng)
                if len(self.order_ids) >= 80:
                    self.change(rng, "paid" if rng.random() < 0.67 else "canceled")
        except Exception as error:  # surfaced by the test
            self.errors.append(error)
            self.stop.set()


def restocker(inventory, skus, stop, done):
    """Now and then raises a SKU's on_hand (absolute PUT, as the admin UI does)."""
    rng = random.Random()
    while not stop.wait(1.0):
        sku = rng.choice(skus)
        try:
            current = inventory.get(sku)["on_hand"]
            status, _ = inventory.call("PUT", f"/stock/{sku}/on-hand", {"on_hand": current + rng.randint(5, 30)})
            if status == 200:
                done.append(sku)
        except (urllib.error.URLError, ConnectionError, AssertionError, TimeoutError):
            pass  # the inventory service is down right now: skip this restock


def chaos(processes, stop, log, errors):
    try:
        for victim in VICTIMS:
            if stop.wait(CHAOS_PERIOD):
                return
            names = victim if isinstance(victim, tuple) else (victim,)
            for name in names:
                log.append((name, processes.kill9(name)))
            time.sleep(random.uniform(1, 4))
            for name in names:
                processes.start(name)
    except Exception as error:  # surfaced by the test
        errors.append(error)


def ensure_running(processes):
    for name in ("kafka", "inventory", "order-saga", "outbox-worker"):
        try:
            processes.pid(name)
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            processes.start(name)


def consumer_lag(brokers, group, topic):
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": group, "enable.auto.commit": False})
    try:
        partitions = [TopicPartition(topic, p) for p in range(3)]
        lag = 0
        for tp in consumer.committed(partitions, timeout=10):
            high = consumer.get_watermark_offsets(TopicPartition(topic, tp.partition), timeout=10)[1]
            lag += high - max(tp.offset, 0)
        return lag
    finally:
        consumer.close()


def unconsumed(source, sink, order_ids):
    """This run's events in `source`'s outbox (about our orders) that are not published yet,
    or that `sink`'s consumer has not processed yet (no inbox row): this run's share of the
    outbox backlog and of the consumer lag. The stack is shared (benchmarks, other suites may
    be producing), so the run waits for its own messages, not for an idle broker."""
    events = source.execute(
        "SELECT id, published_at IS NOT NULL, dead_at IS NOT NULL FROM outbox_events WHERE aggregate_id = ANY(%s::uuid[])",
        (order_ids,),
    ).fetchall()
    dead = [event_id for event_id, _, is_dead in events if is_dead]
    assert not dead, f"{len(dead)} outbox rows of this run were dead-lettered"
    unpublished = sum(1 for _, published, _ in events if not published)
    published = [event_id for event_id, is_published, _ in events if is_published]
    processed = sink.execute(
        "SELECT count(*) FROM processed_events WHERE event_id = ANY(%s::uuid[])", (published,)
    ).fetchone()[0]
    return unpublished, len(published) - processed


def wait_quiescent(pg, inventory_pg, order_ids):
    """Every event of this run published and consumed on both sides, nothing pending."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    calm = 0
    while calm < 2:
        orders_backlog, inventory_lag = unconsumed(pg, inventory_pg, order_ids)
        inventory_backlog, saga_lag = unconsumed(inventory_pg, pg, order_ids)
        state = {
            "orders outbox backlog": orders_backlog,
            "inventory outbox backlog": inventory_backlog,
            "not consumed by inventory": inventory_lag,
            "not consumed by order-saga": saga_lag,
            "pending reservations": pg.execute(
                "SELECT count(*) FROM orders WHERE id = ANY(%s::uuid[]) AND reservation = 'pending'", (order_ids,)
            ).fetchone()[0],
        }
        calm = calm + 1 if not any(state.values()) else 0
        assert time.monotonic() < deadline, f"not quiescent after {SETTLE_TIMEOUT:.0f}s: {state}"
        time.sleep(1)
    brokers = stack_env()["KAFKA_BROKERS"]
    # For the record: the consumer groups' whole lag (other users of the stack included).
    return {
        "inventory@orders.events": consumer_lag(brokers, "inventory", "orders.events"),
        "orders-saga@inventory.events": consumer_lag(brokers, "orders-saga", "inventory.events"),
    }


def orders_side(pg, prefix):
    """{sku: {reservation: Σ qty}} from the orders database."""
    sums = {}
    for sku, reservation, qty in pg.execute(
        """SELECT i.sku, o.reservation, sum(i.qty)::bigint FROM orders o JOIN order_items i ON i.order_id = o.id
           WHERE i.sku LIKE %s GROUP BY 1, 2""",
        (prefix + "%",),
    ).fetchall():
        sums.setdefault(sku, {})[reservation] = qty
    return sums


def inventory_side(inventory_pg, prefix):
    """{sku: (on_hand, reserved, initial, restocks)}: the stock row and its StockAdjusted history."""
    adjustments = {}
    for sku, reason, delta in inventory_pg.execute(
        """SELECT payload_json->'data'->>'sku', payload_json->'data'->>'reason',
                  sum((payload_json->'data'->>'on_hand')::bigint - (payload_json->'data'->>'previous_on_hand')::bigint)
           FROM outbox_events WHERE event_type = 'StockAdjusted' AND payload_json->'data'->>'sku' LIKE %s
           GROUP BY 1, 2""",
        (prefix + "%",),
    ).fetchall():
        adjustments.setdefault(sku, {})[reason] = int(delta)
    return {
        sku: (on_hand, reserved, adjustments[sku].pop("created", 0), sum(adjustments[sku].values()))
        for sku, on_hand, reserved in inventory_pg.execute(
            "SELECT sku, on_hand, reserved FROM stock WHERE sku LIKE %s ORDER BY sku", (prefix + "%",)
        ).fetchall()
    }


def test_stock_is_conserved_while_processes_are_killed(api, pg, inventory_pg, inventory, processes):
    started = time.monotonic()
    prefix = f"CONS-{uuid.uuid4().hex[:8].upper()}-"
    skus = [f"{prefix}{n}" for n in range(SKUS)]
    for sku in skus:
        inventory.stock(sku, INITIAL_STOCK)
    load = Load(api, [api.new_user() for _ in range(USERS)], skus)

    restocked, kills, chaos_errors = [], [], []
    threads = [threading.Thread(target=load.worker, args=(n,), daemon=True) for n in range(WORKERS)]
    threads.append(threading.Thread(target=restocker, args=(inventory, skus, load.stop, restocked), daemon=True))
    threads.append(threading.Thread(target=chaos, args=(processes, load.stop, kills, chaos_errors), daemon=True))
    try:
        for thread in threads:
            thread.start()
        load.stop.wait(LOAD_SECONDS + 5)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=90)
        ensure_running(processes)
    assert not any(thread.is_alive() for thread in threads), "a load or chaos thread did not stop"
    assert not chaos_errors, f"killing or restarting a process failed: {chaos_errors}"
    assert not load.errors, f"the API refused the load: {load.errors[:3]}"
    order_ids = [order_id for order_id, _ in load.order_ids]
    load_seconds = time.monotonic() - started

    group_lag = wait_quiescent(pg, inventory_pg, order_ids)
    settled_seconds = time.monotonic() - started - load_seconds

    orders = orders_side(pg, prefix)
    stock = inventory_side(inventory_pg, prefix)
    states = dict(pg.execute(
        "SELECT status || '/' || reservation, count(*) FROM orders WHERE id = ANY(%s::uuid[]) GROUP BY 1", (order_ids,)
    ).fetchall())
    print(f"\nconservation: {len(order_ids)} orders in {load_seconds:.0f}s, settled in {settled_seconds:.0f}s; "
          f"{len(kills)} SIGKILLs {[name for name, _ in kills]}; {len(restocked)} restocks; "
          f"consumer groups' lag at the end (whole stack): {group_lag}")
    print(f"  API answers: {dict(sorted(load.answers.items()))}")
    print(f"  orders (status/reservation): {dict(sorted(states.items()))}")
    print(f"  {'sku':<18}{'initial':>8}{'restock':>8}{'commit':>8}{'on_hand':>8}{'expect':>8}"
          f"{'reserved':>9}{'expect':>8}{'avail':>7}")
    problems = []
    for sku in skus:
        on_hand, reserved, initial, restocks = stock[sku]
        committed = orders.get(sku, {}).get("committed", 0)
        held = orders.get(sku, {}).get("reserved", 0)
        expected_on_hand = initial + restocks - committed
        print(f"  {sku:<18}{initial:>8}{restocks:>8}{committed:>8}{on_hand:>8}{expected_on_hand:>8}"
              f"{reserved:>9}{held:>8}{on_hand - reserved:>7}")
        if reserved != held:
            problems.append(f"{sku}: reserved {reserved} in inventory, {held} held by orders")
        if on_hand != expected_on_hand:
            problems.append(f"{sku}: on_hand {on_hand}, expected {initial} + {restocks} − {committed}")
        if on_hand - reserved < 0:
            problems.append(f"{sku}: available {on_hand - reserved}")
    assert not problems, problems

    # The run meant something: every kind of outcome happened, and the faults did too.
    assert len(order_ids) >= min(ORDERS, 500), f"only {len(order_ids)} orders placed"
    for wanted in ("paid/committed", "canceled/released", "canceled/rejected", "created/reserved"):
        assert states.get(wanted, 0) > 0, f"no order ended {wanted}: {states}"
    assert {"inventory", "order-saga", "outbox-worker", "kafka"} <= {name for name, _ in kills}, kills
    # Paid ⇔ committed, and nothing else in between once settled.
    assert set(states) <= {"paid/committed", "canceled/released", "canceled/rejected", "created/reserved"}, states
    # The inventory's own record of every order agrees with the orders side.
    held_by = dict(inventory_pg.execute(
        "SELECT order_id::text, state FROM reservations WHERE order_id = ANY(%s::uuid[])", (order_ids,)
    ).fetchall())
    expected_state = {"reserved": "held", "committed": "committed", "released": "released", "rejected": "rejected"}
    mismatched = [
        (order_id, reservation, held_by.get(order_id))
        for order_id, reservation in pg.execute(
            "SELECT id::text, reservation FROM orders WHERE id = ANY(%s::uuid[])", (order_ids,)
        ).fetchall()
        if held_by.get(order_id) != expected_state[reservation]
    ]
    assert not mismatched, f"{len(mismatched)} orders disagree with the inventory, e.g. {mismatched[:5]}"


def wait_for(what, predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)
    return result


def test_an_unpaid_reservation_expires_and_its_stock_returns(api, pg, inventory, processes):
    sku = f"TTL-{uuid.uuid4().hex[:10].upper()}"
    inventory.stock(sku, 10)
    token = api.new_user()
    # A short TTL for this test only (it expires every unpaid reservation of the stack
    # older than that, which on a dev stack are test leftovers and demo orders).
    processes.stop("order-saga")
    try:
        processes.start("order-saga", {"RESERVATION_TTL_SECONDS": "3", "RESERVATION_SWEEP_INTERVAL_MS": "500"})
        status, order = api.call(
            "POST", "/orders", {"currency": "EUR", "items": [{"sku": sku, "qty": 4, "unit_price": 100}]},
            token=token, headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert status == 201, order

        def reservation():
            return api.call("GET", f"/orders/{order['id']}", token=token)[1]["reservation"]

        wait_for("the reservation", lambda: reservation() in ("reserved", "released"))
        wait_for("the expiry", lambda: reservation() == "released", timeout=60)
        status, expired = api.call("GET", f"/orders/{order['id']}", token=token)
        assert expired["status"] == "canceled", expired
        reason = pg.execute(
            "SELECT payload_json->'data'->>'reason' FROM outbox_events WHERE aggregate_id = %s::uuid "
            "AND event_type = 'OrderCanceled'",
            (order["id"],),
        ).fetchall()
        assert reason == [("reservation_expired",)], reason
        item = inventory.get(sku)
        assert (item["on_hand"], item["reserved"], item["available"]) == (10, 0, 10), item
        # An expired order cannot be paid any more.
        status, body = api.call("PATCH", f"/orders/{order['id']}/status", {"status": "paid"}, token=token)
        assert status == 409, body
    finally:
        processes.stop("order-saga")
        processes.start("order-saga")
