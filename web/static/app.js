/* A little comfort on top of pages that work without JavaScript. No inline handlers (CSP). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.matches("form[data-inplace]") && window.fetch && window.DOMParser) {
      event.preventDefault();
      inPlace(form, button);
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
  // record without leaving the page: post the form, then show the page the server answers (the same page,
  // updated: checklist, actions, history) in place of this one, keeping the scroll position and the focus
  function inPlace(form, button) {
    var data = new FormData(form);
    if (button && button.name) { data.append(button.name, button.value); }
    var holder = form.closest("[id]");
    var anchor = holder ? holder.id : null;
    var top = anchor ? document.getElementById(anchor).getBoundingClientRect().top : 0;
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    document.body.setAttribute("aria-busy", "true");
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                        headers: {"X-Requested-With": "fetch"}})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html");
        var main = next.getElementById("main");
        if (!main) { throw new Error("no page"); }
        document.getElementById("main").replaceWith(main);
        document.body.removeAttribute("aria-busy");
        var again = anchor && document.getElementById(anchor);
        if (again) {
          window.scrollBy(0, again.getBoundingClientRect().top - top);
          var target = again.querySelector("[aria-invalid=true], .field-error, button.on, button, input");
          if (target && target.focus) { target.focus({preventScroll: true}); }
        }
        var flash = main.querySelector(".flash");
        if (flash) { flash.classList.add("flash-toast"); }
      })
      .catch(function () {  // anything odd: an ordinary submit, with the pressed button's value
        if (button && button.name) {
          var hidden = document.createElement("input");
          hidden.type = "hidden"; hidden.name = button.name; hidden.value = button.value;
          form.appendChild(hidden);
        }
        form.removeAttribute("data-inplace");
        form.submit();
      });
  }
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
  // after a refused submit the answer page shows the problem where the form was: bring it into view and put
  // the cursor in the first marked field (the form's action carries the section's #anchor for no-JS browsers)
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector(".problem[role=alert], .field-error");
    if (!box) { return; }
    var details = box.closest("details");
    if (details) { details.open = true; }
    var field = document.querySelector("[aria-invalid=true]");
    box.scrollIntoView({block: "center"});
    if (field && typeof field.focus === "function") { field.focus({preventScroll: true}); }
  });
  // the user menu closes when clicking elsewhere
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.usermenu[open]").forEach(function (d) {
      if (!d.contains(event.target)) { d.open = false; }
    });
  });
})();
