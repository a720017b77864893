#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server (Debian's packages) on a free local port, runs the given
# command with DATABASE_URL pointing at it, then stops the server and removes its files.
# The server runs as the `postgres` system user when invoked as root, as PostgreSQL requires.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  echo "PostgreSQL server binaries not found; install them with: apt-get install -y postgresql" >&2
  exit 1
fi
port=${SALUS_PG_PORT:-$(( 54000 + RANDOM % 1000 ))}
dir=$(mktemp -d /tmp/salus-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U salus -A trust --no-sync >/dev/null
# Throwaway data: durability settings off, enough connections for parallel test files.
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=256MB" \
  start >/dev/null
export DATABASE_URL="postgres://salus@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $port" >&2
"$@"
