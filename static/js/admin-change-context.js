// The change form: once a place and a date are chosen, show the place's state today and the
// state this change would replace (the day before), read from the API's place history.
(function () {
  "use strict";
  function describe(period) {
    if (!period) return "unknown (no published change yet)";
    const holder = period.controller ? period.controller.name : "no one";
    const challengers = period.challengers.map((g) => g.name).join(", ");
    return `${period.status}, ${holder}${challengers ? ` (challenged by ${challengers})` : ""}, since ${period.start}`;
  }
  function periodOn(periods, day) {
    return periods.find((p) => p.start <= day && (!p.end || day < p.end)) || null;
  }
  function dayBefore(iso) {
    const d = new Date(`${iso}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - 1);
    return d.toISOString().slice(0, 10);
  }
  async function update() {
    const target = document.getElementById("state-context");
    const place = document.getElementById("id_place");
    const date = document.getElementById("id_date");
    if (!target || !place || !place.value) return;
    try {
      const response = await fetch(`/api/v1/places/${encodeURIComponent(place.value)}/history/`, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const periods = (await response.json()).periods;
      const today = new Date().toISOString().slice(0, 10);
      const lines = [`Today: ${describe(periodOn(periods, today))}`];
      if (/^\d{4}-\d{2}-\d{2}$/.test(date.value)) {
        const before = dayBefore(date.value);
        lines.push(`Before this change (on ${before}): ${describe(periodOn(periods, before))}`);
      }
      target.replaceChildren(...lines.flatMap((line, i) => (i ? [document.createElement("br"), line] : [line])));
    } catch (error) {
      // Leave the server-rendered text.
    }
  }
  window.addEventListener("load", () => {
    const place = document.getElementById("id_place");
    const date = document.getElementById("id_date");
    if (!place) return;
    // The place picker is a select2 widget: it fires jQuery "change", which also bubbles as
    // a DOM change event on the <select>.
    place.addEventListener("change", update);
    if (window.django && window.django.jQuery) window.django.jQuery(place).on("change", update);
    if (date) date.addEventListener("change", update);
    if (place.value && !document.getElementById("state-context").textContent.startsWith("Today")) update();
  });
})();
