# Undoes switch.sh, keeping what the new server took: wait until the old server has every row
# (the way back carries them), carry the sequences back, stop the way back, restart the forward
# replication without copying, and point the application at the old server again.
set -eu
. "$(dirname "$0")/env.sh"
until_within 120 "$GODWIT" verify --source "$NEW_PG" --target "$OLD_PG"
copy_sequences "$NEW_PG" "$OLD_PG"
psql_old -c "DROP SUBSCRIPTION IF EXISTS godwit_back"
psql_new -c "DROP PUBLICATION IF EXISTS godwit_back"
[ "$(psql_new -c "SELECT count(*) FROM pg_subscription WHERE subname = 'godwit_upgrade'")" = 1 ] \
  || psql_new -c "CREATE SUBSCRIPTION godwit_upgrade CONNECTION '$OLD_PG' PUBLICATION godwit_upgrade WITH (copy_data = false)"
sh "$(dirname "$0")/../app/switch.sh" "$OLD_PG"
