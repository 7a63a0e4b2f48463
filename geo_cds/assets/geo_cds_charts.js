/* geo-cds charts panel: targets per province, the budget curve, cost by kind.
 *
 * Drawn as SVG built element by element (texts through textContent, never markup from data),
 * from the numbers geo_cds.outputs.maps.charts puts in the page. Nothing is fetched.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var WIDTH = 340;

  function el(name, attrs, parent, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function html(name, cls, parent, text) {
    var node = document.createElement(name);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  var STATUS = {
    "met": { colour: "#2166ac", cls: "gcds-met", label: "chart_met" },
    "not met": { colour: "#b2182b", cls: "gcds-not-met", label: "chart_not_met" },
    "not due yet": { colour: "#9e9e9e", cls: "gcds-not-due", label: "chart_not_due" }
  };

  function tip(node, text) { el("title", {}, node, text); return node; }

  function missing(x) { return x === null || x === undefined || (typeof x === "number" && isNaN(x)); }

  /* A round step for an axis up to ``max`` with about ``n`` ticks: 1, 2 or 5 x 10^k. */
  function niceStep(max, n) {
    var raw = max / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var r = raw / mag;
    return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
  }

  /* Each target: one bar per province (value 0..100 %), a tick at the threshold. */
  function targetsChart(box, C, T, F) {
    var rowH = 15, labelW = 120, barW = WIDTH - labelW - 46;
    C.targets.forEach(function (t) {
      html("h5", "", box, t.label + " — " + T.chart_threshold + " " + F.pct(t.threshold) +
        " (" + t.year + ")");
      var h = C.scopes.length * rowH + 4;
      var svg = el("svg", { width: WIDTH, height: h, viewBox: "0 0 " + WIDTH + " " + h,
        role: "img", "class": "gcds-chart gcds-chart-targets" }, box);
      tip(svg, t.label);
      C.scopes.forEach(function (name, i) {
        var y = i * rowH + 2, v = t.values[i];
        el("text", { x: labelW - 4, y: y + 10, "text-anchor": "end",
          "font-weight": C.total[i] ? "bold" : "normal" }, svg, name);
        el("rect", { x: labelW, y: y + 1, width: barW, height: rowH - 4, fill: "#eeeeee" }, svg);
        // The target table's status: a value under a target not due yet is not "not met".
        var st = STATUS[t.status[i]] || STATUS["not met"];
        if (!missing(v)) {
          tip(el("rect", { x: labelW, y: y + 1, width: Math.max(0, Math.min(1, v)) * barW,
            height: rowH - 4, fill: st.colour, "class": st.cls }, svg),
          name + ": " + F.pct(v) + " (" + T[st.label] + ")");
        }
        el("text", { x: labelW + barW + 4, y: y + 10 }, svg, missing(v) ? T.no_data : F.pct(v));
      });
      var tx = labelW + Math.min(1, t.threshold) * barW;
      el("line", { x1: tx, x2: tx, y1: 0, y2: h, stroke: "#111", "stroke-width": 1.5,
        "stroke-dasharray": "3 2" }, svg);
    });
  }

  /* People served against budget: the exact and the greedy selection. */
  function budgetChart(box, C, T, F) {
    var h = 190, left = 56, right = 10, top = 10, bottom = 34;
    var w = WIDTH - left - right, ph = h - top - bottom;
    var maxB = Math.max.apply(null, C.budget) || 1;
    var maxP = Math.max.apply(null, C.exact.concat(C.greedy).filter(function (v) {
      return v !== null; })) || 1;
    var svg = el("svg", { width: WIDTH, height: h, viewBox: "0 0 " + WIDTH + " " + h, role: "img",
      "class": "gcds-chart gcds-chart-budget" }, box);
    tip(svg, T.chart_budget);
    function x(b) { return left + b / maxB * w; }
    function y(p) { return top + ph - p / maxP * ph; }
    var stepB = niceStep(maxB / 1e9, 4) * 1e9, stepP = niceStep(maxP, 4);
    for (var b = 0; b <= maxB + 1; b += stepB) {
      el("line", { x1: x(b), x2: x(b), y1: top, y2: top + ph, stroke: "#e3e3e3" }, svg);
      el("text", { x: x(b), y: top + ph + 12, "text-anchor": "middle" }, svg, F.num(b / 1e9));
    }
    for (var p = 0; p <= maxP + 1e-9; p += stepP) {
      el("line", { x1: left, x2: left + w, y1: y(p), y2: y(p), stroke: "#e3e3e3" }, svg);
      el("text", { x: left - 4, y: y(p) + 4, "text-anchor": "end" }, svg, F.num(p));
    }
    el("text", { x: left + w / 2, y: h - 4, "text-anchor": "middle" }, svg, T.chart_billion);
    if (C.plan_budget !== null && C.plan_budget !== undefined) {
      el("line", { x1: x(C.plan_budget), x2: x(C.plan_budget), y1: top, y2: top + ph,
        stroke: "#555", "stroke-dasharray": "4 3" }, svg);
    }
    [["exact", "#2166ac", null], ["greedy", "#d6604d", "5 3"]].forEach(function (s) {
      var solved = C.budget.map(function (bb, i) { return i; }).filter(function (i) {
        return C[s[0]][i] !== null; });  /* an exact point is null where it was not solved */
      var pts = solved.map(function (i) { return x(C.budget[i]) + "," + y(C[s[0]][i]); }).join(" ");
      var attrs = { points: pts, fill: "none", stroke: s[1], "stroke-width": 2,
        "class": "gcds-curve-" + s[0] };
      if (s[2]) attrs["stroke-dasharray"] = s[2];
      el("polyline", attrs, svg);
      solved.forEach(function (i) {
        var bb = C.budget[i];
        var text = T["chart_" + s[0]] + ": " + F.vnd(bb) + " → " + F.num(C[s[0]][i]) + " " +
          T.chart_people;
        if (C.reserved && C.reserved[i] > 0) text += " (" + T.chart_reserved + ": " + F.vnd(C.reserved[i]) + ")";
        tip(el("circle", { cx: x(bb), cy: y(C[s[0]][i]), r: 3, fill: s[1] }, svg), text);
      });
    });
    if (C.reserved && C.reserved.some(function (r) { return r > 0; })) {
      html("div", "note", box, T.chart_reserved_note);
    }
    var key = html("div", "gcds-chart-key", box);
    [["#2166ac", T.chart_exact, "solid"], ["#d6604d", T.chart_greedy, "dashed"],
      ["#555", T.chart_plan_budget, "dotted"]].forEach(function (k) {
      var row = html("span", "", key);
      var sw = html("span", "gcds-chart-line", row);
      sw.style.borderTopColor = k[0];
      sw.style.borderTopStyle = k[2];
      html("span", "", row, k[1]);
    });
  }

  /* Cost by kind of intervention: all of it, and the part inside the budget. */
  function costChart(box, C, T, F, styles) {
    var rowH = 30, labelW = 120, barW = WIDTH - labelW - 10;
    var h = C.kinds.length * rowH + 4;
    var max = Math.max.apply(null, C.cost) || 1;
    var svg = el("svg", { width: WIDTH, height: h, viewBox: "0 0 " + WIDTH + " " + h, role: "img",
      "class": "gcds-chart gcds-chart-cost" }, box);
    tip(svg, T.chart_cost);
    C.kinds.forEach(function (kind, i) {
      var y = i * rowH + 2, colour = (styles[kind] || styles.other).colour;
      var name = T["int_" + kind] || kind;
      el("text", { x: labelW - 4, y: y + 11, "text-anchor": "end" }, svg, name);
      tip(el("rect", { x: labelW, y: y + 2, width: C.cost[i] / max * barW, height: 11,
        fill: colour, "fill-opacity": 0.35, stroke: colour }, svg),
      name + " (" + F.num(C.n[i]) + "): " + T.chart_all_cost + " " + F.vnd(C.cost[i]));
      tip(el("rect", { x: labelW, y: y + 2, width: C.cost_in_budget[i] / max * barW, height: 11,
        fill: colour }, svg),
      name + ": " + T.chart_in_budget + " " + F.vnd(C.cost_in_budget[i]));
      el("text", { x: labelW, y: y + 25 }, svg,
        F.num(C.cost_in_budget[i] / 1e9, 1) + " / " + F.num(C.cost[i] / 1e9, 1) + " " +
        T.chart_billion);
    });
    var key = html("div", "gcds-chart-key", box);
    [[1, T.chart_in_budget], [0.35, T.chart_all_cost]].forEach(function (k) {
      var row = html("span", "", key);
      var sw = html("span", "gcds-chart-swatch", row);
      sw.style.opacity = k[0];
      html("span", "", row, k[1]);
    });
  }

  function geoCdsCharts(app, C) {
    var T = app.data.labels, F = app.format;
    var Panel = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var div = L.DomUtil.create("div", "gcds-box gcds-charts");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var details = html("details", "", div);
        html("summary", "", details, T.charts);
        var body = html("div", "gcds-charts-body", details);
        [["targets", T.chart_targets, targetsChart], ["budget", T.chart_budget, budgetChart],
          ["cost", T.chart_cost, costChart]].forEach(function (c) {
          var section = html("section", "gcds-chart-section gcds-chart-section-" + c[0], body);
          html("h4", "", section, c[1]);
          if (!C[c[0]]) { html("div", "note", section, T.chart_none); return; }
          c[2](section, C[c[0]], T, F, app.data.intervention_styles);
        });
        return div;
      }
    });
    var panel = new Panel().addTo(app.map);
    app.charts = panel;
    return panel;
  }

  window.geoCdsCharts = geoCdsCharts;
})();
