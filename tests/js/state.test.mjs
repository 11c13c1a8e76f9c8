// node --test tests/js/ (make test): static/js/state.js, the page's one state with events.
import assert from "node:assert/strict";
import test from "node:test";

import { createPageState, createStore } from "../../static/js/state.js";

test("get() holds the declared defaults, frozen", () => {
  const store = createStore({ day: 3, groups: [] });
  assert.deepEqual(store.get(), { day: 3, groups: [] });
  assert.throws(() => {
    store.get().day = 4;
  }, TypeError);
  assert.equal(store.get().day, 3);
});

test("set() fires one event per changed field, in declaration order, then '*'", () => {
  const store = createStore({ a: 1, b: "x", c: null });
  const heard = [];
  store.on("a", (value, state) => heard.push(["a", value, state.b]));
  store.on("b", (value, state) => heard.push(["b", value, state.a]));
  store.on("c", (value) => heard.push(["c", value]));
  store.on("*", (changed, patch) => heard.push(["*", changed, Object.keys(patch)]));
  assert.deepEqual(store.set({ b: "y", a: 2 }), ["a", "b"]);
  // both fields are written before the first handler runs
  assert.deepEqual(heard, [["a", 2, "y"], ["b", "y", 2], ["*", ["a", "b"], ["b", "a"]]]);
});

test("set() fires nothing for a field set to the value it has; '*' still hears the set", () => {
  const store = createStore({ day: 5, place: null });
  const heard = [];
  store.on("day", (value) => heard.push(value));
  store.on("place", (value) => heard.push(value));
  store.on("*", (changed) => heard.push(changed));
  assert.deepEqual(store.set({ day: 5, place: null }), []);
  assert.deepEqual(heard, [[]]);
  const before = store.get();
  store.set({ day: 5 });
  assert.equal(store.get(), before); // nothing changed: the same state object
  store.set({ day: 6 });
  assert.notEqual(store.get(), before);
  assert.equal(before.day, 5); // an earlier state is never changed
});

test("arrays compare element by element, other objects by identity", () => {
  const store = createStore({ groups: [], flyTo: null });
  const heard = [];
  store.on("groups", (value) => heard.push(["groups", value]));
  store.on("flyTo", (value) => heard.push(["flyTo", value]));
  store.set({ groups: ["red"] });
  store.set({ groups: ["red"] });
  store.set({ groups: ["red", "blue"] });
  store.set({ groups: ["blue", "red"] });
  const target = { place: 1 };
  store.set({ flyTo: target });
  store.set({ flyTo: target });
  store.set({ flyTo: { place: 1 } }); // a new request for the same place
  assert.deepEqual(heard, [
    ["groups", ["red"]], ["groups", ["red", "blue"]], ["groups", ["blue", "red"]],
    ["flyTo", { place: 1 }], ["flyTo", { place: 1 }],
  ]);
});

test("no field is added on the fly: unknown names are refused by set() and on()", () => {
  const store = createStore({ day: 0 });
  assert.throws(() => store.set({ dya: 1 }), /No state field "dya"/);
  assert.throws(() => store.set({ day: 1, extra: 2 }), /No state field "extra"/);
  assert.equal(store.get().day, 0); // a refused patch writes nothing
  assert.throws(() => store.on("nope", () => {}), /No state field "nope"/);
  assert.throws(() => createStore({ "*": 1 }), TypeError);
  assert.deepEqual(Object.keys(store.get()), ["day"]);
});

test("a handler may set() again: the nested events run at once, later handlers see the latest state", () => {
  const store = createStore({ safe: false, colors: "own" });
  const heard = [];
  store.on("safe", (on) => store.set({ colors: on ? "safe" : "own" }));
  store.on("safe", (on, state) => heard.push(["safe", on, state.colors]));
  store.on("colors", (colors) => heard.push(["colors", colors]));
  store.on("*", (changed) => heard.push(["*", changed]));
  store.set({ safe: true });
  assert.deepEqual(heard, [["colors", "safe"], ["*", ["colors"]], ["safe", true, "safe"], ["*", ["safe"]]]);
});

test("on() returns its off; a handler removed while events run is not called again", () => {
  const store = createStore({ day: 0 });
  const heard = [];
  const off = store.on("day", (value) => {
    heard.push(value);
    off();
  });
  store.on("day", (value) => heard.push(-value));
  store.set({ day: 1 });
  store.set({ day: 2 });
  assert.deepEqual(heard, [1, -1, -2]);
  off(); // twice is harmless
});

test("the page's state declares every field the modules use, with its default", () => {
  const state = createPageState();
  assert.deepEqual(Object.keys(state.get()), [
    "theater", "day", "playing", "groups", "safeColors", "colors", "place", "placeLoaded", "flyTo",
    "view", "comparison", "zones", "zoneAreas", "measure", "hiddenLayers", "recent", "pair", "frontLine",
    "areaDiff",
  ]);
  const s = state.get();
  assert.equal(s.day, 0);
  assert.equal(s.place, null);
  assert.deepEqual(s.groups, []);
  assert.equal(s.measure, "places");
  assert.deepEqual([s.hiddenLayers, s.recent, s.pair, s.frontLine], [[], 0, null, true]);
  assert.ok(s.colors instanceof Map && s.colors.size === 0);
  assert.notEqual(createPageState().get().colors, s.colors); // each page its own defaults
});
