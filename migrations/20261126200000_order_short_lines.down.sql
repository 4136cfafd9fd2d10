ALTER TABLE orders DROP COLUMN short_lines;
