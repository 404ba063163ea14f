// Volunteer service and love bank pages: reading QR codes with the
// camera, the pass countdown, and picking an activity's place on a map.
// Loaded by those pages only; wired up through app.js's onInit.
(function () {
  "use strict";

  // The code inside what a QR code carried: a check-in link
  // (.../volunteer/scan?code=XXXX) or the bare code.
  function codeOf(text) {
    var m = /[?&]code=([^&#]+)/.exec(text);
    return (m ? decodeURIComponent(m[1]) : text).trim();
  }

  // <div data-scanner="input-id"> with a <video> and a [data-scan-start]
  // button: where the browser has BarcodeDetector and a camera, the div is
  // shown and reads a QR code into the input (and sends the form unless
  // data-autosubmit-scan="0"). Elsewhere it stays hidden and the code is
  // typed.
  function initScanners(root) {
    root.querySelectorAll("[data-scanner]").forEach(function (box) {
      if (box.getAttribute("data-scanner-ready")) return;
      box.setAttribute("data-scanner-ready", "1");
      if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
      var input = document.getElementById(box.getAttribute("data-scanner"));
      var video = box.querySelector("video");
      var start = box.querySelector("[data-scan-start]");
      var status = box.querySelector("[data-scan-status]");
      if (!input || !video || !start) return;
      box.hidden = false;
      var detector, stream, timer;
      function stop() {
        if (timer) window.clearTimeout(timer);
        if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
        stream = null;
        video.hidden = true;
      }
      function tick() {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stop();
            input.value = codeOf(codes[0].rawValue);
            if (status) status.textContent = input.value;
            if (box.getAttribute("data-autosubmit-scan") !== "0" && input.form) {
              input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
            } else {
              input.dispatchEvent(new Event("change"));
            }
            return;
          }
          timer = window.setTimeout(tick, 250);
        }).catch(function () { timer = window.setTimeout(tick, 500); });
      }
      start.addEventListener("click", function () {
        try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { box.hidden = true; return; }
        navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          return video.play();
        }).then(tick).catch(function (e) {
          if (status) status.textContent = String(e && e.message || e);
        });
      });
      window.addEventListener("pagehide", stop);
    });
  }

  // <p data-countdown="unix seconds" data-expired="text"> counts down to
  // the moment and then says it has passed.
  function initCountdowns(root) {
    root.querySelectorAll("[data-countdown]").forEach(function (el) {
      var until = parseInt(el.getAttribute("data-countdown"), 10) * 1000;
      var base = el.textContent;
      function step() {
        var left = Math.round((until - Date.now()) / 1000);
        if (left <= 0) {
          el.textContent = el.getAttribute("data-expired");
          el.classList.add("expired");
          return;
        }
        el.textContent = base + " (" + Math.floor(left / 60) + ":" + ("0" + left % 60).slice(-2) + ")";
        window.setTimeout(step, 1000);
      }
      step();
    });
  }

  // <div data-pick-map="json-id" data-lon="input-id" data-lat="input-id">
  // draws the unit's boundary and sets the two inputs where it is clicked.
  function initPickMaps(root) {
    if (!window.L) return;
    root.querySelectorAll("[data-pick-map]").forEach(function (el) {
      if (el.getAttribute("data-map-ready")) return;
      var src = document.getElementById(el.getAttribute("data-pick-map"));
      var lon = document.getElementById(el.getAttribute("data-lon"));
      var lat = document.getElementById(el.getAttribute("data-lat"));
      if (!src || !lon || !lat) return;
      var data = JSON.parse(src.textContent);
      var map = window.L.map(el, { attributionControl: false, scrollWheelZoom: false });
      window.grassroots.basemap(map);
      var marker = null;
      var layer = window.L.geoJSON(data, {
        style: function () { return { color: "#0b57d0", weight: 1, fillOpacity: 0.08 }; },
        pointToLayer: function (f, ll) { marker = window.L.circleMarker(ll, { radius: 7, color: "#b8232a", fillOpacity: 0.8 }); return marker; }
      }).addTo(map);
      var b = layer.getBounds();
      if (b.isValid()) map.fitBounds(b, { padding: [12, 12], maxZoom: 17 });
      else map.setView([29.71, 116.0], 13);
      map.on("click", function (e) {
        lon.value = e.latlng.lng.toFixed(6);
        lat.value = e.latlng.lat.toFixed(6);
        if (marker) marker.setLatLng(e.latlng);
        else marker = window.L.circleMarker(e.latlng, { radius: 7, color: "#b8232a", fillOpacity: 0.8 }).addTo(map);
      });
      el.setAttribute("data-map-ready", "1");
    });
  }

  function init(root) {
    initScanners(root);
    initCountdowns(root);
    initPickMaps(root);
  }

  window.grassroots = window.grassroots || { onInit: [] };
  window.grassroots.onInit.push(init);
})();
