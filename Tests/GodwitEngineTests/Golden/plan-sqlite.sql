-- FORWARD
-- Migration 9: every operation

-- Step 1 (expand): Create table audit
BEGIN;
CREATE TABLE audit (
    id bigint NOT NULL,
    user_id bigint,
    PRIMARY KEY (id),
    FOREIGN KEY (user_id) REFERENCES users (id)
);
COMMIT;

-- Step 2 (expand): Rename table people to persons (offline: old code naming people fails)
BEGIN;
ALTER TABLE people RENAME TO persons;
COMMIT;

-- Step 3 (expand): Rename column users.name to display_name (offline: old code naming name fails)
BEGIN;
ALTER TABLE users RENAME COLUMN name TO display_name;
COMMIT;

-- Step 4 (expand): Rebuild users with constraint users_balance_positive
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE _godwit_new_users (
    id bigint NOT NULL,
    display_name character varying(50),
    email text,
    created_at timestamp without time zone,
    team_id bigint,
    balance numeric(10,2),
    fax text,
    first_name text,
    last_name text,
    status text,
    PRIMARY KEY (id),
    CONSTRAINT users_balance_positive CHECK (balance >= 0),
    CONSTRAINT users_old_check CHECK (id > 0)
);
INSERT INTO _godwit_new_users (id, display_name, email, created_at, team_id, balance, fax, first_name, last_name, status) SELECT id, display_name, email, created_at, team_id, balance, fax, first_name, last_name, status FROM users;
DROP TABLE users;
ALTER TABLE _godwit_new_users RENAME TO users;
CREATE INDEX users_old ON users (display_name);
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 5 (expand): Rebuild orders with constraint orders_user_fk
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE _godwit_new_orders (
    id bigint NOT NULL,
    user_id bigint,
    PRIMARY KEY (id),
    CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
);
INSERT INTO _godwit_new_orders (id, user_id) SELECT id, user_id FROM orders;
DROP TABLE orders;
ALTER TABLE _godwit_new_orders RENAME TO orders;
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 6 (expand): Add column users.email_verified
BEGIN;
ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT false;
COMMIT;

-- Step 7 (expand): Add column users.full_name
BEGIN;
ALTER TABLE users ADD COLUMN full_name text;
COMMIT;

-- Step 8 (expand): Create index users_recent on users
BEGIN;
CREATE INDEX users_recent ON users (team_id, created_at DESC);
COMMIT;

-- Step 9 (expand): Run every.yaml (1 statement)
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE side (x int);
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 10 (backfill): Update users in batches (old values archived in _godwit_archive_9_users_update)
BEGIN;
CREATE TABLE _godwit_archive_9_users_update AS SELECT id, status FROM users WHERE status IS NULL;
UPDATE users SET status = 'active' WHERE status IS NULL;
COMMIT;

-- Step 11 (backfill): Backfill users.full_name
BEGIN;
UPDATE users SET full_name = (first_name || ' ' || last_name);
COMMIT;

-- Step 12 (backfill): Rebuild users to change created_at; to change team_id; to change email (one rebuild)
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE _godwit_new_users (
    id bigint NOT NULL,
    display_name character varying(50),
    email text NOT NULL DEFAULT '',
    created_at timestamptz,
    team_id bigint,
    balance numeric(10,2),
    fax text,
    first_name text,
    last_name text,
    status text,
    email_verified boolean NOT NULL DEFAULT false,
    full_name text,
    PRIMARY KEY (id),
    CONSTRAINT users_balance_positive CHECK (balance >= 0),
    CONSTRAINT users_old_check CHECK (id > 0),
    FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL
);
INSERT INTO _godwit_new_users (id, display_name, email, created_at, team_id, balance, fax, first_name, last_name, status, email_verified, full_name) SELECT id, display_name, email, (created_at AT TIME ZONE 'UTC'), team_id, balance, fax, first_name, last_name, status, email_verified, full_name FROM users;
DROP TABLE users;
ALTER TABLE _godwit_new_users RENAME TO users;
CREATE INDEX users_old ON users (display_name);
CREATE INDEX users_recent ON users (team_id, created_at DESC);
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 13 (contract): Drop index users_old on users
BEGIN;
DROP INDEX users_old;
COMMIT;

