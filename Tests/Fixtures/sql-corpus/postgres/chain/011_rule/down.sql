DROP RULE keep_deleted ON orders;
DROP TABLE deleted_orders;
