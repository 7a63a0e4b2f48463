/* What folium's own elements ask of jQuery, which the page does not ship: a popup builds its
 * content with $(html)[0], and keep_in_front waits with $(document).ready(fn). Only defined
 * when no jQuery is present. */
(function () {
  "use strict";
  if (window.$) return;
  window.$ = function (x) {
    if (typeof x === "string") {
      var t = document.createElement("template");
      t.innerHTML = x.trim();
      return Array.prototype.slice.call(t.content.childNodes);
    }
    return {
      ready: function (fn) {
        if (document.readyState !== "loading") fn();
        else document.addEventListener("DOMContentLoaded", fn);
      }
    };
  };
})();
