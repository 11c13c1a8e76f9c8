// Derived zones (an estimate, never observed) as translucent areas under the places.
//
// Frames never make a request: setDay() only remembers the day. Zones are fetched once the
// day has settled (SETTLE_MS without a move, or at most every MAX_WAIT_MS while playing), one
// request at a time. Each answer says from which day until which day it holds
// (valid_from/valid_until), so moves inside that range, and ranges fetched before, redraw
// from memory without asking the server again.

/* global L */
import { getJSON } from "./dom.js";
import { dayNumber } from "./replay.js";

const SETTLE_MS = 200;
const MAX_WAIT_MS = 1000;
const KEEP = 60; // answers kept in memory (each is one zone day)

export class ZonesLayer {
  // map: Leaflet map; url(day) -> the zones/ URL for a day number; colorOf(groupId) -> colour;
  // onShow(answer|null) after each change of what is drawn (for the legend and the note).
  constructor(map, { url, colorOf, onShow }) {
    this.map = map;
    this.url = url;
    this.colorOf = colorOf;
    this.onShow = onShow;
    this.enabled = false;
    this.day = null;
    this.visible = null; // null: every group; else a Set of group ids
    this.answers = []; // most recent last
    this.shown = null;
    this.requests = 0;
    this.inFlight = false;
    this.timer = null;
    this.firstWaitingSince = null;
    map.createPane("zones").style.zIndex = 350; // above basemap and tiles, under the places
    this.layer = L.geoJSON(null, { pane: "zones", interactive: false, style: (f) => this.style(f) });
  }

  style(feature) {
    const id = feature.properties.group.id;
    const color = this.colorOf(id);
    const hidden = this.visible !== null && !this.visible.has(id);
    return { color, weight: 0.8, opacity: hidden ? 0 : 0.7, fillColor: color, fillOpacity: hidden ? 0 : 0.28 };
  }

  setEnabled(on) {
    this.enabled = on;
    if (on) {
      this.layer.addTo(this.map);
      this.setDay(this.day);
    } else {
      clearTimeout(this.timer);
      this.timer = null;
      this.layer.remove();
      this.show(null);
    }
  }

  // Called on every frame: cheap, no request.
  setDay(day) {
    this.day = day;
    if (!this.enabled || day === null) return;
    const known = this.answerFor(day);
    if (known) {
      clearTimeout(this.timer);
      this.timer = null;
      this.firstWaitingSince = null;
      if (known !== this.shown) this.show(known);
      return;
    }
    this.schedule();
  }

  answerFor(day) {
    return this.answers.find((a) => a.fromDay <= day && (a.untilDay === null || day < a.untilDay)) || null;
  }

  schedule() {
    const now = performance.now();
    this.firstWaitingSince ??= now;
    const wait = Math.max(0, Math.min(SETTLE_MS, this.firstWaitingSince + MAX_WAIT_MS - now));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fetchNow(), wait);
  }

  async fetchNow() {
    this.timer = null;
    if (this.inFlight || !this.enabled) return; // the answer in flight re-checks the day
    this.firstWaitingSince = null;
    const day = this.day;
    this.inFlight = true;
    this.requests += 1;
    try {
      const answer = await getJSON(this.url(day));
      answer.fromDay = answer.valid_from ? dayNumber(answer.valid_from) : -Infinity;
      answer.untilDay = answer.valid_until ? dayNumber(answer.valid_until) : null;
      this.answers = [...this.answers.filter((a) => a.fromDay !== answer.fromDay), answer].slice(-KEEP);
    } catch (error) {
      this.shown = null; // the last range's zones are not this day's: show none
      this.layer.clearLayers();
      this.onShow?.(null, error);
      this.inFlight = false;
      return;
    }
    this.inFlight = false;
    if (this.enabled) this.setDay(this.day); // shows it, or asks for the day reached meanwhile
  }

  show(answer) {
    this.shown = answer;
    this.layer.clearLayers();
    if (answer) this.layer.addData(answer.features);
    this.onShow?.(answer);
  }

  restyle() {
    this.layer.setStyle((f) => this.style(f));
  }

  // Area per group id on the shown day (km²), or null when nothing is shown.
  areas() {
    if (!this.shown) return null;
    return new Map(this.shown.features.map((f) => [f.properties.group.id, f.properties.area_km2]));
  }
}
