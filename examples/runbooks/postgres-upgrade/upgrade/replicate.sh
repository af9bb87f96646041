# Logical replication from the old server to the new: a publication of every table on the old,
# a subscription on the new, and a wait until every table's initial copy is done.
set -eu
. "$(dirname "$0")/env.sh"
[ "$(psql_old -c "SELECT count(*) FROM pg_publication WHERE pubname = 'godwit_upgrade'")" = 1 ] \
  || psql_old -c "CREATE PUBLICATION godwit_upgrade FOR ALL TABLES"
[ "$(psql_new -c "SELECT count(*) FROM pg_subscription WHERE subname = 'godwit_upgrade'")" = 1 ] \
  || psql_new -c "CREATE SUBSCRIPTION godwit_upgrade CONNECTION '$OLD_PG' PUBLICATION godwit_upgrade"
until_within 120 sh -c "[ \"\$(psql -X -A -t '$NEW_PG' -c \"SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'\")\" = 0 ]"
