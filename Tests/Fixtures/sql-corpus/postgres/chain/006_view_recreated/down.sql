DROP VIEW order_totals;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);
CREATE VIEW order_totals AS SELECT o.id, o.customer_id, o.total FROM orders o;
