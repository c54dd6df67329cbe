#!/usr/bin/env bash
# Start throwaway Redis and PostgreSQL servers on free loopback ports inside a temporary directory.
#   scripts/test-services.sh start DIR   -> writes DIR/env (export lines) and leaves servers running
#   scripts/test-services.sh stop DIR    -> stops both servers and removes DIR
# Never touches the system's instances and never uses a fixed port.
set -euo pipefail

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    echo "PostgreSQL server binaries not found (install the Debian package 'postgresql')" >&2
    return 1
}

as_pg_owner() {
    # initdb refuses to run as root: run the server as the 'postgres' system user then.
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

start() {
    local dir=$1 bin redis_port pg_port
    mkdir -p "$dir"
    bin=$(pg_bin)
    redis_port=$(free_port)
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
        --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
    mkdir -p "$dir/pg"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/pg" && chmod 755 "$dir"
    pg_port=$(free_port)
    as_pg_owner "'$bin/initdb' -D '$dir/pg/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8 >'$dir/pg/initdb.log' 2>&1"
    as_pg_owner "'$bin/pg_ctl' -D '$dir/pg/data' -l '$dir/pg/log' -w -o \"-p $pg_port -k '$dir/pg' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >/dev/null"
    as_pg_owner "'$bin/psql' -h 127.0.0.1 -p $pg_port -U postgres -v ON_ERROR_STOP=1 -q -c 'CREATE DATABASE callcenter_test'"
    for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    cat >"$dir/env" <<ENV
export CALLCENTER_TEST_REDIS_URL=redis://127.0.0.1:$redis_port/0
export CALLCENTER_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:$pg_port/callcenter_test
export CALLCENTER_TEST_REQUIRE_SERVICES=1
ENV
    echo "test services: redis on 127.0.0.1:$redis_port, postgresql on 127.0.0.1:$pg_port ($dir)" >&2
}

stop() {
    local dir=$1 bin
    [ -d "$dir" ] || return 0
    if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
    if [ -f "$dir/pg/data/postmaster.pid" ]; then
        bin=$(pg_bin)
        as_pg_owner "'$bin/pg_ctl' -D '$dir/pg/data' -m immediate -w stop >/dev/null 2>&1" || true
    fi
    rm -rf "$dir"
}

"$1" "$2"
