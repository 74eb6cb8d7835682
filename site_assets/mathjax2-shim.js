// The widget manager (html-manager 1.0.15) typesets widget labels with MathJax 2's
// MathJax.Hub.Queue; the site ships MathJax 3, which has no Hub. Give it one that maps the
// Typeset call onto MathJax 3's typesetPromise. MathJax 3 replaces any window.MathJax that
// exists before it loads (treating it as configuration), so attach only once it is there.
(function () {
  function install() {
    var mj = window.MathJax;
    if (!mj || !mj.version || mj.Hub) return;
    mj.Hub = {
      Queue: function () {
        for (var i = 0; i < arguments.length; i++) {
          var job = arguments[i];
          if (Array.isArray(job) && job[0] === "Typeset" && mj.typesetPromise) {
            mj.typesetPromise(job[2] ? [job[2]] : undefined).catch(function () {});
          } else if (typeof job === "function") {
            job();
          }
        }
      },
    };
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
})();
