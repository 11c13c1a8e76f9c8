// node --test tests/js/ (make test): static/js/url-state.js, the query string <-> the state.
import assert from "node:assert/strict";
import test from "node:test";

import { Replay, dayNumber } from "../../static/js/replay.js";
import { createPageState } from "../../static/js/state.js";
import { AreaTimeline } from "../../static/js/area-timeline.js";
import { areaStateFromQuery, formatQuery, initialView, parseQuery, stateFromQuery, syncURL } from "../../static/js/url-state.js";
import { timeline } from "./fixtures.mjs";

const PALETTE = ["#000001", "#000002", "#000003"];
const context = (replay, zonesAvailable = true) => ({ replay, theater: "test-theater", zonesAvailable, palette: PALETTE });

test("parseQuery reads every parameter, with or without '?', or from URLSearchParams", () => {
  const wanted = {
    date: "2020-05-01", z: 7, lat: 35.3, lng: -40.125, groups: ["red", "blue"], place: "alpha",
    palette: "safe", zones: true, measure: "area_km2", hide: ["held", "claim"], recent: 14, vs: ["held", "other"],
    front: false,
  };
  const text = "date=2020-05-01&z=7&lat=35.3&lng=-40.125&groups=red,blue&place=alpha&palette=safe&zones=1&chart=area_km2"
    + "&hide=held,claim&recent=14&vs=held,other&front=0";
  assert.deepEqual(parseQuery(`?${text}`), wanted);
  assert.deepEqual(parseQuery(text), wanted);
  assert.deepEqual(parseQuery(new URLSearchParams(text)), wanted);
});

test("parseQuery: missing parameters are null (or empty), hand-edited numbers that are not ones too", () => {
  assert.deepEqual(parseQuery(""), {
    date: null, z: null, lat: null, lng: null, groups: [], place: null, palette: null, zones: false, measure: null,
    hide: [], recent: null, vs: [], front: true,
  });
  const q = parseQuery("?z=seven&lat=&lng=Infinity&groups=,red,,&zones=yes");
  assert.deepEqual([q.z, q.lat, q.lng, q.groups, q.zones], [null, 0, null, ["red"], false]);
});

test("stateFromQuery keeps what the record allows", () => {
  const replay = new Replay(timeline());
  const s = stateFromQuery(parseQuery("date=2020-05-01&groups=blue,nobody,blue,red&place=bravo&palette=safe&zones=1&chart=population"), context(replay));
  assert.equal(s.theater, "test-theater");
  assert.equal(s.day, dayNumber("2020-05-01"));
  assert.deepEqual(s.groups, ["blue", "red"]); // unknown dropped, each once, in the URL's order
  assert.equal(s.place, 1);
  assert.equal(s.safeColors, true);
  assert.deepEqual([...s.colors], [[1, "#000001"], [2, "#000002"], [3, "#000003"]]); // Red changed most
  assert.equal(s.zones, true);
  assert.equal(s.measure, "population");
  assert.deepEqual(Object.keys(s).filter((name) => !(name in createPageState().get())), []); // only state fields
});

test("stateFromQuery: no date, a malformed or out-of-range one; unknown place; no zones without PostGIS", () => {
  const replay = new Replay(timeline());
  const at = (search, zones = true) => stateFromQuery(parseQuery(search), context(replay, zones));
  assert.equal(at("").day, replay.lastDay);
  assert.equal(at("date=yesterday").day, replay.lastDay);
  assert.equal(at("date=2020-5-1").day, replay.lastDay);
  assert.equal(at("date=2010-01-01").day, replay.firstDay);
  assert.equal(at("date=2030-01-01").day, replay.lastDay);
  assert.equal(at("place=nowhere").place, null);
  assert.equal(at("").place, null);
  assert.deepEqual([...at("").colors], [[1, "#ff0000"], [2, "#0000ff"], [3, "#00ff00"]]); // own colours
  assert.equal(at("palette=other").safeColors, false);
  assert.equal(at("zones=1", false).zones, false);
  assert.equal(at("chart=area_km2", false).measure, "places");
  assert.equal(at("chart=area_km2", true).measure, "area_km2");
  assert.equal(at("chart=bogus").measure, "places");
});

test("initialView: the URL's view when it has all three, kept on the map; else the theater's bounds", () => {
  const bounds = [30, 20, 50, 40];
  assert.deepEqual(initialView(parseQuery("z=7&lat=35.3&lng=40.1"), bounds), { center: [35.3, 40.1], zoom: 7 });
  assert.deepEqual(initialView(parseQuery("z=40&lat=89&lng=40"), bounds), { center: [85, 40], zoom: 18 });
  assert.deepEqual(initialView(parseQuery("z=0&lat=-90&lng=0"), bounds), { center: [-85, 0], zoom: 1 });
  assert.deepEqual(initialView(parseQuery("z=7&lat=35.3"), bounds), { bounds: [[20, 30], [40, 50]] });
  assert.deepEqual(initialView(parseQuery(""), bounds), { bounds: [[20, 30], [40, 50]] });
});

