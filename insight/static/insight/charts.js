/* The overview's charts (Chart.js) and map of places (Leaflet), drawn from the JSON the page
 * carries. Hidden small counts arrive as null: a gap in a line, no bar, and "<5" in the tooltip. */
(function () {
  "use strict";
  var BRAND = "#6f3b16", SOFT = "#c9a27e", GREY = "#9aa0a6";
  var PALETTE = ["#6f3b16", "#2f6f8f", "#2f8f4e", "#b5651d", "#7b4b94", "#c0392b", "#5d6d7e", "#a3842c"];
  var LEVEL = ["#2f8f4e", "#e0a100", "#c0392b"];

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function textTooltip(texts) {
    return function (ctx) {
      var t = texts[ctx.dataIndex];
      return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + (t === undefined ? ctx.formattedValue : t);
    };
  }

  function bar(id, labels, datasets, opts) {
    var canvas = document.getElementById(id);
    if (!canvas || !window.Chart) return null;
    return new window.Chart(canvas, {
      type: (opts && opts.type) || "bar",
      data: { labels: labels, datasets: datasets },
      options: Object.assign(
        {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
        },
        (opts && opts.options) || {}
      )
    });
  }

  function charts() {
    var c = data("insight-charts");
    if (!c) return;
    var s = c.strings;
    var f = c.funnel;
    bar(
      "chart-funnel",
      f.labels,
      [
        { label: s.now, data: f.values, backgroundColor: BRAND },
        { label: s.before, data: f.before, backgroundColor: SOFT }
      ],
      {
        options: {
          indexAxis: "y",
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
          plugins: {
            legend: { display: true, position: "bottom" },
            tooltip: {
              callbacks: {
                afterLabel: function (ctx) {
                  var conv = f.conversions[ctx.dataIndex];
                  return ctx.datasetIndex === 0 && conv !== null ? conv + "% " + s.conversion : "";
                }
              }
            }
          }
        }
      }
    );
    bar("chart-weekly", c.weekly.labels, [{ label: s.contacts, data: c.weekly.values, backgroundColor: BRAND }], {
      options: { plugins: { legend: { display: false }, tooltip: { callbacks: { label: textTooltip(c.weekly.texts) } } } }
    });
    bar(
      "chart-needs",
      c.needs.labels,
      c.needs.datasets.map(function (d, i) {
        return { label: d.label, data: d.values, backgroundColor: PALETTE[i % PALETTE.length], texts: d.texts };
      }),
      {
        options: {
          plugins: {
            legend: { display: true, position: "bottom", labels: { boxWidth: 12 } },
            tooltip: {
              callbacks: {
                label: function (ctx) {
                  return ctx.dataset.label + ": " + ctx.dataset.texts[ctx.dataIndex];
                }
              }
            }
          }
        }
      }
    );
    bar("chart-ageing", c.ageing.labels, [{ label: s.problems, data: c.ageing.values, backgroundColor: GREY }], {
      options: { plugins: { legend: { display: false }, tooltip: { callbacks: { label: textTooltip(c.ageing.texts) } } } }
    });
    bar("chart-club", c.club.labels, [{ label: s.visits, data: c.club.values, backgroundColor: PALETTE[1] }], {
      options: { plugins: { legend: { display: false }, tooltip: { callbacks: { label: textTooltip(c.club.texts) } } } }
    });
  }

  function esc(t) {
    var d = document.createElement("div");
    d.textContent = t === null || t === undefined ? "" : String(t);
    return d.innerHTML;
  }

  function map() {
    var el = document.getElementById("places-map");
    var points = data("insight-places");
    var strings = (data("insight-charts") || {}).strings || {};
    if (!el || !window.L || !points) return;
    var m = window.L.map(el, { scrollWheelZoom: false, attributionControl: true });
    var tiles = el.getAttribute("data-tiles");
    if (tiles) {
      window.L.tileLayer(tiles, { maxZoom: 19, attribution: el.getAttribute("data-attribution") || "" }).addTo(m);
    }
    var max = 1;
    points.forEach(function (p) { max = Math.max(max, p.size); });
    var bounds = [];
    points.forEach(function (p) {
      var radius = 6 + 18 * Math.sqrt(p.size / max);
      var marker = window.L.circleMarker([p.lat, p.lon], {
        radius: radius,
        color: "#333",
        weight: 1,
        fillColor: LEVEL[p.open_level],
        fillOpacity: 0.75
      }).addTo(m);
      marker.bindTooltip(esc(p.name));
      marker.bindPopup(
        "<strong>" + esc(p.name) + "</strong><br>" +
        esc(strings.contacts) + ": " + esc(p.contacts) + "<br>" +
        esc(strings.shifts) + ": " + esc(p.shifts) + " (" + esc(p.hours) + " h)<br>" +
        esc(strings.problems) + ": " + esc(p.open) + "<br>" +
        esc(strings.untold) + ": " + esc(p.untold) + "<br>" +
        esc(strings.last_duty) + ": " + esc(p.last_duty || "–")
      );
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length > 1) m.fitBounds(bounds, { padding: [30, 30] });
    else if (bounds.length === 1) m.setView(bounds[0], 16);
    else m.setView([50.0971, 18.5418], 13);
    el.setAttribute("data-ready", String(points.length));
  }

  function start() {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    charts();
    map();
    document.documentElement.setAttribute("data-charts-ready", "1");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
