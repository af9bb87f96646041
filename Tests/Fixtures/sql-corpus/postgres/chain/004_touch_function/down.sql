DROP TRIGGER orders_touch ON orders;
ALTER TABLE orders DROP COLUMN updated_at;
DROP FUNCTION touch_updated_at();
