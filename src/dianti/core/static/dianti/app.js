/* Behaviour shared by every page, kept out of the templates so the Content-Security-Policy can forbid inline
   script: the pages say what they want through data- attributes, this file does it. */
(function () {
  "use strict";

  /* Mark the section the page belongs to (longest matching link), e.g. an organization page under 组织; a link
     marked data-exact (a home page, a prefix of every other) only marks itself. */
  function markSection() {
    var links = document.querySelectorAll(".mainnav a"), best = null, path = location.pathname;
    if (!links.length || document.querySelector(".mainnav a.active")) return;
    Array.prototype.forEach.call(links, function (a) {
      var href = a.getAttribute("href");
      if (href !== "/" && !a.hasAttribute("data-exact") && path.indexOf(href) === 0 && (!best || href.length > best.getAttribute("href").length)) best = a;
    });
    if (best) { best.classList.add("active"); best.setAttribute("aria-current", "page"); }
  }

  /* <form data-confirm="…">: ask before sending (publishing results, issuing codes, closing the vote). */
  document.addEventListener("submit", function (e) {
    var form = e.target.closest ? e.target.closest("form[data-confirm]") : null;
    if (form && !window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
  }, true);

  /* <button data-fill='{"id_text": "…"}'>: copy values into form fields (e.g. adopt a responsibility as the topic). */
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-fill]") : null;
    if (!button) return;
    var values = JSON.parse(button.getAttribute("data-fill"));
    Object.keys(values).forEach(function (id) {
      var field = document.getElementById(id);
      if (field) field.value = values[id];
    });
  });

  /* <form data-signout>: signing out on a phone staff share. The recording page kept for use with no signal
     (voices/sw.js caches it as "dianti-…") carries this user's name, organizations and points, so those caches are
     dropped before the sign-out goes through: the next user never opens it from the phone. The records still
     waiting to be sent stay on the phone under this user's own key ("dianti.record.queue.<user id>"; the page,
     voices/offline.js, reads only the list of the user signed in), so the next user never sees them, nothing
     is lost, and they go out when their owner signs in again. */
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-signout]") || !window.caches || form.hasAttribute("data-cleared")) return;
    e.preventDefault();
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("dianti-") === 0; })
        .map(function (k) { return caches.delete(k); }));
    }).catch(function () {}).then(function () {
      form.setAttribute("data-cleared", "");
      form.submit();
    });
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", markSection);
  else markSection();
})();