-- Step 14 (contract): Rebuild users without constraint users_old_check
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE _godwit_new_users (
    id bigint NOT NULL,
    display_name character varying(50),
    email text NOT NULL DEFAULT '',
    created_at timestamptz,
    team_id bigint,
    balance numeric(10,2),
    fax text,
    first_name text,
    last_name text,
    status text,
    email_verified boolean NOT NULL DEFAULT false,
    full_name text,
    PRIMARY KEY (id),
    CONSTRAINT users_balance_positive CHECK (balance >= 0),
    FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL
);
INSERT INTO _godwit_new_users (id, display_name, email, created_at, team_id, balance, fax, first_name, last_name, status, email_verified, full_name) SELECT id, display_name, email, created_at, team_id, balance, fax, first_name, last_name, status, email_verified, full_name FROM users;
DROP TABLE users;
ALTER TABLE _godwit_new_users RENAME TO users;
CREATE INDEX users_recent ON users (team_id, created_at DESC);
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 15 (contract): Archive users.fax in _godwit_archive_9_users_fax, then rebuild users without it
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE _godwit_archive_9_users_fax AS SELECT id, fax FROM users;
CREATE TABLE _godwit_new_users (
    id bigint NOT NULL,
    display_name character varying(50),
    email text NOT NULL DEFAULT '',
    created_at timestamptz,
    team_id bigint,
    balance numeric(10,2),
    first_name text,
    last_name text,
    status text,
    email_verified boolean NOT NULL DEFAULT false,
    full_name text,
    PRIMARY KEY (id),
    CONSTRAINT users_balance_positive CHECK (balance >= 0),
    FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL
);
INSERT INTO _godwit_new_users (id, display_name, email, created_at, team_id, balance, first_name, last_name, status, email_verified, full_name) SELECT id, display_name, email, created_at, team_id, balance, first_name, last_name, status, email_verified, full_name FROM users;
DROP TABLE users;
ALTER TABLE _godwit_new_users RENAME TO users;
CREATE INDEX users_recent ON users (team_id, created_at DESC);
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 16 (contract): Move table legacy to the archive _godwit_archive_9_legacy
BEGIN;
ALTER TABLE legacy RENAME TO _godwit_archive_9_legacy;
COMMIT;

-- Step 17 (cleanup): Drop the archive _godwit_archive_9_users_update
BEGIN;
DROP TABLE _godwit_archive_9_users_update;
COMMIT;

-- Step 18 (cleanup): Drop the archive _godwit_archive_9_users_fax
BEGIN;
DROP TABLE _godwit_archive_9_users_fax;
COMMIT;

-- Step 19 (cleanup): Drop the archive _godwit_archive_9_legacy
BEGIN;
DROP TABLE _godwit_archive_9_legacy;
COMMIT;

-- REVERSE
-- Undo migration 9: every operation
-- Step 19 (Drop the archive _godwit_archive_9_legacy) cannot be undone: it is past the point of no return.
-- Step 18 (Drop the archive _godwit_archive_9_users_fax) cannot be undone: it is past the point of no return.
-- Step 17 (Drop the archive _godwit_archive_9_users_update) cannot be undone: it is past the point of no return.

-- Step 16 (contract): Move table legacy to the archive _godwit_archive_9_legacy
BEGIN;
ALTER TABLE _godwit_archive_9_legacy RENAME TO legacy;
COMMIT;

-- Step 15 (contract): Archive users.fax in _godwit_archive_9_users_fax, then rebuild users without it
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE _godwit_new_users (
    id bigint NOT NULL,
    display_name character varying(50),
    email text NOT NULL DEFAULT '',
    created_at timestamptz,
    team_id bigint,
    balance numeric(10,2),
    fax text,
    first_name text,
    last_name text,
    status text,
    email_verified boolean NOT NULL DEFAULT false,
    full_name text,
    PRIMARY KEY (id),
    CONSTRAINT users_balance_positive CHECK (balance >= 0),
    FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL
);
INSERT INTO _godwit_new_users (id, display_name, email, created_at, team_id, balance, fax, first_name, last_name, status, email_verified, full_name) SELECT id, display_name, email, created_at, team_id, balance, (SELECT a.fax FROM _godwit_archive_9_users_fax AS a WHERE a.id IS users.id), first_name, last_name, status, email_verified, full_name FROM users;
DROP TABLE users;
ALTER TABLE _godwit_new_users RENAME TO users;
CREATE INDEX users_recent ON users (team_id, created_at DESC);
DROP TABLE _godwit_archive_9_users_fax;
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 14 (contract): Rebuild users without constraint users_old_check
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE _godwit_new_users (
    id bigint NOT NULL,
    display_name character varying(50),
    email text NOT NULL DEFAULT '',
    created_at timestamptz,
    team_id bigint,
    balance numeric(10,2),
    fax text,
    first_name text,
    last_name text,
    status text,
    email_verified boolean NOT NULL DEFAULT false,
    full_name text,
    PRIMARY KEY (id),
    CONSTRAINT users_balance_positive CHECK (balance >= 0),
    CONSTRAINT users_old_check CHECK (id > 0),
    FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE SET NULL
);
INSERT INTO _godwit_new_users (id, display_name, email, created_at, team_id, balance, fax, first_name, last_name, status, email_verified, full_name) SELECT id, display_name, email, created_at, team_id, balance, fax, first_name, last_name, status, email_verified, full_name FROM users;
DROP TABLE users;
ALTER TABLE _godwit_new_users RENAME TO users;
CREATE INDEX users_recent ON users (team_id, created_at DESC);
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 13 (contract): Drop index users_old on users
BEGIN;
CREATE INDEX users_old ON users (display_name);
COMMIT;

