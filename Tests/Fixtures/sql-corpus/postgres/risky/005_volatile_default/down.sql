ALTER TABLE customers DROP COLUMN token;
