// The map page: downloads the theater's timeline once, then computes every frame here.
// The URL always holds the date, the view, the theater, the group filter and the open place.

/* global L */
import { $, el, getJSON, swatch } from "./dom.js";
import { PlacesLayer, UNKNOWN_COLOR } from "./places-layer.js";
import { Replay, dayNumber, isoDate } from "./replay.js";
import { drawChart } from "./chart.js";

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
  openPlace: null, // place index
  frameTimes: [],
  theaterSlug: null,
};

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
    theater: q.get("theater"),
    z: numberParam(q, "z"),
    lat: numberParam(q, "lat"),
    lng: numberParam(q, "lng"),
    groups: (q.get("groups") || "").split(",").filter(Boolean),
    place: q.get("place"),
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
    window.history.replaceState(null, "", `?${q}`);
  }, 120);
}

// --- Map ---------------------------------------------------------------------------------------

function createMap(state) {
  const map = L.map("map", { zoomControl: true, preferCanvas: true, attributionControl: true });
  app.map = map;
  map.createPane("basemap").style.zIndex = 150;
  if (config.tiles.url) {
    L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 18 }).addTo(map);
  }
  // The offline basemap lies under the tiles (tilePane is above this pane): when the tiles
  // cannot load (no network), the land and borders still show.
  const land = { pane: "basemap", interactive: false, style: { color: "#b9b4a8", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1 } };
  getJSON(config.basemap.land).then((g) => L.geoJSON(g, land).addTo(map)).catch(() => {});
  getJSON(config.basemap.countries).then((g) => L.geoJSON(g, { pane: "basemap", interactive: false, style: { color: "#8c877c", weight: 1, fill: false, dashArray: "4 3" } }).addTo(map)).catch(() => {});
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
  app.frameTimes.push(performance.now() - started);
  if (app.frameTimes.length > 500) app.frameTimes.shift();
  $("#current-date").textContent = isoDate(day);
  $("#date-input").value = isoDate(day);
  if (!fromSlider) $("#slider").value = String(day);
  updateLegend();
  updatePanelState();
  drawHistogramCursor();
  app.chart?.setCursorDay(day);
  writeURL();
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

// --- Legend and group filter -------------------------------------------------------------------

