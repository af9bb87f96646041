ALTER TABLE coupons DROP COLUMN serial_no;
