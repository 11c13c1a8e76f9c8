// The admin's map widgets (django-leaflet) get the bundled Natural Earth basemap under their
// tiles, so places and theater bounds can be drawn with no network. Loaded by django-leaflet
// through the map admins' Media; the basemap files sit next to this script's folder.
(function () {
  "use strict";
  const base = document.currentScript.src.replace(/js\/admin-basemap\.js.*$/, "basemap/");
  const layers = [
    ["land.geojson", { color: "#b9b4a8", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1 }],
    ["countries.geojson", { color: "#8c877c", weight: 1, fill: false, dashArray: "4 3" }],
  ];
  window.addEventListener("map:init", (event) => {
    const map = event.detail.map;
    map.getContainer().style.background = "#c9dbe9";
    if (!map.getPane("basemap")) map.createPane("basemap").style.zIndex = 150;
    for (const [file, style] of layers) {
      fetch(base + file).then((r) => r.json()).then((data) => {
        window.L.geoJSON(data, { pane: "basemap", interactive: false, style }).addTo(map);
      }).catch(() => {});
    }
  });
})();
