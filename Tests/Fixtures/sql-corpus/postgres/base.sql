-- A small shop, the schema every corpus migration starts from.
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    name text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE products (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku text NOT NULL UNIQUE,
    price numeric(10,2) NOT NULL
);
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status text,
    total numeric(12,2),
    placed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE order_items (
    order_id bigint NOT NULL REFERENCES orders (id),
    product_id bigint NOT NULL REFERENCES products (id),
    quantity integer NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
CREATE TYPE priority AS ENUM ('low', 'high');
CREATE VIEW order_totals AS SELECT o.id, o.customer_id, o.total FROM orders o;
INSERT INTO customers (email, name) SELECT 'c' || g || '@example.com', CASE WHEN g % 7 = 0 THEN NULL ELSE 'Customer ' || g END FROM generate_series(1, 300) g;
INSERT INTO products (sku, price) SELECT 'SKU-' || g, (g % 50) + 0.99 FROM generate_series(1, 40) g;
INSERT INTO orders (customer_id, status, total) SELECT 1 + g % 300, CASE WHEN g % 11 = 0 THEN NULL ELSE 'new' END, (g % 97) * 1.5 FROM generate_series(1, 1200) g;
INSERT INTO order_items (order_id, product_id, quantity) SELECT 1 + g % 1200, 1 + g % 40, 1 + g % 3 FROM generate_series(1, 1200) g;
ANALYZE;
