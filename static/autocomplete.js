// Town and postcode autocomplete on inputs marked data-places-autocomplete, following the
// WAI-ARIA APG "combobox with listbox popup" pattern: focus stays in the input, the active
// option is named by aria-activedescendant, and a polite live region says how many places
// are offered. Strings and the API address come from data-places-* attributes on the input
// or an ancestor (the form), so they are translated with the page.
// data-places-autocomplete="address" also fills #postcode and #country (the posting form).
// Picking a place dispatches a "place-picked" CustomEvent on the input, with
// {name, postcode, country, lat, lon} in detail, for scripts such as the position picker.
(function () {
  "use strict";

  var DEBOUNCE_MS = 200;
  var MIN_LENGTH = 2;
  var count = 0;

  function settings(input) {
    var host = input.closest("[data-places-url]") || input;
    return {
      url: host.dataset.placesUrl,
      label: host.dataset.placesLabel || "",
      none: host.dataset.placesNone || "",
      one: host.dataset.placesOne || "",
      many: host.dataset.placesMany || "",
    };
  }

  function setValue(field, value) {
    if (!field || field.value === value) return;
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function enhance(input) {
    var text = settings(input);
    if (!text.url) return;
    var id = "places-listbox-" + ++count;
    var listbox = document.createElement("ul");
    listbox.id = id;
    listbox.className = "places-listbox";
    listbox.setAttribute("role", "listbox");
    if (text.label) listbox.setAttribute("aria-label", text.label);
    listbox.hidden = true;
    var status = document.createElement("div");
    status.id = id + "-status";
    status.className = "places-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    // A list inside a <label> would be invalid HTML: it goes right after the label.
    var anchor = input.parentElement.tagName === "LABEL" ? input.parentElement : input;
    anchor.after(listbox, status);
    var host = listbox.parentElement;
    host.classList.add("places-host");

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    // The browser's own suggestions would cover ours.
    input.setAttribute("autocomplete", "off");

    var places = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var answered = null;

    function position() {
      var hostBox = host.getBoundingClientRect();
      var box = input.getBoundingClientRect();
      listbox.style.top = box.bottom - hostBox.top + "px";
      listbox.style.left = box.left - hostBox.left + "px";
      listbox.style.width = box.width + "px";
    }

    function isOpen() {
      return !listbox.hidden;
    }

    function open() {
      if (!places.length) return;
      position();
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function setActive(index) {
      var options = listbox.children;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (index < 0 || !options[index]) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      options[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }

    function announce(n) {
      if (n === 0) status.textContent = text.none;
      else if (n === 1) status.textContent = text.one;
      else status.textContent = text.many.replace("{n}", String(n));
    }

    function show(found) {
      places = found;
      active = -1;
      listbox.replaceChildren();
      found.forEach(function (place, index) {
        var option = document.createElement("li");
        option.id = id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = place.label;
        // Keep the focus in the input: a click must not blur it first.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
        });
        option.addEventListener("click", function () {
          pick(index);
        });
        listbox.appendChild(option);
      });
      announce(found.length);
      if (found.length) open();
      else close();
    }

    function pick(index) {
      var place = places[index];
      if (!place) return;
      clearTimeout(timer);
      // A search field gets "6700 Arlon": a name alone would let a namesake (Saint-Denis in
      // Belgium or France) win; the posting form has its own postcode field.
      var address = input.dataset.placesAutocomplete === "address";
      input.value = address ? place.name : place.postcode + " " + place.name;
      answered = input.value;
      close();
      if (address) {
        setValue(document.getElementById("postcode"), place.postcode);
        setValue(document.getElementById("country"), place.country);
      }
      input.dispatchEvent(
        new CustomEvent("place-picked", {
          bubbles: true,
          detail: {
            name: place.name,
            postcode: place.postcode,
            country: place.country,
            lat: place.lat,
            lon: place.lon,
          },
        }),
      );
    }

    function lookUp() {
      var query = input.value.trim();
      if (query.length < MIN_LENGTH) {
        places = [];
        status.textContent = "";
        close();
        return;
      }
      if (query === answered) {
        open();
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      fetch(text.url + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        signal: controller.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (found) {
          // An answer to what was typed before the last keystroke is stale.
          if (input.value.trim() !== query || document.activeElement !== input) return;
          answered = query;
          show(found);
        })
        .catch(function () {
          // Offline or aborted: the field still works as a plain text input.
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      answered = null;
      timer = setTimeout(lookUp, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var n = places.length;
      switch (event.key) {
        case "ArrowDown":
          if (!n) return;
          event.preventDefault();
          if (!isOpen()) open();
          setActive(active < n - 1 ? active + 1 : 0);
          break;
        case "ArrowUp":
          if (!n) return;
          event.preventDefault();
          if (!isOpen()) open();
          setActive(active > 0 ? active - 1 : n - 1);
          break;
        case "Enter":
          // With no option chosen, Enter submits the form as usual.
          if (isOpen() && active >= 0) {
            event.preventDefault();
            pick(active);
          }
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          }
          break;
        case "Tab":
          close();
          break;
      }
    });

    input.addEventListener("blur", close);
    window.addEventListener("resize", function () {
      if (isOpen()) position();
    });
  }

  document.querySelectorAll("input[data-places-autocomplete]").forEach(enhance);
})();
