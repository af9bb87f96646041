DROP INDEX products_sku_key_extra;
DROP TABLE order_items;
