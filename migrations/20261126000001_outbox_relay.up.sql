-- Outbox relay (issue 10): brings the table to the schema crates/outbox owns
-- (crates/outbox/sql/outbox_events.sql; its schema test compares the two).
--
-- message_key: the Kafka message key as text (an order id today, a SKU for later events);
--   the per-key ordering unit. Backfilled from aggregate_id.
-- seq: the order of rows within a key (and the age order for the lag metric). Existing rows
--   are numbered in their old (created_at, id) order so pending rows keep their order.
-- available_at: when a row may be claimed next (insert time, or the end of its backoff);
--   the claim walks only rows that are available, so rows waiting out a backoff cost nothing.
ALTER TABLE outbox_events ADD COLUMN seq bigserial;
UPDATE outbox_events o SET seq = numbered.n
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM outbox_events) numbered
WHERE o.id = numbered.id;
SELECT setval(pg_get_serial_sequence('outbox_events', 'seq'),
              coalesce((SELECT max(seq) FROM outbox_events), 0) + 1, false);

ALTER TABLE outbox_events ADD COLUMN message_key text;
UPDATE outbox_events SET message_key = aggregate_id::text;
ALTER TABLE outbox_events ALTER COLUMN message_key SET NOT NULL;

ALTER TABLE outbox_events ADD COLUMN available_at timestamptz NOT NULL DEFAULT now();
UPDATE outbox_events SET available_at = coalesce(next_attempt_at, created_at);

-- Only pending rows (not published, not dead) are indexed: the indexes stay as small as
-- the backlog. The claim walks the first in (available_at, seq) order; the head-of-key
-- probe is one descent of the second; the lag metric reads the head of the third.
DROP INDEX outbox_events_pending_idx;
DROP INDEX outbox_events_pending_by_aggregate_idx;
DROP INDEX outbox_events_published_at_created_at_idx;
CREATE INDEX outbox_events_claim_idx ON outbox_events (available_at, seq)
    WHERE published_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_events_key_head_idx ON outbox_events (message_key, seq)
    WHERE published_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_events_oldest_idx ON outbox_events (seq)
    WHERE published_at IS NULL AND dead_at IS NULL;

-- NOTIFY in the inserting transaction takes a database-wide lock held through commit and
-- serialised every order commit; the worker polls adaptively instead (docs/decisions.md).
DROP TRIGGER outbox_events_notify ON outbox_events;
DROP FUNCTION notify_outbox_event();
