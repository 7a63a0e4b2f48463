/* geo-cds print and share: A4/A3 landscape print layouts and a PNG of the current view.
 *
 * The print layout resizes the map to the printed area (so Leaflet draws exactly what will be
 * printed) and adds a title above it and the date and data sources below; geo_cds_print.css
 * hides the controls on paper. Ctrl+P without the layout uses the A4 one. The PNG copies the
 * map's canvases, SVG layers and offline images into one canvas; online basemap tiles come
 * from other sites and cannot be copied (a browser forbids it), so they are left out.
 * Texts from data go through textContent only.
 */
(function () {
  "use strict";

  // Printable width of each sheet (landscape, 8 mm margins) and the map's height, leaving
  // room for the title above and the legend, date and sources below.
  var SHEETS = {
    a4: { page: "A4 landscape", width: 281, height: 105 },
    a3: { page: "A3 landscape", width: 404, height: 185 }
  };

  function html(name, cls, parent, text) {
    var node = document.createElement(name);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function today(lang) {
    var d = new Date(), p = function (n) { return (n < 10 ? "0" : "") + n; };
    return lang === "vi" ? p(d.getDate()) + "/" + p(d.getMonth() + 1) + "/" + d.getFullYear()
      : d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
  }

  function geoCdsPrint(app, info) {
    var map = app.map, T = app.data.labels, container = map.getContainer();
    var state = null;  // {sheet, auto, center, zoom} while the print layout is shown
    var header = null, footer = null, toolbar = null, pageStyle = null, side = null;
    var legendHome = null;

    function build() {
      header = html("header", "gcds-print-header");
      html("h1", "", header, info.title || app.data.title);
      side = html("div", "gcds-print-legend");
      footer = html("footer", "gcds-print-footer");
      var dl = html("dl", "", footer);
      var rows = (info.rows || []).slice();
      rows.unshift([T.print_date, today(app.data.lang)]);
      if (info.generated && info.generated.length) {
        rows.push([T.generated_note, info.generated.join("; ")]);
      }
      rows.forEach(function (r) {
        var item = html("div", "", dl);
        html("dt", "", item, r[0]);
        html("dd", "", item, r[1]);
      });
      toolbar = html("div", "gcds-print-toolbar");
      var go = html("button", "", toolbar, T.print_now);
      go.type = "button";
      go.addEventListener("click", function () { window.print(); });
      var close = html("button", "", toolbar, T.print_close);
      close.type = "button";
      close.addEventListener("click", function () { leave(); });
      pageStyle = html("style", "");
      pageStyle.id = "gcds-page-size";
    }

    function enter(sheet, auto) {
      if (!header) build();
      if (state) leave();
      var s = SHEETS[sheet];
      state = { sheet: sheet, auto: !!auto, center: map.getCenter(), zoom: map.getZoom(),
        bounds: map.getBounds(), snap: map.options.zoomSnap };
      pageStyle.textContent = "@page { size: " + s.page + "; margin: 8mm; }";
      document.head.appendChild(pageStyle);
      var parent = container.parentNode;
      parent.insertBefore(toolbar, container);
      parent.insertBefore(header, container);
      parent.insertBefore(side, container.nextSibling);
      parent.insertBefore(footer, side.nextSibling);
      // The legend goes below the map, in columns: inside the map it would hide a third of it.
      var legend = container.querySelector(".gcds-legend");
      if (legend) {
        legendHome = { node: legend, parent: legend.parentNode, next: legend.nextSibling };
        side.appendChild(legend);
      }
      document.body.classList.add("gcds-print", "gcds-print-" + sheet);
      container.style.width = s.width + "mm";
      container.style.height = s.height + "mm";
      // A collapsed legend would print as a title only.
      Array.prototype.forEach.call(side.querySelectorAll(".gcds-legend details"),
        function (d) { d.open = true; });
      map.invalidateSize({ animate: false });
      // What was on screen fills the sheet: a fractional zoom, not a whole level further out.
      map.options.zoomSnap = 0.1;
      map.fitBounds(state.bounds, { animate: false });
      map.fire("gcds:print", { sheet: sheet });
    }

    function leave() {
      if (!state) return;
      var back = state;
      state = null;
      if (legendHome) {
        legendHome.parent.insertBefore(legendHome.node, legendHome.next);
        legendHome = null;
      }
      [toolbar, header, side, footer, pageStyle].forEach(function (n) {
        if (n.parentNode) n.parentNode.removeChild(n);
      });
      document.body.classList.remove("gcds-print", "gcds-print-a4", "gcds-print-a3");
      container.style.width = "";
      container.style.height = "";
      map.options.zoomSnap = back.snap;
      map.invalidateSize({ animate: false });
      map.setView(back.center, back.zoom, { animate: false });
      map.fire("gcds:print", { sheet: null });
    }

    window.addEventListener("beforeprint", function () { if (!state) enter("a4", true); });
    window.addEventListener("afterprint", function () { if (state && state.auto) leave(); });

    /* ---- PNG of the current view --------------------------------------------------- */
    function loadImage(src) {
      return new Promise(function (resolve) {
        var img = new Image();
        img.onload = function () { resolve(img); };
        img.onerror = function () { resolve(null); };
        img.src = src;
      });
    }

    // A picture the browser would not let the page read back (another site's tile, a file
    // in folder mode) would make the whole PNG unreadable: copy it only if it stays readable.
    function readable(img, w, h) {
      try {
        var c = document.createElement("canvas");
        c.width = Math.max(1, Math.round(w));
        c.height = Math.max(1, Math.round(h));
        var cx = c.getContext("2d");
        cx.drawImage(img, 0, 0, c.width, c.height);
        cx.getImageData(0, 0, 1, 1);
        return c;
      } catch (e) {
        return null;
      }
    }

    function paneZ(node) {
      var z = 0;
      for (var p = node; p && p !== container; p = p.parentNode) {
        var v = parseInt(window.getComputedStyle(p).zIndex, 10);
        if (!isNaN(v) && p.classList && p.classList.contains("leaflet-pane")) z = Math.max(z, v);
      }
      return z;
    }

    function drawDivIcon(ctx, node, r, ox, oy) {
      var cs = window.getComputedStyle(node.firstElementChild || node);
      var x = r.left - ox, y = r.top - oy, w = r.width, h = r.height;
      ctx.beginPath();
      ctx.ellipse(x + w / 2, y + h / 2, w / 2, h / 2, 0, 0, 2 * Math.PI);
      ctx.fillStyle = cs.backgroundColor || "#fff";
      ctx.fill();
      var bw = parseFloat(cs.borderTopWidth) || 0;
      if (bw) {
        ctx.lineWidth = bw;
        ctx.strokeStyle = cs.borderTopColor;
        ctx.stroke();
      }
      var text = node.textContent.trim();
      if (text) {
        ctx.fillStyle = cs.color || "#111";
        ctx.font = "600 11px system-ui, sans-serif";
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.fillText(text, x + w / 2, y + h / 2);
      }
    }

    function drawLegend(ctx, x0, y0, maxH) {
      var legend = document.querySelector(".gcds-legend");
      if (!legend) return;
      var items = legend.querySelectorAll("h4, b, .row");
      var lines = [];
      Array.prototype.forEach.call(items, function (n) {
        if (n.classList.contains("row")) {
          var sw = n.firstElementChild, cs = sw ? window.getComputedStyle(sw) : null;
          var colour = cs && cs.backgroundColor !== "rgba(0, 0, 0, 0)" ? cs.backgroundColor
            : (cs ? cs.borderTopColor : "#999");
          lines.push({ colour: colour, text: n.textContent.trim() });
        } else {
          lines.push({ text: n.textContent.trim(), bold: true });
        }
      });
      var h = Math.min(maxH, lines.length * 16 + 10), w = 230;
      ctx.fillStyle = "rgba(255,255,255,0.92)";
      ctx.fillRect(x0 - w, y0 - h, w, h);
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      lines.forEach(function (l, i) {
        var y = y0 - h + 12 + i * 16;
        if (y > y0 - 4) return;
        if (l.colour) {
          ctx.fillStyle = l.colour;
          ctx.fillRect(x0 - w + 8, y - 5, 14, 10);
          ctx.fillStyle = "#222";
          ctx.font = "12px system-ui, sans-serif";
          ctx.fillText(l.text, x0 - w + 28, y, w - 34);
        } else {
          ctx.fillStyle = "#111";
          ctx.font = "bold 12px system-ui, sans-serif";
          ctx.fillText(l.text, x0 - w + 8, y, w - 14);
        }
      });
    }

    function drawScale(ctx, x0, y0, ox, oy) {
      var line = container.querySelector(".leaflet-control-scale-line");
      if (!line) return;
      var r = line.getBoundingClientRect();
      var x = x0 + (r.left - ox), y = y0;
      ctx.strokeStyle = "#333";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x, y - 6); ctx.lineTo(x, y); ctx.lineTo(x + r.width, y); ctx.lineTo(x + r.width, y - 6);
      ctx.stroke();
      ctx.fillStyle = "#111";
      ctx.font = "11px system-ui, sans-serif";
      ctx.textAlign = "left";
      ctx.textBaseline = "bottom";
      ctx.fillText(line.textContent.trim(), x + 4, y - 2);
    }

    /* The view as a PNG Blob: title band, map layers in pane order, legend, scale, footer. */
    function snapshot() {
      var box = container.getBoundingClientRect();
      var W = Math.round(box.width), H = Math.round(box.height), top = 36, bottom = 26;
      var canvas = document.createElement("canvas");
      canvas.width = W;
      canvas.height = H + top + bottom;
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.fillStyle = window.getComputedStyle(container).backgroundColor || "#dce6ee";
      ctx.fillRect(0, top, W, H);
      var nodes = Array.prototype.slice.call(container.querySelectorAll(
        ".leaflet-map-pane canvas, .leaflet-map-pane svg, .leaflet-map-pane img, " +
        ".leaflet-map-pane .leaflet-marker-icon"));
      nodes = nodes.filter(function (n) {
        var nested = n.tagName === "svg" && n.parentNode.closest && n.parentNode.closest("svg");
        var wrapsImage = n.tagName === "DIV" && n.querySelector("img");
        return !nested && !wrapsImage;
      });
      nodes = nodes.map(function (n, i) { return { n: n, z: paneZ(n), i: i }; });
      nodes.sort(function (a, b) { return a.z - b.z || a.i - b.i; });
      var ox = box.left, oy = box.top - top;
      var chain = Promise.resolve();
      nodes.forEach(function (item) {
        chain = chain.then(function () {
          var n = item.n, r = n.getBoundingClientRect();
          if (r.width === 0 || r.height === 0 || r.right < box.left || r.left > box.right ||
              r.bottom < box.top || r.top > box.bottom) return null;
          if (n.tagName === "CANVAS") {
            ctx.drawImage(n, r.left - ox, r.top - oy, r.width, r.height);
            return null;
          }
          if (n.tagName === "svg") {
            var clone = n.cloneNode(true);
            clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
            clone.removeAttribute("style");
            var src = "data:image/svg+xml;charset=utf-8," +
              encodeURIComponent(new XMLSerializer().serializeToString(clone));
            return loadImage(src).then(function (img) {
              if (img) ctx.drawImage(img, r.left - ox, r.top - oy, r.width, r.height);
            });
          }
          if (n.tagName === "IMG") {
            var copy = n.complete && n.naturalWidth ? readable(n, r.width, r.height) : null;
            if (copy) {
              ctx.globalAlpha = parseFloat(window.getComputedStyle(n).opacity) || 1;
              ctx.drawImage(copy, r.left - ox, r.top - oy, r.width, r.height);
              ctx.globalAlpha = 1;
            }
            return null;
          }
          drawDivIcon(ctx, n, r, ox, oy);
          return null;
        });
      });
      return chain.then(function () {
        drawLegend(ctx, W - 8, top + H - 8, H - 16);
        drawScale(ctx, 0, top + H - 8, box.left, box.top);
        ctx.fillStyle = "#111";
        ctx.textAlign = "left";
        ctx.textBaseline = "middle";
        ctx.font = "bold 16px system-ui, sans-serif";
        ctx.fillText(info.title || app.data.title, 10, top / 2, W - 20);
        ctx.font = "11px system-ui, sans-serif";
        var foot = [T.print_date + ": " + today(app.data.lang)].concat((info.rows || []).map(
          function (r) { return r[0] + ": " + r[1]; })).join("   ·   ");
        ctx.fillText(foot, 10, top + H + bottom / 2, W - 20);
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); });
      });
    }

    function downloadPng() {
      return snapshot().then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = "map.png";
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        return blob;
      });
    }

    var Panel = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "gcds-box gcds-print-panel");
        L.DomEvent.disableClickPropagation(div);
        var details = html("details", "", div);
        html("summary", "", details, T.print_share);
        [["a4", T.print_a4], ["a3", T.print_a3]].forEach(function (b) {
          var btn = html("button", "", details, b[1]);
          btn.type = "button";
          btn.dataset.sheet = b[0];
          btn.addEventListener("click", function () { enter(b[0], false); });
        });
        var png = html("button", "gcds-png", details, T.print_png);
        png.type = "button";
        png.addEventListener("click", function () { downloadPng(); });
        return div;
      }
    });
    var panel = new Panel().addTo(map);
    var api = { panel: panel, enter: enter, leave: leave, snapshot: snapshot,
      downloadPng: downloadPng, sheet: function () { return state && state.sheet; } };
    app.print = api;
    return api;
  }

  window.geoCdsPrint = geoCdsPrint;
})();
