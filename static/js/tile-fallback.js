// Online tiles that cannot load (offline, or the tile server away) are dropped for the rest
// of the visit: the bundled basemap lies under them already, and every further tile would be
// one more failed request and console error. The counting is pure; addOnlineTiles wires it to
// a Leaflet tile layer (both unit-tested with node, tests/js/).

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

/** The URL of the tile under the map's centre (null when the template needs more than Leaflet
 * fills in itself): the one tile asked for first, to learn whether tiles load at all. */
export function centreTileUrl(L, map, layer, template) {
  const zoom = Math.round(map.getZoom());
  const { x, y } = map.project(map.getCenter(), zoom).divideBy(256).floor();
  const subdomains = layer.options.subdomains;
  try {
    return L.Util.template(template, { ...layer.options, r: "", s: subdomains[0], x, y, z: zoom });
  } catch {
    return null;
  }
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = resolve;
    image.onerror = reject;
    image.src = url;
  });
}

/** Add the online tile layer, unless this visit found it unavailable. One tile (the centre's)
 * is asked for first: offline, that is the only failed request and the only console error.
 * Later, GIVE_UP_AFTER failed tiles in a row (the network lost mid-visit) drop the layer. */
export function addOnlineTiles(
  L, map, { url, attribution }, storage = globalThis.sessionStorage, probe = loadImage,
) {
  if (!url) return null;
  const giveUp = (layer) => {
    if (layer) map.removeLayer(layer); // aborts the tiles still loading
    remember(storage, url);
    map.attributionControl.addAttribution(OFFLINE_NOTE);
  };
  if (remembered(storage, url)) {
    map.attributionControl.addAttribution(OFFLINE_NOTE);
    return null;
  }
  const layer = L.tileLayer(url, { attribution, maxZoom: 18 });
  const health = tileHealth();
  layer.on("tileload", () => health.loaded());
  layer.on("tileerror", () => health.failed() && giveUp(layer));
  map.whenReady(() => {
    const first = centreTileUrl(L, map, layer, url);
    if (first === null) layer.addTo(map);
    else probe(first).then(() => layer.addTo(map), () => giveUp(null));
  });
  return layer;
}
