/* Loads "Co może pomóc?" (what_helps.js) when a need is first ticked in the note form, so that the
 * duty screen opens without it. Both files are kept by the service worker for offline use. */
(function () {
  "use strict";
  var root = document.querySelector("[data-what-helps]");
  var form = document.querySelector("form[data-note-form]");
  if (!root || !form) return;
  var loaded = false;
  function load() {
    if (loaded) return;
    loaded = true;
    var script = document.createElement("script");
    script.src = root.getAttribute("data-what-helps-script");
    document.head.appendChild(script);
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "needs") load();
  });
  if (form.querySelector('input[name="needs"]:checked')) load();
})();
