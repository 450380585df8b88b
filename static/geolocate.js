// "Ma position": fill the near field with the browser's coordinates (lat,lon), if allowed.
(function () {
  var button = document.getElementById("use-my-position");
  var near = document.getElementById("near");
  var status = document.getElementById("geo-status");
  if (!button || !near || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        near.value = pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5);
      },
      function () {
        // Denied, unavailable (insecure origin) or too slow: say so instead of doing nothing.
        status.textContent = button.dataset.denied;
      },
      { timeout: 10000, maximumAge: 600000 }
    );
  });
})();
