// Group colours on the map: each group's own colour, or a colour-blind-safe palette (the
// server's, see apps/territory/palette.py) given out in order of how much each group held, so
// the main actors get the most distinct colours.

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
