// The map page: downloads the theater's timeline once, then computes every frame here.
// The URL always holds the date, the view, the theater, the group filter and the open place.

/* global L */
import { $, el, getJSON, swatch } from "./dom.js";
import { PlacesLayer, UNKNOWN_COLOR } from "./places-layer.js";
import { Replay, dayNumber, isoDate } from "./replay.js";
import { ownColors, safeColors } from "./palette.js";
import { addOnlineTiles } from "./tile-fallback.js";
import { ZonesLayer } from "./zones-layer.js";

const config = JSON.parse(document.getElementById("frontline-config").textContent);
const API = config.api;
const SPEEDS = { day: 1, week: 7, month: 30 }; // days advanced per second of play

let resolveReady;
const ready = new Promise((resolve) => { resolveReady = resolve; });

const app = {
  replay: null,
  layer: null,
  map: null,
  day: 0,
  playing: false,
  groupFilter: new Set(), // group slugs; empty = all
  safeColors: false, // the colour-blind-safe palette instead of the groups' own colours
  colors: new Map(), // group id -> colour in use
  openPlace: null, // place index
  frameTimes: [],
  timings: {}, // ms since navigation start: start (scripts ran), timeline, firstFrame, basemap
  theaterSlug: null,
  zones: null, // the derived zones layer (fetched when the day settles, never per frame)
};
const km2 = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

// --- URL state -------------------------------------------------------------------------------

// A number from the query string, or null when missing or not a number (hand-edited URLs).
function numberParam(q, name) {
  const value = q.has(name) ? Number(q.get(name)) : NaN;
  return Number.isFinite(value) ? value : null;
}

function readURL() {
  const q = new URLSearchParams(window.location.search);
  return {
    date: q.get("date"),
    z: numberParam(q, "z"),
    lat: numberParam(q, "lat"),
    lng: numberParam(q, "lng"),
    groups: (q.get("groups") || "").split(",").filter(Boolean),
    place: q.get("place"),
    palette: q.get("palette"),
    zones: q.get("zones") === "1",
    measure: q.get("chart"),
  };
}

let urlTimer = null;
function writeURL() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const q = new URLSearchParams();
    q.set("theater", app.theaterSlug);
    q.set("date", isoDate(app.day));
    const center = app.map.getCenter();
    q.set("z", String(app.map.getZoom()));
    q.set("lat", center.lat.toFixed(4));
    q.set("lng", center.lng.toFixed(4));
    if (app.groupFilter.size) q.set("groups", [...app.groupFilter].join(","));
    if (app.openPlace !== null) q.set("place", placeSlug(app.openPlace));
    if (app.safeColors) q.set("palette", "safe");
    if (app.zones?.enabled) q.set("zones", "1");
    if ($("#chart-measure").value !== "places") q.set("chart", $("#chart-measure").value);
    window.history.replaceState(null, "", `?${q}`);
  }, 120);
}

// --- Map ---------------------------------------------------------------------------------------

function createMap(state) {
  const map = L.map("map", { zoomControl: true, preferCanvas: true, attributionControl: true });
  app.map = map;
  map.createPane("basemap").style.zIndex = 150;
  addOnlineTiles(L, map, config.tiles);
  map.attributionControl.addAttribution("Basemap: Natural Earth");
  map.on("moveend", writeURL);
  map.on("click", (event) => {
    const p = app.layer.hit(event.containerPoint);
    if (p >= 0) openPlace(p);
  });
  map.on("mousemove", (event) => {
    map.getContainer().style.cursor = app.layer.hit(event.containerPoint) >= 0 ? "pointer" : "";
  });
  return state;
}

// The offline basemap lies under the tiles (tilePane is above this pane): when the tiles
// cannot load (no network), the land and borders still show. Its files are fetched at once
// but drawn after the first frame of places, which is what the reader is waiting for.
function loadBasemap() {
  const land = getJSON(config.basemap.land);
  const countries = getJSON(config.basemap.countries);
  return async () => {
    const styles = [
      [land, { color: "#b9b4a8", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1 }],
      [countries, { color: "#8c877c", weight: 1, fill: false, dashArray: "4 3" }],
    ];
    for (const [data, style] of styles) {
      try {
        L.geoJSON(await data, { pane: "basemap", interactive: false, style }).addTo(app.map);
      } catch {
        // No basemap: the places and the tiles (if any) still show.
      }
    }
    app.timings.basemap = performance.now();
  };
}

