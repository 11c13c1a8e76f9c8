// All places drawn on one canvas: a disc in the controller's colour sized by importance, a ring
// in the first challenger's colour for contested and besieged places (dashed when besieged),
// grey when unknown, and a halo on places that changed in the last frames.
// One canvas redraw per frame keeps 10,000+ places smooth; clicks are hit-tested in JS.

/* global L */

export const UNKNOWN_COLOR = "#9aa0a6";
const HIGHLIGHT_FRAMES = 12;

export const PlacesLayer = L.Layer.extend({
  initialize(replay, options = {}) {
    this.replay = replay;
    this.colors = options.colors || ((state) => state.controller?.color || UNKNOWN_COLOR);
    this.visible = () => true;
    this.changedAt = new Int32Array(replay.places.length).fill(-1000);
    this.frame = 0;
    this.selected = -1;
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

  markChanged(indexes) {
    this.frame++;
    for (const p of indexes) this.changedAt[p] = this.frame;
  },

  _reset() {
    const map = this._map;
    const size = map.getSize();
    const ratio = window.devicePixelRatio || 1;
    const topLeft = map.containerPointToLayerPoint([0, 0]);
    L.DomUtil.setPosition(this.canvas, topLeft);
    this.canvas.width = size.x * ratio;
    this.canvas.height = size.y * ratio;
    this.canvas.style.width = `${size.x}px`;
    this.canvas.style.height = `${size.y}px`;
    this.ratio = ratio;
    const places = this.replay.places;
    this.x = new Float32Array(places.length);
    this.y = new Float32Array(places.length);
    for (let p = 0; p < places.length; p++) {
      const pt = map.latLngToContainerPoint([places[p].lat, places[p].lon]);
      this.x[p] = pt.x;
      this.y[p] = pt.y;
    }
    this.redraw();
  },

  radius(p) {
    const zoom = this._map.getZoom();
    const base = 1.5 + this.replay.places[p].importance * 1.3;
    return Math.max(2, base * Math.min(1.6, Math.max(0.6, (zoom - 3) / 4)));
  },

  redraw() {
    if (!this.canvas) return;
    const ctx = this.canvas.getContext("2d");
    const { replay } = this;
    const size = this._map.getSize();
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.clearRect(0, 0, size.x, size.y);
    // Draw small places first so that big ones stay on top.
    const order = this.order || (this.order = replay.places
      .map((_, p) => p).sort((a, b) => replay.places[a].importance - replay.places[b].importance));
    for (const p of order) {
      const x = this.x[p], y = this.y[p];
      if (x < -20 || y < -20 || x > size.x + 20 || y > size.y + 20) continue;
      const state = replay.stateOf(p);
      if (!this.visible(state)) continue;
      const r = this.radius(p);
      if (this.frame - this.changedAt[p] < HIGHLIGHT_FRAMES) {
        ctx.beginPath();
        ctx.arc(x, y, r + 6, 0, 2 * Math.PI);
        ctx.fillStyle = "rgba(255, 200, 0, 0.55)";
        ctx.fill();
      }
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = this.colors(state);
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.stroke();
      if (state.status === "contested" || state.status === "besieged") {
        ctx.beginPath();
        ctx.arc(x, y, r + 2.5, 0, 2 * Math.PI);
        ctx.lineWidth = 2.5;
        ctx.strokeStyle = state.challengers[0]?.color || UNKNOWN_COLOR;
        ctx.setLineDash(state.status === "besieged" ? [3, 2] : []);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      if (p === this.selected) {
        ctx.beginPath();
        ctx.arc(x, y, r + 5, 0, 2 * Math.PI);
        ctx.lineWidth = 2;
        ctx.strokeStyle = "#0b57d0";
        ctx.stroke();
      }
    }
  },

  // The place index under a container point, or -1.
  hit(point) {
    let best = -1, bestDistance = Infinity;
    for (let p = 0; p < this.x.length; p++) {
      const dx = this.x[p] - point.x, dy = this.y[p] - point.y;
      const d = dx * dx + dy * dy;
      const r = this.radius(p) + 4;
      if (d <= r * r && d < bestDistance && this.visible(this.replay.stateOf(p))) {
        best = p;
        bestDistance = d;
      }
    }
    return best;
  },
});
