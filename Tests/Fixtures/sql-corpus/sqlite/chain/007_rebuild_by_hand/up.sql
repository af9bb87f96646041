-- The 12-step rebuild, written out: customers gains a CHECK on email.
PRAGMA foreign_keys = OFF;
CREATE TABLE customers_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL CHECK (email LIKE '%@%'), name TEXT, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, phone TEXT);
INSERT INTO customers_new (id, email, name, created_at, phone) SELECT id, email, name, created_at, phone FROM customers;
DROP TABLE customers;
ALTER TABLE customers_new RENAME TO customers;
PRAGMA foreign_keys = ON;
