// node --test tests/js/ (make test): static/js/area-timeline.js, the area timeline's decoding
// (the layout of docs/api.md, "area-timeline/") and the version in force on a day.
import assert from "node:assert/strict";
import test from "node:test";

import { AreaTimeline, decodeRing, worldX, worldY } from "../../static/js/area-timeline.js";
import { dayNumber } from "../../static/js/replay.js";

const SCALE = 100000;

// Integer points -> the edits of one ring written all as new points.
function written(points, flags) {
  const ops = [0, points.length];
  points.forEach(([x, y], i) => {
    const [px, py] = i ? points[i - 1] : [0, 0];
    ops.push(x - px, y - py, flags[i]);
  });
  return ops;
}

function world(points) {
  return points.flatMap(([x, y]) => [worldX(x / SCALE), worldY(y / SCALE)]);
}

const square = [[3000000, 3000000], [3100000, 3000000], [3100000, 3100000], [3000000, 3100000]];

test("world units are Leaflet's EPSG:3857 at zoom 0", () => {
  assert.equal(worldX(0), 128);
  assert.equal(worldX(-180), 0);
  assert.equal(worldY(0), 128);
  assert.ok(Math.abs(worldY(85.0511287798)) < 1e-9);
  assert.equal(worldY(89), worldY(85.0511287798)); // clamped as Leaflet does
});

test("new points: the first as it is, the next as differences, each with its front flag", () => {
  const ring = decodeRing(written(square, [0, 1, 0, 0]), [], SCALE);
  assert.deepEqual([...ring.xy], world(square));
  assert.deepEqual([...ring.front], [0, 1, 0, 0]);
});

test("copies forwards and backwards wrap round and carry the segments' flags", () => {
  const before = [decodeRing(written(square, [0, 1, 0, 0]), [], SCALE)];
  // forwards from point 3: 3, 0, 1 — then one new point, then the segment back to 3
  const forward = decodeRing([1, 0, 3, 3, 1, ...written([[3150000, 3050000]], [0])], before, SCALE);
  assert.deepEqual([...forward.xy], world([square[3], square[0], square[1], [3150000, 3050000]]));
  // segments 3->0 and 0->1 as they were (0, 0); 1->new is given (1); new->3 (0)
  assert.deepEqual([...forward.front], [0, 0, 1, 0]);
  // backwards from point 2: 2, 1, 0, 3; segment 2->1 is segment 1->2 reversed (front)
  const backward = decodeRing([2, 0, 2, 4, 0], before, SCALE);
  assert.deepEqual([...backward.xy], world([square[2], square[1], square[0], square[3]]));
  assert.deepEqual([...backward.front], [1, 0, 0, 0]);
  assert.throws(() => decodeRing([1, 5, 0, 2, 0], before, SCALE), /ring 5/);
  assert.throws(() => decodeRing([7], before, SCALE), /unknown ring edit 7/);
});

// A layer whose square grows east by one unit a version, for `n` versions from 2020-01-01, a
// version every two days; its last has no end.
function growing(n) {
  const rings = [written(square, [0, 1, 0, 0])].map((ring) => [ring]);
  for (let v = 1; v < n; v++) {
    const east = 3100000 + v;
    // point 0 copied, the two east corners anew (the east side is front), point 3 copied
    rings.push([[1, 0, 0, 1, 0, ...written([[east, 3000000], [east, 3100000]], [1, 0]), 1, 0, 3, 1, 0]]);
  }
  return {
    format: 1, theater: "t", epoch: "2020-01-01", scale: SCALE, border_km: 5,
    layers: [{
      layer: { id: 1, slug: "held", name: "Held", status: "controlled", assessor: "Us", group: { id: 1 } },
      versions: {
        count: n, id: rings.map((_, v) => 100 + v), start: rings.map((_, v) => 2 * v),
        end: rings.map((_, v) => (v === n - 1 ? null : 2 * v + 2)), area_km2: rings.map((_, v) => 10 + v),
        gained_km2: rings.map(() => 1), lost_km2: rings.map(() => 0), front_km: rings.map(() => 3), source: rings.map(() => null),
      },
      rings,
    }],
  };
}

test("any version decodes the same from its keyframe, from the cache, in any order", () => {
  const n = 100;
  const layer = new AreaTimeline(growing(n)).bySlug.get("held");
  const expected = (v) => world([square[0], [3100000 + v, 3000000], [3100000 + v, 3100000], square[3]]);
  const order = [99, 0, 57, 58, 24, 23, 25, 98, 1, 47, 48, 49, 72, 71];
  for (const v of order) assert.deepEqual([...layer.rings(v)[0].xy], expected(v), `version ${v}`);
  for (let v = 0; v < n; v++) assert.deepEqual([...layer.rings(v)[0].xy], expected(v), `version ${v}`);
  assert.deepEqual([...layer.rings(60)[0].front], [0, 1, 0, 0]);
  const box = layer.rings(60).box;
  assert.deepEqual(box, [worldX(30), worldY(31), worldX(31.0006), worldY(30)]);
});

test("the version in force: start <= day < end, none before the first", () => {
  const layer = new AreaTimeline(growing(5)).bySlug.get("held");
  const day = (iso) => dayNumber(iso);
  assert.equal(layer.versionAt(day("2019-12-31")), -1);
  assert.equal(layer.versionAt(day("2020-01-01")), 0);
  assert.equal(layer.versionAt(day("2020-01-02")), 0);
  assert.equal(layer.versionAt(day("2020-01-03")), 1);
  assert.equal(layer.versionAt(day("2030-01-01")), 4); // the last has no end
  assert.equal(layer.areaOn(day("2020-01-05")), 12);
  assert.equal(layer.areaOn(day("2019-01-05")), null);
  assert.throws(() => new AreaTimeline({ ...growing(2), format: 9 }), /format 9/);
});
