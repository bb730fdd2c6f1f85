/* The live duty screen on a phone: counters, notes, start and end, without page reloads.
 *
 * Every write gets a fresh client id and goes to the JSON API through window.MAQueue (the
 * offline queue: it keeps the write on the phone until the server has it). Without the queue
 * the write is sent directly. The forms also work with no JavaScript at all.
 *
 * Hooks in the page (duty/templates/duty/home.html):
 *   #live-shift[data-shift-id][data-shift-status][data-api-base]   the container
 *   [data-tap][data-counter][data-delta]                            +1 / −1 buttons
 *   [data-counter-value="<name>"]                                   a counter's shown value
 *   form[data-note-form], [data-notes-list], [data-note-errors]     the note form and today's notes
 *   form[data-start-form], form[data-end-form]                      start and end
 *   [data-nearest-button], [data-place-select], #places-data        nearest place (idle page)
 * Queue events handled on document: ma:sent, ma:refused, ma:conflict, ma:edit-draft.
 */
(function () {
  "use strict";

  var strings = {};
  var stringsEl = document.getElementById("duty-strings");
  if (stringsEl) strings = JSON.parse(stringsEl.textContent);
  function t(key) { return strings[key] || key; }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function emit(name, detail) { document.dispatchEvent(new CustomEvent(name, { detail: detail })); }

  /* Send through the offline queue, or directly when it is not on the page. */
  function enqueue(item) {
    if (window.MAQueue) return window.MAQueue.enqueue(item);
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(item.body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.ok) emit("ma:sent", { item: item, data: data, status: r.status });
        else if (r.status === 409) emit("ma:conflict", { item: item, status: r.status, errors: data });
        else emit("ma:refused", { item: item, status: r.status, errors: data });
      });
    }).catch(function () {
      emit("ma:refused", { item: item, status: 0, errors: { detail: t("offline") } });
    });
  }

  function flash(message, kind) {
    var box = document.createElement("div");
    box.className = "alert alert-" + (kind || "danger") + " alert-dismissible";
    box.setAttribute("role", "alert");
    box.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", t("close"));
    box.appendChild(close);
    var main = document.getElementById("content");
    main.insertBefore(box, main.firstChild);
  }

  function errorText(errors) {
    if (!errors) return t("refused");
    if (typeof errors === "string") return errors;
    var parts = [];
    Object.keys(errors).forEach(function (key) {
      var v = errors[key];
      parts.push(Array.isArray(v) ? v.join(" ") : String(v));
    });
    return parts.join(" ") || t("refused");
  }

  /* form[data-swap-target="#id"]: sent in the background; the answer (a partial) replaces #id.
   * Without this script the same form posts and comes back to the page. */
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-swap-target]");
    if (!form) return;
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() }
    }).then(function (r) {
      return r.text().then(function (html) {
        if (!r.ok) { flash(html || t("refused")); return; }
        var target = document.querySelector(form.getAttribute("data-swap-target"));
        if (target) target.outerHTML = html;
      });
    }).catch(function () { flash(t("offline")); });
  });

  var root = document.getElementById("live-shift");
  if (root) initLive(root);
  initNearest();

  function initLive(root) {
    var shiftId = root.getAttribute("data-shift-id");
    var api = (root.getAttribute("data-api-base") || "/api/v1/") + "shifts/" + shiftId + "/";
    var noteForm = root.querySelector("form[data-note-form]");
    var notesList = root.querySelector("[data-notes-list]");
    var pendingTaps = {};

    function setStatus(status) { root.setAttribute("data-shift-status", status); }

    function counterEl(name) { return root.querySelector('[data-counter-value="' + name + '"]'); }

    function bump(name, delta) {
      var el = counterEl(name);
      if (!el) return false;
      var value = parseInt(el.textContent, 10) || 0;
      if (value + delta < 0) return false;
      el.textContent = String(value + delta);
      return true;
    }

    /* A short "+1" over the value: the tap was seen, even when the number is under the thumb. */
    function acknowledge(name, delta) {
      var el = counterEl(name);
      if (!el) return;
      var ack = document.createElement("span");
      ack.className = "counter-ack" + (delta < 0 ? " minus" : "");
      ack.setAttribute("aria-hidden", "true");
      ack.textContent = delta < 0 ? "\u2212" + Math.abs(delta) : "+" + delta;
      el.parentNode.appendChild(ack);
      setTimeout(function () { ack.remove(); }, 1300);
    }

    /* Counters: every tap counts, optimistically. Each tap has its own client id, so a retry of
     * the same tap is harmless and two quick taps are two people served. */
    root.addEventListener("click", function (event) {
      var button = event.target.closest("[data-tap]");
      if (!button) return;
      event.preventDefault();
      var counter = button.getAttribute("data-counter");
      var delta = parseInt(button.getAttribute("data-delta"), 10);
      if (!bump(counter, delta)) return;
      acknowledge(counter, delta);
      pendingTaps[counter] = (pendingTaps[counter] || 0) + 1;
      enqueue({
        kind: "counter",
        url: api + "counters/",
        body: { client_uuid: uuid(), counter: counter, delta: delta },
        label: button.getAttribute("aria-label")
      });
    });

    var startForm = root.querySelector("form[data-start-form]");
    if (startForm) startForm.addEventListener("submit", function (event) {
      event.preventDefault();
      setStatus("started");
      enqueue({ kind: "start", url: api + "start/", body: { client_uuid: uuid() }, label: t("start") });
    });

    var endForm = root.querySelector("form[data-end-form]");
    if (endForm) endForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(endForm);
      setStatus("ended");
      enqueue({
        kind: "end",
        url: api + "end/",
        body: {
          client_uuid: uuid(),
          summary: data.get("summary") || "",
          weather: data.get("weather") || "",
          touchpoints: data.getAll("touchpoints")
        },
        label: t("end")
      });
    });

    function noteBody(form) {
      var data = new FormData(form);
      return {
        client_uuid: data.get("client_uuid") || uuid(),
        shift: parseInt(shiftId, 10),
        text: data.get("text") || "",
        needs: data.getAll("needs"),
        stage: data.get("stage") || "first_contact",
        age_band: data.get("age_band") || "unknown",
        touchpoint: data.get("touchpoint") || "",
        wants_follow_up: data.get("wants_follow_up") === "on"
      };
    }

    function pendingNote(body) {
      var empty = notesList.querySelector("[data-notes-empty]");
      if (empty) empty.remove();
      var li = document.createElement("li");
      li.className = "list-group-item note-pending";
      li.setAttribute("data-client-uuid", body.client_uuid);
      var meta = document.createElement("div");
      meta.className = "d-flex justify-content-between small text-body-secondary";
      var when = document.createElement("span");
      when.textContent = new Date().toLocaleTimeString(document.documentElement.lang || "pl", { hour: "2-digit", minute: "2-digit" });
      var badge = document.createElement("span");
      badge.className = "badge text-bg-warning pending-badge";
      badge.textContent = t("not_sent");
      meta.appendChild(when);
      meta.appendChild(badge);
      li.appendChild(meta);
      if (body.text) {
        var p = document.createElement("p");
        p.className = "mb-1";
        p.textContent = body.text;
        li.appendChild(p);
      }
      notesList.insertBefore(li, notesList.firstChild);
    }

    function clearNoteErrors() {
      var box = noteForm.querySelector("[data-note-errors]");
      if (box) { box.classList.add("d-none"); box.textContent = ""; }
      noteForm.querySelectorAll("[data-field-error]").forEach(function (el) { el.textContent = ""; });
      noteForm.querySelectorAll('[aria-invalid="true"]').forEach(function (el) {
        el.removeAttribute("aria-invalid");
        el.classList.remove("is-invalid");
      });
    }

    function resetNoteForm() {
      noteForm.reset();
      var hidden = noteForm.querySelector('input[name="client_uuid"]');
      if (hidden) hidden.value = uuid();
      clearNoteErrors();
    }

    /* A refusal: each message next to its field (marked invalid), the rest above the form; the
     * first one is scrolled into view and its field focused. */
    function showNoteErrors(errors) {
      clearNoteErrors();
      var rest = {}, first = null;
      if (errors && typeof errors === "object") {
        Object.keys(errors).forEach(function (name) {
          var slot = noteForm.querySelector('[data-field-error="' + name + '"]');
          var field = noteForm.querySelector('[name="' + name + '"]');
          var v = errors[name], text = Array.isArray(v) ? v.join(" ") : String(v);
          if (slot && field) {
            slot.textContent = text;
            field.setAttribute("aria-invalid", "true");
            field.classList.add("is-invalid");
            if (!first) first = field;
          } else rest[name] = v;
        });
      } else rest = errors;
      var box = noteForm.querySelector("[data-note-errors]");
      if (box && (!first || Object.keys(rest).length)) {
        box.textContent = errorText(first ? rest : errors);
        box.classList.remove("d-none");
      }
      return first || box;
    }

    /* Open or close the note sheet; focus goes to the text, and back to "+ note" on closing. */
    function showNoteBox(open) {
      var box = document.getElementById("note-form-box");
      if (!box) return;
      box.hidden = !open;
      box.classList.toggle("show", open);
      document.body.classList.toggle("sheet-open", open);
      document.querySelectorAll("[data-note-open]").forEach(function (toggle) {
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
      if (open) {
        var body = box.querySelector(".note-sheet-body");
        if (body) body.scrollTop = 0;
      }
    }

    root.addEventListener("click", function (event) {
      var opener = event.target.closest("[data-note-open]");
      var closer = event.target.closest("[data-note-close]");
      if (opener) {
        event.preventDefault();
        showNoteBox(true);
        noteForm.querySelector('[name="text"]').focus({ preventScroll: true });
      } else if (closer) {
        event.preventDefault();
        showNoteBox(false);
        var back = root.querySelector("[data-note-open]");
        if (back) back.focus();
      }
    });
    document.addEventListener("keydown", function (event) {
      var box = document.getElementById("note-form-box");
      if (event.key === "Escape" && box && !box.hidden) {
        showNoteBox(false);
        var back = root.querySelector("[data-note-open]");
        if (back) back.focus();
      }
    });

    function restoreNote(body, errors) {
      resetNoteForm();
      noteForm.querySelector('[name="text"]').value = body.text || "";
      (body.needs || []).forEach(function (code) {
        var box = noteForm.querySelector('input[name="needs"][value="' + code + '"]');
        if (box) box.checked = true;
      });
      [["stage", body.stage], ["age_band", body.age_band]].forEach(function (pair) {
        var radio = noteForm.querySelector('input[name="' + pair[0] + '"][value="' + pair[1] + '"]');
        if (radio) radio.checked = true;
      });
      noteForm.querySelector('[name="touchpoint"]').value = body.touchpoint || "";
      noteForm.querySelector('[name="wants_follow_up"]').checked = !!body.wants_follow_up;
      (body.needs || []).forEach(function (code) {  // a chosen need behind "more" is shown
        var box = noteForm.querySelector('input[name="needs"][value="' + code + '"]');
        var more = box && box.closest("details");
        if (more) more.open = true;
      });
      showNoteBox(true);
      var target = errors ? showNoteErrors(errors) : null;
      var field = target && target.matches("input, select, textarea") ? target : noteForm.querySelector('[name="text"]');
      field.focus({ preventScroll: true });
      if (target) target.scrollIntoView({ block: "center" });
      dropPendingNote(body);
    }

    /* A note that became a draft is no longer shown among the shift's notes. */
    function dropPendingNote(body) {
      var li = notesList.querySelector('[data-client-uuid="' + body.client_uuid + '"]');
      if (li) li.remove();
    }

    if (noteForm) noteForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = noteBody(noteForm);
      pendingNote(body);
      resetNoteForm();
      showNoteBox(false);
      enqueue({ kind: "note", url: "/api/v1/notes/", body: body, label: t("note") });
    });

    /* Writes still waiting on this phone (e.g. after an offline reload) are shown as done. */
    if (window.MAQueue) window.MAQueue.items().then(function (items) {
      items.forEach(function (item) {
        if (item.kind === "note" && String(item.body.shift) === shiftId) pendingNote(item.body);
        else if (item.url.indexOf(api) !== 0) return;
        else if (item.kind === "counter") {
          bump(item.body.counter, item.body.delta);
          pendingTaps[item.body.counter] = (pendingTaps[item.body.counter] || 0) + 1;
        } else if (item.kind === "start") setStatus("started");
        else if (item.kind === "end") setStatus("ended");
      });
    });

    document.addEventListener("ma:sent", function (event) {
      var item = event.detail.item, data = event.detail.data || {};
      if (item.kind === "note") {
        var li = notesList.querySelector('[data-client-uuid="' + item.body.client_uuid + '"]');
        if (li) {
          li.classList.remove("note-pending");
          var badge = li.querySelector(".pending-badge");
          if (badge) badge.remove();
          if (data.id && strings.report_url) {
            var a = document.createElement("a");
            a.className = "btn btn-outline-secondary btn-sm";
            a.setAttribute("data-report-problem", "");
            a.href = strings.report_url.replace("/0/", "/" + data.id + "/");
            a.textContent = t("report_problem");
            li.appendChild(a);
          }
        }
      } else if (item.kind === "counter") {
        var c = item.body.counter;
        pendingTaps[c] = Math.max(0, (pendingTaps[c] || 1) - 1);
        if (!pendingTaps[c] && data.counters && c in data.counters) {
          var el = counterEl(c);
          if (el) el.textContent = String(data.counters[c]);
        }
      }
    });

    /* Something typed in the note form and not saved yet: a draft must not overwrite it. */
    function noteFormBusy() {
      return noteForm.querySelector('[name="text"]').value.trim() !== "" ||
        !!noteForm.querySelector('input[name="needs"]:checked');
    }

    /* Put a refused or chosen draft into the note form, unless the form holds other work. A draft
     * the queue keeps (it gives take) then waits as a card with its Edit button; one it does not
     * keep (no IndexedDB) goes into the form anyway, since it exists nowhere else. */
    function offerNote(detail, errors) {
      if (detail.take && noteFormBusy()) {
        dropPendingNote(detail.item.body);
        flash(t("draft_waiting"), "warning");
        return;
      }
      restoreNote(detail.item.body, errors);
      if (detail.take) detail.take();
    }

    /* The end form is on screen again with the summary that was refused. */
    function restoreEnd(detail) {
      if (!endForm) return;
      setStatus("started");
      endForm.querySelector('[name="summary"]').value = detail.item.body.summary || "";
      if (detail.take) detail.take();
    }

    function onRefused(event) {
      var item = event.detail.item, errors = event.detail.errors;
      if (item.kind === "note") {
        offerNote(event.detail, errors || { detail: t("conflict") });
      } else if (item.kind === "counter") {
        bump(item.body.counter, -item.body.delta);
        pendingTaps[item.body.counter] = Math.max(0, (pendingTaps[item.body.counter] || 1) - 1);
        flash(errorText(errors));
      } else if (item.kind === "end") {
        restoreEnd(event.detail);
        flash(errorText(errors));
      } else if (item.kind === "start") {
        flash(errorText(errors));
      }
    }
    document.addEventListener("ma:refused", onRefused);
    document.addEventListener("ma:conflict", onRefused);
    document.addEventListener("ma:edit-draft", function (event) {
      if (event.detail.item.kind === "note") offerNote(event.detail, event.detail.item.errors);
      else if (event.detail.item.kind === "end") restoreEnd(event.detail);
    });
  }

  function initNearest() {
    var button = document.querySelector("[data-nearest-button]");
    var select = document.querySelector("[data-place-select]");
    var dataEl = document.getElementById("places-data");
    if (!button || !select || !dataEl || !navigator.geolocation) return;
    var places = JSON.parse(dataEl.textContent);
    if (!places.length) return;
    var status = document.querySelector("[data-nearest-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = t("locating");
      navigator.geolocation.getCurrentPosition(function (pos) {
        var best = null;
        places.forEach(function (p) {
          var d = distance(pos.coords.latitude, pos.coords.longitude, p.lat, p.lon);
          if (!best || d < best.d) best = { p: p, d: d };
        });
        select.value = String(best.p.id);
        status.textContent = t("nearest").replace("%(place)s", best.p.name).replace("%(metres)s", String(Math.round(best.d)));
      }, function () {
        status.textContent = t("no_location");
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  function distance(lat1, lon1, lat2, lon2) {
    var r = Math.PI / 180, dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
    var a = Math.sin(dlat / 2) * Math.sin(dlat / 2) + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dlon / 2) * Math.sin(dlon / 2);
    return 2 * 6371000 * Math.asin(Math.sqrt(a));
  }
})();

/* A part of the page whose script waits until a need is first ticked in the note form
 * ([data-script-on-need="url"], e.g. "Co może pomóc?"), so the duty screen opens without it.
 * Such scripts are in the offline shell (core/offline.py). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-note-form]");
  if (!form) return;
  Array.prototype.forEach.call(document.querySelectorAll("[data-script-on-need]"), function (part) {
    var loaded = false;
    function load() {
      if (loaded) return;
      loaded = true;
      var script = document.createElement("script");
      script.src = part.getAttribute("data-script-on-need");
      document.head.appendChild(script);
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "needs") load();
    });
    if (form.querySelector('input[name="needs"]:checked')) load();
  });
})();
