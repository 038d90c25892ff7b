// Progressive enhancement only: every page works without JavaScript.
document.querySelectorAll("[data-language-switch] select").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
