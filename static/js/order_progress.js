// Follows an order on the «L'ordine è completo!» page until it is active or has failed; the
// heading and the title say what happened (the title keeps the order number after "·").
// Progressive enhancement: without JavaScript the page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  const box = document.querySelector("[data-order-progress]");
  if (!box || box.dataset.final === "true") {
    return;
  }
  const url = box.dataset.statusUrl;
  const intervalMs = 3000;
  const maxFailures = 20;
  let failures = 0;

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then((state) => {
        failures = 0;
        box.innerHTML = state.html; // rendered and escaped by the server
        const heading = document.querySelector("[data-page-heading]");
        if (heading && heading.textContent !== state.page_heading) {
          heading.textContent = state.page_heading;
          const rest = document.title.split(" · ").slice(1);
          document.title = [state.page_heading, ...rest].join(" · ");
        }
        if (state.is_final) {
          box.dataset.final = "true";
          document.querySelectorAll("[data-reload]").forEach((link) => link.remove());
        } else {
          window.setTimeout(poll, intervalMs);
        }
      })
      .catch(() => {
        failures += 1;
        if (failures < maxFailures) {
          window.setTimeout(poll, intervalMs * 2);
        }
      });
  }

  window.setTimeout(poll, intervalMs);
})();
