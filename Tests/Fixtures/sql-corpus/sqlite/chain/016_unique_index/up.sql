CREATE UNIQUE INDEX customers_email_unique ON customers (email);
