ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey1;
ALTER TABLE order_items DROP CONSTRAINT order_items_quantity_check;
