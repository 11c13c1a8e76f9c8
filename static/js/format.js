// The words the page shows about the record: a place's state, a place's kind, a zone area, what
// the derived zones are, and a comparison grouped by group. Pure (tests/js/format.test.mjs).

import { DOUBT_CONFIDENCE, DOUBT_DATE, dayNumber, isoDate } from "./replay.js";

const compactNumber = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

// A state from replay.stateOf(): "Held by …", "Contested: held by …, challenged by …", …
export function describe(state) {
  if (state.status === "unknown") return "Unknown (no record yet)";
  const holder = state.controller ? state.controller.name : "no one";
  const others = state.challengers.map((g) => g.name).join(", ");
  if (state.status === "controlled") return `Held by ${holder}`;
  return `${state.status === "besieged" ? "Besieged" : "Contested"}: held by ${holder}${others ? `, challenged by ${others}` : ""}`;
}

// "border_crossing" -> "Border crossing" (the first underscore, as the API's kinds have one).
export function kindLabel(kind) {
  const words = kind.replace("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// The legend's km² column: "12.3K km²", or "" for no area.
export function areaLabel(km2) {
  return km2 ? `${compactNumber.format(km2)} km²` : "";
}

// The note under the zones tick box for one zones/ answer: the method and the days it holds.
export function zonesNote(answer) {
  if (!answer.valid_from) return "No place is held yet on this day.";
  // valid_until is the first day of the next zones: the range ends the day before it
  const span = answer.valid_until
    ? `from ${answer.valid_from} to ${isoDate(dayNumber(answer.valid_until) - 1)}`
    : `from ${answer.valid_from} on`;
  return `${answer.method} These zones hold ${span}.`;
}

// replay.compare() rows -> [[group, { gained: rows, lost: rows }], …], the group that gained
// the most (net) first; groups with equal net keep the order of their first row.
export function compareByGroup(rows) {
  const byGroup = new Map();
  for (const row of rows) {
    if (!byGroup.has(row.group)) byGroup.set(row.group, { gained: [], lost: [] });
    byGroup.get(row.group)[row.change].push(row);
  }
  const net = ({ gained, lost }) => gained.length - lost.length;
  return [...byGroup].sort(([, x], [, y]) => net(y) - net(x));
}

// A group's short name, or its name; "nobody" for none.
export function shortName(group) {
  return group ? group.short_name || group.name : "nobody";
}

// Observed km²: "118,235 km²" (whole km², or `digits` decimals), "—" for none.
const km2Formats = new Map();
export function km2Label(km2, digits = 0) {
  if (km2 === null || km2 === undefined) return "—";
  if (!km2Formats.has(digits)) km2Formats.set(digits, new Intl.NumberFormat("en", { maximumFractionDigits: digits }));
  return `${km2Formats.get(digits).format(km2)} km²`;
}

// A change of km²: "+120 km²", "−3.5 km²", "±0 km²" (within half the last digit shown).
export function signedKm2(net, digits = 0) {
  const half = 0.5 / 10 ** digits;
  const sign = net >= half ? "+" : net <= -half ? "−" : "±";
  return `${sign}${km2Label(Math.abs(net), digits)}`;
}

// An area layer's net change over `days`: from the km² held then (null: no version then) to now.
export function netLabel(now, before, days) {
  if (now === null) return "";
  if (before === null) return `new in the last ${days} days`;
  return `${signedKm2(now - before)} in ${days} days`;
}

// The place panel's "as of" note for a state from replay.stateOf(): the day of the change it
// rests on, and what is unsure about it. `change` (the API's change, once loaded) names its
// precision and confidence; without it, the doubt bits say less.
export function asOfLabel(state, change = null) {
  if (!state.since) return "";
  const precision = change?.date_precision ?? (state.doubt & DOUBT_DATE ? "month" : "day");
  const day = precision === "year" ? state.since.slice(0, 4) : precision === "month" ? state.since.slice(0, 7) : state.since;
  const notes = [];
  if (precision !== "day") notes.push(`date known only to the ${precision}`);
  if (state.doubt & DOUBT_CONFIDENCE) notes.push(change?.confidence ?? "not confirmed");
  return `as of ${day}${notes.length ? ` (${notes.join("; ")})` : ""}`;
}
