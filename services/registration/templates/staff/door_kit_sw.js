/* The door kit's service worker (api/staff_doorkit.py): keeps the kit's page and scripts, so the kit opens without
   signal. It keeps nothing personal: the list and the key are never cached (the page keeps the list itself,
   encrypted, in IndexedDB), and every other request goes to the network as usual. */
"use strict";
const PREFIX = {{ prefix|tojson }};
const CACHE = PREFIX + {{ version|tojson }};
const SHELL = {{ shell|tojson }};
const PAGE = SHELL[0];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith(PREFIX) && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

/* The kept page, marked as such (the organiser's browser ignores the mark; the browser test reads it). */
function kept(response) {
  if (!response) return Response.error();
  const headers = new Headers(response.headers);
  headers.set("X-Pelita-Pintu", "tersimpan");
  return response.blob().then((body) => new Response(body, { status: response.status, headers }));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    // The page: fresh from the server when there is signal (kept again), the kept one when there is none.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(PAGE, copy));
          }
          return response;
        })
        .catch(() => caches.match(PAGE, { ignoreVary: true, ignoreSearch: true }).then(kept))
    );
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { ignoreVary: true }).then((kept) => kept || fetch(request)));
  }
});
