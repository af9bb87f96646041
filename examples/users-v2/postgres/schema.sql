-- The "current schema" of the strategy template's example (users with a SERIAL id), and an orders table that
-- references it, as a team would have them before the migration.
CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    name VARCHAR(500),
    email VARCHAR(500) UNIQUE NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT NOW()
);
CREATE TABLE orders (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    total NUMERIC(10,2) NOT NULL
);
CREATE INDEX orders_user_id ON orders (user_id);
