#!/usr/bin/env bash
# Install the Debian/Ubuntu packages Frontline needs, when they are missing.
#   scripts/system-packages.sh run    GDAL/GEOS/PROJ, SpatiaLite, Python venv support
#   scripts/system-packages.sh test   the above + PostgreSQL with PostGIS, Redis, Chromium, Node
# As root it runs apt-get; otherwise it prints the exact command to run and fails.
set -euo pipefail
mode="${1:-run}"
missing=()

# ldconfig lives in /sbin, which is not on a normal user's PATH on Debian.
LDCONFIG="$(command -v ldconfig || echo /sbin/ldconfig)"
# grep reads all of it (no -q): a reader that stops early fails the pipe under pipefail
have_lib() { "$LDCONFIG" -p 2>/dev/null | grep "$1" >/dev/null; }
pg_major() { ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1; }

# gdal-bin pulls in GDAL, GEOS and PROJ under whatever library names this release uses.
if ! have_lib 'libgdal\.so'; then
  missing+=(gdal-bin)
else
  have_lib 'libgeos_c\.so' || missing+=(libgeos-dev)
  have_lib 'libproj\.so' || missing+=(libproj-dev)
fi
ls /usr/lib/*/mod_spatialite.so >/dev/null 2>&1 || missing+=(libsqlite3-mod-spatialite)
# The pinned dependencies are for CPython 3.11 or newer.
if ! "${PYTHON:-python3}" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Frontline needs Python 3.11 or newer; set PYTHON=/path/to/python3.11 (e.g. make run PYTHON=python3.11)." >&2
  exit 1
fi
# A Python without ensurepip (Debian's, before python3-venv) cannot make the virtualenv.
"${PYTHON:-python3}" -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)

if [[ "$mode" == "test" ]]; then
  major="$(pg_major)"
  if [[ -z "$major" ]]; then
    missing+=(postgresql postgis)
  elif [[ ! -e "/usr/share/postgresql/$major/extension/postgis.control" ]]; then
    missing+=("postgresql-$major-postgis-3")
  fi
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v node >/dev/null || missing+=(nodejs)  # node --test tests/js/
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [[ "$(id -u)" -ne 0 ]]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Run as root:  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
sh -c "$cmd"
