-- The table is new, so building its index without CONCURRENTLY blocks nobody.
CREATE TABLE wishlists (customer_id bigint NOT NULL, product_id bigint NOT NULL);
CREATE INDEX wishlists_customer_idx ON wishlists (customer_id);
ALTER TABLE wishlists ADD CONSTRAINT wishlists_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
