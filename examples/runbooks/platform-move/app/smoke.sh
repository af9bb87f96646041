# Smoke test: the application answers from PostgreSQL with its orders. Usage: sh app/smoke.sh APP-URL
python3 - "$1" <<'PY'
import sys, urllib.request
body = urllib.request.urlopen(sys.argv[1] + "/health", timeout=10).read().decode()
if not body.startswith("ok postgresql orders="):
    sys.exit(f"the application does not answer from PostgreSQL: {body.strip()}")
PY
