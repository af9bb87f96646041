ALTER TABLE products RENAME COLUMN price TO unit_price;
