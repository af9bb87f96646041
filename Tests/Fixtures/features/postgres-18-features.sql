-- What PostgreSQL 18 adds to a table's definition: named NOT NULL constraints and virtual
-- generated columns. On older servers the tests load it with VIRTUAL read as STORED (their
-- only kind) and the NOT NULL names dropped by the server itself.
CREATE TABLE public.shipment (
    id integer CONSTRAINT shipment_id_present NOT NULL PRIMARY KEY,
    weight_grams integer CONSTRAINT weight_is_known NOT NULL,
    weight_kilograms numeric GENERATED ALWAYS AS (weight_grams / 1000.0) VIRTUAL,
    label text NOT NULL
);
CREATE TABLE public."Odd Name" ("Mixed Case" text CONSTRAINT "the ""quoted"" one" NOT NULL);
CREATE STATISTICS public.shipment_weights ON weight_grams, label FROM public.shipment;
