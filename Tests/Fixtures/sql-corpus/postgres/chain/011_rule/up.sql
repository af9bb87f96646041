CREATE TABLE deleted_orders (id bigint, at timestamptz DEFAULT now());
CREATE RULE keep_deleted AS ON DELETE TO orders DO ALSO (
    INSERT INTO deleted_orders (id) VALUES (OLD.id);
    INSERT INTO audit_log (note) VALUES ('order deleted')
);
