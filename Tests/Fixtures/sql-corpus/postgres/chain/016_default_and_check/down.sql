ALTER TABLE order_items DROP CONSTRAINT order_items_quantity_positive;
ALTER TABLE order_items ALTER COLUMN quantity DROP DEFAULT;
