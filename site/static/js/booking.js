/* Booking calendar: use the browser's time zone when the visitor hasn't chosen one,
   and move focus to a day's times after htmx loads them. No inline script (CSP). */
(function () {
  "use strict";

  function detectZone() {
    var select = document.querySelector("select[data-detect-zone]");
    if (!select) return;
    select.removeAttribute("data-detect-zone");
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone || zone === select.value) return;
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
    if (!known) return;
    select.value = zone;
    var form = select.form;
    if (form && typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else if (form) {
      form.submit();
    }
  }

  document.addEventListener("DOMContentLoaded", detectZone);
  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.classList && elt.classList.contains("day-free")) {
      var times = document.getElementById("times");
      if (times) times.focus();
    }
    detectZone();
  });
})();
