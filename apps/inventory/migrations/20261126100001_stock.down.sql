DROP TABLE saga_epoch;
DROP TABLE processed_events;
DROP TABLE reservations;
DROP TABLE stock;
