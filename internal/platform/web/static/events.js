// Grassroots events pages: locating a problem from the phone (the
// Geolocation API) or by a tap on a map of the grids, and forms that send
// once. No inline scripts: pages describe what they need with data-
// attributes, as app.js does.
(function () {
  "use strict";

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
      window.grassroots.basemap(map);
      var layer = window.L.geoJSON(JSON.parse(src.textContent), {
        style: function () { return { color: "#0b57d0", weight: 1, fillOpacity: 0.08 }; }
      }).addTo(map);
      var b = layer.getBounds();
      if (b.isValid()) map.fitBounds(b, { padding: [8, 8] }); else map.setView([29.71, 116.0], 13);
      var named = [];
      layer.eachLayer(function (l) { if (l.feature.properties.name) named.push({ layer: l, name: l.feature.properties.name, level: "grid" }); });
      window.grassroots.labelUnits(map, named);
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

  // link is an element linking to href with text, for a popup.
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  // <div data-events-map="id-of-json"> draws the events map: the outlines
  // of the units (the viewer's own, marked frame, in red and fitted to the
  // view; communities and grids named where they have room), the events
  // as markers shaped and coloured by stage, ringed yellow or red when late
  // (events.css), gathered into clusters where they crowd, and a heat layer
  // of a category chosen in <select data-heat-for="map's id">.
  function initEventsMap() {
    var L = window.L;
    if (!L) return;
    document.querySelectorAll("[data-events-map]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-events-map"));
      if (!src || el.getAttribute("data-map-ready")) return;
      var data = JSON.parse(src.textContent);
      var map = L.map(el, { attributionControl: false, scrollWheelZoom: false });
      window.grassroots.basemap(map);
      var units = [], points = [], frame = L.featureGroup();
      var outlines = L.geoJSON({ type: "FeatureCollection", features: data.features.filter(function (f) { return f.geometry.type !== "Point"; }) }, {
        style: function (f) {
          var p = f.properties;
          if (p.frame) return { color: "#b8232a", weight: 3, fill: false };
          if (p.level === "community") return { color: "#0b57d0", weight: 2, fillColor: "#0b57d0", fillOpacity: 0.03 };
          return { color: "#6f8fc7", weight: 1, fillColor: "#0b57d0", fillOpacity: 0.05 };
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          if (p.frame) { frame.addLayer(l); return; }
          units.push({ layer: l, name: p.name, level: p.level });
          if (p.href) l.bindPopup(link(p.href, p.name));
        }
      }).addTo(map);
      var cluster = L.markerClusterGroup ? L.markerClusterGroup({
        maxClusterRadius: 40, showCoverageOnHover: false, disableClusteringAtZoom: 18,
        iconCreateFunction: function (c) {
          var late = c.getAllChildMarkers().some(function (m) { return m.options.light === "red"; });
          var n = c.getChildCount(), size = n < 10 ? "small" : n < 100 ? "medium" : "large";
          var div = document.createElement("div"), span = document.createElement("span");
          span.textContent = n;
          div.appendChild(span);
          return L.divIcon({ html: div, className: "marker-cluster marker-cluster-" + size + (late ? " cluster-late" : ""), iconSize: L.point(40, 40) });
        }
      }) : L.layerGroup();
      data.features.forEach(function (f) {
        if (f.geometry.type !== "Point") return;
        var p = f.properties, ll = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
        points.push({ ll: ll, category: p.category });
        var m = L.marker(ll, {
          icon: L.divIcon({ className: "ev-marker st-" + p.stage + (p.light ? " lt-" + p.light : ""), iconSize: [18, 18] }),
          title: p.name, alt: p.name, light: p.light, riseOnHover: true
        });
        m.bindPopup(link(p.href, p.name));
        cluster.addLayer(m);
      });
      frame.addTo(map);
      var bounds = frame.getLayers().length ? frame.getBounds() : outlines.getBounds();
      if (!bounds.isValid() && points.length) bounds = L.latLngBounds(points.map(function (p) { return p.ll; }));
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] }); else map.setView([29.71, 116.0], 13);
      cluster.addTo(map);
      if (!units.length) frame.eachLayer(function (l) { units.push({ layer: l, name: l.feature.properties.name, level: l.feature.properties.level }); });
      window.grassroots.labelUnits(map, units);
      var heat = null, chooser = document.querySelector('[data-heat-for="' + el.id + '"]');
      if (chooser && L.heatLayer) {
        chooser.addEventListener("change", function () {
          if (heat) { map.removeLayer(heat); heat = null; }
          var v = chooser.value;
          if (v === "off") return;
          var pts = points.filter(function (p) { return v === "*" || p.category === v; }).map(function (p) { return [p.ll.lat, p.ll.lng, 1]; });
          heat = L.heatLayer(pts, { radius: 28, blur: 20, maxZoom: 16, minOpacity: 0.3 }).addTo(map);
        });
      } else if (chooser) {
        chooser.hidden = true;
      }
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

  // app.js runs these once the page is loaded, after its own (the maps
  // use its basemap); the pages that htmx swaps in need none of them.
  window.grassroots = window.grassroots || { onInit: [] };
  window.grassroots.onInit.push(function (root) {
    if (root !== document) return;
    initLocate(); initPickMaps(); initEventsMap(); initOnce();
  });
})();
