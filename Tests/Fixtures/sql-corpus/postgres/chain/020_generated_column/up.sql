ALTER TABLE order_items ADD COLUMN quantity_label text GENERATED ALWAYS AS ('x' || quantity::text) STORED;
