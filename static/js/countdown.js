// Live countdown of each refund bucket and of the cancellation window: elements with
// data-deadline (ISO 8601) show the time left; the server-rendered date stays beside it.
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-deadline]");
  if (!nodes.length) { return; }
  var lang = document.documentElement.lang === "en" ? "en" : "it";
  var words = lang === "en"
    ? { d: "d", h: "h", m: "min", over: "closed", left: "left" }
    : { d: "g", h: "h", m: "min", over: "chiusa", left: "rimasti" };
  function render() {
    var now = Date.now();
    nodes.forEach(function (node) {
      var left = Math.floor((Date.parse(node.dataset.deadline) - now) / 1000);
      if (isNaN(left)) { return; }
      if (left <= 0) { node.textContent = words.over; return; }
      var days = Math.floor(left / 86400), hours = Math.floor((left % 86400) / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      node.textContent = (days ? days + " " + words.d + " " : "") + hours + " " + words.h + " "
        + minutes + " " + words.m + " " + words.left;
    });
  }
  render();
  window.setInterval(render, 30000);
})();
