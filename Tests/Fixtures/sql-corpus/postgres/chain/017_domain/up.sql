CREATE DOMAIN positive_money AS numeric(12,2) CHECK (VALUE >= 0);
CREATE TABLE refunds (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id bigint REFERENCES orders (id), amount positive_money NOT NULL);
