// A subscription page with a change in progress («Modifica in corso») reloads itself until the
// worker has finished it: the page promises the reseller to show it completed. The changes take
// seconds; the reloads stop as soon as the page comes back without a change open.
(function () {
  "use strict";
  if (document.querySelector("[data-open-change]")) {
    window.setTimeout(() => window.location.reload(), 3000);
  }
})();
