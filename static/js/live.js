/*
 * The staff live page: keep the self-refreshing side panel (#live-stats) usable.
 * - While keyboard focus is inside it, its refresh waits (nothing is swapped from under
 *   someone reading the table or about to press a button); the next tick tries again.
 * - A <details> that was open (the chart's table) is open again after a refresh.
 * Progressive enhancement only: without JavaScript there is no refresh at all. Loaded as
 * a file, never inline, so a strict Content-Security-Policy allows it.
 */
(function () {
  "use strict";

  var openDetails = [];

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    if (!element || element.id !== "live-stats") {
      return;
    }
    var focused = document.activeElement;
    if (focused && focused !== document.body && element.contains(focused)) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    openDetails = [];
    if (target && target.id === "live-stats") {
      target.querySelectorAll("details[open][id]").forEach(function (details) {
        openDetails.push(details.id);
      });
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    openDetails.forEach(function (id) {
      var details = document.getElementById(id);
      if (details) {
        details.open = true;
      }
    });
    openDetails = [];
  });
})();
