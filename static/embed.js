// The embed's small map (templates/embed/embed.html): one marker per listed shop, read from the
// list's data-lat/data-lon, so the map and the list always show the same shops.
// Needs Leaflet and static/map-common.js. The page sits in another site's frame: every link,
// Leaflet's own included, opens in a new tab.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (link && !link.target) {
      link.target = "_blank";
      link.rel = "noopener";
    }
  });

  var common = window.BonnesAdressesMap;
  var container = document.getElementById("embed-map");
  if (!window.L || !common || !container) return;

  function popupContent(item) {
    var box = document.createElement("div");
    var source = item.querySelector(".embed-name");
    var link = document.createElement("a");
    link.href = source.href;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = source.textContent;
    var meta = document.createElement("div");
    meta.className = "map-popup-meta";
    meta.textContent = item.querySelector(".meta").textContent;
    box.appendChild(link);
    box.appendChild(meta);
    return box;
  }

  var section = container.closest(".embed-map");
  section.hidden = false;
  var map = common.create(container, {
    notice: section.querySelector(".map-notice"),
    mapOptions: { scrollWheelZoom: false },
  });
  var items = Array.prototype.filter.call(
    document.querySelectorAll(".embed-list [data-lat]"),
    function (item) {
      return isFinite(parseFloat(item.dataset.lat)) && isFinite(parseFloat(item.dataset.lon));
    }
  );
  if (!items.length) return;
  function position(item) {
    return [parseFloat(item.dataset.lat), parseFloat(item.dataset.lon)];
  }
  // The view first: Leaflet only draws markers on a map that has one.
  map.fitBounds(items.map(position), { animate: false, padding: [20, 20], maxZoom: 15 });
  items.forEach(function (item) {
    var marker = L.marker(position(item), {
      icon: common.pinIcon(),
      keyboard: false,
      title: item.querySelector(".embed-name").textContent,
    }).addTo(map);
    marker.bindPopup(popupContent(item));
    var pin = marker.getElement();
    pin.dataset.shopId = item.dataset.shopId;
    // The list's item and its marker light up together.
    ["mouseenter", "focusin"].forEach(function (name) {
      item.addEventListener(name, function () {
        pin.classList.add("is-highlighted");
      });
    });
    ["mouseleave", "focusout"].forEach(function (name) {
      item.addEventListener(name, function () {
        pin.classList.remove("is-highlighted");
      });
    });
  });
  container.dataset.loaded = "true";
})();
