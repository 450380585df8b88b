// The product form's photo: a file over the size limit is refused in the browser, before a
// long upload the server would refuse anyway, and the form stays as typed. The limit and the
// message come from the input's data-max-bytes and data-too-large (the page's language).
(function () {
  "use strict";
  var input = document.querySelector("input[type=file][data-max-bytes]");
  if (!input || !input.form) return;
  var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
  var message = input.getAttribute("data-too-large") || "";
  var errorId = input.id + "-error";

  function errorElement() {
    var element = document.getElementById(errorId);
    if (!element) {
      element = document.createElement("small");
      element.className = "field-error";
      element.id = errorId;
      var label = input.closest("label") || input;
      label.insertAdjacentElement("afterend", element);
    }
    return element;
  }

  function tooLarge() {
    var file = input.files && input.files[0];
    return Boolean(file && limit > 0 && file.size > limit);
  }

  function describe(add) {
    var list = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    list = list.filter(function (id) { return id !== errorId; });
    if (add) list.push(errorId);
    if (list.length) input.setAttribute("aria-describedby", list.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function check() {
    if (tooLarge()) {
      errorElement().textContent = message;
      input.setAttribute("aria-invalid", "true");
      describe(true);
      return false;
    }
    var element = document.getElementById(errorId);
    if (element && element.textContent === message) {
      element.remove();
      input.removeAttribute("aria-invalid");
      describe(false);
    }
    return true;
  }

  input.addEventListener("change", check);
  input.form.addEventListener("submit", function (event) {
    if (!check()) {
      event.preventDefault();
      input.focus();
    }
  });
})();
