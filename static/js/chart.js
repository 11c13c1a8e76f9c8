// Places (or population) held per group over time: a stacked area chart (uPlot) in the
// sidebar, with a marker at the slider's date; clicking the chart jumps there.

import uPlot from "../vendor/uplot/uPlot.esm.js";
import { getJSON } from "./dom.js";
import { dayNumber } from "./replay.js";

const DAY_S = 86400;
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

// colorOf(groupId) -> CSS colour (#rrggbb); onPick(day) is called with the clicked day.
export function drawChart(container, url, colorOf, onPick) {
  let cursorDay = null;
  let plot = null;
  let series = null;
  let measure = "places"; // or "population"

  function build() {
    plot?.destroy();
    const xs = series.dates.map((d) => dayNumber(d) * DAY_S);
    // Biggest holders at the bottom; each series is the running total, filled down to zero,
    // drawn from the top total downwards so every band shows.
    const groups = [...series.groups].sort((a, b) => Math.max(...b[measure]) - Math.max(...a[measure]));
    const totals = [];
    let running = xs.map(() => 0);
    for (const g of groups) {
      running = running.map((v, i) => v + g[measure][i]);
      totals.push(running);
    }
    const order = groups.map((_, i) => i).reverse();
    const data = [xs, ...order.map((i) => totals[i])];
    const opts = {
      width: container.clientWidth || 300,
      height: container.clientHeight || 140,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: true } },
      axes: [{ size: 24, font: "10px system-ui" },
        { size: 36, font: "10px system-ui", values: (u, values) => values.map((v) => compact.format(v)) }],
      series: [{}, ...order.map((i) => {
        const color = colorOf(groups[i].group.id);
        return { label: groups[i].group.name, stroke: color, fill: `${color}cc`, width: 0.5 };
      })],
      hooks: {
        draw: [(u) => {
          if (cursorDay === null) return;
          const x = u.valToPos(cursorDay * DAY_S, "x", true);
          const ctx = u.ctx;
          ctx.save();
          ctx.fillStyle = "#d93025";
          ctx.fillRect(x - 1, u.bbox.top, 2, u.bbox.height);
          ctx.restore();
        }],
      },
    };
    plot = new uPlot(opts, data, container);
    plot.over.addEventListener("click", () => {
      const idx = plot.cursor.idx;
      if (idx !== null && idx !== undefined) onPick(dayNumber(series.dates[idx]));
    });
  }

  function describe() {
    container.setAttribute("aria-label", `${measure === "places" ? "Places" : "Population"} held per group, ${series.dates[0]} to ${series.dates.at(-1)}`);
  }

  getJSON(url).then((answer) => {
    if (!answer.dates.length || !answer.groups.length) return;
    series = answer;
    build();
    describe();
    new ResizeObserver(() => plot.setSize({ width: container.clientWidth, height: container.clientHeight || 140 })).observe(container);
  }).catch(() => {
    container.textContent = "Chart unavailable.";
  });

  return {
    setCursorDay(day) {
      cursorDay = day;
      plot?.redraw(false, false);
    },
    setMeasure(newMeasure) {
      measure = newMeasure === "population" ? "population" : "places";
      if (series) {
        build();
        describe();
      }
    },
    recolor(newColorOf) {
      colorOf = newColorOf;
      if (series) build();
    },
  };
}
