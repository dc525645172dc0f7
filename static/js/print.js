// Print buttons on certificate pages. Without JavaScript they stay hidden and the browser's own
// Print command does the same job: the print stylesheet in coprod.css lays the page out either way.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
