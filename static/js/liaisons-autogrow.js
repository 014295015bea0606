/*
 * Liaison e-mail editors: a textarea marked data-autogrow grows with its text, so staff
 * see the whole template while they edit it. Progressive enhancement only (without
 * JavaScript the textarea keeps its USWDS height and can be resized by hand); it sets
 * the height through the CSSOM, which a strict Content-Security-Policy allows.
 */
(function () {
  "use strict";

  function grow(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = textarea.scrollHeight + 2 + "px";
  }

  function init() {
    document.querySelectorAll("textarea[data-autogrow]").forEach(function (textarea) {
      grow(textarea);
      textarea.addEventListener("input", function () {
        grow(textarea);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
