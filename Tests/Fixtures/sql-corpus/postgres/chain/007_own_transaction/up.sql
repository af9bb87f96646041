BEGIN;
CREATE TABLE coupons (code text PRIMARY KEY, percent integer NOT NULL CHECK (percent BETWEEN 1 AND 90));
INSERT INTO coupons VALUES ('WELCOME', 10), ('VIP', 25);
COMMIT;
