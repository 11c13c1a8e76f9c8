#!/usr/bin/env bash
# The production stack without Docker: the processes docker-compose.yml runs (migrations,
# gunicorn, a Celery worker, Celery beat), on the local PostGIS and Redis, with the
# production settings. Usage: scripts/stack.sh start|stop|status|manage ARGS  [PY=.venv/bin/python]
#   (`manage` runs a manage.py command with the stack's settings, e.g. `manage createsuperuser`)
#   STACK_PORT (8001), STACK_DATABASE_URL (…/frontline_stack), STACK_BROKER_URL (redis db 2),
#   STACK_REDIS_URL (redis db 3), STACK_DIR (var/stack: pids, logs, secret),
#   STACK_EXTERNAL_SERVICES=1: the database and Redis are managed by the caller (the fault
#   test's private ones), so scripts/test-services.sh is not run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
BIN="$(dirname "$PY")"
DIR="${STACK_DIR:-var/stack}"
PORT="${STACK_PORT:-8001}"
mkdir -p "$DIR"
[[ -f "$DIR/secret" ]] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$DIR/secret"
export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="$(cat "$DIR/secret")"
export ALLOWED_HOSTS="127.0.0.1,localhost"
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false SECURE_HSTS_SECONDS=0
export DATABASE_URL="${STACK_DATABASE_URL:-postgis://postgres:postgres@127.0.0.1:5432/frontline_stack}"
export CELERY_BROKER_URL="${STACK_BROKER_URL:-redis://127.0.0.1:6379/2}"
export REDIS_URL="${STACK_REDIS_URL:-redis://127.0.0.1:6379/3}"
export MAP_TILES_URL="${MAP_TILES_URL-}"

alive() { [[ -f "$DIR/$1.pid" ]] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

start() {
  [[ "${STACK_EXTERNAL_SERVICES:-}" == 1 ]] || TEST_DATABASE_URL="$DATABASE_URL" scripts/test-services.sh
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py load_reference --if-empty
  "$PY" manage.py collectstatic --noinput -v0
  alive web || { "$BIN/gunicorn" config.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 120 \
      >"$DIR/web.log" 2>&1 & echo $! > "$DIR/web.pid"; }
  alive worker || { "$BIN/celery" -A config worker --loglevel=info --concurrency=1 \
      >"$DIR/worker.log" 2>&1 & echo $! > "$DIR/worker.pid"; }
  alive beat || { "$BIN/celery" -A config beat --loglevel=info --schedule "$DIR/celerybeat-schedule" \
      >"$DIR/beat.log" 2>&1 & echo $! > "$DIR/beat.pid"; }
  for _ in $(seq 60); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  status
}

stop() {
  local pids=()
  for name in beat worker web; do
    if alive "$name"; then
      pids+=("$(cat "$DIR/$name.pid")")
      kill "${pids[-1]}"
    fi
  done
  # Wait for them to exit (the worker finishes its task first), then insist after 20 s.
  for _ in $(seq 40); do
    local left=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
    ((${#left[@]})) || break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"; done
  for name in beat worker web; do rm -f "$DIR/$name.pid"; done
  echo "stopped"
}

status() {
  for name in web worker beat; do
    if alive "$name"; then echo "$name: running (pid $(cat "$DIR/$name.pid"), log $DIR/$name.log)"
    else echo "$name: stopped"; fi
  done
  echo "health: $(curl -sS "http://127.0.0.1:$PORT/healthz" 2>&1 || true)"
  echo "the app: http://127.0.0.1:$PORT/"
}

case "${1:-status}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  manage) shift; exec "$PY" manage.py "$@" ;;
  *) echo "usage: $0 start|stop|status|manage ARGS" >&2; exit 2 ;;
esac
