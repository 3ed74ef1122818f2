/* 评议考核 charts, drawn with the vendored Apache ECharts (static/dianti/echarts.min.js, no CDN).
   Each <div class="chart" data-chart="KIND" data-source="ID"> reads its data from <script type="application/json"
   id="ID"> (Django's json_script) and its words from #chart-labels, so the page's language applies.
   The tables beside the charts carry the same figures: a chart never holds a number the page does not. */
(function () {
  "use strict";
  var RED = "#b71c1c", RED_SOFT = "#f3c5c5", GREY = "#8a8f96", AMBER = "#d08a00", GREEN = "#2e7d32";
  var GRADE_COLOURS = [GREEN, "#7cb342", AMBER, RED, "#6d1010", "#3d4148"];

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var L = json("chart-labels") || {};
  function t(key, fallback) { return L[key] || fallback; }
  function fmt(x, digits) { return x === null || x === undefined ? "—" : Number(x).toFixed(digits === undefined ? 1 : digits); }
  var base = {
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true }
  };
  function merge(a, b) { var o = {}, k; for (k in a) o[k] = a[k]; for (k in b) o[k] = b[k]; return o; }

  /* A horizontal interval (low–high) on a category axis, drawn as a line with end ticks. */
  function intervalSeries(name, rows, lowKey, highKey, colour) {
    return {
      type: "custom", name: name, z: 3,
      renderItem: function (params, api) {
        var y = api.value(0), lo = api.coord([api.value(1), y]), hi = api.coord([api.value(2), y]);
        var h = Math.max(6, api.size([0, 1])[1] * 0.35), s = { stroke: colour, lineWidth: 2 };
        return { type: "group", children: [
          { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: s },
          { type: "line", shape: { x1: lo[0], y1: lo[1] - h / 2, x2: lo[0], y2: lo[1] + h / 2 }, style: s },
          { type: "line", shape: { x1: hi[0], y1: hi[1] - h / 2, x2: hi[0], y2: hi[1] + h / 2 }, style: s }
        ] };
      },
      encode: { x: [1, 2], y: 0 },
      data: rows.map(function (r, i) { return [i, r[lowKey], r[highKey]]; })
    };
  }

  function thresholdLines(thresholds) {
    return (thresholds || []).map(function (th) {
      return { xAxis: th.value, label: { formatter: th.label, position: "insideEndTop", color: RED, fontSize: 11 },
               lineStyle: { color: RED, type: "dashed" } };
    });
  }

  var KINDS = {
    /* Campaign / meeting: each secretary's score, best first. */
    scores: function (rows) {
      var names = rows.map(function (r) { return r.name; }).reverse(), data = rows.map(function (r) {
        return { value: r.score, itemStyle: { color: r.uncertain ? AMBER : RED } };
      }).reverse();
      return merge(base, {
        grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
        xAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); }, max: 100 },
        yAxis: { type: "category", data: names, axisLabel: { width: 96, overflow: "truncate" } },
        series: [{ type: "bar", name: t("score", "得分"), data: data, barMaxWidth: 18,
                   label: { show: true, position: "right", formatter: function (p) { return fmt(p.value, 2); } } }]
      });
    },
    /* Campaign / meeting: satisfaction rate with its Wilson interval, and the rule thresholds. */
    satisfaction: function (rows, thresholds) {
      rows = rows.slice().reverse();
      return merge(base, {
        tooltip: { trigger: "item", confine: true, formatter: function (p) {
          var r = rows[p.dataIndex];
          return r.name + "<br>" + t("satisfaction", "满意率") + " " + fmt(r.sat) + "%（" + fmt(r.low) + "–" + fmt(r.high) + "%）";
        } },
        grid: { left: 8, right: 24, top: 24, bottom: 24, containLabel: true },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
                 axisLabel: { width: 96, overflow: "truncate" } },
        series: [
          intervalSeries(t("interval", "区间"), rows, "low", "high", GREY),
          { type: "scatter", name: t("satisfaction", "满意率"), symbolSize: 10, z: 4,
            data: rows.map(function (r) { return { value: [r.sat, r.name], itemStyle: { color: r.uncertain ? AMBER : RED } }; }),
            markLine: { symbol: "none", silent: true, data: thresholdLines(thresholds) } }
        ]
      });
    },
    /* Subject: grade distribution of the valid ballots. */
    distribution: function (rows) {
      return merge(base, {
        grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: rows.map(function (r) { return r.grade; }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", name: t("ballots", "票数"), barMaxWidth: 48,
                   data: rows.map(function (r, i) { return { value: r.n, itemStyle: { color: GRADE_COLOURS[i % GRADE_COLOURS.length] } }; }),
                   label: { show: true, position: "top", formatter: function (p) {
                     var pct = rows[p.dataIndex].pct; return p.value + (pct === null ? "" : "（" + fmt(pct) + "%）");
                   } } }]
      });
    },
    /* Subject: each evaluator group's (trimmed) mean, labelled with its weight as used. */
    groups: function (rows) {
      return merge(base, {
        grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", max: 100, min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); } },
        yAxis: { type: "category", data: rows.map(function (r) { return r.label + "（" + fmt(r.used_weight, 0) + "%）"; }).reverse(),
                 axisLabel: { width: 120, overflow: "truncate" } },
        series: [{ type: "bar", name: t("score", "得分"), barMaxWidth: 18, itemStyle: { color: RED },
                   data: rows.map(function (r) { return r.score; }).reverse(),
                   label: { show: true, position: "right", formatter: function (p) { return fmt(p.value, 2); } } }]
      });
    },
    /* Subject: item scores (德能勤绩廉) as a radar when there are three or more. */
    items: function (rows) {
      if (rows.length < 3) return KINDS.groups(rows.map(function (r) { return { label: r.label, used_weight: 100, score: r.score }; }));
      var low = Math.max(0, Math.floor(Math.min.apply(null, rows.map(function (r) { return r.score; })) / 10) * 10 - 10);
      return merge(base, {
        tooltip: { trigger: "item", confine: true },
        radar: { radius: "62%", indicator: rows.map(function (r) { return { name: r.label, min: low, max: 100 }; }) },
        series: [{ type: "radar", name: t("items", "分项得分"), areaStyle: { color: "rgba(183,28,28,.15)" },
                   lineStyle: { color: RED }, itemStyle: { color: RED },
                   data: [{ value: rows.map(function (r) { return Number(fmt(r.score, 2)); }), name: t("items", "分项得分") }] }]
      });
    },
    /* Subject: satisfaction and dissatisfaction with their intervals, and the rule thresholds. */
    rates: function (rows, thresholds) {
      return merge(base, {
        tooltip: { trigger: "item", confine: true, formatter: function (p) {
          var r = rows[p.dataIndex]; return r.name + " " + fmt(r.value) + "%（" + fmt(r.low) + "–" + fmt(r.high) + "%）";
        } },
        grid: { left: 8, right: 24, top: 24, bottom: 24, containLabel: true },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
        series: [
          intervalSeries(t("interval", "区间"), rows, "low", "high", GREY),
          { type: "scatter", symbolSize: 12, z: 4, data: rows.map(function (r, i) {
              return { value: [r.value, r.name], itemStyle: { color: i === 0 ? RED : "#3d4148" } }; }),
            label: { show: true, position: "top", formatter: function (p) { return fmt(rows[p.dataIndex].value) + "%"; } },
            markLine: { symbol: "none", silent: true, data: thresholdLines(thresholds) } }
        ]
      });
    },
    /* Organization: annual totals and appraisal scores over the years, stars as bars on a second axis. */
    history: function (rows) {
      var years = rows.map(function (r) { return String(r.year); });
      return merge(base, {
        legend: { top: 0 },
        grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: years },
        yAxis: [{ type: "value", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); }, max: 100 },
                { type: "value", min: 0, max: 5, interval: 1, splitLine: { show: false } }],
        series: [
          { type: "bar", name: t("stars", "星级"), yAxisIndex: 1, barMaxWidth: 28, itemStyle: { color: RED_SOFT },
            data: rows.map(function (r) { return r.stars; }),
            label: { show: true, position: "insideBottom", formatter: function (p) { return p.value ? p.value + "★" : ""; } } },
          { type: "line", name: t("total", "年度总分"), itemStyle: { color: RED }, symbolSize: 8,
            data: rows.map(function (r) { return r.total; }), label: { show: true, formatter: function (p) { return fmt(p.value, 2); } } },
          { type: "line", name: t("appraisal", "述职评议得分"), itemStyle: { color: GREY }, lineStyle: { type: "dashed" },
            data: rows.map(function (r) { return r.appraisal; }) }
        ]
      });
    }
  };

  function draw() {
    if (!window.echarts) return;
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var rows = json(el.dataset.source) || [], kind = KINDS[el.dataset.chart];
      if (!kind || !rows.length) { el.hidden = true; return; }
      if (el.dataset.perRow) el.style.height = Math.max(160, rows.length * Number(el.dataset.perRow) + 60) + "px";
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(kind(rows, json(el.dataset.thresholds || "")));
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.drawn = "1";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
