-- Verify library:books on pg

BEGIN;

SELECT id, author_id, title FROM books WHERE false;

ROLLBACK;
