-- FORWARD
-- Migration 9: every operation

-- Step 1 (expand): Create table public.audit
BEGIN;
CREATE TABLE public.audit (
    id bigint NOT NULL,
    user_id bigint,
    PRIMARY KEY (id)
);
COMMIT;

-- Step 2 (expand): Rename public.people to persons, with a view under the old name
BEGIN;
ALTER TABLE public.people RENAME TO persons;
CREATE VIEW public.people AS SELECT * FROM public.persons;
COMMIT;

-- Step 3 (expand): Rename column public.users.name to display_name (offline: old code naming name fails)
BEGIN;
ALTER TABLE public.users RENAME COLUMN name TO display_name;
COMMIT;

-- Step 4 (expand): Add CHECK users_balance_positive on public.users as NOT VALID (new writes are checked)
BEGIN;
ALTER TABLE public.users ADD CONSTRAINT users_balance_positive CHECK (balance >= 0) NOT VALID;
COMMIT;

-- Step 5 (expand): Add foreign key orders_user_fk as NOT VALID
BEGIN;
ALTER TABLE public.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users(id) NOT VALID;
COMMIT;

-- Step 6 (expand): Add column public.users.email_verified
BEGIN;
ALTER TABLE public.users ADD COLUMN email_verified boolean DEFAULT false NOT NULL;
COMMIT;

-- Step 7 (expand): Add column public.users.full_name
BEGIN;
ALTER TABLE public.users ADD COLUMN full_name text;
COMMIT;

-- Step 8 (expand): Change public.users.created_at to timestamptz (offline: rewrites the table)
BEGIN;
ALTER TABLE public.users ALTER COLUMN created_at TYPE timestamptz USING created_at AT TIME ZONE 'UTC';
COMMIT;

-- Step 9 (expand): Add foreign key users_team_id_fkey as NOT VALID
BEGIN;
ALTER TABLE public.users ADD CONSTRAINT users_team_id_fkey FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE SET NULL NOT VALID;
COMMIT;

-- Step 10 (expand): Create index users_recent on public.users concurrently
CREATE INDEX CONCURRENTLY users_recent ON public.users (team_id, created_at DESC);

-- Step 11 (expand): Change the default of public.users.email
BEGIN;
ALTER TABLE public.users ALTER COLUMN email SET DEFAULT '';
COMMIT;

-- Step 12 (expand): Run SQL
BEGIN;
CREATE TABLE side (x int);
COMMIT;

-- Step 13 (backfill): Update public.users in batches (old values archived in _godwit_archive_9_users_update)
BEGIN;
CREATE TABLE public._godwit_archive_9_users_update AS SELECT id, status FROM public.users WHERE status IS NULL;
UPDATE public.users SET status = 'active' WHERE status IS NULL;
COMMIT;

-- Step 14 (backfill): Backfill public.users.full_name
BEGIN;
UPDATE public.users SET full_name = first_name || ' ' || last_name WHERE full_name IS NULL;
COMMIT;

-- Step 15 (verify): Validate CHECK users_balance_positive on the existing rows
BEGIN;
ALTER TABLE public.users VALIDATE CONSTRAINT users_balance_positive;
COMMIT;

-- Step 16 (verify): Validate foreign key orders_user_fk on the existing rows
BEGIN;
ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_fk;
COMMIT;

-- Step 17 (verify): Validate foreign key users_team_id_fkey on the existing rows
BEGIN;
ALTER TABLE public.users VALIDATE CONSTRAINT users_team_id_fkey;
COMMIT;

-- Step 18 (verify): Prove public.users.email has no NULLs (CHECK NOT VALID, then VALIDATE)
BEGIN;
ALTER TABLE public.users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE public.users VALIDATE CONSTRAINT users_email_not_null;
COMMIT;

-- Step 19 (contract): Drop the compatibility view public.people
BEGIN;
DROP VIEW public.people;
COMMIT;

-- Step 20 (contract): SET NOT NULL on public.users.email using the validated check
BEGIN;
ALTER TABLE public.users ALTER COLUMN email SET NOT NULL;
ALTER TABLE public.users DROP CONSTRAINT users_email_not_null;
COMMIT;

-- Step 21 (contract): Drop index users_old concurrently
DROP INDEX CONCURRENTLY public.users_old;

-- Step 22 (contract): Drop constraint users_old_check on public.users
BEGIN;
ALTER TABLE public.users DROP CONSTRAINT users_old_check;
COMMIT;

-- Step 23 (contract): Park public.users.fax as _godwit_archive_9_fax (its data kept until cleanup)
BEGIN;
ALTER TABLE public.users RENAME COLUMN fax TO _godwit_archive_9_fax;
COMMIT;

-- Step 24 (contract): Move table public.legacy to the archive _godwit_archive_9_legacy
BEGIN;
ALTER TABLE public.legacy RENAME TO _godwit_archive_9_legacy;
COMMIT;

