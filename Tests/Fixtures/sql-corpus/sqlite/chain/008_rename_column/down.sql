ALTER TABLE orders RENAME COLUMN amount TO total;
