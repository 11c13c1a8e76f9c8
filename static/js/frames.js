// The places on the map, frame by frame (places-layer.js draws them): each move of the day
// moves the replay and redraws; a halo on the places that just changed, or that a comparison
// lists; the group filter; the palette; the open place ringed; a click opens a place.
// Reads day, groups, colors, place, comparison; writes place.
//
// Subscribe this module first: it moves the replay to the new day, which every later
// subscriber to `day` reads (legend counts, the panel's state line). It also times each frame:
// everything done synchronously for a move of the day, from its handler to the end of set().

import { PlacesLayer } from "./places-layer.js";
import { colorOf } from "./palette.js";
import { dayNumber } from "./replay.js";

const FRAMES_KEPT = 1000;

export function placesOnMap(state, { map, replay, frameTimes, timings }) {
  const started = performance.now();
  const layer = new PlacesLayer(replay, { colorOf: (id) => colorOf(state.get().colors, id) });
  let frameStart = 0;

  const filter = (slugs) => {
    const ids = replay.groupIds(slugs);
    layer.visible = ids.size === 0 ? null : (p) => replay.involves(p, ids);
  };
  const selected = (place) => (place === null ? -1 : place);

  // The first frame, drawn as the layer is added (once the map has a view): no halo.
  replay.seek(state.get().day);
  filter(state.get().groups);
  layer.selected = selected(state.get().place);
  layer.addTo(map);
  frame(started);

  state.on("day", (day) => {
    frameStart = performance.now();
    layer.markChanged(replay.seek(day));
    layer.redraw();
  });
  // A move to the day already shown is a frame too (one per move, for make bench-map), of no work.
  state.on("*", (changed, patch) => {
    if ("day" in patch) frame(changed.includes("day") ? frameStart : performance.now());
  });
  state.on("groups", (slugs) => {
    filter(slugs);
    layer.redraw();
  });
  state.on("colors", () => layer.recolor((id) => colorOf(state.get().colors, id)));
  state.on("place", (place) => {
    layer.selected = selected(place);
    layer.redraw();
  });
  state.on("comparison", (comparison) => {
    if (!comparison) return;
    const rows = replay.compare(dayNumber(comparison.a), dayNumber(comparison.b));
    layer.markChanged(new Set(rows.map((row) => row.place.index)));
    layer.redraw();
  });

  map.on("click", (event) => {
    const p = layer.hit(event.containerPoint);
    if (p >= 0) state.set({ place: p });
  });
  map.on("mousemove", (event) => {
    map.getContainer().style.cursor = layer.hit(event.containerPoint) >= 0 ? "pointer" : "";
  });

  function frame(since) {
    frameTimes.push(performance.now() - since);
    if (frameTimes.length > FRAMES_KEPT) frameTimes.shift();
    timings.firstFrame ??= performance.now();
  }

  return layer;
}
