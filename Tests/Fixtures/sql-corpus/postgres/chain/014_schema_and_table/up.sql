CREATE SCHEMA reporting;
CREATE TABLE reporting.daily_sales (day date PRIMARY KEY, amount numeric(14,2) NOT NULL DEFAULT 0);
CREATE MATERIALIZED VIEW reporting.customer_orders AS SELECT customer_id, count(*) AS orders FROM orders GROUP BY customer_id;
