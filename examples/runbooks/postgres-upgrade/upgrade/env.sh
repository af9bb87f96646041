# Shared by the upgrade scripts: the new server's URLs, and a wait loop.
# From the environment: OLD_PG (the application's database on the old server), NEW_PORT, APP_DB.
NEW_SERVER="postgres://postgres@127.0.0.1:$NEW_PORT/postgres?sslmode=disable"
NEW_PG="postgres://postgres@127.0.0.1:$NEW_PORT/$APP_DB?sslmode=disable"
psql_old() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$OLD_PG" "$@"; }
psql_new() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$NEW_PG" "$@"; }
# until SECONDS COMMAND…: runs COMMAND every half second until it succeeds, or fails after SECONDS.
until_within() {
  local limit=$1 waited=0
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$waited" -ge $((limit * 2)) ] && { echo "gave up after ${limit}s waiting for: $*" >&2; return 1; }
    sleep 0.5
    waited=$((waited + 1))
  done
}
# copy_sequences FROM-URL TO-URL: sets each sequence on TO to where it stands on FROM.
copy_sequences() {
  psql -X -q -A -t -v ON_ERROR_STOP=1 "$1" -c "SELECT format('SELECT setval(%L, %s, true);', schemaname || '.' || sequencename, last_value) FROM pg_sequences WHERE last_value IS NOT NULL" \
    | psql -X -q -v ON_ERROR_STOP=1 "$2" >/dev/null
}