function fitTheater(state) {
  const b = app.replay.theater.bounds;
  if (state.z !== null && state.lat !== null && state.lng !== null) {
    app.map.setView([Math.max(-85, Math.min(85, state.lat)), state.lng], Math.max(1, Math.min(18, state.z)));
  } else {
    app.map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  }
}

// --- Frames ------------------------------------------------------------------------------------

function setDay(day, { fromSlider = false } = {}) {
  const r = app.replay;
  day = Math.max(r.firstDay, Math.min(r.lastDay, Math.round(day)));
  const started = performance.now();
  const moved = r.seek(day);
  if (app.rendered) app.layer.markChanged(moved); // not on the first frame: nothing "changed"
  app.rendered = true;
  app.day = day;
  app.layer.redraw();
  $("#current-date").textContent = isoDate(day);
  $("#date-input").value = isoDate(day);
  if (!fromSlider) $("#slider").value = String(day);
  updateLegend();
  updatePanelState();
  drawHistogramCursor();
  app.chart?.setCursorDay(day);
  app.zones?.setDay(day);
  writeURL();
  // A frame's cost: everything done synchronously for it (replay, canvas, legend, cursors).
  app.frameTimes.push(performance.now() - started);
  if (app.frameTimes.length > 1000) app.frameTimes.shift();
  app.timings.firstFrame ??= performance.now();
}

function step(direction) {
  const r = app.replay;
  const target = direction > 0 ? r.nextChangeDay(app.day) : r.previousChangeDay(app.day);
  if (target !== null) setDay(target);
}

// --- Play --------------------------------------------------------------------------------------

let lastTick = 0;
function tick(now) {
  if (!app.playing) return;
  const perSecond = SPEEDS[$("#speed").value] || 7;
  const elapsed = Math.min(0.25, (now - lastTick) / 1000);
  app.carry = (app.carry || 0) + elapsed * perSecond;
  const whole = Math.floor(app.carry);
  if (whole >= 1) {
    app.carry -= whole;
    setDay(app.day + whole);
    if (app.day >= app.replay.lastDay) setPlaying(false);
  }
  lastTick = now;
  requestAnimationFrame(tick);
}

function setPlaying(playing) {
  app.playing = playing;
  const button = $("#play");
  button.setAttribute("aria-pressed", String(playing));
  button.textContent = playing ? "❚❚" : "▶";
  button.setAttribute("aria-label", playing ? "Pause" : "Play");
  if (playing) {
    if (app.day >= app.replay.lastDay) setDay(app.replay.firstDay);
    lastTick = performance.now();
    app.carry = 0;
    requestAnimationFrame(tick);
  }
}

// --- Colours ---------------------------------------------------------------------------------

function colorOf(groupId) {
  return app.colors.get(groupId) || UNKNOWN_COLOR;
}

function groupColor(group) {
  return group ? colorOf(group.id) : UNKNOWN_COLOR;
}

function setSafeColors(on) {
  app.safeColors = on;
  $("#safe-colors").checked = on;
  const groups = app.replay.groups;
  app.colors = on ? safeColors(groups, config.palette, app.replay) : ownColors(groups);
  for (const item of document.querySelectorAll("#legend li")) {
    const group = app.replay.groups.find((g) => g.slug === item.dataset.group);
    item.querySelector(".swatch").style.background = colorOf(group.id);
  }
  app.layer.recolor(colorOf);
  app.zones?.restyle();
  app.chart?.recolor(colorOf);
  if (app.openPlace !== null) {
    updatePanelState();
    if (app.panelPeriods) drawHistory(app.panelPeriods);
    if (app.panelChanges) listSources(...app.panelChanges);
  }
  if ($("#compare-list").childElementCount && app.compared) runCompare();
  writeURL();
}

