DROP INDEX customers_email_unique;
