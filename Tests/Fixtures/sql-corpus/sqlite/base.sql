-- A small shop, the schema every corpus migration starts from.
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id), status TEXT, total REAL);
CREATE VIEW order_totals AS SELECT id, customer_id, total FROM orders;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 300)
INSERT INTO customers (email, name) SELECT 'c' || n || '@example.com', CASE WHEN n % 7 = 0 THEN NULL ELSE 'Customer ' || n END FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 900)
INSERT INTO orders (customer_id, status, total) SELECT 1 + n % 300, CASE WHEN n % 11 = 0 THEN NULL ELSE 'new' END, (n % 97) * 1.5 FROM g;
