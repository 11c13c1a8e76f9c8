#!/usr/bin/env bash
# Fuzz the REST API with schemathesis against its own OpenAPI schema, every check on, positive
# data acceptance included: a schema-valid request must not be refused, an invalid one must be.
#   scripts/fuzz-api.sh PY postgis    gunicorn on a throwaway PostGIS database (reference data):
#                                     anonymous, then with an editor's token (see below)
#   scripts/fuzz-api.sh PY embedded   the embedded default as `make run` serves it (SpatiaLite,
#                                     DEBUG on, runserver), anonymous
# Writes are fuzzed with every check but positive_data_acceptance: the domain refuses some
# schema-valid writes by design (a change that changes nothing, a date in the future, a
# reference to a record that does not exist), which no schema can state.
# TEST_DATABASE_URL names the PostgreSQL server (its database is not used). FUZZ_EXAMPLES (25)
# and FUZZ_SEED (1) tune the run; further arguments go to schemathesis.
set -euo pipefail
PY="${1:-.venv/bin/python}"
target="${2:-postgis}"
BIN="$(dirname "$PY")"
tmp="$(mktemp -d)"
server=""
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
export API_ANON_READ_RATE=1000000/hour API_LOGIN_RATE=1000000/hour API_USER_RATE=1000000/hour
export SCHEMATHESIS_HOOKS=scripts/fuzz_hooks.py
port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

fuzz() {  # fuzz <label> [schemathesis options]
  local label="$1"
  shift
  echo "== schemathesis: $label"
  "$BIN/schemathesis" --config-file scripts/schemathesis.toml run \
    "http://127.0.0.1:$port/api/schema/" --checks all --mode all \
    --max-examples "${FUZZ_EXAMPLES:-25}" --seed "${FUZZ_SEED:-1}" \
    --request-timeout 30 --warnings off "$@"
}

wait_for_server() {
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/api/schema/" -o /dev/null && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
  done
  echo "the server did not start" >&2
  return 1
}

if [[ "$target" == embedded ]]; then
  export DATABASE_URL="spatialite:///$tmp/frontline.sqlite3" DJANGO_SETTINGS_MODULE=config.settings.local
  unset CELERY_BROKER_URL DEBUG
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py load_reference >/dev/null
  "$PY" manage.py runserver "127.0.0.1:$port" --noreload >"$tmp/server.log" 2>&1 &
  server=$!
  wait_for_server
  fuzz "embedded default (SpatiaLite, DEBUG), anonymous" "${@:3}"
  exit
fi

base="${TEST_DATABASE_URL:-postgis://postgres:postgres@127.0.0.1:5432/frontline}"
export DATABASE_URL="${base%/*}/frontline_fuzz"
export DJANGO_SETTINGS_MODULE=config.settings.local DEBUG=false ALLOWED_HOSTS=127.0.0.1
server_url="postgresql://${base#*://}"
export PGOPTIONS="--client-min-messages=warning"
psql "${server_url%/*}/postgres" -qc "DROP DATABASE IF EXISTS frontline_fuzz" -c "CREATE DATABASE frontline_fuzz"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_reference >/dev/null
token="$("$PY" manage.py shell -c "
from django.contrib.auth.models import Group
from knox.models import AuthToken
from apps.users.models import User
user = User.objects.create_user('fuzz-editor', password='fuzz-editor-password-1')
user.groups.add(Group.objects.get(name='Editors'))
print(AuthToken.objects.create(user)[1])
" | tail -1)"
# No request-line limit here, so that over-long fuzzed query strings reach Django (which must
# answer 400) instead of gunicorn's 414 page; production keeps gunicorn's limit (documented).
"$BIN/gunicorn" config.wsgi --bind "127.0.0.1:$port" --workers 2 --log-level warning \
  --limit-request-line 0 >"$tmp/server.log" 2>&1 &
server=$!
wait_for_server
fuzz "PostGIS, anonymous" "${@:3}"
fuzz "PostGIS, an editor's token (writes: all checks but positive_data_acceptance)" \
  -H "Authorization: Token $token" --exclude-checks positive_data_acceptance \
  --exclude-path-regex '/auth/tokens?/$' "${@:3}"  # revoking its own token would end the pass
