/* The question list refreshes itself every 10 s, but never while a moderator is typing an answer into it. */
(function () {
  "use strict";
  function idle(live) {
    if (live.contains(document.activeElement)) return false;
    return Array.prototype.every.call(live.querySelectorAll("input[name=answer]"), function (i) {
      return i.value === i.defaultValue;
    });
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var live = document.getElementById("questions-live");
    if (live && e.detail.elt === live && !idle(live)) e.preventDefault();
  });
})();