// --- Legend and group filter -------------------------------------------------------------------

function buildLegend() {
  const list = $("#legend");
  list.replaceChildren();
  for (const group of app.replay.groups) {
    const item = el("li", { dataset: { group: group.slug } },
      el("button", { type: "button", "aria-pressed": "false", title: `Show only ${group.name} (click again to show all)`,
        onclick: () => toggleGroup(group.slug) },
      swatch(colorOf(group.id)), el("span", { class: "name" }, group.short_name || group.name),
      el("span", { class: "count" }, "0"), el("span", { class: "area" })));
    list.append(item);
  }
}

function updateLegend() {
  const held = app.replay.holdings();
  for (const item of document.querySelectorAll("#legend li")) {
    const group = app.replay.groups.find((g) => g.slug === item.dataset.group);
    const count = held.get(group.id) || 0;
    item.querySelector(".count").textContent = String(count);
    item.classList.toggle("empty", count === 0);
    const active = app.groupFilter.has(group.slug);
    item.classList.toggle("active", active);
    item.querySelector("button").setAttribute("aria-pressed", String(active));
  }
}

function toggleGroup(slug) {
  if (app.groupFilter.has(slug)) app.groupFilter.delete(slug); else app.groupFilter.add(slug);
  applyFilter();
}

function applyFilter() {
  const ids = new Set(app.replay.groups.filter((g) => app.groupFilter.has(g.slug)).map((g) => g.id));
  app.layer.visible = ids.size === 0 ? null : (p) => app.replay.involves(p, ids);
  app.layer.redraw();
  if (app.zones) {
    app.zones.visible = ids.size === 0 ? null : ids;
    app.zones.restyle();
  }
  updateLegend();
  writeURL();
}

// --- Derived zones -----------------------------------------------------------------------------

function setupZones(theater) {
  const toggle = $("#zones-toggle");
  if (!config.zones) {
    toggle.disabled = true;
    $("#zones-note").textContent = "Derived zones need the PostGIS database.";
    $("#zones-note").hidden = false;
    return;
  }
  app.zones = new ZonesLayer(app.map, {
    url: (day) => `${API}zones/?theater=${theater.id}&date=${isoDate(day)}`,
    colorOf,
    onShow: showZones,
  });
  app.zones.setDay(app.day);
  toggle.addEventListener("change", () => setZones(toggle.checked));
}

function setZones(on) {
  if (!app.zones) return; // unavailable (SpatiaLite): the box stays unticked and disabled
  $("#zones-toggle").checked = on;
  app.zones?.setEnabled(on);
  writeURL();
}

// The legend's km² column and the note that says what the zones are (and are not).
function showZones(answer, error) {
  const areas = app.zones.areas();
  for (const item of document.querySelectorAll("#legend li")) {
    const group = app.replay.groups.find((g) => g.slug === item.dataset.group);
    const area = areas?.get(group.id);
    item.querySelector(".area").textContent = area ? `${km2.format(area)} km²` : "";
  }
  const note = $("#zones-note");
  note.hidden = !app.zones.enabled;
  if (error) note.textContent = `Zones unavailable: ${error.message}`;
  else if (answer) {
    // valid_until is the first day of the next zones: the range ends the day before it
    const span = answer.valid_until ? `from ${answer.valid_from} to ${isoDate(dayNumber(answer.valid_until) - 1)}` : `from ${answer.valid_from} on`;
    note.textContent = answer.valid_from
      ? `${answer.method} These zones hold ${span}.`
      : "No place is held yet on this day.";
  }
}

// --- Place panel -------------------------------------------------------------------------------

function placeSlug(p) {
  return app.replay.places[p].slug;
}

function describe(state) {
  if (state.status === "unknown") return "Unknown (no record yet)";
  const holder = state.controller ? state.controller.name : "no one";
  const others = state.challengers.map((g) => g.name).join(", ");
  if (state.status === "controlled") return `Held by ${holder}`;
  return `${state.status === "besieged" ? "Besieged" : "Contested"}: held by ${holder}${others ? `, challenged by ${others}` : ""}`;
}

