/* geo-cds map: builds every layer from the JSON that geo_cds.maps embeds in the page.
 *
 * Data arrive as compact columns (one array per attribute) and delta-encoded integer
 * coordinates (degrees x 1e5) so a national map stays small; this file turns them into
 * Leaflet layers. Everything is local: no request leaves the page unless the user picks an
 * online basemap.
 */
(function () {
  "use strict";

  var SCALE = 1e5;

  /* Search ignores case and diacritics: "Lân Phong" = "lan phong", "Đồng" = "dong". */
  function normalise(s) {
    return String(s == null ? "" : s)
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* Vietnamese writes 1.234.567 and 97,3 %; English 1,234,567 and 97.3%. */
  function makeFormat(lang, T) {
    var group = lang === "vi" ? "." : ",";
    var dec = lang === "vi" ? "," : ".";
    function missing(x) {
      return x === null || x === undefined || (typeof x === "number" && isNaN(x));
    }
    function num(x, digits) {
      if (missing(x)) return T.no_data;
      var s = Math.abs(x).toFixed(digits || 0);
      var parts = s.split(".");
      var head = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, group);
      return (x < 0 ? "-" : "") + head + (parts[1] ? dec + parts[1] : "");
    }
    function pct(x) {
      if (missing(x)) return T.no_data;
      var v = Math.round(x * 1000) / 10;
      return num(v, v % 1 === 0 ? 0 : 1) + "%";
    }
    function vnd(x) {
      if (missing(x)) return T.no_data;
      return num(x) + " " + T.currency;
    }
    function yesno(x) {
      if (missing(x)) return T.no_data;
      return x ? T.yes : T.no;
    }
    return { num: num, pct: pct, vnd: vnd, yesno: yesno, missing: missing };
  }

  function decodeRing(flat) {
    var n = flat.length / 2, out = new Array(n), x = 0, y = 0;
    for (var i = 0; i < n; i++) {
      x += flat[2 * i];
      y += flat[2 * i + 1];
      out[i] = [y / SCALE, x / SCALE];
    }
    return out;
  }

  function decodePolygons(polys) {
    return polys.map(function (rings) { return rings.map(decodeRing); });
  }

  /* Level of detail for big polygon sets. With a coarse geometry, all features are drawn
   * coarse up to ``lodZoom``; above it only the features near the view are drawn, detailed
   * (decoded on first use). Leaflet re-projects every vertex of every path on each zoom, so
   * this keeps a national map's zoom and pan at a few hundred thousand vertices less.
   * Without a coarse geometry every feature is drawn detailed all the time. */
  function makeLod(map, opts) {
    var n = opts.detail.length;
    var detailLayers = new Array(n), coarseLayers = null, boxes = null, mode = null;
    var group = opts.group;
    function detail(i) {
      if (!detailLayers[i]) detailLayers[i] = opts.create(decodePolygons(opts.detail[i]), i);
      return detailLayers[i];
    }
    if (opts.coarse) {
      coarseLayers = opts.coarse.map(function (g, i) { return opts.create(decodePolygons(g), i); });
      boxes = coarseLayers.map(function (l) { return l.getBounds(); });
    }
    function put(l, i) {
      if (opts.onShow) opts.onShow(l, i);
      group.addLayer(l);
    }
    function update() {
      if (!coarseLayers) {
        if (mode !== "all") { for (var a = 0; a < n; a++) put(detail(a), a); mode = "all"; }
        return;
      }
      if (map.getZoom() <= opts.lodZoom) {
        if (mode !== "coarse") {
          group.clearLayers();
          for (var c = 0; c < n; c++) put(coarseLayers[c], c);
          mode = "coarse";
        }
        return;
      }
      if (mode !== "detail") { group.clearLayers(); mode = "detail"; }
      var view = map.getBounds().pad(0.5);
      for (var i = 0; i < n; i++) {
        var want = view.intersects(boxes[i]), l = detailLayers[i];
        if (want && !(l && group.hasLayer(l))) put(detail(i), i);
        else if (!want && l && group.hasLayer(l)) group.removeLayer(l);
      }
    }
    map.on("moveend", update);
    update();
    return {
      update: update,
      /* the layer of feature i as currently drawn (coarse or detailed) */
      layer: function (i) { return mode === "coarse" ? coarseLayers[i] : detail(i); },
      bounds: function (i) { return boxes ? boxes[i] : detail(i).getBounds(); },
      mode: function () { return mode; }
    };
  }

  /* Classed colour scale: breaks ascending, colours.length == breaks.length + 1. */
  function classify(scale, value) {
    if (value === null || value === undefined || isNaN(value)) return scale.nodata;
    for (var i = 0; i < scale.breaks.length; i++) {
      if (value < scale.breaks[i]) return scale.colours[i];
    }
    return scale.colours[scale.colours.length - 1];
  }

  function table(rows) {
    return "<table>" + rows.filter(function (r) { return r; }).map(function (r) {
      return "<tr><th>" + escapeHtml(r[0]) + "</th><td>" + escapeHtml(r[1]) + "</td></tr>";
    }).join("") + "</table>";
  }

  function popupHtml(title, rows, generated, T) {
    return '<div class="gcds-popup"><h4>' + escapeHtml(title) + "</h4>" + table(rows) +
      (generated ? '<div class="gcds-generated">' + escapeHtml(T.generated_note) + "</div>" : "") +
      "</div>";
  }

  function swatchRows(entries, kind) {
    return entries.map(function (e) {
      var style = kind === "line" ? "border-top-color:" + e.colour
        : kind === "ring" ? "border-color:" + e.colour : "background:" + e.colour;
      return '<div class="row"><span class="' + (kind || "sw") + '" style="' + style +
        '"></span><span>' + escapeHtml(e.label) + "</span></div>";
    }).join("");
  }

  /* A scale on one line (for the layers drawn over the choropleth): each swatch names its
   * class on hover, the ends are written out. */
  function swatchStrip(entries, kind) {
    var classes = entries.slice(0, -1);  // the last entry is "no data"
    // Each swatch is a legend row whose text only a reader (and the PNG export) sees.
    return '<div class="strip">' + classes.map(function (e) {
      return '<span class="row" title="' + escapeHtml(e.label) + '"><span class="' +
        (kind || "sw") + '" style="' + (kind === "line" ? "border-top-color:" : "background:") +
        e.colour + '"></span><span class="gcds-sr">' + escapeHtml(e.label) + "</span></span>";
    }).join("") + "</div>" + '<div class="note">' + escapeHtml(classes[0].label) + " … " +
      escapeHtml(classes[classes.length - 1].label) + "</div>";
  }

  /* Compact village columns (geo_cds/outputs/maps/columns.py) back to plain arrays, null
   * where a value is missing. A number is a run of digits of ALPHABET, least significant
   * first; a digit from the upper half means that more follow. */
  var ALPHABET = " !#$%'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";
  var BASE = 45, DIGIT = new Int16Array(128).fill(-1);
  for (var a = 0; a < ALPHABET.length; a++) DIGIT[ALPHABET.charCodeAt(a)] = a;

  function readNumbers(s, n) {
    var out = new Array(n), k = 0, v = 0, mul = 1;
    for (var i = 0; i < s.length; i++) {
      var d = DIGIT[s.charCodeAt(i)];
      if (d >= BASE) { v += (d - BASE) * mul; mul *= BASE; }
      else { out[k++] = v + d * mul; v = 0; mul = 1; }
    }
    if (k !== n) throw new Error("geo-cds: a village column has " + k + " values, not " + n);
    return out;
  }

  function unzigzag(z) { return z % 2 === 0 ? z / 2 : -(z + 1) / 2; }

  function decodeColumn(c, n) {
    if (!c || Array.isArray(c) || typeof c !== "object" || !c.e) return c;
    var out, i;
    if (c.e === "dict") {
      if (!c.s) { out = new Array(n); for (i = 0; i < n; i++) out[i] = c.v[0]; return out; }
      out = readNumbers(c.s, n);
      for (i = 0; i < n; i++) out[i] = c.v[out[i]];
      return out;
    }
    if (c.e === "int") {
      out = readNumbers(c.s, n);
      for (i = 0; i < n; i++) out[i] = out[i] === 0 ? null : unzigzag(out[i] - 1);
      return out;
    }
    if (c.e === "delta") {
      out = readNumbers(c.s, n);
      var acc = 0;
      for (i = 0; i < n; i++) { acc += unzigzag(out[i]); out[i] = acc; }
      return out;
    }
    if (c.e === "front") {
      var keep = readNumbers(c.p, n), take = readNumbers(c.l, n), at = 0, prev = "";
      out = new Array(n);
      for (i = 0; i < n; i++) {
        prev = prev.slice(0, keep[i]) + c.s.substr(at, take[i]);
        at += take[i];
        out[i] = prev;
      }
      return out;
    }
    throw new Error("geo-cds: unknown column encoding " + c.e);
  }

  function decodeVillages(V) {
    var J = V.joint;  // columns of few values: one table of value rows, one code per village
    if (J) {
      var codes = readNumbers(J.s, V.n);
      J.k.forEach(function (key, j) {
        var out = new Array(V.n);
        for (var i = 0; i < V.n; i++) out[i] = J.v[codes[i]][j];
        V[key] = out;
      });
      delete V.joint;
    }
    Object.keys(V).forEach(function (key) {
      if (key !== "operators") V[key] = decodeColumn(V[key], V.n);
    });
    (V.operators || []).forEach(function (o) { o.values = decodeColumn(o.values, V.n); });
    return V;
  }

  function geoCdsMap(map, D) {
    if (D.villages) decodeVillages(D.villages);
    var T = D.labels, F = makeFormat(D.lang, T), S = D.scales;
    // With no tile layer on the map Leaflet would let the user zoom without end.
    map.setMinZoom(4);
    map.setMaxZoom(18);
    var generated = {};
    (D.generated || []).forEach(function (g) { generated[g] = true; });
    var size = map.getSize();
    // A laptop keeps its panels open; a small screen starts with them folded.
    var small = size.x < 1000 || size.y < 700;

    /* Leaflet's layer switcher writes layer names as HTML: escape them (a raster's label
     * carries its name from the plan). */
    function layerName(key, label) {
      return escapeHtml(generated[key] ? label + " " + T.generated_suffix : label);
    }

    /* Panes, bottom to top. Everything drawn above the communes is SVG, whose empty areas
     * let the mouse through, so a click reaches the topmost shape under it whatever the layer;
     * planned work sits above the villages it serves. */
    var panes = [["gcds-communes", 380], ["gcds-rasters", 390], ["gcds-provinces", 395],
      ["gcds-speeds", 400], ["gcds-parks", 410], ["gcds-streets", 420], ["gcds-villages", 430],
      ["gcds-interventions", 440], ["gcds-labels", 450]];
    panes.forEach(function (p) { map.createPane(p[0]).style.zIndex = p[1]; });
    ["gcds-provinces", "gcds-rasters", "gcds-labels"].forEach(function (p) {
      map.getPane(p).style.pointerEvents = "none";
    });

    // Thousands of commune paths make SVG panning stutter; a canvas redraws them in one pass.
    // It is the lowest interactive pane, so nothing it cannot see covers it.
    var useCanvas = D.communes.code.length > D.canvas_above;

    /* One popup at a time, not bound to a shape: the shape may be redrawn (village dots on
     * every move, communes swapped for detailed ones), and a bound popup would close with it. */
    function openPopup(latlng, html, left) {
      // ``left``: pixels covered by a panel on the left, which the popup must not go under.
      // Long popups scroll inside the map rather than push it aside.
      return L.popup({ maxWidth: 360, maxHeight: Math.max(200, map.getSize().y - 160),
        autoPanPadding: [30, 30],
        autoPanPaddingTopLeft: [(left || 0) + 30, 30] })
        .setLatLng(latlng).setContent(html).openOn(map);
    }
    function clickable(layer, html, at) {
      layer.on("click", function (e) {
        openPopup(at ? at(layer, e) : e.latlng, html());
      });
    }
    // Escape closes the popup wherever the focus is: a click on an SVG shape focuses the
    // shape, not the map, and Leaflet's own Escape only listens while the map has the focus.
    map.getContainer().ownerDocument.addEventListener("keydown", function (e) {
      if (e.key === "Escape") map.closePopup();
    });
    function pointAt(layer, e) { return layer.getLatLng ? layer.getLatLng() : e.latlng; }

    /* ---- online basemaps: optional, they simply stay empty offline ---------------- */
    var offlineBase = L.layerGroup();
    var bases = {};
    bases[T.base_offline] = offlineBase;
    bases[T.base_osm] = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" });
    bases[T.base_satellite] = L.tileLayer(
      "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
      { maxZoom: 18, attribution: "Tiles &copy; Esri" });
    offlineBase.addTo(map);
    var overlays = {};
    var layers = {};
    // Fill of the choropleth; coverage pictures are drawn lighter so commune colours show.
    var overlayOpacity = 0.65;
    var RASTER_SHARE = 0.7;

    /* ---- communes: one set of shapes, always drawn (the offline basemap); the
     *      choropleth layer only changes how they are filled ---------------------- */
    var C = D.communes;
    var communeRenderer = useCanvas ? L.canvas({ pane: "gcds-communes", padding: 0.3 })
      : L.svg({ pane: "gcds-communes" });
    var indicator = D.default_indicator;
    var choroplethOn = false;
    var onlineBase = false;
    var hoveredCommune = null;

    function indicatorValue(i) {
      var col = C.indicators[indicator];
      return col ? col[i] : null;
    }
    function indicatorText(i) {
      var v = indicatorValue(i);
      return (D.indicators[indicator].kind === "count" ? F.num(v) : F.pct(v)) +
        (isThin(indicator, i) ? " (" + T.little_data + ")" : "");
    }
    /* How much data a commune's figure rests on (geo_cds.analysis.datacov): thin = it rests
     * on too few of the commune's villages or people; drawn hatched. */
    var DC = C.data_coverage || {};
    function isThin(key, i) { return !!(DC[key] && DC[key].thin[i]); }
    function basisText(key, i) {
      var total = C.n_villages ? C.n_villages[i] : null;
      if (!DC[key] || !total) return "";
      var n = DC[key].known[i], pop = DC[key].pop[i];
      if (n === total && (pop == null || pop >= 1)) return "";  // every village known: no note
      var text = T.based_on.replace("{n}", F.num(n)).replace("{total}", F.num(total))
        .replace("{pct}", F.pct(n / total));
      if (pop != null) text += ", " + T.based_on_people.replace("{pct}", F.pct(pop));
      return text;
    }
    var hatches = {};
    function hatchFill(colour) {
      // the class colour under white diagonal stripes: a canvas pattern for the canvas
      // renderer, an SVG <pattern> in the renderer's own <svg> (so the PNG export keeps it)
      if (hatches[colour]) return hatches[colour];
      if (useCanvas) {
        var c = document.createElement("canvas");
        c.width = c.height = 8;
        var g = c.getContext("2d");
        g.fillStyle = colour;
        g.fillRect(0, 0, 8, 8);
        g.strokeStyle = "#ffffff";
        g.lineWidth = 2;
        g.beginPath();
        g.moveTo(-2, 2); g.lineTo(2, -2); g.moveTo(0, 8); g.lineTo(8, 0);
        g.moveTo(6, 10); g.lineTo(10, 6);
        g.stroke();
        return (hatches[colour] = g.createPattern(c, "repeat"));
      }
      var svg = communeRenderer._container;
      if (!svg) return colour;
      var ns = "http://www.w3.org/2000/svg";
      var defs = svg.querySelector("defs") || svg.insertBefore(document.createElementNS(ns, "defs"),
        svg.firstChild);
      var id = "gcds-hatch-" + Object.keys(hatches).length;
      var pattern = document.createElementNS(ns, "pattern");
      pattern.setAttribute("id", id);
      pattern.setAttribute("patternUnits", "userSpaceOnUse");
      pattern.setAttribute("width", "8");
      pattern.setAttribute("height", "8");
      pattern.innerHTML = '<rect width="8" height="8" fill="' + colour + '"/>' +
        '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#ffffff" stroke-width="2"/>';
      defs.appendChild(pattern);
      return (hatches[colour] = "url(#" + id + ")");
    }
    function communeStyle(i) {
      var hover = i === hoveredCommune;
      if (choroplethOn) {
        var fill = classify(S[D.indicators[indicator].scale], indicatorValue(i));
        return { fillColor: isThin(indicator, i) ? hatchFill(fill) : fill,
          fillOpacity: overlayOpacity, color: hover ? "#111" : "#6d6d6d", weight: hover ? 2.5 : 0.6 };
      }
      return { fillColor: "#f3f0e8", fillOpacity: onlineBase ? 0 : 1,
        color: hover ? "#111" : "#9a9a9a", weight: hover ? 2.5 : 0.6 };
    }
    function restyleCommunes() {
      communeShapes.eachLayer(function (l) { l.setStyle(communeStyle(l._gcdsIndex)); });
    }
    function communePopup(i) {
      var rows = [[T.commune_code, C.code[i]], C.prov ? [T.province, C.prov[i]] : null];
      if (C.population) rows.push([T.population, F.num(C.population[i])]);
      if (C.n_villages) rows.push([T.n_villages, F.num(C.n_villages[i])]);
      if (C.speed_tests) {
        rows.push([T.download_measured, C.speed_tests[i] === 0 ? T.speed_no_tests
          : C.speed[i] == null ? T.speed_too_few : F.num(C.speed[i], 1) + " Mb/s"]);
        rows.push([T.speed_tests, F.num(C.speed_tests[i])]);
      }
      Object.keys(D.indicators).forEach(function (key) {
        var col = C.indicators[key];
        if (!col) return;
        var txt = D.indicators[key].kind === "count" ? F.num(col[i]) : F.pct(col[i]);
        var basis = basisText(key, i);
        if (basis) txt += " (" + basis + ")";
        if (isThin(key, i)) txt += " — " + T.little_data;
        rows.push([D.indicators[key].label, txt]);
      });
      return popupHtml(C.name[i], rows, generated.villages, T);
    }
    var communeShapes = L.featureGroup().addTo(map);
    var communeLod = makeLod(map, {
      group: communeShapes, detail: C.geom, coarse: C.geom_coarse, lodZoom: D.lod_zoom,
      create: function (latlngs, k) {
        var poly = L.polygon(latlngs, { renderer: communeRenderer, pane: "gcds-communes",
          className: "gcds-commune" });
        poly._gcdsIndex = k;
        clickable(poly, function () { return communePopup(k); });
        poly.on("mouseover", function () { hoveredCommune = k; poly.setStyle(communeStyle(k)); });
        poly.on("mouseout", function () {
          if (hoveredCommune === k) hoveredCommune = null;
          poly.setStyle(communeStyle(k));
        });
        poly.bindTooltip(function () {
          return escapeHtml(C.name[k]) + (choroplethOn ? ": " + escapeHtml(indicatorText(k)) : "");
        }, { sticky: true });
        return poly;
      },
      onShow: function (l, k) { l.setStyle(communeStyle(k)); }
    });
    layers.communeShapes = communeShapes;
    function communeLabelPoint(i) {
      var lb = C.label && C.label[i];
      return lb && lb[2] > 0 ? L.latLng(lb[1] / SCALE, lb[0] / SCALE)
        : communeLod.bounds(i).getCenter();
    }

    if (D.provinces) {
      var provinceRenderer = useCanvas ? L.canvas({ pane: "gcds-provinces" })
        : L.svg({ pane: "gcds-provinces" });
      var provinceLines = L.featureGroup().addTo(map);
      makeLod(map, {
        group: provinceLines, detail: D.provinces.geom, coarse: D.provinces.geom_coarse,
        lodZoom: D.lod_zoom,
        create: function (latlngs) {
          return L.polygon(latlngs, { renderer: provinceRenderer, pane: "gcds-provinces",
            fill: false, color: "#3d3d3d", weight: 1.6, interactive: false });
        }
      });
      layers.provinces = provinceLines;
    }

    var Choropleth = L.Layer.extend({
      onAdd: function () { choroplethOn = true; restyleCommunes(); },
      onRemove: function () { choroplethOn = false; restyleCommunes(); }
    });
    var choropleth = new Choropleth();
    layers.communes = choropleth;
    overlays[layerName("communes", T.layer_communes)] = choropleth;

    /* ---- coverage rasters ------------------------------------------------------ */
    var rasterLayers = [];
    (D.rasters || []).forEach(function (r) {
      var overlay = L.imageOverlay(r.url, r.bounds, { opacity: overlayOpacity * RASTER_SHARE,
        pane: "gcds-rasters", interactive: false });
      overlay._gcdsLegend = r;
      rasterLayers.push(overlay);
      layers["raster_" + r.name] = overlay;
      overlays[layerName(r.name, r.label)] = overlay;
    });
    function setOverlayOpacity(v) {
      overlayOpacity = v;
      restyleCommunes();
      rasterLayers.forEach(function (r) { r.setOpacity(v * RASTER_SHARE); });
    }

    /* ---- industrial parks: violet, a palette of their own ------------------------ */
    if (D.parks) {
      layers.parks = L.geoJSON(D.parks, {
        pane: "gcds-parks",
        style: function (f) {
          var p = f.properties;
          return { fillColor: classify(S.park, p.area_share_5g), fillOpacity: 0.7,
            color: "#3f007d", weight: 2.5, dashArray: p.covered_5g === false ? "6 4" : null,
            className: "gcds-park" };
        },
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, { radius: 8, pane: "gcds-parks" });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          clickable(layer, function () {
            return popupHtml(p.park_name, [
              [T.park_kind, T["kind_" + p.kind] || p.kind],
              p.area_ha != null ? [T.area_ha, F.num(p.area_ha, 0) + " " + T.ha] : null,
              [T.area_share_5g, F.pct(p.area_share_5g)],
              [T.park_covered_5g, F.yesno(p.covered_5g)]
            ], generated.parks, T);
          }, pointAt);
          layer.bindTooltip(escapeHtml(p.park_name), { sticky: true });
        }
      });
      overlays[layerName("parks", T.layer_parks)] = layers.parks;
    }

    /* ---- measured speed: Ookla tiles (or test points), yellow to green, off at first --- */
    var SP = D.speeds;
    function speedSource() {
      return T.speed_measured + " (" + (SP.mobile ? T.speed_mobile : T.speed_fixed) + ")" +
        (SP.name ? ": " + SP.name : "");
    }
    function speedPopup(k) {
      var enough = SP.tests[k] != null && SP.tests[k] >= SP.min_tests;
      return popupHtml(SP.kind === "points" ? T.speed_point : T.speed_tile, [
        [T.speed_download, enough ? F.num(SP.down[k], 1) + " Mb/s" : T.speed_too_few],
        SP.up ? [T.speed_upload, F.num(SP.up[k], 1) + " Mb/s"] : null,
        SP.latency ? [T.speed_latency, F.num(SP.latency[k]) + " ms"] : null,
        [T.speed_tests, F.num(SP.tests[k])],
        SP.devices ? [T.speed_devices, F.num(SP.devices[k])] : null,
        [T.speed_source, speedSource()]
      ], generated.speeds, T);
    }
    if (SP) {
      layers.speeds = L.featureGroup();
      var nSpeeds = SP.tests.length;
      for (var q = 0; q < nSpeeds; q++) {
        var measurable = SP.tests[q] != null && SP.tests[q] >= SP.min_tests;
        var fill = measurable ? classify(SP.scale, SP.down[q]) : SP.scale.nodata;
        var shape = SP.kind === "points"
          ? L.circleMarker([SP.lat[q] / SCALE, SP.lon[q] / SCALE], { radius: 5,
            pane: "gcds-speeds", color: "#335", weight: 1, fillColor: fill, fillOpacity: 0.9,
            className: "gcds-speed" })
          : L.rectangle([[SP.s[q] / SCALE, SP.w[q] / SCALE], [SP.n[q] / SCALE, SP.e[q] / SCALE]],
            { pane: "gcds-speeds", color: "#245", weight: 0.6, fillColor: fill,
              fillOpacity: 0.85, className: "gcds-speed" });
        (function (k, l) {
          clickable(l, function () { return speedPopup(k); });
        })(q, shape);
        layers.speeds.addLayer(shape);
      }
      overlays[layerName("speeds", T.layer_speeds)] = layers.speeds;
    }

    /* ---- cashless streets (teal lines) and markets (teal squares' circles) ------------ */
    if (D.streets) {
      layers.streets = L.geoJSON(D.streets, {
        pane: "gcds-streets",
        style: function (f) {
          if (f.geometry.type === "Point") return {};  // set in pointToLayer
          return { color: classify(S.street, f.properties.qr_share), weight: 7, opacity: 1,
            lineCap: "butt", className: "gcds-street" };
        },
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, { radius: 7, pane: "gcds-streets", color: "#0b3b39",
            weight: 2.5, fillOpacity: 1, fillColor: classify(S.street, f.properties.qr_share),
            className: "gcds-market" });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          clickable(layer, function () {
            return popupHtml(p.street_name, [
              p.kind ? [T.park_kind, T["kind_" + p.kind] || p.kind] : null,
              p.commune_name ? [T.commune, p.commune_name] : null,
              [T.merchants, F.num(p.merchants)],
              [T.merchants_qr, F.num(p.merchants_qr)],
              [T.qr_share, F.pct(p.qr_share)],
              p.status ? [T.status, p.status] : null
            ], generated.streets, T);
          }, pointAt);
          layer.bindTooltip(escapeHtml(p.street_name), { sticky: true });
        }
      });
      overlays[layerName("streets", T.layer_streets)] = layers.streets;
    }

    /* ---- planned interventions, above the villages ---------------------------------- */
    if (D.interventions) {
      layers.interventions = L.geoJSON(D.interventions, {
        pane: "gcds-interventions",
        style: function (f) {
          if (f.geometry.type === "Point") return {};  // set in pointToLayer
          var s = D.intervention_styles[f.properties.kind] || D.intervention_styles.other;
          return { color: s.colour, weight: 4, dashArray: s.dash || null, opacity: 0.95,
            className: "gcds-route" };
        },
        pointToLayer: function (f, ll) {
          var s = D.intervention_styles[f.properties.kind] || D.intervention_styles.other;
          // A ring: the village it is planned for stays visible and clickable inside it.
          return L.circleMarker(ll, { radius: 9, pane: "gcds-interventions", color: s.colour,
            weight: 4, opacity: 1, fill: false, className: "gcds-site" });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          var name = T["int_" + p.kind] || p.kind;
          clickable(layer, function () {
            return popupHtml(name, [
              p.cost_vnd != null ? [T.cost_vnd, F.vnd(p.cost_vnd)] : null,
              p.n_villages != null ? [T.int_n_villages, F.num(p.n_villages)] : null,
              p.population_served != null ? [T.population_served, F.num(p.population_served)] : null
            ], generated.interventions, T);
          }, pointAt);
          layer.bindTooltip(escapeHtml(name), { sticky: true });
        }
      });
      overlays[layerName("interventions", T.layer_interventions)] = layers.interventions;
      // Rings sized to the zoom: full size among single villages, small over a province.
      var sizeRings = function () {
        var z = map.getZoom(), r = z >= D.cluster_max_zoom + 1 ? 9 : z >= 9 ? 6 : 4;
        layers.interventions.eachLayer(function (l) {
          if (l.setRadius) { l.setRadius(r); l.setStyle({ weight: r > 6 ? 4 : 2.5 }); }
        });
      };
      map.on("zoomend", sizeRings);
      map.whenReady(sizeRings);
    }

    /* ---- villages: clustered with supercluster, single villages as dots ------------- */
    var V = D.villages;
    var villageIndex = null;
    function interventionText(k) {
      var v = V.intervention && V.intervention[k];
      return v ? v.split(";").map(function (x) { return T["int_" + x] || x; }).join(", ") : "";
    }
    var villagePopup = function (k) {
      var st = D.gap_status[V.status[k]];
      var flags = V.flags[k];
      var rows = [
        [T.commune, V.commune[k] >= 0 ? C.name[V.commune[k]] : null],
        [T.village_id, V.id[k]],
        V.pop ? [T.population, F.num(V.pop[k])] : null,
        V.hh ? [T.households, F.num(V.hh[k])] : null,
        [T.gap_status, st.label]
      ];
      D.village_flags.forEach(function (name, bit) {
        var known = (V.known >> bit) & 1;
        if (known) rows.push([T[name], F.yesno((flags >> bit) & 1)]);
      });
      (V.operators || []).forEach(function (o) {
        rows.push([T["covered_" + o.tech] + " – " + o.operator, F.yesno(o.values[k])]);
      });
      if (V.hh_fibre) rows.push([T.fibre_household_share, F.pct(V.hh_fibre[k])]);
      if (V.cov_src) {
        rows.push([T.coverage_source, T["source_" + ["none", "reported", "modelled"][V.cov_src[k]]]]);
      }
      if (V.speed_tests) {
        var vt = V.speed_tests[k];
        rows.push([T.download_measured, vt === 0 ? T.speed_no_tests
          : V.speed[k] == null ? T.speed_too_few : F.num(V.speed[k], 1) + " Mb/s"]);
        rows.push([T.speed_tests, F.num(vt)]);
      }
      if (V.speed_reported && V.speed_reported[k] != null) {
        rows.push([T.download_reported, F.num(V.speed_reported[k], 1) + " Mb/s"]);
      }
      if (V.rank && V.rank[k] != null) {
        rows.push([T.rank, F.num(V.rank[k])]);
        if (V.intervention[k]) rows.push([T.intervention, interventionText(k)]);
        if (V.interventions && V.interventions[k]) {
          rows.push([T.intervention_ids, V.interventions[k].split(";").join(", ")]);
        }
        if (V.cost[k] != null) rows.push([T.cost_carried, F.vnd(V.cost[k])]);
        if (V.in_budget[k] != null) rows.push([T.in_budget, F.yesno(V.in_budget[k])]);
      }
      return popupHtml(V.name[k], rows, generated.villages, T);
    };
    function villageLatLng(k) { return L.latLng(V.lat[k] / SCALE, V.lon[k] / SCALE); }

    if (V && V.lon.length) {
      var statusColours = D.gap_status.map(function (g) { return g.colour; });
      var points = new Array(V.lon.length);
      for (var v = 0; v < V.lon.length; v++) {
        points[v] = { type: "Feature", properties: { i: v },
          geometry: { type: "Point", coordinates: [V.lon[v] / SCALE, V.lat[v] / SCALE] } };
      }
      villageIndex = new Supercluster({
        // extent 256 = Leaflet's tile size, so radius is in screen pixels.
        radius: 60, extent: 256, maxZoom: D.cluster_max_zoom, minPoints: 4,
        map: function (p) { return { g: V.status[p.i] > 0 ? 1 : 0 }; },
        reduce: function (acc, p) { acc.g += p.g; }
      }).load(points);

      var makeCluster = function (it, ll) {
        var n = it.properties.point_count;
        var size = n < 50 ? 26 : n < 500 ? 32 : 40;
        var colour = classify(S.share, 1 - it.properties.g / n);
        var marker = L.marker(ll, { pane: "gcds-villages", keyboard: false,
          icon: L.divIcon({
            html: '<div class="gcds-cluster" style="width:' + size + "px;height:" + size +
              "px;border-color:" + colour + '">' + escapeHtml(F.num(n)) + "</div>",
            className: "", iconSize: [size, size] }) });
        marker.bindTooltip(escapeHtml(F.num(n) + " " + T.cluster_tooltip
          .replace("{g}", F.num(it.properties.g))));
        var id = it.properties.cluster_id;
        marker.on("click", function () {
          map.setView(ll, Math.min(villageIndex.getClusterExpansionZoom(id),
            D.cluster_max_zoom + 1));
        });
        return marker;
      };
      // A dot carries only its village number: the click and the hover are handled once, on
      // the group (binding them per dot tripled the cost of drawing a thousand dots).
      var makeDot = function (k, ll) {
        var dot = L.circleMarker(ll, { pane: "gcds-villages", radius: 5.5, color: "#fff",
          weight: 1.2, fillColor: statusColours[V.status[k]], fillOpacity: 1,
          className: "gcds-village" });
        dot._gcdsVillage = k;
        return dot;
      };
      var dotTip = L.tooltip({ direction: "top", offset: [0, -6] });
      var onDots = {
        click: function (e) {
          var k = e.layer._gcdsVillage;
          if (k !== undefined) openPopup(e.layer.getLatLng(), villagePopup(k));
        },
        mouseover: function (e) {
          var k = e.layer._gcdsVillage;
          if (k === undefined) return;
          dotTip.setLatLng(e.layer.getLatLng()).setContent(escapeHtml(V.name[k]));
          map.openTooltip(dotTip);
        },
        mouseout: function (e) {
          if (e.layer._gcdsVillage !== undefined) map.closeTooltip(dotTip);
        }
      };

      /* Redrawn on every move, keeping the markers that stay (their hover state too). */
      var VillageLayer = L.Layer.extend({
        onAdd: function (m) {
          this._group = L.featureGroup().on(onDots).addTo(m);
          this._byKey = {};
          m.on("moveend", this._update, this);
          this._update();
        },
        onRemove: function (m) {
          m.off("moveend", this._update, this);
          m.closeTooltip(dotTip);
          m.removeLayer(this._group);
          this._byKey = {};
        },
        _update: function () {
          var b = map.getBounds().pad(0.15), z = Math.round(map.getZoom());
          var items = villageIndex.getClusters([Math.max(b.getWest(), -180),
            Math.max(b.getSouth(), -85), Math.min(b.getEast(), 180),
            Math.min(b.getNorth(), 85)], z);
          var next = {}, old = this._byKey;
          for (var j = 0; j < items.length; j++) {
            var it = items[j], c = it.geometry.coordinates, ll = L.latLng(c[1], c[0]);
            var key = it.properties.cluster ? "c" + z + ":" + it.properties.cluster_id
              : "v" + it.properties.i;
            next[key] = old[key] || (it.properties.cluster ? makeCluster(it, ll)
              : makeDot(it.properties.i, ll));
          }
          var key2;
          for (key2 in old) if (!next[key2]) this._group.removeLayer(old[key2]);
          for (key2 in next) if (!old[key2]) this._group.addLayer(next[key2]);
          this._byKey = next;
          this._shown = items.length;
        }
      });
      layers.villages = new VillageLayer();
      layers.villages._popup = villagePopup;
      overlays[layerName("villages", T.layer_villages)] = layers.villages;
    }

    /* ---- which layers start visible ------------------------------------------------ */
    choropleth.addTo(map);
    if (layers.villages) layers.villages.addTo(map);
    ["parks", "streets", "interventions"].forEach(function (k) {
      if (layers[k]) layers[k].addTo(map);
    });

    var layerControl = L.control.layers(bases, overlays, {
      collapsed: D.collapse_layers || small, position: "topright" }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);

    map.on("baselayerchange", function (e) {
      onlineBase = e.layer !== offlineBase;
      restyleCommunes();
    });

    /* ---- names: provinces at low zoom, communes where they have room ---------------- */
    var labelLayer = null;
    if (window.geoCdsLabels) {
      labelLayer = window.geoCdsLabels(map, D, { pane: "gcds-labels" }).addTo(map);
    }

    /* ---- legend: folds away; the indicator and the overlay opacity are set here -------- */
    var legendOpen = !small;
    var Legend = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "gcds-box gcds-legend");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        this._div = div;
        var self = this;
        div.addEventListener("change", function (e) {
          if (e.target.name === "gcds-indicator") {
            indicator = e.target.value;
            restyleCommunes();
            self.update();
          }
        });
        div.addEventListener("input", function (e) {
          if (e.target.name === "gcds-opacity") setOverlayOpacity(e.target.value / 100);
        });
        div.addEventListener("toggle", function (e) {
          if (e.target.tagName === "DETAILS") legendOpen = e.target.open;
        }, true);
        this.update();
        return div;
      },
      update: function () {
        var html = "";
        var anyOverlay = rasterLayers.some(function (r) { return map.hasLayer(r); });
        if (map.hasLayer(choropleth)) {
          var ind = D.indicators[indicator];
          // The select shows the indicator; the hidden title names it for the PNG export.
          html += '<section><b class="gcds-sr">' + escapeHtml(ind.label) + "</b>" +
            '<label class="gcds-field">' + escapeHtml(T.indicator) +
            '<select name="gcds-indicator">';
          Object.keys(D.indicators).forEach(function (key) {
            if (!C.indicators[key]) return;
            html += '<option value="' + escapeHtml(key) + '"' +
              (key === indicator ? " selected" : "") + ">" +
              escapeHtml(D.indicators[key].label) + "</option>";
          });
          html += "</select></label>" + swatchRows(S[ind.scale].legend);
          if (DC[indicator] && DC[indicator].thin.some(function (x) { return x; })) {
            html += '<div class="row gcds-thin-legend"><span class="sw" style="background:' +
              'repeating-linear-gradient(135deg,#9e9e9e 0 3px,#fff 3px 5px)"></span><span>' +
              escapeHtml(T.little_data_legend) + "</span></div>";
          }
          html += "</section>";
        }
        if (map.hasLayer(choropleth) || anyOverlay) {
          html += '<section><label class="gcds-field">' + escapeHtml(T.overlay_opacity) +
            '<input type="range" name="gcds-opacity" min="10" max="100" step="5" value="' +
            Math.round(overlayOpacity * 100) + '"></label></section>';
        }
        if (layers.villages && map.hasLayer(layers.villages)) {
          html += "<section><b>" + escapeHtml(T.layer_villages) + "</b>" +
            swatchRows(D.gap_status.filter(function (g) { return g.present; }), "dot") +
            '<div class="note">' + escapeHtml(T.village_source_note) + "</div>" +
            '<div class="note">' + escapeHtml(T.cluster_note) + "</div></section>";
        }
        if (layers.parks && map.hasLayer(layers.parks)) {
          html += "<section><b>" + escapeHtml(T.layer_parks) + "</b><div class=\"note\">" +
            escapeHtml(T.area_share_5g) + "</div>" + swatchStrip(S.park.legend) + "</section>";
        }
        if (layers.speeds && map.hasLayer(layers.speeds)) {
          html += "<section><b>" + escapeHtml(T.layer_speeds) + "</b><div class=\"note\">" +
            escapeHtml(speedSource() + (generated.speeds ? " " + T.generated_suffix : "")) +
            "</div>" + swatchRows(SP.scale.legend) + "</section>";
        }
        if (layers.streets && map.hasLayer(layers.streets)) {
          html += "<section><b>" + escapeHtml(T.layer_streets) + "</b><div class=\"note\">" +
            escapeHtml(T.qr_share) + "</div>" + swatchStrip(S.street.legend, "line") + "</section>";
        }
        if (layers.interventions && map.hasLayer(layers.interventions)) {
          html += "<section><b>" + escapeHtml(T.layer_interventions) + "</b>";
          D.intervention_legend.forEach(function (e) {
            html += swatchRows([e], e.line ? "line" : "ring");
          });
          html += "</section>";
        }
        rasterLayers.forEach(function (r) {
          if (!map.hasLayer(r)) return;
          var lg = r._gcdsLegend;
          html += "<section><b>" + escapeHtml(lg.label) + "</b>" + swatchRows(lg.legend) +
            (lg.note ? '<div class="note">' + escapeHtml(lg.note) + "</div>" : "") +
            '<div class="note">' + escapeHtml(lg.source || T.raster_source_note) +
            "</div></section>";
        });
        this._div.innerHTML = "<details" + (legendOpen ? " open" : "") + "><summary>" +
          escapeHtml(T.legend) + '</summary><div class="gcds-legend-body">' + html +
          "</div></details>";
      }
    });
    var legend = new Legend().addTo(map);
    map.on("overlayadd overlayremove", function () { legend.update(); });

    /* ---- info panel, folded: the title says which run this is ------------------------ */
    var Info = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "gcds-box gcds-info");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var dl = "";
        D.info.forEach(function (row) {
          dl += "<dt>" + escapeHtml(row[0]) + "</dt><dd>" + escapeHtml(row[1]) + "</dd>";
        });
        if (D.generated_labels.length) {
          dl += '<dt class="gcds-generated">' + escapeHtml(T.generated_note) + "</dt><dd>" +
            escapeHtml(D.generated_labels.join("; ")) + "</dd>";
        }
        div.innerHTML = "<details" + (D.info_open && !small ? " open" : "") + "><summary>" +
          escapeHtml(D.title) + "</summary><dl>" + dl + "</dl></details>";
        return div;
      }
    });
    new Info().addTo(map);

    /* ---- search by commune or village name, diacritics ignored -------------------- */
    var entries = null;
    function buildEntries() {
      entries = [];
      for (var i = 0; i < C.code.length; i++) {
        var label = C.name[i] + (C.prov ? ", " + C.prov[i] : "");
        entries.push({ kind: "commune", i: i, label: label,
          key: normalise(label + " " + C.code[i]) });
      }
      if (V) {
        for (var k = 0; k < V.lon.length; k++) {
          var cname = V.commune[k] >= 0 ? C.name[V.commune[k]] : "";
          entries.push({ kind: "village", i: k, label: V.name[k], sub: cname,
            key: normalise(V.name[k] + " " + cname) });
        }
      }
    }
    function search(q, limit) {
      if (!entries) buildEntries();
      var nq = normalise(q);
      if (nq.length < 2) return [];
      var first = [], rest = [];
      for (var j = 0; j < entries.length && first.length < (limit || 12); j++) {
        var e = entries[j], at = e.key.indexOf(nq);
        if (at < 0) continue;
        // A match at a word start ("lan phong" in "xa lan phong") ranks first.
        if (at === 0 || e.key.charAt(at - 1) === " ") first.push(e);
        else if (rest.length < (limit || 12)) rest.push(e);
      }
      return first.concat(rest).slice(0, limit || 12);
    }
    function goToVillage(k, left) {
      if (layers.villages && !map.hasLayer(layers.villages)) map.addLayer(layers.villages);
      var ll = villageLatLng(k), z = Math.max(map.getZoom(), D.cluster_max_zoom + 3);
      // With a panel open on the left, the village goes to the middle of what is left.
      var centre = left ? map.unproject(map.project(ll, z).subtract([left / 2, 0]), z) : ll;
      // Not animated: a popup opened during an animation is not panned into view.
      map.setView(centre, z, { animate: false });
      return openPopup(ll, villagePopup(k), left);
    }
    function goTo(e) {
      if (e.kind === "commune") {
        map.fitBounds(communeLod.bounds(e.i), { maxZoom: 13, animate: false });
        return openPopup(communeLabelPoint(e.i), communePopup(e.i));
      }
      return goToVillage(e.i);
    }
    var Search = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "gcds-box gcds-search");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var input = L.DomUtil.create("input", "", div);
        input.type = "search";
        input.placeholder = T.search_placeholder;
        input.setAttribute("aria-label", T.search_placeholder);
        var list = L.DomUtil.create("ul", "", div);
        var found = [];
        function show() {
          found = search(input.value);
          list.textContent = "";
          if (!found.length) {
            if (input.value.trim().length >= 2) {
              L.DomUtil.create("li", "gcds-none", list).textContent = T.search_none;
            }
            return;
          }
          found.forEach(function (e, j) {
            var li = L.DomUtil.create("li", "", list);
            li.dataset.j = j;
            li.appendChild(document.createTextNode(e.label));
            li.appendChild(document.createElement("br"));
            L.DomUtil.create("small", "", li).textContent =
              e.kind === "commune" ? T.commune : T.village + (e.sub ? ", " + e.sub : "");
          });
        }
        function choose(e) {
          list.textContent = "";
          goTo(e);
        }
        input.addEventListener("input", show);
        // Keys typed here are text, not the map's +/- zoom and arrow pan.
        input.addEventListener("keydown", function (ev) {
          ev.stopPropagation();
          if (ev.key === "Enter" && found.length) choose(found[0]);
        });
        list.addEventListener("click", function (ev) {
          // The map must not see this click: the list item is gone by the time it would
          // look, so it would take it for a click on the map and close the new popup.
          ev.stopPropagation();
          var li = ev.target.closest("li");
          if (li && li.dataset.j !== undefined) choose(found[+li.dataset.j]);
        });
        return div;
      }
    });
    new Search().addTo(map);

    /* ---- priority list beside the map --------------------------------------------------- */
    var priority = null;
    if (window.geoCdsPriority && V && V.rank) {
      priority = window.geoCdsPriority(map, D, {
        format: F, goToVillage: goToVillage, interventionText: interventionText,
        layerControl: layerControl });
    }

    // The first view: the data, as large as the screen allows (a fractional zoom fits
    // three provinces far apart much better than the whole-number zoom below them).
    map.options.zoomSnap = 0.25;
    map.fitBounds(D.bounds, { animate: false, padding: [12, 12] });
    map.options.zoomSnap = 1;

    window.geoCds = { map: map, data: D, layers: layers, layerControl: layerControl, legend: legend,
      search: search, goTo: goTo, normalise: normalise, format: F,
      setIndicator: function (key) { indicator = key; restyleCommunes(); legend.update(); },
      villageIndex: villageIndex, useCanvas: useCanvas, labels: labelLayer, priority: priority,
      communeLayer: communeLod.layer, communeLod: communeLod,
      communeLabelPoint: communeLabelPoint };
    return window.geoCds;
  }

  window.geoCdsMap = geoCdsMap;
  window.geoCdsNormalise = normalise;
  window.geoCdsUtil = { escapeHtml: escapeHtml, normalise: normalise, SCALE: SCALE,
    decodeColumn: decodeColumn };
})();
