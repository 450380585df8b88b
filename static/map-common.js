// Shared map helper: a Leaflet map with the configured tiles, and a notice when they fail.
//
// API (window.BonnesAdressesMap), for the search map (map.js) and the position picker:
//
//   BonnesAdressesMap.create(container, options) -> L.Map
//     container: the map's element, carrying
//       data-tile-url          Leaflet tile URL template (config TILE_URL)
//       data-tile-attribution  its attribution, HTML (config TILE_ATTRIBUTION)
//       data-zoom-in, data-zoom-out  translated titles of the zoom buttons
//       data-close-popup       translated label of a popup's close button
//     options.notice: an element (hidden) to show when the first tiles cannot load; the map
//       and its markers keep working without them (as on machines without internet).
//     options.mapOptions: more L.map options (e.g. {scrollWheelZoom: false}).
//     The map takes no keyboard focus of its own (keyboard: false): pages give a non-map
//     alternative (the result list, latitude/longitude fields).
//
//   BonnesAdressesMap.pinIcon() -> L.DivIcon
//     The site's round marker, styled by static/map.css (.map-pin; .is-highlighted).
(function () {
  "use strict";
  if (!window.L) return;

  function watchTiles(layer, notice) {
    var loaded = false;
    layer.on("tileload", function () {
      loaded = true;
    });
    // One failed tile among loaded ones is a hiccup; none loaded at all means no background.
    layer.on("tileerror", function () {
      if (!loaded && notice) notice.hidden = false;
    });
  }

  function create(container, options) {
    options = options || {};
    var data = container.dataset;
    var mapOptions = Object.assign(
      { keyboard: false, zoomControl: false, attributionControl: true },
      options.mapOptions || {}
    );
    var map = L.map(container, mapOptions);
    L.control
      .zoom({ zoomInTitle: data.zoomIn || "+", zoomOutTitle: data.zoomOut || "-" })
      .addTo(map);
    var tiles = L.tileLayer(data.tileUrl, {
      attribution: data.tileAttribution || "",
      maxZoom: 19,
    });
    watchTiles(tiles, options.notice);
    tiles.addTo(map);
    // Leaflet labels the close button in English only.
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close && data.closePopup) close.setAttribute("aria-label", data.closePopup);
    });
    return map;
  }

  function pinIcon() {
    return L.divIcon({
      className: "map-pin",
      html: "",
      iconSize: [18, 18],
      iconAnchor: [9, 9],
      popupAnchor: [0, -10],
    });
  }

  window.BonnesAdressesMap = { create: create, pinIcon: pinIcon };
})();
