# The application's schema on the new server (logical replication carries rows, not DDL).
set -eu
. "$(dirname "$0")/env.sh"
psql -X -q -A -t "$NEW_SERVER" -c "SELECT 1 FROM pg_database WHERE datname = '$APP_DB'" | grep -q 1 \
  || psql -X -q -v ON_ERROR_STOP=1 "$NEW_SERVER" -c "CREATE DATABASE $APP_DB"
if [ "$(psql_new -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ]; then
  pg_dump --schema-only --no-owner --no-publications --no-subscriptions "$OLD_PG" | psql -X -q -v ON_ERROR_STOP=1 "$NEW_PG" >/dev/null
fi
