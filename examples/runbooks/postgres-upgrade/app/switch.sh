# Points the application at a database: sh app/switch.sh URL (rewrites app/.env).
printf 'DATABASE_URL=%s\n' "$1" > "$(dirname "$0")/.env.new" && mv "$(dirname "$0")/.env.new" "$(dirname "$0")/.env"