-- Step 25 (cleanup): Drop the archive _godwit_archive_9_users_update
BEGIN;
DROP TABLE public._godwit_archive_9_users_update;
COMMIT;

-- Step 26 (cleanup): Drop the parked column _godwit_archive_9_fax
BEGIN;
ALTER TABLE public.users DROP COLUMN _godwit_archive_9_fax;
COMMIT;

-- Step 27 (cleanup): Drop the archive _godwit_archive_9_legacy
BEGIN;
DROP TABLE public._godwit_archive_9_legacy;
COMMIT;

-- REVERSE
-- Undo migration 9: every operation
-- Step 27 (Drop the archive _godwit_archive_9_legacy) cannot be undone: it is past the point of no return.
-- Step 26 (Drop the parked column _godwit_archive_9_fax) cannot be undone: it is past the point of no return.
-- Step 25 (Drop the archive _godwit_archive_9_users_update) cannot be undone: it is past the point of no return.

-- Step 24 (contract): Move table public.legacy to the archive _godwit_archive_9_legacy
BEGIN;
ALTER TABLE public._godwit_archive_9_legacy RENAME TO legacy;
COMMIT;

-- Step 23 (contract): Park public.users.fax as _godwit_archive_9_fax (its data kept until cleanup)
BEGIN;
ALTER TABLE public.users RENAME COLUMN _godwit_archive_9_fax TO fax;
COMMIT;

-- Step 22 (contract): Drop constraint users_old_check on public.users
BEGIN;
ALTER TABLE public.users ADD CONSTRAINT users_old_check CHECK (id > 0);
COMMIT;

-- Step 21 (contract): Drop index users_old concurrently
CREATE INDEX CONCURRENTLY users_old ON public.users USING btree (display_name);

-- Step 20 (contract): SET NOT NULL on public.users.email using the validated check
BEGIN;
ALTER TABLE public.users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE public.users VALIDATE CONSTRAINT users_email_not_null;
ALTER TABLE public.users ALTER COLUMN email DROP NOT NULL;
COMMIT;

-- Step 19 (contract): Drop the compatibility view public.people
BEGIN;
CREATE VIEW public.people AS SELECT * FROM public.persons;
COMMIT;

-- Step 18 (verify): Prove public.users.email has no NULLs (CHECK NOT VALID, then VALIDATE)
BEGIN;
ALTER TABLE public.users DROP CONSTRAINT users_email_not_null;
COMMIT;

-- Step 17 (verify): Validate foreign key users_team_id_fkey on the existing rows: nothing to undo.

-- Step 16 (verify): Validate foreign key orders_user_fk on the existing rows: nothing to undo.

-- Step 15 (verify): Validate CHECK users_balance_positive on the existing rows: nothing to undo.

-- Step 14 (backfill): Backfill public.users.full_name: nothing to undo.

-- Step 13 (backfill): Update public.users in batches (old values archived in _godwit_archive_9_users_update)
BEGIN;
UPDATE public.users SET status = a.status FROM public._godwit_archive_9_users_update AS a WHERE a.id = users.id;
DROP TABLE public._godwit_archive_9_users_update;
COMMIT;

-- Step 12 (expand): Run SQL
BEGIN;
DROP TABLE side;
COMMIT;

-- Step 11 (expand): Change the default of public.users.email
BEGIN;
ALTER TABLE public.users ALTER COLUMN email DROP DEFAULT;
COMMIT;

-- Step 10 (expand): Create index users_recent on public.users concurrently
DROP INDEX CONCURRENTLY IF EXISTS public.users_recent;

-- Step 9 (expand): Add foreign key users_team_id_fkey as NOT VALID
BEGIN;
ALTER TABLE public.users DROP CONSTRAINT users_team_id_fkey;
COMMIT;

-- Step 8 (expand): Change public.users.created_at to timestamptz (offline: rewrites the table)
BEGIN;
ALTER TABLE public.users ALTER COLUMN created_at TYPE timestamp without time zone USING created_at AT TIME ZONE 'UTC';
COMMIT;

-- Step 7 (expand): Add column public.users.full_name
BEGIN;
ALTER TABLE public.users DROP COLUMN full_name;
COMMIT;

-- Step 6 (expand): Add column public.users.email_verified
BEGIN;
ALTER TABLE public.users DROP COLUMN email_verified;
COMMIT;

-- Step 5 (expand): Add foreign key orders_user_fk as NOT VALID
BEGIN;
ALTER TABLE public.orders DROP CONSTRAINT orders_user_fk;
COMMIT;

-- Step 4 (expand): Add CHECK users_balance_positive on public.users as NOT VALID (new writes are checked)
BEGIN;
ALTER TABLE public.users DROP CONSTRAINT users_balance_positive;
COMMIT;

-- Step 3 (expand): Rename column public.users.name to display_name (offline: old code naming name fails)
BEGIN;
ALTER TABLE public.users RENAME COLUMN display_name TO name;
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
