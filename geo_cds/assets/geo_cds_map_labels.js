/* geo-cds map: names of provinces and communes, drawn on one canvas.
 *
 * A name is written at the centre of the largest circle inside its polygon (computed in
 * Python), only where the zoom gives it room, biggest polygons first, and never over a name
 * already written. The canvas takes no mouse events, so the shapes under it stay clickable,
 * and it holds no text the page's search or a screen reader would mistake for content.
 */
(function () {
  "use strict";

  var SCALE = 1e5;
  // Words that open almost every commune name; the label drops them to stay short.
  var PREFIX = /^(xã|phường|thị trấn|đặc khu)\s+/i;

  function group(names, label, opts) {
    var items = [];
    for (var i = 0; i < names.length; i++) {
      var lb = label && label[i];
      if (!lb || !(lb[2] > 0) || !names[i]) continue;
      items.push({ i: i, text: opts.strip ? String(names[i]).replace(PREFIX, "") : String(names[i]),
        lon: lb[0] / SCALE, lat: lb[1] / SCALE, r: lb[2] / SCALE, w: null });
    }
    items.sort(function (a, b) { return b.r - a.r; });
    opts.items = items;
    return opts;
  }

  function overlaps(a, list) {
    for (var j = 0; j < list.length; j++) {
      var b = list[j];
      if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]) return true;
    }
    return false;
  }

  var LabelLayer = L.Layer.extend({
    initialize: function (groups, options) {
      L.setOptions(this, options);
      this._groups = groups;
      this.drawn = [];
    },
    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "gcds-label-canvas");
      this._canvas.style.pointerEvents = "none";
      map.getPane(this.options.pane).appendChild(this._canvas);
      map.on("moveend resize", this._redraw, this);
      map.on("zoomstart", this._hide, this);
      this._redraw();
    },
    onRemove: function (map) {
      map.off("moveend resize", this._redraw, this);
      map.off("zoomstart", this._hide, this);
      L.DomUtil.remove(this._canvas);
      this.drawn = [];
    },
    // A zoom animation would scale the names; they come back, redrawn, when it ends.
    _hide: function () { this._canvas.style.visibility = "hidden"; },
    _redraw: function () {
      var map = this._map, canvas = this._canvas, size = map.getSize();
      var ratio = window.devicePixelRatio || 1;
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      canvas.width = Math.round(size.x * ratio);
      canvas.height = Math.round(size.y * ratio);
      canvas.style.width = size.x + "px";
      canvas.style.height = size.y + "px";
      canvas.style.visibility = "visible";
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      var z = map.getZoom();
      // Web Mercator x is linear in longitude: one factor turns degrees into pixels.
      var pxPerDeg = map.latLngToContainerPoint([0, 1]).x - map.latLngToContainerPoint([0, 0]).x;
      var placed = [], drawn = [];
      this._groups.forEach(function (g) {
        if (z < g.minZoom || z >= g.maxZoom) return;
        ctx.font = g.font;
        for (var n = 0; n < g.items.length; n++) {
          var it = g.items[n];
          if (g.room && it.r * pxPerDeg * g.room < (it.w || 0)) continue;
          var p = map.latLngToContainerPoint([it.lat, it.lon]);
          if (p.x < -100 || p.y < -20 || p.x > size.x + 100 || p.y > size.y + 20) continue;
          if (it.w === null) it.w = ctx.measureText(it.text).width;
          if (g.room && it.r * pxPerDeg * g.room < it.w) continue;
          var box = [p.x - it.w / 2 - 3, p.y - g.size / 2 - 2, p.x + it.w / 2 + 3,
            p.y + g.size / 2 + 2];
          if (overlaps(box, placed)) continue;
          placed.push(box);
          drawn.push({ text: it.text, kind: g.kind, i: it.i, box: box });
          ctx.lineWidth = g.halo;
          ctx.strokeStyle = "rgba(255,255,255,0.92)";
          ctx.strokeText(it.text, p.x, p.y);
          ctx.fillStyle = g.colour;
          ctx.fillText(it.text, p.x, p.y);
        }
      });
      this.drawn = drawn;
    }
  });

  /* Province names up to zoom 9; commune names from zoom 9 where the name is no wider than
   * about 1.5 times the commune's inscribed circle (elongated communes still fit it). */
  window.geoCdsLabels = function (map, D, options) {
    var groups = [];
    if (D.provinces && D.provinces.label) {
      groups.push(group(D.provinces.name, D.provinces.label, { kind: "province", minZoom: 0,
        maxZoom: 10, font: "700 15px system-ui, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif",
        size: 16, halo: 4, colour: "#262626", room: 0 }));
    }
    if (D.communes.label) {
      groups.push(group(D.communes.name, D.communes.label, { kind: "commune", minZoom: 9,
        maxZoom: 99, font: "600 12px system-ui, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif",
        size: 13, halo: 3, colour: "#1f1f1f", room: 3, strip: true }));
    }
    return new LabelLayer(groups, options);
  };
})();
