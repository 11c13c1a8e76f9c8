// The URL holds what a shared link should show: the theater, the date, the view, the group
// filter, the open place, the palette, the zones, the chart's measure, and the area layers
// switched off, the recent gains shown, the two layers compared and the front line. parseQuery,
// stateFromQuery, initialView and formatQuery are pure (tests/js/url-state.test.mjs); syncURL
// keeps the URL following the state, theaterPicker loads the page again for another theater.
// Reads theater, day, view, groups, place, safeColors, zones, measure, hiddenLayers, recent,
// pair, frontLine; writes nothing (the first state comes from stateFromQuery and, once the area
// layers have loaded, areaStateFromQuery, set by main.js).

import { colorsFor } from "./palette.js";
import { dayNumber, isoDate } from "./replay.js";
import { isIsoDate } from "./time.js";

export const MEASURES = ["places", "population", "area_km2", "observed_km2", "front_km"];
export const AREA_MEASURES = ["observed_km2", "front_km"]; // need area layers
export const RECENT_DAYS = [7, 14, 30];
export const URL_FIELDS = [
  "theater", "day", "view", "groups", "place", "safeColors", "zones", "measure", "hiddenLayers", "recent", "pair",
  "frontLine",
];
const WRITE_DELAY_MS = 120; // the URL is rewritten once moves pause, not on every frame

// A number from the query string, or null when missing or not a number (hand-edited URLs).
function numberParam(q, name) {
  const value = q.has(name) ? Number(q.get(name)) : NaN;
  return Number.isFinite(value) ? value : null;
}

// A query string ("?date=…" or "date=…") or URLSearchParams -> what it asks for, unchecked.
export function parseQuery(search) {
  const q = new URLSearchParams(search);
  return {
    date: q.get("date"),
    z: numberParam(q, "z"),
    lat: numberParam(q, "lat"),
    lng: numberParam(q, "lng"),
    groups: list(q, "groups"),
    place: q.get("place"),
    palette: q.get("palette"),
    zones: q.get("zones") === "1",
    measure: q.get("chart"),
    hide: list(q, "hide"),
    recent: numberParam(q, "recent"),
    vs: list(q, "vs"),
    front: q.get("front") !== "0",
  };
}

function list(q, name) {
  return (q.get(name) || "").split(",").filter(Boolean);
}

// What the page starts from (a patch for state.set): the query's wishes that the record allows.
// A missing or malformed date is the theater's last day; unknown groups and places are dropped;
// zones and the area chart only where zones are available (PostGIS); the observed-area charts
// only where the theater has area layers.
export function stateFromQuery(query, { replay, theater, zonesAvailable, palette, areasAvailable = false }) {
  const known = new Set(replay.groups.map((g) => g.slug));
  const safe = query.palette === "safe";
  const measureAllowed = MEASURES.includes(query.measure) && (query.measure !== "area_km2" || zonesAvailable)
    && (!AREA_MEASURES.includes(query.measure) || areasAvailable);
  return {
    theater,
    day: replay.clampDay(isIsoDate(query.date) ? dayNumber(query.date) : replay.lastDay),
    groups: [...new Set(query.groups.filter((slug) => known.has(slug)))],
    safeColors: safe,
    colors: colorsFor(replay, safe, palette),
    place: query.place !== null && replay.slugIndex.has(query.place) ? replay.slugIndex.get(query.place) : null,
    zones: query.zones && Boolean(zonesAvailable),
    measure: measureAllowed ? query.measure : "places",
    recent: RECENT_DAYS.includes(query.recent) ? query.recent : 0,
    frontLine: query.front,
  };
}

// The area layers' part of the query, once they have loaded (an AreaTimeline): unknown slugs
// dropped; the pair only when it names two different layers of one group.
export function areaStateFromQuery(query, areas) {
  const known = (slug) => areas.bySlug.has(slug);
  const [a, b] = query.vs.map((slug) => areas.bySlug.get(slug));
  const pair = query.vs.length === 2 && a && b && a !== b && a.layer.group.id === b.layer.group.id ? [a.slug, b.slug] : null;
  return { hiddenLayers: [...new Set(query.hide.filter(known))], pair };
}

// The map's first view: the query's zoom and centre when it has all three (kept on the map),
// else the theater's bounds ([minLon, minLat, maxLon, maxLat]) as Leaflet's [[lat, lng], …].
export function initialView(query, bounds) {
  if (query.z !== null && query.lat !== null && query.lng !== null) {
    return { center: [Math.max(-85, Math.min(85, query.lat)), query.lng], zoom: Math.max(1, Math.min(18, query.z)) };
  }
  return { bounds: [[bounds[1], bounds[0]], [bounds[3], bounds[2]]] };
}

// The state -> its query string (without "?"); defaults (no filter, own colours, no zones, the
// places chart, every area layer, no recent gains, no pair, the front line) are left out.
export function formatQuery(state, replay) {
  const q = new URLSearchParams();
  q.set("theater", state.theater);
  q.set("date", isoDate(state.day));
  if (state.view) {
    q.set("z", String(state.view.zoom));
    q.set("lat", state.view.lat.toFixed(4));
    q.set("lng", state.view.lng.toFixed(4));
  }
  if (state.groups.length) q.set("groups", state.groups.join(","));
  if (state.place !== null) q.set("place", replay.places[state.place].slug);
  if (state.safeColors) q.set("palette", "safe");
  if (state.zones) q.set("zones", "1");
  if (state.measure !== "places") q.set("chart", state.measure);
  if (state.hiddenLayers.length) q.set("hide", state.hiddenLayers.join(","));
  if (state.recent) q.set("recent", String(state.recent));
  if (state.pair) q.set("vs", state.pair.join(","));
  if (!state.frontLine) q.set("front", "0");
  return q.toString();
}

// Rewrite the URL (replaceState: no history entry per frame) WRITE_DELAY_MS after the last
// change of a field it holds, and once now.
export function syncURL(state, { replay, history = window.history, delay = WRITE_DELAY_MS }) {
  let timer = null;
  const write = () => {
    timer = null;
    history.replaceState(null, "", `?${formatQuery(state.get(), replay)}`);
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(write, delay);
  };
  for (const name of URL_FIELDS) state.on(name, schedule);
  schedule();
}

// The theater picker (only there with more than one theater): the server picks the theater
// from the query string, so another theater is another page load.
export function theaterPicker(select, location = window.location) {
  select?.addEventListener("change", () => {
    location.search = `?theater=${encodeURIComponent(select.value)}`;
  });
}
