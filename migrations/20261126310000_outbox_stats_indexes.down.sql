DROP INDEX outbox_events_published_idx;
DROP INDEX outbox_events_dead_idx;
