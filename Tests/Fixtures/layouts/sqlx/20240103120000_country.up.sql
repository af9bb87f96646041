ALTER TABLE authors ADD COLUMN country TEXT;
CREATE VIEW author_names AS SELECT name FROM authors;
