DROP VIEW author_names;
ALTER TABLE authors DROP COLUMN country;
