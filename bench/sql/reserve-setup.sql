-- bench/inventory: stock for the pgbench reservation transactions, on a scratch database
-- migrated with apps/inventory/migrations. 1,000 spread SKUs and one hot SKU, each with far
-- more on hand than a run can reserve, so every transaction reserves (never the short path).
INSERT INTO stock (sku, on_hand)
SELECT 'PGB-' || lpad(n::text, 4, '0'), 1000000000 FROM generate_series(1, 1000) AS n
ON CONFLICT (sku) DO UPDATE SET on_hand = 1000000000, reserved = 0;
INSERT INTO stock (sku, on_hand) VALUES ('PGB-HOT', 1000000000)
ON CONFLICT (sku) DO UPDATE SET on_hand = 1000000000, reserved = 0;
