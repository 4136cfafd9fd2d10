-- The inventory service's transaction for one OrderCreated (apps/inventory/src/saga/repo.rs),
-- for pgbench -M prepared, one line of 1 unit on a SKU drawn uniformly from 1,000 (spread):
-- inbox row, stock rows locked in SKU order, reserved += qty, reservation row, StockReserved
-- in the outbox, commit. gen_random_uuid() stands in for the event's and order's ids.
\set n random(1, 1000)
BEGIN;
SELECT gen_random_uuid() AS order_id \gset
INSERT INTO processed_events (event_id) VALUES (gen_random_uuid()) ON CONFLICT (event_id) DO NOTHING;
SELECT sku, on_hand, reserved FROM stock WHERE sku = ANY(ARRAY['PGB-' || lpad(:n::text, 4, '0')]) ORDER BY sku FOR UPDATE;
UPDATE stock SET reserved = stock.reserved + line.qty, updated_at = now()
  FROM unnest(ARRAY['PGB-' || lpad(:n::text, 4, '0')]::text[], ARRAY[1]::int8[]) AS line(sku, qty) WHERE stock.sku = line.sku;
INSERT INTO reservations (order_id, state, lines)
VALUES (:order_id::uuid, 'held', jsonb_build_array(jsonb_build_object('sku', 'PGB-' || lpad(:n::text, 4, '0'), 'qty', 1)))
ON CONFLICT (order_id) DO NOTHING;
INSERT INTO outbox_events (id, message_key, aggregate_type, aggregate_id, event_type, payload_json)
VALUES (gen_random_uuid(), :order_id::uuid, 'order', :order_id::uuid, 'StockReserved',
        jsonb_build_object(
          'event_id', gen_random_uuid(), 'event_type', 'StockReserved', 'version', 1,
          'occurred_at', now(), 'producer', 'inventory', 'trace_id', md5(random()::text),
          'data', jsonb_build_object('order_id', :order_id::uuid,
            'items', jsonb_build_array(jsonb_build_object('sku', 'PGB-' || lpad(:n::text, 4, '0'), 'qty', 1)))));
COMMIT;
