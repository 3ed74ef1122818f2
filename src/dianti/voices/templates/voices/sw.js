/* The recording page's service worker (voices/views_offline.py serves it at the page's own path, so this is the
   scope it controls). The page comes from the network when there is one and from the cache when there is none;
   the static files it loads come from the cache. It never sends or holds a record: the page does (offline.js). */
"use strict";
var CACHE = "dianti-{{ version }}", PAGE = "{{ page|escapejs }}", STATIC = "{% load static %}{% get_static_prefix %}";

function assets(html) {
  var re = /(?:src|href)="([^"]+)"/g, out = [], m;
  while ((m = re.exec(html))) if (m[1].indexOf(STATIC) === 0 && out.indexOf(m[1]) < 0) out.push(m[1]);
  return out;
}

function keepPage(cache, response) {
  if (!response.ok || response.redirected) return Promise.resolve();  // signed out: not the page to keep
  return response.clone().text().then(function (html) {
    return cache.put(PAGE, response).then(function () { return cache.addAll(assets(html)); });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return fetch(PAGE, {credentials: "same-origin"}).then(function (r) { return keepPage(cache, r); });
  }).catch(function () {}).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("dianti-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname === PAGE && request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      caches.open(CACHE).then(function (cache) { return keepPage(cache, response.clone()); });
      return response;
    }).catch(function () {
      return caches.match(PAGE).then(function (hit) { return hit || Response.error(); });
    }));
  } else if (url.pathname.indexOf(STATIC) === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (c) { c.put(request, copy); }); }
        return response;
      });
    }));
  }
});
