CREATE SEQUENCE invoice_numbers START 1000;
ALTER TABLE orders ADD COLUMN invoice_number bigint;
ALTER TABLE orders ALTER COLUMN invoice_number SET DEFAULT nextval('invoice_numbers');
