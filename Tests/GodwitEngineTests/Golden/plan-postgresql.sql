-- FORWARD
-- Migration 9: every operation

-- Step 1 (expand): Create table public.audit
BEGIN;
CREATE TABLE public.audit (
    id bigint NOT NULL,
    user_id bigint,
    PRIMARY KEY (id)
);
ALTER TABLE public.audit ADD FOREIGN KEY (user_id) REFERENCES public.users(id);
COMMIT;

-- Step 2 (expand): Rename public.people to persons, with a view under the old name
BEGIN;
ALTER TABLE public.people RENAME TO persons;
CREATE VIEW public.people AS SELECT * FROM public.persons;
COMMIT;

-- Step 3 (expand): Add public.users.display_name beside name, kept in step by a trigger both ways
BEGIN;
ALTER TABLE public.users ADD COLUMN display_name character varying(50);
CREATE FUNCTION public.godwit_9_sync_users_name() RETURNS trigger LANGUAGE plpgsql AS $godwit$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.display_name IS NULL THEN
            NEW.display_name := (SELECT name FROM (SELECT (NEW).*) AS row);
        ELSIF NEW.name IS NULL THEN
            NEW.name := (SELECT name FROM (SELECT NEW.id AS id, NEW.display_name AS name, NEW.email AS email, NEW.created_at AS created_at, NEW.team_id AS team_id, NEW.balance AS balance, NEW.fax AS fax, NEW.first_name AS first_name, NEW.last_name AS last_name, NEW.status AS status) AS row);
        END IF;
    ELSIF NEW.name IS DISTINCT FROM OLD.name THEN
        NEW.display_name := (SELECT name FROM (SELECT (NEW).*) AS row);
    ELSIF NEW.display_name IS DISTINCT FROM OLD.display_name THEN
        NEW.name := (SELECT name FROM (SELECT NEW.id AS id, NEW.display_name AS name, NEW.email AS email, NEW.created_at AS created_at, NEW.team_id AS team_id, NEW.balance AS balance, NEW.fax AS fax, NEW.first_name AS first_name, NEW.last_name AS last_name, NEW.status AS status) AS row);
    END IF;
    RETURN NEW;
END
$godwit$;
CREATE TRIGGER godwit_9_sync_name BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.godwit_9_sync_users_name();
COMMIT;

-- Step 4 (expand): Build _godwit_new_users_old on display_name concurrently
CREATE INDEX CONCURRENTLY IF NOT EXISTS _godwit_new_users_old ON public.users USING btree (display_name);

-- Step 5 (expand): Add CHECK users_balance_positive on public.users as NOT VALID (new writes are checked)
BEGIN;
ALTER TABLE public.users ADD CONSTRAINT users_balance_positive CHECK (balance >= 0) NOT VALID;
COMMIT;

-- Step 6 (expand): Add foreign key orders_user_fk as NOT VALID
BEGIN;
ALTER TABLE public.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users(id) NOT VALID;
COMMIT;

-- Step 7 (expand): Add column public.users.email_verified
BEGIN;
ALTER TABLE public.users ADD COLUMN email_verified boolean DEFAULT false NOT NULL;
COMMIT;

-- Step 8 (expand): Add column public.users.full_name
BEGIN;
ALTER TABLE public.users ADD COLUMN full_name text;
COMMIT;

-- Step 9 (expand): Fill public.users.full_name from up(row) on every write while old code runs
BEGIN;
CREATE FUNCTION public.godwit_9_fill_users_full_name() RETURNS trigger LANGUAGE plpgsql AS $godwit$
BEGIN
    NEW.full_name := (SELECT first_name || ' ' || last_name FROM (SELECT (NEW).*) AS row);
    RETURN NEW;
END
$godwit$;
CREATE TRIGGER godwit_9_fill_full_name BEFORE INSERT ON public.users FOR EACH ROW WHEN (NEW.full_name IS NULL) EXECUTE FUNCTION public.godwit_9_fill_users_full_name();
CREATE TRIGGER godwit_9_refill_full_name BEFORE UPDATE OF first_name, last_name ON public.users FOR EACH ROW WHEN (NEW.full_name IS NOT DISTINCT FROM OLD.full_name) EXECUTE FUNCTION public.godwit_9_fill_users_full_name();
COMMIT;

