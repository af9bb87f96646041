DROP INDEX "orders;customer";
DROP INDEX orders_status;
