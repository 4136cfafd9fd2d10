-- The outbox table as crates/outbox expects it, for a service's first migration on a fresh
-- database (copy it into that migration; the outbox crate's schema test checks that
-- orderflow's migrated schema equals this file's, and `outbox::schema::verify` checks any
-- database at run time). Columns and indexes are explained in crates/outbox/src/schema.rs.
CREATE TABLE outbox_events (
    id               uuid PRIMARY KEY,
    aggregate_type   text NOT NULL,
    aggregate_id     uuid NOT NULL,
    event_type       text NOT NULL,
    payload_json     jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    published_at     timestamptz NULL,
    publish_attempts int NOT NULL DEFAULT 0,
    last_error       text NULL,
    next_attempt_at  timestamptz NULL,
    dead_at          timestamptz NULL,
    seq              bigserial NOT NULL,
    message_key      text NOT NULL,
    available_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX outbox_events_claim_idx ON outbox_events (available_at, seq)
    WHERE published_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_events_key_head_idx ON outbox_events (message_key, seq)
    WHERE published_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_events_oldest_idx ON outbox_events (seq)
    WHERE published_at IS NULL AND dead_at IS NULL;
-- The operator's figures (crates/outbox/src/stats.rs): dead rows, and the last minute's
-- publishes read as a range of published_at (bounded by the publish rate).
CREATE INDEX outbox_events_dead_idx ON outbox_events (seq)
    WHERE dead_at IS NOT NULL;
CREATE INDEX outbox_events_published_idx ON outbox_events (published_at)
    WHERE published_at IS NOT NULL;
