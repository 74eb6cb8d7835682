// Feel floating point, without a kernel: the textbook and the shifted softmax computed in the
// browser in float16, float32 or float64, every operation rounded to the format as numpy
// rounds it (softmax_book/float_explorer.py says how; tests/site/test_float_explorer.py
// compares with numpy). render() mirrors render_float_state() byte for byte.
(function () {
  "use strict";
  var ANNOUNCE_DELAY_MS = 300;
  var TIE = "5" + new Array(40).join("0");

  // numpy computes a float16 operation in float32 and rounds the result to float16.
  var ROUND = {
    float16: function (v) { return Math.f16round(Math.fround(v)); },
    float32: Math.fround,
    float64: function (v) { return v; },
  };

  // float_state(): the textbook and the shifted formula in the format, and the thresholds.
  function compute(fmt, logits, shift, info) {
    var r = ROUND[fmt], convert = fmt === "float16" ? Math.f16round : r; // a double, rounded once
    var z = logits.map(convert), c = convert(shift);
    var x = z.map(function (v) { return r(v + c); });
    var e = x.map(function (v) { return expIn(fmt, v); });
    var s = rowSum(fmt, e);
    var p = e.map(function (v) { return r(v / s); });
    var m = Math.max.apply(null, x);
    var ee = x.map(function (v) { return expIn(fmt, r(v - m)); });
    var ss = rowSum(fmt, ee);
    var q = ee.map(function (v) { return r(v / ss); });
    var outcome = e.some(function (v) { return v === Infinity; }) ? "nan"
      : s === Infinity ? "zeros" : s === 0 ? "underflow" : "ok";
    var lse = lse64(z), zmax = Math.max.apply(null, z);
    return {
      fmt: fmt, z: z, c: c, x: x, exp: e, sum: s, textbook: p, shifted_exp: ee, shifted_sum: ss,
      shifted: q, outcome: outcome, lse: lse, c_break: info.log_M - lse,
      c_nan: info.log_M - zmax, c_under: info.log_under - zmax,
    };
  }
  // float16 and float32: numpy's float32 kernel (float16 rounds its result); float64: Math.exp.
  function expIn(fmt, v) {
    return fmt === "float64" ? Math.exp(v) : fmt === "float32" ? expf(v) : Math.f16round(expf(v));
  }

  // numpy's float32 exp on x86-64 (simd_exp_FLOAT, AVX2 + FMA3; its SIMD kernel, not libm):
  // Cody-Waite reduction, a 5/2 rational approximation, scaling by 2^k. fma32 rounds a*b + c
  // once, as the FMA instruction does.
  var F32 = new Float32Array(1), I32 = new Int32Array(F32.buffer), f = Math.fround;
  function fma32(a, b, c) {
    var p = a * b, s = p + c, r = f(s); // a*b is exact in double; s rounds once more
    var bb = s - p, e = (p - (s - bb)) + (c - bb); // s + e == a*b + c exactly
    if (e === 0 || r === s || r === 0 || !isFinite(r)) return r;
    F32[0] = r; I32[0] += (r < s) === (r > 0) ? 1 : -1; // r's neighbour on s's other side
    var other = F32[0];
    if (r + other !== 2 * s) return r; // s is not halfway: rounding it was rounding a*b + c
    return (e > 0) === (other > r) ? other : r; // halfway: the exact value decides
  }
  var C1 = f(-6.93145752e-1), C2 = f(-1.42860677e-6), LOG2E = f(1.442695040888963407359924681001892137);
  var MAGIC = f(12582912), XMAX = f(88.72283935546875), XMIN = f(-103.97208404541015625);
  var P = [9.999999999980870924916e-01, 7.257664613233124478488e-01, 2.473615434895520810817e-01,
    5.114512081637298353406e-02, 6.757896990527504603057e-03, 5.082762527590693718096e-04].map(f);
  var Q = [1, -2.742335390411667452936e-01, 2.159509375685829852307e-02].map(f);
  function expf(x) {
    x = f(x);
    if (x !== x) return NaN;
    if (x >= XMAX) return Infinity;
    if (x <= XMIN) return 0;
    var k = f(f(f(x * LOG2E) + MAGIC) - MAGIC);
    var y = fma32(k, C2, fma32(k, C1, x));
    var num = fma32(fma32(fma32(fma32(fma32(P[5], y, P[4]), y, P[3]), y, P[2]), y, P[1]), y, P[0]);
    var poly = f(num / fma32(fma32(Q[2], y, Q[1]), y, Q[0]));
    if (k <= -125) return f(poly * Math.pow(2, -125) / Math.pow(2, -125 - k)); // subnormal
    return f(poly * Math.pow(2, k));
  }

  // numpy's sum of a row of at most 7: from the left; float16 is accumulated in float32 and
  // rounded once.
  function rowSum(fmt, xs) {
    var acc = 0, i;
    if (fmt === "float64") { for (i = 0; i < xs.length; i++) acc += xs[i]; return acc; }
    for (i = 0; i < xs.length; i++) acc = Math.fround(acc + xs[i]);
    return fmt === "float16" ? Math.f16round(acc) : acc;
  }

  // log(sum(exp(z))) in double: m + log1p(sum of exp(z_i - m) over i other than the first max).
  function lse64(z) {
    var k = 0, i, rest = 0;
    for (i = 1; i < z.length; i++) if (z[i] > z[k]) k = i;
    for (i = 0; i < z.length; i++) if (i !== k) rest += Math.exp(z[i] - z[k]);
    return z[k] + Math.log1p(rest);
  }

  // Python's f"{x:.{digits}f}" (ties to even; see softmax-explorer.js).
  function fmtF(x, digits) {
    if (isNaN(x)) return "nan";
    if (!isFinite(x)) return x > 0 ? "inf" : "-inf";
    var sign = (x < 0 || Object.is(x, -0)) ? "-" : "", a = Math.abs(x);
    var s = a.toFixed(digits);
    if (/[13579]$/.test(s) && a.toFixed(digits + 40).slice(-40) === TIE) {
      s = s.slice(0, -1) + String(Number(s.slice(-1)) - 1);
    }
    return sign + s;
  }

  // Python's format(x, ".{p}g"): p significant digits, ties to even, trailing zeros dropped,
  // exponent form (e+05) below 1e-4 and from 10**p on.
  var EXP_FORM = /^(\d)(?:\.(\d+))?e([+-]\d+)$/;
  function fmtG(x, p) {
    if (isNaN(x)) return "nan";
    if (!isFinite(x)) return x > 0 ? "inf" : "-inf";
    var sign = (x < 0 || Object.is(x, -0)) ? "-" : "", a = Math.abs(x);
    if (a === 0) return sign + "0";
    var m = EXP_FORM.exec(a.toExponential(p - 1));
    var d = m[1] + (m[2] || ""), X = parseInt(m[3], 10);
    var long = EXP_FORM.exec(a.toExponential(p - 1 + 40));
    var all = long[1] + (long[2] || "");
    if (all.slice(p) === TIE && /[02468]/.test(all.charAt(p - 1))) { // a tie: keep the even
      d = all.slice(0, p); X = parseInt(long[3], 10);
    }
    var out, frac;
    if (X >= -4 && X < p) {
      var intPart = X >= 0 ? d.slice(0, X + 1) : "0";
      frac = X >= 0 ? d.slice(X + 1) : new Array(-X).join("0") + d;
      frac = frac.replace(/0+$/, "");
      out = intPart + (frac ? "." + frac : "");
    } else {
      frac = d.slice(1).replace(/0+$/, "");
      var ax = Math.abs(X);
      out = d.charAt(0) + (frac ? "." + frac : "") + "e" + (X < 0 ? "-" : "+") +
        (ax < 10 ? "0" : "") + ax;
    }
    return sign + out;
  }

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  var OUTCOMES = { ok: "right", zeros: "all zeros", nan: "nan", underflow: "0/0 = nan" };

  var KINDS = ["underflow", "ok", "zeros", "nan"];
  var BAND_LABELS = { underflow: "0/0", ok: "right", zeros: "zeros", nan: "nan" };

  function scale(g, lo, hi) {
    var x0 = g.pad, x1 = g.width - g.pad;
    return function (c) { return x0 + (x1 - x0) * (Math.min(Math.max(c, lo), hi) - lo) / (hi - lo); };
  }

  // _line(): one number line of c from lo to hi at height top.
  function line(g, state, lo, hi, top, tick) {
    var X = scale(g, lo, hi), band = g.band, parts = [];
    var edges = [lo, state.c_under, state.c_break, state.c_nan, hi];
    KINDS.forEach(function (kind, i) {
      var xa = X(edges[i]), xb = X(edges[i + 1]);
      if (xb <= xa) return;
      var w = Math.max(xb - xa, g.min_band);
      parts.push('<rect class="fpx-band fpx-' + kind + '" x="' + fmtF(xa, 1) + '" y="' + top +
        '" width="' + fmtF(w, 1) + '" height="' + band + '"/>');
      if (w >= 44) {
        parts.push('<text class="fpx-band-label" x="' + fmtF(xa + w / 2, 1) + '" y="' +
          (top + Math.floor(band / 2) + 4) + '">' + BAND_LABELS[kind] + "</text>");
      }
    });
    if (lo <= state.c && state.c <= hi) {
      var xc = fmtF(X(state.c), 1);
      parts.push('<line class="fpx-marker" x1="' + xc + '" x2="' + xc + '" y1="' + (top - 5) +
        '" y2="' + (top + band + 3) + '"/>' + '<text class="fpx-marker-label" x="' + xc +
        '" y="' + (top - 7) + '">c</text>');
    }
    [[lo, "start"], [hi, "end"]].forEach(function (t) {
      parts.push('<text class="fpx-tick" x="' + fmtF(X(t[0]), 1) + '" y="' + (top + band + 14) +
        '" text-anchor="' + t[1] + '">' + tick(t[0]) + "</text>");
    });
    return parts.join("");
  }

  function strip(g, info, state) {
    var lo = info.lo, hi = info.hi, zlo = state.c_break - 1, zhi = state.c_nan + 1;
    var X = scale(g, lo, hi), top = g.top, ztop = g.zoom_top, x0 = g.pad, x1 = g.width - g.pad;
    return '<svg class="fpx-svg" viewBox="0 0 ' + g.width + " " + g.height + '" width="' +
      g.width + '" height="' + g.height + '" role="img" aria-label="number lines of the shift ' +
      "c, the second magnified near overflow: where the textbook formula is right, returns " +
      'zeros, and returns nan">' +
      line(g, state, lo, hi, top, function (v) { return fmtG(v, 4); }) +
      '<path class="fpx-zoom" d="M' + fmtF(X(zlo), 1) + " " + (top + g.band) + " L" + x0 + " " +
      (ztop - 14) + " M" + fmtF(X(zhi), 1) + " " + (top + g.band) + " L" + x1 + " " +
      (ztop - 14) + '"/>' + '<text class="fpx-tick" x="' + Math.floor(g.width / 2) + '" y="' +
      (ztop - 30) + '">magnified near overflow</text>' +
      line(g, state, zlo, zhi, ztop, function (v) { return fmtF(v, 2); }) + "</svg>";
  }

  function verdict(labels, state) {
    var why, o = state.outcome;
    if (o === "ok") why = "every exp(z + c) and their sum are finite and the sum is not 0.";
    else if (o === "zeros") {
      why = "every exp(z + c) is finite, but their <b>sum overflows</b> to inf, " +
        "and a finite number divided by inf is 0. No nan warns you.";
    } else if (o === "nan") {
      var big = labels.filter(function (l, i) { return state.exp[i] === Infinity; }).map(esc);
      why = "<b>exp overflows</b> to inf for " + big.join(", ") + ", the sum is inf, and " +
        "inf / inf = nan.";
    } else why = "<b>every exp(z + c) underflows</b> to 0, so the sum is 0, and 0 / 0 = nan.";
    return '<p class="fpx-verdict fpx-is-' + o + '">Textbook formula: <strong>' + OUTCOMES[o] +
      "</strong>: " + why + " The shifted formula is right.</p>";
  }

  function leftSum(xs) { var t = 0; for (var i = 0; i < xs.length; i++) t += xs[i]; return t; }

  function table(labels, state) {
    var head = '<tr><th scope="col">class</th><th scope="col">z + c</th>' +
      '<th scope="col">exp(z + c)</th><th scope="col">textbook</th>' +
      '<th scope="col">shifted</th></tr>';
    var rows = labels.map(function (label, i) {
      return "<tr><td>" + esc(label) + "</td><td>" + fmtG(state.x[i], 6) + "</td><td>" +
        fmtG(state.exp[i], 4) + '</td><td class="fpx-textbook">' + fmtG(state.textbook[i], 4) +
        '</td><td class="fpx-shifted">' + fmtG(state.shifted[i], 4) + "</td></tr>";
    }).join("");
    var foot = '<tr class="fpx-sum"><td>sum</td><td></td><td class="fpx-expsum">' +
      fmtG(state.sum, 4) + "</td><td>" + fmtG(leftSum(state.textbook), 4) + "</td><td>" +
      fmtG(leftSum(state.shifted), 4) + "</td></tr>";
    return '<div class="fpx-scroll"><table class="fpx-table"><thead>' + head + "</thead><tbody>" +
      rows + foot + "</tbody></table></div>";
  }

  function thresholds(info, state) {
    return '<p class="fpx-thresholds">' + state.fmt + ": M = " + info.M_txt + ", log M = " +
      fmtF(info.log_M, 2) + "; exp(x) is 0 for x ≤ " + fmtF(info.log_under, 2) +
      ". For these logits LSE(z) = " + fmtF(state.lse, 2) + ", so the textbook formula " +
      "returns zeros above c<sub>break</sub> = log M − LSE(z) = " + fmtF(state.c_break, 2) +
      ", nan above log M − max z = " + fmtF(state.c_nan, 2) + ", and 0/0 at or below " +
      fmtF(state.c_under, 2) + ".</p>";
  }

  function render(config, state) {
    var info = config.formats[state.fmt];
    return strip(config.geometry, info, state) + verdict(config.labels, state) +
      table(config.labels, state) + thresholds(info, state);
  }


  function summary(config, state) {
    var probs = config.labels.map(function (l, i) { return l + " " + fmtF(state.shifted[i], 2); });
    return state.fmt + ", c = " + fmtG(state.c, 4) + ": textbook formula " +
      OUTCOMES[state.outcome] + "; shifted " + probs.join(", ");
  }

  // The controls' values. Until the reader moves one, the exact default from the page is used
  // (a range input snaps its value to its step).
  function readControls(root, config) {
    var fmt = root.querySelector("select[data-fpx]").value;
    var z = config.logits.slice(), shift = config.shift;
    root.querySelectorAll("input[data-fpx][data-fpx-moved]").forEach(function (input) {
      var name = input.getAttribute("data-fpx"), v = parseFloat(input.value);
      if (!isFinite(v)) return;
      if (name.indexOf("logit-") === 0) z[parseInt(name.slice(6), 10)] = v;
      else if (name === "shift" || name === "shift-typed") shift = v;
    });
    var info = config.formats[fmt];
    return { z: z, shift: Math.min(Math.max(shift, info.lo), info.hi), fmt: fmt };
  }

  function showControls(root, state, inputs) {
    root.querySelectorAll("input[type=range][data-fpx]").forEach(function (input) {
      var name = input.getAttribute("data-fpx");
      var shown = name === "shift" ? fmtG(state.c, 4)
        : fmtF(inputs.z[parseInt(name.slice(6), 10)], 2);
      input.setAttribute("aria-valuetext", shown);
      var out = input.parentNode.querySelector(".fpx-out");
      if (out) out.textContent = shown;
    });
  }

  function update(root) {
    var config = JSON.parse(root.getAttribute("data-fpx-config"));
    var inputs = readControls(root, config);
    var state = compute(inputs.fmt, inputs.z, inputs.shift, config.formats[inputs.fmt]);
    showControls(root, state, inputs);
    root.querySelector(".fpx-view").innerHTML = render(config, state);
    root.setAttribute("data-fpx-state", JSON.stringify(state, function (k, v) {
      if (typeof v !== "number" || isFinite(v)) return v;
      return isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    }));
    return state;
  }

  function announce(root, text) {
    var region = root.querySelector(".fpx-status");
    clearTimeout(root.fpxAnnounceTimer);
    root.fpxAnnounceTimer = setTimeout(function () { region.textContent = text; },
      ANNOUNCE_DELAY_MS);
  }

  function init() {
    document.querySelectorAll(".fpx-explorer").forEach(function (root) {
      if (root.getAttribute("data-fpx-live")) return;
      root.setAttribute("data-fpx-live", "1");
      var config = JSON.parse(root.getAttribute("data-fpx-config"));
      var slider = root.querySelector('input[data-fpx="shift"]');
      var typed = root.querySelector('input[data-fpx="shift-typed"]');
      function changed() { announce(root, summary(config, update(root))); }
      root.querySelectorAll("input[data-fpx]").forEach(function (input) {
        input.addEventListener("input", function () {
          var name = input.getAttribute("data-fpx");
          if (name === "shift") { typed.value = input.value; typed.setAttribute("data-fpx-moved", "1"); }
          if (name === "shift-typed") {
            if (!isFinite(parseFloat(input.value))) return; // half-typed: wait
            slider.value = input.value; slider.setAttribute("data-fpx-moved", "1");
          }
          input.setAttribute("data-fpx-moved", "1");
          changed();
        });
      });
      // A new format brings its own shift range and step; c is kept, clamped into the range.
      root.querySelector("select[data-fpx]").addEventListener("change", function (ev) {
        var info = config.formats[ev.target.value], c = readControls(root, config).shift;
        c = Math.min(Math.max(c, info.lo), info.hi);
        [slider, typed].forEach(function (input) {
          input.min = info.lo; input.max = info.hi;
          input.setAttribute("data-fpx-moved", "1");
        });
        slider.step = info.step;
        slider.value = c; typed.value = String(c);
        changed();
      });
    });
  }

  window.floatExplorer = {
    compute: function (formats, fmt, logits, shift) {
      return compute(fmt, logits, shift, formats[fmt]);
    },
    exp: expIn, rowSum: rowSum, round: function (fmt, v) { return ROUND[fmt](v); }, fmtG: fmtG, fmtF: fmtF, render: render, summary: summary, update: update,
    init: init,
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
