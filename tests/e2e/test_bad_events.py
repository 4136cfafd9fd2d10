"""Bad input on the live topic (issue 5): a malformed message, an unknown `event_type` and
an unsupported `version` on `orders.events` each end on `orders.dlq` with a reason, and the
Flink job keeps running and counting."""

import json
import os
import time
import urllib.request
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition

from conftest import stack_env

FLINK_REST = f"http://127.0.0.1:{os.environ.get('FLINK_REST_PORT', '8081')}"


def dead_letters_mentioning(brokers, marker, expected, timeout=60):
    consumer = Consumer(
        {"bootstrap.servers": brokers, "group.id": f"e2e-{uuid.uuid4().hex}", "enable.auto.commit": False}
    )
    consumer.assign([TopicPartition("orders.dlq", p, 0) for p in range(3)])
    found = []
    deadline = time.monotonic() + timeout
    try:
        while len(found) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            if marker in message.value().decode(errors="replace"):
                found.append((json.loads(message.value()), dict(message.headers() or [])))
    finally:
        consumer.close()
    return found


def stream_job_state():
    with urllib.request.urlopen(f"{FLINK_REST}/jobs/overview", timeout=5) as response:
        jobs = json.loads(response.read())["jobs"]
    states = [job["state"] for job in jobs if job["name"] == "orderflow-sku-stats" and job["state"] != "CANCELED"]
    return states[0] if states else None


def test_bad_events_are_dead_lettered_and_the_stream_job_keeps_running(api, mongo):
    brokers = stack_env()["KAFKA_BROKERS"]
    marker = f"bad-{uuid.uuid4().hex}"
    envelope = {
        "event_id": str(uuid.uuid4()),
        "event_type": "OrderCreated",
        "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "version": 1,
        "producer": "e2e",
        "trace_id": marker,
        "data": {"order_id": str(uuid.uuid4()), "user_id": str(uuid.uuid4()), "currency": "EUR",
                 "total_amount": 100, "items": [{"sku": f"BAD-{marker[4:16].upper()}", "qty": 1, "unit_price": 100}]},
    }
    bad = {
        "malformed_json": ('{"event_type": "OrderCreated", "trace_id": "' + marker + '", ').encode(),
        "unknown_event_type": json.dumps({**envelope, "event_type": "OrderShipped"}).encode(),
        "unsupported_version": json.dumps({**envelope, "version": 2}).encode(),
    }
    producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True, "acks": "all"})
    for value in bad.values():
        producer.produce("orders.events", key=marker, value=value)
    assert producer.flush(10) == 0, "the bad messages were not acknowledged"

    letters = dead_letters_mentioning(brokers, marker, expected=3)
    codes = sorted(letter["error_code"] for letter, _ in letters)
    assert codes == sorted(bad), letters
    for letter, headers in letters:
        assert letter["error_reason"], letter
        assert letter["source"] == "orders.events"
        assert headers.get("error_reason", b"").decode() == letter["error_reason"]
    malformed = next(letter for letter, _ in letters if letter["error_code"] == "malformed_json")
    assert malformed["original_payload"] == bad["malformed_json"].decode(), "the original payload, untouched"
    assert mongo.order_events.count_documents({"event_id": envelope["event_id"]}) == 0

    # The stream job skipped them and still counts what comes next.
    assert stream_job_state() == "RUNNING"
    sku = f"AFTER-BAD-{uuid.uuid4().hex[:8].upper()}"
    token = api.new_user()
    status, order = api.call(
        "POST", "/orders", {"currency": "EUR", "items": [{"sku": sku, "qty": 2, "unit_price": 300}]},
        token=token, headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert status == 201, order
    deadline = time.monotonic() + 60
    while not mongo.sku_stats.find_one({"sku": sku, "currency": "EUR", "qty_sum": 2, "revenue_sum": 600}):
        assert time.monotonic() < deadline, f"{sku} never reached sku_stats"
        time.sleep(1)
    assert stream_job_state() == "RUNNING"
    # The job validates too: neither the unknown type nor the unsupported version was counted
    # (the order placed after them has already been aggregated).
    bad_sku = envelope["data"]["items"][0]["sku"]
    assert mongo.sku_stats.count_documents({"sku": bad_sku}) == 0, "an invalid event was aggregated"
