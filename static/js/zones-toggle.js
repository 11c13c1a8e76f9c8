// Derived zones: the "Derived zones (estimate)" tick box, the note under it saying what the
// zones are and the days they hold, and the zones layer (zones-layer.js), which fetches once
// the day settles. Without PostGIS the box stays unticked and disabled.
// Reads day, zones, groups, colors; writes zones, zoneAreas.

import { $ } from "./dom.js";
import { zonesNote } from "./format.js";
import { colorOf } from "./palette.js";
import { isoDate } from "./replay.js";
import { ZonesLayer } from "./zones-layer.js";

// Returns the zones layer, or null when zones are unavailable.
export function zonesToggle(state, { map, replay, api, available }) {
  const toggle = $("#zones-toggle");
  const note = $("#zones-note");
  if (!available) {
    toggle.disabled = true;
    note.textContent = "Derived zones need the PostGIS database.";
    note.hidden = false;
    return null;
  }
  const zones = new ZonesLayer(map, {
    url: (day) => `${api}zones/?theater=${replay.theater.id}&date=${isoDate(day)}`,
    colorOf: (id) => colorOf(state.get().colors, id),
    onShow: (answer, error) => {
      state.set({ zoneAreas: zones.areas() });
      note.hidden = !zones.enabled;
      if (error) note.textContent = `Zones unavailable: ${error.message}`;
      else if (answer) note.textContent = zonesNote(answer);
    },
  });
  const filter = (slugs) => {
    const ids = replay.groupIds(slugs);
    zones.visible = ids.size === 0 ? null : ids;
  };

  filter(state.get().groups);
  zones.setDay(state.get().day);
  toggle.checked = state.get().zones;
  if (state.get().zones) zones.setEnabled(true);
  toggle.addEventListener("change", () => state.set({ zones: toggle.checked }));

  state.on("day", (day) => zones.setDay(day));
  state.on("zones", (on) => {
    toggle.checked = on;
    zones.setEnabled(on);
  });
  state.on("groups", (slugs) => {
    filter(slugs);
    zones.restyle();
  });
  state.on("colors", () => zones.restyle());
  return zones;
}
