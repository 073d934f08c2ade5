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
  // A draft save of its own still on its way: the button's save waits for it, so it carries the
  // version that save answers with instead of meeting it as someone else's newer version.
  var inFlight = false;
  var waitingSubmitter = null;
  form.addEventListener("submit", function (event) {
    store();
    if (inFlight) {
      event.preventDefault();
      waitingSubmitter = event.submitter || form;
      return;
    }
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
    // Without a file attached, the short encoding: about a third of the bytes on a slow
    // connection, and cheaper for the server to read. Without this script the form stays
    // multipart, which always works.
    var attached = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (el) {
      return el.files && el.files.length > 0;
    });
    form.enctype = attached ? "multipart/form-data" : "application/x-www-form-urlencoded";
  });
  // Coming back through the browser's history must not leave the buttons dead.
  window.addEventListener("pageshow", function () { delete form.dataset.sending; });

  // --- Drafts saved to the server while the officer types (campaigns/reporting autosave) ---
  // The copy in this browser above stays: it still covers a lost connection or session.
  var state = document.getElementById("save-state");
  var versionInput = form.querySelector("input[name=version]");
  var autosaveUrl = form.dataset.autosaveUrl;
  var timer = null;
  var dirty = false;
  var stopped = false;

  function say(text) { if (state) state.textContent = text; }
  function resumeSubmit() {
    var submitter = waitingSubmitter;
    if (submitter === null) return;
    waitingSubmitter = null;
    if (submitter === form) form.requestSubmit();
    else form.requestSubmit(submitter);
  }

  function autosave() {
    timer = null;
    if (!dirty || stopped || form.dataset.sending) return;
    if (inFlight) { schedule(); return; }
    dirty = false;
    inFlight = true;
    say(state.dataset.labelSaving);
    var data = new URLSearchParams();  // never a file here: the short encoding
    fields().concat(Array.prototype.slice.call(form.querySelectorAll("input[type=hidden]")))
      .forEach(function (el) { if (el.name) data.append(el.name, el.value); });
    fetch(autosaveUrl, { method: "POST", body: data, credentials: "same-origin",
                          headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        inFlight = false;
        if (answer.ok && answer.body.saved) {
          version = String(answer.body.version);
          form.dataset.version = version;
          if (versionInput) versionInput.value = version;
          store();  // the kept copy now carries the version the server holds
          say(state.dataset.labelSaved + " " + answer.body.saved_at);
        } else {
          // A newer version by someone else, a closed year: the button's save explains it.
          if (answer.body.stale || !answer.body.fields) stopped = true;
          say(answer.body.message || state.dataset.labelFailed);
        }
        resumeSubmit();
      })
      .catch(function () {
        inFlight = false;
        dirty = true;  // offline or signed out: the kept copy has it; try again later
        say(state.dataset.labelUnsaved);
        resumeSubmit();
      });
  }
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(autosave, 2500);
  }
  if (autosaveUrl && window.fetch && window.URLSearchParams && state) {
    form.addEventListener("input", function (event) {
      if (event.target.type === "file") return;
      dirty = true;
      say(state.dataset.labelUnsaved);
      schedule();
    });
  }

  // --- The section index: how much of each part is filled in; a jump opens a folded part ---
  function completion() {
    document.querySelectorAll("#report-form .report-section").forEach(function (section) {
      var inputs = Array.prototype.filter.call(section.querySelectorAll("input, textarea, select"), function (el) {
        return el.name && el.type !== "hidden" && el.type !== "file" && el.type !== "submit" &&
          el.tagName !== "SELECT" && !el.closest("details:not(.report-fold)");
      });
      var filled = inputs.filter(function (el) { return el.value.trim() !== ""; }).length;
      document.querySelectorAll("[data-completion-of='" + section.id + "']").forEach(function (badge) {
        badge.textContent = inputs.length ? filled + "/" + inputs.length : "";
      });
    });
  }
  completion();
  form.addEventListener("input", completion);

  function openPart(hash) {
    var part = hash && document.getElementById(hash.slice(1));
    var fold = part && part.querySelector("details.report-fold");
    if (fold) fold.open = true;
  }
  document.querySelectorAll("a[href^='#part-']").forEach(function (link) {
    link.addEventListener("click", function () { openPart(link.getAttribute("href")); });
  });
  openPart(window.location.hash);
  // A field the server refused is never hidden in a folded part.
  form.querySelectorAll(".is-invalid").forEach(function (el) {
    var fold = el.closest("details");
    while (fold) { fold.open = true; fold = fold.parentElement.closest("details"); }
  });
})();
