-- Stock per SKU. available = on_hand - reserved; the database itself refuses any state
-- that would oversell (reserved > on_hand) or go negative.
CREATE TABLE stock (
    sku        text PRIMARY KEY CHECK (sku ~ '^[A-Z0-9_-]{3,64}$'),
    on_hand    bigint NOT NULL CHECK (on_hand >= 0),
    reserved   bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT stock_reserved_within_on_hand CHECK (reserved <= on_hand)
);

-- One row per order the saga saw: what it holds (or held) and in which state.
-- lines: [{"sku", "qty"}] aggregated per SKU, sorted by SKU (events::StockLine).
CREATE TABLE reservations (
    order_id   uuid PRIMARY KEY,
    state      text NOT NULL CHECK (state IN ('held', 'rejected', 'committed', 'released')),
    lines      jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The inbox: every consumed event_id, written in the transaction of its effect, so a
-- redelivered event changes nothing.
CREATE TABLE processed_events (
    event_id     uuid PRIMARY KEY,
    processed_at timestamptz NOT NULL DEFAULT now()
);

-- When the inventory began: an OrderCreated that occurred before this is of an order placed
-- before inventory existed (reservation `none` on the orders side) and reserves nothing.
CREATE TABLE saga_epoch (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    started_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO saga_epoch DEFAULT VALUES;
