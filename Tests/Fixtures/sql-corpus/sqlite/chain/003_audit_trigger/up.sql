CREATE TABLE audit_log (id INTEGER PRIMARY KEY, note TEXT NOT NULL);
CREATE TRIGGER orders_audit AFTER UPDATE OF status ON orders BEGIN
    INSERT INTO audit_log (note) VALUES ('status; ' || CASE WHEN NEW.status IS NULL THEN 'none' ELSE NEW.status END);
END;