async function openPlace(p, { fly = false } = {}) {
  app.openPlace = p;
  app.layer.selected = p;
  app.layer.redraw();
  const place = app.replay.places[p];
  const panel = $("#panel");
  panel.hidden = false;
  $("#panel-name").textContent = place.name;
  const kind = place.kind.replace("_", " ");
  $("#panel-kind").textContent = kind.charAt(0).toUpperCase() + kind.slice(1);
  $("#panel-aliases").textContent = "";
  $("#panel-history").replaceChildren();
  $("#panel-sources").replaceChildren(el("li", {}, "Loading sources…"));
  app.panelPeriods = app.panelChanges = null;
  updatePanelState();
  if (fly) app.map.flyTo([place.lat, place.lon], Math.max(app.map.getZoom(), 9), { duration: 0.6 });
  writeURL();
  const token = (app.panelToken = Symbol("panel"));
  try {
    const [detail, history, changes, sources] = await Promise.all([
      getJSON(`${API}places/${place.id}/`),
      getJSON(`${API}places/${place.id}/history/`),
      getJSON(`${API}changes/?place=${place.id}&page_size=1000`),
      getJSON(`${API}sources/?place=${place.id}&page_size=1000`),
    ]);
    if (app.panelToken !== token) return;
    $("#panel-aliases").textContent = detail.properties.aliases.length ? ` · also ${detail.properties.aliases.join(", ")}` : "";
    app.panelPeriods = history.periods;
    app.panelChanges = [changes.results, new Map(sources.results.map((s) => [s.id, s]))];
    drawHistory(app.panelPeriods);
    listSources(...app.panelChanges);
  } catch (error) {
    $("#panel-sources").replaceChildren(el("li", { class: "error" }, `Could not load: ${error.message}`));
  }
}

function closePanel() {
  $("#panel").hidden = true;
  app.openPlace = null;
  app.layer.selected = -1;
  app.layer.redraw();
  writeURL();
}

function updatePanelState() {
  if (app.openPlace === null) return;
  const state = app.replay.stateOf(app.openPlace);
  const line = $("#panel-state");
  line.replaceChildren(swatch(groupColor(state.controller)), describe(state),
    state.since ? el("span", { class: "since" }, ` since ${state.since}`) : "");
  const marker = $("#panel-history .now");
  if (marker) marker.style.left = `${percent(app.day)}%`;
}

function percent(day) {
  const r = app.replay;
  return ((day - r.firstDay) / Math.max(1, r.lastDay - r.firstDay)) * 100;
}

function drawHistory(periods) {
  const strip = el("div", { class: "history-strip", role: "list", "aria-label": "Control periods" });
  for (const period of periods) {
    const start = dayNumber(period.start);
    const end = period.end ? dayNumber(period.end) : app.replay.lastDay + 1;
    const holder = period.controller ? period.controller.name : "no one";
    const label = `${period.start} – ${period.end || "now"}: ${period.status}, ${holder}`;
    strip.append(el("button", {
      type: "button", role: "listitem", class: `history-bar ${period.status}`, title: label, "aria-label": label,
      style: {
        left: `${percent(Math.max(start, app.replay.firstDay))}%`,
        width: `${Math.max(0.4, percent(Math.min(end, app.replay.lastDay + 1)) - percent(Math.max(start, app.replay.firstDay)))}%`,
        background: groupColor(period.controller),
        borderColor: period.challengers[0] ? groupColor(period.challengers[0]) : "transparent",
      },
      onclick: () => setDay(start),
    }));
  }
  strip.append(el("div", { class: "now", "aria-hidden": "true", style: { left: `${percent(app.day)}%` } }));
  $("#panel-history").replaceChildren(strip);
}

