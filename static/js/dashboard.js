/* Supervision dashboard charts (Chart.js, vendored). Data comes from the
   json_script element "dashboard-data"; every chart has the same figures in a table. */
(function () {
  "use strict";

  var COLOURS = {
    green: "#1e7b34", amber: "#e0a100", red: "#b42318", grey: "#aab3bd", blue: "#1f4e79"
  };

  function printButtons() {
    document.querySelectorAll("[data-action=print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function readData() {
    var node = document.getElementById("dashboard-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function baseOptions(extra) {
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } }
    };
    return Object.assign(options, extra || {});
  }

  function taskChart(canvas, rows) {
    fitRows(canvas, rows.length);
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [{
          label: "完成百分比",
          data: rows.map(function (r) { return r.percent; }),
          backgroundColor: rows.map(function (r) { return COLOURS[r.light] || COLOURS.grey; })
        }]
      },
      options: baseOptions({
        indexAxis: "y",
        plugins: { legend: { display: false } },
        scales: {
          x: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } },
          y: { ticks: { autoSkip: false } }
        }
      })
    });
  }

  // A horizontal bar chart names every row: the box grows with the rows (at least its CSS
  // height) and Chart.js is told not to skip labels (it did: 10 of 19 units at 1366 px).
  var ROW_HEIGHT = 24;

  function fitRows(canvas, rows) {
    var box = canvas.parentNode;
    var needed = rows * ROW_HEIGHT + 70;
    if (needed > box.clientHeight) { box.style.height = needed + "px"; }
  }

  function stacked(canvas, labels, series) {
    fitRows(canvas, labels.length);
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: series.map(function (s) {
          return { label: s.label, data: s.data, backgroundColor: s.colour };
        })
      },
      options: baseOptions({
        indexAxis: "y",
        scales: {
          x: { stacked: true, ticks: { precision: 0 } },
          y: { stacked: true, ticks: { autoSkip: false } }
        }
      })
    });
  }

  function pick(rows, key) { return rows.map(function (r) { return r[key]; }); }

  function draw() {
    var data = readData();
    if (!data || typeof window.Chart === "undefined") { return; }
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    var tasks = document.getElementById("chart-tasks");
    if (tasks) { taskChart(tasks, data.tasks); }
    var compliance = document.getElementById("chart-compliance");
    if (compliance) {
      var c = data.compliance;
      stacked(compliance, pick(c, "label"), [
        { label: "按期", data: pick(c, "on_time"), colour: COLOURS.green },
        { label: "逾期报送", data: pick(c, "late"), colour: COLOURS.amber },
        { label: "退回", data: pick(c, "returned"), colour: COLOURS.blue },
        { label: "未报", data: pick(c, "missing"), colour: COLOURS.red },
        { label: "未到截止", data: pick(c, "awaiting"), colour: COLOURS.grey }
      ]);
    }
    var targets = document.getElementById("chart-targets");
    if (targets) {
      var t = data.targets;
      stacked(targets, t.map(function (r) { return r.year + "年"; }), [
        { label: "已达成", data: pick(t, "met"), colour: COLOURS.green },
        { label: "未达成（已过期）", data: pick(t, "missed"), colour: COLOURS.red },
        { label: "推进中", data: pick(t, "pending"), colour: COLOURS.blue }
      ]);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    printButtons();
    draw();
  });
})();
