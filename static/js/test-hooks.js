// window.frontline: a small API for the browser tests, make bench-map and the curious (in the
// console): ready, state(), zones(), setZones(on), placeState(slug), openPlace(slug),
// setDate(iso), pixelAt(slug), areas(), areaPixelAt(lat, lng), labels(), frameTimes, timings. Its shape is a contract (tests/browser/).
// Reads the state and, once loaded, the replay, map and layers it is given; writes day, place,
// zones (as the page's own controls would).

import { colorOf } from "./palette.js";
import { dayNumber, isoDate } from "./replay.js";

export function installTestHooks(state, { ready, frameTimes, timings }) {
  let replay = null, map = null, layer = null, zones = null, areas = null, areaLayer = null, names = null;
  const indexOf = (slug) => replay?.slugIndex.get(slug);
  const slugOf = (group) => replay.groups.find((g) => g.id === group).slug;

  // Resolves once done(state) holds (checked after every set).
  const until = (done) => new Promise((resolve) => {
    if (done(state.get())) return resolve();
    const off = state.on("*", () => {
      if (!done(state.get())) return;
      off();
      resolve();
    });
  });

  window.frontline = {
    ready,
    state: () => {
      const s = state.get();
      return {
        date: isoDate(s.day), theater: s.theater, zoom: map?.getZoom(), groups: [...s.groups],
        place: s.place === null ? null : replay.places[s.place].slug, playing: s.playing, zones: s.zones,
        hiddenLayers: [...s.hiddenLayers], recent: s.recent, pair: s.pair && [...s.pair], frontLine: s.frontLine,
        areaDiff: s.areaDiff ? s.areaDiff.features.length : 0, // features of the comparison drawn
      };
    },
    // What the zones layer holds: requests made so far and the shown answer's range and areas.
    zones: () => zones && {
      requests: zones.requests,
      validFrom: zones.shown?.valid_from ?? null,
      validUntil: zones.shown?.valid_until ?? null,
      areas: Object.fromEntries([...(zones.areas() || [])].map(([id, area]) => [slugOf(id), area])),
    },
    setZones: (on) => {
      if (zones) state.set({ zones: Boolean(on) }); // unavailable (SpatiaLite): stays off
    },
    placeState: (slug) => {
      const p = indexOf(slug);
      if (p === undefined) return null;
      const now = replay.stateOf(p);
      return {
        status: now.status, controller: now.controller?.slug || null, color: colorOf(state.get().colors, now.controller),
        since: now.since, doubt: now.doubt,
      };
    },
    // Opens the place's panel; resolves (true) once its details have loaded, false if unknown.
    openPlace: async (slug) => {
      const p = indexOf(slug);
      if (p === undefined) return false;
      state.set({ place: p });
      await until((s) => s.placeLoaded === p || s.place !== p); // or closed meanwhile
      return true;
    },
    setDate: (iso) => {
      state.set({ day: replay.clampDay(dayNumber(iso)) });
    },
    // The colour drawn at a place's centre on the places canvas, as #rrggbb (null if none).
    pixelAt: (slug) => {
      const p = indexOf(slug);
      return p === undefined ? null : layer.pixelAt(p);
    },
    // The area layers on the day shown: slug, the version in force (its id) and its km².
    areas: () => areas && areas.layers.map((l) => {
      const v = l.versionAt(state.get().day);
      return { slug: l.slug, version: v < 0 ? null : l.id[v], km2: v < 0 ? null : l.areaKm2[v] };
    }),
    // The colour drawn on the areas canvas at a point: { color: "#rrggbb", alpha } (alpha 0:
    // nothing), or null without area layers or outside the map.
    areaPixelAt: (lat, lng) => {
      if (!areaLayer) return null;
      const point = map.latLngToContainerPoint([lat, lng]);
      const size = map.getSize();
      if (point.x < 0 || point.y < 0 || point.x >= size.x || point.y >= size.y) return null;
      return areaLayer.pixelAt(point.x, point.y);
    },
    // The place names shown: the place's slug, the text and its box on the page.
    labels: () => (names ? names.labels() : []).map((span) => {
      const box = span.getBoundingClientRect();
      return { place: span.dataset.place, text: span.textContent, x: box.x, y: box.y, w: box.width, h: box.height };
    }),
    frameTimes,
    timings,
  };

  // The page's parts, once the record has loaded (zones: null when unavailable).
  return {
    attach(parts) {
      ({ replay, map, layer, zones, areas = null, areaLayer = null, names = null } = parts);
    },
  };
}
