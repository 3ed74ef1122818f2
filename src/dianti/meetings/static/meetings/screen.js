/* If the session ran out or the server answered with some other page, keep showing the last good screen. */
document.addEventListener("htmx:beforeSwap", function (e) {
  "use strict";
  if (e.detail.xhr.responseURL.indexOf("/screen/") < 0) e.detail.shouldSwap = false;
});
