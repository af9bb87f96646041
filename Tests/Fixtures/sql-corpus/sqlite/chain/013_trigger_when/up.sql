CREATE TRIGGER customers_email_lowercase BEFORE INSERT ON customers
WHEN NEW.email <> lower(NEW.email)
BEGIN
    SELECT RAISE(ABORT, 'email must be lower case; it was not');
END;
