// node --test tests/js/ (make test): static/js/labels.js, which place names fit on the map.
import assert from "node:assert/strict";
import test from "node:test";

import { labelOrder, placeLabels } from "../../static/js/labels.js";

const view = { width: 400, height: 300 };
const overlap = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

test("labels go by importance, then population, then name", () => {
  const places = [
    { name: "b", importance: 2, population: 10 }, { name: "a", importance: 2, population: null },
    { name: "c", importance: 3, population: 5 }, { name: "d", importance: 2, population: 900 },
  ];
  assert.deepEqual(labelOrder(places).map((p) => p.name), ["c", "d", "b", "a"]);
});

test("a label that would overlap one placed before goes left, or is left out", () => {
  const at = (index, x, y, width = 50) => ({ index, x, y, r: 4, width });
  const placed = placeLabels([at(0, 300, 100), at(1, 280, 102), at(2, 290, 100), at(3, 100, 200)], view);
  assert.deepEqual(placed.map((b) => [b.index, b.side]), [[0, "right"], [1, "left"], [3, "right"]]);
  // the second's label went left of its disc, clear of it
  assert.ok(placed[1].x + placed[1].w <= 280 - 4);
  // one that would leave the view either side is left out
  assert.deepEqual(placeLabels([at(0, 398, 100, 500)], view), []);
});

test("no two labels overlap and none leaves the view, whatever the crowd", () => {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const crowd = Array.from({ length: 3000 }, (_, index) => ({
    index, x: random() * 400, y: random() * 300, r: 2 + random() * 4, width: 20 + random() * 60,
  }));
  const placed = placeLabels(crowd, view);
  assert.ok(placed.length > 10 && placed.length <= 160);
  for (const [i, a] of placed.entries()) {
    assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.w <= 400 && a.y + a.h <= 300);
    for (const b of placed.slice(i + 1)) assert.ok(!overlap(a, b), `${a.index} and ${b.index}`);
  }
  // spread apart (zoomed in), more fit
  const zoomed = placeLabels(crowd.map((c) => ({ ...c, x: c.x * 4, y: c.y * 4 })), { width: 1600, height: 1200 });
  assert.ok(zoomed.length > placed.length);
});
