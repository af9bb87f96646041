ALTER TABLE customers ADD COLUMN phone text;
COMMENT ON COLUMN customers.phone IS 'E.164; DROP TABLE is only words here';
