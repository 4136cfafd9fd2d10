-- The transaction of POST /orders (apps/api/src/orders/repo.rs, outbox::insert), for
-- pgbench -M prepared: the order (ON CONFLICT ... RETURNING), its 2 items in one UNNEST
-- insert (SKUs uniform over 50), its OrderCreated row in the outbox, commit. The api's ids
-- are UUIDv7 from the application; gen_random_uuid() stands in (same type and width).
\set sku1 random(1, 50)
\set sku2 random(1, 50)
\set qty1 random(1, 5)
\set qty2 random(1, 5)
BEGIN;
INSERT INTO orders (id, user_id, status, currency, total_amount, idempotency_key, request_hash, created_at)
VALUES (gen_random_uuid(), '00000000-0000-7000-8000-000000000001', 'created', 'EUR', :qty1::int8 * 1999 + :qty2::int8 * 2499,
        gen_random_uuid(), md5(random()::text), now())
ON CONFLICT (user_id, idempotency_key) DO NOTHING
RETURNING id AS order_id \gset
INSERT INTO order_items (id, order_id, sku, qty, unit_price)
SELECT item.id, :order_id::uuid, item.sku, item.qty, item.unit_price
  FROM UNNEST(ARRAY[gen_random_uuid(), gen_random_uuid()], ARRAY['SKU-' || :sku1::text, 'SKU-' || :sku2::text],
              ARRAY[:qty1, :qty2]::int4[], ARRAY[1999, 2499]::int8[])
    AS item (id, sku, qty, unit_price);
INSERT INTO outbox_events (id, message_key, aggregate_type, aggregate_id, event_type, payload_json)
VALUES (gen_random_uuid(), :order_id::uuid, 'order', :order_id::uuid, 'OrderCreated',
        jsonb_build_object(
          'event_id', gen_random_uuid(), 'event_type', 'OrderCreated', 'version', 1,
          'occurred_at', now(),
          'producer', 'api', 'trace_id', md5(random()::text),
          'data', jsonb_build_object(
            'order_id', :order_id::uuid, 'user_id', '00000000-0000-7000-8000-000000000001',
            'currency', 'EUR', 'total_amount', :qty1::int8 * 1999 + :qty2::int8 * 2499,
            'items', jsonb_build_array(
              jsonb_build_object('sku', 'SKU-' || :sku1::text, 'qty', :qty1::int4, 'unit_price', 1999),
              jsonb_build_object('sku', 'SKU-' || :sku2::text, 'qty', :qty2::int4, 'unit_price', 2499)))));
COMMIT;
