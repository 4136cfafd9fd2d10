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
    dead_at          timestamptz NULL
);

CREATE INDEX outbox_events_published_at_created_at_idx ON outbox_events (published_at, created_at);
