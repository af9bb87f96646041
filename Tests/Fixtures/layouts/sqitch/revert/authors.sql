-- Revert library:authors from pg

BEGIN;

DROP TABLE authors;

COMMIT;
