CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();  -- a semicolon inside the body; and BEGIN
    RETURN NEW;
END;
$$;
ALTER TABLE orders ADD COLUMN updated_at timestamptz;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
