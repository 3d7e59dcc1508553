/**
 * Fetching bundle files: progress in bytes, sha256 checked against the manifest, kept in the Cache API.
 *
 *     const bytes = await loadVerified(url, { sha256, bytes, onProgress });
 *
 * A model file is read from the cache `fgweb-models-v1` when a copy is there (so a reload works
 * offline), else fetched. Either way its sha256 must equal the manifest's: a cached copy that does not
 * match is dropped and fetched again; a fetched one that does not match is an `integrity_error`.
 * Runs in a page or a worker (both have fetch, caches and crypto.subtle in a secure context).
 */

/** The Cache API cache that holds verified model files, keyed by their plain URL (sw.js reads it). */
export const MODEL_CACHE = 'fgweb-models-v1';

/**
 * An error a user can act on. `type` says which kind (as wllama's typed errors do).
 */
export class FgwebError extends Error {
  /**
   * @param {'load_error' | 'integrity_error' | 'backend_error' | 'generation_error'} type
   * @param {string} message what went wrong and what to do
   */
  constructor(type, message) {
    super(message);
    this.name = 'FgwebError';
    this.type = type;
  }
}

/**
 * @typedef {{phase: string, file?: string, loaded?: number, total?: number, cached?: boolean,
 *   message: string}} ProgressEvent
 * @typedef {(event: ProgressEvent) => void} OnProgress
 */

/**
 * Returns the JSON at `url`, or throws a load_error saying what to do.
 * @param {string} url
 * @param {string} what how to call the file in the message
 * @returns {Promise<any>}
 */
export async function fetchJson(url, what) {
  let response;
  try {
    response = await fetch(url, { cache: 'no-cache' });
  } catch (err) {
    throw new FgwebError('load_error', `could not fetch the ${what} (${url}): ${errorText(err)}. Is \`fgweb serve\` running?`);
  }
  if (!response.ok) {
    throw new FgwebError('load_error', `the ${what} is missing (${url}: HTTP ${response.status}). Run \`fgweb build\` and serve its bundle.`);
  }
  try {
    return await response.json();
  } catch (err) {
    throw new FgwebError('load_error', `the ${what} (${url}) is not valid JSON: ${errorText(err)}. Rebuild the bundle.`);
  }
}

/**
 * Returns the lower-case hex sha256 of `data`.
 * @param {Uint8Array} data
 * @returns {Promise<string>}
 */
export async function sha256Hex(data) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Returns the bytes of `url` after checking them against `sha256`.
 * @param {string} url absolute URL
 * @param {{sha256: string, bytes: number, file?: string, onProgress?: OnProgress, useCache?: boolean}} expected
 * @returns {Promise<Uint8Array>}
 */
export async function loadVerified(url, { sha256, bytes, file = url, onProgress = () => {}, useCache = true }) {
  const cache = useCache && typeof caches !== 'undefined' ? await openCache() : null;
  if (cache) {
    const hit = await cache.match(url);
    if (hit) {
      const data = new Uint8Array(await hit.arrayBuffer());
      if (data.length === bytes && (await sha256Hex(data)) === sha256) {
        onProgress({ phase: 'model', file, loaded: bytes, total: bytes, cached: true, message: `${file}: from cache` });
        return data;
      }
      await cache.delete(url); // a stale or damaged copy: fetch it again
    }
  }
  const data = await fetchWithProgress(url, bytes, file, onProgress);
  if (data.length !== bytes) {
    throw new FgwebError('integrity_error', `${file} has ${data.length} bytes, the manifest says ${bytes}: the file is truncated or from another build. Rebuild the bundle (\`fgweb build\`).`);
  }
  const got = await sha256Hex(data);
  if (got !== sha256) {
    throw new FgwebError('integrity_error', `${file} is corrupt: its sha256 is ${got.slice(0, 12)}…, the manifest says ${sha256.slice(0, 12)}…. Rebuild the bundle (\`fgweb build\`) or re-copy the file.`);
  }
  if (cache) {
    try {
      await cache.put(url, new Response(data, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes) } }));
    } catch (err) {
      // Quota exceeded or private mode: the model still runs, only the next load fetches again.
      onProgress({ phase: 'model', file, message: `${file}: not cached (${errorText(err)})` });
    }
  }
  return data;
}

/** @returns {Promise<Cache | null>} */
async function openCache() {
  try {
    return await caches.open(MODEL_CACHE);
  } catch {
    return null; // opaque origins and some private modes have no Cache API
  }
}

/**
 * @param {string} url
 * @param {number} total
 * @param {string} file
 * @param {OnProgress} onProgress
 * @returns {Promise<Uint8Array>}
 */
async function fetchWithProgress(url, total, file, onProgress) {
  let response;
  try {
    // no-store: the model is kept in the Cache API already; a second copy in the HTTP cache wastes disk.
    response = await fetch(url, { cache: 'no-store' });
  } catch (err) {
    throw new FgwebError('load_error', `could not fetch ${file}: ${errorText(err)}. Is the server running, or is this page offline before the model was ever cached?`);
  }
  if (!response.ok) {
    throw new FgwebError('load_error', `${file} is missing from the bundle (HTTP ${response.status}). Rebuild it with \`fgweb build\`.`);
  }
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  // Preallocate from the manifest size; grow only if the server sends more (then the size check fails).
  let data = new Uint8Array(total);
  let loaded = 0;
  let lastReport = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > data.length) {
      const bigger = new Uint8Array(Math.max(data.length * 2, loaded + value.length));
      bigger.set(data.subarray(0, loaded));
      data = bigger;
    }
    data.set(value, loaded);
    loaded += value.length;
    if (loaded - lastReport >= 1 << 20 || loaded === total) {
      lastReport = loaded;
      onProgress({ phase: 'model', file, loaded, total, cached: false, message: `${file}: ${mb(loaded)} of ${mb(total)}` });
    }
  }
  return loaded === data.length ? data : data.subarray(0, loaded);
}

/**
 * @param {number} n bytes
 * @returns {string}
 */
export function mb(n) {
  return `${(n / 1e6).toFixed(1)} MB`;
}

/**
 * @param {unknown} err
 * @returns {string}
 */
export function errorText(err) {
  return err instanceof Error ? err.message : String(err);
}
