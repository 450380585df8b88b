// The position map of the posting form (templates/shops/_position.html): a draggable marker
// and the latitude/longitude fields kept in step. The fields are the truth the form sends;
// the map is a faster way to fill them. Tiles and the "tiles failed" notice come from
// static/map-common.js; without tiles the marker and the fields still work.
(function () {
  "use strict";

  var container = document.getElementById("position-map");
  var latField = document.getElementById("lat");
  var lonField = document.getElementById("lon");
  if (!container || !latField || !lonField || !window.L || !window.BonnesAdressesMap) return;

  var DECIMALS = 6; // about 10 cm: finer than any shop door
  var PLACED_ZOOM = 17;
  var TOWN_ZOOM = 14;
  var KEY_STEP_PX = 10; // an arrow key moves the focused marker this far on screen
  var ARROWS = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
  var data = container.dataset;
  // Once the member has placed the shop (map or fields), a town picked later does not move it.
  // A position sent back with a refused form counts as placed; an edit's stored one does not.
  var placed = data.placed === "1";

  function parse(text) {
    var trimmed = String(text).trim();
    var value = Number(trimmed.replace(",", ".").replace("\u2212", "-"));
    return trimmed !== "" && isFinite(value) ? value : null;
  }

  function typedPoint() {
    var lat = parse(latField.value);
    var lon = parse(lonField.value);
    if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    return L.latLng(lat, lon);
  }

  container.hidden = false;
  var map = BonnesAdressesMap.create(container, {
    notice: document.getElementById("position-tiles-failed"),
    mapOptions: { scrollWheelZoom: false },
  });
  var start = typedPoint();
  if (start !== null) {
    map.setView(start, PLACED_ZOOM);
  } else {
    map.setView([Number(data.lat), Number(data.lon)], Number(data.zoom));
  }
  var marker = L.marker(map.getCenter(), {
    draggable: true,
    autoPan: true,
    title: data.markerLabel,
    alt: data.markerLabel,
  }).addTo(map);

  function fillFields(latlng) {
    latField.value = latlng.lat.toFixed(DECIMALS);
    lonField.value = latlng.lng.toFixed(DECIMALS);
    placed = true;
    // Other scripts hear about the change as if it had been typed.
    latField.dispatchEvent(new Event("change", { bubbles: true }));
    lonField.dispatchEvent(new Event("change", { bubbles: true }));
  }

  marker.on("dragend", function () {
    fillFields(marker.getLatLng());
  });
  map.on("click", function (event) {
    marker.setLatLng(event.latlng);
    fillFields(event.latlng);
  });

  // The marker takes focus (Tab): arrow keys then nudge it, as dragging does.
  var icon = marker.getElement();
  if (icon) {
    icon.addEventListener("keydown", function (event) {
      var step = ARROWS[event.key];
      if (!step) return;
      event.preventDefault(); // the page must not scroll instead
      var point = map.latLngToContainerPoint(marker.getLatLng());
      var moved = map.containerPointToLatLng(
        point.add(L.point(step[0] * KEY_STEP_PX, step[1] * KEY_STEP_PX))
      );
      marker.setLatLng(moved);
      map.panInside(moved);
      fillFields(moved);
    });
  }

  function followFields() {
    var point = typedPoint();
    if (point === null) return;
    placed = true;
    marker.setLatLng(point);
    map.panTo(point);
  }
  latField.addEventListener("input", followFields);
  lonField.addEventListener("input", followFields);

  // The town autocomplete (static/autocomplete.js) says which locality was picked: until the
  // member has placed the shop, the marker goes to its centre, and the fields are emptied so
  // the server places the shop at its address or that centre (an edit's old position too).
  var town = document.getElementById("town");
  if (town) {
    town.addEventListener("place-picked", function (event) {
      var place = event.detail || {};
      var lat = Number(place.lat);
      var lon = Number(place.lon);
      if (placed || !isFinite(lat) || !isFinite(lon)) return;
      latField.value = "";
      lonField.value = "";
      marker.setLatLng([lat, lon]);
      map.setView([lat, lon], Math.max(map.getZoom(), TOWN_ZOOM));
    });
  }

  // A map laid out before the page's styles applied measures itself wrong.
  window.addEventListener("load", function () {
    map.invalidateSize();
  });
})();
