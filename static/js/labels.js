// Which place names fit on the map: the most important places first (then the most populous,
// then by name), each label put right of its disc, or left when that is taken, and left out
// when both would overlap a label already placed. Zooming in spreads the places apart, so more
// fit. Pure (tests/js/labels.test.mjs): positions and text widths come in, boxes go out.

const GAP = 3; // pixels between a disc and its label
const HEIGHT = 15; // a label's box, for a 12-pixel font
const MAX_LABELS = 160;
const MAX_TRIED = 4000; // candidates looked at, at most (the rest are less important)

// The order labels are tried in: importance, then population, then name.
export function labelOrder(places) {
  return [...places].sort((a, b) => b.importance - a.importance
    || (b.population ?? -1) - (a.population ?? -1) || a.name.localeCompare(b.name));
}

function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

// candidates: [{ index, x, y, r, width }] in the order to try (x, y: the disc's centre, r its
// radius, width the label's text width, all in pixels); view: { width, height }.
// -> [{ index, x, y, w, h, side }] for the labels that fit, none overlapping another or
// leaving the view.
export function placeLabels(candidates, view, { max = MAX_LABELS } = {}) {
  const placed = [];
  const grid = new Map(); // cells of 64 pixels -> the boxes touching them
  const cells = (box, add) => {
    const out = [];
    for (let cx = Math.floor(box.x / 64); cx <= Math.floor((box.x + box.w) / 64); cx++) {
      for (let cy = Math.floor(box.y / 64); cy <= Math.floor((box.y + box.h) / 64); cy++) {
        const key = cx * 100003 + cy;
        if (add) {
          if (!grid.has(key)) grid.set(key, []);
          grid.get(key).push(box);
        } else out.push(...(grid.get(key) || []));
      }
    }
    return out;
  };
  const free = (box) => box.x >= 0 && box.y >= 0 && box.x + box.w <= view.width && box.y + box.h <= view.height
    && !cells(box, false).some((other) => overlaps(box, other));
  let tried = 0;
  for (const c of candidates) {
    if (placed.length >= max || ++tried > MAX_TRIED) break;
    const w = Math.ceil(c.width) + 4, y = c.y - HEIGHT / 2;
    const right = { index: c.index, x: c.x + c.r + GAP, y, w, h: HEIGHT, side: "right" };
    const left = { index: c.index, x: c.x - c.r - GAP - w, y, w, h: HEIGHT, side: "left" };
    const box = free(right) ? right : free(left) ? left : null;
    if (!box) continue;
    placed.push(box);
    cells(box, true);
  }
  return placed;
}
