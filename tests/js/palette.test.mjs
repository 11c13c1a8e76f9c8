// node --test tests/js/ (make test): static/js/palette.js, the colours in use.
import assert from "node:assert/strict";
import test from "node:test";

import { UNKNOWN_COLOR, colorOf, colorsFor, ownColors, safeColors } from "../../static/js/palette.js";
import { Replay } from "../../static/js/replay.js";
import { timeline } from "./fixtures.mjs";

test("own colours are the groups' colours", () => {
  const replay = new Replay(timeline());
  assert.deepEqual([...ownColors(replay.groups)], [[1, "#ff0000"], [2, "#0000ff"], [3, "#00ff00"]]);
  assert.deepEqual([...colorsFor(replay, false, ["#111111"])], [...ownColors(replay.groups)]);
});

test("the safe palette goes out by changes held (most first), ties by id, and wraps around", () => {
  const data = timeline();
  data.changes.controller = [2, 2, 1, 2, 1]; // Blue 3, Red 2, Green 0
  const replay = new Replay(data);
  assert.deepEqual([...safeColors(replay.groups, ["#a", "#b", "#c"], replay)], [[2, "#a"], [1, "#b"], [3, "#c"]]);
  assert.deepEqual([...colorsFor(replay, true, ["#a", "#b"])], [[2, "#a"], [1, "#b"], [3, "#a"]]);
  data.changes.controller = [null, null, null, null, null]; // nobody held anything: by id
  const none = new Replay(data);
  assert.deepEqual([...safeColors(none.groups, ["#a", "#b", "#c"], none)], [[1, "#a"], [2, "#b"], [3, "#c"]]);
  const listedBackwards = [...none.groups].reverse();
  assert.deepEqual([...safeColors(listedBackwards, ["#a", "#b", "#c"], none)], [[1, "#a"], [2, "#b"], [3, "#c"]]);
});

test("colorOf finds a group's colour by group or id, grey for none or unknown", () => {
  const colors = new Map([[1, "#ff0000"], [2, "#0000ff"]]);
  assert.equal(colorOf(colors, 2), "#0000ff");
  assert.equal(colorOf(colors, { id: 1, slug: "red" }), "#ff0000");
  assert.equal(colorOf(colors, null), UNKNOWN_COLOR);
  assert.equal(colorOf(colors, undefined), UNKNOWN_COLOR);
  assert.equal(colorOf(colors, 9), UNKNOWN_COLOR);
  assert.equal(colorOf(colors, { id: 9 }), UNKNOWN_COLOR);
  assert.equal(UNKNOWN_COLOR, "#9aa0a6");
});
