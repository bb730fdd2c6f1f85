/* The offline queue: a write typed on the phone is kept in IndexedDB until the server has it.
 *
 * window.MAQueue.enqueue({kind, url, body, label}) stores the write first, then sends the queue
 * in order, one item at a time. Sending is tried on page load, on the "online" event, when the
 * page becomes visible and on a backoff timer (2 s doubling to 60 s): Background Sync is not
 * used because Firefox and Safari lack it. Every body carries a client_uuid and the endpoints are
 * idempotent, so an item sent twice makes one row.
 *
 *   2xx            sent: removed                                   "ma:sent" {item, data, status}
 *   400/403/404/422 refused (e.g. the PII guard): kept as a draft   "ma:refused" {item, status, errors}
 *   409            conflict: kept as a draft, never retried         "ma:conflict"
 *   401            session ended: the queue waits for a new login  "ma:auth-required"
 *   5xx, 408, 429, no answer: kept, retried with backoff            "ma:offline"
 * "ma:queue-changed" {pending, drafts} after every change; "ma:edit-draft" {item, take} when the
 * user wants a draft back in the page's form. "ma:refused", "ma:conflict" and "ma:edit-draft" carry
 * take(): the page calls it once it has put the draft into its form, and its next enqueue of that
 * kind then replaces the draft. A page busy with another entry leaves the draft where it is.
 * Also: MAQueue.pending() -> number, .drafts() -> items, .items() -> Promise of queued items,
 * .discardDraft(seq), .flush() -> Promise, .clear() -> Promise, .ready -> Promise.
 * Texts come translated from the page (#ma-strings data-attributes): no language in here.
 */
