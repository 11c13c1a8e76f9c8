// node --test tests/js/ (make test): static/js/url-state.js, the query string <-> the state.
import assert from "node:assert/strict";
import test from "node:test";

import { Replay, dayNumber } from "../../static/js/replay.js";
import { createPageState } from "../../static/js/state.js";
import { formatQuery, initialView, parseQuery, stateFromQuery, syncURL } from "../../static/js/url-state.js";
import { timeline } from "./fixtures.mjs";

const PALETTE = ["#000001", "#000002", "#000003"];
const context = (replay, zonesAvailable = true) => ({ replay, theater: "test-theater", zonesAvailable, palette: PALETTE });

test("parseQuery reads every parameter, with or without '?', or from URLSearchParams", () => {
  const wanted = {
    date: "2020-05-01", z: 7, lat: 35.3, lng: -40.125, groups: ["red", "blue"], place: "alpha",
    palette: "safe", zones: true, measure: "area_km2",
  };
  const text = "date=2020-05-01&z=7&lat=35.3&lng=-40.125&groups=red,blue&place=alpha&palette=safe&zones=1&chart=area_km2";
  assert.deepEqual(parseQuery(`?${text}`), wanted);
  assert.deepEqual(parseQuery(text), wanted);
  assert.deepEqual(parseQuery(new URLSearchParams(text)), wanted);
});

test("parseQuery: missing parameters are null (or empty), hand-edited numbers that are not ones too", () => {
  assert.deepEqual(parseQuery(""), {
    date: null, z: null, lat: null, lng: null, groups: [], place: null, palette: null, zones: false, measure: null,
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
