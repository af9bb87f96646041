-- migrate:up
ALTER TABLE authors ADD COLUMN country TEXT;
CREATE VIEW author_names AS SELECT name FROM authors;

-- migrate:down
DROP VIEW author_names;
ALTER TABLE authors DROP COLUMN country;
