#!/usr/bin/env bash
# The fault test (`make fault-test`): scripts/fault_test.py stops Redis, then PostgreSQL, of a
# private stack under load and prints the figures. It cleans up after itself; this trap makes
# sure nothing it started (gunicorn, Celery, its PostgreSQL and Redis) outlives it even when
# it is killed outright. Usage: scripts/fault-test.sh [PY]   (settings: FAULT_* variables,
# see the docstring of scripts/fault_test.py)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-${PY:-.venv/bin/python}}"
export PY
trap '"$PY" scripts/fault_test.py --cleanup' EXIT
"$PY" scripts/fault_test.py
