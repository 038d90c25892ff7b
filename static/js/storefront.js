// Progressive enhancement only: every page works without JavaScript.
document.querySelectorAll("[data-language-switch] select").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});

// A refused form: focus goes to what went wrong (the error summary, or else the first field in
// error), so that a screen reader reads it out and the keyboard starts from there.
(() => {
  const problem = document.querySelector("main [data-error-summary], main [aria-invalid='true']");
  if (!problem) {
    return;
  }
  if (!problem.matches("input, select, textarea")) {
    problem.setAttribute("tabindex", "-1");
  }
  problem.focus();
})();
