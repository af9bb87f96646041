ALTER TABLE orders DROP status;
