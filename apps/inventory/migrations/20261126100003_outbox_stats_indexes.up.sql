-- The outbox's operator figures (issue 14, crates/outbox/src/stats.rs; the same indexes as
-- crates/outbox/sql/outbox_events.sql): dead rows, and the rows published in the last minute
-- as a range of published_at, so the pipeline page never scans the table.
CREATE INDEX outbox_events_dead_idx ON outbox_events (seq)
    WHERE dead_at IS NOT NULL;
CREATE INDEX outbox_events_published_idx ON outbox_events (published_at)
    WHERE published_at IS NOT NULL;
