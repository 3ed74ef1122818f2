/* Count the secretaries still without a grade, mark each card as graded, keep a double tap from sending twice, and
   send the ballot so that a lost connection loses nothing: the page posts it itself and, when no answer comes (no
   signal, a server that fails), sends it again until one does — safe, since the server stores each mark exactly
   once per code and secretary (meetings/ballots.py), so a copy that did arrive changes nothing. The line above the
   button says which it is: 已提交, 未提交，正在重试, or 未提交 with the reason. The marks are never kept on the phone
   (a ballot is secret): closing the page while it retries leaves the ballot unsent, and the page says so. */
(function () {
  "use strict";
  var timer = null, attempt = 0;

  function init() {
    var form = document.getElementById("ballot"), note = document.getElementById("ungraded"), dirty = false;
    if (!form) return;
    var cards = form.querySelectorAll("fieldset.ballot-item"), button = form.querySelector("button[type=submit]");
    var status = document.getElementById("ballot-status");
    function update() {
      var left = [];
      Array.prototype.forEach.call(cards, function (card) {
        var graded = !!card.querySelector("input[type=radio]:checked");
        card.classList.toggle("graded", graded);
        if (!graded) left.push(card);
      });
      if (!note) return;
      note.classList.toggle("all", left.length === 0);
      if (left.length) {
        note.textContent = note.getAttribute("data-left").replace("__N__", left.length);
        note.setAttribute("href", "#" + left[0].id);
      } else {
        note.textContent = note.getAttribute(dirty ? "data-ready" : "data-saved");
        note.removeAttribute("href");
      }
    }
    function say(kind, text) {
      if (!status) return;
      status.className = "ballot-status " + kind;
      status.textContent = text;
    }
    function busy(on) {
      if (!button) return;
      button.disabled = on;
      button.textContent = on ? button.getAttribute("data-busy") : button.getAttribute("data-label");
    }
    function swap(html, code) {
      var doc = new DOMParser().parseFromString(html, "text/html"), fresh = doc.querySelector(".evaluator");
      var here = document.querySelector(".evaluator");
      if (!fresh || !here) {  // a notice instead of the ballot (the code used elsewhere, the vote closed)
        document.body.replaceWith(document.adoptNode(doc.body));
        return;
      }
      here.replaceWith(document.adoptNode(fresh));
      init();
      var errors = fresh.querySelector(".alert.error"), next = document.getElementById("ballot-status");
      if (next && code === 200) { next.className = "ballot-status in"; next.textContent = next.getAttribute("data-in"); }
      else if (next && errors) {
        next.className = "ballot-status failed";
        next.textContent = next.getAttribute("data-failed") + errors.textContent.trim();
      }
    }
    function send() {
      clearTimeout(timer);
      say("", status ? status.getAttribute("data-sending") : "");
      busy(true);
      fetch(form.getAttribute("action") || location.href, {method: "POST", body: new FormData(form),
                                                           credentials: "same-origin"})
        .then(function (r) {
          if (r.status >= 500) throw new Error("server " + r.status);
          return r.text().then(function (html) { attempt = 0; swap(html, r.status); });
        })
        .catch(function () {
          attempt += 1;
          if (status) say("", status.getAttribute("data-retrying").replace("__N__", attempt));
          timer = setTimeout(send, Math.min(2000 * Math.pow(2, attempt - 1), 30000));
        });
    }
    if (button) button.setAttribute("data-label", button.textContent);
    form.addEventListener("change", function () { dirty = true; update(); });
    form.addEventListener("submit", function (e) {
      if (!window.fetch || !window.FormData || !window.DOMParser) { busy(true); return; }  // a plain post
      e.preventDefault();
      attempt = 0;
      send();
    });
    window.onpageshow = function () { if (button && !attempt) button.disabled = false; };
    window.ononline = function () { if (attempt) send(); };
    window.onbeforeunload = function () { return attempt ? "" : undefined; };  // still retrying: ask first
    update();
  }

  init();
})();
