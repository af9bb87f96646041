DROP MATERIALIZED VIEW reporting.customer_orders;
DROP TABLE reporting.daily_sales;
DROP SCHEMA reporting;
