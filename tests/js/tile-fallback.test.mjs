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
  map.whenReady = (callback) => callback();
  map.getZoom = () => 6;
  map.getCenter = () => ({ lat: 35, lng: 40 });
  map.project = () => ({ divideBy: () => ({ floor: () => ({ x: 39, y: 25 }) }) });
  const layer = {
    options: { subdomains: "abc" },
    on: (name, handler) => {
      events[name] = handler;
      return layer;
    },
    addTo: (target) => {
      target.layers.add(layer);
      return layer;
    },
  };
  const template = (text, data) =>
    text.replace(/\{(\w+)\}/g, (_, key) => {
      if (!(key in data)) throw new Error(`No value provided for variable {${key}}`);
      return data[key];
    });
  const L = { tileLayer: (url, options) => Object.assign(layer, { url }), Util: { template } };
  return { L, map, layer, fire: (name) => events[name]() };
}

function memoryStorage() {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)) };
}

const URL_TEMPLATE = "https://{s}.tiles.example/{z}/{x}/{y}{r}.png";
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("offline: the one probed tile fails, no layer is added, and the visit remembers", async () => {
  const { L, map } = fakeLeaflet();
  const storage = memoryStorage();
  const probed = [];
  const failing = (url) => (probed.push(url), Promise.reject(new Error("offline")));
  addOnlineTiles(L, map, { url: URL_TEMPLATE, attribution: "©" }, storage, failing);
  await settle();
  assert.deepEqual(probed, ["https://a.tiles.example/6/39/25.png"]);
  assert.equal(map.layers.size, 0);
  assert.deepEqual(map.notes, [OFFLINE_NOTE]);

  const next = fakeLeaflet(); // the next page of this visit asks for no tile at all
  assert.equal(addOnlineTiles(next.L, next.map, { url: URL_TEMPLATE }, storage, failing), null);
  assert.equal(probed.length, 1);
  assert.deepEqual(next.map.notes, [OFFLINE_NOTE]);
  const other = fakeLeaflet(); // another tile server is tried
  addOnlineTiles(other.L, other.map, { url: "https://b/{z}/{x}/{y}" }, storage, failing);
  assert.equal(probed.length, 2);
});

test("online, then the network goes: dropped after failed tiles in a row", async () => {
  const { L, map, layer, fire } = fakeLeaflet();
  const storage = memoryStorage();
  addOnlineTiles(L, map, { url: URL_TEMPLATE, attribution: "©" }, storage, () => Promise.resolve());
  await settle();
  assert.equal(map.layers.has(layer), true);
  fire("tileerror");
  fire("tileload");
  for (let i = 0; i < GIVE_UP_AFTER - 1; i += 1) fire("tileerror");
  assert.equal(map.layers.has(layer), true);
  fire("tileerror");
  assert.equal(map.layers.has(layer), false);
  assert.deepEqual(map.notes, [OFFLINE_NOTE]);
  fire("tileerror"); // a late error of an aborted tile changes nothing
  assert.deepEqual(map.notes, [OFFLINE_NOTE]);
});

test("no URL: no layer; a template Leaflet cannot fill: no probe; storage refused: works", async () => {
  const { L, map } = fakeLeaflet();
  assert.equal(addOnlineTiles(L, map, { url: "" }, memoryStorage()), null);
  const custom = fakeLeaflet();
  const never = () => assert.fail("no probe for a template with keys of its own");
  addOnlineTiles(custom.L, custom.map, { url: "https://t/{z}/{x}/{y}?key={apikey}" }, memoryStorage(), never);
  assert.equal(custom.map.layers.size, 1);
  const thrower = () => {
    throw new Error("denied");
  };
  const refusing = { getItem: thrower, setItem: thrower };
  const again = fakeLeaflet();
  addOnlineTiles(again.L, again.map, { url: URL_TEMPLATE }, refusing, () => Promise.reject(new Error()));
  await settle();
  assert.equal(again.map.layers.size, 0);
  assert.deepEqual(again.map.notes, [OFFLINE_NOTE]);
});
