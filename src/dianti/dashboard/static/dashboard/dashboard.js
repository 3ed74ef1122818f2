/* 年度数据 charts, drawn with the vendored Apache ECharts (static/dianti/echarts.min.js, no CDN), as SVG.
   Every chart reads #dashboard-data (Django's json_script); the tables beside the charts carry the same numbers,
   so each chart is aria-hidden and a screen reader reads the table. */
(function () {
  "use strict";
  var RED = "#b71c1c", GREY = "#8a8f96";
  var STAGES = ["#f3c5c5", "#e38d8d", "#cc4b4b", "#b71c1c", "#7f0000"];
  var el = document.getElementById("dashboard-data");
  if (!el) return;
  var data = JSON.parse(el.textContent);
  var base = { animation: false, textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
               tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true } };
  function merge(a, b) { var o = {}, k; for (k in a) o[k] = a[k]; for (k in b) o[k] = b[k]; return o; }
  var label = { width: 96, overflow: "truncate" };

  var KINDS = {
    /* Each child's stages drawn over one another: a bar reads as how far its year went. */
    funnel: function () {
      var rows = data.funnel.slice().reverse();
      if (!rows.length) return null;
      return { height: rows.length, option: merge(base, {
        legend: { top: 0, itemWidth: 12, itemHeight: 10 },
        grid: { left: 4, right: 24, top: 32, bottom: 4, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: label },
        series: data.stages.map(function (name, i) {
          return { type: "bar", name: name, barGap: "-100%", barMaxWidth: 18, z: 2 + i,
                   itemStyle: { color: STAGES[i % STAGES.length] },
                   data: rows.map(function (r) { return r.values[i]; }) };
        })
      }) };
    },
    /* The whole year, stage by stage, top to bottom: how far the year's subjects went. */
    total: function () {
      if (!data.total.length || !Math.max.apply(null, data.total)) return null;
      return { height: data.stages.length, option: merge(base, {
        grid: { left: 4, right: 40, top: 4, bottom: 4, containLabel: true },
        xAxis: { type: "value", minInterval: 1, axisLabel: { show: false }, splitLine: { show: false } },
        yAxis: { type: "category", inverse: true, data: data.stages, axisLabel: label },
        series: [{ type: "bar", barMaxWidth: 22, label: { show: true, position: "right", color: GREY },
                   data: data.total.map(function (v, i) {
                     return { value: v, itemStyle: { color: STAGES[(i + 1) % STAGES.length] } };
                   }) }]
      }) };
    },
    /* A distribution or the hot categories: one bar per class. */
    bars: function (node) {
      var d = data.distributions[node.dataset.key];
      if (!d || !d.rows.length) return null;
      var rows = d.rows.slice().reverse();
      return { height: rows.length, option: merge(base, {
        grid: { left: 4, right: 36, top: 4, bottom: 4, containLabel: true },
        xAxis: { type: "value", minInterval: 1, axisLabel: { show: false }, splitLine: { show: false } },
        yAxis: { type: "category", data: rows.map(function (r) { return r[0]; }), axisLabel: label },
        series: [{ type: "bar", name: d.label, barMaxWidth: 16, itemStyle: { color: RED },
                   label: { show: true, position: "right", color: GREY },
                   data: rows.map(function (r) { return r[1]; }) }]
      }) };
    },
    /* One figure over the years, the latest year in full red. */
    trend: function (node) {
      var t = data.trend[Number(node.dataset.index)];
      if (!t) return null;
      return { option: merge(base, {
        title: { text: t.label + "（" + t.unit + "）", textStyle: { fontSize: 13, fontWeight: "normal" }, left: 0, top: 0 },
        grid: { left: 4, right: 4, top: 30, bottom: 4, containLabel: true },
        xAxis: { type: "category", data: t.years },
        yAxis: { type: "value", minInterval: 1, splitNumber: 3 },
        series: [{ type: "bar", barMaxWidth: 28, label: { show: true, position: "top", color: GREY },
                   data: t.values.map(function (v, i) {
                     return { value: v, itemStyle: { color: i === t.values.length - 1 ? RED : STAGES[1] } };
                   }) }]
      }) };
    }
  };

  function draw() {
    if (!window.echarts) return;
    document.querySelectorAll(".chart[data-chart]").forEach(function (node) {
      var kind = KINDS[node.dataset.chart], made = kind && kind(node);
      if (!made) { node.hidden = true; return; }
      if (made.height) node.style.height = Math.max(120, made.height * Number(node.dataset.perRow || 24) + 48) + "px";
      var chart = echarts.init(node, null, { renderer: "svg" });
      chart.setOption(made.option);
      window.addEventListener("resize", function () { chart.resize(); });
      node.dataset.drawn = "1";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
