// The map page, wired: it downloads the theater's timeline once and computes every frame here.
// One state (state.js) holds what the page shows; each concern is a module that shows the
// fields it reads and writes the state through set(), never calling another module:
//   map.js (the Leaflet map, its view), frames.js (the places, frame by frame), names.js
//   (place names; labels.js picks which fit), legend.js (legend, group filter, palette),
//   playback.js (time bar, play, keyboard), histogram.js,
//   zones-toggle.js (derived zones), areas-on-map.js (observed area layers, drawn by
//   areas-layer.js), areas-panel.js (their list, highlight and pair), place-panel.js, search.js,
//   compare.js, chart-panel.js, url-state.js (the URL), test-hooks.js (window.frontline).
// The area timeline (area-timeline.js) is fetched beside the places'; the first frame waits
// for both.

import { $, getJSON } from "./dom.js";
import { areasOnMap } from "./areas-on-map.js";
import { areasPanel } from "./areas-panel.js";
import { chartPanel } from "./chart-panel.js";
import { compare } from "./compare.js";
import { placesOnMap } from "./frames.js";
import { histogram } from "./histogram.js";
import { legend } from "./legend.js";
import { placeNames } from "./names.js";
import { createMap, loadBasemap, mapView } from "./map.js";
import { placePanel } from "./place-panel.js";
import { playback } from "./playback.js";
import { Replay } from "./replay.js";
import { search } from "./search.js";
import { createPageState } from "./state.js";
import { installTestHooks } from "./test-hooks.js";
import { areaStateFromQuery, parseQuery, stateFromQuery, syncURL, theaterPicker } from "./url-state.js";
import { zonesToggle } from "./zones-toggle.js";

const config = JSON.parse(document.getElementById("frontline-config").textContent);
const api = config.api;
const zonesAvailable = Boolean(config.zones);
const frameTimes = []; // ms per frame, the last 1000
const timings = {}; // ms since navigation start: start (scripts ran), timeline, firstFrame, basemap,
// areas (the area layers' first frame)
let resolveReady;
const ready = new Promise((resolve) => {
  resolveReady = resolve;
});
const state = createPageState();
const hooks = installTestHooks(state, { ready, frameTimes, timings });
let drawBasemap = null;

async function start() {
  timings.start = performance.now();
  const query = parseQuery(window.location.search);
  // The server picked the theater from the same query string, and preloads its timeline.
  const theater = config.theaters.find((t) => t.slug === config.theater);
  if (!theater) {
    $("#status").textContent = "No theater yet: load the reference dataset (make run does it).";
    return;
  }
  // On a phone the sidebar starts folded (a strip of its headings) so the map shows.
  if (window.matchMedia("(max-width: 700px)").matches) {
    for (const details of document.querySelectorAll("#sidebar details")) details.open = false;
  }
  const map = createMap(config);
  drawBasemap = loadBasemap(map, config.basemap, timings);
  $("#status").textContent = "Loading the record…";
  const [answer, areas] = await Promise.all([
    getJSON(config.timeline, { preloaded: true }),
    config.areaTimeline ? loadAreas(config.areaTimeline) : null,
  ]);
  const replay = new Replay(answer);
  timings.timeline = performance.now();
  if (areas) replay.extendRange(areas.firstDay, areas.lastDay); // the slider reaches their days
  state.set(stateFromQuery(query, {
    replay, theater: theater.slug, zonesAvailable, palette: config.palette, areasAvailable: Boolean(areas),
  }));
  if (areas) state.set(areaStateFromQuery(query, areas));

  mapView(state, { map, replay, query });
  // Subscribed first: it moves the replay to each new day, which the modules below read.
  const layer = placesOnMap(state, { map, replay, frameTimes, timings });
  const areaLayer = areas ? areasOnMap(state, { map, areas, timings }) : null;
  const names = placeNames(state, { map, replay, layer });
  legend(state, { replay, palette: config.palette });
  playback(state, { replay });
  drawBasemap();
  histogram(state, { replay });
  const zones = zonesToggle(state, { map, replay, api, available: zonesAvailable });
  placePanel(state, { replay, api });
  search(state, { replay, api });
  compare(state, { replay, api, areas });
  syncURL(state, { replay });
  theaterPicker($("#theater"));
  if (areas) areasPanel(state, { areas, api, theaterId: theater.id });
  hooks.attach({ replay, map, layer, zones, areas, areaLayer, names });
  $("#status").textContent = "";
  await chartPanel(state, { replay, api, zonesAvailable, areas });
}

// The area timeline, decoded (null, with a word in the status line, when it cannot load: the
// places still show).
async function loadAreas(url) {
  try {
    const { AreaTimeline } = await import("./area-timeline.js");
    return new AreaTimeline(await getJSON(url, { preloaded: true }));
  } catch (error) {
    $("#status").textContent = `Could not load the area layers: ${error.message}`;
    return null;
  }
}

start()
  .catch((error) => {
    $("#status").textContent = `Could not load the map data: ${error.message}`;
    drawBasemap?.();
    throw error;
  })
  .finally(resolveReady);
