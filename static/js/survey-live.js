// Questionnaire staff pages: the live response count, full screen for the projector, a print button.
// Progressive enhancement only: without this file the pages show the count with a Refresh link, and the
// browser's own full-screen and print commands do the rest.
(function () {
  "use strict";
  var POLL_MS = 5000;

  function poll(element) {
    var url = element.getAttribute("data-count-url");
    function update() {
      if (document.hidden) return;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          // Only a change is written, so screen readers announce new responses and nothing else.
          if (data && String(data.count) !== element.textContent.trim()) element.textContent = String(data.count);
        })
        .catch(function () { /* a missed poll is retried on the next tick */ });
    }
    window.setInterval(update, POLL_MS);
    document.addEventListener("visibilitychange", update);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-count-url]").forEach(poll);

    document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("data-fullscreen"));
      if (!target || !target.requestFullscreen) return;
      button.hidden = false;
      button.addEventListener("click", function () { target.requestFullscreen(); });
    });

    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
