#!/usr/bin/env bash
# Refresh the vendored front-end files so the map page needs no CDN at run time:
#   static/vendor/leaflet/   Leaflet, taken from the django-leaflet package in the venv
#   static/vendor/uplot/     uPlot (ES module build + CSS), from npm
#   static/basemap/          offline basemap: Natural Earth land and countries as GeoJSON
#   static/vendor/VERSIONS.txt
# Needs the project venv (with django-leaflet installed) plus node and npm; npm packages
# go into a temporary directory that is deleted on exit. Running it again with the same
# pins rewrites the same bytes. To upgrade, change a version below and run:
#   scripts/vendor-static.sh
set -euo pipefail

UPLOT_VERSION=1.6.32
WORLD_ATLAS_VERSION=2.0.2
TOPOJSON_CLIENT_VERSION=3.1.0
ATLAS_SCALE=110m  # 110m, 50m or 10m; 50m makes countries.geojson ~1.7 MB, 10m several MB
DECIMALS=3        # coordinate rounding for the basemap (~100 m at the equator)

cd "$(dirname "$0")/.."
VENV_PYTHON="${VENV:-.venv}/bin/python"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"   # everything is staged here first, so a failure changes nothing in static/
mkdir -p "$out/vendor/leaflet" "$out/vendor/uplot" "$out/basemap"

# --- Leaflet, from django-leaflet ------------------------------------------------------
# Ask the venv where django-leaflet's files are (no python3.X path hard-coded).
if ! dl_info="$("$VENV_PYTHON" - 2>/dev/null <<'EOF'
from importlib.metadata import distribution
d = distribution("django-leaflet")
print(d.version)
print(d.locate_file("leaflet/static/leaflet"))
print(d.locate_file(next(f for f in d.files if ".dist-info" in f.parts[0] and f.name == "LICENSE")))
EOF
)"; then
  echo "No django-leaflet found with $VENV_PYTHON; install the project's requirements first." >&2
  exit 1
fi
DJANGO_LEAFLET_VERSION="$(sed -n 1p <<<"$dl_info")"
dl_static="$(sed -n 2p <<<"$dl_info")"
dl_license="$(sed -n 3p <<<"$dl_info")"
cp "$dl_static/leaflet.js" "$dl_static/leaflet.css" "$out/vendor/leaflet/"
# leaflet.js ends with "//# sourceMappingURL=leaflet.js.map"; the map must sit beside it,
# or collectstatic with the manifest storage (production settings) fails on the reference.
cp "$dl_static/leaflet.js.map" "$out/vendor/leaflet/"
cp -R "$dl_static/images" "$out/vendor/leaflet/images"
# The Leaflet version is in the banner ("Leaflet 1.9.3, a JS library ...").
LEAFLET_VERSION="$(grep -m1 -oE 'Leaflet [0-9]+\.[0-9]+\.[0-9]+' "$dl_static/leaflet.js" | cut -d' ' -f2)"

# --- npm packages (into the temporary directory only) ----------------------------------
# Leaflet comes from npm only for its LICENSE (django-leaflet does not ship it), at the
# same version as the vendored leaflet.js.
npm install --no-save --no-audit --no-fund --ignore-scripts --loglevel=error --prefix "$tmp" \
  "leaflet@$LEAFLET_VERSION" "uplot@$UPLOT_VERSION" \
  "world-atlas@$WORLD_ATLAS_VERSION" "topojson-client@$TOPOJSON_CLIENT_VERSION" >/dev/null
nm="$tmp/node_modules"

# Leaflet's own licence (BSD-2-Clause). django-leaflet's images/ also holds a few icons of
# its own (reset-view.png, toggle.png, marker-icon@2x.png), under django-leaflet's licence.
cp "$nm/leaflet/LICENSE" "$out/vendor/leaflet/LICENSE"
cp "$dl_license" "$out/vendor/leaflet/LICENSE.django-leaflet"

cp "$nm/uplot/dist/uPlot.esm.js" "$nm/uplot/dist/uPlot.min.css" "$nm/uplot/LICENSE" "$out/vendor/uplot/"

# --- Basemap: TopoJSON -> GeoJSON, rounded, one feature per line -------------------------
cp "$nm/world-atlas/LICENSE" "$out/basemap/LICENSE"
cat >"$tmp/topo2geo.js" <<'EOF'
// usage: node topo2geo.js TOPOJSON OBJECT DECIMALS OUT [keep-name]
const fs = require("fs");
const topojson = require("topojson-client");
const [file, object, decimals, outFile, keepName] = process.argv.slice(2);
const topo = JSON.parse(fs.readFileSync(file, "utf8"));
const k = 10 ** Number(decimals);
const round = (c) => (typeof c[0] === "number" ? c.map((v) => Math.round(v * k) / k) : c.map(round));
const features = topojson.feature(topo, topo.objects[object]).features.map((f) => ({
  type: "Feature",
  properties: keepName ? { name: f.properties.name } : {},
  geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) },
}));
const lines = features.map((f) => JSON.stringify(f));
fs.writeFileSync(outFile, '{"type":"FeatureCollection","features":[\n' + lines.join(",\n") + "\n]}\n");
EOF
node "$tmp/topo2geo.js" "$nm/world-atlas/land-$ATLAS_SCALE.json" land "$DECIMALS" "$out/basemap/land.geojson"
node "$tmp/topo2geo.js" "$nm/world-atlas/countries-$ATLAS_SCALE.json" countries "$DECIMALS" \
  "$out/basemap/countries.geojson" keep-name

cat >"$out/basemap/README.md" <<EOF
# Offline basemap

- \`land.geojson\`: land masses, one feature, no properties.
- \`countries.geojson\`: one feature per country with only a \`name\` property.

Source: [Natural Earth](https://www.naturalearthdata.com/) 1:$ATLAS_SCALE data (public
domain), as TopoJSON in the npm package \`world-atlas@$WORLD_ATLAS_VERSION\` (ISC, see
\`LICENSE\`), converted to GeoJSON (WGS84 longitude/latitude) with
\`topojson-client@$TOPOJSON_CLIENT_VERSION\`, coordinates rounded to $DECIMALS decimals.

Country borders are Natural Earth's default (de facto) boundaries and may differ from the
project's own data: for example Crimea is part of the "Russia" feature.

Do not edit these files by hand; refresh them (pins at the top of the script) with:

    scripts/vendor-static.sh
EOF

cat >"$out/vendor/VERSIONS.txt" <<EOF
# Written by scripts/vendor-static.sh; do not edit by hand.
leaflet $LEAFLET_VERSION (from django-leaflet $DJANGO_LEAFLET_VERSION) static/vendor/leaflet/
uplot $UPLOT_VERSION static/vendor/uplot/
world-atlas $WORLD_ATLAS_VERSION ($ATLAS_SCALE, via topojson-client $TOPOJSON_CLIENT_VERSION) static/basemap/
EOF

# --- Swap the staged files in: only the directories this script owns are replaced -------
mkdir -p static/vendor
rm -rf static/vendor/leaflet static/vendor/uplot static/basemap
cp -R "$out/vendor/leaflet" "$out/vendor/uplot" static/vendor/
cp "$out/vendor/VERSIONS.txt" static/vendor/
cp -R "$out/basemap" static/basemap
echo "Vendored: leaflet $LEAFLET_VERSION, uplot $UPLOT_VERSION, world-atlas $WORLD_ATLAS_VERSION ($ATLAS_SCALE)"
