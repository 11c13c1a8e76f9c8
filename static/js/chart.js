// Places, population or derived zone area held per group over time: a stacked area chart
// (uPlot) in the sidebar, with a marker at the slider's date; clicking the chart jumps there.
// The series comes without areas (cheap); the first switch to "area" asks for them, and asks
// again while the server says some zone days are still being computed. The observed area
// layers' km² and front-line length (from the area timeline in memory) are lines, one a
// layer: two assessors of one group overlap, so they are not stacked.

import uPlot from "../vendor/uplot/uPlot.esm.js";
import { getJSON } from "./dom.js";
import { dayNumber, isoDate } from "./replay.js";

const DAY_S = 86400;
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const MEASURES = ["places", "population", "area_km2", "observed_km2", "front_km"];
const LINES = ["observed_km2", "front_km"]; // from the area layers
const LABELS = {
  places: "Places", population: "Population", area_km2: "Area (km², derived estimate)",
  observed_km2: "Area (km², observed)", front_km: "Front line (km)",
};
const AREA_RETRY_MS = 3000;
const AREA_RETRIES = 40;

// url: control-series/ without areas; areaUrl: the same with them (null: zones unavailable).
// colorOf(groupId) -> CSS colour (#rrggbb); onPick(day) is called with the clicked day;
// onNote(text) tells the reader about the area series (computing, unavailable);
// lines(measure) -> { days, series: [{ label, group, dash, values }] } for the area layers'
// measures (null: no area layers).
export function drawChart(container, { url, areaUrl, colorOf, onPick, onNote = () => {}, lines = null }) {
  let cursorDay = null;
  let plot = null;
  let series = null;
  let measure = "places";
  let areaRequest = null;

  function build() {
    plot?.destroy();
    if (LINES.includes(measure) && lines) {
      buildLines(lines(measure));
      return;
    }
    const xs = series.dates.map((d) => dayNumber(d) * DAY_S);
    // Biggest holders at the bottom; each series is the running total, filled down to zero,
    // drawn from the top total downwards so every band shows.
    const values = (g) => (g[measure] || []).map((v) => v ?? 0); // null: area not computed yet
    const groups = [...series.groups].sort((a, b) => Math.max(...values(b)) - Math.max(...values(a)));
    const totals = [];
    let running = xs.map(() => 0);
    for (const g of groups) {
      const own = values(g);
      running = running.map((v, i) => v + (own[i] || 0));
      totals.push(running);
    }
    const order = groups.map((_, i) => i).reverse();
    const data = [xs, ...order.map((i) => totals[i])];
    const opts = options(order.map((i) => {
      const color = colorOf(groups[i].group.id);
      return { label: groups[i].group.name, stroke: color, fill: `${color}cc`, width: 0.5 };
    }));
    plot = new uPlot(opts, data, container);
    listen();
  }

  // The area layers' measure: a line a layer, stepped (a version holds until the next).
  function buildLines({ days, series: layers }) {
    const opts = options(layers.map((layer) => ({
      label: layer.label, stroke: colorOf(layer.group), width: 1.5, dash: layer.dash ? [5, 3] : undefined,
      paths: uPlot.paths.stepped({ align: 1 }),
    })));
    plot = new uPlot(opts, [days.map((d) => d * DAY_S), ...layers.map((l) => l.values)], container);
    listen();
  }

  function options(lineSeries) {
    return {
      width: container.clientWidth || 300,
      height: container.clientHeight || 140,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: true } },
      axes: [{ size: 24, font: "10px system-ui" },
        { size: 52, font: "10px system-ui", values: (u, values) => values.map((v) => compact.format(v)) }],
      series: [{}, ...lineSeries],
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
  }

  function listen() {
    plot.over.addEventListener("click", () => {
      const idx = plot.cursor.idx;
      if (idx !== null && idx !== undefined) onPick(Math.round(plot.data[0][idx] / DAY_S));
    });
  }

  function describe() {
    const [first, last] = [plot.data[0][0], plot.data[0].at(-1)].map((x) => (x === undefined ? "—" : isoDate(Math.round(x / DAY_S))));
    const per = LINES.includes(measure) ? "per area layer" : "held per group";
    container.setAttribute("aria-label", `${LABELS[measure]} ${per}, ${first} to ${last}`);
  }

  // Areas: fetched once on first use; while zone days are pending, fetched again.
  function loadAreas(attempt = 0) {
    if (!areaUrl) {
      onNote("Areas need the PostGIS database (derived zones are not computed on SpatiaLite).");
      return;
    }
    areaRequest = getJSON(areaUrl).then((answer) => {
      const byGroup = new Map(answer.groups.map((g) => [g.group.id, g.area_km2]));
      for (const g of series.groups) g.area_km2 = byGroup.get(g.group.id) || series.dates.map(() => 0);
      if (measure === "area_km2") build();
      if (answer.area_pending && attempt < AREA_RETRIES) {
        onNote(`Derived estimate; ${answer.area_pending} dates still being computed…`);
        setTimeout(() => loadAreas(attempt + 1), AREA_RETRY_MS);
      } else {
        onNote("Derived estimate from the places each group holds, not an observation.");
      }
    }).catch((error) => onNote(`Areas unavailable: ${error.message}`));
  }

  getJSON(url).then((answer) => {
    if ((!answer.dates.length || !answer.groups.length) && !lines) return;
    series = answer;
    if (measure === "area_km2" && !areaRequest) loadAreas();
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
      measure = MEASURES.includes(newMeasure) ? newMeasure : "places";
      if (measure !== "area_km2") onNote("");
      if (!series) return;
      if (measure === "area_km2" && !areaRequest) loadAreas();
      build();
      describe();
    },
    recolor(newColorOf) {
      colorOf = newColorOf;
      if (series) build();
    },
  };
}
