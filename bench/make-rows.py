#!/usr/bin/env python3
"""Writes N rows of (id, name, email, created_at, amount, active) to a SQLite file and a CSV file
with the same values: the table of the copy and verify benchmarks (machine-facts.md's six columns)."""
import csv, os, random, sqlite3, sys
from datetime import datetime, timedelta

rows, db_path, csv_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
for path in (db_path, csv_path):
    if os.path.exists(path):
        os.remove(path)
random.seed(7)
start = datetime(2020, 1, 1)
db = sqlite3.connect(db_path)
db.execute("PRAGMA journal_mode = OFF")
db.execute("PRAGMA synchronous = OFF")
db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, created_at DATETIME NOT NULL, amount NUMERIC(12,2) NOT NULL, active BOOLEAN NOT NULL)")
with open(csv_path, "w", newline="") as out:
    writer = csv.writer(out)
    batch = []
    for i in range(1, rows + 1):
        created = (start + timedelta(seconds=i * 17)).strftime("%Y-%m-%d %H:%M:%S")
        cents = random.randrange(0, 10_000_000)
        row = (i, f"user {i}", f"user{i}@example.com", created, f"{cents // 100}.{cents % 100:02d}", i % 3 == 0)
        writer.writerow((row[0], row[1], row[2], row[3], row[4], "t" if row[5] else "f"))
        batch.append((row[0], row[1], row[2], row[3], cents / 100, 1 if row[5] else 0))
        if len(batch) == 50_000:
            db.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", batch)
            batch.clear()
    db.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", batch)
db.commit()
db.close()
