-- The outbox worker only ever looks at pending rows (not published, not dead): these
-- partial indexes stay as small as the backlog. The first serves the claim (oldest first)
-- and the lag metric; the second the per-order "no earlier pending row" check.
CREATE INDEX outbox_events_pending_idx
    ON outbox_events (created_at, id)
    WHERE published_at IS NULL AND dead_at IS NULL;

CREATE INDEX outbox_events_pending_by_aggregate_idx
    ON outbox_events (aggregate_id, created_at, id)
    WHERE published_at IS NULL AND dead_at IS NULL;
