// The maps: the search's markers beside the list (kept in sync with it), and a shop's position.
// Needs Leaflet, static/map-common.js and, for the search map, leaflet.markercluster.
(function () {
  "use strict";
  var common = window.BonnesAdressesMap;
  if (!window.L || !common) return;

  // The map never asks for more than this many markers (pages of the GeoJSON API).
  var MAX_PAGES = 4;
  var WIDE = "(min-width: 1024px)";

  function parseBbox(raw) {
    var parts = (raw || "").split(",").map(Number);
    if (parts.length !== 4 || !parts.every(isFinite)) return null;
    return L.latLngBounds([parts[1], parts[0]], [parts[3], parts[2]]);
  }

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  // minlon,minlat,maxlon,maxlat as the API checks it: inside the world, minimum below maximum.
  function toBbox(bounds) {
    var west = clamp(bounds.getWest(), -180, 180);
    var east = clamp(bounds.getEast(), -180, 180);
    var south = clamp(bounds.getSouth(), -90, 90);
    var north = clamp(bounds.getNorth(), -90, 90);
    if (west >= east) {
      west = -180;
      east = 180;
    }
    return [west, south, east, north].map(function (v) {
      return v.toFixed(5);
    }).join(",");
  }

  function popupContent(properties) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.name;
    var meta = document.createElement("div");
    meta.className = "map-popup-meta";
    meta.textContent = properties.category.name + " · " + properties.town;
    box.appendChild(link);
    box.appendChild(meta);
    return box;
  }

  function initSearchMap(container) {
    var section = container.closest(".search-map");
    section.hidden = false;
    var map = common.create(container, { notice: section.querySelector(".map-notice") });
    // Clusters, like markers, stay out of the tab order: the list is the keyboard's way in.
    L.MarkerCluster.prototype.options.keyboard = false;
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45 });
    map.addLayer(cluster);
    var areaButton = section.querySelector(".map-search-area");
    var markers = {};
    var cards = {};
    document.querySelectorAll(".shop-card[data-shop-id]").forEach(function (card) {
      cards[card.dataset.shopId] = card;
    });

    // Moves the page makes (fitting the markers) must not offer "search this area".
    var programmatic = false;
    function fit(bounds) {
      programmatic = true;
      map.fitBounds(bounds, { animate: false, padding: [24, 24], maxZoom: 16 });
      programmatic = false;
    }
    var area = parseBbox(new URLSearchParams(window.location.search).get("bbox"));
    if (area) {
      fit(area);
    } else {
      programmatic = true;
      map.setView([49.9, 5.2], 8, { animate: false });
      programmatic = false;
    }

    map.on("dragstart zoomstart", function () {
      if (!programmatic) areaButton.hidden = false;
    });
    areaButton.addEventListener("click", function () {
      var params = new URLSearchParams(window.location.search);
      params.set("bbox", toBbox(map.getBounds()));
      // The visible area is the new "where": a radius or a town would only cut it down.
      ["page", "radius_km", "town"].forEach(function (key) {
        params.delete(key);
      });
      window.location.assign(window.location.pathname + "?" + params.toString());
    });

    // --- List and map in sync ---------------------------------------------------------------
    var shownMarker = null;
    var selected = null;
    function markerElement(id) {
      var marker = markers[id];
      if (!marker) return null;
      // A marker inside a cluster has no element: the cluster stands for it.
      var visible = cluster.getVisibleParent(marker);
      return visible ? visible.getElement() : null;
    }
    function highlightMarker(id, on) {
      if (shownMarker) shownMarker.classList.remove("is-highlighted");
      shownMarker = on ? markerElement(id) : null;
      if (shownMarker) shownMarker.classList.add("is-highlighted");
      if (markers[id]) markers[id].setZIndexOffset(on ? 1000 : 0);
    }
    function highlightCard(id, on) {
      var card = cards[id];
      if (!card || (!on && selected === id)) return;
      card.classList.toggle("is-highlighted", on);
    }
    function select(id) {
      if (selected && selected !== id && cards[selected]) {
        cards[selected].classList.remove("is-highlighted");
      }
      selected = id;
      highlightCard(id, true);
      if (cards[id] && window.matchMedia(WIDE).matches) {
        cards[id].scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
    }
    Object.keys(cards).forEach(function (id) {
      var card = cards[id];
      ["mouseenter", "focusin"].forEach(function (name) {
        card.addEventListener(name, function () {
          highlightMarker(id, true);
        });
      });
      ["mouseleave", "focusout"].forEach(function (name) {
        card.addEventListener(name, function () {
          highlightMarker(id, false);
        });
      });
    });

    function addFeature(feature) {
      var id = String(feature.properties.id);
      var coordinates = feature.geometry.coordinates;
      var marker = L.marker([coordinates[1], coordinates[0]], {
        icon: common.pinIcon(),
        keyboard: false,
        title: feature.properties.name,
      });
      marker.bindPopup(popupContent(feature.properties));
      // Clustering adds and removes marker elements as the zoom changes: tag each new one.
      marker.on("add", function () {
        marker.getElement().dataset.shopId = id;
      });
      marker.on("mouseover", function () {
        highlightCard(id, true);
      });
      marker.on("mouseout", function () {
        highlightCard(id, false);
      });
      marker.on("click", function () {
        select(id);
      });
      marker.on("popupclose", function () {
        if (selected === id) {
          selected = null;
          highlightCard(id, false);
        }
      });
      markers[id] = marker;
      return marker;
    }

    function load(url, pagesLeft, first) {
      fetch(url, { headers: { Accept: "application/geo+json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (collection) {
          cluster.addLayers(collection.features.map(addFeature));
          if (first && !area && collection.features.length) fit(cluster.getBounds());
          if (collection.next && pagesLeft > 1) {
            load(collection.next, pagesLeft - 1, false);
          } else {
            container.dataset.loaded = "true";
          }
        })
        .catch(function () {
          section.querySelector(".map-error").hidden = false;
        });
    }
    load(container.dataset.geojson, MAX_PAGES, true);
  }

  function initShopMap(container) {
    var lat = parseFloat(container.dataset.lat);
    var lon = parseFloat(container.dataset.lon);
    if (!isFinite(lat) || !isFinite(lon)) return;
    container.hidden = false;
    var frame = container.closest(".shop-map");
    var map = common.create(container, {
      notice: frame.querySelector(".map-notice"),
      mapOptions: { scrollWheelZoom: false },
    });
    map.setView([lat, lon], 16, { animate: false });
    L.marker([lat, lon], {
      icon: common.pinIcon(),
      keyboard: false,
      interactive: false,
      title: container.dataset.name,
    }).addTo(map);
  }

  var searchMap = document.getElementById("search-map");
  if (searchMap && L.markerClusterGroup) initSearchMap(searchMap);
  var shopMap = document.getElementById("shop-map");
  if (shopMap) initShopMap(shopMap);
})();
