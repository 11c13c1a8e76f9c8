// node --test tests/js/ (make test): static/js/format.js, the words the page shows.
import assert from "node:assert/strict";
import test from "node:test";

import {
  areaLabel, asOfLabel, compareByGroup, describe, km2Label, kindLabel, netLabel, shortName, signedKm2, zonesNote,
} from "../../static/js/format.js";
import { Replay, dayNumber } from "../../static/js/replay.js";
import { timeline } from "./fixtures.mjs";

const red = { id: 1, name: "Red Army", short_name: "Red" };
const blue = { id: 2, name: "Blue Front", short_name: "" };

test("describe a place's state", () => {
  assert.equal(describe({ status: "unknown", controller: null, challengers: [] }), "Unknown (no record yet)");
  assert.equal(describe({ status: "controlled", controller: red, challengers: [] }), "Held by Red Army");
  assert.equal(describe({ status: "controlled", controller: null, challengers: [] }), "Held by no one");
  assert.equal(describe({ status: "contested", controller: red, challengers: [blue, red] }),
    "Contested: held by Red Army, challenged by Blue Front, Red Army");
  assert.equal(describe({ status: "contested", controller: null, challengers: [] }), "Contested: held by no one");
  assert.equal(describe({ status: "besieged", controller: red, challengers: [blue] }), "Besieged: held by Red Army, challenged by Blue Front");
});

test("describe what a replay says, day by day", () => {
  const replay = new Replay(timeline());
  replay.seek(dayNumber("2020-02-01"));
  assert.equal(describe(replay.stateOf(0)), "Besieged: held by Red Army, challenged by Blue Front");
  assert.equal(describe(replay.stateOf(2)), "Unknown (no record yet)");
});

test("kinds, areas and short names", () => {
  assert.equal(kindLabel("town"), "Town");
  assert.equal(kindLabel("border_crossing"), "Border crossing");
  assert.equal(areaLabel(0), "");
  assert.equal(areaLabel(undefined), "");
  assert.equal(areaLabel(950), "950 km²");
  assert.equal(areaLabel(12345), "12.3K km²");
  assert.equal(areaLabel(2_000_000), "2M km²");
  assert.equal(shortName(red), "Red");
  assert.equal(shortName(blue), "Blue Front");
  assert.equal(shortName(null), "nobody");
});

test("the zones note: the method and the last day the zones hold (the day before valid_until)", () => {
  const method = "Derived, not observed: nearest place.";
  assert.equal(zonesNote({ method, valid_from: "2017-11-03", valid_until: "2017-11-10" }),
    "Derived, not observed: nearest place. These zones hold from 2017-11-03 to 2017-11-09.");
  assert.equal(zonesNote({ method, valid_from: "2017-12-31", valid_until: "2018-01-01" }),
    "Derived, not observed: nearest place. These zones hold from 2017-12-31 to 2017-12-31.");
  assert.equal(zonesNote({ method, valid_from: "2019-03-23", valid_until: null }),
    "Derived, not observed: nearest place. These zones hold from 2019-03-23 on.");
  assert.equal(zonesNote({ method, valid_from: null, valid_until: "2014-06-01" }), "No place is held yet on this day.");
});

test("a comparison by group: the biggest net gain first, gains and losses apart", () => {
  const replay = new Replay(timeline());
  const rows = replay.compare(dayNumber("2020-01-01"), dayNumber("2020-03-15"));
  // Alpha: nobody -> Red -> Blue (gained by Blue), Bravo: nobody -> Red (gained by Red)
  const sections = compareByGroup(rows);
  assert.deepEqual(sections.map(([group, moves]) => [group.slug, moves.gained.map((r) => r.place.slug), moves.lost.length]), [
    ["blue", ["alpha"], 0], ["red", ["bravo"], 0],
  ]);
  const later = compareByGroup(replay.compare(dayNumber("2020-02-01"), dayNumber("2020-12-31")));
  assert.deepEqual(later.map(([group, moves]) => [group.slug, moves.gained.length, moves.lost.length]), [["blue", 2, 0], ["red", 0, 2]]);
  assert.deepEqual(compareByGroup([]), []);
});

test("'as of' the change's day, with what is unsure about it", () => {
  const sure = { since: "2015-03-04", doubt: 0 };
  assert.equal(asOfLabel(sure), "as of 2015-03-04");
  assert.equal(asOfLabel({ since: null, doubt: 0 }), "");
  assert.equal(asOfLabel({ since: "2015-03-01", doubt: 1 }), "as of 2015-03 (date known only to the month)");
  assert.equal(asOfLabel({ since: "2015-01-01", doubt: 1 }, { date_precision: "year", confidence: "confirmed" }),
    "as of 2015 (date known only to the year)");
  assert.equal(asOfLabel({ since: "2015-03-04", doubt: 2 }), "as of 2015-03-04 (not confirmed)");
  assert.equal(asOfLabel({ since: "2015-03-01", doubt: 3 }, { date_precision: "month", confidence: "claimed" }),
    "as of 2015-03 (date known only to the month; claimed)");
  const r = new Replay(timeline());
  r.seek(dayNumber("2020-07-01"));
  assert.equal(asOfLabel(r.stateOf(0)), "as of 2020-03 (date known only to the month)");
  assert.equal(asOfLabel(r.stateOf(1)), "as of 2020-06-30 (not confirmed)");
});

test("observed km², their changes and a layer's net over a span", () => {
  assert.equal(km2Label(116994.89), "116,995 km²");
  assert.equal(km2Label(1234.56, 1), "1,234.6 km²");
  assert.equal(km2Label(null), "—");
  assert.equal(km2Label(0), "0 km²");
  assert.equal(signedKm2(120.4), "+120 km²");
  assert.equal(signedKm2(-3.46, 1), "−3.5 km²");
  assert.equal(signedKm2(0.2), "±0 km²");
  assert.equal(netLabel(100, 80, 30), "+20 km² in 30 days");
  assert.equal(netLabel(100, null, 30), "new in the last 30 days");
  assert.equal(netLabel(null, 80, 30), "");
});