-- Step 10 (expand): Create index users_recent on public.users concurrently
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_recent ON public.users (team_id, created_at DESC);

-- Step 11 (expand): Add public.users._godwit_new_created_at beside created_at, kept in step by a trigger both ways
BEGIN;
ALTER TABLE public.users ADD COLUMN _godwit_new_created_at timestamptz;
CREATE FUNCTION public.godwit_9_sync_users_created_at() RETURNS trigger LANGUAGE plpgsql AS $godwit$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW._godwit_new_created_at IS NULL THEN
            NEW._godwit_new_created_at := (SELECT created_at AT TIME ZONE 'UTC' FROM (SELECT (NEW).*) AS row);
        ELSIF NEW.created_at IS NULL THEN
            NEW.created_at := (SELECT created_at AT TIME ZONE 'UTC' FROM (SELECT NEW.id AS id, NEW.display_name AS display_name, NEW.email AS email, NEW._godwit_new_created_at AS created_at, NEW.team_id AS team_id, NEW.balance AS balance, NEW.fax AS fax, NEW.first_name AS first_name, NEW.last_name AS last_name, NEW.status AS status, NEW.email_verified AS email_verified, NEW.full_name AS full_name) AS row);
        END IF;
    ELSIF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        NEW._godwit_new_created_at := (SELECT created_at AT TIME ZONE 'UTC' FROM (SELECT (NEW).*) AS row);
    ELSIF NEW._godwit_new_created_at IS DISTINCT FROM OLD._godwit_new_created_at THEN
        NEW.created_at := (SELECT created_at AT TIME ZONE 'UTC' FROM (SELECT NEW.id AS id, NEW.display_name AS display_name, NEW.email AS email, NEW._godwit_new_created_at AS created_at, NEW.team_id AS team_id, NEW.balance AS balance, NEW.fax AS fax, NEW.first_name AS first_name, NEW.last_name AS last_name, NEW.status AS status, NEW.email_verified AS email_verified, NEW.full_name AS full_name) AS row);
    END IF;
    RETURN NEW;
END
$godwit$;
CREATE TRIGGER godwit_9_sync_created_at BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.godwit_9_sync_users_created_at();
COMMIT;

-- Step 12 (expand): Build _godwit_new_users_recent on _godwit_new_created_at concurrently
CREATE INDEX CONCURRENTLY IF NOT EXISTS _godwit_new_users_recent ON public.users (team_id, _godwit_new_created_at DESC);

-- Step 13 (expand): Add foreign key users_team_id_fkey as NOT VALID
BEGIN;
ALTER TABLE public.users ADD CONSTRAINT users_team_id_fkey FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE SET NULL NOT VALID;
COMMIT;

-- Step 14 (expand): Change the default of public.users.email
BEGIN;
ALTER TABLE public.users ALTER COLUMN email SET DEFAULT '';
COMMIT;

-- Step 15 (expand): Run every.yaml (1 statement)
BEGIN;
CREATE TABLE side (x int);
COMMIT;

-- Step 16 (backfill): Backfill public.users.display_name from name
BEGIN;
UPDATE public.users SET display_name = name WHERE display_name IS DISTINCT FROM (name);
COMMIT;

-- Step 17 (backfill): Update public.users in batches (old values archived in _godwit_archive_9_users_update)
BEGIN;
CREATE TABLE public._godwit_archive_9_users_update AS SELECT id, status FROM public.users WHERE status IS NULL;
UPDATE public.users SET status = 'active' WHERE status IS NULL;
COMMIT;

-- Step 18 (backfill): Backfill public.users.full_name
BEGIN;
UPDATE public.users SET full_name = first_name || ' ' || last_name WHERE full_name IS NULL;
COMMIT;

-- Step 19 (backfill): Backfill public.users._godwit_new_created_at from created_at
BEGIN;
UPDATE public.users SET _godwit_new_created_at = created_at AT TIME ZONE 'UTC' WHERE _godwit_new_created_at IS DISTINCT FROM (created_at AT TIME ZONE 'UTC');
COMMIT;

-- Step 20 (verify): Validate CHECK users_balance_positive on the existing rows
BEGIN;
ALTER TABLE public.users VALIDATE CONSTRAINT users_balance_positive;
COMMIT;

