// The desk (Daftar Kunjungan Hari Ini). Works without JavaScript; this keeps the scan box
// ready for a USB/Bluetooth barcode scanner and adds optional camera QR scanning.
(function () {
  "use strict";
  var input = document.querySelector(".scan-input");
  var form = document.getElementById("scan-form");

  // Print button on the printable list.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  if (!input || !form) { return; }

  function isField(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA" || el.isContentEditable);
  }

  // A scanned group code asks how many came: that number (pre-filled with the whole group) gets
  // the focus, so Enter checks the whole group in and typing a number first checks fewer in.
  var present = document.querySelector("[data-present]");
  if (present) {
    present.focus();
    present.select();
    // The next visitor's code scanned instead: letters go back to the scan box.
    present.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1 || /[0-9]/.test(event.key)) { return; }
      var typed = present.value !== present.dataset.default ? present.value : "";
      present.value = present.dataset.default || "";
      input.value = typed;
      input.focus();
    });
  } else {
    // A scanner "types" the code and presses Enter: when nothing else has focus, send keys to the scan box.
    input.focus();
    input.select();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) { return; }
    if (isField(document.activeElement)) { return; }
    input.focus();
  });

  // Camera: native BarcodeDetector when the browser has it, else the vendored jsQR.
  var toggle = document.querySelector("[data-camera-toggle]");
  var box = document.querySelector("[data-camera]");
  var video = document.querySelector("[data-camera-video]");
  var status = document.querySelector("[data-camera-status]");
  var hasCamera = navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  var detector = null;
  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  }
  if (!toggle || !box || !video || !hasCamera || (!detector && !window.jsQR)) { return; }
  toggle.hidden = false;
  var stream = null;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    box.hidden = true;
    toggle.setAttribute("aria-pressed", "false");
  }

  function found(text) {
    stop();
    input.value = text;
    form.submit();
  }

  function scan() {
    if (!stream) { return; }
    if (video.readyState >= 2) {
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes.length) { found(codes[0].rawValue); } else { window.requestAnimationFrame(scan); }
        }, function () { window.requestAnimationFrame(scan); });
        return;
      }
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) { found(code.data); return; }
    }
    window.requestAnimationFrame(scan);
  }

  toggle.addEventListener("click", function () {
    if (stream) { stop(); input.focus(); return; }
    box.hidden = false;
    toggle.setAttribute("aria-pressed", "true");
    status.textContent = status.dataset.wait || "";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.play();
      status.textContent = "";
      window.requestAnimationFrame(scan);
    }, function () {
      status.textContent = status.dataset.denied || "";
      toggle.setAttribute("aria-pressed", "false");
    });
  });
})();
