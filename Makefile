# Frontline — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
LOCK := requirements.lock
# The test suite runs against real PostGIS. Override to point elsewhere.
TEST_DATABASE_URL ?= postgis://postgres:postgres@127.0.0.1:5432/frontline

.PHONY: help run test venv lint format fuzz smoke fault-test bench bench-api bench-map bench-import bench-zones bench-areas bench-engine lock clean

## This list: every target with the first line of the comment above it.
help:
	@awk '/^## / { if (!text) text = substr($$0, 4); next } \
	      /^[a-z][a-z-]*:/ { if (text) printf "  make %-13s %s\n", substr($$1, 1, length($$1) - 1), text } \
	      /^[a-z][a-z-]*:/ || /^$$/ { text = "" }' $(MAKEFILE_LIST)

## Serve the app on the embedded default (SpatiaLite, eager Celery).
run: venv
	@PYTHON="$(PYTHON)" scripts/system-packages.sh run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference --if-empty
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## Everything CI runs: lint, layers, types, migrations, JS and Python tests, fuzz, smoke, faults.
test: venv
	@PYTHON="$(PYTHON)" scripts/system-packages.sh test
	@TEST_DATABASE_URL=$(TEST_DATABASE_URL) scripts/test-services.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	DATABASE_URL=$(TEST_DATABASE_URL) DJANGO_SETTINGS_MODULE=config.settings.test \
		$(PY) manage.py makemigrations --check --dry-run
	node --test tests/js/
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest
	@$(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory smoke
	@$(MAKE) --no-print-directory fault-test

## Fuzz the API against its OpenAPI schema (schemathesis, every check; also in make test).
## On PostGIS (anonymous, then an editor's token) and on the embedded default (SpatiaLite).
fuzz: venv
	@TEST_DATABASE_URL=$(TEST_DATABASE_URL) scripts/test-services.sh
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) scripts/fuzz-api.sh $(PY) postgis
	scripts/fuzz-api.sh $(PY) embedded

## Stop Redis, then PostgreSQL, under load on a private production stack (also in make test).
## scripts/stack.sh on its own PostgreSQL (:5439) and Redis (:6389), stopped in turn under a
## stream of reads and writes (about 2.5 minutes; figures printed, non-zero exit on a broken
## contract). The shared services are not touched.
fault-test: venv
	@PYTHON="$(PYTHON)" scripts/system-packages.sh test
	scripts/fault-test.sh $(PY)

## Smoke-test the embedded default with this venv's Python and Debian's (also in make test).
## It must work whether or not Python's own sqlite3 can load extensions: this venv's Python
## and, when present, Debian's /usr/bin/python3.11.
SYSTEM_PYTHON := /usr/bin/python3.11
smoke: venv
	scripts/smoke-embedded.sh $(PY)
	@if [[ -x $(SYSTEM_PYTHON) && "$$(realpath $(SYSTEM_PYTHON))" != "$$($(PY) -c 'import sys, os; print(os.path.realpath(sys._base_executable))')" ]]; then \
		$(MAKE) --no-print-directory venv VENV=var/venv-system PYTHON=$(SYSTEM_PYTHON) && \
		scripts/smoke-embedded.sh var/venv-system/bin/python; \
	else echo "(no second Python at $(SYSTEM_PYTHON); one smoke run only)"; fi

## The virtual environment with the pinned dependencies (and the system packages they need).
venv: $(VENV)/.installed

$(VENV)/.installed: $(LOCK)
	@PYTHON="$(PYTHON)" scripts/system-packages.sh run
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	touch $@

## Lint and format checks, the apps' layers (import-linter) and types (mypy), as `make test` runs them.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

## Fix what ruff can fix, then format.
format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Every benchmark: bench-api, bench-map, bench-import, bench-zones and bench-areas.
## The benchmarks: Synthetic theaters are built once (cached in the
## frontline_bench database), then the figures are printed with their targets.
BENCH_PLACES ?= 100000
BENCH_CHANGES ?= 1000000
MAP_BENCH_PLACES ?= 10000
MAP_BENCH_CHANGES ?= 100000
BENCH_DATABASE_URL ?= $(patsubst %/frontline,%/frontline_bench,$(TEST_DATABASE_URL))
bench: bench-api bench-map bench-import bench-zones bench-areas

## The API (issue "REST API v1"): latency, sizes, memory and the comparisons.
bench-api: venv
	@TEST_DATABASE_URL=$(BENCH_DATABASE_URL) scripts/test-services.sh
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench_api \
		--places $(BENCH_PLACES) --changes $(BENCH_CHANGES)

