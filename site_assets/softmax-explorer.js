// Kernel-free explorers: recompute softmax in the browser when a reader moves a slider.
// The markup is produced by softmax_book/explorer.py (the static default) and redrawn here by
// the same recipe: render() mirrors render_state() and reads the figure geometry from the
// explorer's config; softmax() and crossEntropy() mirror softmax_lib. tests/site checks that
// the numbers agree with softmax_lib and that the markup is byte for byte Python's.
(function () {
  "use strict";
  var ANNOUNCE_DELAY_MS = 300; // one announcement per pause, not one per step of a drag

  function sum(xs) { return xs.reduce(function (a, b) { return a + b; }, 0); }

  function argmax(xs) {
    var k = 0;
    for (var i = 1; i < xs.length; i++) if (xs[i] > xs[k]) k = i;
    return k;
  }

  // As softmax_lib.softmax(z, temperature=T): shift by the max, divide by T, exponentiate,
  // divide by the sum.
  function softmax(z, T) {
    var m = Math.max.apply(null, z);
    var e = z.map(function (v) { return Math.exp((v - m) / T); });
    var s = sum(e);
    return e.map(function (v) { return v / s; });
  }

  function naiveSoftmax(z, T) {
    // The textbook formula, overflow and all: exp(710) is Infinity and Infinity/Infinity NaN.
    var e = z.map(function (v) { return Math.exp(v / T); });
    var s = sum(e);
    return e.map(function (v) { return v / s; });
  }

  // As softmax_lib.cross_entropy(s, k) on s = z / T: LSE(s) - s_k, shifted by the max m,
  //   (m - s_k) + log1p(sum of exp(s_i - m) over i other than the max),
  // so that a near-certain right answer keeps its tiny loss (log(1 + tiny) would round to 0).
  function crossEntropy(z, T, k) {
    var s = z.map(function (v) { return v / T; });
    var j = argmax(s), m = s[j];
    var rest = sum(s.map(function (v, i) { return i === j ? 0 : Math.exp(v - m); }));
    return (m - s[k]) + Math.log1p(rest);
  }

  // Python's f"{x:.{digits}f}". toFixed rounds an exact tie away from zero, Python to even;
  // a double exactly halfway at `digits` places has digits + 1 of them, so the next 40 places
  // ("5" then zeros) tell a true tie from a near one.
  var TIE = "5" + new Array(40).join("0");
  function fmt(x, digits) {
    if (digits === undefined) digits = 3;
    if (x === null || isNaN(x)) return "nan";
    if (!isFinite(x)) return x > 0 ? "inf" : "-inf";
    var sign = (x < 0 || Object.is(x, -0)) ? "-" : "", a = Math.abs(x);
    var s = a.toFixed(digits);
    if (/[13579]$/.test(s) && a.toFixed(digits + 40).slice(-40) === TIE) {
      s = s.slice(0, -1) + String(Number(s.slice(-1)) - 1);
    }
    return sign + s;
  }

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  function svg(g, labels, p, target) {
    var width = g.width, height = g.height, gap = g.gap, right = width - g.pad_right;
    var plotW = right - g.pad_left, plotH = height - g.pad_top - g.pad_bottom;
    var base = g.pad_top + plotH, slot = plotW / p.length;
    var parts = ['<svg class="smx-svg" viewBox="0 0 ' + width + " " + height + '" width="' + width +
      '" height="' + height + '" role="img" aria-label="bar chart of the softmax probabilities">'];
    [0.0, 0.5, 1.0].forEach(function (tick) {
      var y = g.pad_top + plotH * (1 - tick);
      parts.push('<line class="smx-grid" x1="' + g.pad_left + '" x2="' + right + '" ' +
        'y1="' + fmt(y, 1) + '" y2="' + fmt(y, 1) + '"/>' +
        '<text class="smx-tick" x="' + (g.pad_left - gap) + '" y="' + fmt(y + gap, 1) + '">' +
        tick.toFixed(1) + "</text>");
    });
    labels.forEach(function (label, i) {
      var pi = p[i], h = (pi === null || isNaN(pi)) ? 0 : plotH * pi;
      var x = g.pad_left + slot * i + slot * (1 - g.bar) / 2;
      var mid = fmt(x + slot * g.bar / 2, 1);
      var mark = i === target ? " smx-target" : "";
      parts.push('<rect class="smx-bar' + mark + '" x="' + fmt(x, 1) + '" y="' + fmt(base - h, 1) +
        '" width="' + fmt(slot * g.bar, 1) + '" height="' + fmt(h, 1) + '"/>' +
        '<text class="smx-value" x="' + mid + '" y="' + fmt(base - h - gap, 1) + '">' + fmt(pi) +
        "</text>" + '<text class="smx-label' + mark + '" x="' + mid + '" y="' +
        (height - g.label_y) + '">' + esc(label) + "</text>");
    });
    parts.push("</svg>");
    return parts.join("");
  }

  function table(labels, state, target, showNaive, showScaled) {
    var cols = ["class", "logit z"].concat(showScaled ? ["z / T"] : [], ["softmax"],
      showNaive ? ["naive exp(z)/Σexp(z)"] : []);
    var head = "<tr>" + cols.map(function (c) { return '<th scope="col">' + c + "</th>"; })
      .join("") + "</tr>";
    var rows = labels.map(function (label, i) {
      var z = state.z[i], cls = i === target ? ' class="smx-target"' : "";
      var row = "<tr" + cls + "><td>" + esc(label) + "</td><td>" + fmt(z, 2) + "</td>";
      row += showScaled ? "<td>" + fmt(z / state.T, 2) + "</td>" : "";
      row += '<td class="smx-p">' + fmt(state.p[i]) + "</td>";
      row += showNaive ? '<td class="smx-naive">' + fmt(state.naive[i]) + "</td>" : "";
      return row + "</tr>";
    });
    var naive = state.naive.map(function (v) { return v === null ? NaN : v; });
    var foot = '<tr class="smx-sum"><td>sum</td><td></td>' + (showScaled ? "<td></td>" : "");
    foot += "<td>" + fmt(sum(state.p)) + "</td>";
    foot += showNaive ? "<td>" + fmt(sum(naive)) + "</td></tr>" : "</tr>";
    var body = rows.join("") + foot;
    var out = '<table class="smx-table"><thead>' + head + "</thead><tbody>" + body +
      "</tbody></table>";
    if (state.loss !== undefined) {
      out += '<p class="smx-loss">cross-entropy with true class ' +
        "<b>" + esc(labels[target]) + "</b>: " +
        '−log p = <span class="smx-loss-value">' + fmt(state.loss, 4) + "</span></p>";
    }
    return out;
  }

  function targetOf(config) {
    return (config.target === null || config.target === undefined) ? undefined : config.target;
  }

  // render_state(labels, state, target, show_naive, show_scaled), from the explorer's config.
  function render(config, state) {
    var target = targetOf(config);
    return svg(config.geometry, config.labels, state.p, target) +
      table(config.labels, state, target, config.show_naive, config.show_scaled);
  }

  // explorer_state(logits, T, shift, target) for logits already shifted.
  function computeState(config, z, T) {
    var state = { z: z, T: T, p: softmax(z, T), naive: naiveSoftmax(z, T) };
    var target = targetOf(config);
    if (target !== undefined) state.loss = crossEntropy(z, T, target);
    return state;
  }

  // The one sentence a screen reader hears after a change: "dog 0.66, cat 0.24, ...".
  function summary(config, state) {
    var parts = config.labels.map(function (label, i) { return label + " " + fmt(state.p[i], 2); });
    var text = parts.join(", ");
    if (state.loss !== undefined) text += "; cross-entropy " + fmt(state.loss, 2);
    return text;
  }

  // The controls' values, with no side effects. A range input snaps its value to
  // min + k * step, so until the reader moves a slider the exact value from the page (the one
  // the kernel computed with) is used, not the snapped one.
  function readControls(root, config) {
    var z = config.logits.slice(), T = config.temperature, shift = 0;
    root.querySelectorAll("input[data-smx][data-smx-moved]").forEach(function (input) {
      var name = input.getAttribute("data-smx"), v = parseFloat(input.value);
      if (name.indexOf("logit-") === 0) z[parseInt(name.slice(6), 10)] = v;
      else if (name === "log10-temperature") T = Math.pow(10, v);
      else if (name === "shift") shift = v;
    });
    return { z: z.map(function (v) { return v + shift; }), T: T, shift: shift };
  }

  // What each moved slider shows next to it and tells assistive technology.
  function showControls(root, inputs) {
    root.querySelectorAll("input[data-smx][data-smx-moved]").forEach(function (input) {
      var name = input.getAttribute("data-smx"), v = parseFloat(input.value);
      var shown = name === "log10-temperature" ? fmt(inputs.T, 2)
        : name === "shift" ? fmt(v, 0) : fmt(v, 2);
      input.setAttribute("aria-valuetext", shown);
      var out = input.parentNode.querySelector(".smx-out");
      if (out) out.textContent = shown;
    });
  }

  function announce(root, text) {
    var region = root.querySelector(".smx-status");
    if (!region) return;
    clearTimeout(root.smxAnnounceTimer);
    root.smxAnnounceTimer = setTimeout(function () { region.textContent = text; },
      ANNOUNCE_DELAY_MS);
  }

  function update(root) {
    var config = JSON.parse(root.getAttribute("data-smx-config"));
    var inputs = readControls(root, config);
    var state = computeState(config, inputs.z, inputs.T);
    showControls(root, inputs);
    root.querySelector(".smx-view").innerHTML = render(config, state);
    root.setAttribute("data-smx-state", JSON.stringify(state, function (k, v) {
      return (typeof v === "number" && !isFinite(v)) ? null : v;
    }));
    return state;
  }

  function init() {
    document.querySelectorAll(".smx-explorer").forEach(function (root) {
      if (root.getAttribute("data-smx-live")) return;
      root.setAttribute("data-smx-live", "1");
      var config = JSON.parse(root.getAttribute("data-smx-config"));
      root.querySelectorAll("input[data-smx]").forEach(function (input) {
        input.addEventListener("input", function () {
          input.setAttribute("data-smx-moved", "1");
          announce(root, summary(config, update(root)));
        });
      });
    });
  }

  window.softmaxExplorer = {
    softmax: softmax, naiveSoftmax: naiveSoftmax, crossEntropy: crossEntropy, fmt: fmt,
    computeState: computeState, render: render, summary: summary, update: update, init: init,
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
