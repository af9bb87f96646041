-- Count how often each product was ordered into a new column, and note it in the audit log.
ALTER TABLE products ADD COLUMN times_ordered integer;
UPDATE products p SET times_ordered = (SELECT count(*) FROM order_items i WHERE i.product_id = p.id);
INSERT INTO audit_log (note) VALUES ('counted orders per product; ''DROP COLUMN'' is text');
