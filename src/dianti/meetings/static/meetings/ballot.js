/* Count the secretaries still without a grade, mark each card as graded, and keep a double tap from sending twice. */
(function () {
  "use strict";
  var form = document.getElementById("ballot"), note = document.getElementById("ungraded"), dirty = false;
  if (!form) return;
  var cards = form.querySelectorAll("fieldset.ballot-item"), button = form.querySelector("button[type=submit]");
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
  form.addEventListener("change", function () { dirty = true; update(); });
  form.addEventListener("submit", function () {
    if (button) { button.disabled = true; button.textContent = button.getAttribute("data-busy"); }
  });
  window.addEventListener("pageshow", function () { if (button) { button.disabled = false; } });
  update();
})();