function listSources(changes, sources) {
  const list = $("#panel-sources");
  list.replaceChildren();
  for (const change of [...changes].reverse()) {
    const group = app.replay.groupById.get(change.controller);
    const links = change.sources.map((id) => sources.get(id)).filter(Boolean).map((s) =>
      el("li", {}, el("a", { href: s.url || s.archive_url || "#", target: "_blank", rel: "noopener noreferrer" }, s.title || s.url),
        s.publisher ? ` — ${s.publisher}` : "", s.published ? ` (${s.published})` : ""));
    list.append(el("li", { class: "change" },
      el("button", { type: "button", class: "link", onclick: () => setDay(dayNumber(change.date)) }, change.date),
      " ", swatch(groupColor(group)), ` ${change.status}${group ? `, ${group.name}` : ""}`,
      change.summary ? el("p", { class: "summary" }, change.summary) : "",
      links.length ? el("ul", { class: "sources" }, links) : el("p", { class: "muted" }, "No source cited.")));
  }
  if (!changes.length) list.append(el("li", { class: "muted" }, "No published changes."));
}

// --- Search ------------------------------------------------------------------------------------

let searchTimer = null;
function onSearch() {
  clearTimeout(searchTimer);
  const text = $("#search").value.trim();
  const results = $("#search-results");
  if (!text) { results.replaceChildren(); return; }
  searchTimer = setTimeout(async () => {
    const page = await getJSON(`${API}places/?q=${encodeURIComponent(text)}&theater=${app.replay.theater.id}&page_size=10`);
    results.replaceChildren(...page.features.map((f) => {
      const p = app.replay.placeIndex.get(f.id);
      if (p === undefined) return null; // outside the theater's timeline
      return el("li", {}, el("button", { type: "button", onclick: () => { results.replaceChildren(); $("#search").value = ""; openPlace(p, { fly: true }); } },
        f.properties.name, el("span", { class: "muted" }, ` ${f.properties.kind.replace("_", " ")}`)));
    }).filter(Boolean));
    if (!page.features.length) results.append(el("li", { class: "muted" }, "No place by that name."));
  }, 150);
}

// --- Compare -----------------------------------------------------------------------------------

const COMPARE_ROWS_SHOWN = 100; // per group and direction; the download has them all

// Gains and losses between A and B come from the replay already in the browser (the same rule
// as the server's control/diff/, and instant); the download link asks control/diff/ for the
// same comparison as GeoJSON, for GIS tools.
function runCompare() {
  let a = $("#compare-a").value, b = $("#compare-b").value;
  const list = $("#compare-list");
  const download = $("#compare-download");
  download.hidden = true;
  if (!a || !b) { list.replaceChildren(el("p", { class: "muted" }, "Pick two dates.")); return; }
  if (a > b) { [a, b] = [b, a]; $("#compare-a").value = a; $("#compare-b").value = b; }
  app.compared = true;
  const rows = app.replay.compare(dayNumber(a), dayNumber(b));
  app.layer.markChanged(new Set(rows.map((row) => row.place.index)));
  app.layer.redraw();
  const byGroup = new Map();
  for (const row of rows) {
    if (!byGroup.has(row.group)) byGroup.set(row.group, { gained: [], lost: [] });
    byGroup.get(row.group)[row.change].push(row);
  }
  const net = ({ gained, lost }) => gained.length - lost.length;
  const sections = [...byGroup].sort(([, x], [, y]) => net(y) - net(x)).map(([group, moves]) => {
    const items = [];
    for (const change of ["gained", "lost"]) {
      const shown = moves[change].slice(0, COMPARE_ROWS_SHOWN);
      items.push(...shown.map((row) => el("li", {
        class: change, dataset: { place: placeSlug(row.place.index), change, group: group.slug },
      }, change === "gained" ? "+ " : "− ",
      el("button", { type: "button", class: "link", onclick: () => openPlace(row.place.index, { fly: true }) }, row.place.name),
      el("span", { class: "muted" }, change === "gained" ? ` from ${row.from ? row.from.short_name || row.from.name : "nobody"}`
        : ` to ${row.to ? row.to.short_name || row.to.name : "nobody"}`))));
      const hidden = moves[change].length - shown.length;
      if (hidden > 0) items.push(el("p", { class: "muted" }, `… and ${hidden} more ${change} (see the download)`));
    }
    return el("section", {},
      el("h4", {}, swatch(groupColor(group)), `${group.short_name || group.name}: `,
        el("span", { class: "net" }, `+${moves.gained.length} −${moves.lost.length}`)),
      el("ul", {}, items));
  });
  list.replaceChildren(...sections);
  if (!rows.length) list.append(el("p", { class: "muted" }, "No place changed hands."));
  $("#compare-summary").textContent = `${rows.filter((r) => r.change === "gained").length} places changed hands between ${a} and ${b}.`;
  download.href = `${API}control/diff/?${new URLSearchParams({ from: a, to: b, theater: app.replay.theater.id, format: "geojson" })}`;
  download.hidden = false;
}

