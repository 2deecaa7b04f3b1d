// Kliv works without JavaScript; this file only adds conveniences.
(function () {
  "use strict";
  // Focus the error summary so screen readers announce it.
  var summary = document.getElementById("errors");
  if (summary) { summary.focus(); }
})();
