ALTER TABLE order_items DROP COLUMN quantity_label;
