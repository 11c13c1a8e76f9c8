#!/usr/bin/env bash
# Prove the README's first command on this checkout: run the literal `make run` (default
# settings, a free PORT), wait for the server, check five pages answer 200 with what they
# should hold, stop it by its pid; then run it a second time, which must be quick and must
# not load the reference dataset again. Any failure exits non-zero. Used by .ci/run.
# Usage: scripts/check-run.sh   (RUN_WAIT_S: how long the first start may take, default 600)
set -euo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp)"
pid=""
stop() {  # `make run` and the runserver it starts share a process group: stop them all
  if [[ -n "$pid" ]]; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
  fi
}
trap 'stop; rm -f "$log"' EXIT
fail() { echo "check-run: FAIL: $*" >&2; echo "--- make run's output:" >&2; tail -n 40 "$log" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

serve() {  # serve <seconds allowed>: start `make run` and wait until it answers
  port="$(free_port)"
  base="http://127.0.0.1:$port"
  started=$SECONDS
  setsid env -u DATABASE_URL -u DJANGO_SETTINGS_MODULE PORT="$port" make run >"$log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "$base/healthz"; do
    kill -0 "$pid" 2>/dev/null || fail "make run exited before serving"
    (( SECONDS - started < $1 )) || fail "nothing answered on $base within $1 s"
    sleep 0.5
  done
  echo "check-run: make run serves $base after $((SECONDS - started)) s"
}

expect() {  # expect <path> <text>...: 200, and each text in the body
  local path="$1" body code
  shift
  body="$(curl -s -w '\n%{http_code}' "$base$path")" || fail "GET $path: no answer"
  code="${body##*$'\n'}"
  [[ "$code" == 200 ]] || fail "GET $path answered $code"
  for text in "$@"; do
    grep -qF -- "$text" <<<"$body" || fail "GET $path: no '$text' in the answer"
  done
  echo "check-run: GET $path -> 200"
}

places() { curl -fs "$base/api/v1/places/?page_size=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])'; }

serve "${RUN_WAIT_S:-600}"
expect / 'id="map"' 'Frontline'
expect '/table/?date=2017-11-04' 'Deir ez-Zor' 'Syrian government' 'al-Qaim'
expect '/api/v1/control/?date=2017-11-04' '"type":"FeatureCollection"' '"name":"Deir ez-Zor"'
holders() {  # who held Deir ez-Zor and al-Qaim on the day after 3 November 2017
  curl -fs "$base/api/v1/control/?date=2017-11-04" | python3 -c '
import json, sys
held = {f["properties"]["name"]: (f["properties"]["controller"] or {}).get("slug")
        for f in json.load(sys.stdin)["features"]}
print(held.get("Deir ez-Zor"), held.get("al-Qaim"))'
}
[[ "$(holders)" == "syrian-government iraqi-government" ]] \
  || fail "control/ on 2017-11-04: Deir ez-Zor and al-Qaim held by $(holders)"
expect /admin/login/ 'name="username"' 'name="password"'
expect /ogc/ '"title": "Frontline"' '"rel": "conformance"' '"rel": "data"'
count="$(places)"
stop

serve 60  # the second run reinstalls and reloads nothing
again="$(places)"
[[ "$again" == "$count" ]] || fail "the second make run changed the places ($count -> $again)"
expect '/api/v1/control/?date=2017-11-04' '"name":"Deir ez-Zor"'
stop
echo "check-run: make run passed (twice; $count places, served on a fresh database)"
