// The Leaflet map: online tiles (if any) over the bundled offline basemap, the first view (from
// the URL, else the theater's bounds), and the view kept in the state.
// Reads flyTo; writes view.

/* global L */
import { getJSON } from "./dom.js";
import { addOnlineTiles } from "./tile-fallback.js";
import { initialView } from "./url-state.js";

export function createMap({ tiles }) {
  const map = L.map("map", { zoomControl: true, preferCanvas: true, attributionControl: true });
  map.createPane("basemap").style.zIndex = 150;
  addOnlineTiles(L, map, tiles);
  map.attributionControl.addAttribution("Basemap: Natural Earth");
  return map;
}

// The offline basemap lies under the tiles (tilePane is above this pane): when the tiles
// cannot load (no network), the land and borders still show. Its files are fetched at once
// but drawn (by the function returned) after the first frame of places, which is what the
// reader is waiting for. timings.basemap: when it was drawn.
export function loadBasemap(map, { land, countries }, timings) {
  const styles = [
    [getJSON(land), { color: "#b9b4a8", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1 }],
    [getJSON(countries), { color: "#8c877c", weight: 1, fill: false, dashArray: "4 3" }],
  ];
  for (const [data] of styles) data.catch(() => {}); // drawn (or skipped) later, never unhandled
  return async () => {
    for (const [data, style] of styles) {
      try {
        L.geoJSON(await data, { pane: "basemap", interactive: false, style }).addTo(map);
      } catch {
        // No basemap: the places and the tiles (if any) still show.
      }
    }
    timings.basemap = performance.now();
  };
}

export function mapView(state, { map, replay, query }) {
  const viewOf = () => {
    const { lat, lng } = map.getCenter();
    return { zoom: map.getZoom(), lat, lng };
  };
  map.on("moveend", () => state.set({ view: viewOf() }));
  const first = initialView(query, replay.theater.bounds);
  if (first.bounds) map.fitBounds(first.bounds);
  else map.setView(first.center, first.zoom);
  if (!state.get().view) state.set({ view: viewOf() });

  state.on("flyTo", (target) => {
    if (!target) return;
    const place = replay.places[target.place];
    map.flyTo([place.lat, place.lon], Math.max(map.getZoom(), 9), { duration: 0.6 });
  });
}
