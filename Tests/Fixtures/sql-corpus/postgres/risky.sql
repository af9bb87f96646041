-- Added to the base for the risky corpus: an index for 009 to drop.
CREATE INDEX products_sku_key_extra ON products (sku);
