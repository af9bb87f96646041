ALTER TABLE orders ADD CONSTRAINT orders_total_not_negative CHECK (total >= 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_not_negative;
