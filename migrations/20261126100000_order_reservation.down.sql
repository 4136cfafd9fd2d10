DROP INDEX orders_unpaid_by_user_idx;
DROP INDEX orders_reservation_keyset_idx;
DROP INDEX orders_reservation_expiry_idx;
DROP TABLE processed_events;
ALTER TABLE orders DROP COLUMN reserved_at;
ALTER TABLE orders DROP COLUMN reservation;