test("formatQuery writes the state, defaults left out, and reads back as the same state", () => {
  const replay = new Replay(timeline());
  const state = createPageState();
  state.set({ theater: "test-theater", day: dayNumber("2020-03-15") });
  assert.equal(formatQuery(state.get(), replay), "theater=test-theater&date=2020-03-15");
  state.set({
    view: { zoom: 6, lat: 35.123456, lng: 40.5 }, groups: ["blue", "red"], place: 0, safeColors: true,
    zones: true, measure: "area_km2",
  });
  const query = formatQuery(state.get(), replay);
  assert.equal(query, "theater=test-theater&date=2020-03-15&z=6&lat=35.1235&lng=40.5000&groups=blue%2Cred&place=alpha&palette=safe&zones=1&chart=area_km2");
  const back = stateFromQuery(parseQuery(query), context(replay));
  for (const name of ["day", "groups", "place", "safeColors", "zones", "measure"]) assert.deepEqual(back[name], state.get()[name], name);
  assert.deepEqual(initialView(parseQuery(query), replay.theater.bounds), { center: [35.1235, 40.5], zoom: 6 });
});

// Three area layers with no versions: two of group 1, one of group 2.
function areas() {
  const layer = (slug, group) => ({
    layer: { id: slug.length, slug, name: slug, status: "controlled", assessor: "A", group: { id: group } },
    versions: { count: 0, id: [], start: [], end: [], area_km2: [], gained_km2: [], lost_km2: [], front_km: [], source: [] },
    rings: [],
  });
  return new AreaTimeline({
    format: 1, theater: "t", epoch: "2020-01-01", scale: 100000, border_km: 5,
    layers: [layer("held", 1), layer("claim", 1), layer("other", 2)],
  });
}

test("the area layers' fields: written when not the defaults, read back as the same state", () => {
  const replay = new Replay(timeline());
  const state = createPageState();
  state.set({ theater: "test-theater", day: dayNumber("2020-03-15") });
  state.set({ hiddenLayers: ["other"], recent: 14, pair: ["held", "claim"], frontLine: false, measure: "observed_km2" });
  const query = formatQuery(state.get(), replay);
  assert.equal(query, "theater=test-theater&date=2020-03-15&chart=observed_km2&hide=other&recent=14&vs=held%2Cclaim&front=0");
  const parsed = parseQuery(query);
  const back = { ...stateFromQuery(parsed, { ...context(replay), areasAvailable: true }), ...areaStateFromQuery(parsed, areas()) };
  for (const name of ["hiddenLayers", "recent", "pair", "frontLine", "measure"]) assert.deepEqual(back[name], state.get()[name], name);
});

test("the area layers' fields keep only what the layers allow", () => {
  const replay = new Replay(timeline());
  const at = (search) => ({
    ...stateFromQuery(parseQuery(search), context(replay)), ...areaStateFromQuery(parseQuery(search), areas()),
  });
  assert.deepEqual(at("hide=nope,held,held").hiddenLayers, ["held"]);
  assert.equal(at("recent=9").recent, 0);
  assert.equal(at("recent=7").recent, 7);
  assert.equal(at("vs=held,other").pair, null); // two groups: not two assessors of one
  assert.equal(at("vs=held,held").pair, null);
  assert.equal(at("vs=held").pair, null);
  assert.equal(at("vs=held,nope").pair, null);
  assert.deepEqual(at("vs=claim,held").pair, ["claim", "held"]);
  assert.equal(at("front=no").frontLine, true);
  assert.equal(at("chart=observed_km2").measure, "places"); // no area layers said to be there
});

test("syncURL rewrites the URL once moves pause, and once at the start", async () => {
  const replay = new Replay(timeline());
  const state = createPageState();
  state.set({ theater: "test-theater", day: dayNumber("2020-01-10") });
  const written = [];
  const history = { replaceState: (data, title, url) => written.push([data, title, url]) };
  syncURL(state, { replay, history, delay: 5 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(written, [[null, "", "?theater=test-theater&date=2020-01-10"]]);
  for (let day = 0; day < 50; day++) state.set({ day: dayNumber("2020-02-01") + day });
  state.set({ place: 1 });
  state.set({ playing: true, placeLoaded: 1 }); // not in the URL: no write of its own
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(written.map(([, , url]) => url), [
    "?theater=test-theater&date=2020-01-10", "?theater=test-theater&date=2020-03-21&place=bravo",
  ]);
  state.set({ playing: false });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(written.length, 2);
});
