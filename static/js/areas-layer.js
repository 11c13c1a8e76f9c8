// Observed area layers on one canvas under the places: each layer's ground on the day shown as
// a translucent fill in its group's colour (hatched when the layer is contested ground) with a
// solid edge; the ground gained in the last N days in a stronger tint and the ground lost in a
// hatch; where two chosen layers disagree, shaded; the front line on top.
//
// Every frame is drawn from the area timeline in memory (area-timeline.js), never a request.
// A version's outline is turned into canvas paths (its points projected, those closer than half
// a pixel to the last kept one dropped) once per view and kept, so while the slider moves the
// cost of a frame is the fills and strokes of the versions in force. Gains, losses and
// disagreements are vector fills too: two versions' rings in one path, filled even-odd, are
// the ground exactly one of them holds (their shared edges cancel, leaving no seam); clipped to
// one of them, the ground it holds and the other does not.

/* global L */

const FILL_ALPHA = 0.24;
const RECENT_ALPHA = 0.5; // added over the fill: the gained ground shows in a stronger tint
const EDGE_WIDTH = 1.2;
const FRONT_COLOR = "#1b1f24";
const FRONT_WIDTH = 2.2;
const DISAGREE_COLOR = "#6a1b9a";
const PATHS_KEPT = 256; // per view

