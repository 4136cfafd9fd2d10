CREATE FUNCTION notify_outbox_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox_events', NEW.id::text);
    RETURN NEW;
END;
$$;

CREATE TRIGGER outbox_events_notify
    AFTER INSERT ON outbox_events
    FOR EACH ROW EXECUTE FUNCTION notify_outbox_event();

DROP INDEX outbox_events_oldest_idx;
DROP INDEX outbox_events_key_head_idx;
DROP INDEX outbox_events_claim_idx;
CREATE INDEX outbox_events_published_at_created_at_idx ON outbox_events (published_at, created_at);
CREATE INDEX outbox_events_pending_idx
    ON outbox_events (created_at, id)
    WHERE published_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_events_pending_by_aggregate_idx
    ON outbox_events (aggregate_id, created_at, id)
    WHERE published_at IS NULL AND dead_at IS NULL;

ALTER TABLE outbox_events DROP COLUMN available_at;
ALTER TABLE outbox_events DROP COLUMN message_key;
ALTER TABLE outbox_events DROP COLUMN seq;
