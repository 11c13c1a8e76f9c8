// The observed area layers on the map (areas-layer.js draws them), frame by frame: each move of
// the day draws the versions then in force, from memory; the layers switched off, the recent
// gains, the pair compared, the front line and the palette redraw.
// A comparison of two dates draws what each layer gained (in its colour) and lost (dashed
// outline, pale) between them, as areas/diff/ measured it.
// Reads day, hiddenLayers, recent, pair, frontLine, colors, areaDiff; writes nothing.

/* global L */
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
  state.on("colors", () => {
    layer.recolor((id) => colorOf(state.get().colors, id));
    diff.setStyle(diffStyle);
  });

  map.createPane("area-diff").style.zIndex = 380; // over the layers, under the places
  const diffStyle = (feature) => {
    const color = colorOf(state.get().colors, feature.properties.layer.group.id);
    return feature.properties.change === "gained"
      ? { color, weight: 1, opacity: 0.9, fillColor: color, fillOpacity: 0.55 }
      : { color, weight: 1.5, opacity: 0.9, dashArray: "4 3", fillColor: "#ffffff", fillOpacity: 0.5 };
  };
  const diff = L.geoJSON(null, { pane: "area-diff", interactive: false, style: diffStyle }).addTo(map);
  state.on("areaDiff", (answer) => {
    diff.clearLayers();
    if (answer) diff.addData(answer.features.filter((f) => f.geometry.coordinates.length));
  });
  return layer;
}
