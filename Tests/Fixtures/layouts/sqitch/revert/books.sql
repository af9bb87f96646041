-- Revert library:books from pg

BEGIN;

DROP INDEX books_author;
DROP TABLE books;

COMMIT;
