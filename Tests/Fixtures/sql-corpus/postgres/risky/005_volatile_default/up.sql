ALTER TABLE customers ADD COLUMN token uuid DEFAULT gen_random_uuid();
