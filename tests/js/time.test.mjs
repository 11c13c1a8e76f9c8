// node --test tests/js/ (make test): static/js/time.js, the time bar's arithmetic.
import assert from "node:assert/strict";
import test from "node:test";

import { SPEEDS, advance, isIsoDate, percentOfRange } from "../../static/js/time.js";

test("play moves whole days and carries the rest to the next frame", () => {
  assert.deepEqual(SPEEDS, { day: 1, week: 7, month: 30 });
  assert.deepEqual(advance(0, 100, 7), { days: 0, carry: 0.7000000000000001 });
  const second = advance(0.7, 100, 7);
  assert.equal(second.days, 1);
  assert.ok(Math.abs(second.carry - 0.4) < 1e-9, second.carry);
  assert.deepEqual(advance(0, 1000 / 60, 30), { days: 0, carry: 0.5 });
  assert.deepEqual(advance(0.5, 1000 / 60, 30), { days: 1, carry: 0 });
  // 60 frames a second at 1 week/s: 7 days after a second
  let carry = 0, days = 0;
  for (let i = 0; i < 60; i++) {
    const moved = advance(carry, 1000 / 60, 7);
    days += moved.days;
    carry = moved.carry;
  }
  assert.equal(days, 7);
});

test("a long pause (a background tab) counts as a quarter of a second at most", () => {
  assert.deepEqual(advance(0, 60_000, 30), { days: 7, carry: 0.5 });
  assert.deepEqual(advance(0, 60_000, 1), { days: 0, carry: 0.25 });
});

test("percentOfRange: 0 at the first day, 100 at the last, a one-day range never divides by 0", () => {
  assert.equal(percentOfRange(10, 10, 20), 0);
  assert.equal(percentOfRange(15, 10, 20), 50);
  assert.equal(percentOfRange(20, 10, 20), 100);
  assert.equal(percentOfRange(30, 10, 20), 200); // past the end (a period running on)
  assert.equal(percentOfRange(10, 10, 10), 0);
  assert.equal(percentOfRange(11, 10, 10), 100);
});

test("isIsoDate accepts YYYY-MM-DD only", () => {
  assert.equal(isIsoDate("2017-11-04"), true);
  for (const text of ["2017-11-4", "17-11-04", "2017-11-04T00:00", " 2017-11-04", "", null, undefined, 20171104]) {
    assert.equal(isIsoDate(text), false, String(text));
  }
});
