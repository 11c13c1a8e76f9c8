// "Held over time": the measure picker and the chart (chart.js, loaded with uPlot after the
// first frame: it is below the fold of the sidebar and not what the reader waits for), marked
// at the day shown; a click on the chart jumps to that day.
// Reads day, colors, measure; writes day, measure.

import { $ } from "./dom.js";
import { colorOf } from "./palette.js";

// Resolves once the chart is set up (or known to be unavailable).
export async function chartPanel(state, { replay, api, zonesAvailable }) {
  const container = $("#chart");
  const measure = $("#chart-measure");
  if (!zonesAvailable) measure.querySelector('option[value="area_km2"]').disabled = true;
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
