// Kliv works without JavaScript; this file only adds conveniences.
(function () {
  "use strict";
  // Focus the error summary so screen readers announce it.
  var summary = document.getElementById("errors");
  if (summary) { summary.focus(); }
})();

// ---- Forum: live preview (composer, reply and edit forms) ----
// A form marked data-preview-url posts its Markdown to the preview API a
// moment after typing stops and shows the HTML the post would have; the
// Förhandsgranska button keeps working without JavaScript.
(function () {
  "use strict";
  if (!window.fetch) { return; }
  var forms = document.querySelectorAll("form[data-preview-url]");
  Array.prototype.forEach.call(forms, function (form) {
    var source = form.querySelector("[data-preview-source]");
    var region = form.querySelector("[data-preview-region]");
    var target = form.querySelector("[data-preview-target]");
    if (!source || !region || !target) { return; }
    var timer = null, seq = 0, last = null;
    function show(html) {
      target.innerHTML = html;
      region.hidden = html === "";
    }
    function update() {
      var body = source.value;
      if (body === last) { return; }
      last = body;
      if (body.trim() === "") { show(""); return; }
      var mine = ++seq;
      fetch(form.getAttribute("data-preview-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": form.getAttribute("data-csrf") || "" },
        body: JSON.stringify({ body: body })
      }).then(function (res) {
        return res.json().then(function (data) { return { ok: res.ok, data: data }; });
      }).then(function (r) {
        if (mine !== seq) { return; } // an older answer arriving late
        if (r.ok) {
          // The HTML comes from the server's one sanitizing pipeline.
          show(r.data.html || "");
          // The text seems to hold a personal identity number: say so
          // before she posts (the server stops the form too).
          var warn = form.querySelector("[data-pnr-warning]");
          if (warn) { warn.hidden = !r.data.personal_number_warning; }
        } else {
          var p = document.createElement("p");
          p.className = "field-error";
          p.textContent = (r.data && r.data.error) || "";
          target.innerHTML = "";
          target.appendChild(p);
          region.hidden = false;
        }
      }).catch(function () { /* offline: the Preview button still works */ });
    }
    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 500);
    });
  });
})();

// Quote what is selected: "Citera" on a post quotes just the text the
// reader selected in that post (the server checks it is really there).
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest('a[href*="/reply?quote="]');
    if (!link) { return; }
    var card = link.closest("article");
    var sel = window.getSelection ? window.getSelection() : null;
    if (!card || !sel || sel.isCollapsed) { return; }
    var body = card.querySelector(".post-body");
    if (!body || !body.contains(sel.anchorNode) || !body.contains(sel.focusNode)) { return; }
    var text = sel.toString().trim();
    if (text === "" || text.length > 2000) { return; }
    ev.preventDefault();
    window.location.href = link.getAttribute("href") + "&part=" + encodeURIComponent(text);
  });
})();

// A long topic opened by its plain link shows the page of her first
// unread post (chosen by the server); this scrolls to that post.
(function () {
  "use strict";
  if (window.location.hash || !document.querySelector("[data-landed]")) { return; }
  var line = document.getElementById("unread");
  if (line && line.scrollIntoView) { line.scrollIntoView(); }
})();
