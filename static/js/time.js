// Time arithmetic of the time bar: play speeds, how far a frame of play moves, where a day sits
// on the theater's axis, and which typed dates count. Pure (tests/js/time.test.mjs).

export const SPEEDS = { day: 1, week: 7, month: 30 }; // days advanced per second of play
const LONGEST_FRAME_S = 0.25; // a stalled tab resumes where it was, not months later

// Play: `carry` (a fraction of a day not yet shown) plus `elapsedMs` at `daysPerSecond`
// -> the whole days to move now and the new carry.
export function advance(carry, elapsedMs, daysPerSecond) {
  const total = carry + Math.min(LONGEST_FRAME_S, elapsedMs / 1000) * daysPerSecond;
  const days = Math.floor(total);
  return { days, carry: total - days };
}

// Where `day` sits between `first` and `last`, in percent (0 at first, 100 at last).
export function percentOfRange(day, first, last) {
  return ((day - first) / Math.max(1, last - first)) * 100;
}

// A YYYY-MM-DD date as typed in a date field or the query string (not checked as a calendar day).
export function isIsoDate(text) {
  return typeof text === "string" && /^\d{4}-\d{2}-\d{2}$/.test(text);
}
