#!/usr/bin/env bash
# Make sure the services the test suite talks to are up: PostgreSQL (with PostGIS) and Redis.
# Starts a local cluster that is down, and creates the `frontline` database with PostGIS.
set -euo pipefail
export PGOPTIONS="--client-min-messages=warning"
DEFAULT_URL="postgis://postgres:postgres@127.0.0.1:5432/frontline"
TEST_DATABASE_URL="${TEST_DATABASE_URL:-$DEFAULT_URL}"
# postgis://user:pass@host:port/name -> a libpq URL for the server, and the database name.
server_url="postgresql://${TEST_DATABASE_URL#*://}"
DBNAME="${server_url##*/}"
PGURL="${server_url%/*}"

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  major="$(ls /usr/lib/postgresql | sort -V | tail -1)"
  if [[ ! -d "/etc/postgresql/$major/main" ]]; then
    echo "Creating PostgreSQL $major cluster 'main' ..."
    pg_createcluster "$major" main
  fi
  echo "Starting PostgreSQL $major ..."
  pg_ctlcluster --skip-systemctl-redirect "$major" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# A fresh Debian cluster asks for a password over TCP; give `postgres` the documented one,
# but only for the default URL: a URL of your own is used as it is.
if ! psql "$PGURL/postgres" -qAtc 'select 1' >/dev/null 2>&1; then
  if [[ "$(id -u)" -eq 0 && "$TEST_DATABASE_URL" == "$DEFAULT_URL" ]]; then
    echo "Setting a password for the postgres role (see README: Tests) ..."
    runuser -u postgres -- psql -qc "ALTER USER postgres PASSWORD 'postgres'"
  else
    echo "Cannot connect to $PGURL; set TEST_DATABASE_URL=postgis://user:password@host:port/name" >&2
    exit 1
  fi
fi
if [[ "$(psql "$PGURL/postgres" -qAtc "select 1 from pg_database where datname='$DBNAME'")" != 1 ]]; then
  psql "$PGURL/postgres" -qc "CREATE DATABASE \"$DBNAME\""
fi
psql "$PGURL/$DBNAME" -qc 'CREATE EXTENSION IF NOT EXISTS postgis' >/dev/null

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Starting Redis ..."
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/frontline-redis.log
  for _ in $(seq 20); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
echo "PostgreSQL/PostGIS and Redis are up."
