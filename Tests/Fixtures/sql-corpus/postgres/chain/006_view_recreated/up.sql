-- The view reads total; it is dropped, the column widened, and the view made again.
DROP VIEW order_totals;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);
CREATE VIEW order_totals AS SELECT o.id, o.customer_id, o.total FROM orders o;
