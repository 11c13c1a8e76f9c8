// The "Areas (observed)" section of the sidebar: one row per area layer (tick to show it) with
// its assessor and group, the km² it shows on the day and the net change over the last 30 days,
// all from the area timeline in memory; the recent gains picker; the front line tick box; and two
// layers of one group to compare, with the days of both versions in force and the km² where
// they disagree (asked of areas/disagreement/ once the day settles, once per pair of versions).
// Reads day, hiddenLayers, recent, pair, frontLine, colors; writes hiddenLayers, recent, pair,
// frontLine.

import { $, el, getJSON, swatch } from "./dom.js";
import { km2Label, netLabel } from "./format.js";
import { colorOf } from "./palette.js";
import { isoDate } from "./replay.js";

const NET_DAYS = 30;
const SETTLE_MS = 150;
// "from 2025-01-02 until 2025-01-05" for a version [start, end), or "none on this day".
function versionSpan(layer, v) {
  if (v < 0) return "none on this day";
  const end = layer.end[v];
  return `version of ${isoDate(layer.start[v])}${Number.isFinite(end) ? ` to ${isoDate(end - 1)}` : ", the latest"}`;
}

export function areasPanel(state, { areas, api, theaterId }) {
  const section = $("#areas-section");
  section.hidden = false;
  const colors = () => state.get().colors;
  const rows = areas.layers.map((layer) => {
    const box = el("input", { type: "checkbox", checked: true, "aria-label": `Show ${layer.layer.name}` });
    box.addEventListener("change", () => {
      const hidden = state.get().hiddenLayers.filter((slug) => slug !== layer.slug);
      state.set({ hiddenLayers: box.checked ? hidden : [...hidden, layer.slug] });
    });
    const mark = swatch(colorOf(colors(), layer.layer.group.id));
    if (layer.layer.status === "contested") mark.classList.add("hatched");
    const area = el("span", { class: "km2" });
    const net = el("span", { class: "net muted" });
    const group = layer.layer.group.name;
    const item = el("li", { dataset: { layer: layer.slug } },
      el("label", {}, box, mark, el("span", { class: "name" }, layer.layer.name)), area,
      el("span", { class: "meta muted" }, `${layer.layer.assessor} · ${group}${layer.layer.status === "contested" ? " · contested" : ""}`,
        net));
    return { layer, box, mark, area, net, item };
  });
  $("#area-layers").replaceChildren(...rows.map((row) => row.item));

  function showFigures(day) {
    for (const { layer, area, net } of rows) {
      const now = layer.areaOn(day);
      area.textContent = km2Label(now);
      area.dataset.km2 = now === null ? "" : String(now);
      net.textContent = netLabel(now, layer.areaOn(day - NET_DAYS), NET_DAYS);
    }
  }

  function showHidden(hidden) {
    for (const { layer, box } of rows) box.checked = !hidden.includes(layer.slug);
  }

  const recent = $("#recent");
  recent.value = String(state.get().recent);
  recent.addEventListener("change", () => state.set({ recent: Number(recent.value) }));
  const front = $("#front-line");
  front.checked = state.get().frontLine;
  front.addEventListener("change", () => state.set({ frontLine: front.checked }));

  // Two layers of one group: B offers the layers of A's group.
  const pickA = $("#pair-a"), pickB = $("#pair-b"), summary = $("#pair-summary");
  const option = (layer) => el("option", { value: layer.slug }, `${layer.layer.name} (${layer.layer.assessor})`);
  pickA.replaceChildren(el("option", { value: "" }, "—"), ...areas.layers.map(option));
  function offerB(a) {
    const mates = areas.layers.filter((l) => a && l !== a && l.layer.group.id === a.layer.group.id);
    pickB.replaceChildren(el("option", { value: "" }, mates.length || !a ? "—" : "no other layer of this group"), ...mates.map(option));
    pickB.disabled = !mates.length;
  }
  const choose = () => {
    const a = areas.bySlug.get(pickA.value), b = areas.bySlug.get(pickB.value);
    state.set({ pair: a && b ? [a.slug, b.slug] : null });
  };
  pickA.addEventListener("change", () => {
    offerB(areas.bySlug.get(pickA.value));
    choose();
  });
  pickB.addEventListener("change", choose);

  const disagreements = new Map(); // "versionA|versionB" -> km² (or an Error)
  let timer = null;
  function showPair() {
    const pair = state.get().pair;
    const [a, b] = pair ? pair.map((slug) => areas.bySlug.get(slug)) : [null, null];
    pickA.value = a ? a.slug : "";
    offerB(a);
    pickB.value = b ? b.slug : "";
    if (!a || !b) {
      summary.replaceChildren();
      return;
    }
    const day = state.get().day;
    const va = a.versionAt(day), vb = b.versionAt(day);
    const key = `${va < 0 ? "-" : a.id[va]}|${vb < 0 ? "-" : b.id[vb]}`;
    const known = disagreements.get(key);
    const figure = known === undefined ? "…" : known instanceof Error ? "unavailable" : km2Label(known);
    summary.replaceChildren(
      el("strong", { class: "disagreement", dataset: { km2: typeof known === "number" ? String(known) : "" } }, `They disagree on ${figure}`),
      el("br"), `A: ${a.layer.assessor}, ${versionSpan(a, va)}`,
      el("br"), `B: ${b.layer.assessor}, ${versionSpan(b, vb)}`);
    if (known === undefined) {
      clearTimeout(timer);
      timer = setTimeout(() => fetchDisagreement(key, a, b, day), SETTLE_MS);
    }
  }

  async function fetchDisagreement(key, a, b, day) {
    if (disagreements.has(key)) return;
    const query = new URLSearchParams({ theater: theaterId, date: isoDate(day), a: a.slug, b: b.slug });
    try {
      const answer = await getJSON(`${api}areas/disagreement/?${query}`);
      disagreements.set(key, answer.disagreement_km2);
    } catch (error) {
      disagreements.set(key, error);
    }
    showPair();
  }

  showFigures(state.get().day);
  showHidden(state.get().hiddenLayers);
  showPair();
  state.on("day", (day) => {
    showFigures(day);
    if (state.get().pair) showPair();
  });
  state.on("hiddenLayers", showHidden);
  state.on("recent", (value) => {
    recent.value = String(value);
  });
  state.on("frontLine", (on) => {
    front.checked = on;
  });
  state.on("pair", showPair);
  state.on("colors", () => {
    for (const { layer, mark } of rows) mark.style.background = colorOf(colors(), layer.layer.group.id);
  });
}
