/* ChainAtlas pages: draw the ECharts charts described in <script type="application/json">
   blocks, switch the chain graph's colouring, follow clicks on nodes, send the CSRF
   token with htmx requests. No inline scripts (the Content-Security-Policy forbids them). */
(function () {
  "use strict";
  var charts = {};
  window.chainatlasCharts = charts;

  function specOf(el) {
    var block = document.getElementById(el.getAttribute("data-chart"));
    return block ? JSON.parse(block.textContent) : null;
  }

  function clean(option) {
    var copy = Object.assign({}, option);
    delete copy.legendItems;
    delete copy.height;
    return copy;
  }

  function draw(el) {
    if (typeof echarts === "undefined") { return; }
    var specs = specOf(el);
    if (!specs) { return; }
    var mode = el.getAttribute("data-mode") || "main";
    var option = specs[mode] || specs.main;
    var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "canvas" });
    chart.off("finished");
    chart.on("finished", function () { el.setAttribute("data-ready", mode); });
    chart.setOption(clean(option), true);
    chart.off("click");
    chart.on("click", function (params) {
      if (params.data && params.data.url) { window.location.href = params.data.url; }
    });
    charts[el.id] = chart;
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  function switchMode(button) {
    var target = document.getElementById(button.getAttribute("data-chart-target"));
    if (!target) { return; }
    var mode = button.getAttribute("data-chart-mode");
    target.setAttribute("data-mode", mode);
    target.removeAttribute("data-ready");
    document.querySelectorAll('[data-chart-target="' + target.id + '"]').forEach(function (b) {
      b.classList.toggle("current", b === button);
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
    document.querySelectorAll('[data-legend-for="' + target.id + '"] [data-legend-mode]').forEach(function (li) {
      li.hidden = li.getAttribute("data-legend-mode") !== mode;
    });
    draw(target);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll(document);
    document.querySelectorAll("[data-chart-mode]").forEach(function (b) {
      b.addEventListener("click", function () { switchMode(b); });
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
    var meta = document.querySelector('meta[name="csrf-token"]');
    document.body.addEventListener("htmx:configRequest", function (e) {
      if (meta) { e.detail.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
    });
    document.body.addEventListener("htmx:beforeSwap", function (e) {
      // The import report and validation errors come back as 422: show them.
      if (e.detail.xhr.status === 422 || e.detail.xhr.status === 403) {
        e.detail.shouldSwap = true;
        e.detail.isError = false;
      }
    });
    document.body.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
  });
})();
