-- The transaction of POST /orders (apps/api/src/orders/repo.rs), for pgbench -M prepared:
-- the order (RETURNING its id), its 2 items through UNNEST, the OrderCreated outbox row;
-- 5 round trips like the API's (BEGIN, 3 statements, COMMIT). Variables from bench/http:
-- -D user_id=<an existing user> -D payload=<an envelope as the API writes it>.
-- Ids are random UUIDs (the API's are UUIDv7); the tables start empty in a scratch database.
\set sku1 random(0, 49)
\set sku2 random(0, 49)
\set qty1 random(1, 5)
\set qty2 random(1, 5)
\set price1 random(100, 10000)
\set price2 random(100, 10000)
\set total :qty1 * :price1 + :qty2 * :price2
BEGIN;
INSERT INTO orders (id, user_id, status, currency, total_amount, idempotency_key, request_hash, created_at)
  VALUES (gen_random_uuid(), :user_id, 'created', 'EUR', :total, gen_random_uuid(),
          'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00', now())
  ON CONFLICT (user_id, idempotency_key) DO NOTHING
  RETURNING id AS order_id \gset
INSERT INTO order_items (id, order_id, sku, qty, unit_price)
  SELECT item.id, :order_id::uuid, item.sku, item.qty, item.unit_price
    FROM UNNEST(ARRAY[gen_random_uuid(), gen_random_uuid()],
                ARRAY['PGB-' || :sku1::int, 'PGB-' || :sku2::int]::text[],
                ARRAY[:qty1::int, :qty2::int]::int4[],
                ARRAY[:price1::int8, :price2::int8]::int8[]) AS item (id, sku, qty, unit_price);
INSERT INTO outbox_events (id, aggregate_type, aggregate_id, event_type, payload_json)
  VALUES (gen_random_uuid(), 'order', :order_id::uuid, 'OrderCreated', :payload::jsonb);
COMMIT;
