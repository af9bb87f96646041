#!/usr/bin/env bash
# A scratch database dropped while another session on the server waits in a COPY FROM STDIN
# whose client stopped sending (such a session never answers the drop's server-wide barrier).
# Run under its own scripts/with-postgres. GODWIT_BIN is the binary. Prints, one per line:
# "plan exit N" and "plan seconds N" (with the stall, drop time limit 3 s), what plan said,
# "rehearse exit N" and what rehearse said (its clone cannot be dropped either), then
# "plan after exit N" once the stalled client is gone.
set -uo pipefail
url=${GODWIT_TEST_POSTGRES_URL%%\?*}
base=${url%/*}
db="$base/stall_test?sslmode=disable"
work=$(mktemp -d /tmp/godwit-stall.XXXXXX)
# The stuck client's input: a sleep of its own length, so it can be ended by name.
# SIGKILL: a test runner may hand its children SIGTERM ignored.
stop_stall() { pkill -KILL -f "sleep 297" 2>/dev/null; }
trap 'stop_stall; rm -rf "$work"' EXIT
psql -X -q "$url" -c "CREATE DATABASE stall_test"
psql -X -q "$db" -c "CREATE TABLE t (id int PRIMARY KEY)"
mkdir "$work/migrations"
printf 'ALTER TABLE t ADD COLUMN note text;\n' > "$work/migrations/001_note.up.sql"
printf 'ALTER TABLE t DROP COLUMN note;\n' > "$work/migrations/001_note.down.sql"
# The stuck client: a COPY whose input never comes.
(sleep 297 | psql -X -q "$db" -c "COPY t FROM STDIN" > /dev/null 2>&1) &
sleep 2
start=$(date +%s)
GODWIT_DROP_TIME_LIMIT=3 timeout -s KILL 90 "$GODWIT_BIN" plan "$work/migrations" --db "$db" > "$work/out" 2>&1
echo "plan exit $?"
echo "plan seconds $(( $(date +%s) - start ))"
cat "$work/out"
GODWIT_DROP_TIME_LIMIT=3 timeout -s KILL 120 "$GODWIT_BIN" rehearse "$work/migrations" --db "$db" --output "$work/rehearsal" > "$work/out" 2>&1
echo "rehearse exit $?"
cat "$work/out"
stop_stall
sleep 1
timeout -s KILL 90 "$GODWIT_BIN" plan "$work/migrations" --db "$db" > "$work/out" 2>&1
echo "plan after exit $?"
