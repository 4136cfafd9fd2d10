-- The wake-up orderflow had before issue 10 (migration 20261125000005_outbox_notify): every
-- outbox insert NOTIFYs in the inserting transaction. bench/notify-cost applies it to the
-- "trigger" scratch database only, so the two variants differ in nothing else.
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
