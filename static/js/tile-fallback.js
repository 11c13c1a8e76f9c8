// Online tiles that keep failing (offline, or the tile server away) are dropped for the rest
// of the visit: the bundled basemap lies under them already, and every further tile would be
// one more failed request and console error. The counting is pure (unit-tested with node);
// addOnlineTiles wires it to a Leaflet tile layer.

export const GIVE_UP_AFTER = 3; // failed tiles in a row
export const OFFLINE_NOTE = "Online tiles unavailable: offline basemap only";
const STORAGE_KEY = "frontline.tiles-unavailable";

/** Counts failed tiles in a row; `failed()` answers true once, when it is time to give up. */
export function tileHealth(limit = GIVE_UP_AFTER) {
  let inARow = 0;
  let gaveUp = false;
  return {
    loaded() {
      inARow = 0;
    },
    failed() {
      if (gaveUp) return false;
      inARow += 1;
      gaveUp = inARow >= limit;
      return gaveUp;
    },
    get gaveUp() {
      return gaveUp;
    },
  };
}

function remembered(storage, url) {
  try {
    return storage?.getItem(STORAGE_KEY) === url;
  } catch {
    return false; // storage refused (privacy settings): ask the tile server again
  }
}

function remember(storage, url) {
  try {
    storage?.setItem(STORAGE_KEY, url);
  } catch {
    // not remembered: the next page load tries the tiles once more
  }
}

/** Add the online tile layer unless this visit found it unavailable; drop it when it fails. */
export function addOnlineTiles(L, map, { url, attribution }, storage = globalThis.sessionStorage) {
  if (!url) return null;
  if (remembered(storage, url)) {
    map.attributionControl.addAttribution(OFFLINE_NOTE);
    return null;
  }
  const layer = L.tileLayer(url, { attribution, maxZoom: 18 });
  const health = tileHealth();
  layer.on("tileload", () => health.loaded());
  layer.on("tileerror", () => {
    if (!health.failed()) return;
    map.removeLayer(layer); // aborts the tiles still loading
    remember(storage, url);
    map.attributionControl.addAttribution(OFFLINE_NOTE);
  });
  return layer.addTo(map);
}
