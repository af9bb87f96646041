CREATE TABLE shipments (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id bigint NOT NULL, shipped_at timestamptz);
ALTER TABLE shipments ADD CONSTRAINT shipments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);
CREATE INDEX shipments_order_idx ON shipments (order_id);
