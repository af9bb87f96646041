CREATE INDEX orders_open ON orders (customer_id) WHERE status = 'new';
