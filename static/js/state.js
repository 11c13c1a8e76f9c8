// The map page's one state, with events: every field declared up front with its default, read
// with get(), written with set(patch), which fires a named event for each field that changed
// (in declaration order), then "*" with the names that changed (after every set, even when none
// did). Modules subscribe with on(name, fn) and never call one another, as uPlot's plugins
// subscribe to its named hooks. Pure: no DOM, no Leaflet (tests/js/state.test.mjs).
//
// Changed means: !Object.is for numbers, strings, booleans, null and objects (a new object is a
// new value: set({ flyTo: { place } }) asks again even for the same place), and element by
// element for arrays (set({ groups: [...] }) with the same slugs fires nothing).

export function createStore(defaults) {
  const names = Object.keys(defaults);
  if (names.includes("*")) throw new TypeError('"*" is the event of every set, not a field');
  const handlers = new Map([...names, "*"].map((name) => [name, []]));
  let current = Object.freeze({ ...defaults });

  function known(name) {
    if (!handlers.has(name)) throw new TypeError(`No state field "${name}" (declare it in the defaults)`);
  }

  return {
    // The whole state: a frozen object, replaced (never changed) by each set().
    get: () => current,

    // Write some fields; returns the names of those that changed.
    set(patch) {
      Object.keys(patch).forEach(known);
      const changed = names.filter((name) => name in patch && !same(current[name], patch[name]));
      if (changed.length) {
        const next = { ...current };
        for (const name of changed) next[name] = patch[name];
        current = Object.freeze(next);
      }
      // Handlers read the state as it is when they run: one of them may set() again.
      for (const name of changed) for (const fn of [...handlers.get(name)]) fn(current[name], current);
      for (const fn of [...handlers.get("*")]) fn(changed, patch);
      return changed;
    },

    // fn(value, state) after `name` changed; fn(changedNames, patch) for "*". Returns `off`.
    on(name, fn) {
      known(name);
      handlers.get(name).push(fn);
      return () => {
        const list = handlers.get(name);
        if (list.includes(fn)) list.splice(list.indexOf(fn), 1);
      };
    },
  };
}

function same(a, b) {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  return Object.is(a, b);
}

// The map page's fields. Days are day numbers (replay.js), places indexes into replay.places.
export function createPageState() {
  return createStore({
    theater: null, // slug of the theater shown
    day: 0, // the day shown
    playing: false,
    groups: Object.freeze([]), // slugs of the groups the map is filtered to; empty = all
    safeColors: false, // the colour-blind-safe palette instead of the groups' own colours
    colors: new Map(), // group id -> colour in use (follows safeColors)
    place: null, // the place whose panel is open
    placeLoaded: null, // the place whose panel has finished loading (or failing to)
    flyTo: null, // { place }: fly the map there (a new object per request)
    view: null, // { zoom, lat, lng } after the map's last move
    comparison: null, // { a, b }: the two ISO dates last compared (a new object per Compare)
    zones: false, // derived zones shown
    zoneAreas: null, // group id -> km² of the zones shown (Map), null when none are
    measure: "places", // what the chart counts: places, population, area_km2 (derived zones),
    // observed_km2 (area layers) or front_km (their front line)
    hiddenLayers: Object.freeze([]), // slugs of the area layers switched off
    recent: 0, // days: the area layers' gains and losses over the last 7, 14 or 30 (0: none)
    pair: null, // [slugA, slugB]: two area layers of one group, their disagreement shaded
    frontLine: true, // the area layers' front line drawn
    areaDiff: null, // areas/diff/'s answer for the comparison shown (null: none, or no layers)
  });
}
