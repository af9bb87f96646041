DELETE FROM audit_log WHERE note LIKE 'counted orders per product%';
ALTER TABLE products DROP COLUMN times_ordered;
