// "Held over time": the measure picker and the chart (chart.js, loaded with uPlot after the
// first frame: it is below the fold of the sidebar and not what the reader waits for), marked
// at the day shown; a click on the chart jumps to that day.
// The area layers' km² and front-line length come from the area timeline in memory.
// Reads day, colors, measure; writes day, measure.

import { $ } from "./dom.js";
import { colorOf } from "./palette.js";

// Resolves once the chart is set up (or known to be unavailable).
export async function chartPanel(state, { replay, api, zonesAvailable, areas = null }) {
  const container = $("#chart");
  const measure = $("#chart-measure");
  if (!zonesAvailable) measure.querySelector('option[value="area_km2"]').disabled = true;
  for (const value of ["observed_km2", "front_km"]) measure.querySelector(`option[value="${value}"]`).hidden = !areas;
  measure.value = state.get().measure;
  measure.addEventListener("change", () => state.set({ measure: measure.value }));
  state.on("measure", (value) => {
    measure.value = value;
  });

  let chart;
  try {
    const { drawChart } = await import("./chart.js");
    const series = `${api}stats/control-series/?theater=${replay.theater.id}&interval=month`;
    chart = drawChart(container, {
      url: `${series}&area=false`,
      areaUrl: zonesAvailable ? series : null,
      colorOf: (id) => colorOf(state.get().colors, id),
      onPick: (day) => state.set({ day: replay.clampDay(day) }),
      onNote: (text) => {
        $("#chart-note").textContent = text;
      },
      lines: areas && ((name) => areaLines(areas, name)),
    });
  } catch {
    container.textContent = "Chart unavailable.";
    return;
  }
  chart.setCursorDay(state.get().day);
  chart.setMeasure(state.get().measure);
  state.on("day", (day) => chart.setCursorDay(day));
  state.on("measure", (value) => chart.setMeasure(value));
  state.on("colors", () => chart.recolor((id) => colorOf(state.get().colors, id)));
}

// The area layers' km² (or front-line km) as stepped lines: one point at each version's start
// (and the last day published), each layer's value then (null before its first version).
export function areaLines(areas, measure) {
  const days = new Set();
  for (const layer of areas.layers) {
    layer.start.forEach((day) => days.add(day));
    if (layer.lastPublished !== null) days.add(layer.lastPublished);
  }
  const sorted = [...days].sort((a, b) => a - b);
  const groups = new Map(); // a second layer of a group is dashed
  const series = areas.layers.map((layer) => {
    const group = layer.layer.group.id;
    groups.set(group, (groups.get(group) || 0) + 1);
    const values = sorted.map((day) => {
      const v = layer.versionAt(day);
      return v < 0 ? null : (measure === "front_km" ? layer.frontKm : layer.areaKm2)[v];
    });
    return { label: `${layer.layer.name} (${layer.layer.assessor})`, group, dash: groups.get(group) > 1, values };
  });
  return { days: sorted, series };
}