-- Step 12 (backfill): Rebuild users to change created_at; to change team_id; to change email (one rebuild)
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE _godwit_new_users (
    id bigint NOT NULL,
    display_name character varying(50),
    email text,
    created_at timestamp without time zone,
    team_id bigint,
    balance numeric(10,2),
    fax text,
    first_name text,
    last_name text,
    status text,
    email_verified boolean NOT NULL DEFAULT false,
    full_name text,
    PRIMARY KEY (id),
    CONSTRAINT users_balance_positive CHECK (balance >= 0),
    CONSTRAINT users_old_check CHECK (id > 0)
);
INSERT INTO _godwit_new_users (id, display_name, email, created_at, team_id, balance, fax, first_name, last_name, status, email_verified, full_name) SELECT id, display_name, email, (created_at AT TIME ZONE 'UTC'), team_id, balance, fax, first_name, last_name, status, email_verified, full_name FROM users;
DROP TABLE users;
ALTER TABLE _godwit_new_users RENAME TO users;
CREATE INDEX users_old ON users (display_name);
CREATE INDEX users_recent ON users (team_id, created_at DESC);
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 11 (backfill): Backfill users.full_name: nothing to undo.

-- Step 10 (backfill): Update users in batches (old values archived in _godwit_archive_9_users_update)
BEGIN;
UPDATE users SET status = a.status FROM _godwit_archive_9_users_update AS a WHERE a.id IS users.id;
DROP TABLE _godwit_archive_9_users_update;
COMMIT;

-- Step 9 (expand): Run every.yaml (1 statement)
PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE side;
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 8 (expand): Create index users_recent on users
BEGIN;
DROP INDEX users_recent;
COMMIT;

-- Step 7 (expand): Add column users.full_name
BEGIN;
ALTER TABLE users DROP COLUMN full_name;
COMMIT;

-- Step 6 (expand): Add column users.email_verified
BEGIN;
ALTER TABLE users DROP COLUMN email_verified;
COMMIT;

-- Step 5 (expand): Rebuild orders with constraint orders_user_fk
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE _godwit_new_orders (
    id bigint NOT NULL,
    user_id bigint,
    PRIMARY KEY (id)
);
INSERT INTO _godwit_new_orders (id, user_id) SELECT id, user_id FROM orders;
DROP TABLE orders;
ALTER TABLE _godwit_new_orders RENAME TO orders;
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 4 (expand): Rebuild users with constraint users_balance_positive
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE _godwit_new_users (
    id bigint NOT NULL,
    display_name character varying(50),
    email text,
    created_at timestamp without time zone,
    team_id bigint,
    balance numeric(10,2),
    fax text,
    first_name text,
    last_name text,
    status text,
    PRIMARY KEY (id),
    CONSTRAINT users_old_check CHECK (id > 0)
);
INSERT INTO _godwit_new_users (id, display_name, email, created_at, team_id, balance, fax, first_name, last_name, status) SELECT id, display_name, email, created_at, team_id, balance, fax, first_name, last_name, status FROM users;
DROP TABLE users;
ALTER TABLE _godwit_new_users RENAME TO users;
CREATE INDEX users_old ON users (display_name);
COMMIT;
PRAGMA foreign_keys = ON;

-- Step 3 (expand): Rename column users.name to display_name (offline: old code naming name fails)
BEGIN;
ALTER TABLE users RENAME COLUMN display_name TO name;
COMMIT;

-- Step 2 (expand): Rename table people to persons (offline: old code naming people fails)
BEGIN;
ALTER TABLE persons RENAME TO people;
COMMIT;

-- Step 1 (expand): Create table audit
BEGIN;
DROP TABLE audit;
COMMIT;
