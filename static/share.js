// The shop page's "Partager" / "Copier le lien" button. Without JavaScript the readonly field
// above it still holds the address to copy by hand; strings come from data- attributes.
(function () {
  var box = document.querySelector(".share[data-url]");
  var button = document.getElementById("share-button");
  var field = document.getElementById("share-url");
  var status = document.getElementById("share-status");
  if (!box || !button || !field || !status) return;
  var url = box.dataset.url;
  var canShare = typeof navigator.share === "function";
  var canCopy = !!(navigator.clipboard && navigator.clipboard.writeText);
  if (!canShare && !canCopy) return; // nothing better than the field: leave it alone
  if (canShare) button.textContent = box.dataset.shareLabel;
  button.hidden = false;

  function announce(message) {
    // Emptied first, so the same message said twice is announced twice.
    status.textContent = "";
    window.requestAnimationFrame(function () { status.textContent = message; });
  }

  function selectField() {
    field.focus();
    field.select();
  }

  function copy() {
    if (!canCopy) {
      selectField();
      announce(box.dataset.copyFailed);
      return;
    }
    navigator.clipboard.writeText(url).then(
      function () { announce(box.dataset.copied); },
      function () {
        selectField();
        announce(box.dataset.copyFailed);
      }
    );
  }

  button.addEventListener("click", function () {
    if (!canShare) {
      copy();
      return;
    }
    navigator.share({ title: box.dataset.title, url: url }).then(
      function () { announce(box.dataset.shared); },
      function (error) {
        // The visitor closed the share sheet: nothing to say. Any other failure: copy.
        if (error && error.name === "AbortError") return;
        copy();
      }
    );
  });
})();
