// Compare two dates: places gained and lost by each group between A and B, computed from the
// replay already in the browser (the same rule as the server's control/diff/, and instant),
// listed by group (frames.js lights them on the map); the download link asks control/diff/ for
// the same comparison as GeoJSON, for GIS tools. Where the theater has area layers, the km²
// each gained and lost, from areas/diff/ (whose ground areas-on-map.js draws).
// Reads comparison, colors (and day, once, for the first dates); writes comparison, place,
// flyTo, areaDiff.

import { $, el, getJSON, swatch } from "./dom.js";
import { compareByGroup, km2Label, shortName, signedKm2 } from "./format.js";
import { colorOf } from "./palette.js";
import { dayNumber, isoDate } from "./replay.js";

const ROWS_SHOWN = 100; // per group and direction; the download has them all

export function compare(state, { replay, api, areas = null }) {
  const inputA = $("#compare-a"), inputB = $("#compare-b");
  const list = $("#compare-list");
  const download = $("#compare-download");
  const day = state.get().day;
  inputA.value = isoDate(Math.max(replay.firstDay, day - 30));
  inputB.value = isoDate(day);

  $("#compare-run").addEventListener("click", () => {
    let a = inputA.value, b = inputB.value;
    if (!a || !b) {
      download.hidden = true;
      list.replaceChildren(el("p", { class: "muted" }, "Pick two dates."));
      $("#compare-summary").textContent = ""; // not the last comparison's any more
      state.set({ comparison: null });
      return;
    }
    if (a > b) {
      [a, b] = [b, a];
      inputA.value = a;
      inputB.value = b;
    }
    state.set({ comparison: { a, b } });
  });

  const open = (p) => state.set({ place: p, flyTo: { place: p } });

  function row(change, group, { place, from, to }) {
    return el("li", { class: change, dataset: { place: place.slug, change, group: group.slug } },
      change === "gained" ? "+ " : "− ",
      el("button", { type: "button", class: "link", onclick: () => open(place.index) }, place.name),
      el("span", { class: "muted" }, change === "gained" ? ` from ${shortName(from)}` : ` to ${shortName(to)}`));
  }

  function show(comparison) {
    if (!comparison) return;
    const { a, b } = comparison;
    const rows = replay.compare(dayNumber(a), dayNumber(b));
    const colors = state.get().colors;
    const sections = compareByGroup(rows).map(([group, moves]) => {
      const items = [];
      for (const change of ["gained", "lost"]) {
        const shown = moves[change].slice(0, ROWS_SHOWN);
        items.push(...shown.map((r) => row(change, group, r)));
        const hidden = moves[change].length - shown.length;
        if (hidden > 0) items.push(el("p", { class: "muted" }, `… and ${hidden} more ${change} (see the download)`));
      }
      return el("section", {},
        el("h4", {}, swatch(colorOf(colors, group)), `${shortName(group)}: `,
          el("span", { class: "net" }, `+${moves.gained.length} −${moves.lost.length}`)),
        el("ul", {}, items));
    });
    list.replaceChildren(...sections);
    if (!rows.length) list.append(el("p", { class: "muted" }, "No place changed hands."));
    $("#compare-summary").textContent = `${rows.filter((r) => r.change === "gained").length} places changed hands between ${a} and ${b}.`;
    download.href = `${api}control/diff/?${new URLSearchParams({ from: a, to: b, theater: replay.theater.id, format: "geojson" })}`;
    download.hidden = false;
  }

  // The area layers' gains and losses between the two dates (asked of the server: the ground
  // is computed there, exactly).
  const areaList = $("#compare-areas");
  let asked = null;
  async function showAreas(comparison) {
    if (!areas) return;
    asked = comparison;
    state.set({ areaDiff: null });
    if (!comparison) {
      areaList.replaceChildren();
      return;
    }
    areaList.replaceChildren(el("p", { class: "muted" }, "Measuring the area layers…"));
    const query = new URLSearchParams({ theater: replay.theater.id, from: comparison.a, to: comparison.b });
    let answer;
    try {
      answer = await getJSON(`${api}areas/diff/?${query}`);
    } catch (error) {
      if (asked === comparison) areaList.replaceChildren(el("p", { class: "error" }, `Area layers unavailable: ${error.message}`));
      return;
    }
    if (asked !== comparison) return; // another comparison was asked for meanwhile
    state.set({ areaDiff: answer });
    listAreas(answer);
  }

  function listAreas(answer) {
    const byLayer = new Map();
    for (const feature of answer.features) {
      const { layer, change, km2: value, net_km2: net } = feature.properties;
      if (!byLayer.has(layer.slug)) byLayer.set(layer.slug, { layer, net });
      byLayer.get(layer.slug)[change] = value;
    }
    const colors = state.get().colors;
    const rows = [...byLayer.values()].map(({ layer, gained, lost, net }) => el("li", { dataset: { layer: layer.slug, gained, lost } },
      swatch(colorOf(colors, layer.group)), el("span", { class: "name" }, `${layer.name} (${layer.assessor})`), ": ",
      el("span", { class: "gained" }, `+${km2Label(gained, 1)}`), " ",
      el("span", { class: "lost" }, `−${km2Label(lost, 1)}`),
      el("span", { class: "muted" }, ` (net ${signedKm2(net, 1)})`)));
    areaList.replaceChildren(
      el("h4", {}, "Area layers (observed)"),
      rows.length ? el("ul", {}, rows) : el("p", { class: "muted" }, "No area layer shows ground on either date."));
  }

  state.on("comparison", (comparison) => {
    show(comparison);
    showAreas(comparison);
  });
  state.on("colors", () => {
    show(state.get().comparison);
    if (state.get().areaDiff) listAreas(state.get().areaDiff);
  });
}
