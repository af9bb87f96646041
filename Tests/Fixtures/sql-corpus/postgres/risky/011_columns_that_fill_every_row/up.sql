ALTER TABLE order_items ADD COLUMN line_number bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE order_items ADD COLUMN doubled integer GENERATED ALWAYS AS (quantity * 2) STORED;
-- A constant default is only recorded in the catalog: no rewrite, no finding.
ALTER TABLE order_items ADD COLUMN source text DEFAULT 'web';
