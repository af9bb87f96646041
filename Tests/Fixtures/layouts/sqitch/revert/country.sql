-- Revert library:country from pg

BEGIN;

DROP VIEW author_names;
ALTER TABLE authors DROP COLUMN country;

COMMIT;
