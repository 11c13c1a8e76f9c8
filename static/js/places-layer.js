// All places drawn on one canvas: a disc in the controller's colour sized by importance, a ring
// in the first challenger's colour for contested and besieged places (dashed when besieged),
// grey when unknown, and a halo on places that changed in the last frames. A state whose
// change is unsure shows it: hollow when its date is known only to the month or year,
// translucent when it is only likely, claimed or disputed.
//
// Speed (10,000 places per frame, also without a GPU): each distinct look (fill, ring, dash,
// radius) is drawn once by the canvas into a small anti-aliased sprite, whose pixels are then
// stamped into one frame buffer (src-over blending in JS) and put on the canvas in one call.
// Per-place canvas calls (arc/fill/stroke, even drawImage) cost 3-10 µs each in software
// rendering; the frame budget is 16 ms. The loop reads the replay's typed arrays and allocates
// nothing. Clicks are hit-tested in JS against the same positions.

/* global L */
import { UNKNOWN_COLOR } from "./palette.js";
import { DOUBT_CONFIDENCE, DOUBT_DATE } from "./replay.js";

const HALO_COLOR = "#ffd54a";
const SELECTED_COLOR = "#0b57d0";
const OUTLINE_COLOR = "#ffffff"; // opaque: copied, not blended
const HIGHLIGHT_FRAMES = 12;
const HALO_LIMIT = 500;
const ALMOST_OPAQUE = 224, ALMOST_EMPTY = 31; // sprite edge alphas treated as 255 and 0
const RING_GAP = 2.5, RING_WIDTH = 2.5, HALO = 4, SELECTED = 5;

