// node --test tests/js/ (make test): static/js/replay.js, the timeline decoding and the state of
// every place on any day.
import assert from "node:assert/strict";
import test from "node:test";

import { Replay, dayNumber, isoDate } from "../../static/js/replay.js";
import { timeline } from "./fixtures.mjs";

const day = dayNumber;

// The state of every place on `on`, as slugs, for short assertions.
function frame(replay, on) {
  replay.seek(day(on));
  return replay.places.map((_, p) => {
    const s = replay.stateOf(p);
    return [s.status, s.controller?.slug ?? null, s.challengers.map((g) => g.slug).join(",")].join(" ");
  });
}

test("day numbers are days since 1970-01-01 in UTC, and back", () => {
  assert.equal(dayNumber("1970-01-01"), 0);
  assert.equal(dayNumber("1970-01-02"), 1);
  assert.equal(dayNumber("2020-01-01"), 18262);
  assert.equal(dayNumber("2020-03-01") - dayNumber("2020-02-28"), 2); // a leap year
  assert.equal(isoDate(18262), "2020-01-01");
  assert.equal(isoDate(-1), "1969-12-31");
  for (const iso of ["2014-06-10", "2016-02-29", "2019-12-31"]) assert.equal(isoDate(dayNumber(iso)), iso);
});

test("decodes the columns: theater range, places, groups and change days from the deltas", () => {
  const r = new Replay(timeline());
  assert.equal(r.firstDay, day("2020-01-01"));
  assert.equal(r.lastDay, day("2020-12-31"));
  assert.equal(r.count, 5);
  assert.deepEqual([...r.day].map(isoDate), ["2020-01-10", "2020-02-01", "2020-02-01", "2020-03-15", "2020-06-30"]);
  assert.deepEqual([...r.place], [0, 1, 0, 0, 1]);
  assert.deepEqual([...r.changeId], [100, 101, 102, 103, 104]);
  assert.deepEqual(r.places[1], { id: 12, index: 1, slug: "bravo", name: "Bravo", kind: "border_crossing", importance: 2, population: 9000, lon: 41, lat: 31 });
  assert.equal(r.places[0].population, null); // not known
  assert.deepEqual([...r.doubt], [0, 0, 0, 1, 2]);
  assert.deepEqual([...new Replay({ ...timeline(), changes: { ...timeline().changes, doubt: undefined } }).doubt], [0, 0, 0, 0, 0]);
  assert.equal(r.placeIndex.get(13), 2);
  assert.equal(r.slugIndex.get("charlie"), 2);
  assert.equal(r.groupById.get(2).slug, "blue");
  assert.deepEqual([...r.controllerSlot], [1, 1, 1, 2, 2]); // groups numbered from 1
  assert.deepEqual([...r.challengerSlot], [0, 2, 2, 0, 0]);
  assert.equal(r.besiegedCode, 2);
  assert.deepEqual([...r.contestedCodes].sort(), [1, 2]);
});

test("a place's state is its last change on or before the day; unknown before the first", () => {
  const r = new Replay(timeline());
  assert.deepEqual(frame(r, "2020-01-09"), ["unknown  ", "unknown  ", "unknown  "]);
  assert.deepEqual(frame(r, "2020-01-10"), ["controlled red ", "unknown  ", "unknown  "]);
  assert.deepEqual(frame(r, "2020-02-01"), ["besieged red blue", "contested red blue", "unknown  "]);
  assert.deepEqual(frame(r, "2020-03-14"), ["besieged red blue", "contested red blue", "unknown  "]);
  assert.deepEqual(frame(r, "2020-03-15"), ["controlled blue ", "contested red blue", "unknown  "]);
  assert.deepEqual(frame(r, "2020-12-31"), ["controlled blue ", "controlled blue ", "unknown  "]);
  assert.deepEqual(frame(r, "2020-01-10"), ["controlled red ", "unknown  ", "unknown  "]); // back again
  r.seek(day("2020-03-15"));
  assert.deepEqual(r.stateOf(0), { status: "controlled", controller: r.groupById.get(2), challengers: [], since: "2020-03-15", change: 103, doubt: 1 });
  assert.deepEqual(r.stateOf(2), { status: "unknown", controller: null, challengers: [], since: null, change: null, doubt: 0 });
});