// --- Histogram ---------------------------------------------------------------------------------

function drawHistogram() {
  const canvas = $("#histogram");
  const width = canvas.clientWidth, height = canvas.clientHeight;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const buckets = Math.max(10, Math.floor(width / 3));
  app.histogram = app.replay.histogram(buckets);
  const max = Math.max(1, ...app.histogram);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = "#6b7a90";
  const w = width / buckets;
  app.histogram.forEach((count, i) => {
    const h = Math.sqrt(count / max) * (height - 2);
    ctx.fillRect(i * w, height - h, Math.max(1, w - 0.5), h);
  });
  drawHistogramCursor();
}

function drawHistogramCursor() {
  $("#histogram-cursor").style.left = `${percent(app.day)}%`;
}

// --- Start -------------------------------------------------------------------------------------

function bindControls() {
  const r = app.replay;
  const slider = $("#slider");
  slider.min = String(r.firstDay);
  slider.max = String(r.lastDay);
  slider.addEventListener("input", () => setDay(Number(slider.value), { fromSlider: true }));
  const dateInput = $("#date-input");
  dateInput.min = isoDate(r.firstDay);
  dateInput.max = isoDate(r.lastDay);
  const jump = () => { if (/^\d{4}-\d{2}-\d{2}$/.test(dateInput.value)) setDay(dayNumber(dateInput.value)); };
  dateInput.addEventListener("change", jump);
  dateInput.addEventListener("keydown", (event) => { if (event.key === "Enter") jump(); });
  $("#play").addEventListener("click", () => setPlaying(!app.playing));
  $("#prev-change").addEventListener("click", () => step(-1));
  $("#next-change").addEventListener("click", () => step(1));
  $("#panel-close").addEventListener("click", closePanel);
  $("#search").addEventListener("input", onSearch);
  $("#compare-run").addEventListener("click", runCompare);
  $("#safe-colors").addEventListener("change", (event) => setSafeColors(event.target.checked));
  $("#histogram").addEventListener("click", (event) => {
    const rect = event.currentTarget.getBoundingClientRect();
    setDay(r.firstDay + ((event.clientX - rect.left) / rect.width) * (r.lastDay - r.firstDay));
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
    if (event.key === " ") { event.preventDefault(); setPlaying(!app.playing); }
    else if (event.key === "ArrowRight") { event.preventDefault(); step(1); }
    else if (event.key === "ArrowLeft") { event.preventDefault(); step(-1); }
    else if (event.key === "Escape") closePanel();
  });
  const theaterSelect = $("#theater");
  if (theaterSelect) {
    theaterSelect.addEventListener("change", () => {
      window.location.search = `?theater=${encodeURIComponent(theaterSelect.value)}`;
    });
  }
  window.addEventListener("resize", () => drawHistogram());
}

