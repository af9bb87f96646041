-- Verify library:country on pg

BEGIN;

SELECT country FROM authors WHERE false;
SELECT name FROM author_names WHERE false;

ROLLBACK;
