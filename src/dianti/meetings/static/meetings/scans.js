/* A photo taken with the phone's camera is uploaded at once, so a clerk photographs ballots one after another:
   take, upload, take the next. Files chosen from the scanner's folder wait for the button, as chosen. */
(function () {
  "use strict";
  var camera = document.getElementById("scan-camera");
  if (!camera) return;
  camera.addEventListener("change", function () {
    if (camera.files && camera.files.length) camera.form.requestSubmit();
  });
})();
