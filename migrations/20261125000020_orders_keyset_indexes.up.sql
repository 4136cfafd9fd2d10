-- Keyset pagination of the order listings (newest first, ties broken by id):
-- `GET /orders` and `GET /admin/orders?user_id=` walk the first, `GET /admin/orders` the second.
CREATE INDEX IF NOT EXISTS orders_user_keyset_idx ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS orders_keyset_idx ON orders (created_at DESC, id DESC);
