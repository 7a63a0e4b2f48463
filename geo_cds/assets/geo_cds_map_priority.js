/* geo-cds map: the plan's villages as a table beside the map.
 *
 * Sortable by every column, filtered by province, commune and budget; a click on a row zooms
 * to the village and opens its popup. Only the rows in sight exist in the page (a national
 * plan has tens of thousands), and every text from the data goes in as textContent.
 */
(function () {
  "use strict";

  var ROW = 26;          // px, fixed so the scroll position gives the first row in sight
  var SPARE = 8;         // rows drawn above and below the visible ones

  function cmpNumber(a, b) {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;   // missing values last
    if (b === null || b === undefined) return -1;
    return a < b ? -1 : 1;
  }

  window.geoCdsPriority = function (map, D, ctx) {
    var T = D.labels, V = D.villages, C = D.communes, F = ctx.format;
    var collator = new Intl.Collator(D.lang === "vi" ? "vi" : "en", { sensitivity: "base" });
    var all = [];
    for (var k = 0; k < V.rank.length; k++) if (V.rank[k] !== null) all.push(k);
    function communeOf(k) { return V.commune[k] >= 0 ? C.name[V.commune[k]] : ""; }
    function provinceOf(k) { return V.commune[k] >= 0 && C.prov ? C.prov[V.commune[k]] : ""; }
    function budgetText(k) {
      var b = V.in_budget ? V.in_budget[k] : null;
      return b === null || b === undefined ? "–" : (b ? T.yes : T.no);
    }
    var columns = [
      { key: "rank", head: T.col_rank, cls: "num", text: function (k) { return F.num(V.rank[k]); },
        cmp: function (a, b) { return cmpNumber(V.rank[a], V.rank[b]); } },
      { key: "village", head: T.village, text: function (k) { return V.name[k] || ""; },
        cmp: function (a, b) { return collator.compare(V.name[a] || "", V.name[b] || ""); } },
      { key: "commune", head: T.commune, text: communeOf,
        cmp: function (a, b) { return collator.compare(communeOf(a), communeOf(b)); } },
      { key: "gaps", head: T.gap_status, text: function (k) { return D.gap_status[V.status[k]].label; },
        cmp: function (a, b) { return V.status[a] - V.status[b]; } },
      { key: "intervention", head: T.intervention, text: ctx.interventionText,
        cmp: function (a, b) {
          return collator.compare(ctx.interventionText(a), ctx.interventionText(b));
        } },
      { key: "cost", head: T.col_cost, cls: "num",
        text: function (k) {
          return V.cost[k] === null ? "–" : F.num(V.cost[k] / 1e6, V.cost[k] < 1e7 ? 1 : 0);
        },
        cmp: function (a, b) { return cmpNumber(V.cost[a], V.cost[b]); } },
      { key: "budget", head: T.col_budget, text: budgetText,
        cmp: function (a, b) {
          var x = V.in_budget ? V.in_budget[a] : null, y = V.in_budget ? V.in_budget[b] : null;
          return cmpNumber(x === null ? null : (x ? 0 : 1), y === null ? null : (y ? 0 : 1));
        } }
    ];
    var sortCol = columns[0], sortDir = 1;
    var filter = { province: "", commune: "", budget: "" };
    var rows = all.slice();
    var built = false, box, countEl, provSel, commSel, budgetSel, head, scroller, spacer, body;

    function el(tag, cls, parent, text) {
      var e = L.DomUtil.create(tag, cls || "", parent);
      if (text !== undefined) e.textContent = text;
      return e;
    }
    function option(sel, value, text) {
      var o = el("option", "", sel, text);
      o.value = value;
      return o;
    }
    function uniqueSorted(values) {
      var seen = {}, out = [];
      values.forEach(function (v) { if (v && !seen[v]) { seen[v] = 1; out.push(v); } });
      return out.sort(collator.compare);
    }
    function fillCommunes() {
      commSel.textContent = "";
      option(commSel, "", T.all_communes);
      uniqueSorted(all.filter(function (k) {
        return !filter.province || provinceOf(k) === filter.province;
      }).map(communeOf)).forEach(function (n) { option(commSel, n, n); });
      commSel.value = filter.commune;
    }

    function apply() {
      rows = all.filter(function (k) {
        if (filter.province && provinceOf(k) !== filter.province) return false;
        if (filter.commune && communeOf(k) !== filter.commune) return false;
        if (filter.budget) {
          var b = V.in_budget ? V.in_budget[k] : null;
          if (filter.budget === "in" ? b !== true : b !== false) return false;
        }
        return true;
      });
      rows.sort(function (a, b) {
        return sortDir * sortCol.cmp(a, b) || cmpNumber(V.rank[a], V.rank[b]);
      });
      countEl.textContent = T.rows_count.replace("{n}", F.num(rows.length));
      Array.prototype.forEach.call(head.children, function (h, j) {
        h.setAttribute("aria-sort", columns[j] === sortCol
          ? (sortDir > 0 ? "ascending" : "descending") : "none");
      });
      spacer.style.height = rows.length * ROW + "px";
      scroller.scrollTop = 0;
      render();
    }

    function render() {
      var first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - SPARE);
      var last = Math.min(rows.length, first + Math.ceil(scroller.clientHeight / ROW) + 2 * SPARE);
      body.textContent = "";
      body.style.transform = "translateY(" + first * ROW + "px)";
      for (var r = first; r < last; r++) {
        var k = rows[r];
        var tr = el("div", "gcds-prow" + (V.in_budget && V.in_budget[k] ? " in" : ""), body);
        tr.dataset.k = k;
        columns.forEach(function (c) { el("span", c.cls, tr, c.text(k)); });
      }
    }

    function build() {
      built = true;
      box = el("div", "gcds-priority-body", panel);
      var top = el("div", "gcds-ptop", box);
      countEl = el("span", "gcds-pcount", top);
      var close = el("button", "gcds-pclose", top, "×");
      close.type = "button";
      close.title = T.close;
      close.setAttribute("aria-label", T.close);
      close.addEventListener("click", function () { setOpen(false); });
      var filters = el("div", "gcds-pfilters", box);
      provSel = el("select", "", filters);
      provSel.name = "gcds-province";
      option(provSel, "", T.all_provinces);
      uniqueSorted(all.map(provinceOf)).forEach(function (n) { option(provSel, n, n); });
      commSel = el("select", "", filters);
      commSel.name = "gcds-commune";
      budgetSel = el("select", "", filters);
      budgetSel.name = "gcds-budget";
      option(budgetSel, "", T.budget_all);
      option(budgetSel, "in", T.in_budget);
      option(budgetSel, "out", T.budget_out);
      fillCommunes();
      provSel.addEventListener("change", function () {
        filter.province = provSel.value;
        filter.commune = "";
        fillCommunes();
        apply();
      });
      commSel.addEventListener("change", function () { filter.commune = commSel.value; apply(); });
      budgetSel.addEventListener("change", function () { filter.budget = budgetSel.value; apply(); });
      head = el("div", "gcds-prow gcds-phead", box);
      columns.forEach(function (c) {
        var h = el("button", c.cls, head, c.head);
        h.type = "button";
        h.addEventListener("click", function () {
          sortDir = sortCol === c ? -sortDir : 1;
          sortCol = c;
          apply();
        });
      });
      scroller = el("div", "gcds-pscroll", box);
      spacer = el("div", "gcds-pspacer", scroller);
      body = el("div", "gcds-pbody", spacer);
      scroller.addEventListener("scroll", render);
      body.addEventListener("click", function (ev) {
        var tr = ev.target.closest(".gcds-prow");
        if (tr && tr.dataset.k !== undefined) {
          ctx.goToVillage(+tr.dataset.k, panel.getBoundingClientRect().right -
            map.getContainer().getBoundingClientRect().left);
        }
      });
      apply();
    }

    var panel, toggle, layersWereOpen = false;
    function setOpen(open) {
      // The table takes the left of the screen: the layer list folds to its button meanwhile,
      // so a village's popup has the right of the screen to itself.
      var layers = ctx.layerControl && ctx.layerControl.getContainer();
      if (layers && open && !panel.classList.contains("open")) {
        layersWereOpen = layers.classList.contains("leaflet-control-layers-expanded");
        ctx.layerControl.collapse();
      } else if (layers && !open && layersWereOpen) {
        ctx.layerControl.expand();
      }
      if (open && !built) { panel.classList.add("open"); build(); }
      panel.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) render();
    }
    var Control = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        panel = L.DomUtil.create("div", "gcds-box gcds-priority");
        L.DomEvent.disableClickPropagation(panel);
        L.DomEvent.disableScrollPropagation(panel);
        // Arrow keys in a list or select move through it, not the map.
        panel.addEventListener("keydown", function (ev) { ev.stopPropagation(); });
        toggle = el("button", "gcds-ptoggle", panel,
          T.priority_panel + " (" + F.num(all.length) + ")");
        toggle.type = "button";
        toggle.addEventListener("click", function () {
          setOpen(!panel.classList.contains("open"));
        });
        return panel;
      }
    });
    new Control().addTo(map);
    return {
      open: function () { setOpen(true); },
      rows: function () { return rows.slice(); },
      columns: columns.map(function (c) { return c.key; })
    };
  };
})();
