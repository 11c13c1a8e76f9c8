// Search: any spelling of a place's name (the API's places/?q=), results listed as text under
// the field; picking one opens its panel and flies the map there.
// Reads nothing; writes place, flyTo.

import { $, el, getJSON } from "./dom.js";

const TYPING_PAUSE_MS = 150;

export function search(state, { replay, api }) {
  const input = $("#search");
  const results = $("#search-results");
  let timer = null;
  let asked = 0; // the latest question: an answer to an earlier one comes too late

  function pick(p) {
    results.replaceChildren();
    input.value = "";
    state.set({ place: p, flyTo: { place: p } });
  }

  async function ask(text, question) {
    let page;
    try {
      page = await getJSON(`${api}places/?q=${encodeURIComponent(text)}&theater=${replay.theater.id}&page_size=10`);
    } catch (error) {
      if (question === asked) results.replaceChildren(el("li", { class: "muted" }, `Search failed: ${error.message}`));
      return;
    }
    if (question !== asked) return;
    results.replaceChildren(...page.features.map((f) => {
      const p = replay.placeIndex.get(f.id);
      if (p === undefined) return null; // outside the theater's timeline
      return el("li", {}, el("button", { type: "button", onclick: () => pick(p) },
        f.properties.name, el("span", { class: "muted" }, ` ${f.properties.kind.replace("_", " ")}`)));
    }).filter(Boolean));
    if (!page.features.length) results.append(el("li", { class: "muted" }, "No place by that name."));
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    const question = ++asked;
    if (!text) {
      results.replaceChildren();
      return;
    }
    timer = setTimeout(() => ask(text, question), TYPING_PAUSE_MS);
  });
}
