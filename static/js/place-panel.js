// The place panel: name, kind and aliases, its state on the day shown and since when, a strip
// of its control periods (click a bar to jump to its start) and every change with its summary
// and linked sources (click a date to jump there). Opened by a click on the map, a search
// result, a comparison row or the URL; closed by × or Escape.
// Reads place, day, colors; writes day, place (close), placeLoaded.

import { $, el, getJSON, swatch } from "./dom.js";
import { asOfLabel, describe, kindLabel } from "./format.js";
import { colorOf } from "./palette.js";
import { dayNumber } from "./replay.js";
import { percentOfRange } from "./time.js";

export function placePanel(state, { replay, api }) {
  const panel = $("#panel");
  const colors = () => state.get().colors;
  const percent = (day) => percentOfRange(day, replay.firstDay, replay.lastDay);
  const goTo = (day) => state.set({ day: replay.clampDay(day) });
  let loaded = null; // { periods, changes, sources } of the open place, once they came
  let token = null; // the open place's request: answers to earlier ones are dropped

  async function open(p) {
    const place = replay.places[p];
    panel.hidden = false;
    $("#panel-name").textContent = place.name;
    $("#panel-kind").textContent = kindLabel(place.kind);
    $("#panel-aliases").textContent = "";
    $("#panel-history").replaceChildren();
    $("#panel-sources").replaceChildren(el("li", {}, "Loading sources…"));
    loaded = null;
    showState();
    state.set({ placeLoaded: null });
    const mine = (token = Symbol("panel"));
    try {
      const [detail, history, changes, sources] = await Promise.all([
        getJSON(`${api}places/${place.id}/`),
        getJSON(`${api}places/${place.id}/history/`),
        getJSON(`${api}changes/?place=${place.id}&page_size=1000`),
        getJSON(`${api}sources/?place=${place.id}&page_size=1000`),
      ]);
      if (token !== mine) return;
      const aliases = detail.properties.aliases;
      $("#panel-aliases").textContent = aliases.length ? ` · also ${aliases.join(", ")}` : "";
      loaded = { periods: history.periods, changes: changes.results, sources: new Map(sources.results.map((s) => [s.id, s])) };
      showLoaded();
    } catch (error) {
      if (token !== mine) return;
      $("#panel-sources").replaceChildren(el("li", { class: "error" }, `Could not load: ${error.message}`));
    }
    state.set({ placeLoaded: p });
  }

  function close() {
    panel.hidden = true;
    token = null;
    loaded = null;
    state.set({ placeLoaded: null });
  }

  function showState() {
    const p = state.get().place;
    if (p === null) return;
    const now = replay.stateOf(p);
    const change = loaded?.changes.find((c) => c.id === now.change) ?? null;
    $("#panel-state").replaceChildren(swatch(colorOf(colors(), now.controller)), describe(now),
      now.since ? el("span", { class: `since${now.doubt ? " unsure" : ""}` }, `, ${asOfLabel(now, change)}`) : "");
    const marker = $("#panel-history .now");
    if (marker) marker.style.left = `${percent(state.get().day)}%`;
  }

  function showLoaded() {
    if (!loaded) return;
    drawHistory(loaded.periods);
    listSources(loaded.changes, loaded.sources);
    showState(); // the "as of" note names the change's precision and confidence now
  }

  function drawHistory(periods) {
    const strip = el("div", { class: "history-strip", role: "list", "aria-label": "Control periods" });
    for (const period of periods) {
      const start = dayNumber(period.start);
      const end = period.end ? dayNumber(period.end) : replay.lastDay + 1;
      const holder = period.controller ? period.controller.name : "no one";
      const label = `${period.start} – ${period.end || "now"}: ${period.status}, ${holder}`;
      const left = percent(Math.max(start, replay.firstDay));
      strip.append(el("button", {
        type: "button", role: "listitem", class: `history-bar ${period.status}`, title: label, "aria-label": label,
        style: {
          left: `${left}%`,
          width: `${Math.max(0.4, percent(Math.min(end, replay.lastDay + 1)) - left)}%`,
          background: colorOf(colors(), period.controller),
          borderColor: period.challengers[0] ? colorOf(colors(), period.challengers[0]) : "transparent",
        },
        onclick: () => goTo(start),
      }));
    }
    strip.append(el("div", { class: "now", "aria-hidden": "true", style: { left: `${percent(state.get().day)}%` } }));
    $("#panel-history").replaceChildren(strip);
  }

  function listSources(changes, sources) {
    const list = $("#panel-sources");
    list.replaceChildren();
    for (const change of [...changes].reverse()) {
      const group = replay.groupById.get(change.controller);
      const links = change.sources.map((id) => sources.get(id)).filter(Boolean).map((s) =>
        el("li", {}, el("a", { href: s.url || s.archive_url || "#", target: "_blank", rel: "noopener noreferrer" }, s.title || s.url),
          s.publisher ? ` — ${s.publisher}` : "", s.published ? ` (${s.published})` : ""));
      list.append(el("li", { class: "change" },
        el("button", { type: "button", class: "link", onclick: () => goTo(dayNumber(change.date)) }, change.date),
        " ", swatch(colorOf(colors(), group)), ` ${change.status}${group ? `, ${group.name}` : ""}`,
        change.summary ? el("p", { class: "summary" }, change.summary) : "",
        links.length ? el("ul", { class: "sources" }, links) : el("p", { class: "muted" }, "No source cited.")));
    }
    if (!changes.length) list.append(el("li", { class: "muted" }, "No published changes."));
  }

  $("#panel-close").addEventListener("click", () => state.set({ place: null }));
  state.on("place", (p) => (p === null ? close() : open(p)));
  state.on("day", showState);
  state.on("colors", () => {
    showState();
    showLoaded();
  });
  if (state.get().place !== null) open(state.get().place);
}
