/* "Co może pomóc?" on the duty screen: the services for the needs ticked in the note form.
 *
 * Loaded by duty/shift.js when a need is first ticked (the duty screen opens without it).
 * The list comes embedded in the page (#what-helps-data, from bundles_tags.what_helps), so it
 * works from the kept duty screen when offline. A tap on "Told" (or "Went along") is an anonymous
 * count for this shift, sent through the offline queue (window.MAQueue) with a fresh client id:
 * a replay counts once. After a note is saved the list stays on the needs it was saved with.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-what-helps]");
  var dataEl = document.getElementById("what-helps-data");
  if (!root || !dataEl) return;
  var data = JSON.parse(dataEl.textContent);
  var strings = data.strings || {};
  var counts = data.counts || {};
  var pending = {};  // "serviceId:kind" -> taps not yet confirmed by the server
  var form = document.querySelector("form[data-note-form]");
  var toggle = root.querySelector("[data-what-helps-toggle]");
  var panel = root.querySelector("[data-what-helps-panel]");
  var list = root.querySelector("[data-what-helps-items]");
  var countBadge = root.querySelector("[data-what-helps-count]");
  var needsLabel = root.querySelector("[data-what-helps-needs]");
  var api = "/api/v1/services/";
  var shown = [];  // need codes the list is for

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

  function checkedNeeds() {
    if (!form) return [];
    return Array.prototype.map.call(form.querySelectorAll('input[name="needs"]:checked'), function (box) {
      return box.value;
    });
  }

  function needName(code) {
    var box = form && form.querySelector('input[name="needs"][value="' + code + '"]');
    var label = box && form.querySelector('label[for="' + box.id + '"]');
    return label ? label.textContent.trim() : code;
  }

  function servicesFor(codes) {
    var seen = {}, out = [];
    codes.forEach(function (code) {
      ((data.services.needs || {})[code] || []).forEach(function (id) {
        if (seen[id]) return;
        seen[id] = true;
        var row = data.services.services[String(id)];
        var partner = data.services.partners[String(row.partner)] || {};
        out.push({
          id: id, name: row.name, type: row.type, how_to_get: row.how, partner: partner.name,
          where: partner.where, free: !row.paid, public: !row.internal
        });
      });
    });
    return out;
  }

  function count(id, kind) {
    var c = counts[String(id)] || {};
    return c[kind] || 0;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function tapButton(s, kind) {
    var b = el("button", kind === "told" ? "btn btn-brand btn-tap flex-grow-1" : "btn btn-outline-secondary btn-tap flex-grow-1");
    b.type = "button";
    b.setAttribute("data-service-" + kind, String(s.id));
    b.setAttribute("aria-label", t(kind + "_label") + ": " + s.name);
    b.appendChild(el("span", null, t(kind)));
    b.appendChild(document.createTextNode(" "));
    var n = el("span", "badge text-bg-light ms-1", String(count(s.id, kind)));
    n.setAttribute("data-count", kind + ":" + s.id);
    b.appendChild(n);
    return b;
  }

  function render() {
    list.textContent = "";
    var services = servicesFor(shown);
    needsLabel.textContent = shown.length ? "(" + shown.map(needName).join(", ") + ")" : "";
    if (!services.length) {
      list.appendChild(el("li", "list-group-item text-body-secondary", t("none")));
      return;
    }
    services.forEach(function (s) {
      var li = el("li", "list-group-item");
      li.setAttribute("data-service-id", String(s.id));
      li.appendChild(el("div", "fw-semibold", s.name));
      var meta = s.partner + " · " + s.type + " · " + (s.free ? t("free") : t("paid"));
      li.appendChild(el("div", "small text-body-secondary", meta));
      li.appendChild(el("p", "mb-1 mt-1", s.how_to_get));
      if (s.where) li.appendChild(el("div", "small", s.where));
      if (!s.public) li.appendChild(el("div", "small text-warning-emphasis", t("internal")));
      var row = el("div", "d-flex gap-2 mt-2");
      row.appendChild(tapButton(s, "told"));
      row.appendChild(tapButton(s, "handoff"));
      li.appendChild(row);
      list.appendChild(li);
    });
  }

  /* The button shows how many services there are for the ticked needs; hidden when none ticked. */
  function refresh() {
    var codes = checkedNeeds();
    shown = codes;
    root.hidden = !shown.length;
    countBadge.textContent = String(servicesFor(shown).length);
    if (!panel.hidden) render();
  }

  function setShownCount(id, kind) {
    var badge = list.querySelector('[data-count="' + kind + ":" + id + '"]');
    if (badge) badge.textContent = String(count(id, kind));
  }

  function bump(id, kind, delta) {
    var key = String(id);
    counts[key] = counts[key] || { told: 0, handoff: 0 };
    counts[key][kind] = Math.max(0, (counts[key][kind] || 0) + delta);
    setShownCount(id, kind);
  }

  function send(item) {
    if (window.MAQueue) return window.MAQueue.enqueue(item);
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(item.body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        var name = r.ok ? "ma:sent" : "ma:refused";
        document.dispatchEvent(new CustomEvent(name, { detail: { item: item, data: body, errors: body, status: r.status } }));
      });
    });
  }

  toggle.addEventListener("click", function () {
    var open = panel.hidden;
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) render();
  });

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-service-told], [data-service-handoff]");
    if (!button || button.disabled) return;
    var kind = button.hasAttribute("data-service-told") ? "told" : "handoff";
    var id = button.getAttribute("data-service-" + kind);
    button.disabled = true;  // a double tap counts once
    setTimeout(function () { button.disabled = false; }, 400);
    bump(id, kind, 1);
    var key = id + ":" + kind;
    pending[key] = (pending[key] || 0) + 1;
    send({
      kind: "service-told",
      url: api + id + "/told/",
      body: { client_uuid: uuid(), shift: data.shift, kind: kind },
      label: t(kind + "_label")
    });
  });

  document.addEventListener("ma:sent", function (event) {
    var item = event.detail.item, body = event.detail.data || {};
    if (item.kind !== "service-told") return;
    var id = String(body.service || ""), kind = item.body.kind, key = id + ":" + kind;
    pending[key] = Math.max(0, (pending[key] || 1) - 1);
    if (!pending[key] && kind in body) {  // the server's count includes the other assistants' taps
      counts[id] = counts[id] || { told: 0, handoff: 0 };
      counts[id][kind] = body[kind];
      setShownCount(id, kind);
    }
  });

  function onRefused(event) {
    var item = event.detail.item;
    if (item.kind !== "service-told") return;
    var id = item.url.split("/").slice(-3)[0], kind = item.body.kind, key = id + ":" + kind;
    pending[key] = Math.max(0, (pending[key] || 1) - 1);
    bump(id, kind, -1);
  }
  document.addEventListener("ma:refused", onRefused);
  document.addEventListener("ma:conflict", onRefused);

  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "needs") refresh();
    });
    // Saving resets the form; the list stays on the needs the note was saved with.
    form.addEventListener("submit", function () { shown = checkedNeeds().length ? checkedNeeds() : shown; }, true);
  }
  refresh();
})();
