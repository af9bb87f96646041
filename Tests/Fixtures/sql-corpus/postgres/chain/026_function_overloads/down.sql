DROP FUNCTION price_with_tax(numeric, numeric);
DROP FUNCTION price_with_tax(numeric);
