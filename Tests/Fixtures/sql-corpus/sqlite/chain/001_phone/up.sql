ALTER TABLE customers ADD COLUMN phone TEXT; -- DROP TABLE customers; is only a comment
