-- Statuses as an enum type; nothing uses it yet.
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
