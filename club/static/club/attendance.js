/* Attendance steppers: + and − next to each count, so a few taps are enough. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-step]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-target"));
    var value = (parseInt(input.value, 10) || 0) + parseInt(button.getAttribute("data-step"), 10);
    input.value = String(Math.max(0, Math.min(500, value)));
  });
})();
