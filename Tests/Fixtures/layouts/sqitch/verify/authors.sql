-- Verify library:authors on pg

BEGIN;

SELECT id, name FROM authors WHERE false;

ROLLBACK;
