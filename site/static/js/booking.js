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
    // A day's times arrived (the swapped-in section settles): read them next.
    if (event.target && event.target.id === "times" && document.contains(event.target)) {
      event.target.focus();
    }
    detectZone();
  });
})();
