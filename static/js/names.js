// Place names on the map: labels.js picks the ones that fit (most important first), drawn as
// text beside their discs, again after each move or zoom and each change of the group filter;
// and the name of the place under the pointer, or last tapped, in a tip. Names go in as text
// (textContent), never as HTML.
// Reads groups (and day, while a group filter hides places); writes nothing.

/* global L */
import { labelOrder, placeLabels } from "./labels.js";

const FONT = "600 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"; // as .place-label
const SETTLE_MS = 150;

export function placeNames(state, { map, replay, layer }) {
  if (!map.getPane("labels")) map.createPane("labels").style.zIndex = 450; // over the places
  const pane = map.getPane("labels");
  pane.style.pointerEvents = "none";
  const container = L.DomUtil.create("div", "place-labels leaflet-zoom-hide", pane);
  container.setAttribute("aria-hidden", "true"); // the Table view lists the places
  const tip = L.DomUtil.create("div", "place-tip", map.getContainer());
  tip.hidden = true;
  const measure = document.createElement("canvas").getContext("2d");
  measure.font = FONT;
  const widths = new Map();
  const widthOf = (name) => {
    if (!widths.has(name)) widths.set(name, measure.measureText(name).width);
    return widths.get(name);
  };
  const order = labelOrder(replay.places);
  const spans = [];

  function relabel() {
    const size = map.getSize();
    const candidates = [];
    for (const place of order) {
      const p = place.index;
      const x = layer.x[p], y = layer.y[p];
      if (x < 0 || y < 0 || x > size.x || y > size.y) continue;
      if (layer.visible && !layer.visible(p)) continue;
      candidates.push({ index: p, x, y, r: layer.radii[p], width: widthOf(place.name) });
    }
    const boxes = placeLabels(candidates, { width: size.x, height: size.y });
    L.DomUtil.setPosition(container, map.containerPointToLayerPoint([0, 0]));
    while (spans.length < boxes.length) spans.push(container.appendChild(L.DomUtil.create("span", "place-label")));
    spans.forEach((span, k) => {
      const box = boxes[k];
      span.hidden = !box;
      if (!box) return;
      span.textContent = replay.places[box.index].name;
      span.dataset.place = replay.places[box.index].slug;
      span.className = `place-label ${box.side}`;
      span.style.transform = `translate(${box.x + 2}px, ${box.y}px)`;
    });
  }

  let timer = null;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(relabel, SETTLE_MS);
  };
  // after the places layer, which moves its discs on the same events
  map.on("moveend zoomend resize", relabel);
  state.on("groups", relabel);
  state.on("day", () => {
    if (state.get().groups.length) later(); // the filter shows other places on other days
  });

  function showTip(point) {
    const p = layer.hit(point);
    tip.hidden = p < 0;
    if (p < 0) return;
    tip.textContent = replay.places[p].name;
    tip.style.transform = `translate(${Math.round(point.x + 12)}px, ${Math.round(point.y - 28)}px)`;
  }
  map.on("mousemove", (event) => showTip(event.containerPoint));
  map.on("click", (event) => showTip(event.containerPoint)); // a tap names the place too
  map.on("mouseout movestart zoomstart", () => {
    tip.hidden = true;
  });
  relabel();
  return { relabel, labels: () => spans.filter((span) => !span.hidden) };
}
