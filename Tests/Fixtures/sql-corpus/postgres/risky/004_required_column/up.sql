ALTER TABLE customers ADD COLUMN tier text NOT NULL;
