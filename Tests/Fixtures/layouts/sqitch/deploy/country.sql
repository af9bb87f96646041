-- Deploy library:country to pg

BEGIN;

ALTER TABLE authors ADD COLUMN country TEXT;
CREATE VIEW author_names AS SELECT name FROM authors;

COMMIT;
