/* Mobilny Asystent service worker.
 * Static files: cache first (their URLs are versioned). Pages: network first; the duty screen is
 * kept for offline reloads, every other page falls back to the offline page. POSTs and the API
 * never touch a cache. */
"use strict";
var CONFIG = {{ config }};
var STATIC_CACHE = "ma-static-" + CONFIG.version;
var PAGE_CACHE = "ma-pages-v1";  // user data: logging out deletes every "ma-pages" cache

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC_CACHE).then(function (cache) {
    return cache.addAll(CONFIG.shell.concat([CONFIG.offline]));
  }).then(function () { return self.skipWaiting(); }));
});

/* Keep a fresh copy of the user's own pages (not a redirect to the login page, not an error). */
function keep(path, response) {
  if (!response.ok || response.redirected) return Promise.resolve();
  return caches.open(PAGE_CACHE).then(function (cache) { return cache.put(path, response); });
}

function refreshPages() {
  return Promise.all(CONFIG.pages.map(function (path) {
    return fetch(path, { credentials: "same-origin" }).then(function (response) { return keep(path, response); });
  })).catch(function () { /* offline: the old copy stays */ });
}

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("ma-static-") === 0 && key !== STATIC_CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }).then(refreshPages));
});

/* The page says its queue was delivered: the kept copy should show what the server now has. */
self.addEventListener("message", function (event) {
  if (event.data === "refresh-pages") event.waitUntil(refreshPages());
});

function fromCacheFirst(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(STATIC_CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

/* A kept page is a snapshot: the one-time ids in its forms (client_uuid) were handed out when it
 * was live and may have been used since. Each time it is served, its forms get new ones. */
function withFreshIds(response) {
  return response.text().then(function (html) {
    html = html.replace(/<input\b[^>]*\bname="client_uuid"[^>]*>/g, function (tag) {
      return tag.replace(/\bvalue="[^"]*"/, 'value="' + self.crypto.randomUUID() + '"');
    });
    return new Response(html, { status: response.status, headers: response.headers });
  });
}

function page(request, path) {
  var kept = CONFIG.pages.indexOf(path) !== -1;
  return fetch(request).then(function (response) {
    if (kept) keep(path, response.clone());
    return response;
  }).catch(function () {
    // The installed app starts at "/", which online redirects to the role's home: offline, the
    // kept duty screen (there only for an assistant) opens instead of the offline page.
    var key = kept ? path : (path === "/" ? CONFIG.pages[0] : null);
    var hit = key ? caches.open(PAGE_CACHE).then(function (cache) { return cache.match(key); }) : Promise.resolve();
    return hit.then(function (response) { return response ? withFreshIds(response) : caches.match(CONFIG.offline); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fromCacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request, url.pathname));
  }
});
