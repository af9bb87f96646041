-- A Flyway repeatable script: re-applied whenever it changes, after every versioned migration.
DROP VIEW IF EXISTS author_count;
CREATE VIEW author_count AS SELECT count(*) AS authors FROM authors;
