-- Add migration script here
CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO authors (id, name) VALUES (1, 'Ann'), (2, 'Bo');
