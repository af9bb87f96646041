CREATE FUNCTION forbid_negative_total() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF NEW.total < 0 THEN
        RAISE EXCEPTION 'negative total; order %', NEW.id;
    END IF;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER orders_total_check BEFORE INSERT OR UPDATE OF total ON orders
    FOR EACH ROW WHEN (NEW.total IS NOT NULL) EXECUTE FUNCTION forbid_negative_total();
