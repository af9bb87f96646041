# Undoes replicate.sh: the subscription (and its slot on the old server), then the publication.
set -eu
. "$(dirname "$0")/env.sh"
psql_new -c "DROP SUBSCRIPTION IF EXISTS godwit_upgrade" 2>/dev/null || true
psql_old -c "DROP PUBLICATION IF EXISTS godwit_upgrade"
