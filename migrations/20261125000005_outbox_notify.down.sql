DROP TRIGGER outbox_events_notify ON outbox_events;
DROP FUNCTION notify_outbox_event();
