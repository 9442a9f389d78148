// Draws every chart on the page from the figure embedded next to it (json_script), and wires
// the copy buttons. The server builds the figures; this file only hands them to Plotly.
(function () {
  "use strict";

  function drawCharts() {
    if (typeof window.Plotly === "undefined") { return; }
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      var layout = Object.assign({ autosize: true }, figure.layout || {});
      window.Plotly.newPlot(el, figure.data || [], layout, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["lasso2d", "select2d"],
      });
    });
  }

  function wireCopyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy"));
        if (!target) { return; }
        var text = target.textContent;
        var done = function () {
          button.textContent = "Copied";
          window.setTimeout(function () { button.textContent = "Copy"; }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { selectText(target); });
        } else {
          selectText(target);
        }
      });
    });
  }

  // Without clipboard access, select the snippet so the user can copy it by hand.
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function wireSelectAll() {
    document.querySelectorAll("[data-select-all]").forEach(function (box) {
      box.hidden = false;
      box.addEventListener("change", function () {
        var form = box.form;
        form.querySelectorAll("input[name='" + box.getAttribute("data-select-all") + "']")
          .forEach(function (item) { item.checked = box.checked; });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    wireCopyButtons();
    wireSelectAll();
  });
})();
