// node --test tests/js/ (make test): the offline-tiles fallback of static/js/tile-fallback.js.
import assert from "node:assert/strict";
import test from "node:test";

import { GIVE_UP_AFTER, OFFLINE_NOTE, addOnlineTiles, tileHealth } from "../../static/js/tile-fallback.js";

test("gives up once, after GIVE_UP_AFTER failed tiles in a row", () => {
  const health = tileHealth();
  const answers = [];
  for (let i = 0; i < GIVE_UP_AFTER + 3; i += 1) answers.push(health.failed());
  assert.deepEqual(answers, [false, false, true, false, false, false]);
  assert.equal(health.gaveUp, true);
});

test("a tile that loads resets the count", () => {
  const health = tileHealth(3);
  assert.equal(health.failed(), false);
  assert.equal(health.failed(), false);
  health.loaded();
  assert.equal(health.failed(), false);
  assert.equal(health.failed(), false);
  assert.equal(health.gaveUp, false);
  assert.equal(health.failed(), true);
});

// A stand-in for Leaflet's tile layer and map, enough to drive the wiring.
function fakeLeaflet() {
  const events = {};
  const map = { layers: new Set(), notes: [] };
  map.attributionControl = { addAttribution: (text) => map.notes.push(text) };
  map.removeLayer = (layer) => map.layers.delete(layer);
  const layer = {
    on: (name, handler) => {
      events[name] = handler;
      return layer;
    },
    addTo: (target) => {
      target.layers.add(layer);
      return layer;
    },
  };
  const L = { tileLayer: (url, options) => Object.assign(layer, { url, options }) };
  return { L, map, layer, fire: (name) => events[name]() };
}

function memoryStorage() {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)) };
}

test("drops the layer, says so and remembers it for the visit", () => {
  const { L, map, layer, fire } = fakeLeaflet();
  const storage = memoryStorage();
  const url = "https://tiles.example/{z}/{x}/{y}.png";
  assert.equal(addOnlineTiles(L, map, { url, attribution: "©" }, storage), layer);
  assert.equal(map.layers.has(layer), true);
  fire("tileerror");
  fire("tileload");
  for (let i = 0; i < GIVE_UP_AFTER; i += 1) fire("tileerror");
  assert.equal(map.layers.has(layer), false);
  assert.deepEqual(map.notes, [OFFLINE_NOTE]);
  fire("tileerror"); // a late error of an aborted tile changes nothing
  assert.deepEqual(map.notes, [OFFLINE_NOTE]);

  const next = fakeLeaflet(); // the next page of this visit asks no tile at all
  assert.equal(addOnlineTiles(next.L, next.map, { url, attribution: "©" }, storage), null);
  assert.equal(next.map.layers.size, 0);
  assert.deepEqual(next.map.notes, [OFFLINE_NOTE]);
  const other = fakeLeaflet(); // another tile server is tried
  assert.notEqual(addOnlineTiles(other.L, other.map, { url: "https://b/{z}", attribution: "" }, storage), null);
});

test("no tile URL, or storage that refuses: no layer / still works", () => {
  const { L, map } = fakeLeaflet();
  assert.equal(addOnlineTiles(L, map, { url: "", attribution: "" }, memoryStorage()), null);
  const refusing = { getItem: () => { throw new Error("denied"); }, setItem: () => { throw new Error("denied"); } };
  const again = fakeLeaflet();
  addOnlineTiles(again.L, again.map, { url: "u", attribution: "" }, refusing);
  for (let i = 0; i < GIVE_UP_AFTER; i += 1) again.fire("tileerror");
  assert.equal(again.map.layers.size, 0);
});
