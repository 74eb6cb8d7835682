// Kernel-free explorers: recompute softmax in the browser when a reader moves a slider.
// The markup is produced by softmax_book/explorer.py (the static default) and redrawn here by
// the same recipe: render() mirrors render_state(), softmax() mirrors softmax_lib.softmax
// (shift by the max, exponentiate, divide by the sum). tests/site checks they agree.
(function () {
  "use strict";
  var WIDTH = 440, HEIGHT = 200, PAD_LEFT = 36, PAD_BOTTOM = 28, PAD_TOP = 18;

  function softmax(z, T) {
    var scaled = z.map(function (v) { return v / T; });
    var m = Math.max.apply(null, scaled);
    var e = scaled.map(function (v) { return Math.exp(v - m); });
    var s = e.reduce(function (a, b) { return a + b; }, 0);
    return e.map(function (v) { return v / s; });
  }

  function naiveSoftmax(z, T) {
    // The textbook formula, overflow and all: exp(710) is Infinity and Infinity/Infinity NaN.
    var e = z.map(function (v) { return Math.exp(v / T); });
    var s = e.reduce(function (a, b) { return a + b; }, 0);
    return e.map(function (v) { return v / s; });
  }

  function fmt(x, digits) {
    if (digits === undefined) digits = 3;
    return (x === null || isNaN(x)) ? "nan" : x.toFixed(digits);
  }

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  function svg(labels, p, target) {
    var n = p.length, plotW = WIDTH - PAD_LEFT - 8, plotH = HEIGHT - PAD_TOP - PAD_BOTTOM;
    var slot = plotW / n;
    var parts = ['<svg class="smx-svg" viewBox="0 0 ' + WIDTH + ' ' + HEIGHT + '" width="' + WIDTH +
      '" height="' + HEIGHT + '" role="img" aria-label="bar chart of the softmax probabilities">'];
    [0.0, 0.5, 1.0].forEach(function (tick) {
      var y = PAD_TOP + plotH * (1 - tick);
      parts.push('<line class="smx-grid" x1="' + PAD_LEFT + '" x2="' + (WIDTH - 8) + '" y1="' +
        y.toFixed(1) + '" y2="' + y.toFixed(1) + '"/><text class="smx-tick" x="' + (PAD_LEFT - 4) +
        '" y="' + (y + 4).toFixed(1) + '">' + tick.toFixed(1) + '</text>');
    });
    labels.forEach(function (label, i) {
      var pi = p[i], h = (pi === null || isNaN(pi)) ? 0 : plotH * pi;
      var x = PAD_LEFT + slot * i + slot * 0.15;
      var cls = i === target ? "smx-bar smx-target" : "smx-bar";
      parts.push('<rect class="' + cls + '" x="' + x.toFixed(1) + '" y="' + (PAD_TOP + plotH - h).toFixed(1) +
        '" width="' + (slot * 0.7).toFixed(1) + '" height="' + h.toFixed(1) + '"/>' +
        '<text class="smx-value" x="' + (x + slot * 0.35).toFixed(1) + '" y="' +
        (PAD_TOP + plotH - h - 4).toFixed(1) + '">' + fmt(pi) + '</text>' +
        '<text class="smx-label" x="' + (x + slot * 0.35).toFixed(1) + '" y="' + (HEIGHT - 10) + '">' +
        esc(label) + '</text>');
    });
    parts.push("</svg>");
    return parts.join("");
  }

  function sum(xs) { return xs.reduce(function (a, b) { return a + b; }, 0); }

  function table(labels, state, target, showNaive, showScaled) {
    var head = "<tr><th>class</th><th>logit z</th>" + (showScaled ? "<th>z / T</th>" : "") + "<th>softmax</th>" +
      (showNaive ? "<th>naive exp(z)/Σexp(z)</th></tr>" : "</tr>");
    var rows = labels.map(function (label, i) {
      var z = state.z[i], cls = i === target ? ' class="smx-target"' : "";
      var row = "<tr" + cls + "><td>" + esc(label) + "</td><td>" + fmt(z, 2) + "</td>" +
        (showScaled ? "<td>" + fmt(z / state.T, 2) + "</td>" : "") +
        '<td class="smx-p">' + fmt(state.p[i]) + "</td>";
      if (showNaive) row += '<td class="smx-naive">' + fmt(state.naive[i]) + "</td>";
      return row + "</tr>";
    });
    var foot = '<tr class="smx-sum"><td>sum</td><td></td>' + (showScaled ? "<td></td>" : "") +
      "<td>" + fmt(sum(state.p)) + "</td>" +
      (showNaive ? "<td>" + fmt(sum(state.naive.map(function (v) { return v === null ? NaN : v; }))) + "</td></tr>" : "</tr>");
    var out = '<table class="smx-table"><thead>' + head + "</thead><tbody>" + rows.join("") + foot + "</tbody></table>";
    if (state.loss !== undefined) {
      out += '<p class="smx-loss">cross-entropy with true class <b>' + esc(labels[target]) +
        '</b>: −log p = <span class="smx-loss-value">' + fmt(state.loss, 4) + "</span></p>";
    }
    return out;
  }

  function computeState(config, z, T) {
    var p = softmax(z, T);
    var state = { z: z, T: T, p: p, naive: naiveSoftmax(z, T) };
    if (config.target !== null && config.target !== undefined) {
      // From the logits, as softmax_lib.cross_entropy does: logsumexp(z/T) - z_target/T.
      var scaled = z.map(function (v) { return v / T; });
      var m = Math.max.apply(null, scaled);
      var lse = m + Math.log(sum(scaled.map(function (v) { return Math.exp(v - m); })));
      state.loss = lse - scaled[config.target];
    }
    return state;
  }

  // A range input snaps its value to min + k * step, so until the reader moves a slider the
  // exact value from the page (the one the kernel computed with) is used, not the snapped one.
  function readControls(root, config) {
    var z = config.logits.slice(), T = config.temperature, shift = 0;
    root.querySelectorAll("input[data-smx]").forEach(function (input) {
      if (!input.hasAttribute("data-smx-moved")) return;
      var name = input.getAttribute("data-smx"), v = parseFloat(input.value);
      if (name.indexOf("logit-") === 0) z[parseInt(name.slice(6), 10)] = v;
      else if (name === "log10-temperature") T = Math.pow(10, v);
      else if (name === "shift") shift = v;
      var out = input.parentNode.querySelector("output");
      if (out) out.textContent = name === "log10-temperature" ? fmt(T, 2) : name === "shift" ? String(v) : fmt(v, 2);
    });
    return { z: z.map(function (v) { return v + shift; }), T: T };
  }

  function update(root) {
    var config = JSON.parse(root.getAttribute("data-smx-config"));
    var inputs = readControls(root, config);
    var state = computeState(config, inputs.z, inputs.T);
    var target = config.target === null ? undefined : config.target;
    root.querySelector(".smx-view").innerHTML =
      svg(config.labels, state.p, target) + table(config.labels, state, target, config.show_naive, config.show_scaled);
    root.setAttribute("data-smx-state", JSON.stringify(state, function (k, v) {
      return (typeof v === "number" && !isFinite(v)) ? null : v;
    }));
  }

  function init() {
    document.querySelectorAll(".smx-explorer").forEach(function (root) {
      if (root.getAttribute("data-smx-live")) return;
      root.setAttribute("data-smx-live", "1");
      root.querySelectorAll("input[data-smx]").forEach(function (input) {
        input.addEventListener("input", function () {
          input.setAttribute("data-smx-moved", "1");
          update(root);
        });
      });
    });
  }

  window.softmaxExplorer = { softmax: softmax, naiveSoftmax: naiveSoftmax, update: update, init: init };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
