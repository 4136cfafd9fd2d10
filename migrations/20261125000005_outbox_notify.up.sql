-- Wakes the outbox worker as soon as an event is committed (it still polls as a fallback).
-- NOTIFY is transactional: listeners hear it only when the inserting transaction commits.
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
