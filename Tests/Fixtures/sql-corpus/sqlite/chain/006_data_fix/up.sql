ALTER TABLE orders ADD COLUMN big INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET big = 1 WHERE total > 100;
INSERT INTO audit_log (note) VALUES ('marked big orders; ''DROP COLUMN'' is text');
