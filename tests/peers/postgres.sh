#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on 127.0.0.1 at a port chosen at run time.
#   tests/peers/postgres.sh start DIR   -> prints the admin URL (postgresql://...) on stdout
#   tests/peers/postgres.sh stop DIR
# initdb and postgres refuse to run as root: as root the cluster runs as the `postgres` user.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?dir}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$bin/initdb" ]] || { echo "postgres.sh: PostgreSQL server not installed (apt-get install postgresql)" >&2; exit 1; }
as() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
start)
  mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
  [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
  chmod 700 "$dir"
  pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  printf '%s\n' "$pw" > "$dir/pwfile"; [[ $(id -u) -eq 0 ]] && chown postgres "$dir/pwfile"
  as "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
     --pwfile="$dir/pwfile" -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
     || { cat "$dir/initdb.log" >&2; exit 1; }
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    if as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
         -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c max_connections=200 -c shared_buffers=32MB" \
         start >/dev/null 2>&1; then
      echo "$port" > "$dir/port"
      echo "postgresql://postgres:$pw@127.0.0.1:$port/postgres"
      exit 0
    fi
  done
  cat "$dir/server.log" >&2; exit 1 ;;
stop)
  [[ -d "$dir/data" ]] && as "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir" ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
