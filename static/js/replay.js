// The replay engine: decodes the API's compact timeline (docs/api.md) and answers "what was
// each place's state on day D" for any D, fast enough to run on every slider move.
//
// A place's state on day D is the last published change for it dated on or before D (or
// "unknown" before its first change): the same rule as the server's control/ endpoint.
// Changes are sorted by date; the state after the first n changes is kept as a per-place
// index of the latest change. Checkpoints of that index every `stride` changes make any jump
// cost at most `stride` change applications.

const DAY_MS = 86400000;
export const DOUBT_DATE = 1; // the change's date is known only to the month or the year
export const DOUBT_CONFIDENCE = 2; // its confidence is likely, claimed or disputed

export function dayNumber(iso) {
  // Days since 1970-01-01 for a YYYY-MM-DD string (UTC, no time zone surprises).
  const [y, m, d] = iso.split("-").map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}

export function isoDate(day) {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export class Replay {
  constructor(timeline) {
    const p = timeline.places;
    this.theater = timeline.theater;
    this.groups = timeline.groups;
    this.groupById = new Map(timeline.groups.map((g) => [g.id, g]));
    this.places = p.id.map((id, i) => ({
      id, index: i, slug: p.slug[i], name: p.name[i], kind: p.kind[i], importance: p.importance[i],
      population: p.population?.[i] ?? null, lon: p.lon[i], lat: p.lat[i],
    }));
    this.placeIndex = new Map(p.id.map((id, i) => [id, i]));
    this.slugIndex = new Map(p.slug.map((slug, i) => [slug, i]));
    this.statusNames = timeline.status_codes;
    const code = Object.fromEntries(Object.entries(this.statusNames).map(([c, name]) => [name, Number(c)]));
    this.contestedCodes = new Set([code.contested, code.besieged]);
    this.besiegedCode = code.besieged;

    if (timeline.format !== 2) throw new Error(`timeline format ${timeline.format} is not 2`);
    const c = timeline.changes;
    const n = c.count;
    this.count = n;
    this.day = new Int32Array(n);
    this.place = new Int32Array(n);
    this.status = new Uint8Array(n);
    this.controller = new Int32Array(n); // 0 = none
    // what is unsure about each change, bits: DOUBT_DATE, DOUBT_CONFIDENCE (absent: nothing)
    this.doubt = c.doubt ? Uint8Array.from(c.doubt) : new Uint8Array(n);
    this.challengers = c.challengers;
    // Groups numbered 1..G (0 = none) for the drawing code's look-up keys: the controller's
    // and the first challenger's number for each change.
    this.groupAtSlot = [null, ...timeline.groups];
    const slot = new Map(timeline.groups.map((g, k) => [g.id, k + 1]));
    this.controllerSlot = new Uint16Array(n);
    this.challengerSlot = new Uint16Array(n);
    // day, place id and change id are running sums of their columns (docs/api.md)
    const changeId = (this.changeId = new Float64Array(n)); // exact to 2^53
    let day = dayNumber(timeline.epoch), place = 0, id = 0;
    for (let i = 0; i < n; i++) {
      day += c.day_delta[i];
      place += c.place_delta[i];
      id += c.id_delta[i];
      this.day[i] = day;
      this.place[i] = this.placeIndex.get(place) ?? -1;
      changeId[i] = id;
      this.status[i] = c.status[i];
      this.controller[i] = c.controller[i] || 0;
      this.controllerSlot[i] = slot.get(c.controller[i]) || 0;
      this.challengerSlot[i] = slot.get(c.challengers[i]?.[0]) || 0;
    }
    this.firstDay = dayNumber(timeline.theater.start);
    this.lastDay = timeline.theater.end ? dayNumber(timeline.theater.end)
      : Math.max(this.firstDay, n ? this.day[n - 1] : this.firstDay);
    if (n && this.day[n - 1] > this.lastDay) this.lastDay = this.day[n - 1];

    this.stride = Math.max(1024, Math.ceil(n / 64));
    this.checkpoints = [];
    const current = new Int32Array(this.places.length).fill(-1);
    for (let i = 0; i <= n; i++) {
      if (i % this.stride === 0) this.checkpoints.push(current.slice());
      if (i < n && this.place[i] >= 0) current[this.place[i]] = i;
    }
    this.current = new Int32Array(this.places.length).fill(-1);
    this.applied = 0; // changes applied in this.current
  }

  // Widen the range of days shown to reach [first, last] (other records' days: area layers).
  extendRange(first, last) {
    if (first !== null && first < this.firstDay) this.firstDay = first;
    if (last !== null && last > this.lastDay) this.lastDay = last;
  }

  // The day nearest to `day` (rounded to whole days) in the theater's range.
  clampDay(day) {
    return Math.max(this.firstDay, Math.min(this.lastDay, Math.round(day)));
  }

  // The ids of the groups with these slugs (unknown slugs are left out).
  groupIds(slugs) {
    const wanted = new Set(slugs);
    return new Set(this.groups.filter((g) => wanted.has(g.slug)).map((g) => g.id));
  }

  // Number of changes dated on or before `day` (binary search).
  countUntil(day) {
    let lo = 0, hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.day[mid] <= day) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // Bring `this.current` to day `day`; returns the indexes of places whose change moved.
  seek(day) {
    const target = this.countUntil(day);
    const before = this.current;
    let from;
    let next;
    if (target >= this.applied && target - this.applied <= this.stride) {
      next = before.slice();
      from = this.applied;
    } else {
      const k = Math.floor(target / this.stride);
      next = this.checkpoints[k].slice();
      from = k * this.stride;
    }
    for (let i = from; i < target; i++) {
      if (this.place[i] >= 0) next[this.place[i]] = i;
    }
    const moved = [];
    for (let p = 0; p < next.length; p++) if (next[p] !== before[p]) moved.push(p);
    this.current = next;
    this.applied = target;
    return moved;
  }

  // The state of place index p in the current frame.
  stateOf(p, current = this.current) {
    const i = current[p];
    if (i < 0) return { status: "unknown", controller: null, challengers: [], since: null, change: null, doubt: 0 };
    return {
      status: this.statusNames[this.status[i]],
      controller: this.groupById.get(this.controller[i]) || null,
      challengers: (this.challengers[i] || []).map((g) => this.groupById.get(g)).filter(Boolean),
      since: isoDate(this.day[i]),
      change: this.changeId[i],
      doubt: this.doubt[i],
    };
  }

  // Whether place index p is held or challenged by one of `groupIds` in the current frame.
  involves(p, groupIds) {
    const i = this.current[p];
    if (i < 0) return false;
    if (groupIds.has(this.controller[i])) return true;
    const challengers = this.challengers[i];
    return Boolean(challengers && challengers.some((g) => groupIds.has(g)));
  }

  // A full per-place index for an arbitrary day, without moving the current frame.
  indexAt(day) {
    const target = this.countUntil(day);
    const k = Math.floor(target / this.stride);
    const index = this.checkpoints[k].slice();
    for (let i = k * this.stride; i < target; i++) if (this.place[i] >= 0) index[this.place[i]] = i;
    return index;
  }

  previousChangeDay(day) {
    const n = this.countUntil(day - 1);
    return n > 0 ? this.day[n - 1] : null;
  }

  nextChangeDay(day) {
    const n = this.countUntil(day);
    return n < this.count ? this.day[n] : null;
  }

  // Places held per group in the current frame: Map group id -> count.
  holdings() {
    const held = new Map();
    for (let p = 0; p < this.current.length; p++) {
      const i = this.current[p];
      if (i >= 0 && this.controller[i]) held.set(this.controller[i], (held.get(this.controller[i]) || 0) + 1);
    }
    return held;
  }

  // Places gained and lost by each group between two days.
  compare(dayA, dayB) {
    const a = this.indexAt(dayA);
    const b = this.indexAt(dayB);
    const rows = [];
    for (let p = 0; p < a.length; p++) {
      const before = a[p] >= 0 ? this.controller[a[p]] : 0;
      const after = b[p] >= 0 ? this.controller[b[p]] : 0;
      if (before === after) continue;
      if (after) rows.push({ place: this.places[p], change: "gained", group: this.groupById.get(after), from: this.groupById.get(before) || null });
      if (before) rows.push({ place: this.places[p], change: "lost", group: this.groupById.get(before), to: this.groupById.get(after) || null });
    }
    return rows;
  }

  // Changes in each of `buckets` equal spans of the theater's range, for the histogram.
  histogram(buckets) {
    const span = Math.max(1, this.lastDay - this.firstDay + 1);
    const counts = new Uint32Array(buckets);
    for (let i = 0; i < this.count; i++) {
      const b = Math.floor(((this.day[i] - this.firstDay) / span) * buckets);
      if (b >= 0 && b < buckets) counts[b]++;
    }
    return counts;
  }
}
