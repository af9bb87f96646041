DROP TRIGGER orders_total_check ON orders;
DROP FUNCTION forbid_negative_total();
