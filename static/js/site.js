// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // A double click must not send a form twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    window.setTimeout(function () { form.dataset.submitted = ""; }, 8000);
  });
  // "Kirim ulang" becomes clickable when the cooldown is over; the server checks too.
  document.querySelectorAll("[data-cooldown]").forEach(function (button) {
    var left = parseInt(button.dataset.cooldown, 10) || 0;
    var label = document.getElementById(button.dataset.cooldownLabel);
    function tick() {
      if (left <= 0) { button.disabled = false; if (label) { label.textContent = ""; } return; }
      button.disabled = true;
      if (label) { label.textContent = label.dataset.template.replace("%s", left); }
      left -= 1;
      window.setTimeout(tick, 1000);
    }
    tick();
  });
  // Show the chosen photo before it is uploaded.
  document.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
    input.addEventListener("change", function () {
      var img = document.getElementById(input.dataset.preview);
      if (!img || !input.files || !input.files[0] || !/^image\//.test(input.files[0].type)) { return; }
      img.src = URL.createObjectURL(input.files[0]);
      img.hidden = false;
    });
  });
})();
