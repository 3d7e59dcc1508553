/**
 * fgweb service worker: makes a reload of the bundle work offline.
 *
 * Registered by the demo page (`navigator.serviceWorker.register('./sw.js')`) from the bundle root, which is
 * its scope. What it does with each same-origin GET request under that scope:
 *
 *   manifest.json, toolset.json
 *                   network first (a rebuilt bundle is seen at once), the cached copy when offline
 *   models/*, tokenizer/*
 *                   cache first from 'fgweb-models-v1', the cache where the runtime's loader keeps the files
 *                   it has verified against the manifest's sha256; otherwise the network, never cached here
 *                   (only verified bytes belong in that cache, the loader writes them, and a second copy of
 *                   a large file would only waste disk)
 *   everything else of the app shell (pages, CSS, scripts, src/, vendor/):
 *                   stale-while-revalidate from a versioned cache; a new manifest also refreshes the files
 *                   whose sha256 it changed, so the load after a rebuild runs the new code throughout
 *
 * The versioned shell cache is filled at install from the manifest's file list (everything but models/,
 * tokenizer/ and eval/), so that the first visit is enough for an offline reload.
 *
 * Range requests and partial (206) responses are passed through and never cached. Responses served from
 * the cache keep the headers they were stored with (COOP/COEP/CORP for cross-origin isolation); a Response
 * made here copies them.
 */

/* eslint-env serviceworker */
/// <reference lib="webworker" />
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/** Bump when this file changes what it stores, so that the old shell cache is dropped on activation. */
const VERSION = 'v1';
const SHELL_CACHE = `fgweb-shell-${VERSION}`;
const SHELL_PREFIX = 'fgweb-shell-';
/** Written by the runtime's loader (web/src/loader.js): verified model files keyed by their plain URL. */
const MODEL_CACHE = 'fgweb-models-v1';
/** Folders whose files the loader verifies and keeps in MODEL_CACHE. */
const VERIFIED_FOLDERS = ['models/', 'tokenizer/'];
/** Precached when the manifest cannot be read at install. */
const CORE_FILES = ['index.html', 'demo.css', 'demo.js', 'fgweb.mjs', 'fgweb.js', 'manifest.json', 'toolset.json'];
/** Files fetched at once while precaching. */
const PRECACHE_PARALLEL = 4;
/** Headers that keep a constructed response usable in a cross-origin isolated page. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const SCOPE = new URL(sw.registration.scope);

/**
 * The path of a URL relative to the scope ("index.html", "src/agent.js"), or null outside the scope.
 * @param {URL} url
 * @returns {string | null}
 */
function scopePath(url) {
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return null;
  return decodeURIComponent(url.pathname.slice(SCOPE.pathname.length));
}

/** @param {string} path  relative to the scope */
function isVerifiedPath(path) {
  return VERIFIED_FOLDERS.some((folder) => path.startsWith(folder));
}

/**
 * True for bundle files that belong to the app shell: all but the loader's files, eval/, source maps, sw.js.
 * @param {string} path  relative to the scope
 */
function isShellPath(path) {
  return !isVerifiedPath(path) && !path.startsWith('eval/') && path !== 'sw.js' && !path.endsWith('.map');
}

/** @param {string} path */
const scopeUrl = (path) => new URL(path, SCOPE).href;

/**
 * True when a response may be stored: a complete (200), same-origin, unredirected answer.
 * @param {Response} response
 */
function storable(response) {
  return response.status === 200 && response.type === 'basic' && !response.headers.has('Content-Range');
}

/**
 * The response to store for a request: redirected responses are rebuilt (a navigation must not be answered
 * with one), keeping every header.
 * @param {Response} response
 * @returns {Promise<Response>}
 */
async function forStorage(response) {
  if (!response.redirected) return response;
  return new Response(await response.blob(), {
    status: response.status, statusText: response.statusText, headers: response.headers,
  });
}

/**
 * A response made here (offline and nothing cached), with the isolation headers the bundle's pages need.
 * @param {string} message
 * @param {boolean} html
 */
function offlineResponse(message, html) {
  const body = html
    ? `<!doctype html><meta charset="utf-8"><title>Offline</title><p style="font-family:system-ui;margin:2em">${message}</p>`
    : message;
  return new Response(body, {
    status: 503,
    statusText: 'Offline',
    headers: { ...ISOLATION_HEADERS, 'Content-Type': html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8' },
  });
}

/**
 * Fetches `paths` (relative to the scope) into the shell cache, a few at a time; a file that fails is
 * skipped (it is cached when the page first asks for it).
 * @param {Cache} cache
 * @param {string[]} paths
 */
async function precache(cache, paths) {
  const queue = [...new Set(paths)];
  const worker = async () => {
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
      const url = scopeUrl(path);
      try {
        const response = await fetch(url, { cache: 'no-cache' });
        if (storable(response)) await cache.put(url, await forStorage(response));
      } catch (err) {
        console.warn(`fgweb sw: could not precache ${path}:`, err);
      }
    }
  };
  await Promise.all(Array.from({ length: PRECACHE_PARALLEL }, worker));
}

/**
 * The bundle paths of a manifest's files, with their sha256 ({} for an unreadable manifest).
 * @param {any} manifest
 * @returns {Map<string, string>}
 */
