DROP TABLE refunds;
DROP DOMAIN positive_money;
