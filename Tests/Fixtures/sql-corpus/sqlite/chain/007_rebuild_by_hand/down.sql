PRAGMA foreign_keys = OFF;
CREATE TABLE customers_old (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, phone TEXT);
INSERT INTO customers_old (id, email, name, created_at, phone) SELECT id, email, name, created_at, phone FROM customers;
DROP TABLE customers;
ALTER TABLE customers_old RENAME TO customers;
PRAGMA foreign_keys = ON;