export const PlacesLayer = L.Layer.extend({
  // colorOf(groupId) -> CSS colour. `visible` (p -> boolean, or null for all) filters places.
  initialize(replay, { colorOf }) {
    this.replay = replay;
    this.colorOf = colorOf;
    this.visible = null;
    this.changedAt = new Int32Array(replay.places.length).fill(-1000);
    this.frame = 0;
    this.selected = -1;
    this.sprites = new Map(); // drawing -> sprite
    this.looks = new Map(); // _look's numeric key -> sprite
    // Small places first so that big ones stay on top.
    this.order = Int32Array.from(replay.places.map((_, p) => p))
      .sort((a, b) => replay.places[a].importance - replay.places[b].importance);
  },

  onAdd(map) {
    this._map = map;
    this.canvas = L.DomUtil.create("canvas", "places-layer leaflet-zoom-hide");
    this.canvas.setAttribute("aria-hidden", "true");
    map.getPanes().overlayPane.appendChild(this.canvas);
    map.on("moveend zoomend resize", this._reset, this);
    this._reset();
  },

  onRemove(map) {
    this.canvas.remove();
    map.off("moveend zoomend resize", this._reset, this);
  },

  // Places that changed in this frame get a halo for the next few frames; not after a jump
  // that changed more than HALO_LIMIT places, when a halo on everything would show nothing.
  markChanged(indexes) {
    this.frame++;
    const count = indexes.length ?? indexes.size;
    if (count > Math.max(HALO_LIMIT, this.replay.places.length / 10)) return;
    for (const p of indexes) this.changedAt[p] = this.frame;
  },

  // Colours changed (e.g. the colour-blind-safe palette): forget the sprites and redraw.
  recolor(colorOf) {
    this.colorOf = colorOf;
    this.sprites.clear();
    this.looks.clear();
    this.redraw();
  },

  _reset() {
    const map = this._map;
    const size = map.getSize();
    const ratio = window.devicePixelRatio || 1;
    L.DomUtil.setPosition(this.canvas, map.containerPointToLayerPoint([0, 0]));
    this.canvas.width = Math.round(size.x * ratio);
    this.canvas.height = Math.round(size.y * ratio);
    this.canvas.style.width = `${size.x}px`;
    this.canvas.style.height = `${size.y}px`;
    this.image = this.canvas.width && this.canvas.height
      ? new ImageData(this.canvas.width, this.canvas.height) : null;
    this.pixels = this.image ? new Int32Array(this.image.data.buffer) : null; // int32: no doubles
    if (ratio !== this.ratio) {
      this.sprites.clear();
      this.looks.clear();
    }
    this.ratio = ratio;
    const places = this.replay.places;
    this.x = new Float32Array(places.length);
    this.y = new Float32Array(places.length);
    for (let p = 0; p < places.length; p++) {
      const pt = map.latLngToContainerPoint([places[p].lat, places[p].lon]);
      this.x[p] = pt.x;
      this.y[p] = pt.y;
    }
    const zoomFactor = Math.min(1.6, Math.max(0.6, (map.getZoom() - 3) / 4));
    // Radii rounded to half pixels, so the number of distinct sprites stays small.
    this.radii = Float32Array.from(places, (place) =>
      Math.round(2 * Math.max(2, (1.5 + place.importance * 1.3) * zoomFactor)) / 2);
    this.redraw();
  },

  // The sprite for change i's state (i < 0: unknown) at radius r. Looked up by a number
  // (controller, challenger, status, radius, doubt; collision-free since groups are numbered
  // 1..G) rather than by colour strings: this runs for every place in every frame.
  _look(i, r) {
    const replay = this.replay;
    let controller = 0, challenger = 0, status = 0, doubt = 0; // group slots (0 = none), status code + 1
    if (i >= 0) {
      controller = replay.controllerSlot[i];
      status = replay.status[i] + 1;
      doubt = replay.doubt[i];
      if (replay.contestedCodes.has(replay.status[i])) challenger = replay.challengerSlot[i] + 1;
    }
    const slots = replay.groupAtSlot.length + 1;
    const key = (((controller * slots + challenger) * 8 + status) * 64 + r * 2) * 4 + doubt;
    let sprite = this.looks.get(key);
    if (sprite === undefined) {
      const fill = controller ? this.colorOf(replay.groupAtSlot[controller].id) : UNKNOWN_COLOR;
      const ring = challenger > 1 ? this.colorOf(replay.groupAtSlot[challenger - 1].id)
        : challenger === 1 ? UNKNOWN_COLOR : null; // contested, challenger unknown
      sprite = this._sprite(fill, ring, status - 1 === replay.besiegedCode, r, true, doubt);
      this.looks.set(key, sprite);
    }
    return sprite;
  },

  // A sprite for one look, at device resolution: its pixels (as the frame buffer holds them)
  // and its half size in device pixels. fill/ring may be null; `outline` is a thin white edge;
  // `doubt` (bits) makes the disc hollow (DOUBT_DATE) or translucent (DOUBT_CONFIDENCE).
  _sprite(fill, ring, dashed, r, outline = true, doubt = 0) {
    const key = `${fill}|${ring}|${dashed}|${r}|${outline}|${doubt}`;
    let sprite = this.sprites.get(key);
    if (sprite) return sprite;
    const outer = r + (ring ? RING_GAP + RING_WIDTH : 1) + 1;
    const side = Math.ceil(2 * outer * this.ratio) | 1; // odd: one pixel in the middle
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = side;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    const c = side / this.ratio / 2;
    ctx.scale(this.ratio, this.ratio);
    ctx.beginPath();
    ctx.arc(c, c, r, 0, 2 * Math.PI);
    if (fill) {
      ctx.globalAlpha = doubt & DOUBT_CONFIDENCE ? 0.45 : 1;
      ctx.fillStyle = fill;
      ctx.fill();
      if (doubt & DOUBT_DATE && r >= 2.5) { // hollow: a white centre inside a thick rim
        ctx.beginPath();
        ctx.arc(c, c, r * 0.45, 0, 2 * Math.PI);
        ctx.globalAlpha = 1;
        ctx.fillStyle = OUTLINE_COLOR;
        ctx.fill();
        ctx.beginPath();
        ctx.arc(c, c, r, 0, 2 * Math.PI);
      }
      ctx.globalAlpha = 1;
    }
    if (outline) {
      ctx.lineWidth = 1;
      ctx.strokeStyle = OUTLINE_COLOR;
      ctx.stroke();
    }
    if (ring) {
      ctx.beginPath();
      ctx.arc(c, c, r + RING_GAP, 0, 2 * Math.PI);
      ctx.lineWidth = RING_WIDTH;
      ctx.strokeStyle = ring;
      ctx.setLineDash(dashed ? [3, 2] : []);
      ctx.stroke();
    }
    const pixels = new Int32Array(ctx.getImageData(0, 0, side, side).data.buffer);
    sprite = { side, half: (side - 1) / 2, pixels, ...this._spans(pixels, side) };
    this.sprites.set(key, sprite);
    return sprite;
  },

  // A sprite's pixels split for stamping: runs of opaque pixels (copied as they are) as
  // [first index, length, row, column] and partly transparent ones (blended) as
  // [index, row, column]; empty pixels are skipped. Edge pixels that are almost opaque or
  // almost empty count as such: blending is the costly part, and the eye cannot tell.
  _spans(pixels, side) {
    const runs = [], partial = [];
    for (let i = 0; i < pixels.length; i++) {
      const alpha = pixels[i] >>> 24;
      if (alpha >= ALMOST_OPAQUE) pixels[i] |= 0xff << 24;
      else if (alpha <= ALMOST_EMPTY) pixels[i] = 0;
    }
    for (let row = 0; row < side; row++) {
      let start = -1;
      for (let col = 0; col <= side; col++) {
        const alpha = col < side ? pixels[row * side + col] >>> 24 : 0;
        if (alpha === 255) {
          if (start < 0) start = col;
          continue;
        }
        if (start >= 0) runs.push(row * side + start, col - start, row, start);
        start = -1;
        if (alpha) partial.push(row * side + col, row, col);
      }
    }
    return { runs: Int32Array.from(runs), partial: Int32Array.from(partial) };
  },

  // Stamp a sprite centred on (x, y) in CSS pixels into the frame buffer: opaque runs copied,
  // the anti-aliased edge blended (src-over, straight alpha as ImageData holds it).
  _stamp(sprite, x, y) {
    const buffer = this.pixels, width = this.image.width, height = this.image.height;
    const { side, pixels, runs, partial } = sprite;
    const left = Math.round(x * this.ratio - sprite.half), top = Math.round(y * this.ratio - sprite.half);
    if (left < 0 || top < 0 || left + side > width || top + side > height) {
      this._stampClipped(sprite, left, top);
      return;
    }
    const origin = top * width + left;
    for (let k = 0; k < runs.length; k += 4) {
      const from = runs[k], to = from + runs[k + 1];
      let at = origin + runs[k + 2] * width + runs[k + 3];
      for (let i = from; i < to; i++) buffer[at++] = pixels[i];
    }
    for (let k = 0; k < partial.length; k += 3) {
      const at = origin + partial[k + 1] * width + partial[k + 2];
      buffer[at] = blend(pixels[partial[k]], buffer[at]);
    }
  },

  // The same near the canvas's edges, pixel by pixel with bounds checks.
  _stampClipped(sprite, left, top) {
    const buffer = this.pixels, width = this.image.width, height = this.image.height;
    const { side, pixels } = sprite;
    for (let row = Math.max(0, -top); row < Math.min(side, height - top); row++) {
      for (let col = Math.max(0, -left); col < Math.min(side, width - left); col++) {
        const at = (top + row) * width + left + col;
        buffer[at] = blend(pixels[row * side + col], buffer[at]);
      }
    }
  },

  redraw() {
    if (!this.canvas || !this.image) return;
    const { replay, x: xs, y: ys, radii, order, visible } = this;
    const size = this._map.getSize();
    const inView = (p) => xs[p] >= -20 && ys[p] >= -20 && xs[p] <= size.x + 20 && ys[p] <= size.y + 20
      && (!visible || visible(p));
    this.pixels.fill(0);
    // Halos first, all of them under every disc, so that none hides a neighbour; opaque, so
    // they are copied rather than blended (hundreds can be lit at once while dragging).
    for (let p = 0; p < xs.length; p++) {
      if (this.frame - this.changedAt[p] < HIGHLIGHT_FRAMES && inView(p)) {
        this._stamp(this._sprite(HALO_COLOR, null, false, radii[p] + HALO, false), xs[p], ys[p]);
      }
    }
    const current = replay.current;
    for (let k = 0; k < order.length; k++) {
      const p = order[k];
      if (!inView(p)) continue;
      this._stamp(this._look(current[p], radii[p]), xs[p], ys[p]);
      if (p === this.selected) {
        this._stamp(this._sprite(null, SELECTED_COLOR, false, radii[p] + SELECTED - RING_GAP, false), xs[p], ys[p]);
      }
    }
    this.canvas.getContext("2d").putImageData(this.image, 0, 0);
  },

  // The colour of the frame at place p's centre, as #rrggbb, or null where nothing is drawn.
  pixelAt(p) {
    const col = Math.round(this.x[p] * this.ratio), row = Math.round(this.y[p] * this.ratio);
    if (!this.image || col < 0 || row < 0 || col >= this.image.width || row >= this.image.height) return null;
    const [red, green, blue, alpha] = this.image.data.subarray(4 * (row * this.image.width + col));
    return alpha ? `#${[red, green, blue].map((v) => v.toString(16).padStart(2, "0")).join("")}` : null;
  },

  // The place index under a container point, or -1.
  hit(point) {
    let best = -1, bestDistance = Infinity;
    for (let p = 0; p < this.x.length; p++) {
      const dx = this.x[p] - point.x, dy = this.y[p] - point.y;
      const d = dx * dx + dy * dy;
      const r = this.radii[p] + 4;
      if (d <= r * r && d < bestDistance && (!this.visible || this.visible(p))) {
        best = p;
        bestDistance = d;
      }
    }
    return best;
  },
});

// src-over of straight-alpha pixel `source` on `target` (ImageData's layout read as int32:
// alpha in the top byte, then blue, green, red).
function blend(source, target) {
  const sa = source >>> 24;
  if (sa === 255) return source;
  if (sa === 0) return target;
  const ta = target >>> 24;
  if (ta === 0) return source;
  // Weights scaled by 255: the source's sa·255, what shows of the target ta·(255 − sa).
  const ws = sa * 255, wt = ta * (255 - sa), scale = 1 / (ws + wt);
  const red = ((source & 255) * ws + (target & 255) * wt) * scale + 0.5;
  const green = (((source >>> 8) & 255) * ws + ((target >>> 8) & 255) * wt) * scale + 0.5;
  const blue = (((source >>> 16) & 255) * ws + ((target >>> 16) & 255) * wt) * scale + 0.5;
  const alpha = (ws + wt) / 255 + 0.5;
  return (alpha << 24) | (blue << 16) | (green << 8) | red;
}
