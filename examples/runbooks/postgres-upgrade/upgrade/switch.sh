# The switch: wait until the new server has every row, carry the sequences over, stop the
# forward replication, start the way back (the new server publishes, the old subscribes without
# copying), and point the application at the new server.
set -eu
. "$(dirname "$0")/env.sh"
until_within 120 "$GODWIT" verify --source "$OLD_PG" --target "$NEW_PG"
copy_sequences "$OLD_PG" "$NEW_PG"
psql_new -c "DROP SUBSCRIPTION IF EXISTS godwit_upgrade"
[ "$(psql_new -c "SELECT count(*) FROM pg_publication WHERE pubname = 'godwit_back'")" = 1 ] \
  || psql_new -c "CREATE PUBLICATION godwit_back FOR ALL TABLES"
[ "$(psql_old -c "SELECT count(*) FROM pg_subscription WHERE subname = 'godwit_back'")" = 1 ] \
  || psql_old -c "CREATE SUBSCRIPTION godwit_back CONNECTION '$NEW_PG' PUBLICATION godwit_back WITH (copy_data = false)"
sh "$(dirname "$0")/../app/switch.sh" "$NEW_PG"
