/* Fill the hidden coordinates of a problem from the phone's location, only when asked. */
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  var form = document.querySelector("[data-problem-form]");
  if (!button || !form || !navigator.geolocation) return;
  var strings = JSON.parse((document.getElementById("locate-strings") || {}).textContent || "{}");
  var status = document.querySelector("[data-locate-status]");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = strings.locating || "";
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector('[name="lat"]').value = pos.coords.latitude.toFixed(6);
      form.querySelector('[name="lon"]').value = pos.coords.longitude.toFixed(6);
      status.textContent = strings.done || "";
    }, function () { status.textContent = strings.failed || ""; }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();
