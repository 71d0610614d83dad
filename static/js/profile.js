// Lengkapi Data, step KTP: show the upload fields only for a KTP from outside DKI Jakarta.
// Without JavaScript they are always shown (and ignored for DKI by the server).
(function () {
  "use strict";
  var section = document.getElementById("non-dki");
  var radios = document.querySelectorAll("input[name=ktp_origin]");
  if (!section || !radios.length) { return; }
  function update() {
    var checked = document.querySelector("input[name=ktp_origin]:checked");
    section.hidden = !checked || checked.value !== "NON_DKI";
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
