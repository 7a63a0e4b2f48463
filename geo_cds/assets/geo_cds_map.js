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
      var style = kind === "line" ? "border-top-color:" + e.colour : "background:" + e.colour;
      return '<div class="row"><span class="' + (kind || "sw") + '" style="' + style +
        '"></span><span>' + escapeHtml(e.label) + "</span></div>";
    }).join("");
  }

  function geoCdsMap(map, D) {
    var T = D.labels, F = makeFormat(D.lang, T), S = D.scales;
    // With no tile layer on the map Leaflet would let the user zoom without end.
    map.setMinZoom(4);
    map.setMaxZoom(18);
    var generated = {};
    (D.generated || []).forEach(function (g) { generated[g] = true; });

    /* Leaflet's layer switcher writes layer names as HTML: escape them (a raster's label
     * carries its name from the plan). */
    function layerName(key, label) {
      return escapeHtml(generated[key] ? label + " " + T.generated_suffix : label);
    }

    var panes = [["gcds-communes", 380], ["gcds-rasters", 390], ["gcds-provinces", 395],
      ["gcds-parks", 410], ["gcds-streets", 420], ["gcds-interventions", 430],
      ["gcds-villages", 440]];
    panes.forEach(function (p) { map.createPane(p[0]).style.zIndex = p[1]; });
    map.getPane("gcds-provinces").style.pointerEvents = "none";
    map.getPane("gcds-rasters").style.pointerEvents = "none";

    var useCanvas = D.communes.code.length > D.canvas_above;
    function renderer(pane) {
      return useCanvas ? L.canvas({ pane: pane, padding: 0.3 }) : L.svg({ pane: pane });
    }

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

    /* ---- communes: one set of shapes, always drawn (the offline basemap); the
     *      choropleth layer only changes how they are filled ---------------------- */
    var C = D.communes;
    var communeRenderer = renderer("gcds-communes");
    var indicator = D.default_indicator;
    var choroplethOn = false;
    var onlineBase = false;

    function indicatorValue(i) {
      var col = C.indicators[indicator];
      return col ? col[i] : null;
    }
    function indicatorText(i) {
      var v = indicatorValue(i);
      return D.indicators[indicator].kind === "count" ? F.num(v) : F.pct(v);
    }
    function communeStyle(i) {
      if (choroplethOn) {
        return { fillColor: classify(S[D.indicators[indicator].scale], indicatorValue(i)),
          fillOpacity: 0.65, color: "#6d6d6d", weight: 0.6 };
      }
      return { fillColor: "#f3f0e8", fillOpacity: onlineBase ? 0 : 1, color: "#9a9a9a",
        weight: 0.6 };
    }
    function restyleCommunes() {
      communeShapes.eachLayer(function (l) { l.setStyle(communeStyle(l._gcdsIndex)); });
    }
    function communePopup(i) {
      var rows = [[T.commune_code, C.code[i]], C.prov ? [T.province, C.prov[i]] : null];
      if (C.population) rows.push([T.population, F.num(C.population[i])]);
      if (C.n_villages) rows.push([T.n_villages, F.num(C.n_villages[i])]);
      Object.keys(D.indicators).forEach(function (key) {
        var col = C.indicators[key];
        if (!col) return;
        var txt = D.indicators[key].kind === "count" ? F.num(col[i]) : F.pct(col[i]);
        rows.push([D.indicators[key].label, txt]);
      });
      return popupHtml(C.name[i], rows, generated.villages, T);
    }
    var communeShapes = L.featureGroup().addTo(map);
    var communeLod = makeLod(map, {
      group: communeShapes, detail: C.geom, coarse: C.geom_coarse, lodZoom: D.lod_zoom,
      create: function (latlngs, k) {
        var poly = L.polygon(latlngs, { renderer: communeRenderer, pane: "gcds-communes" });
        poly._gcdsIndex = k;
        poly.bindPopup(function () { return communePopup(k); }, { maxWidth: 360 });
        poly.bindTooltip(function () {
          return escapeHtml(C.name[k]) + (choroplethOn ? ": " + escapeHtml(indicatorText(k)) : "");
        }, { sticky: true });
        return poly;
      },
      onShow: function (l, k) { l.setStyle(communeStyle(k)); }
    });
    layers.communeShapes = communeShapes;

    if (D.provinces) {
      var provinceRenderer = renderer("gcds-provinces");
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
      var overlay = L.imageOverlay(r.url, r.bounds, { opacity: 0.8, pane: "gcds-rasters",
        interactive: false });
      overlay._gcdsLegend = r;
      rasterLayers.push(overlay);
      layers["raster_" + r.name] = overlay;
      overlays[layerName(r.name, r.label)] = overlay;
    });

    /* ---- industrial parks -------------------------------------------------------- */
    if (D.parks) {
      layers.parks = L.geoJSON(D.parks, {
        pane: "gcds-parks",
        style: function (f) {
          var p = f.properties;
          return { fillColor: classify(S.share, p.area_share_5g), fillOpacity: 0.85,
            color: p.covered_5g === false ? "#b2182b" : "#1b5e20", weight: 2 };
        },
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, { radius: 8, pane: "gcds-parks" });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup(function () {
            return popupHtml(p.park_name, [
              [T.park_kind, T["kind_" + p.kind] || p.kind],
              p.area_ha != null ? [T.area_ha, F.num(p.area_ha, 0) + " " + T.ha] : null,
              [T.area_share_5g, F.pct(p.area_share_5g)],
              [T.park_covered_5g, F.yesno(p.covered_5g)]
            ], generated.parks, T);
          });
          layer.bindTooltip(escapeHtml(p.park_name));
        }
      });
      overlays[layerName("parks", T.layer_parks)] = layers.parks;
    }

    /* ---- cashless streets and markets ---------------------------------------------- */
    if (D.streets) {
      layers.streets = L.geoJSON(D.streets, {
        pane: "gcds-streets",
        style: function (f) {
          return { color: classify(S.share, f.properties.qr_share), weight: 6, opacity: 0.95 };
        },
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, { radius: 7, pane: "gcds-streets", color: "#222",
            weight: 1.5, fillOpacity: 0.95, fillColor: classify(S.share, f.properties.qr_share) });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup(function () {
            return popupHtml(p.street_name, [
              p.kind ? [T.park_kind, T["kind_" + p.kind] || p.kind] : null,
              p.commune_name ? [T.commune, p.commune_name] : null,
              [T.merchants, F.num(p.merchants)],
              [T.merchants_qr, F.num(p.merchants_qr)],
              [T.qr_share, F.pct(p.qr_share)],
              p.status ? [T.status, p.status] : null
            ], generated.streets, T);
          });
          layer.bindTooltip(escapeHtml(p.street_name));
        }
      });
      overlays[layerName("streets", T.layer_streets)] = layers.streets;
    }

    /* ---- planned interventions ----------------------------------------------------- */
    if (D.interventions) {
      var intRenderer = D.interventions.features.length > 2000 ? L.canvas({ pane: "gcds-interventions" }) : null;
      layers.interventions = L.geoJSON(D.interventions, {
        pane: "gcds-interventions",
        renderer: intRenderer || undefined,  // lines take it from here, at construction
        style: function (f) {
          var s = D.intervention_styles[f.properties.kind] || D.intervention_styles.other;
          return { color: s.colour, weight: 3.5, dashArray: s.dash || null, opacity: 0.95 };
        },
        pointToLayer: function (f, ll) {
          var s = D.intervention_styles[f.properties.kind] || D.intervention_styles.other;
          return L.circleMarker(ll, { radius: 6, pane: "gcds-interventions", color: "#fff",
            weight: 2, fillColor: s.colour, fillOpacity: 1, renderer: intRenderer || undefined });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup(function () {
            return popupHtml(T["int_" + p.kind] || p.kind, [
              p.cost_vnd != null ? [T.cost_vnd, F.vnd(p.cost_vnd)] : null,
              p.n_villages != null ? [T.int_n_villages, F.num(p.n_villages)] : null,
              p.population_served != null ? [T.population_served, F.num(p.population_served)] : null
            ], generated.interventions, T);
          });
        }
      });
      overlays[layerName("interventions", T.layer_interventions)] = layers.interventions;
    }

    /* ---- villages: clustered with supercluster, single villages on a canvas ---------- */
    var V = D.villages;
    var villageIndex = null;
    if (V && V.lon.length) {
      var villageRenderer = L.canvas({ pane: "gcds-villages", padding: 0.2 });
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
        if (V.hh_fibre) rows.push([T.fibre_household_share, F.pct(V.hh_fibre[k])]);
        if (V.rank && V.rank[k] != null) {
          rows.push([T.rank, F.num(V.rank[k])]);
          if (V.intervention[k]) {
            rows.push([T.intervention, V.intervention[k].split(";").map(function (x) {
              return T["int_" + x] || x; }).join(", ")]);
          }
          if (V.cost[k] != null) rows.push([T.cost_vnd, F.vnd(V.cost[k])]);
          if (V.in_budget[k] != null) rows.push([T.in_budget, F.yesno(V.in_budget[k])]);
        }
        return popupHtml(V.name[k], rows, generated.villages, T);
      };

      var VillageLayer = L.Layer.extend({
        onAdd: function (m) {
          this._group = L.layerGroup().addTo(m);
          m.on("moveend", this._update, this);
          this._update();
        },
        onRemove: function (m) {
          m.off("moveend", this._update, this);
          m.removeLayer(this._group);
        },
        _update: function () {
          var b = map.getBounds(), z = map.getZoom();
          var items = villageIndex.getClusters(
            [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], Math.round(z));
          this._group.clearLayers();
          this._shown = items.length;
          for (var j = 0; j < items.length; j++) {
            var it = items[j], c = it.geometry.coordinates, ll = [c[1], c[0]];
            if (it.properties.cluster) {
              var n = it.properties.point_count;
              var size = n < 50 ? 26 : n < 500 ? 32 : 40;
              var colour = classify(S.share, 1 - it.properties.g / n);
              var marker = L.marker(ll, { icon: L.divIcon({
                html: '<div class="gcds-cluster" style="width:' + size + "px;height:" + size +
                  "px;border-color:" + colour + '">' + F.num(n) + "</div>",
                className: "", iconSize: [size, size] }) });
              marker.on("click", (function (id, lat) {
                return function () {
                  map.setView(lat, Math.min(villageIndex.getClusterExpansionZoom(id), D.cluster_max_zoom + 1));
                };
              })(it.properties.cluster_id, ll));
              this._group.addLayer(marker);
            } else {
              var k = it.properties.i;
              var cm = L.circleMarker(ll, { renderer: villageRenderer, radius: 5.5,
                color: "#fff", weight: 1.2, fillColor: statusColours[V.status[k]], fillOpacity: 1 });
              cm.bindPopup((function (kk) { return function () { return villagePopup(kk); }; })(k),
                { maxWidth: 360 });
              cm.bindTooltip(escapeHtml(V.name[k]));
              this._group.addLayer(cm);
            }
          }
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

    var layerControl = L.control.layers(bases, overlays, { collapsed: D.collapse_layers,
      position: "topright" }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);

    map.on("baselayerchange", function (e) {
      onlineBase = e.layer !== offlineBase;
      restyleCommunes();
    });

    /* ---- legend ---------------------------------------------------------------------- */
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
        this.update();
        return div;
      },
      update: function () {
        var html = "<h4>" + escapeHtml(T.legend) + "</h4>";
        if (map.hasLayer(choropleth)) {
          var ind = D.indicators[indicator];
          html += "<section><b>" + escapeHtml(T.indicator) + "</b>";
          Object.keys(D.indicators).forEach(function (key) {
            if (!C.indicators[key]) return;
            html += '<label><input type="radio" name="gcds-indicator" value="' + key + '"' +
              (key === indicator ? " checked" : "") + "> " +
              escapeHtml(D.indicators[key].label) + "</label>";
          });
          html += swatchRows(S[ind.scale].legend) + "</section>";
        }
        if (layers.villages && map.hasLayer(layers.villages)) {
          html += "<section><b>" + escapeHtml(T.layer_villages) + "</b>" +
            swatchRows(D.gap_status.filter(function (g) { return g.present; }), "dot") +
            '<div class="note">' + escapeHtml(T.cluster_note) + "</div></section>";
        }
        if (layers.parks && map.hasLayer(layers.parks)) {
          html += "<section><b>" + escapeHtml(T.layer_parks) + "</b><div class=\"note\">" +
            escapeHtml(T.area_share_5g) + "</div>" + swatchRows(S.share.legend) + "</section>";
        }
        if (layers.streets && map.hasLayer(layers.streets)) {
          html += "<section><b>" + escapeHtml(T.layer_streets) + "</b><div class=\"note\">" +
            escapeHtml(T.qr_share) + "</div>" + swatchRows(S.share.legend, "line") + "</section>";
        }
        if (layers.interventions && map.hasLayer(layers.interventions)) {
          html += "<section><b>" + escapeHtml(T.layer_interventions) + "</b>";
          D.intervention_legend.forEach(function (e) {
            html += swatchRows([e], e.line ? "line" : "dot");
          });
          html += "</section>";
        }
        rasterLayers.forEach(function (r) {
          if (!map.hasLayer(r)) return;
          var lg = r._gcdsLegend;
          html += "<section><b>" + escapeHtml(lg.label) + "</b>" + swatchRows(lg.legend) +
            (lg.note ? '<div class="note">' + escapeHtml(lg.note) + "</div>" : "") + "</section>";
        });
        this._div.innerHTML = html;
      }
    });
    var legend = new Legend().addTo(map);
    map.on("overlayadd overlayremove", function () { legend.update(); });

    /* ---- info panel ------------------------------------------------------------------ */
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
        div.innerHTML = "<details" + (D.info_open ? " open" : "") + "><summary>" +
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
    function goTo(e) {
      map.closePopup();
      if (e.kind === "commune") {
        // A standalone popup: the shape under it may be swapped for a detailed one.
        var box = communeLod.bounds(e.i);
        map.fitBounds(box, { maxZoom: 13, animate: false });
        L.popup({ maxWidth: 360 }).setLatLng(box.getCenter()).setContent(communePopup(e.i)).openOn(map);
      } else {
        var ll = [V.lat[e.i] / SCALE, V.lon[e.i] / SCALE];
        if (layers.villages && !map.hasLayer(layers.villages)) map.addLayer(layers.villages);
        // Not animated: a popup opened during an animation is not panned into view.
        map.setView(ll, Math.max(map.getZoom(), D.cluster_max_zoom + 2), { animate: false });
        L.popup({ maxWidth: 360 }).setLatLng(ll).setContent(layers.villages._popup(e.i)).openOn(map);
      }
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
          if (!found.length) {
            list.innerHTML = input.value.trim().length >= 2 ? "<li>" + escapeHtml(T.search_none) + "</li>" : "";
            return;
          }
          list.innerHTML = found.map(function (e, j) {
            var sub = e.kind === "commune" ? T.commune : T.village + (e.sub ? ", " + e.sub : "");
            return '<li data-j="' + j + '">' + escapeHtml(e.label) + "<br><small>" +
              escapeHtml(sub) + "</small></li>";
          }).join("");
        }
        input.addEventListener("input", show);
        input.addEventListener("keydown", function (ev) {
          if (ev.key === "Enter" && found.length) { goTo(found[0]); list.innerHTML = ""; }
        });
        list.addEventListener("click", function (ev) {
          var li = ev.target.closest("li");
          if (li && li.dataset.j !== undefined) { goTo(found[+li.dataset.j]); list.innerHTML = ""; }
        });
        return div;
      }
    });
    new Search().addTo(map);

    map.fitBounds(D.bounds, { animate: false });
    window.geoCds = { map: map, data: D, layers: layers, layerControl: layerControl, legend: legend,
      search: search, goTo: goTo, normalise: normalise, format: F,
      setIndicator: function (key) { indicator = key; restyleCommunes(); legend.update(); },
      villageIndex: villageIndex, useCanvas: useCanvas,
      communeLayer: communeLod.layer, communeLod: communeLod };
    return window.geoCds;
  }

  window.geoCdsMap = geoCdsMap;
  window.geoCdsNormalise = normalise;
})();
