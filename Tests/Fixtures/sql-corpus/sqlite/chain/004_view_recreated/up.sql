DROP VIEW order_totals;
CREATE VIEW order_totals AS SELECT id, customer_id, total, status FROM orders;
