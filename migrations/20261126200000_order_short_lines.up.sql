-- Rejected orders say which SKUs were short (issue 13, docs/spec.md#order-reservation):
-- the `short_lines` of the StockRejected the saga applied, `[{sku, requested, available}]`;
-- `[]` for every other order. The constant default fills existing rows without a rewrite.
ALTER TABLE orders ADD COLUMN short_lines jsonb NOT NULL DEFAULT '[]'::jsonb
    CONSTRAINT orders_short_lines_is_array CHECK (jsonb_typeof(short_lines) = 'array');
