DROP VIEW big_orders;