test("seek returns the places whose state moved, forwards and backwards", () => {
  const r = new Replay(timeline());
  assert.deepEqual(r.seek(day("2020-01-05")), []);
  assert.deepEqual(r.seek(day("2020-02-01")), [0, 1]);
  assert.deepEqual(r.seek(day("2020-02-02")), []);
  assert.deepEqual(r.seek(day("2020-06-30")), [0, 1]);
  assert.deepEqual(r.seek(day("2020-03-15")), [1]);
  assert.deepEqual(r.seek(day("2019-01-01")), [0, 1]);
});

test("holdings count the places each group holds in the current frame", () => {
  const r = new Replay(timeline());
  r.seek(day("2020-02-01"));
  assert.deepEqual([...r.holdings()], [[1, 2]]);
  r.seek(day("2020-03-15"));
  assert.deepEqual([...r.holdings()].sort(), [[1, 1], [2, 1]]);
  r.seek(day("2020-01-01"));
  assert.equal(r.holdings().size, 0);
});

test("involves: held or challenged by one of the groups", () => {
  const r = new Replay(timeline());
  r.seek(day("2020-02-01"));
  assert.equal(r.involves(1, new Set([2])), true); // Blue challenges Bravo
  assert.equal(r.involves(1, new Set([3])), false);
  assert.equal(r.involves(2, new Set([1, 2, 3])), false); // unknown
  r.seek(day("2020-03-15"));
  assert.equal(r.involves(0, new Set([1])), false); // Red lost Alpha
});

test("previous and next change days skip the day itself", () => {
  const r = new Replay(timeline());
  assert.equal(isoDate(r.nextChangeDay(day("2020-01-01"))), "2020-01-10");
  assert.equal(isoDate(r.nextChangeDay(day("2020-01-10"))), "2020-02-01");
  assert.equal(r.nextChangeDay(day("2020-06-30")), null);
  assert.equal(isoDate(r.previousChangeDay(day("2020-02-01"))), "2020-01-10");
  assert.equal(isoDate(r.previousChangeDay(day("2020-02-02"))), "2020-02-01");
  assert.equal(r.previousChangeDay(day("2020-01-10")), null);
});

test("compare lists gains and losses between two days without moving the current frame", () => {
  const r = new Replay(timeline());
  r.seek(day("2020-01-01"));
  const rows = r.compare(day("2020-02-01"), day("2020-07-01"));
  assert.deepEqual(rows.map((row) => [row.place.slug, row.change, row.group.slug, (row.from ?? row.to)?.slug]), [
    ["alpha", "gained", "blue", "red"], ["alpha", "lost", "red", "blue"],
    ["bravo", "gained", "blue", "red"], ["bravo", "lost", "red", "blue"],
  ]);
  const first = r.compare(day("2020-01-01"), day("2020-01-10"));
  assert.deepEqual(first.map((row) => [row.place.slug, row.change, row.from]), [["alpha", "gained", null]]);
  assert.deepEqual(r.compare(day("2020-02-01"), day("2020-03-14")), []); // besieged, still Red's
  assert.equal(r.stateOf(0).status, "unknown");
});

test("histogram counts changes in equal spans of the range", () => {
  const r = new Replay(timeline());
  assert.deepEqual([...r.histogram(4)], [4, 1, 0, 0]); // 366 days: Jan-Mar, Apr-Jun, …
  assert.deepEqual([...r.histogram(1)], [5]);
  assert.equal(r.histogram(366).reduce((a, b) => a + b, 0), 5);
});