function buildLegend() {
  const list = $("#legend");
  list.replaceChildren();
  for (const group of app.replay.groups) {
    const item = el("li", { dataset: { group: group.slug } },
      el("button", { type: "button", "aria-pressed": "false", title: `Show only ${group.name} (click again to show all)`,
        onclick: () => toggleGroup(group.slug) },
      swatch(group.color), el("span", { class: "name" }, group.short_name || group.name),
      el("span", { class: "count" }, "0")));
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
  const slugs = app.groupFilter;
  app.layer.visible = slugs.size === 0 ? () => true : (state) =>
    (state.controller && slugs.has(state.controller.slug)) || state.challengers.some((g) => slugs.has(g.slug));
  app.layer.redraw();
  updateLegend();
  writeURL();
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
  $("#panel-kind").textContent = place.kind.replace("_", " ");
  $("#panel-aliases").textContent = "";
  $("#panel-history").replaceChildren();
  $("#panel-sources").replaceChildren(el("li", {}, "Loading sources…"));
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
    $("#panel-aliases").textContent = detail.properties.aliases.length ? `Also: ${detail.properties.aliases.join(", ")}` : "";
    drawHistory(history.periods);
    listSources(changes.results, new Map(sources.results.map((s) => [s.id, s])));
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
  line.replaceChildren(swatch(state.controller?.color || UNKNOWN_COLOR), describe(state),
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
        background: period.controller?.color || UNKNOWN_COLOR,
        borderColor: period.challengers[0]?.color || "transparent",
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
      " ", swatch(group?.color || UNKNOWN_COLOR), ` ${change.status}${group ? `, ${group.name}` : ""}`,
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

function runCompare() {
  const a = $("#compare-a").value, b = $("#compare-b").value;
  const list = $("#compare-list");
  if (!a || !b) { list.replaceChildren(el("li", { class: "muted" }, "Pick two dates.")); return; }
  const rows = app.replay.compare(dayNumber(a), dayNumber(b));
  const highlighted = new Set(rows.map((row) => row.place.index));
  app.layer.markChanged([...highlighted]);
  app.layer.redraw();
  list.replaceChildren(...rows.map((row) => el("li", {
    dataset: { place: placeSlug(row.place.index), change: row.change, group: row.group.slug },
  }, swatch(row.group.color), ` ${row.group.short_name || row.group.name} ${row.change} `,
  el("button", { type: "button", class: "link", onclick: () => openPlace(row.place.index, { fly: true }) }, row.place.name))));
  if (!rows.length) list.append(el("li", { class: "muted" }, "No place changed hands."));
  $("#compare-summary").textContent = `${rows.filter((r) => r.change === "gained").length} places changed hands between ${a} and ${b}.`;
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
  app.histogramImage = ctx.getImageData(0, 0, canvas.width, canvas.height);
  drawHistogramCursor();
}

function drawHistogramCursor() {
  const canvas = $("#histogram");
  if (!app.histogramImage) return;
  const ctx = canvas.getContext("2d");
  ctx.putImageData(app.histogramImage, 0, 0);
  const x = (percent(app.day) / 100) * canvas.clientWidth;
  ctx.fillStyle = "#d93025";
  ctx.fillRect(x - 1, 0, 2, canvas.clientHeight);
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
  const state = readURL();
  const theater = config.theaters.find((t) => t.slug === state.theater) || config.theaters[0];
  if (!theater) {
    $("#status").textContent = "No theater yet: load the reference dataset (make run does it).";
    resolveReady();
    return;
  }
  app.theaterSlug = theater.slug;
  createMap(state);
  $("#status").textContent = "Loading the record…";
  const timeline = await getJSON(`${API}timeline/?theater=${theater.id}`);
  const replay = new Replay(timeline);
  app.replay = replay;
  app.layer = new PlacesLayer(replay).addTo(app.map);
  fitTheater(state);
  buildLegend();
  const known = new Set(replay.groups.map((g) => g.slug));
  for (const slug of state.groups) if (known.has(slug)) app.groupFilter.add(slug);
  bindControls();
  applyFilter();
  const initial = state.date && /^\d{4}-\d{2}-\d{2}$/.test(state.date) ? dayNumber(state.date) : replay.lastDay;
  setDay(initial);
  drawHistogram();
  $("#status").textContent = "";
  $("#compare-a").value = isoDate(Math.max(replay.firstDay, app.day - 30));
  $("#compare-b").value = isoDate(app.day);
  if (state.place && replay.slugIndex.has(state.place)) openPlace(replay.slugIndex.get(state.place));
  app.chart = drawChart($("#chart"), `${API}stats/control-series/?theater=${theater.id}&interval=month`, replay, (day) => setDay(day));
  resolveReady();
}

// A small API for tests and for the curious (window.frontline in the console).
window.frontline = {
  ready,
  state: () => ({
    date: isoDate(app.day), theater: app.theaterSlug, zoom: app.map?.getZoom(),
    groups: [...app.groupFilter], place: app.openPlace === null ? null : placeSlug(app.openPlace),
    playing: app.playing,
  }),
  placeState: (slug) => {
    const p = app.replay?.slugIndex.get(slug);
    if (p === undefined) return null;
    const state = app.replay.stateOf(p);
    return { status: state.status, controller: state.controller?.slug || null, color: state.controller?.color || UNKNOWN_COLOR, since: state.since };
  },
  openPlace: async (slug) => {
    const p = app.replay?.slugIndex.get(slug);
    if (p !== undefined) await openPlace(p);
    return p !== undefined;
  },
  setDate: (iso) => setDay(dayNumber(iso)),
  frameTimes: app.frameTimes,
};

start().catch((error) => {
  $("#status").textContent = `Could not load the map data: ${error.message}`;
  resolveReady();
  throw error;
});
