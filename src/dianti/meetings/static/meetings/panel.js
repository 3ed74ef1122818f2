/* Add up the weights and seats as they are typed, so a panel that does not make 100 % shows before submitting. */
(function () {
  "use strict";
  var table = document.getElementById("panel"), weight = document.getElementById("weight-total"), size = document.getElementById("size-total");
  if (!table) return;
  function update() {
    var w = 0, n = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var inputs = row.querySelectorAll("input");
      if (!inputs[0].value.trim()) return;
      w += parseFloat(inputs[1].value) || 0; n += parseInt(inputs[2].value, 10) || 0;
    });
    w = Math.round(w * 100) / 100;
    weight.textContent = w + "%"; size.textContent = n;
    weight.classList.toggle("bad", w !== 100);
  }
  table.addEventListener("input", update);
  update();
})();