(function () {
  "use strict";

  var DB_NAME = "ma-offline";
  var OUTBOX = "outbox";
  var DRAFTS = "drafts";
  var PAGE_CACHE_PREFIX = "ma-pages";
  var EDITABLE = ["note", "end"];  // kinds the page can put back into a form
  var user = document.body.getAttribute("data-user-id") || "";
  var stringsEl = document.getElementById("ma-strings");
  var strings = stringsEl ? stringsEl.dataset : {};
  var dbPromise = null;
  var flushing = false;
  var again = false;
  var failures = 0;
  var retryTimer = null;
  var authRequired = false;
  var unreachable = false;
  var editing = {};  // kind -> seq of the draft the page's form now holds
  var known = { pending: [], drafts: [] };  // the last read, for the synchronous getters
  var delivered = false;  // something reached the server in this flush

  function t(key, count) {
    var s = strings[key] || key;
    return count === undefined ? s : s.replace("%(count)s", String(count));
  }

  function emit(name, detail) { document.dispatchEvent(new CustomEvent(name, { detail: detail })); }

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () {
          req.result.createObjectStore(OUTBOX, { keyPath: "seq", autoIncrement: true });
          req.result.createObjectStore(DRAFTS, { keyPath: "seq" });
        };
        req.onsuccess = function () {
          var db = req.result;
          // Another tab logging out deletes the database: let it.
          db.onversionchange = function () { db.close(); dbPromise = null; };
          resolve(db);
        };
        req.onerror = function () { dbPromise = null; reject(req.error); };
      });
    }
    return dbPromise;
  }

  function tx(stores, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(stores, mode);
        var result;
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = transaction.onabort = function () { reject(transaction.error); };
        result = work(transaction);
      });
    });
  }

  /* A store's items of the logged-in user, oldest first. */
  function all(store) {
    return tx([store], "readonly", function (transaction) {
      var out = [];
      transaction.objectStore(store).openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (cursor) {
          if (cursor.value.user === user) out.push(cursor.value);
          cursor.continue();
        }
      };
      return out;
    });
  }

  /* Other tabs of the app show the same queue: tell them when it changes. */
  var channel = window.BroadcastChannel ? new BroadcastChannel("ma-outbox") : null;
  if (channel) channel.onmessage = function () { changed(true); };

  function changed(quiet) {
    if (channel && !quiet) channel.postMessage("changed");
    return Promise.all([all(OUTBOX), all(DRAFTS)]).then(function (lists) {
      known = { pending: lists[0], drafts: lists[1] };
      emit("ma:queue-changed", { pending: lists[0].length, drafts: lists[1].length });
      render(lists[0], lists[1]);
      return lists;
    });
  }

  function enqueue(item) {
    var record = {
      kind: item.kind, url: item.url, body: item.body, label: item.label || item.kind,
      user: user, queuedAt: new Date().toISOString()
    };
    var replaces = editing[item.kind];
    delete editing[item.kind];
    return tx([OUTBOX, DRAFTS], "readwrite", function (transaction) {
      transaction.objectStore(OUTBOX).add(record).onsuccess = function (event) { record.seq = event.target.result; };
      // The form's new version replaces the draft it was edited from.
      if (replaces !== undefined) transaction.objectStore(DRAFTS).delete(replaces);
      return record;
    }).then(function (saved) {
      changed();
      flush();
      return saved;
    }, function () {
      // The phone would not store it (no IndexedDB, disk full): hand it back, never lose it quietly.
      emit("ma:refused", { item: record, status: 0, errors: { detail: t("storageFailed") } });
      return record;
    });
  }

  function removeItem(store, seq) {
    return tx([store], "readwrite", function (transaction) { transaction.objectStore(store).delete(seq); });
  }

  /* For the page: "this draft is now in my form", so the form's next version replaces it. */
  function taker(item) {
    return function () { if (EDITABLE.indexOf(item.kind) !== -1) editing[item.kind] = item.seq; };
  }

  function toDraft(item, status, errors) {
    item.status = status;
    item.errors = errors;
    return tx([OUTBOX, DRAFTS], "readwrite", function (transaction) {
      transaction.objectStore(OUTBOX).delete(item.seq);
      transaction.objectStore(DRAFTS).put(item);
    });
  }

  /* Read when sending, not when queueing: logging in again gives a new token. */
  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function send(item) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, 20000);
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(item.body),
      signal: controller.signal
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).finally(function () { clearTimeout(timer); });
  }

  function scheduleRetry() {
    failures += 1;
    unreachable = true;
    var delay = Math.min(60000, 2000 * Math.pow(2, failures - 1));
    delay = Math.round(delay * (0.75 + Math.random() * 0.5));
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, delay);
  }

  /* One sender at a time, across tabs too. A tab that finds another one sending looks again a
   * little later, in case that one finished just before this tab's newest item was stored. */
  var BUSY = "busy";
  function withLock(work) {
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request("ma-outbox", { ifAvailable: true }, function (lock) {
        return lock ? work() : BUSY;
      });
    }
    var key = "ma-outbox-lease", now = Date.now();
    if (parseInt(localStorage.getItem(key) || "0", 10) > now) return Promise.resolve(BUSY);
    localStorage.setItem(key, String(now + 30000));
    return Promise.resolve().then(work).finally(function () { localStorage.removeItem(key); });
  }

  function flush() {
    if (!user) return Promise.resolve();
    if (flushing) { again = true; return Promise.resolve(); }
    if (navigator.onLine === false) { unreachable = true; emit("ma:offline", {}); return changed(); }
    flushing = true;
    again = false;
    clearTimeout(retryTimer);
    retryTimer = null;
    return withLock(next).catch(scheduleRetry).then(function (result) {
      flushing = false;
      if (result === BUSY && !retryTimer) retryTimer = setTimeout(flush, 3000);
      if (again && !authRequired && !retryTimer) return flush();
      return changed().then(function (lists) {
        var sw = navigator.serviceWorker && navigator.serviceWorker.controller;
        // The page kept for offline reloads should now show what the server has.
        if (delivered && !lists[0].length && sw) sw.postMessage("refresh-pages");
        delivered = false;
        return lists;
      });
    });
  }

  function next() {
    return all(OUTBOX).then(function (items) {
      var item = items[0];
      if (!item) { failures = 0; return null; }
      return send(item).then(function (result) {
        var status = result.status, data = result.data;
        var detail = { item: item, data: data, status: status, errors: data };
        unreachable = false;
        if (status >= 200 && status < 300) {
          authRequired = false;
          delivered = true;
          return removeItem(OUTBOX, item.seq).then(function () { emit("ma:sent", detail); return next(); });
        }
        // A CSRF failure means the session behind the token is gone: the same cure as a 401.
        var csrf = status === 403 && String((data && data.detail) || "").indexOf("CSRF") !== -1;
        if (status === 401 || csrf) {
          authRequired = true;
          emit("ma:auth-required", detail);
          return null;
        }
        // Any other client error (400 validation, 403, 404, 409 conflict...) will not change by
        // sending it again: it goes back to the user. 408 and 429 only ask to wait.
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
          var name = status === 409 ? "ma:conflict" : "ma:refused";
          return toDraft(item, status, data).then(function () {
            detail.take = taker(item);
            emit(name, detail);
            return next();
          });
        }
        emit("ma:offline", detail);
        scheduleRetry();
        return null;
      }, function () {
        emit("ma:offline", { item: item });
        scheduleRetry();
        return null;
      });
    });
  }

  /* Leave nothing of this user on the phone: the queue, the drafts, the kept pages. */
  function clearAll() {
    var closing = dbPromise ? dbPromise.then(function (db) { db.close(); }, function () {}) : Promise.resolve();
    dbPromise = null;
    var jobs = [closing.then(function () {
      return new Promise(function (resolve) {
        var req = indexedDB.deleteDatabase(DB_NAME);
        req.onsuccess = req.onerror = function () { resolve(); };
      });
    })];
    if (window.caches) {
      jobs.push(caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k.indexOf(PAGE_CACHE_PREFIX) === 0; }).map(function (k) {
          return caches.delete(k);
        }));
      }));
    }
    return Promise.all(jobs);
  }

  function errorText(errors) {
    if (!errors || typeof errors !== "object") return t("refused");
    return Object.keys(errors).filter(function (k) { return k !== "pii_warnings"; }).map(function (k) {
      var v = errors[k];
      return Array.isArray(v) ? v.join(" ") : String(v);
    }).join(" ") || t("refused");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(className, text, onClick) {
    var b = el("button", "btn " + className, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  /* The outbox panel, in every [data-ma-outbox] element of the page. */
  function render(pending, drafts) {
    var boxes = document.querySelectorAll("[data-ma-outbox]");
    boxes.forEach(function (box) {
      box.textContent = "";
      box.classList.add("ma-outbox");
      var online = navigator.onLine !== false && !unreachable;
      var bar = el("div", "d-flex flex-wrap align-items-center gap-2 mb-2");
      bar.setAttribute("aria-live", "polite");
      var state = el("span", "badge " + (online ? "text-bg-success" : "text-bg-secondary"), online ? t("online") : t("offline"));
      state.setAttribute("data-ma-online", online ? "1" : "0");
      bar.appendChild(state);
      if (pending.length) {
        var count = el("span", "badge text-bg-warning fs-6", t("pending", pending.length));
        count.setAttribute("data-ma-pending", String(pending.length));
        bar.appendChild(count);
        bar.appendChild(button("btn-outline-secondary", t("sendNow"), function () { failures = 0; flush(); }));
      }
      box.appendChild(bar);
      if (authRequired && pending.length) {
        var auth = el("div", "alert alert-warning", t("loginAgain") + " ");
        auth.setAttribute("role", "alert");
        var link = el("a", "alert-link", t("login"));
        link.href = (strings.loginUrl || "/konto/login/") + "?next=" + encodeURIComponent(location.pathname);
        auth.appendChild(link);
        box.appendChild(auth);
      }
      drafts.forEach(function (draft) {
        var conflict = draft.status === 409;
        var card = el("div", "alert outbox-draft " + (conflict ? "alert-secondary" : "alert-danger"));
        card.setAttribute("data-ma-draft", String(draft.seq));
        card.appendChild(el("div", "fw-semibold", (conflict ? t("conflict") : t("refusedTitle")) + ": " + draft.label));
        var text = (draft.body && (draft.body.text || draft.body.summary)) || "";
        if (text) card.appendChild(el("div", "fst-italic text-break", text.length > 120 ? text.slice(0, 119) + "…" : text));
        card.appendChild(el("div", "", errorText(draft.errors)));
        var actions = el("div", "d-flex gap-2 mt-2");
        if (EDITABLE.indexOf(draft.kind) !== -1) {
          actions.appendChild(button("btn-brand", t("edit"), function () {
            emit("ma:edit-draft", { item: draft, take: taker(draft) });
          }));
        }
        actions.appendChild(button("btn-outline-secondary", t("discard"), function () {
          if (window.confirm(t("discardConfirm"))) removeItem(DRAFTS, draft.seq).then(function () { return changed(); });
        }));
        card.appendChild(actions);
        box.appendChild(card);
      });
    });
  }

  /* Logging out: warn about unsent items, then clear this phone, then log out. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-logout-form]") || form.hasAttribute("data-cleared")) return;
    event.preventDefault();
    Promise.all([all(OUTBOX), all(DRAFTS)]).catch(function () { return [[], []]; }).then(function (lists) {
      var unsent = lists[0].length + lists[1].length;
      if (unsent && !window.confirm(t("logoutWarning", unsent))) return;
      clearTimeout(retryTimer);
      user = "";  // no flush may start while the database goes away
      clearAll().then(function () {
        form.setAttribute("data-cleared", "");
        form.submit();
      });
    });
  }, true);

  window.MAQueue = {
    enqueue: enqueue,
    flush: function () { failures = 0; return flush(); },
    pending: function () { return known.pending.length; },
    drafts: function () { return known.drafts.slice(); },
    items: function () { return all(OUTBOX); },  // a Promise: read from IndexedDB itself
    discardDraft: function (seq) { return removeItem(DRAFTS, seq).then(function () { return changed(); }); },
    clear: function () { return clearAll().then(function () { return changed(); }); }
  };

  window.addEventListener("online", function () { failures = 0; unreachable = false; flush(); });
  window.addEventListener("offline", function () { unreachable = true; changed(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  window.MAQueue.ready = user ? changed() : Promise.resolve();
  if (user) window.MAQueue.ready.then(flush, function () { /* no IndexedDB: enqueue says so */ });
})();
