# Compatibility shims: each API name works whichever textkit is loaded.
command -v shout_text >/dev/null 2>&1 || shout_text() { shout "$@"; }
command -v shout >/dev/null 2>&1 || shout() { shout_text "$@"; }
