-- godwit-downtime: zero
ALTER TABLE customers ALTER COLUMN name SET NOT NULL;
