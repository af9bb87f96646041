ALTER TABLE order_items DROP COLUMN source;
ALTER TABLE order_items DROP COLUMN doubled;
ALTER TABLE order_items DROP COLUMN line_number;
