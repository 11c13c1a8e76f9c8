// The area timeline (the API's area-timeline/, docs/api.md), decoded: each observed area
// layer's versions and, for any version, its rings in Web Mercator world units (a square of
// 256 units, Leaflet's zoom 0; multiply by 2^zoom for pixels) with each segment's front flag.
//
// The answer writes each version as edits of the one before (copied runs of points, and the new
// points). Decoding all of them once at load keeps every KEYFRAME-th version; any other is
// decoded from the nearest keyframe before it (at most KEYFRAME - 1 steps of copying typed
// arrays), and the last CACHED decoded versions are kept, so scrubbing a day at a time decodes
// one version per frame at most. Pure: no DOM (tests/js/area-timeline.test.mjs).

import { dayNumber } from "./replay.js";

const KEYFRAME = 24;
const CACHED = 64;
const MAX_LATITUDE = 85.0511287798;
const POINTS = 0, FORWARD = 1, BACKWARD = 2;

// Longitude and latitude (degrees) -> Web Mercator world units, as Leaflet's EPSG:3857.
export function worldX(lon) {
  return (lon / 360 + 0.5) * 256;
}

export function worldY(lat) {
  const phi = (Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)) * Math.PI) / 180;
  return (0.5 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / (2 * Math.PI)) * 256;
}

// One ring's edits on the version before's rings -> { xy: Float64Array [x0, y0, x1, …] in
// world units, front: Uint8Array (1: the segment from point i to the next is front) }.
export function decodeRing(ops, previous, scale) {
  let n = 0;
  for (let k = 0; k < ops.length;) {
    if (ops[k] === POINTS) {
      n += ops[k + 1];
      k += 2 + 3 * ops[k + 1];
    } else {
      n += ops[k + 3];
      k += 5;
    }
  }
  const xy = new Float64Array(2 * n), front = new Uint8Array(n);
  let p = 0;
  for (let k = 0; k < ops.length;) {
    const kind = ops[k];
    if (kind === POINTS) {
      const count = ops[k + 1];
      let x = 0, y = 0;
      for (let j = 0, at = k + 2; j < count; j++, at += 3) {
        x = j ? x + ops[at] : ops[at];
        y = j ? y + ops[at + 1] : ops[at + 1];
        xy[2 * p] = worldX(x / scale);
        xy[2 * p + 1] = worldY(y / scale);
        front[p++] = ops[at + 2];
      }
      k += 2 + 3 * count;
      continue;
    }
    if (kind !== FORWARD && kind !== BACKWARD) throw new Error(`unknown ring edit ${kind}`);
    const source = previous[ops[k + 1]];
    if (!source) throw new Error(`ring edit copies ring ${ops[k + 1]}, which the version before lacks`);
    const m = source.front.length, start = ops[k + 2], count = ops[k + 3], last = ops[k + 4];
    for (let j = 0; j < count; j++) {
      const at = kind === FORWARD ? (start + j) % m : (((start - j) % m) + m) % m;
      xy[2 * p] = source.xy[2 * at];
      xy[2 * p + 1] = source.xy[2 * at + 1];
      // forwards the segment leaving `at` is its own; backwards it is the one arriving at it
      front[p++] = j === count - 1 ? last : kind === FORWARD ? source.front[at] : source.front[(at - 1 + m) % m];
    }
    k += 5;
  }
  return { xy, front };
}

// A version's rings, with their bounding box in world units.
export function decodeVersion(rings, previous, scale) {
  const decoded = rings.map((ops) => decodeRing(ops, previous, scale));
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const { xy } of decoded) {
    for (let i = 0; i < xy.length; i += 2) {
      if (xy[i] < minX) minX = xy[i];
      if (xy[i] > maxX) maxX = xy[i];
      if (xy[i + 1] < minY) minY = xy[i + 1];
      if (xy[i + 1] > maxY) maxY = xy[i + 1];
    }
  }
  decoded.box = [minX, minY, maxX, maxY];
  return decoded;
}

export class LayerTimeline {
  constructor({ layer, versions, rings }, epoch, scale) {
    this.layer = layer;
    this.slug = layer.slug;
    this.count = versions.count;
    this.id = versions.id;
    this.start = Int32Array.from(versions.start, (d) => d + epoch);
    this.end = Float64Array.from(versions.end, (d) => (d === null ? Infinity : d + epoch));
    this.areaKm2 = versions.area_km2;
    this.gainedKm2 = versions.gained_km2;
    this.lostKm2 = versions.lost_km2;
    this.frontKm = versions.front_km;
    this.source = versions.source;
    this.lastPublished = layer.last_published ? dayNumber(layer.last_published) : null;
    this.edits = rings;
    this.scale = scale;
    this.keyframes = [];
    let previous = [];
    for (let v = 0; v < this.count; v++) {
      previous = decodeVersion(rings[v], previous, scale);
      if (v % KEYFRAME === 0) this.keyframes.push(previous);
    }
    this.cache = new Map(); // version -> decoded, least recently used first
  }

  // The version in force on `day` (start <= day < end), or -1.
  versionAt(day) {
    let lo = 0, hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.start[mid] <= day) lo = mid + 1; else hi = mid;
    }
    const v = lo - 1;
    return v >= 0 && day < this.end[v] ? v : -1;
  }

  // The km² held on `day` (null: no version then).
  areaOn(day) {
    const v = this.versionAt(day);
    return v < 0 ? null : this.areaKm2[v];
  }

  // Version v's rings: [{ xy, front }], with .box.
  rings(v) {
    const known = this.cache.get(v);
    if (known) {
      this.cache.delete(v);
      this.cache.set(v, known);
      return known;
    }
    // from the closest decoded version before it: the keyframe, or a cached one after that
    let from = Math.floor(v / KEYFRAME) * KEYFRAME;
    let decoded = this.keyframes[from / KEYFRAME];
    for (let u = v - 1; u > from; u--) {
      const cached = this.cache.get(u);
      if (cached) {
        from = u;
        decoded = cached;
        break;
      }
    }
    for (let u = from + 1; u <= v; u++) decoded = decodeVersion(this.edits[u], decoded, this.scale);
    this.cache.set(v, decoded);
    if (this.cache.size > CACHED) this.cache.delete(this.cache.keys().next().value);
    return decoded;
  }
}

export class AreaTimeline {
  constructor(answer) {
    if (answer.format !== 1) throw new Error(`area timeline format ${answer.format} is not 1`);
    const epoch = dayNumber(answer.epoch);
    this.layers = answer.layers.map((entry) => new LayerTimeline(entry, epoch, answer.scale));
    this.bySlug = new Map(this.layers.map((layer) => [layer.slug, layer]));
    // the days the layers cover: from the first version to the last day published
    const firsts = this.layers.filter((l) => l.count).map((l) => l.start[0]);
    const lasts = this.layers.map((l) => l.lastPublished ?? (l.count ? l.start[l.count - 1] : null)).filter((d) => d !== null);
    this.firstDay = firsts.length ? Math.min(...firsts) : null;
    this.lastDay = lasts.length ? Math.max(...lasts) : null;
  }
}
