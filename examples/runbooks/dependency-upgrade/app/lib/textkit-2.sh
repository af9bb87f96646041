# textkit 2: shout is gone; shout_text TEXT prints TEXT in capitals.
shout_text() { printf '%s\n' "$1" | tr '[:lower:]' '[:upper:]'; }
