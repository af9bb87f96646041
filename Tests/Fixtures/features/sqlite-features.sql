-- Every SQLite schema feature Godwit inspects, in one database. Written for Godwit's tests.
CREATE TABLE account (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL COLLATE NOCASE,
    status TEXT NOT NULL DEFAULT 'active',
    balance NUMERIC DEFAULT 0,
    created_at TEXT DEFAULT CURRENT_TIMESTAMP,
    flags INTEGER DEFAULT (1 + 1),
    CONSTRAINT account_email_unique UNIQUE (email),
    CONSTRAINT account_status_check CHECK (status IN ('active', 'closed')),
    CHECK (balance >= -100)
);
CREATE TABLE "order line" (
    order_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL,
    account_id INTEGER REFERENCES account (id) ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    price REAL NOT NULL,
    total REAL GENERATED ALWAYS AS (quantity * price) STORED,
    label TEXT GENERATED ALWAYS AS ('line ' || line_no) VIRTUAL,
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;
CREATE TABLE measurement (
    id INTEGER PRIMARY KEY,
    sensor TEXT NOT NULL,
    value REAL,
    taken_at INTEGER NOT NULL,
    CONSTRAINT measurement_sensor_fk FOREIGN KEY (sensor) REFERENCES sensor (name) ON DELETE RESTRICT
) STRICT;
CREATE TABLE sensor (name TEXT PRIMARY KEY, kind TEXT, UNIQUE (kind, name));
CREATE INDEX measurement_recent ON measurement (taken_at DESC, sensor COLLATE NOCASE) WHERE value IS NOT NULL;
CREATE UNIQUE INDEX account_email_lower ON account (lower(email));
CREATE INDEX line_expr ON "order line" (quantity * price, order_id);
CREATE VIEW active_account AS SELECT id, email FROM account WHERE status = 'active';
CREATE VIEW active_account_lines AS SELECT a.email, l.total FROM active_account AS a JOIN "order line" AS l ON l.account_id = a.id;
CREATE TRIGGER account_closed AFTER UPDATE OF status ON account WHEN new.status = 'closed'
BEGIN
    DELETE FROM "order line" WHERE account_id = new.id;
END;
INSERT INTO account (email) VALUES ('a@example.com'), ('b@example.com');
INSERT INTO sensor VALUES ('t1', 'thermo');
INSERT INTO measurement VALUES (1, 't1', 20.5, 1700000000), (2, 't1', NULL, 1700000060);
