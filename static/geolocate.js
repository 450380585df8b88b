// "Ma position": fill the near field with the browser's coordinates (lat,lon), if allowed.
(function () {
  var button = document.getElementById("use-my-position");
  var near = document.getElementById("near");
  if (!button || !near || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      near.value = pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5);
    });
  });
})();
