// Display maths wider than the column scrolls inside its own box. A box that scrolls must be
// reachable from the keyboard (WCAG 2.1.1, axe "scrollable-region-focusable"): give each such
// box a tab stop, and take it away again when a wider window makes the scrolling go away.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll('mjx-container[display="true"]').forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }
  function start() {
    var mj = window.MathJax;
    if (!mj || !mj.startup || !mj.startup.promise) return;
    // Once typeset, and again once the maths fonts are in (they change the widths).
    mj.startup.promise.then(mark).then(function () { return document.fonts.ready; }).then(mark);
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(mark, 150);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