function manifestFiles(manifest) {
  /** @type {Map<string, string>} */
  const files = new Map();
  for (const entry of (manifest && Array.isArray(manifest.files)) ? manifest.files : []) {
    if (entry && typeof entry.path === 'string') files.set(entry.path.replace(/\\/g, '/'), String(entry.sha256 || ''));
  }
  return files;
}

sw.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    let paths = CORE_FILES;
    try {
      const response = await fetch(scopeUrl('manifest.json'), { cache: 'no-cache' });
      if (storable(response)) {
        const files = manifestFiles(await response.clone().json());
        await cache.put(scopeUrl('manifest.json'), response);
        paths = [...CORE_FILES.filter((p) => p !== 'manifest.json'), ...[...files.keys()].filter(isShellPath)];
      }
    } catch (err) {
      console.warn('fgweb sw: manifest.json unreadable at install, precaching the core files only:', err);
    }
    await precache(cache, paths);
    await sw.skipWaiting();
  })());
});

sw.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE) await caches.delete(name);
    }
    await sw.clients.claim();
  })());
});

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || request.headers.has('Range')) return;
  const url = new URL(request.url);
  const path = scopePath(url);
  if (path === null || path === 'sw.js') return;
  if (isVerifiedPath(path)) {
    event.respondWith(verifiedFile(request));
  } else if (path === 'manifest.json') {
    event.respondWith(networkFirst(event, scopeUrl('manifest.json'), true));
  } else if (path === 'toolset.json') {
    event.respondWith(networkFirst(event, request.url, false));
  } else if (request.mode === 'navigate') {
    // One cached copy per page, whatever its query (?backend=..., ?artifact=...).
    event.respondWith(staleWhileRevalidate(event, scopeUrl(path === '' ? 'index.html' : path), true));
  } else if (isShellPath(path)) {
    event.respondWith(staleWhileRevalidate(event, request.url, false));
  }
});

/**
 * Cache first from the loader's cache, else the network (not stored: the loader verifies and stores).
 * @param {Request} request
 */
async function verifiedFile(request) {
  const cache = await caches.open(MODEL_CACHE);
  const cached = await cache.match(request.url);
  if (cached) return withIsolation(cached);
  return fetch(request);
}

/**
 * The response itself when it carries the isolation headers, else a copy (same body stream) that adds
 * them: the loader stores model files as Responses it made, without the server's headers.
 * @param {Response} response
 */
function withIsolation(response) {
  const missing = Object.keys(ISOLATION_HEADERS).filter((name) => !response.headers.has(name));
  if (missing.length === 0) return response;
  const headers = new Headers(response.headers);
  for (const name of missing) headers.set(name, ISOLATION_HEADERS[/** @type {keyof ISOLATION_HEADERS} */ (name)]);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * Network first, the cached copy when the network fails. With `isManifest`, a new manifest also refreshes
 * the shell files whose sha256 it changed, so that the next load runs the new build throughout.
 * @param {FetchEvent} event
 * @param {string} key
 * @param {boolean} isManifest
 */
async function networkFirst(event, key, isManifest) {
  const cache = await caches.open(SHELL_CACHE);
  let response;
  try {
    // A navigation request cannot be copied with new options; it revalidates by itself.
    response = await (event.request.mode === 'navigate' ? fetch(event.request)
      : fetch(event.request, { cache: 'no-cache' }));
  } catch (err) {
    const cached = await cache.match(key);
    if (cached) return cached;
    return offlineResponse('Offline, and this bundle has not been cached yet: reconnect and reload.', false);
  }
  if (storable(response) && !isManifest) {
    event.waitUntil(forStorage(response.clone()).then((copy) => cache.put(key, copy)).catch(() => undefined));
  } else if (storable(response)) {
    const stored = response.clone();
    event.waitUntil((async () => {
      const previous = await cache.match(key);
      const before = previous ? manifestFiles(await previous.json().catch(() => null)) : null;
      const after = manifestFiles(await stored.clone().json().catch(() => null));
      await cache.put(key, stored);
      if (before && after.size) await refreshShell(cache, before, after);
    })().catch((err) => console.warn('fgweb sw: could not update the cached manifest:', err)));
  }
  return response;
}

/**
 * Re-fetches the shell files that a new manifest changed or added, and drops those it removed.
 * @param {Cache} cache
 * @param {Map<string, string>} before
 * @param {Map<string, string>} after
 */
async function refreshShell(cache, before, after) {
  const changed = [...after].filter(([path, sha]) => isShellPath(path) && before.get(path) !== sha).map(([p]) => p);
  const removed = [...before.keys()].filter((path) => isShellPath(path) && !after.has(path));
  await Promise.all(removed.map((path) => cache.delete(scopeUrl(path))));
  if (changed.length) await precache(cache, changed);
}

/**
 * The cached copy at once when there is one (refreshed in the background), else the network.
 * @param {FetchEvent} event
 * @param {string} key  the cache key (navigations share one key per page)
 * @param {boolean} navigation
 */
async function staleWhileRevalidate(event, key, navigation) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(key);
  const network = fetch(event.request).then(async (response) => {
    if (storable(response)) await cache.put(key, await forStorage(response.clone()));
    return response;
  });
  if (cached) {
    event.waitUntil(network.catch(() => undefined));
    return cached;
  }
  try {
    return await network;
  } catch (err) {
    const stale = await cache.match(key, { ignoreSearch: true });
    if (stale) return stale;
    if (navigation) return offlineResponse('You are offline and this page has not been cached yet: reconnect and reload.', true);
    throw err;
  }
}
