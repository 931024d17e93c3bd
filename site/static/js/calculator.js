// Cost-per-funded-loan calculator: keep each input's aria-invalid in step with its error message
// after htmx refreshes the messages out of band. The inputs themselves are never swapped, so the
// field being typed in keeps its focus and every keystroke.
document.addEventListener("htmx:afterSettle", function () {
  document.querySelectorAll("[data-invalid-for]").forEach(function (message) {
    var input = document.getElementById(message.getAttribute("data-invalid-for"));
    if (!input) {
      return;
    }
    if (message.textContent.trim()) {
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
  });
});