export const AreasLayer = L.Layer.extend({
  // timeline: an AreaTimeline; colorOf(groupId) -> "#rrggbb".
  initialize(timeline, { colorOf }) {
    this.timeline = timeline;
    this.colorOf = colorOf;
    this.day = 0;
    this.shown = new Set(timeline.layers.map((layer) => layer.slug));
    this.recent = 0; // days: the gains and losses of the last `recent` days, or none
    this.pair = null; // [slugA, slugB]: their disagreement shaded
    this.front = true;
    this.paths = new Map(); // "slug:version" -> { fill, front, box } in container pixels
    this.patterns = new Map();
    this.drawn = null; // what the canvas shows (a key): frames that change nothing draw nothing
  },

  onAdd(map) {
    this._map = map;
    if (!map.getPane("areas")) map.createPane("areas").style.zIndex = 370; // under the places
    this.canvas = L.DomUtil.create("canvas", "areas-layer leaflet-zoom-hide");
    this.canvas.setAttribute("aria-hidden", "true");
    map.getPane("areas").appendChild(this.canvas);
    map.on("moveend zoomend resize", this._reset, this);
    this._reset();
  },

  onRemove(map) {
    this.canvas.remove();
    map.off("moveend zoomend resize", this._reset, this);
  },

  _reset() {
    const map = this._map;
    const size = map.getSize();
    this.ratio = window.devicePixelRatio || 1;
    L.DomUtil.setPosition(this.canvas, map.containerPointToLayerPoint([0, 0]));
    this.canvas.width = Math.round(size.x * this.ratio);
    this.canvas.height = Math.round(size.y * this.ratio);
    this.canvas.style.width = `${size.x}px`;
    this.canvas.style.height = `${size.y}px`;
    this.size = size;
    this.origin = map.getPixelBounds().min; // container (0, 0) in pixels at this zoom
    this.scale = 2 ** map.getZoom();
    this.paths.clear();
    this.patterns.clear();
    this.drawn = null;
    this.redraw();
  },

  setDay(day) {
    this.day = day;
    this.redraw();
  },

  // Colours changed (the colour-blind-safe palette).
  recolor(colorOf) {
    this.colorOf = colorOf;
    this.patterns.clear();
    this.drawn = null;
    this.redraw();
  },

  // Options changed: shown layers (a Set of slugs), recent days, the pair, the front line.
  configure({ shown = this.shown, recent = this.recent, pair = this.pair, front = this.front }) {
    Object.assign(this, { shown, recent, pair, front });
    this.drawn = null;
    this.redraw();
  },

  // The layers drawn, each with the version in force on the day (and `recent` days before).
  _plan() {
    const pair = this.pair && this.pair.map((slug) => this.timeline.bySlug.get(slug)).filter(Boolean);
    const wanted = new Set(this.shown);
    if (pair?.length === 2) pair.forEach((layer) => wanted.add(layer.slug));
    const layers = this.timeline.layers.filter((layer) => wanted.has(layer.slug)).map((layer) => ({
      layer,
      v: layer.versionAt(this.day),
      before: this.recent ? layer.versionAt(this.day - this.recent) : -1,
    }));
    return { layers, pair: pair?.length === 2 ? pair : null };
  },

  redraw() {
    if (!this.canvas || !this.canvas.width || !this.canvas.height) return;
    const plan = this._plan();
    const key = `${plan.layers.map((p) => `${p.layer.slug}:${p.v}:${p.before}`).join(",")}|${plan.pair ? plan.pair.map((l) => l.slug) : ""}|${this.front}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.clearRect(0, 0, this.size.x, this.size.y);
    const color = (layer) => this.colorOf(layer.layer.group.id);

    // versions whose box lies off the canvas draw nothing (zoomed in on another part)
    for (const p of plan.layers) if (p.v >= 0 && !this._inView(this._path(p.layer, p.v).box)) p.v = -2;
    for (const { layer, v } of plan.layers) {
      if (v < 0) continue;
      const contested = layer.layer.status === "contested";
      ctx.globalAlpha = contested ? 0.7 : FILL_ALPHA;
      ctx.fillStyle = contested ? this._pattern("hatch", color(layer)) : color(layer);
      ctx.fill(this._path(layer, v).fill, "evenodd");
    }
    ctx.globalAlpha = 1;
    if (this.recent) {
      for (const { layer, v, before } of plan.layers) {
        if (v === before || v === -2) continue;
        // gained: held now and not `recent` days ago; lost: the reverse, hatched
        if (v >= 0) this._composite(ctx, layer, v, before, color(layer), RECENT_ALPHA, null);
        if (before >= 0) this._composite(ctx, layer, before, v, color(layer), 0.9, "lost");
      }
    }
    if (plan.pair) this._disagreement(ctx, plan.pair);

    ctx.lineJoin = "bevel"; // cheaper to rasterise than round, alike at these widths
    for (const { layer, v } of plan.layers) {
      if (v < 0) continue;
      const second = plan.pair && layer === plan.pair[1];
      ctx.setLineDash(second ? [6, 4] : []);
      ctx.lineWidth = second ? EDGE_WIDTH + 0.6 : EDGE_WIDTH;
      ctx.strokeStyle = second ? shade(color(layer), -0.35) : color(layer);
      ctx.stroke(this._path(layer, v).fill);
    }
    ctx.setLineDash([]);
    if (this.front) {
      ctx.lineWidth = FRONT_WIDTH;
      ctx.strokeStyle = FRONT_COLOR;
      for (const { layer, v } of plan.layers) if (v >= 0) ctx.stroke(this._path(layer, v).front);
    }
  },

  // Version `v` of `layer` less version `cut` (-1: nothing), filled with `color` at `alpha`
  // (or with the lost hatch).
  _composite(ctx, layer, v, cut, color, alpha, hatch) {
    const keep = this._path(layer, v).fill;
    ctx.save();
    ctx.globalAlpha = alpha;
    ctx.fillStyle = hatch ? this._pattern(hatch, color) : color;
    if (cut < 0) {
      ctx.fill(keep, "evenodd");
    } else {
      ctx.clip(keep, "evenodd");
      ctx.fill(this._either(keep, this._path(layer, cut).fill), "evenodd");
    }
    ctx.restore();
  },

  // The ground exactly one of the pair shows, cross-hatched.
  _disagreement(ctx, [a, b]) {
    const va = a.versionAt(this.day), vb = b.versionAt(this.day);
    const paths = [va >= 0 ? this._path(a, va).fill : null, vb >= 0 ? this._path(b, vb).fill : null].filter(Boolean);
    if (!paths.length) return;
    ctx.save();
    ctx.globalAlpha = 0.85;
    ctx.fillStyle = this._pattern("cross", DISAGREE_COLOR);
    ctx.fill(paths.length === 2 ? this._either(...paths) : paths[0], "evenodd");
    ctx.restore();
  },

  _inView([x, y, w, h]) {
    return x < this.size.x && y < this.size.y && x + w > 0 && y + h > 0;
  },

  // Two outlines in one path: filled even-odd, the ground exactly one of them holds.
  _either(first, second) {
    const both = new Path2D(first);
    both.addPath(second);
    return both;
  },

  // Version v's outline as paths in container pixels: `fill` (every ring) and `front` (its
  // front segments), and its bounding box [x, y, w, h].
  _path(layer, v) {
    const key = `${layer.slug}:${v}`;
    const known = this.paths.get(key);
    if (known) return known;
    const rings = layer.rings(v);
    const s = this.scale, ox = this.origin.x, oy = this.origin.y;
    const fill = new Path2D(), front = new Path2D();
    for (const { xy, front: flags } of rings) {
      const n = flags.length;
      if (n < 3) continue;
      let lx = xy[0] * s - ox, ly = xy[1] * s - oy, last = 0; // the last point kept
      let open = false; // a front run is being drawn
      fill.moveTo(lx, ly);
      const keep = (i, x, y) => {
        if (flags[last]) {
          if (!open) front.moveTo(lx, ly);
          front.lineTo(x, y);
          open = true;
        } else {
          open = false;
        }
        lx = x;
        ly = y;
        last = i;
      };
      for (let i = 1; i < n; i++) {
        const x = xy[2 * i] * s - ox, y = xy[2 * i + 1] * s - oy;
        // dropped when within half a pixel, unless the front starts or stops here
        if (Math.abs(x - lx) < 0.5 && Math.abs(y - ly) < 0.5 && flags[i] === flags[last]) continue;
        fill.lineTo(x, y);
        keep(i, x, y);
      }
      fill.closePath();
      keep(0, xy[0] * s - ox, xy[1] * s - oy); // the closing segment
    }
    const [x0, y0, x1, y1] = rings.box;
    const pad = FRONT_WIDTH + 1;
    const path = {
      fill, front,
      box: [x0 * s - ox - pad, y0 * s - oy - pad, (x1 - x0) * s + 2 * pad, (y1 - y0) * s + 2 * pad],
    };
    this.paths.set(key, path);
    if (this.paths.size > PATHS_KEPT) this.paths.delete(this.paths.keys().next().value);
    return path;
  },

  // A repeating pattern in `color`: "hatch" (contested ground), "lost" (ground lost lately),
  // "cross" (where two layers disagree), anchored to the map so it moves with it.
  _pattern(kind, color) {
    const key = `${kind}|${color}`;
    let pattern = this.patterns.get(key);
    if (!pattern) {
      const side = kind === "cross" ? 8 : 7;
      const tile = document.createElement("canvas");
      tile.width = tile.height = side;
      const t = tile.getContext("2d");
      t.strokeStyle = color;
      t.lineWidth = kind === "lost" ? 2 : 1.3;
      t.beginPath();
      t.moveTo(0, side);
      t.lineTo(side, 0);
      if (kind === "cross") {
        t.moveTo(0, 0);
        t.lineTo(side, side);
      }
      t.stroke();
      pattern = this.canvas.getContext("2d").createPattern(tile, "repeat");
      pattern.setTransform(new DOMMatrix().translate(-(this.origin.x % side), -(this.origin.y % side)));
      this.patterns.set(key, pattern);
    }
    return pattern;
  },

  // The colour drawn at a container point, as { color: "#rrggbb", alpha: 0-255 } (alpha 0:
  // nothing there).
  pixelAt(x, y) {
    const ctx = this.canvas.getContext("2d");
    const [r, g, b, alpha] = ctx.getImageData(Math.round(x * this.ratio), Math.round(y * this.ratio), 1, 1).data;
    return { color: `#${[r, g, b].map((c) => c.toString(16).padStart(2, "0")).join("")}`, alpha };
  },
});

// "#rrggbb" made darker (amount < 0) or lighter (> 0).
export function shade(hex, amount) {
  const n = parseInt(hex.slice(1), 16);
  const channel = (c) => Math.round(amount < 0 ? c * (1 + amount) : c + (255 - c) * amount);
  return `#${[n >> 16, (n >> 8) & 255, n & 255].map((c) => channel(c).toString(16).padStart(2, "0")).join("")}`;
}
