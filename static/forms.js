// A form sent back with errors: put the keyboard (and the screen reader) on the first field
// at fault, whose message is tied to it by aria-describedby, instead of the top of the page.
(function () {
  "use strict";
  var first = document.querySelector("main [aria-invalid=true]");
  if (first && typeof first.focus === "function") first.focus();
})();
