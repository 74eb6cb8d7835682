// Kernel-free trainer explorer: softmax regression trained by full-batch gradient descent.
// Mirrors softmax_book/trainer.py: initialState/step/retemper are TrainerExplorer's, and
// render() is render_trainer(), line for line; tests/site/test_trainer_explorer_page.py checks
// the weights (1e-9) and the markup (byte for byte).
(function () {
  "use strict";
  var ANNOUNCE_DELAY_MS = 300;
  // 50 steps a second, every one drawn: a loss that alternates from step to step (a step too
  // long) must not look constant because only every other step is shown.
  var TICK_MS = 20;
  var STEPS_PER_TICK = 1;
  var CLASSES = 3;

  function argmax(xs) {
    var k = 0;
    for (var i = 1; i < xs.length; i++) if (xs[i] > xs[k]) k = i;
    return k;
  }

  // z = (x W + b) / T for one input
  function logitsOf(x, W, b, T) {
    var z = [];
    for (var k = 0; k < CLASSES; k++) z.push((x[0] * W[0][k] + x[1] * W[1][k] + b[k]) / T);
    return z;
  }

  // evaluate(): mean cross-entropy at T (shifted: m - z_t + log sum exp(z - m)), arg-max accuracy
  function measure(X, t, W, b, T) {
    var loss = 0, right = 0;
    for (var n = 0; n < X.length; n++) {
      var z = logitsOf(X[n], W, b, T), j = argmax(z), m = z[j], s = 0;
      for (var k = 0; k < CLASSES; k++) s += Math.exp(z[k] - m);
      loss += (m - z[t[n]]) + Math.log(s);
      if (j === t[n]) right += 1;
    }
    return { loss: loss / X.length, acc: right / X.length };
  }

  function measured(config, state, W, b, T, keep) {
    var tr = measure(config.X_train, config.t_train, W, b, T);
    var te = measure(config.X_test, config.t_test, W, b, T);
    return {
      step: state ? state.step + (keep ? 0 : 1) : 0, W: W, b: b,
      train_losses: (state ? state.train_losses.slice(0, keep ? -1 : undefined) : []).concat([tr.loss]),
      test_losses: (state ? state.test_losses.slice(0, keep ? -1 : undefined) : []).concat([te.loss]),
      train_acc: tr.acc, test_acc: te.acc,
    };
  }

  function initialState(config, T) {
    return measured(config, null, [[0, 0, 0], [0, 0, 0]], [0, 0, 0], T, false);
  }

  // gradient_step(): G = (softmax(Z) - Y) / N, W <- W - eta (X^T G / T + lam W),
  // b <- b - eta (sum of G's rows) / T
  function step(config, state, eta, lam, T) {
    var X = config.X_train, t = config.t_train, N = X.length, W = state.W, b = state.b;
    var gW = [[0, 0, 0], [0, 0, 0]], gb = [0, 0, 0], n, k;
    for (n = 0; n < N; n++) {
      var z = logitsOf(X[n], W, b, T), m = z[argmax(z)], e = [], s = 0;
      for (k = 0; k < CLASSES; k++) { e.push(Math.exp(z[k] - m)); s += e[k]; }
      for (k = 0; k < CLASSES; k++) {
        var g = (e[k] / s - (k === t[n] ? 1 : 0)) / N;
        gW[0][k] += X[n][0] * g; gW[1][k] += X[n][1] * g; gb[k] += g;
      }
    }
    var W2 = [[], []], b2 = [];
    for (k = 0; k < CLASSES; k++) {
      for (var d = 0; d < 2; d++) W2[d].push(W[d][k] - eta * (gW[d][k] / T + lam * W[d][k]));
      b2.push(b[k] - eta * gb[k] / T);
    }
    return measured(config, state, W2, b2, T, false);
  }

  function retemper(config, state, T) {
    return measured(config, state, state.W, state.b, T, true);
  }

  function run(config, k, eta, lam, T) {
    var state = initialState(config, T);
    for (var i = 0; i < k; i++) state = step(config, state, eta, lam, T);
    return state;
  }

  function norm(W) {
    var total = 0;
    for (var d = 0; d < W.length; d++) for (var k = 0; k < W[d].length; k++) total += W[d][k] * W[d][k];
    return Math.sqrt(total);
  }

  // -- geometry, as trainer.py ------------------------------------------------------------------

  function clip(poly, a0, a1, c) {
    var out = [], n = poly.length;
    for (var i = 0; i < n; i++) {
      var p = poly[(i + n - 1) % n], q = poly[i], s;
      var fp = a0 * p[0] + a1 * p[1] + c;
      var fq = a0 * q[0] + a1 * q[1] + c;
      if (fq >= 0) {
        if (fp < 0) {
          s = fp / (fp - fq);
          out.push([p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1])]);
        }
        out.push([q[0], q[1]]);
      } else if (fp >= 0) {
        s = fp / (fp - fq);
        out.push([p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1])]);
      }
    }
    return out;
  }

  function regionPolygons(W, b, g) {
    var x0 = g.x_min, x1 = g.x_max, y0 = g.y_min, y1 = g.y_max, regions = [];
    for (var k = 0; k < CLASSES; k++) {
      var poly = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
      for (var j = 0; j < CLASSES; j++) {
        if (j === k || !poly.length) continue;
        var a0 = W[0][k] - W[0][j], a1 = W[1][k] - W[1][j], c = b[k] - b[j];
        if (a0 === 0 && a1 === 0) {
          if (!(c > 0 || (c === 0 && k < j))) poly = [];
          continue;
        }
        poly = clip(poly, a0, a1, c);
      }
      regions.push(poly);
    }
    return regions;
  }

  function triplePoint(W, b) {
    var a11 = W[0][0] - W[0][1], a12 = W[1][0] - W[1][1];
    var a21 = W[0][0] - W[0][2], a22 = W[1][0] - W[1][2];
    var r1 = b[1] - b[0], r2 = b[2] - b[0];
    var det = a11 * a22 - a12 * a21;
    if (det === 0) return null;
    return [(r1 * a22 - a12 * r2) / det, (a11 * r2 - r1 * a21) / det];
  }

  function boundarySegments(W, b, g) {
    var segments = [];
    [[0, 1], [0, 2], [1, 2]].forEach(function (pair) {
      var j = pair[0], k = pair[1], l = 3 - j - k;
      var a0 = W[0][j] - W[0][k], a1 = W[1][j] - W[1][k], c = b[j] - b[k];
      var aa = a0 * a0 + a1 * a1;
      if (aa === 0) return;
      var p0x = -c * a0 / aa, p0y = -c * a1 / aa, dx = -a1, dy = a0;
      var constraints = [
        [1.0, 0.0, -g.x_min], [-1.0, 0.0, g.x_max], [0.0, 1.0, -g.y_min], [0.0, -1.0, g.y_max],
        [W[0][j] - W[0][l], W[1][j] - W[1][l], b[j] - b[l]],
      ];
      var lo = -Infinity, hi = Infinity;
      constraints.forEach(function (u) {
        var g0 = u[0] * p0x + u[1] * p0y + u[2], gd = u[0] * dx + u[1] * dy;
        if (gd === 0) {
          if (g0 < 0) { lo = 1.0; hi = 0.0; }
        } else if (gd > 0) lo = Math.max(lo, -g0 / gd);
        else hi = Math.min(hi, -g0 / gd);
      });
      if (lo < hi) segments.push([j, k, [p0x + lo * dx, p0y + lo * dy], [p0x + hi * dx, p0y + hi * dy]]);
    });
    return segments;
  }

  // -- markup, as trainer.py --------------------------------------------------------------------

  // Python's f"{x:.{digits}f}", exact ties to even (as in softmax-explorer.js), except that a
  // value that rounds to zero has no sign (trainer.py's _fmt).
  var TIE = "5" + new Array(40).join("0");
  function fmt(x, digits) {
    if (digits === undefined) digits = 3;
    if (isNaN(x)) return "nan";
    var sign = (x < 0 || Object.is(x, -0)) ? "-" : "", a = Math.abs(x);
    var s = a.toFixed(digits);
    if (/[13579]$/.test(s) && a.toFixed(digits + 40).slice(-40) === TIE) {
      s = s.slice(0, -1) + String(Number(s.slice(-1)) - 1);
    }
    return /[1-9]/.test(s) ? sign + s : s;
  }

  function px(g, x) { return (x - g.x_min) * g.scale; }
  function py(g, y) { return (g.y_max - y) * g.scale; }

  function markers(g, points, labels, k) {
    var r = g.marker, parts = [];
    var r1 = fmt(r, 1), d1 = fmt(2 * r, 1), s1 = fmt(r + 0.4, 1), h1 = fmt(2 * r + 0.8, 1);
    for (var i = 0; i < points.length; i++) {
      if (labels[i] !== k) continue;
      var X = px(g, points[i][0]), Y = py(g, points[i][1]);
      if (k === 0) {
        parts.push("M" + fmt(X - r, 1) + " " + fmt(Y, 1) + "a" + r1 + " " + r1 + " 0 1 0 " + d1 +
          " 0a" + r1 + " " + r1 + " 0 1 0 -" + d1 + " 0z");
      } else if (k === 1) {
        parts.push("M" + fmt(X - r, 1) + " " + fmt(Y - r, 1) + "h" + d1 + "v" + d1 + "h-" + d1 + "z");
      } else {
        parts.push("M" + fmt(X, 1) + " " + fmt(Y - r - 0.6, 1) + "l" + s1 + " " + d1 + "h-" + h1 + "z");
      }
    }
    return parts.join("");
  }

  function plane(g, data, state) {
    var width = fmt((g.x_max - g.x_min) * g.scale, 0), height = fmt((g.y_max - g.y_min) * g.scale, 0);
    var W = state.W, b = state.b, k;
    var parts = ['<svg class="tr-plane" viewBox="0 0 ' + width + " " + height + '" width="' + width +
      '" height="' + height + '" role="img" aria-label="decision regions at step ' + state.step +
      ": training points filled, test points hollow; circles left, squares right, triangles " +
      'top">', '<rect class="tr-frame" x="0" y="0" width="' + width + '" height="' + height + '"/>'];
    regionPolygons(W, b, g).forEach(function (poly, k) {
      if (!poly.length) return;
      var d = poly.map(function (p) { return fmt(px(g, p[0]), 1) + " " + fmt(py(g, p[1]), 1); }).join("L");
      parts.push('<path class="tr-region tr-c' + k + '" d="M' + d + 'Z"/>');
    });
    boundarySegments(W, b, g).forEach(function (s) {
      parts.push('<line class="tr-bound" x1="' + fmt(px(g, s[2][0]), 1) + '" y1="' +
        fmt(py(g, s[2][1]), 1) + '" x2="' + fmt(px(g, s[3][0]), 1) + '" y2="' +
        fmt(py(g, s[3][1]), 1) + '"/>');
    });
    for (k = 0; k < CLASSES; k++) {
      parts.push('<path class="tr-pts tr-c' + k + '" d="' + markers(g, data.X_train, data.t_train, k) +
        '"/>' + '<path class="tr-pts tr-test tr-c' + k + '" d="' +
        markers(g, data.X_test, data.t_test, k) + '"/>');
    }
    var tp = triplePoint(W, b);
    if (tp !== null && g.x_min <= tp[0] && tp[0] <= g.x_max && g.y_min <= tp[1] && tp[1] <= g.y_max) {
      parts.push('<circle class="tr-triple" cx="' + fmt(px(g, tp[0]), 1) + '" cy="' +
        fmt(py(g, tp[1]), 1) + '" r="4.5"/>');
    }
    parts.push("</svg>");
    return parts.join("");
  }

  function level(levels, top) {
    for (var i = 0; i < levels.length; i++) if (top <= levels[i][0]) return levels[i];
    return levels[levels.length - 1];
  }

  // _curve_steps(): in each run of `stride` steps, its lowest and highest drawn point, then the
  // last step
  function curveSteps(heights, stride) {
    var last = heights.length - 1, steps = [];
    for (var start = 0; start <= last; start += stride) {
      var lo = start, hi = start;
      for (var i = start + 1; i < Math.min(start + stride, last + 1); i++) {
        if (heights[i] < heights[lo]) lo = i;
        if (heights[i] > heights[hi]) hi = i;
      }
      if (lo === hi) steps.push(lo);
      else steps.push(Math.min(lo, hi), Math.max(lo, hi));
    }
    if (steps[steps.length - 1] !== last) steps.push(last);
    return steps;
  }

  function curve(g, losses, xTop, yTop, cls) {
    var ys = losses.map(function (v) {
      return fmt(g.pad_top + g.plot_h * (1 - Math.min(v, yTop) / yTop), 1);
    });
    var stride = Math.max(1, Math.floor(xTop / g.curve_buckets));
    var pts = curveSteps(ys.map(parseFloat), stride).map(function (i) {
      return fmt(g.pad_left + g.plot_w * i / xTop, 1) + "," + ys[i];
    });
    var now = pts[pts.length - 1].split(",");
    return '<polyline class="tr-curve ' + cls + '" points="' + pts.join(" ") + '"/>' +
      '<circle class="tr-now ' + cls + '" cx="' + now[0] + '" cy="' + now[1] + '" r="2.5"/>';
  }

  function lossPanel(config, state) {
    var g = config.geometry, step = state.step, levels = config.step_levels;
    var xTop = levels[levels.length - 1];
    for (var i = 0; i < levels.length; i++) if (step <= levels[i]) { xTop = levels[i]; break; }
    var top = Math.max(Math.max.apply(null, state.train_losses), Math.max.apply(null, state.test_losses));
    var lv = level(config.loss_levels, top), yTop = lv[0];
    var left = g.pad_left, topY = g.pad_top, right = left + g.plot_w, base = topY + g.plot_h;
    var midX = left + g.plot_w / 2, midY = topY + g.plot_h / 2;
    var parts = ['<svg class="tr-loss" viewBox="0 0 ' + g.loss_w + " " + g.loss_h + '" width="' +
      g.loss_w + '" height="' + g.loss_h + '" role="img" aria-label="training loss (solid) and ' +
      "test loss (dashed) against step, steps 0 to " + step + '">'];
    [[topY, lv[1]], [midY, lv[2]], [base, "0"]].forEach(function (yl) {
      parts.push('<line class="tr-grid" x1="' + left + '" x2="' + right + '" y1="' + fmt(yl[0], 1) +
        '" y2="' + fmt(yl[0], 1) + '"/>' + '<text class="tr-tick tr-ytick" x="' + (left - 4) +
        '" y="' + fmt(yl[0] + 4, 1) + '">' + yl[1] + "</text>");
    });
    var log3 = Math.log(3);
    if (log3 <= yTop) {
      var y = topY + g.plot_h * (1 - log3 / yTop);
      parts.push('<line class="tr-log3" x1="' + left + '" x2="' + right + '" y1="' + fmt(y, 1) +
        '" y2="' + fmt(y, 1) + '"/>' + '<text class="tr-tick tr-rtick" x="' + right + '" y="' +
        fmt(y - 3, 1) + '">log 3</text>');
    }
    [[left, "0"], [midX, String(Math.floor(xTop / 2))], [right, String(xTop)]].forEach(function (xl) {
      parts.push('<text class="tr-tick" x="' + fmt(xl[0], 1) + '" y="' + (base + 14) + '">' + xl[1] +
        "</text>");
    });
    parts.push(curve(g, state.test_losses, xTop, yTop, "tr-test-curve") +
      curve(g, state.train_losses, xTop, yTop, "tr-train-curve") +
      '<text class="tr-axis" x="' + fmt(midX, 1) + '" y="' + (g.loss_h - 4) + '">step</text>' +
      '<text class="tr-axis tr-legend" x="' + (left + 4) + '" y="' + (topY - 8) + '">' +
      "loss: training (solid), test (dashed)</text></svg>");
    return parts.join("");
  }

  function table(state) {
    var rows = [
      ["step", "tr-step", String(state.step)],
      ["training loss", "tr-train-loss", fmt(state.train_losses[state.train_losses.length - 1], 4)],
      ["test loss", "tr-test-loss", fmt(state.test_losses[state.test_losses.length - 1], 4)],
      ["training accuracy", "tr-train-acc", fmt(state.train_acc, 3)],
      ["test accuracy", "tr-test-acc", fmt(state.test_acc, 3)],
      ["\u2016W\u2016 (Frobenius)", "tr-norm", fmt(norm(state.W), 3)],
    ];
    return '<table class="tr-table"><tbody>' + rows.map(function (r) {
      return '<tr><th scope="row">' + r[0] + '</th><td class="' + r[1] + '">' + r[2] + "</td></tr>";
    }).join("") + "</tbody></table>";
  }

  // render_trainer(state, data)
  function render(config, state) {
    return '<div class="tr-panels">' + plane(config.geometry, config, state) +
      lossPanel(config, state) + "</div>" + table(state);
  }

  function summary(state) {
    return "Step " + state.step + ": training loss " +
      fmt(state.train_losses[state.train_losses.length - 1], 4) + ", test loss " +
      fmt(state.test_losses[state.test_losses.length - 1], 4) + ", training accuracy " +
      fmt(state.train_acc, 3) + ", test accuracy " + fmt(state.test_acc, 3) + ", weight norm " +
      fmt(norm(state.W), 3);
  }

  // -- the page -------------------------------------------------------------------------------

  function fmtRate(x) { return x < 1 ? fmt(x, 3) : fmt(x, 2); }

  // A range input snaps its value to min + k * step, and the default (0.5, 1) or the top of the
  // range (2, 4) is rarely on that grid: the page's exact default is used until the reader moves
  // a slider, and the exact default or end whenever the slider is on the grid point nearest to
  // it (so "1.00" is T = 1, not 0.998, and "2.00" is eta = 2, not 1.995): TrainerExplorer.snapped.
  var SLIDERS = {
    "log10-learning-rate": { key: "learning_rate", log: true, show: fmtRate },
    "weight-decay": { key: "weight_decay", log: false, show: function (x) { return fmt(x, 3); } },
    "log10-temperature": { key: "temperature", log: true, show: function (x) { return fmt(x, 2); } },
  };

  function settings(root) {
    var config = root.trConfig, out = {};
    root.querySelectorAll("input[data-tr]").forEach(function (input) {
      var spec = SLIDERS[input.getAttribute("data-tr")];
      var v = parseFloat(input.value), step = parseFloat(input.step), d = config[spec.key];
      var r = config.ranges[spec.key], anchors = [d, r[0], r[1]];
      out[spec.key] = spec.log ? Math.pow(10, v) : v;
      if (!input.hasAttribute("data-tr-moved")) out[spec.key] = d;
      else {
        for (var i = 0; i < anchors.length; i++) {
          if (Math.abs(v - (spec.log ? Math.log10(anchors[i]) : anchors[i])) < step / 2) {
            out[spec.key] = anchors[i];
            break;
          }
        }
      }
    });
    return out;
  }

  function show(root) {
    root.querySelector(".tr-view").innerHTML = render(root.trConfig, root.trState);
    root.setAttribute("data-tr-state", JSON.stringify(root.trState));
    return root.trState;
  }

  function announce(root, text) {
    var region = root.querySelector(".tr-status");
    clearTimeout(root.trAnnounceTimer);
    root.trAnnounceTimer = setTimeout(function () { region.textContent = text; }, ANNOUNCE_DELAY_MS);
  }

  function setPlaying(root, on) {
    var button = root.querySelector("[data-tr-action=play]");
    if (on) {
      if (root.trTimer) return;
      if (root.trState.step >= root.trConfig.max_steps) return;
      root.trTimer = setInterval(function () { tick(root); }, TICK_MS);
      button.setAttribute("aria-pressed", "true");
      button.textContent = "Pause";
    } else {
      if (!root.trTimer) return;
      clearInterval(root.trTimer);
      root.trTimer = null;
      button.setAttribute("aria-pressed", "false");
      button.textContent = "Play";
      announce(root, "Paused. " + summary(root.trState));
    }
  }

  function advance(root, k) {
    var s = settings(root);
    for (var i = 0; i < k && root.trState.step < root.trConfig.max_steps; i++) {
      root.trState = step(root.trConfig, root.trState, s.learning_rate, s.weight_decay, s.temperature);
    }
    show(root);
  }

  function tick(root) {
    advance(root, STEPS_PER_TICK);
    if (root.trState.step >= root.trConfig.max_steps) {
      setPlaying(root, false);
      announce(root, "Stopped at the last step. " + summary(root.trState));
    }
  }

  function act(root, action) {
    if (action === "play") {
      if (!root.trTimer && root.trState.step >= root.trConfig.max_steps) {
        announce(root, "At the last step; reset to train again. " + summary(root.trState));
      }
      setPlaying(root, !root.trTimer);
      return;
    }
    setPlaying(root, false);
    if (action === "step") {
      if (root.trState.step >= root.trConfig.max_steps) {
        announce(root, "At the last step; reset to train again. " + summary(root.trState));
        return;
      }
      advance(root, 1);
      announce(root, summary(root.trState));
    } else if (action === "reset") {
      root.trState = initialState(root.trConfig, settings(root).temperature);
      show(root);
      announce(root, "Reset. " + summary(root.trState));
    }
  }

  function onSlider(root, input) {
    input.setAttribute("data-tr-moved", "1");
    var spec = SLIDERS[input.getAttribute("data-tr")], s = settings(root), value = s[spec.key];
    input.setAttribute("aria-valuetext", spec.show(value));
    input.parentNode.querySelector(".tr-out").textContent = spec.show(value);
    if (spec.key === "temperature") {
      root.trState = retemper(root.trConfig, root.trState, value);
      show(root);
    }
    if (!root.trTimer) announce(root, summary(root.trState));
  }

  // The state behind the static picture: the page's default steps, replayed.
  function update(root) {
    var config = root.trConfig || (root.trConfig = JSON.parse(root.getAttribute("data-tr-config")));
    if (!root.trState) {
      root.trState = run(config, config.steps, config.learning_rate, config.weight_decay, config.temperature);
    }
    return show(root);
  }

  function init() {
    document.querySelectorAll(".tr-explorer").forEach(function (root) {
      if (root.getAttribute("data-tr-live")) return;
      root.setAttribute("data-tr-live", "1");
      update(root);
      root.querySelectorAll("button[data-tr-action]").forEach(function (button) {
        button.addEventListener("click", function () { act(root, button.getAttribute("data-tr-action")); });
      });
      root.querySelectorAll("input[data-tr]").forEach(function (input) {
        input.addEventListener("input", function () { onSlider(root, input); });
      });
    });
  }

  window.trainerExplorer = {
    initialState: initialState, step: step, retemper: retemper, run: run, render: render,
    summary: summary, update: update, init: init, fmt: fmt, act: act,
    regionPolygons: regionPolygons, boundarySegments: boundarySegments, triplePoint: triplePoint,
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
