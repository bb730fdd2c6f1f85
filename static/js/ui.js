/* The two bits of Bootstrap's behaviour the staff pages use, without Bootstrap's JavaScript:
 *   [data-bs-toggle="collapse"][data-bs-target="#id"]  shows or hides #id (the menu, folded parts)
 *   [data-bs-dismiss="alert"]                           removes the message it sits in
 * The markup stays Bootstrap's, so a page written for Bootstrap works unchanged. */
(function () {
  "use strict";
  /* A refused form comes back with its first invalid field in view and focused, its message
   * next to it (aria-describedby), so nothing has to be looked for. */
  var invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid && !invalid.closest("[hidden]")) {
    invalid.focus({ preventScroll: true });
    invalid.scrollIntoView({ block: "center" });
  }

  /* A wide table that scrolls sideways can be scrolled from the keyboard too (WCAG 2.1.1). */
  document.querySelectorAll(".table-responsive").forEach(function (box) {
    if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) return;
    box.setAttribute("tabindex", "0");
    var table = box.querySelector("table");
    var caption = table && table.querySelector("caption");
    var heading = caption || (table && table.getAttribute("aria-labelledby") && document.getElementById(table.getAttribute("aria-labelledby")));
    if (heading) {
      if (!heading.id) heading.id = "table-" + Math.random().toString(36).slice(2);
      box.setAttribute("role", "region");
      box.setAttribute("aria-labelledby", heading.id);
    }
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest('[data-bs-toggle="collapse"]');
    if (toggle) {
      var target = document.querySelector(toggle.getAttribute("data-bs-target") || toggle.getAttribute("href"));
      if (!target) return;
      event.preventDefault();
      var open = !target.classList.contains("show");
      target.classList.toggle("show", open);
      document.querySelectorAll('[data-bs-target="#' + target.id + '"]').forEach(function (t) {
        t.setAttribute("aria-expanded", open ? "true" : "false");
        t.classList.toggle("collapsed", !open);
      });
      target.dispatchEvent(new CustomEvent(open ? "shown.bs.collapse" : "hidden.bs.collapse", { bubbles: true }));
      return;
    }
    var dismiss = event.target.closest('[data-bs-dismiss="alert"]');
    if (dismiss) {
      var alert = dismiss.closest(".alert");
      if (alert) alert.remove();
    }
  });
})();
