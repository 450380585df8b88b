// The search form, phone first.
(function () {
  "use strict";
  // The facets fold away on small screens; on a wide screen there is room beside the list, so
  // they open (the markup stays <details>, usable without this script). The form's filters
  // stay folded everywhere: the results come first.
  if (window.matchMedia && window.matchMedia("(min-width: 1024px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (panel) {
      panel.open = true;
    });
  }
  // Leave empty fields and the default sort out of the URL, so a search reads and shares as
  // "?q=fleuriste&near=Arlon" rather than a row of empty parameters.
  var form = document.querySelector("form.search-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "checkbox") return;
      if (field.value === "" || (field.name === "sort" && field.value === "relevance")) {
        field.disabled = true;
      }
    });
  });
  // Coming back (bfcache) must not find the fields still disabled.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      field.disabled = false;
    });
  });
})();
