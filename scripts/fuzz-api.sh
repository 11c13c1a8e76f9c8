#!/usr/bin/env bash
# Fuzz the REST API with schemathesis against its own OpenAPI schema (all checks, positive and
# negative data), on a throwaway PostGIS database holding the reference dataset.
# One check is left out: positive_data_acceptance. Domain rules (a change that changes
# nothing, a future date, a group in use) refuse some schema-valid requests with 400/409 by
# design; no schema can express them. Every other check runs, negative data included.
# Usage: scripts/fuzz-api.sh [python] — TEST_DATABASE_URL names the server (its db is not used).
set -euo pipefail
PY="${1:-.venv/bin/python}"
BIN="$(dirname "$PY")"
base="${TEST_DATABASE_URL:-postgis://postgres:postgres@127.0.0.1:5432/frontline}"
export DATABASE_URL="${base%/*}/frontline_fuzz"
export DJANGO_SETTINGS_MODULE=config.settings.local DEBUG=false ALLOWED_HOSTS=127.0.0.1
export API_ANON_READ_RATE=1000000/hour API_LOGIN_RATE=1000000/hour
server_url="postgresql://${base#*://}"
export PGOPTIONS="--client-min-messages=warning"
psql "${server_url%/*}/postgres" -qc "DROP DATABASE IF EXISTS frontline_fuzz" -c "CREATE DATABASE frontline_fuzz"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_reference >/dev/null
token="$("$PY" manage.py shell -c "
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from apps.users.models import User
user = User.objects.create_user('fuzz-editor', password='fuzz-editor-password-1')
user.groups.add(Group.objects.get(name='Editors'))
print(Token.objects.create(user=user).key)
" | tail -1)"
port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# No request-line limit here, so that over-long fuzzed query strings reach Django (which must
# answer 400) instead of gunicorn's 414 page; production keeps gunicorn's limit (documented).
"$BIN/gunicorn" config.wsgi --bind "127.0.0.1:$port" --workers 2 --log-level warning \
  --limit-request-line 0 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/api/schema/" -o /dev/null && break; sleep 0.2; done
"$BIN/schemathesis" run "http://127.0.0.1:$port/api/schema/" \
  --checks all --mode all --max-examples "${FUZZ_EXAMPLES:-25}" --seed "${FUZZ_SEED:-1}" \
  --exclude-checks positive_data_acceptance \
  -H "Authorization: Token $token" --request-timeout 30 --warnings off "${@:2}"
