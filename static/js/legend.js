// The legend: one entry per group with its swatch, the places it holds on the day shown and
// the km² of its derived zones; a click filters the map to the group (click again for all).
// The colour-blind-safe tick box, and the colours that follow it.
// Reads day, groups, safeColors, colors, zoneAreas; writes groups, safeColors, colors.

import { $, el, swatch } from "./dom.js";
import { areaLabel } from "./format.js";
import { colorOf, colorsFor } from "./palette.js";

export function legend(state, { replay, palette }) {
  const entries = replay.groups.map((group) => {
    const mark = swatch(colorOf(state.get().colors, group));
    const count = el("span", { class: "count" }, "0");
    const area = el("span", { class: "area" });
    const button = el("button", {
      type: "button", "aria-pressed": "false", title: `Show only ${group.name} (click again to show all)`,
      onclick: () => toggle(group.slug),
    }, mark, el("span", { class: "name" }, group.short_name || group.name), count, area);
    const item = el("li", { dataset: { group: group.slug } }, button);
    return { group, item, button, mark, count, area };
  });
  $("#legend").replaceChildren(...entries.map((entry) => entry.item));

  function toggle(slug) {
    const groups = state.get().groups;
    state.set({ groups: groups.includes(slug) ? groups.filter((s) => s !== slug) : [...groups, slug] });
  }

  function showCounts() {
    const held = replay.holdings();
    for (const { group, item, count } of entries) {
      const n = held.get(group.id) || 0;
      count.textContent = String(n);
      item.classList.toggle("empty", n === 0);
    }
  }

  function showFilter(groups) {
    for (const { group, item, button } of entries) {
      const active = groups.includes(group.slug);
      item.classList.toggle("active", active);
      button.setAttribute("aria-pressed", String(active));
    }
  }

  function showColors(colors) {
    for (const { group, mark } of entries) mark.style.background = colorOf(colors, group);
  }

  function showAreas(areas) {
    for (const { group, area } of entries) area.textContent = areaLabel(areas?.get(group.id));
  }

  const safe = $("#safe-colors");
  safe.checked = state.get().safeColors;
  safe.addEventListener("change", () => state.set({ safeColors: safe.checked }));

  showCounts();
  showFilter(state.get().groups);
  showAreas(state.get().zoneAreas);
  state.on("day", showCounts);
  state.on("groups", showFilter);
  state.on("colors", showColors);
  state.on("zoneAreas", showAreas);
  state.on("safeColors", (on) => {
    safe.checked = on;
    state.set({ colors: colorsFor(replay, on, palette) });
  });
}