-- Step 21 (verify): Validate foreign key orders_user_fk on the existing rows
BEGIN;
ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_fk;
COMMIT;

-- Step 22 (verify): Validate foreign key users_team_id_fkey on the existing rows
BEGIN;
ALTER TABLE public.users VALIDATE CONSTRAINT users_team_id_fkey;
COMMIT;

-- Step 23 (verify): Prove public.users.email has no NULLs (CHECK NOT VALID, then VALIDATE)
BEGIN;
ALTER TABLE public.users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE public.users VALIDATE CONSTRAINT users_email_not_null;
COMMIT;

-- Step 24 (contract): Drop the compatibility view public.people
BEGIN;
DROP VIEW public.people;
COMMIT;

-- Step 25 (contract): Switch public.users to display_name character varying(50) and park the old name
BEGIN;
DROP TRIGGER godwit_9_sync_name ON public.users;
DROP FUNCTION public.godwit_9_sync_users_name();
ALTER TABLE public.users RENAME COLUMN name TO _godwit_archive_9_name;
ALTER INDEX public.users_old RENAME TO _godwit_old_users_old;
ALTER INDEX public._godwit_new_users_old RENAME TO users_old;
COMMIT;

-- Step 26 (contract): Switch public.users to created_at timestamptz and park the old created_at
BEGIN;
DROP TRIGGER godwit_9_sync_created_at ON public.users;
DROP FUNCTION public.godwit_9_sync_users_created_at();
ALTER TABLE public.users RENAME COLUMN created_at TO _godwit_archive_9_created_at;
ALTER TABLE public.users RENAME COLUMN _godwit_new_created_at TO created_at;
ALTER INDEX public.users_recent RENAME TO _godwit_old_users_recent;
ALTER INDEX public._godwit_new_users_recent RENAME TO users_recent;
COMMIT;

-- Step 27 (contract): SET NOT NULL on public.users.email using the validated check
BEGIN;
ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;
ALTER TABLE public.users DROP CONSTRAINT users_email_not_null;
COMMIT;

-- Step 28 (contract): Drop index users_old concurrently
DROP INDEX CONCURRENTLY IF EXISTS public.users_old;

-- Step 29 (contract): Drop constraint users_old_check on public.users
BEGIN;
ALTER TABLE public.users DROP CONSTRAINT users_old_check;
COMMIT;

-- Step 30 (contract): Park public.users.fax as _godwit_archive_9_fax (its data kept until cleanup)
BEGIN;
ALTER TABLE public.users RENAME COLUMN fax TO _godwit_archive_9_fax;
COMMIT;

-- Step 31 (contract): Move table public.legacy to the archive _godwit_archive_9_legacy
BEGIN;
ALTER TABLE public.legacy RENAME TO _godwit_archive_9_legacy;
COMMIT;

-- Step 32 (cleanup): Drop the parked column _godwit_archive_9_name
BEGIN;
ALTER TABLE public.users DROP COLUMN _godwit_archive_9_name;
COMMIT;

-- Step 33 (cleanup): Drop the archive _godwit_archive_9_users_update
BEGIN;
DROP TABLE public._godwit_archive_9_users_update;
COMMIT;

-- Step 34 (cleanup): Remove the fill trigger of public.users.full_name
BEGIN;
DROP TRIGGER godwit_9_refill_full_name ON public.users;
DROP TRIGGER godwit_9_fill_full_name ON public.users;
DROP FUNCTION public.godwit_9_fill_users_full_name();
COMMIT;

-- Step 35 (cleanup): Drop the parked column _godwit_archive_9_created_at
BEGIN;
ALTER TABLE public.users DROP COLUMN _godwit_archive_9_created_at;
COMMIT;

-- Step 36 (cleanup): Drop the parked column _godwit_archive_9_fax
BEGIN;
ALTER TABLE public.users DROP COLUMN _godwit_archive_9_fax;
COMMIT;

-- Step 37 (cleanup): Drop the archive _godwit_archive_9_legacy
BEGIN;
DROP TABLE public._godwit_archive_9_legacy;
COMMIT;

-- REVERSE
-- Undo migration 9: every operation
-- Step 37 (Drop the archive _godwit_archive_9_legacy) cannot be undone: it is past the point of no return.
-- Step 36 (Drop the parked column _godwit_archive_9_fax) cannot be undone: it is past the point of no return.
-- Step 35 (Drop the parked column _godwit_archive_9_created_at) cannot be undone: it is past the point of no return.

