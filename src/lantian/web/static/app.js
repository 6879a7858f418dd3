// Charts: every element with data-chart="ID" gets the ECharts option stored in <script type="application/json" id="ID">.
(function () {
  function init(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.ready) return;
      var src = document.getElementById(el.dataset.chart);
      if (!src || typeof echarts === "undefined") return;
      var option = JSON.parse(src.textContent);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      el.dataset.ready = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
