CREATE INDEX orders_status ON orders (status);
CREATE INDEX "orders;customer" ON orders (customer_id);