-- Step 34 (cleanup): Remove the fill trigger of public.users.full_name
BEGIN;
CREATE FUNCTION public.godwit_9_fill_users_full_name() RETURNS trigger LANGUAGE plpgsql AS $godwit$
BEGIN
    NEW.full_name := (SELECT first_name || ' ' || last_name FROM (SELECT (NEW).*) AS row);
    RETURN NEW;
END
$godwit$;
CREATE TRIGGER godwit_9_fill_full_name BEFORE INSERT ON public.users FOR EACH ROW WHEN (NEW.full_name IS NULL) EXECUTE FUNCTION public.godwit_9_fill_users_full_name();
CREATE TRIGGER godwit_9_refill_full_name BEFORE UPDATE OF first_name, last_name ON public.users FOR EACH ROW WHEN (NEW.full_name IS NOT DISTINCT FROM OLD.full_name) EXECUTE FUNCTION public.godwit_9_fill_users_full_name();
COMMIT;
-- Step 33 (Drop the archive _godwit_archive_9_users_update) cannot be undone: it is past the point of no return.
-- Step 32 (Drop the parked column _godwit_archive_9_name) cannot be undone: it is past the point of no return.

-- Step 31 (contract): Move table public.legacy to the archive _godwit_archive_9_legacy
BEGIN;
ALTER TABLE public._godwit_archive_9_legacy RENAME TO legacy;
COMMIT;

-- Step 30 (contract): Park public.users.fax as _godwit_archive_9_fax (its data kept until cleanup)
BEGIN;
ALTER TABLE public.users RENAME COLUMN _godwit_archive_9_fax TO fax;
COMMIT;

-- Step 29 (contract): Drop constraint users_old_check on public.users
BEGIN;
ALTER TABLE public.users ADD CONSTRAINT users_old_check CHECK (id > 0);
COMMIT;

-- Step 28 (contract): Drop index users_old concurrently
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_old ON public.users USING btree (display_name);

-- Step 27 (contract): SET NOT NULL on public.users.email using the validated check
BEGIN;
ALTER TABLE public.users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE public.users VALIDATE CONSTRAINT users_email_not_null;
ALTER TABLE public.users ALTER COLUMN email DROP NOT NULL;
COMMIT;

-- Step 26 (contract): Switch public.users to created_at timestamptz and park the old created_at
BEGIN;
ALTER INDEX public.users_recent RENAME TO _godwit_new_users_recent;
ALTER INDEX public._godwit_old_users_recent RENAME TO users_recent;
ALTER TABLE public.users RENAME COLUMN created_at TO _godwit_new_created_at;
ALTER TABLE public.users RENAME COLUMN _godwit_archive_9_created_at TO created_at;
UPDATE public.users AS godwit_row SET created_at = (SELECT created_at AT TIME ZONE 'UTC' FROM (SELECT godwit_row.id AS id, godwit_row.display_name AS display_name, godwit_row.email AS email, godwit_row._godwit_new_created_at AS created_at, godwit_row.team_id AS team_id, godwit_row.balance AS balance, godwit_row.fax AS fax, godwit_row.first_name AS first_name, godwit_row.last_name AS last_name, godwit_row.status AS status, godwit_row.email_verified AS email_verified, godwit_row.full_name AS full_name) AS row) WHERE created_at IS DISTINCT FROM (SELECT created_at AT TIME ZONE 'UTC' FROM (SELECT godwit_row.id AS id, godwit_row.display_name AS display_name, godwit_row.email AS email, godwit_row._godwit_new_created_at AS created_at, godwit_row.team_id AS team_id, godwit_row.balance AS balance, godwit_row.fax AS fax, godwit_row.first_name AS first_name, godwit_row.last_name AS last_name, godwit_row.status AS status, godwit_row.email_verified AS email_verified, godwit_row.full_name AS full_name) AS row);
CREATE FUNCTION public.godwit_9_sync_users_created_at() RETURNS trigger LANGUAGE plpgsql AS $godwit$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW._godwit_new_created_at IS NULL THEN
            NEW._godwit_new_created_at := (SELECT created_at AT TIME ZONE 'UTC' FROM (SELECT (NEW).*) AS row);
        ELSIF NEW.created_at IS NULL THEN
            NEW.created_at := (SELECT created_at AT TIME ZONE 'UTC' FROM (SELECT NEW.id AS id, NEW.display_name AS display_name, NEW.email AS email, NEW._godwit_new_created_at AS created_at, NEW.team_id AS team_id, NEW.balance AS balance, NEW.fax AS fax, NEW.first_name AS first_name, NEW.last_name AS last_name, NEW.status AS status, NEW.email_verified AS email_verified, NEW.full_name AS full_name) AS row);
        END IF;
    ELSIF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        NEW._godwit_new_created_at := (SELECT created_at AT TIME ZONE 'UTC' FROM (SELECT (NEW).*) AS row);
    ELSIF NEW._godwit_new_created_at IS DISTINCT FROM OLD._godwit_new_created_at THEN
        NEW.created_at := (SELECT created_at AT TIME ZONE 'UTC' FROM (SELECT NEW.id AS id, NEW.display_name AS display_name, NEW.email AS email, NEW._godwit_new_created_at AS created_at, NEW.team_id AS team_id, NEW.balance AS balance, NEW.fax AS fax, NEW.first_name AS first_name, NEW.last_name AS last_name, NEW.status AS status, NEW.email_verified AS email_verified, NEW.full_name AS full_name) AS row);
    END IF;
    RETURN NEW;
