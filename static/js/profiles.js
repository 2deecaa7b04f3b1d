// Kliv works without JavaScript; this file only narrows the municipality
// menu of the profile form and the member directory to the region
// chosen, and fills in the region of a municipality picked first.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-places]");
  Array.prototype.forEach.call(forms, function (form) {
    var region = form.querySelector("select[name=region]");
    var muni = form.querySelector("select[name=municipality]");
    if (!region || !muni) { return; }
    function narrow() {
      var groups = muni.querySelectorAll("optgroup[data-region]");
      Array.prototype.forEach.call(groups, function (g) {
        var other = region.value !== "" && g.getAttribute("data-region") !== region.value;
        g.hidden = other;
        g.disabled = other;
      });
      var chosen = muni.options[muni.selectedIndex];
      if (chosen && chosen.parentNode.disabled) { muni.value = ""; }
    }
    region.addEventListener("change", narrow);
    muni.addEventListener("change", function () {
      var chosen = muni.options[muni.selectedIndex];
      var group = chosen && chosen.parentNode;
      if (region.value === "" && group && group.getAttribute) {
        var code = group.getAttribute("data-region");
        if (code) { region.value = code; narrow(); }
      }
    });
    narrow();
  });
})();
