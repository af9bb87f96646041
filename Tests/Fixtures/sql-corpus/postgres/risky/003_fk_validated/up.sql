-- godwit-downtime: zero
ALTER TABLE order_items ADD CONSTRAINT order_items_quantity_check CHECK (quantity < 1000);
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
