// Small behaviours every page shares, kept out of the HTML: the Content-Security-Policy allows
// scripts only from the portal's own files, and style attributes not at all.
(function () {
  "use strict";

  // Progress bars carry their value in data-progress; the width is set through the CSSOM,
  // which the policy allows (a style="" attribute it would refuse).
  function sizeProgressBars(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = parseFloat(bar.dataset.progress);
      if (!isNaN(value)) bar.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }

  // "Back to the form" on the CSRF failure page: the browser's own history keeps what was typed.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-history-back]");
    if (button) {
      event.preventDefault();
      window.history.back();
    }
  });

  // The phone menu's button shows and hides the navbar's links (Bootstrap's CSS, no its script).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-nav-toggle]");
    if (!button) return;
    var menu = document.getElementById(button.dataset.navToggle);
    var open = menu.classList.toggle("show");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });

  // The navbar's menus are <details>: one open at a time, and a click elsewhere or Escape closes
  // them, as people expect of a menu.
  function closeMenus(except) {
    document.querySelectorAll("details.app-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details.app-menu"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = event.target.closest && event.target.closest("details.app-menu[open]");
    closeMenus(null);
    if (open) open.querySelector("summary").focus();
  });

  document.addEventListener("DOMContentLoaded", function () { sizeProgressBars(document); });
  // Parts of pages that htmx swaps in (progress polling) carry their own bars.
  document.addEventListener("htmx:load", function (event) { sizeProgressBars(event.target); });
})();
