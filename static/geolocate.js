// "Ma position": search around the browser's coordinates (lat,lon), if the visitor allows it.
(function () {
  "use strict";
  var button = document.getElementById("use-my-position");
  var near = document.getElementById("near");
  var status = document.getElementById("geo-status");
  if (!button || !near || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.locating || "";
    button.setAttribute("aria-busy", "true");
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        near.value = pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5);
        status.textContent = "";
        // Asking for one's position means "show me what is near": no second click needed.
        if (near.form.requestSubmit) near.form.requestSubmit();
        else near.form.submit();
      },
      function () {
        // Denied, unavailable (insecure origin) or too slow: say so instead of doing nothing.
        button.removeAttribute("aria-busy");
        status.textContent = button.dataset.denied;
      },
      { timeout: 10000, maximumAge: 600000 }
    );
  });
})();
