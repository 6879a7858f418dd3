// Charts: every element with data-chart="ID" gets the ECharts option stored in <script type="application/json" id="ID">.
// Charts follow the size of their container (window resize, the menu opening, printing).
(function () {
  var charts = [];
  function resizeAll() { charts.forEach(function (c) { c.resize(); }); }
  function init(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.ready) return;
      var src = document.getElementById(el.dataset.chart);
      if (!src || typeof echarts === "undefined") return;
      var option = JSON.parse(src.textContent);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      el.dataset.ready = "1";
      charts.push(chart);
      if (typeof ResizeObserver !== "undefined") new ResizeObserver(function () { chart.resize(); }).observe(el);
    });
  }
  window.addEventListener("resize", resizeAll);
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();

// The menu on narrow screens: collapsed until its button is pressed.
(function () {
  var button = document.getElementById("nav-toggle");
  var header = document.getElementById("top");
  if (!button || !header) return;
  button.addEventListener("click", function () {
    var open = !header.classList.contains("open");
    header.classList.toggle("open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