async function start() {
  app.timings.start = performance.now();
  const state = readURL();
  // The server picked the theater from the same query string, and preloads its timeline.
  const theater = config.theaters.find((t) => t.slug === config.theater);
  if (!theater) {
    $("#status").textContent = "No theater yet: load the reference dataset (make run does it).";
    resolveReady();
    return;
  }
  app.theaterSlug = theater.slug;
  // On a phone the sidebar starts folded (a strip of three headings) so the map shows.
  if (window.matchMedia("(max-width: 700px)").matches) {
    for (const details of document.querySelectorAll("#sidebar details")) details.open = false;
  }
  createMap(state);
  app.drawBasemap = loadBasemap();
  $("#status").textContent = "Loading the record…";
  const timeline = await getJSON(config.timeline, { preloaded: true });
  app.timings.timeline = performance.now();
  const replay = new Replay(timeline);
  app.replay = replay;
  app.safeColors = state.palette === "safe";
  $("#safe-colors").checked = app.safeColors;
  app.colors = app.safeColors ? safeColors(replay.groups, config.palette, replay) : ownColors(replay.groups);
  app.layer = new PlacesLayer(replay, { colorOf }).addTo(app.map);
  fitTheater(state);
  buildLegend();
  const known = new Set(replay.groups.map((g) => g.slug));
  for (const slug of state.groups) if (known.has(slug)) app.groupFilter.add(slug);
  bindControls();
  applyFilter();
  const initial = state.date && /^\d{4}-\d{2}-\d{2}$/.test(state.date) ? dayNumber(state.date) : replay.lastDay;
  setDay(initial);
  app.drawBasemap();
  drawHistogram();
  setupZones(theater);
  if (state.zones) setZones(true);
  $("#status").textContent = "";
  $("#compare-a").value = isoDate(Math.max(replay.firstDay, app.day - 30));
  $("#compare-b").value = isoDate(app.day);
  if (state.place && replay.slugIndex.has(state.place)) openPlace(replay.slugIndex.get(state.place));
  // The chart (and its library) loads after the first frame: it is below the fold of the
  // sidebar and not what the reader waits for.
  try {
    const { drawChart } = await import("./chart.js");
    const series = `${API}stats/control-series/?theater=${theater.id}&interval=month`;
    app.chart = drawChart($("#chart"), {
      url: `${series}&area=false`,
      areaUrl: config.zones ? series : null,
      colorOf,
      onPick: (day) => setDay(day),
      onNote: (text) => { $("#chart-note").textContent = text; },
    });
    app.chart.setCursorDay(app.day);
    const measure = $("#chart-measure");
    if (!config.zones) measure.querySelector('option[value="area_km2"]').disabled = true;
    if ([...measure.options].some((o) => o.value === state.measure && !o.disabled)) measure.value = state.measure;
    app.chart.setMeasure(measure.value);
    measure.addEventListener("change", () => {
      app.chart.setMeasure(measure.value);
      writeURL();
    });
  } catch {
    $("#chart").textContent = "Chart unavailable.";
  }
  resolveReady();
}

// A small API for tests and for the curious (window.frontline in the console).
window.frontline = {
  ready,
  state: () => ({
    date: isoDate(app.day), theater: app.theaterSlug, zoom: app.map?.getZoom(),
    groups: [...app.groupFilter], place: app.openPlace === null ? null : placeSlug(app.openPlace),
    playing: app.playing, zones: Boolean(app.zones?.enabled),
  }),
  // What the zones layer holds: requests made so far and the shown answer's range and areas.
  zones: () => app.zones && {
    requests: app.zones.requests,
    validFrom: app.zones.shown?.valid_from ?? null,
    validUntil: app.zones.shown?.valid_until ?? null,
    areas: Object.fromEntries([...(app.zones.areas() || [])].map(([id, a]) => [app.replay.groups.find((g) => g.id === id).slug, a])),
  },
  setZones: (on) => setZones(on),
  placeState: (slug) => {
    const p = app.replay?.slugIndex.get(slug);
    if (p === undefined) return null;
    const state = app.replay.stateOf(p);
    return { status: state.status, controller: state.controller?.slug || null, color: groupColor(state.controller), since: state.since };
  },
  openPlace: async (slug) => {
    const p = app.replay?.slugIndex.get(slug);
    if (p !== undefined) await openPlace(p);
    return p !== undefined;
  },
  setDate: (iso) => setDay(dayNumber(iso)),
  // The colour drawn at a place's centre on the places canvas, as #rrggbb (null if none).
  pixelAt: (slug) => {
    const p = app.replay?.slugIndex.get(slug);
    return p === undefined ? null : app.layer.pixelAt(p);
  },
  frameTimes: app.frameTimes,
  timings: app.timings,
};

start().catch((error) => {
  $("#status").textContent = `Could not load the map data: ${error.message}`;
  app.drawBasemap?.();
  resolveReady();
  throw error;
});