END
$godwit$;
CREATE TRIGGER godwit_9_sync_created_at BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.godwit_9_sync_users_created_at();
COMMIT;

-- Step 25 (contract): Switch public.users to display_name character varying(50) and park the old name
BEGIN;
ALTER INDEX public.users_old RENAME TO _godwit_new_users_old;
ALTER INDEX public._godwit_old_users_old RENAME TO users_old;
ALTER TABLE public.users RENAME COLUMN _godwit_archive_9_name TO name;
UPDATE public.users AS godwit_row SET name = (SELECT name FROM (SELECT godwit_row.id AS id, godwit_row.display_name AS name, godwit_row.email AS email, godwit_row.created_at AS created_at, godwit_row.team_id AS team_id, godwit_row.balance AS balance, godwit_row.fax AS fax, godwit_row.first_name AS first_name, godwit_row.last_name AS last_name, godwit_row.status AS status) AS row) WHERE name IS DISTINCT FROM (SELECT name FROM (SELECT godwit_row.id AS id, godwit_row.display_name AS name, godwit_row.email AS email, godwit_row.created_at AS created_at, godwit_row.team_id AS team_id, godwit_row.balance AS balance, godwit_row.fax AS fax, godwit_row.first_name AS first_name, godwit_row.last_name AS last_name, godwit_row.status AS status) AS row);
CREATE FUNCTION public.godwit_9_sync_users_name() RETURNS trigger LANGUAGE plpgsql AS $godwit$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.display_name IS NULL THEN
            NEW.display_name := (SELECT name FROM (SELECT (NEW).*) AS row);
        ELSIF NEW.name IS NULL THEN
            NEW.name := (SELECT name FROM (SELECT NEW.id AS id, NEW.display_name AS name, NEW.email AS email, NEW.created_at AS created_at, NEW.team_id AS team_id, NEW.balance AS balance, NEW.fax AS fax, NEW.first_name AS first_name, NEW.last_name AS last_name, NEW.status AS status) AS row);
        END IF;
    ELSIF NEW.name IS DISTINCT FROM OLD.name THEN
        NEW.display_name := (SELECT name FROM (SELECT (NEW).*) AS row);
    ELSIF NEW.display_name IS DISTINCT FROM OLD.display_name THEN
        NEW.name := (SELECT name FROM (SELECT NEW.id AS id, NEW.display_name AS name, NEW.email AS email, NEW.created_at AS created_at, NEW.team_id AS team_id, NEW.balance AS balance, NEW.fax AS fax, NEW.first_name AS first_name, NEW.last_name AS last_name, NEW.status AS status) AS row);
    END IF;
    RETURN NEW;
END
$godwit$;
CREATE TRIGGER godwit_9_sync_name BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.godwit_9_sync_users_name();
COMMIT;

