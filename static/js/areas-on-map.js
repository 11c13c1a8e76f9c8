// The observed area layers on the map (areas-layer.js draws them), frame by frame: each move of
// the day draws the versions then in force, from memory; the layers switched off, the recent
// gains, the pair compared, the front line and the palette redraw.
// Reads day, hiddenLayers, recent, pair, frontLine, colors; writes nothing.

import { AreasLayer } from "./areas-layer.js";
import { colorOf } from "./palette.js";

export function areasOnMap(state, { map, areas, timings }) {
  const layer = new AreasLayer(areas, { colorOf: (id) => colorOf(state.get().colors, id) });
  const options = (s) => ({
    shown: new Set(areas.layers.map((l) => l.slug).filter((slug) => !s.hiddenLayers.includes(slug))),
    recent: s.recent,
    pair: s.pair,
    front: s.frontLine,
  });
  layer.day = state.get().day;
  Object.assign(layer, options(state.get()));
  layer.addTo(map); // draws the first frame
  timings.areas = performance.now();

  state.on("day", (day) => layer.setDay(day));
  for (const name of ["hiddenLayers", "recent", "pair", "frontLine"]) {
    state.on(name, () => layer.configure(options(state.get())));
  }
  state.on("colors", () => layer.recolor((id) => colorOf(state.get().colors, id)));
  return layer;
}
