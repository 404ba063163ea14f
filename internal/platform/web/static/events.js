// Grassroots events pages: locating a problem from the phone (the
// Geolocation API) or by a tap on a map of the grids, and forms that send
// once. No inline scripts: pages describe what they need with data-
// attributes, as app.js does.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function setPlace(lon, lat) {
    var lonEl = document.getElementById("f-lon"), latEl = document.getElementById("f-lat");
    if (lonEl) lonEl.value = lon.toFixed(6);
    if (latEl) latEl.value = lat.toFixed(6);
    document.dispatchEvent(new CustomEvent("grassroots:place", { detail: { lon: lon, lat: lat } }));
  }

  // <button data-locate> fills the longitude and latitude from the device.
  function initLocate() {
    document.querySelectorAll("[data-locate]").forEach(function (btn) {
      var status = document.querySelector("[data-locate-status]");
      btn.addEventListener("click", function () {
        if (!navigator.geolocation) { if (status) status.textContent = "×"; return; }
        if (status) status.textContent = "…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          setPlace(pos.coords.longitude, pos.coords.latitude);
          if (status) status.textContent = "±" + Math.round(pos.coords.accuracy) + " m";
        }, function (err) {
          if (status) status.textContent = err.message || "×";
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    });
  }

  // <div data-pick-map="id-of-json"> shows the grids; a tap puts the place there.
  function initPickMaps() {
    if (!window.L) return;
    document.querySelectorAll("[data-pick-map]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-pick-map"));
      if (!src || el.getAttribute("data-map-ready")) return;
      var map = window.L.map(el, { attributionControl: false });
      var tiles = document.body.getAttribute("data-tiles");
      if (tiles) window.L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
      var layer = window.L.geoJSON(JSON.parse(src.textContent), {
        style: function () { return { color: "#0b57d0", weight: 1, fillOpacity: 0.08 }; },
        onEachFeature: function (f, l) { if (f.properties && f.properties.name) l.bindTooltip(f.properties.name); }
      }).addTo(map);
      var b = layer.getBounds();
      if (b.isValid()) map.fitBounds(b, { padding: [8, 8] }); else map.setView([29.71, 116.0], 13);
      var marker = null;
      function put(lon, lat) {
        if (marker) marker.setLatLng([lat, lon]);
        else marker = window.L.circleMarker([lat, lon], { radius: 8, color: "#b8232a", fillOpacity: 0.9 }).addTo(map);
      }
      map.on("click", function (e) { setPlace(e.latlng.lng, e.latlng.lat); });
      layer.on("click", function (e) { setPlace(e.latlng.lng, e.latlng.lat); });
      document.addEventListener("grassroots:place", function (e) { put(e.detail.lon, e.detail.lat); map.panTo([e.detail.lat, e.detail.lon]); });
      var lon = parseFloat((document.getElementById("f-lon") || {}).value), lat = parseFloat((document.getElementById("f-lat") || {}).value);
      if (!isNaN(lon) && !isNaN(lat)) put(lon, lat);
      el.setAttribute("data-map-ready", "1");
    });
  }

  // <form data-once> is sent once: a second tap while it is on its way does
  // nothing (the idempotency key makes a resent form harmless as well).
  function initOnce() {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (form.getAttribute("data-sent")) { e.preventDefault(); return; }
        form.setAttribute("data-sent", "1");
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-busy", "true"); });
      });
    });
  }

  ready(function () { initLocate(); initPickMaps(); initOnce(); });
})();
