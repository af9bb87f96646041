"""Creates the sample shop's SQLite database (app/shop.db): customers and their orders."""
import os, sqlite3, sys

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shop.db")
if os.path.exists(path):
    sys.exit(f"{path} exists already")
db = sqlite3.connect(path)
db.executescript("""
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, since TEXT NOT NULL);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id),
                         total REAL NOT NULL, note TEXT, placed_at TEXT NOT NULL);
    CREATE INDEX orders_customer ON orders (customer_id);
""")
db.executemany("INSERT INTO customers VALUES (?, ?, ?, ?)",
               [(n, f"Customer {n}", None if n % 9 == 0 else f"c{n}@example.com", f"2024-01-{1 + n % 28:02d}") for n in range(1, 201)])
db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)",
               [(n, 1 + n % 200, round(n * 1.37, 2), None if n % 4 else "gift wrap, 'fragile'", f"2024-02-{1 + n % 28:02d} 10:00:00") for n in range(1, 1001)])
db.commit()