-- Step 24 (contract): Drop the compatibility view public.people
BEGIN;
CREATE VIEW public.people AS SELECT * FROM public.persons;
COMMIT;

-- Step 23 (verify): Prove public.users.email has no NULLs (CHECK NOT VALID, then VALIDATE)
BEGIN;
ALTER TABLE public.users DROP CONSTRAINT users_email_not_null;
COMMIT;

-- Step 22 (verify): Validate foreign key users_team_id_fkey on the existing rows: nothing to undo.

-- Step 21 (verify): Validate foreign key orders_user_fk on the existing rows: nothing to undo.

-- Step 20 (verify): Validate CHECK users_balance_positive on the existing rows: nothing to undo.

-- Step 19 (backfill): Backfill public.users._godwit_new_created_at from created_at: nothing to undo.

-- Step 18 (backfill): Backfill public.users.full_name: nothing to undo.

-- Step 17 (backfill): Update public.users in batches (old values archived in _godwit_archive_9_users_update)
BEGIN;
UPDATE public.users SET status = a.status FROM public._godwit_archive_9_users_update AS a WHERE a.id = users.id;
DROP TABLE public._godwit_archive_9_users_update;
COMMIT;

-- Step 16 (backfill): Backfill public.users.display_name from name: nothing to undo.

-- Step 15 (expand): Run every.yaml (1 statement)
BEGIN;
DROP TABLE side;
COMMIT;

-- Step 14 (expand): Change the default of public.users.email
BEGIN;
ALTER TABLE public.users ALTER COLUMN email DROP DEFAULT;
COMMIT;

-- Step 13 (expand): Add foreign key users_team_id_fkey as NOT VALID
BEGIN;
ALTER TABLE public.users DROP CONSTRAINT users_team_id_fkey;
COMMIT;

-- Step 12 (expand): Build _godwit_new_users_recent on _godwit_new_created_at concurrently
DROP INDEX CONCURRENTLY IF EXISTS public._godwit_new_users_recent;

-- Step 11 (expand): Add public.users._godwit_new_created_at beside created_at, kept in step by a trigger both ways
BEGIN;
DROP TRIGGER godwit_9_sync_created_at ON public.users;
DROP FUNCTION public.godwit_9_sync_users_created_at();
ALTER TABLE public.users DROP COLUMN _godwit_new_created_at;
COMMIT;

-- Step 10 (expand): Create index users_recent on public.users concurrently
DROP INDEX CONCURRENTLY IF EXISTS public.users_recent;

-- Step 9 (expand): Fill public.users.full_name from up(row) on every write while old code runs
BEGIN;
DROP TRIGGER godwit_9_refill_full_name ON public.users;
DROP TRIGGER godwit_9_fill_full_name ON public.users;
DROP FUNCTION public.godwit_9_fill_users_full_name();
COMMIT;

-- Step 8 (expand): Add column public.users.full_name
BEGIN;
ALTER TABLE public.users DROP COLUMN full_name;
COMMIT;

-- Step 7 (expand): Add column public.users.email_verified
BEGIN;
ALTER TABLE public.users DROP COLUMN email_verified;
COMMIT;

-- Step 6 (expand): Add foreign key orders_user_fk as NOT VALID
BEGIN;
ALTER TABLE public.orders DROP CONSTRAINT orders_user_fk;
COMMIT;

-- Step 5 (expand): Add CHECK users_balance_positive on public.users as NOT VALID (new writes are checked)
BEGIN;
ALTER TABLE public.users DROP CONSTRAINT users_balance_positive;
COMMIT;

-- Step 4 (expand): Build _godwit_new_users_old on display_name concurrently
DROP INDEX CONCURRENTLY IF EXISTS public._godwit_new_users_old;

-- Step 3 (expand): Add public.users.display_name beside name, kept in step by a trigger both ways
BEGIN;
DROP TRIGGER godwit_9_sync_name ON public.users;
DROP FUNCTION public.godwit_9_sync_users_name();
ALTER TABLE public.users DROP COLUMN display_name;
COMMIT;

-- Step 2 (expand): Rename public.people to persons, with a view under the old name
BEGIN;
DROP VIEW public.people;
ALTER TABLE public.persons RENAME TO people;
COMMIT;

-- Step 1 (expand): Create table public.audit
BEGIN;
DROP TABLE public.audit;
COMMIT;
