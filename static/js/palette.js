// Group colours on the map: each group's own colour, or a colour-blind-safe palette (the
// server's, see apps/territory/palette.py) given out in order of how much each group held, so
// the main actors get the most distinct colours. Pure (tests/js/palette.test.mjs).

export const UNKNOWN_COLOR = "#9aa0a6"; // no record yet, no holder, or a group without a colour

export function ownColors(groups) {
  return new Map(groups.map((g) => [g.id, g.color]));
}

export function safeColors(groups, palette, replay) {
  const weight = new Map(groups.map((g) => [g.id, 0]));
  for (let i = 0; i < replay.count; i++) {
    const g = replay.controller[i];
    if (weight.has(g)) weight.set(g, weight.get(g) + 1);
  }
  const ranked = [...groups].sort((a, b) => weight.get(b.id) - weight.get(a.id) || a.id - b.id);
  return new Map(ranked.map((g, k) => [g.id, palette[k % palette.length]]));
}

// The colours in use (the state's `colors`): the safe palette or the groups' own.
export function colorsFor(replay, safe, palette) {
  return safe ? safeColors(replay.groups, palette, replay) : ownColors(replay.groups);
}

// A group's colour in `colors`, by group or group id; UNKNOWN_COLOR for none.
export function colorOf(colors, group) {
  const id = typeof group === "object" && group !== null ? group.id : group;
  return colors.get(id) || UNKNOWN_COLOR;
}
