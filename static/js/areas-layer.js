// Observed area layers on one canvas under the places: each layer's ground on the day shown as
// a translucent fill in its group's colour (hatched when the layer is contested ground) with a
// solid edge; the ground gained in the last N days in a stronger tint and the ground lost in a
// hatch; where two chosen layers disagree, shaded; the front line on top.
//
// Every frame is drawn from the area timeline in memory (area-timeline.js), never a request.
// A version's outline is turned into canvas paths (its points projected, those closer than half
// a pixel to the last kept one dropped) once per view and kept, so while the slider moves the
// cost of a frame is the fills and strokes of the versions in force. Gains, losses and
// disagreements are composited on a second canvas (fill one version, cut the other out),
// inside the bounding boxes of the versions involved.

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
    this.scratch = document.createElement("canvas");
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
    for (const canvas of [this.canvas, this.scratch]) {
      canvas.width = Math.round(size.x * this.ratio);
      canvas.height = Math.round(size.y * this.ratio);
    }
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
        if (v === before) continue;
        // gained: held now and not `recent` days ago; lost: the reverse, hatched
        if (v >= 0) this._composite(ctx, layer, v, before, color(layer), RECENT_ALPHA, null);
        if (before >= 0) this._composite(ctx, layer, before, v, color(layer), 0.9, "lost");
      }
    }
    if (plan.pair) this._disagreement(ctx, plan.pair);

    ctx.lineJoin = "round";
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
  // (or with the lost hatch), drawn onto ctx within v's bounding box.
  _composite(ctx, layer, v, cut, color, alpha, hatch) {
    const box = this._clip(this._path(layer, v).box);
    if (!box) return;
    const scratch = this._scratch(box);
    scratch.fillStyle = color;
    scratch.fill(this._path(layer, v).fill, "evenodd");
    if (cut >= 0) {
      scratch.globalCompositeOperation = "destination-out";
      scratch.fill(this._path(layer, cut).fill, "evenodd");
    }
    if (hatch) {
      scratch.globalCompositeOperation = "source-in";
      scratch.fillStyle = this._pattern(hatch, color);
      scratch.fillRect(...box);
    }
    this._blit(ctx, box, alpha);
  },

  // The ground exactly one of the pair shows, cross-hatched.
  _disagreement(ctx, [a, b]) {
    const va = a.versionAt(this.day), vb = b.versionAt(this.day);
    const boxes = [va, vb].map((v, k) => (v >= 0 ? this._path([a, b][k], v).box : null)).filter(Boolean);
    if (!boxes.length) return;
    const box = this._clip([
      Math.min(...boxes.map((q) => q[0])), Math.min(...boxes.map((q) => q[1])),
      Math.max(...boxes.map((q) => q[0] + q[2])) - Math.min(...boxes.map((q) => q[0])),
      Math.max(...boxes.map((q) => q[1] + q[3])) - Math.min(...boxes.map((q) => q[1])),
    ]);
    if (!box) return;
    const scratch = this._scratch(box);
    scratch.fillStyle = "#000";
    if (va >= 0) scratch.fill(this._path(a, va).fill, "evenodd");
    scratch.globalCompositeOperation = "xor";
    if (vb >= 0) scratch.fill(this._path(b, vb).fill, "evenodd");
    scratch.globalCompositeOperation = "source-in";
    scratch.fillStyle = this._pattern("cross", DISAGREE_COLOR);
    scratch.fillRect(...box);
    this._blit(ctx, box, 0.85);
  },

  // The scratch canvas cleared within `box` (x, y, w, h in CSS pixels), ready to draw on.
  _scratch(box) {
    const scratch = this.scratch.getContext("2d");
    scratch.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    scratch.globalCompositeOperation = "source-over";
    scratch.clearRect(...box);
    return scratch;
  },

  _blit(ctx, [x, y, w, h], alpha) {
    const r = this.ratio;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = alpha;
    ctx.drawImage(this.scratch, x * r, y * r, w * r, h * r, x * r, y * r, w * r, h * r);
    ctx.restore();
  },

  // A box [x, y, w, h] cut to the canvas, whole pixels, or null when nothing is left.
  _clip([x, y, w, h]) {
    const x0 = Math.max(0, Math.floor(x)), y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.size.x, Math.ceil(x + w)), y1 = Math.min(this.size.y, Math.ceil(y + h));
    return x1 > x0 && y1 > y0 ? [x0, y0, x1 - x0, y1 - y0] : null;
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
