# textkit 1: the old API. shout TEXT prints TEXT in capitals.
shout() { printf '%s\n' "$1" | tr '[:lower:]' '[:upper:]'; }
