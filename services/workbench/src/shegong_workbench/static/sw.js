/* 社工站工作台 service worker: the app shell and the pages a worker opened stay on the phone.
 * Pages: network first, the saved copy when there is no network. Script and styles: the saved
 * copy first, refreshed in the background. Calls to /api/ are never cached or answered here:
 * the page's queue decides what happens to a command without a network. */
"use strict";

/* the build's digest, written in by the workbench when it serves this file (entrypoints/assets.py):
 * a release that changes any static file or page template starts new caches, and `activate`
 * deletes the old ones */
const BUILD = "__BUILD__";
const SHELL = `workbench-shell-${BUILD}`;
const PAGES = `workbench-pages-${BUILD}`;
const SHELL_FILES = ["/static/app.js", "/static/app.css", "/static/icon-192.png", "/static/icon-512.png", "/manifest.webmanifest", "/offline"];
const NEVER_KEPT = ["/signin", "/signout", "/password", "/staff", "/queue/discards"]; /* sessions and colleagues' accounts */

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => ![SHELL, PAGES].includes(k)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function page(request) {
  const cache = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) cache.put(request, response.clone());
    return response;
  } catch (e) {
    return (await cache.match(request, { ignoreSearch: false })) || (await caches.match("/offline"));
  }
}

async function asset(request, event) {
  const cache = await caches.open(SHELL);
  const saved = await cache.match(request);
  const fresh = fetch(request).then((r) => {
    if (r.ok) cache.put(request, r.clone());
    return r;
  });
  if (saved) {
    event.waitUntil(fresh.catch(() => null));
    return saved;
  }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/sw.js") return;
  if (NEVER_KEPT.some((p) => url.pathname.startsWith(p))) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(asset(request, event));
  }
});