test("clampDay rounds and keeps a day in the theater's range; groupIds from slugs", () => {
  const r = new Replay(timeline());
  assert.equal(r.clampDay(day("2019-05-01")), r.firstDay);
  assert.equal(r.clampDay(day("2021-05-01")), r.lastDay);
  assert.equal(r.clampDay(day("2020-05-01") + 0.6), day("2020-05-02"));
  assert.deepEqual([...r.groupIds(["blue", "nobody", "red"])].sort(), [1, 2]);
  assert.equal(r.groupIds([]).size, 0);
});

test("a timeline of another format is refused, not misread", () => {
  const old = timeline();
  delete old.format;
  assert.throws(() => new Replay(old), /format/);
});

test("without an end date the range ends on the last change; a change after the end extends it", () => {
  const open = timeline();
  open.theater.end = null;
  assert.equal(isoDate(new Replay(open).lastDay), "2020-06-30");
  const short = timeline();
  short.theater.end = "2020-04-01";
  assert.equal(isoDate(new Replay(short).lastDay), "2020-06-30");
  const empty = timeline();
  empty.theater.end = null;
  empty.changes = { count: 0, day_delta: [], place_delta: [], status: [], controller: [], challengers: [], id_delta: [] };
  const r = new Replay(empty);
  assert.equal(r.lastDay, r.firstDay);
  assert.deepEqual(r.seek(r.lastDay), []);
  assert.equal(r.nextChangeDay(r.firstDay), null);
});

test("a change of a place outside the timeline's places is skipped", () => {
  const data = timeline();
  data.changes.place_delta[0] = 999; // place 999; the next change's delta brings it back to 12
  data.changes.place_delta[1] = 12 - 999;
  const r = new Replay(data);
  assert.equal(r.place[0], -1);
  assert.equal(r.place[1], 1);
  assert.deepEqual(frame(r, "2020-01-20"), ["unknown  ", "unknown  ", "unknown  "]);
});

// Thousands of changes: jumps start from checkpoints (every `stride` changes); every frame must
// equal the naive replay from the start, whatever the order of the jumps.
test("checkpointed seeks agree with replaying every change from the start", () => {
  const places = 40, count = 5000;
  let seed = 42;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const data = timeline();
  data.theater.end = null;
  data.places = {
    id: Array.from({ length: places }, (_, i) => 1000 + i), slug: Array.from({ length: places }, (_, i) => `p${i}`),
    name: Array.from({ length: places }, (_, i) => `P${i}`), kind: Array(places).fill("town"),
    importance: Array(places).fill(1), lon: Array(places).fill(40), lat: Array(places).fill(30),
  };
  const c = { count, day_delta: [], place_delta: [], status: [], controller: [], challengers: [], id_delta: [] };
  let previous = 0;
  for (let i = 0; i < count; i++) {
    const place = 1000 + random(places);
    c.day_delta.push(random(3));
    c.place_delta.push(place - previous);
    previous = place;
    c.status.push(random(3));
    c.controller.push(random(4) || null);
    c.challengers.push([]);
    c.id_delta.push(i ? 1 : 0);
  }
  data.changes = c;
  const r = new Replay(data);
  assert.ok(r.checkpoints.length > 3, "more than one stride of changes");
  const naive = (on) => {
    const latest = Array(places).fill(-1);
    for (let i = 0; i < count && r.day[i] <= on; i++) latest[r.place[i]] = i;
    return latest;
  };
  for (let k = 0; k < 60; k++) {
    const on = r.firstDay - 2 + random(r.lastDay - r.firstDay + 4);
    const before = [...r.current];
    const moved = r.seek(on);
    const expected = naive(on);
    assert.deepEqual([...r.current], expected, `day ${isoDate(on)}`);
    assert.deepEqual(moved, expected.flatMap((i, p) => (i !== before[p] ? [p] : [])));
    assert.deepEqual([...r.indexAt(on)], expected);
  }
});
