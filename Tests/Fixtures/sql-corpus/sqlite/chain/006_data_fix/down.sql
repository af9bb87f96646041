DELETE FROM audit_log WHERE note LIKE 'marked big orders%';
ALTER TABLE orders DROP COLUMN big;
