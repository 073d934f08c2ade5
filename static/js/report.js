// Keeps what the officer types in this browser until the server has saved it, so an expired
// session, a lost connection or a closed tab loses nothing. Also stops a second click.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !window.localStorage) return;
  var key = form.dataset.draftKey;
  var version = form.dataset.version;

  function read() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "file" && el.type !== "hidden" && el.type !== "submit";
    });
  }
  function store() {
    var values = {};
    fields().forEach(function (el) { values[el.name] = el.value; });
    try { localStorage.setItem(key, JSON.stringify({ version: version, values: values })); } catch (e) { /* full */ }
  }
  function differs(kept) {
    return fields().some(function (el) {
      return Object.prototype.hasOwnProperty.call(kept.values, el.name) && el.value !== kept.values[el.name];
    });
  }
  function restore(kept) {
    var changed = false;
    fields().forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(kept.values, el.name) && el.value !== kept.values[el.name]) {
        el.value = kept.values[el.name];
        changed = true;
      }
    });
    return changed;
  }

  var kept = read();
  var justSaved = form.hasAttribute("data-saved");
  if (justSaved) {
    localStorage.removeItem(key);  // this browser's own save went through
    kept = null;
  }
  var shownWithErrors = !!document.getElementById("form-errors");
  if (kept && !shownWithErrors) {
    if (kept.version === version) {
      // Same version as when the typing happened: that save never reached the server.
      if (restore(kept)) document.getElementById("draft-restored").classList.remove("d-none");
    } else if (differs(kept)) {
      // Someone saved a newer version meanwhile: offer the old input, never force it.
      var older = document.getElementById("draft-older");
      older.classList.remove("d-none");
      older.querySelector("button").addEventListener("click", function () {
        restore(kept);
        older.classList.add("d-none");
        store();
      });
    }
  }

  form.addEventListener("input", store);
  form.addEventListener("change", store);
  form.addEventListener("submit", function (event) {
    store();
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
  });
  // Coming back through the browser's history must not leave the buttons dead.
  window.addEventListener("pageshow", function () { delete form.dataset.sending; });
})();
