// «Carrello»: progressive enhancement only. Without JavaScript every form posts and the server
// redirects back to the cart; with it, the same forms are posted with fetch and the «Riepilogo»
// is swapped in place, so totals and «Utilizzo stimato» update without a page load.
(() => {
  const page = document.querySelector("[data-cart-page]");
  if (!page || !window.fetch || !window.DOMParser) {
    return;
  }

  // What the user has typed or ticked and not yet sent: kept across the swap (nothing is lost).
  function unsavedState(root, except) {
    const state = [];
    root.querySelectorAll("input[id], select[id]").forEach((field) => {
      if (except.contains(field)) {
        return;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) {
          state.push({ id: field.id, checked: field.checked });
        }
      } else if (field.tagName === "INPUT" && field.value !== field.defaultValue) {
        state.push({ id: field.id, value: field.value });
      }
    });
    return state;
  }

  function restoreState(state) {
    state.forEach(({ id, checked, value }) => {
      const field = document.getElementById(id);
      if (!field) {
        return;
      }
      if (checked !== undefined) {
        field.checked = checked;
      } else {
        field.value = value;
      }
    });
  }

  function swap(html, submittedForm, focusedId) {
    const fresh = new DOMParser().parseFromString(html, "text/html");
    const freshPage = fresh.querySelector("[data-cart-page]");
    const current = document.querySelector("[data-cart-page]");
    if (!freshPage || !current) {
      return false;
    }
    const state = unsavedState(current, submittedForm);
    current.replaceWith(freshPage);
    restoreState(state);
    const freshNav = fresh.querySelector('[data-nav="cart"]');
    const nav = document.querySelector('[data-nav="cart"]');
    if (freshNav && nav) {
      nav.innerHTML = freshNav.innerHTML;
    }
    // Focus stays where it was («Aggiorna» of the same line), goes to the field refused, or,
    // when that line is gone («Rimuovi»), to the cart's heading: never lost to <body>.
    const focusTarget =
      freshPage.querySelector("[aria-invalid='true']") ||
      (focusedId && document.getElementById(focusedId)) ||
      freshPage.querySelector("[role=alert]") ||
      freshPage.querySelector("h1");
    if (focusTarget) {
      focusTarget.focus({ preventScroll: true });
    }
    return true;
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-cart-form]");
    if (!form || !form.closest("[data-cart-page]")) {
      return;
    }
    event.preventDefault();
    // Read before the buttons are disabled: a disabled button loses the focus.
    const focusedId =
      (event.submitter && event.submitter.id) ||
      (document.activeElement && document.activeElement.id);
    const buttons = form.querySelectorAll("button");
    buttons.forEach((button) => (button.disabled = true));
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      const html = await response.text();
      if (!response.ok || !swap(html, form, focusedId)) {
        throw new Error(`cart update answered ${response.status}`);
      }
    } catch (error) {
      // Anything unexpected: fall back to the plain post, which always works.
      buttons.forEach((button) => (button.disabled = false));
      form.submit();
    }
  });
})();
