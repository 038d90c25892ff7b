// The purchase wizard and the customers area. Progressive enhancement only: without JavaScript
// the «Domain Prefix» is checked on submit and the links can be copied by hand.
(() => {
  "use strict";

  const CHECK_DELAY_MS = 400;
  const STATUS_CLASSES = {
    free: "text-success",
    taken_related: "text-success",
    taken_unrelated: "text-warning-emphasis",
    invalid: "text-danger",
    unavailable: "text-danger",
    limited: "text-danger",
    checking: "text-muted",
  };

  // Live «Domain Prefix» check: one request ~400 ms after the last keystroke, older ones aborted.
  function watchPrefix(input) {
    const status = document.getElementById(input.dataset.prefixStatus);
    let timer = null;
    let controller = null;

    function show(state, message) {
      status.textContent = message || "";
      status.dataset.status = state || "";
      Object.values(STATUS_CLASSES).forEach((name) => status.classList.remove(name));
      if (STATUS_CLASSES[state]) status.classList.add(STATUS_CLASSES[state]);
    }

    async function check(value) {
      controller = new AbortController();
      const url = new URL(input.dataset.prefixCheckUrl, window.location.href);
      url.searchParams.set("prefix", value);
      try {
        const response = await fetch(url, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          signal: controller.signal,
        });
        const answer = await response.json();
        if (input.value.trim() === value) show(answer.status, answer.message);
      } catch (error) {
        if (error.name !== "AbortError") show("unavailable", input.dataset.errorText);
      }
    }

    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      if (controller) controller.abort();
      const value = input.value.trim();
      if (!value) {
        show("", "");
        return;
      }
      show("checking", input.dataset.checkingText);
      timer = window.setTimeout(() => check(value), CHECK_DELAY_MS);
    });
  }

  // «Copia»: the link or the e-mail text of the invitation, to paste elsewhere.
  function watchCopy(button) {
    const label = button.textContent;
    button.addEventListener("click", async () => {
      const target = document.getElementById(button.dataset.copyTarget);
      try {
        await navigator.clipboard.writeText(target.value || target.textContent);
      } catch (error) {
        target.select();  // clipboard refused (no HTTPS): select it for Ctrl+C
        return;
      }
      button.textContent = button.dataset.copiedText;
      window.setTimeout(() => { button.textContent = label; }, 2000);
    });
  }

  // A second click on «Prossimo >>» of the confirmation would only find the same order: say so
  // by disabling the button once the form is on its way.
  function watchConfirm(form) {
    form.addEventListener("submit", (event) => {
      const button = event.submitter;
      if (button && button.value === "next") {
        window.setTimeout(() => { button.disabled = true; }, 0);
      }
    });
  }

  document.querySelectorAll("[data-prefix-check-url]").forEach(watchPrefix);
  document.querySelectorAll("[data-copy-target]").forEach(watchCopy);
  document.querySelectorAll("[data-confirm-form]").forEach(watchConfirm);
})();
