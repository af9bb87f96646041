CREATE VIEW big_orders AS SELECT id, customer_id, total FROM order_totals WHERE total > 100;
