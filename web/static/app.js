/* A little comfort on top of pages that work without JavaScript. No inline handlers (CSP). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // avoid double submissions: disable the buttons shortly after the browser has read the pressed one
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]:not([disabled])").forEach(function (b) {
        b.disabled = true;
        b.setAttribute("data-busy", "1");
      });
    }, 0);
  });
  // coming back through the browser history: buttons work again
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[data-busy]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("data-busy");
    });
  });
  // open the section the URL points at when it is inside a closed <details>
  function openTarget() {
    if (!location.hash) { return; }
    var el = document.getElementById(location.hash.slice(1));
    while (el) {
      if (el.tagName === "DETAILS") { el.open = true; }
      el = el.parentElement;
    }
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);
  // the user menu closes when clicking elsewhere
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.usermenu[open]").forEach(function (d) {
      if (!d.contains(event.target)) { d.open = false; }
    });
  });
})();
