#!/usr/bin/env bash
# A PostgreSQL restart in the middle of `godwit apply`'s backfill. Run under its own
# scripts/with-postgres (the restart ends every session on that server). GODWIT_BIN is the
# binary. Prints, one per line: "running after the restart" (when apply outlived it), "apply
# exit N", "wrong rows N", "restarts N", then what apply said and its retry events.
set -uo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
url=${GODWIT_TEST_POSTGRES_URL%%\?*}
base=${url%/*}
db="$base/restart_test?sslmode=disable"
work=$(mktemp -d /tmp/godwit-restart.XXXXXX)
trap 'rm -rf "$work"' EXIT
psql -X -q "$url" -c "CREATE DATABASE restart_test"
psql -X -q "$db" -c "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL)" \
  -c "INSERT INTO accounts SELECT g, 'user ' || g FROM generate_series(1, 200000) AS g" -c "ANALYZE accounts"
mkdir "$work/migrations"
cat > "$work/migrations/001_name_upper.yaml" <<'YAML'
name: name upper
downtime: zero
operations:
  - add_column: {table: accounts, column: {name: name_upper, type: text}, up: "upper(name)"}
YAML
"$GODWIT_BIN" apply "$work/migrations" --db "$db" --yes --unrehearsed --retention 0s --batch-size 500 --batch-pause 20ms --json \
  > "$work/events" 2> "$work/out" &
apply=$!
# Restart once the backfill has written a few batches.
restarts=0
for _ in $(seq 1 1200); do
  if [ "$(grep -c '"kind" *: *"batch"' "$work/events")" -ge 3 ]; then
    "$root/scripts/restart-postgres" && restarts=1
    kill -0 "$apply" 2>/dev/null && echo "running after the restart"
    break
  fi
  kill -0 "$apply" 2>/dev/null || break
  sleep 0.05
done
wait "$apply"
status=$?
echo "apply exit $status"
echo "wrong rows $(psql -X -Atq "$db" -c "SELECT count(*) FROM accounts WHERE name_upper IS DISTINCT FROM upper(name)" 2>&1)"
echo "restarts $restarts"
cat "$work/out"
grep -E '"kind" *: *"(retry|interrupted|failed)"' "$work/events" || true
