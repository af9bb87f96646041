CREATE INDEX customers_email_lower ON customers (lower(email));
