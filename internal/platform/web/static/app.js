// Grassroots page behaviours. No inline scripts: the Content-Security-Policy
// allows only files from this server, so pages describe what they need with
// data- attributes and this file wires it up.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // The menu button opens the navigation on narrow screens.
  function initMenu(root) {
    root.querySelectorAll(".menu-toggle").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var nav = document.getElementById(btn.getAttribute("aria-controls"));
        if (!nav) return;
        var open = nav.classList.toggle("open");
        btn.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
  }

  // Tables with class "sortable" sort by a clicked header; numbers as numbers.
  function cellValue(row, idx) {
    var cell = row.children[idx];
    if (!cell) return "";
    var v = cell.getAttribute("data-value");
    return v !== null ? v : cell.textContent.trim();
  }
  function initSortable(root) {
    root.querySelectorAll("table.sortable").forEach(function (table) {
      var headers = table.querySelectorAll("thead th");
      headers.forEach(function (th, idx) {
        if (th.hasAttribute("data-nosort")) return;
        th.setAttribute("data-sort", "");
        th.addEventListener("click", function () {
          var asc = !th.classList.contains("sorted-asc");
          headers.forEach(function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
          th.classList.add(asc ? "sorted-asc" : "sorted-desc");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = cellValue(a, idx), y = cellValue(b, idx);
            var nx = parseFloat(x), ny = parseFloat(y);
            var r = (!isNaN(nx) && !isNaN(ny) && String(nx) === x.replace(/%$/, "") && String(ny) === y.replace(/%$/, ""))
              ? nx - ny : x.localeCompare(y, "zh-CN");
            return asc ? r : -r;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  // <input data-filter="tableId"> hides the rows of that table that do not
  // contain the typed text.
  function initFilters(root) {
    root.querySelectorAll("input[data-filter]").forEach(function (input) {
      var table = document.getElementById(input.getAttribute("data-filter"));
      if (!table) return;
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
          row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
        });
      });
    });
  }

  // <form data-confirm="..."> asks before it is sent.
  function initConfirm(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
  }

  // <div data-chart="id-of-json"> draws the ECharts option held in the
  // <script type="application/json" id="..."> element of that id.
  function initCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-chart"));
      if (!src || el.getAttribute("data-chart-ready")) return;
      var option = JSON.parse(src.textContent);
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      el.setAttribute("data-chart-ready", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // basemap gives a Leaflet map what every map has: the configured tile
  // layers (<body data-tiles="URL URL" data-tiles-attribution="...">, drawn
  // in order) with their attribution, or a plain background without them,
  // a metric scale, and zoom up to 18 (a building).
  function basemap(map) {
    var L = window.L, el = map.getContainer();
    map.setMaxZoom(18);
    var tiles = (document.body.getAttribute("data-tiles") || "").split(" ").filter(Boolean);
    if (tiles.length) {
      var text = document.createElement("span");
      text.textContent = document.body.getAttribute("data-tiles-attribution") || "";
      tiles.forEach(function (url, i) {
        L.tileLayer(url, { maxZoom: 18, attribution: i === 0 ? text.innerHTML : "" }).addTo(map);
      });
      L.control.attribution({ prefix: false }).addTo(map);
    } else {
      el.classList.add("map-plain");
    }
    L.control.scale({ imperial: false }).addTo(map);
  }
  // labelUnits names the outlines of units on a map, each label drawn only
  // where it fits inside its outline: the grids' when most of them have
  // room for their names, else the communities' (and any other level's), so
  // that labels never pile up. units is a list of {layer, name, level}.
  function labelUnits(map, units) {
    // The labels lie under the markers, which stay readable and clickable.
    if (!map.getPane("unitLabels")) map.createPane("unitLabels").classList.add("unit-labels");
    units.forEach(function (u) {
      u.layer.bindTooltip(u.name, { permanent: true, direction: "center", className: "unit-label unit-label-" + u.level, interactive: false, pane: "unitLabels" });
      u.layer.closeTooltip();
    });
    function fits(u) {
      var b = u.layer.getBounds();
      var ne = map.latLngToContainerPoint(b.getNorthEast()), sw = map.latLngToContainerPoint(b.getSouthWest());
      return ne.x - sw.x >= u.name.length * 12 + 4 && sw.y - ne.y >= 18;
    }
    function update() {
      var grids = units.filter(function (u) { return u.level === "grid"; });
      var roomy = grids.filter(fits);
      var showGrids = grids.length > 0 && roomy.length * 2 >= grids.length;
      units.forEach(function (u) {
        var show = (u.level === "grid") === showGrids && fits(u);
        if (show) u.layer.openTooltip(); else u.layer.closeTooltip();
      });
    }
    map.on("zoomend", update);
    map.whenReady(update);
  }

  window.grassroots = window.grassroots || { onInit: [] };
  window.grassroots.basemap = basemap;
  window.grassroots.labelUnits = labelUnits;

  // <div data-map="id-of-json"> draws the GeoJSON FeatureCollection held in
  // that <script type="application/json"> with Leaflet: the feature whose
  // properties say self in red, the others in blue, linked to their pages.
  function initMaps(root) {
    if (!window.L) return;
    root.querySelectorAll("[data-map]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-map"));
      if (!src || el.getAttribute("data-map-ready")) return;
      var data = JSON.parse(src.textContent);
      var map = window.L.map(el, { attributionControl: false, scrollWheelZoom: false });
      basemap(map);
      var layer = window.L.geoJSON(data, {
        style: function (f) {
          return f.properties.self ? { color: "#b8232a", weight: 2, fillOpacity: 0.03 }
            : { color: f.properties.color || "#0b57d0", weight: 1, fillOpacity: 0.12 };
        },
        pointToLayer: function (f, latlng) {
          return window.L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 2, fillColor: f.properties.color || "#b8232a", fillOpacity: 1 });
        },
        onEachFeature: function (f, l) {
          if (f.properties.name) l.bindTooltip(f.properties.name);
          if (f.properties.href && !f.properties.self) l.on("click", function () { window.location.href = f.properties.href; });
        }
      }).addTo(map);
      var named = [];
      layer.eachLayer(function (l) {
        var pr = l.feature.properties;
        if (l.getBounds && pr.name && !pr.self) named.push({ layer: l, name: pr.name, level: pr.level || "grid" });
      });
      var bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
      labelUnits(map, named);
      el.setAttribute("data-map-ready", "1");
    });
  }

  // <button data-print> prints the page.
  function initPrint(root) {
    root.querySelectorAll("[data-print]").forEach(function (btn) {
      btn.addEventListener("click", function () { window.print(); });
    });
  }

  // <select data-autosubmit> sends its form when changed.
  function initAutosubmit(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.requestSubmit ? sel.form.requestSubmit() : sel.form.submit(); });
    });
  }

  function init(root) {
    initMenu(root);
    initSortable(root);
    initFilters(root);
    initConfirm(root);
    initCharts(root);
    initMaps(root);
    initPrint(root);
    initAutosubmit(root);
    if (window.grassroots && window.grassroots.onInit) window.grassroots.onInit.forEach(function (f) { f(root); });
  }

  ready(function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