## The map page (issue "The map") in headless Chromium: first render and frame time, with the
## places, and with observed areas (a 769-day series; AREAS_SERIES as for bench-areas).
bench-map: venv
	@PYTHON="$(PYTHON)" scripts/system-packages.sh test
	@TEST_DATABASE_URL=$(BENCH_DATABASE_URL) scripts/test-services.sh
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench_map \
		--places $(MAP_BENCH_PLACES) --changes $(MAP_BENCH_CHANGES) \
		$(if $(AREAS_SERIES),--areas-series $(AREAS_SERIES))

## Imports: 10,000 places, 100,000 changes, then 20,000 changes on 2 places.
## Through the import job path; the last case shows row checks linear in a place's rows.
IMPORT_BENCH_PLACES ?= 10000
IMPORT_BENCH_CHANGES ?= 100000
IMPORT_BENCH_DENSE_PLACES ?= 2
IMPORT_BENCH_DENSE_CHANGES ?= 20000
bench-import: venv
	@TEST_DATABASE_URL=$(BENCH_DATABASE_URL) scripts/test-services.sh
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench_import \
		--places $(IMPORT_BENCH_PLACES) --changes $(IMPORT_BENCH_CHANGES) \
		--dense-places $(IMPORT_BENCH_DENSE_PLACES) --dense-changes $(IMPORT_BENCH_DENSE_CHANGES)

## Observed areas: a daily series imported into a layer, then areas/, areas/diff/ and the series
## timed, on PostGIS and on the embedded SpatiaLite. AREAS_SERIES: a folder, ZIP or .tar.xz of
## daily GeoJSON files (e.g. ../shared/samples/deepstate-series.tar.xz); empty: a synthetic
## series of the same size (769 days of 3,000 vertices).
AREAS_SERIES ?=
AREAS_BENCH_ARGS = $(if $(AREAS_SERIES),--series $(AREAS_SERIES))
bench-areas: venv
	@TEST_DATABASE_URL=$(BENCH_DATABASE_URL) scripts/test-services.sh
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench_areas $(AREAS_BENCH_ARGS)
	@mkdir -p var
	DATABASE_URL=spatialite:///$(CURDIR)/var/bench-areas.sqlite3 $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=spatialite:///$(CURDIR)/var/bench-areas.sqlite3 $(PY) manage.py bench_areas $(AREAS_BENCH_ARGS)

## Derived zones: every zone day of the reference dataset, then a sample of the synthetic one.
## (A full fill of the synthetic theater's 2,000 zone days takes workers hours.)
ZONES_BENCH_SAMPLE ?= 10
BENCH_REFERENCE_URL ?= $(BENCH_DATABASE_URL)_reference
bench-zones: venv
	@TEST_DATABASE_URL=$(BENCH_REFERENCE_URL) scripts/test-services.sh
	DATABASE_URL=$(BENCH_REFERENCE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_REFERENCE_URL) $(PY) manage.py load_reference --if-empty
	DATABASE_URL=$(BENCH_REFERENCE_URL) $(PY) manage.py bench_zones --theater syria-iraq-2014-2019
	@TEST_DATABASE_URL=$(BENCH_DATABASE_URL) scripts/test-services.sh
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench_zones \
		--places $(MAP_BENCH_PLACES) --changes $(MAP_BENCH_CHANGES) --sample $(ZONES_BENCH_SAMPLE)

## The time engine alone, on synthetic data rolled back afterwards.
bench-engine: venv
	@TEST_DATABASE_URL=$(TEST_DATABASE_URL) scripts/test-services.sh
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) manage.py bench_time_engine --places 5000 --changes 20

## Re-pin every dependency (and theirs) from pyproject.toml into requirements.lock.
lock:
	rm -rf var/lock-venv && mkdir -p var && $(PYTHON) -m venv var/lock-venv
	$(PYTHON) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
		print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))' > var/requirements.in
	var/lock-venv/bin/pip install --quiet --disable-pip-version-check -r var/requirements.in
	( echo "# Generated by 'make lock' from pyproject.toml. Do not edit by hand."; \
	  var/lock-venv/bin/pip freeze --all --exclude pip --exclude setuptools --exclude wheel \
	  | sed -E 's/^(pysqlite3-binary==.*)$$/\1 ; sys_platform == "linux" and platform_machine == "x86_64"/'; \
	  echo "# redis needs this on Python < 3.11.3 (Debian 12's 3.11.2), which pip freeze on 3.11.7 omits."; \
	  echo 'async-timeout==5.0.1 ; python_full_version < "3.11.3"' \
	) > $(LOCK)
	rm -rf var/lock-venv

## Remove the virtual environment, the embedded database and the tools' caches.
clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache .ruff_cache .mypy_cache
