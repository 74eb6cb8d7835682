// Kernel-free calibration explorer: a temperature slider over stored test logits.
// Mirrors softmax_book/calibration.py: computeState() is calibration_state() and render() is
// render_calibration(), line for line; tests/site/test_calibration_explorer.py checks both.
(function () {
  "use strict";
  var ANNOUNCE_DELAY_MS = 300;

  function argmax(xs) {
    var k = 0;
    for (var i = 1; i < xs.length; i++) if (xs[i] > xs[k]) k = i;
    return k;
  }

  // One row at temperature T, as softmax_lib: top probability 1 / sum(exp((z - m) / T)), and
  // the cross-entropy of s = z / T for class k, (m' - s_k) + log1p(sum over i != argmax).
  function row(z, T, k) {
    var s = z.map(function (v) { return v / T; });
    var j = argmax(s), m = s[j], rest = 0;
    for (var i = 0; i < s.length; i++) if (i !== j) rest += Math.exp(s[i] - m);
    return { conf: 1 / (1 + rest), loss: (m - s[k]) + Math.log1p(rest) };
  }

  // calibration_state(logits, labels, T, bins)
  function computeState(config, T) {
    var z = config.logits, t = config.labels, bins = config.bins, n = t.length;
    var count = [], right = [], confSum = [], k, i;
    for (k = 0; k < bins; k++) { count.push(0); right.push(0); confSum.push([]); }
    var nRight = 0, confs = [], losses = [];
    for (i = 0; i < n; i++) {
      var r = row(z[i], T, t[i]), ok = argmax(z[i]) === t[i] ? 1 : 0;
      var b = Math.min(Math.floor(r.conf * bins), bins - 1);
      count[b] += 1; right[b] += ok; confSum[b].push(r.conf);
      nRight += ok; confs.push(r.conf); losses.push(r.loss);
    }
    var perBin = [], ece = 0;
    for (k = 0; k < bins; k++) {
      if (count[k] === 0) { perBin.push({ count: 0, accuracy: null, confidence: null }); continue; }
      var acc = right[k] / count[k], conf = pairwiseSum(confSum[k]) / count[k];
      perBin.push({ count: count[k], accuracy: acc, confidence: conf });
      ece += count[k] / n * Math.abs(acc - conf);
    }
    return {
      T: T, accuracy: nRight / n, confidence: pairwiseSum(confs) / n, ece: ece,
      nll: pairwiseSum(losses) / n, bins: perBin,
    };
  }

  // numpy's sum: blocks of 8 partial sums below 128 entries, halves above.
  function pairwiseSum(xs) { return pw(xs, 0, xs.length); }
  function pw(a, lo, n) {
    var i, res;
    if (n < 8) { res = 0; for (i = lo; i < lo + n; i++) res += a[i]; return res; }
    if (n <= 128) {
      var r = [a[lo], a[lo + 1], a[lo + 2], a[lo + 3], a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]];
      for (i = 8; i < n - (n % 8); i += 8) {
        for (var j = 0; j < 8; j++) r[j] += a[lo + i + j];
      }
      res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) res += a[lo + i];
      return res;
    }
    var n2 = Math.floor(n / 2);
    n2 -= n2 % 8;
    return pw(a, lo, n2) + pw(a, lo + n2, n - n2);
  }

  // Python's f"{x:.{digits}f}", exact ties to even (as in softmax-explorer.js).
  var TIE = "5" + new Array(40).join("0");
  function fmt(x, digits) {
    if (digits === undefined) digits = 3;
    if (x === null || isNaN(x)) return "nan";
    var sign = (x < 0 || Object.is(x, -0)) ? "-" : "", a = Math.abs(x);
    var s = a.toFixed(digits);
    if (/[13579]$/.test(s) && a.toFixed(digits + 40).slice(-40) === TIE) {
      s = s.slice(0, -1) + String(Number(s.slice(-1)) - 1);
    }
    return sign + s;
  }

  // render_calibration(state, bins, n)
  function svg(g, state, n) {
    var width = g.width, height = g.height, gap = g.gap;
    var left = g.pad_left, right = g.width - g.pad_right;
    var plotW = right - left, plotH = g.plot_h, top = g.plot_top, base = top + plotH;
    var stripBase = g.strip_top + g.strip_h, cells = state.bins, slot = plotW / cells.length;
    var parts = ['<svg class="cal-svg" viewBox="0 0 ' + width + " " + height + '" width="' +
      width + '" height="' + height + '" role="img" aria-label="reliability diagram: ' +
      "accuracy against confidence in " + cells.length + ' bins, with the share of examples ' +
      'in each bin below">'];
    [0.0, 0.5, 1.0].forEach(function (tick) {
      var y = top + plotH * (1 - tick), x = left + plotW * tick;
      parts.push('<line class="cal-grid" x1="' + left + '" x2="' + right + '" y1="' + fmt(y, 1) +
        '" y2="' + fmt(y, 1) + '"/>' + '<text class="cal-tick cal-ytick" x="' + (left - gap) +
        '" y="' + fmt(y + gap, 1) + '">' + tick.toFixed(1) + "</text>" +
        '<text class="cal-tick" x="' + fmt(x, 1) + '" y="' + (stripBase + 14) + '">' +
        tick.toFixed(1) + "</text>");
    });
    parts.push('<line class="cal-diag" x1="' + left + '" y1="' + base + '" x2="' + right +
      '" y2="' + top + '"/>' + '<line class="cal-grid" x1="' + left + '" x2="' + right +
      '" y1="' + stripBase + '" y2="' + stripBase + '"/>');
    cells.forEach(function (cell, k) {
      if (cell.count === 0) return;
      var x = left + slot * k + g.bar_gap, w = slot - 2 * g.bar_gap;
      var accY = base - plotH * cell.accuracy, confY = base - plotH * cell.confidence;
      var shareH = g.strip_h * cell.count / n;
      parts.push('<rect class="cal-bar" x="' + fmt(x, 1) + '" y="' + fmt(accY, 1) + '" width="' +
        fmt(w, 1) + '" height="' + fmt(base - accY, 1) + '"/>' +
        '<rect class="cal-gap" x="' + fmt(x, 1) + '" y="' + fmt(Math.min(accY, confY), 1) +
        '" width="' + fmt(w, 1) + '" height="' + fmt(Math.abs(accY - confY), 1) + '"/>' +
        '<rect class="cal-count" x="' + fmt(x, 1) + '" y="' + fmt(stripBase - shareH, 1) +
        '" width="' + fmt(w, 1) + '" height="' + fmt(shareH, 1) + '"/>');
    });
    parts.push('<text class="cal-axis" x="' + fmt(left + plotW / 2, 1) + '" y="' + (height - 4) +
      '">confidence (top probability)</text>' +
      '<text class="cal-axis" transform="rotate(-90)" x="' + fmt(-(top + plotH / 2), 1) +
      '" y="' + gap * 3 + '">accuracy</text>' +
      '<text class="cal-tick cal-ytick" x="' + (left - gap) + '" y="' + stripBase +
      '">share</text></svg>');
    return parts.join("");
  }

  function table(state, bins) {
    var rows = [
      ["temperature T", "cal-T", fmt(state.T, 2)],
      ["accuracy (any T)", "cal-acc", fmt(state.accuracy, 3)],
      ["mean confidence", "cal-conf", fmt(state.confidence, 3)],
      ["ECE (" + bins + " equal-width bins)", "cal-ece", fmt(state.ece, 4)],
      ["NLL (nats per example)", "cal-nll", fmt(state.nll, 4)],
    ];
    return '<table class="cal-table"><tbody>' + rows.map(function (r) {
      return '<tr><th scope="row">' + r[0] + '</th><td class="' + r[1] + '">' + r[2] + "</td></tr>";
    }).join("") + "</tbody></table>";
  }

  function render(config, state) {
    return svg(config.geometry, state, config.labels.length) + table(state, config.bins);
  }

  function summary(state) {
    return "T " + fmt(state.T, 2) + ": ECE " + fmt(state.ece, 4) + ", NLL " + fmt(state.nll, 4) +
      ", mean confidence " + fmt(state.confidence, 3) + ", accuracy " + fmt(state.accuracy, 3);
  }

  // Until the reader moves the slider, the page's exact temperature is used (a range input
  // snaps its value to min + k * step).
  function temperatureOf(root, config) {
    var input = root.querySelector("input[data-cal][data-cal-moved]");
    return input ? Math.pow(10, parseFloat(input.value)) : config.temperature;
  }

  function update(root) {
    var config = root.calConfig || (root.calConfig = JSON.parse(root.getAttribute("data-cal-config")));
    var T = temperatureOf(root, config);
    var state = computeState(config, T);
    var input = root.querySelector("input[data-cal][data-cal-moved]");
    if (input) {
      input.setAttribute("aria-valuetext", fmt(T, 2));
      input.parentNode.querySelector(".cal-out").textContent = fmt(T, 2);
    }
    root.querySelector(".cal-view").innerHTML = render(config, state);
    root.setAttribute("data-cal-state", JSON.stringify(state));
    return state;
  }

  function announce(root, text) {
    var region = root.querySelector(".cal-status");
    clearTimeout(root.calAnnounceTimer);
    root.calAnnounceTimer = setTimeout(function () { region.textContent = text; },
      ANNOUNCE_DELAY_MS);
  }

  function init() {
    document.querySelectorAll(".cal-explorer").forEach(function (root) {
      if (root.getAttribute("data-cal-live")) return;
      root.setAttribute("data-cal-live", "1");
      root.querySelectorAll("input[data-cal]").forEach(function (input) {
        input.addEventListener("input", function () {
          input.setAttribute("data-cal-moved", "1");
          announce(root, summary(update(root)));
        });
      });
    });
  }

  window.calibrationExplorer = {
    computeState: computeState, render: render, summary: summary, update: update, init: init,
    fmt: fmt, pairwiseSum: pairwiseSum,
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
