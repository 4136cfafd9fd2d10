-- Orders side of the inventory saga (issue 13, docs/spec.md#order-reservation).
--
-- reservation: where the order's stock reservation stands. Orders placed before inventory
--   existed (and while INVENTORY_SAGA_ENABLED=false) are `none`: outside the saga. The
--   default only fills existing rows (no table rewrite); the API always sets the value.
-- reserved_at: when StockReserved was applied; the expiry sweeper measures the TTL from it.
ALTER TABLE orders ADD COLUMN reservation text NOT NULL DEFAULT 'none'
    CONSTRAINT orders_reservation_check
    CHECK (reservation IN ('none', 'pending', 'reserved', 'rejected', 'released', 'committed'));
ALTER TABLE orders ADD COLUMN reserved_at timestamptz;

-- The orders-side inbox: one row per inventory event applied, in the same transaction as
-- the change, so a redelivered event changes nothing.
CREATE TABLE processed_events (
    event_id     uuid PRIMARY KEY,
    processed_at timestamptz NOT NULL DEFAULT now()
);

-- The sweeper walks only unpaid, reserved orders, oldest reservation first.
CREATE INDEX orders_reservation_expiry_idx ON orders (reserved_at)
    WHERE status = 'created' AND reservation = 'reserved';
-- `GET /admin/orders?reservation=` in keyset order.
CREATE INDEX orders_reservation_keyset_idx ON orders (reservation, created_at DESC, id DESC);
-- MAX_UNPAID_ORDERS counts a user's `created` orders on every POST /orders.
CREATE INDEX orders_unpaid_by_user_idx ON orders (user_id) WHERE status = 'created';
