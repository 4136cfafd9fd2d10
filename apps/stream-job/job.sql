-- orderflow stream job: per-SKU, per-currency 1-minute tumbling windows on event time
-- (occurred_at). Run with: flink run -d runner.jar job.sql   (see README.md; ${VAR} comes
-- from the environment)
--   KAFKA_BROKERS         e.g. 127.0.0.1:9092 (native) or kafka:9092 (Compose)
--   FLINK_CHECKPOINT_DIR  a URI, e.g. file://$ORDERFLOW_STATE/data/flink/checkpoints

SET 'pipeline.name' = 'orderflow-sku-stats';
SET 'table.local-time-zone' = 'UTC';
SET 'execution.checkpointing.interval' = '10 s';
SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';
SET 'execution.checkpointing.dir' = '${FLINK_CHECKPOINT_DIR}';
SET 'execution.checkpointing.num-retained' = '3';
SET 'execution.checkpointing.externalized-checkpoint-retention' = 'RETAIN_ON_CANCELLATION';
SET 'state.backend.type' = 'hashmap';
-- Idle partitions must not hold back the watermark (used only by the lateness filter below).
SET 'table.exec.source.idle-timeout' = '5 s';
-- Updating aggregate: state per (sku, minute) is kept 24 h after its last update, far longer
-- than the 1 h lateness bound below, so a window never restarts from zero (see README).
SET 'table.exec.state.ttl' = '24 h';
-- No mini-batch: its processing-time assigner replaces the event-time watermark that the
-- lateness filter below reads through CURRENT_WATERMARK. The aggregate emits one update per
-- input item; the upsert-kafka sink's buffer below keeps only the last one per key.

CREATE TABLE orders_events (
  event_id    STRING,
  event_type  STRING,
  version     INT,
  occurred_at STRING,
  `data`      ROW<order_id STRING, currency STRING, items ARRAY<ROW<sku STRING, qty BIGINT, unit_price BIGINT>>>,
  -- RFC 3339 UTC with 'Z' (the events crate always writes milliseconds); anything
  -- unparseable becomes the epoch, which the query drops (a NULL rowtime would fail the job).
  event_time AS COALESCE(
    TO_TIMESTAMP(occurred_at, 'yyyy-MM-dd''T''HH:mm:ss.SSS''Z'''),
    TO_TIMESTAMP(occurred_at, 'yyyy-MM-dd''T''HH:mm:ss''Z'''),
    TIMESTAMP '1970-01-01 00:00:00.000'),
  proc_time AS PROCTIME(),
  WATERMARK FOR event_time AS event_time - INTERVAL '1' HOUR
) WITH (
  'connector' = 'kafka',
  'topic' = 'orders.events',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'properties.group.id' = 'orderflow-sku-stats',
  'properties.fetch.max.wait.ms' = '100',
  -- Without a checkpoint/savepoint the job recomputes every window from the start of the
  -- topic (exact, idempotent output); with one, it resumes from the checkpointed offsets.
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true',
  'json.fail-on-missing-field' = 'false'
);

-- The message shape is a contract with the projector: crates/read-model/src/message.rs.
-- Revenue is in minor units of `currency` and never summed across currencies.
CREATE TABLE sku_stats (
  sku          STRING,
  currency     STRING,
  window_start STRING,
  window_end   STRING,
  qty_sum      BIGINT,
  revenue_sum  BIGINT,
  PRIMARY KEY (sku, currency, window_start) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'orders.sku-stats',
  'properties.bootstrap.servers' = '${KAFKA_BROKERS}',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'ALL',
  'sink.delivery-guarantee' = 'at-least-once',
  -- Under load: buffer the updates and write only the last one per key every 500 ms (or
  -- after 1,000 distinct buffered keys; the buffer is also flushed on every checkpoint).
  -- This bounds the output per key without mini-batch, so the watermark and the lateness
  -- filter are untouched; when idle an update waits at most 500 ms.
  'sink.buffer-flush.max-rows' = '1000',
  'sink.buffer-flush.interval' = '500 ms'
);

-- Each OrderCreated event once. The outbox worker delivers at least once: a worker killed
-- after the broker acknowledged a batch but before it recorded published_at publishes the
-- batch again under the same event_id (= outbox row id). Keep-first deduplication on
-- processing time is append-only; its state per event_id lives as long as the TTL above.
CREATE TEMPORARY VIEW order_created_once AS
SELECT event_id, event_time, currency, items
FROM (
  SELECT
    event_id,
    event_time,
    `data`.currency AS currency,
    `data`.items AS items,
    ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY proc_time ASC) AS row_num
  FROM orders_events
  -- Validated like every consumer (docs/spec.md#dead-letters): known type, supported version, an id. Invalid
  -- messages are dead-lettered by the projector; here they are only skipped.
  WHERE event_type = 'OrderCreated'
    AND version = 1
    AND event_id IS NOT NULL
    AND `data`.currency IS NOT NULL
    AND event_time > TIMESTAMP '1970-01-01 00:00:00.000'
    -- Drop events more than 1 h behind the watermark: their window may already be final.
    AND (CURRENT_WATERMARK(event_time) IS NULL OR event_time >= CURRENT_WATERMARK(event_time))
)
WHERE row_num = 1;

INSERT INTO sku_stats
SELECT
  sku,
  currency,
  window_start,
  DATE_FORMAT(
    TO_TIMESTAMP(window_start, 'yyyy-MM-dd''T''HH:mm:ss''Z''') + INTERVAL '1' MINUTE,
    'yyyy-MM-dd''T''HH:mm:ss''Z''') AS window_end,
  qty_sum,
  revenue_sum
FROM (
  SELECT
    sku,
    currency,
    window_start,
    SUM(qty) AS qty_sum,
    SUM(qty * unit_price) AS revenue_sum
  FROM (
    SELECT
      i.sku,
      e.currency,
      i.qty,
      i.unit_price,
      DATE_FORMAT(FLOOR(e.event_time TO MINUTE), 'yyyy-MM-dd''T''HH:mm:ss''Z''') AS window_start
    FROM order_created_once AS e
    CROSS JOIN UNNEST(e.items) AS i (sku, qty, unit_price)
    WHERE i.sku IS NOT NULL
      AND i.qty IS NOT NULL
      AND i.unit_price IS NOT NULL
  )
  GROUP BY sku, currency, window_start
);
