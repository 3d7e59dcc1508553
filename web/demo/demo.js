/**
 * The fgweb demo page: a small shop (sign-in, shipping, todos, orders, menu) and an assistant panel that
 * loads the model with `createAgent` and runs typed commands on the shop.
 *
 * Query parameters:
 *     ?backend=auto|wasm|webgpu   which runtime to use (default auto: WebGPU when an adapter exists)
 *     ?artifact=NAME              which ONNX artifact of manifest.json to load (default: the manifest's)
 *     ?threads=N                  WASM threads (default 1)
 *
 * For tests and the console:
 *     window.demo.ready           Promise of the agent (rejects with the FgwebError that stopped loading)
 *     window.demo.agent           the agent once loaded, else null
 *     window.demo.run(command)    runs a command as the Run button does; resolves to agent.run's result
 *     window.demo.run(command, {completion, followUp})
 *                                 the same with the model's completion given (agent.runCompletion)
 *     #confirm                    the dialog that asks before the assistant submits, navigates, or
 *                                 deletes, pays or sends (createAgent's confirm)
 *     window.demo.results         every result so far, oldest first
 *     document.body.dataset.state 'loading' | 'ready' | 'error'
 */

const params = new URLSearchParams(location.search);
const BACKEND = params.get('backend') || 'auto';
const ARTIFACT = params.get('artifact') || undefined;
const THREADS = params.has('threads') ? Number(params.get('threads')) : undefined;

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const ui = {
  app: $('app'),
  status: $('status'),
  backend: $('backend'),
  progress: /** @type {HTMLProgressElement} */ ($('progress')),
  progressBytes: $('progress-bytes'),
  files: $('files'),
  fallback: $('fallback'),
  error: $('error'),
  errorTitle: $('error-title'),
  errorMessage: $('error-message'),
  errorHint: $('error-hint'),
  commandForm: /** @type {HTMLFormElement} */ ($('command-form')),
  command: /** @type {HTMLInputElement} */ ($('command')),
  run: /** @type {HTMLButtonElement} */ ($('run')),
  execute: /** @type {HTMLInputElement} */ ($('execute')),
  backendChoice: /** @type {HTMLSelectElement} */ ($('backend-choice')),
  artifactChoice: /** @type {HTMLSelectElement} */ ($('artifact-choice')),
  log: $('log'),
  clearLog: $('clear-log'),
  confirm: /** @type {HTMLDialogElement} */ ($('confirm')),
  confirmMessage: $('confirm-message'),
};

/* ------------------------------------------------------------------------------------------------ */
/* The shop                                                                                          */
/* ------------------------------------------------------------------------------------------------ */

/** @param {string} id */
const field = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

$('signin-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const email = field('email').value.trim();
  const status = $('signin-status');
  status.classList.remove('bad');
  if (!email) {
    status.textContent = 'Enter your email to sign in.';
    status.classList.add('bad');
  } else if (!field('password').value) {
    status.textContent = 'Enter your password to sign in.';
    status.classList.add('bad');
  } else {
    status.textContent = `Signed in as ${email}${field('remember').checked ? ' (remembered on this device)' : ''}`;
  }
});

$('shipping-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const status = $('shipping-status');
  const labels = { 'ship-name': 'Full name', 'ship-street': 'Street', 'ship-city': 'City',
    'ship-postcode': 'Postcode' };
  const missing = Object.entries(labels).filter(([id]) => !field(id).value.trim()).map(([, label]) => label);
  status.classList.toggle('bad', missing.length > 0);
  if (missing.length) {
    status.textContent = `Please fill in: ${missing.join(', ')}.`;
    return;
  }
  const country = /** @type {HTMLSelectElement} */ ($('ship-country')).value;
  const extras = [field('gift-wrap').checked && 'gift wrap', field('express').checked && 'express delivery']
    .filter(Boolean);
  status.textContent = `Order placed for ${field('ship-name').value.trim()}: ${field('ship-street').value.trim()}, `
    + `${field('ship-postcode').value.trim()} ${field('ship-city').value.trim()}, ${country}`
    + (extras.length ? ` (${extras.join(', ')})` : '') + '.';
});

const todoList = $('todo-list');

/** @param {string} text */
function addTodo(text) {
  const item = document.createElement('li');
  const label = document.createElement('label');
  label.className = 'check';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.addEventListener('change', () => item.classList.toggle('done', box.checked));
  label.append(box, ` ${text}`);
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'delete';
  remove.textContent = 'Delete';
  remove.setAttribute('aria-label', `Delete ${text}`);
  remove.addEventListener('click', () => item.remove());
  item.append(label, remove);
  todoList.append(item);
}

$('todo-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = field('new-todo');
  const text = input.value.trim();
  if (text) addTodo(text);
  input.value = '';
});
addTodo('Buy milk');

/* ------------------------------------------------------------------------------------------------ */
/* Loading                                                                                           */
/* ------------------------------------------------------------------------------------------------ */

/** @param {'loading' | 'ready' | 'error'} state */
function setState(state) {
  document.body.dataset.state = state;
}

/** @param {number} n */
function formatBytes(n) {
  if (!Number.isFinite(n)) return '?';
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** @param {number | undefined} ms */
function formatMs(ms) {
  if (ms == null || !Number.isFinite(ms)) return '–';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** @param {unknown} err */
function errorText(err) {
  return err instanceof Error ? err.message : String(err);
}

/** @type {Map<string, {loaded: number, total: number, cached: boolean, row: HTMLLIElement}>} */
const files = new Map();

/**
 * Shows one progress event: the status line, and for file phases the bytes of that file and of all.
 * @param {{phase: string, file?: string, loaded?: number, total?: number, cached?: boolean, message?: string}} e
 */
function onProgress(e) {
  if (e.message) ui.status.textContent = e.message;
  ui.status.dataset.phase = e.phase;
  if (e.file) {
    let entry = files.get(e.file);
    if (!entry) {
      const row = document.createElement('li');
      ui.files.append(row);
      entry = { loaded: 0, total: 0, cached: false, row };
      files.set(e.file, entry);
    }
    if (typeof e.loaded === 'number') entry.loaded = e.loaded;
    if (typeof e.total === 'number') entry.total = e.total;
    if (typeof e.cached === 'boolean') entry.cached = e.cached;
    const done = entry.total > 0 && entry.loaded >= entry.total;
    entry.row.textContent = `${e.file}: ${formatBytes(entry.loaded)}`
      + (entry.total ? ` / ${formatBytes(entry.total)}` : '')
      + (entry.cached ? ' (from cache)' : done ? ' ✓' : '');
    entry.row.dataset.file = e.file;
    entry.row.classList.toggle('cached', entry.cached);
    let loaded = 0;
    let total = 0;
    for (const f of files.values()) {
      loaded += f.loaded;
      total += f.total;
    }
    ui.progress.max = Math.max(total, 1);
    ui.progress.value = Math.min(loaded, total);
    ui.progressBytes.textContent = `${formatBytes(loaded)} of ${formatBytes(total)}`;
  }
  if (e.phase === 'ready') {
    ui.progress.max = 1;
    ui.progress.value = 1;
  }
}

/** What a user can do about each kind of FgwebError. */
const HINTS = {
  load_error: 'Check that the bundle was built completely (`fgweb build`) and that `fgweb serve` is running, then reload.',
  integrity_error: 'A model file does not match manifest.json: rebuild the bundle (`fgweb build`) or copy it again, then reload.',
  backend_error: 'Try another backend: add ?backend=wasm to the address (WebGPU needs a browser and GPU that support it).',
  generation_error: 'Reload the page and try again.',
};

/**
 * Shows a failure prominently: the error's own message, its type and what to do.
 * @param {any} err
 * @param {string} title
 */
function showError(err, title) {
  const type = (err && err.type) || (err && err.name) || 'error';
  ui.error.hidden = false;
  ui.error.dataset.type = type;
  ui.errorTitle.textContent = title;
  ui.errorMessage.textContent = (err && err.message) || String(err);
  ui.errorHint.textContent = /** @type {Record<string, string>} */ (HINTS)[type] || '';
  ui.errorHint.hidden = !ui.errorHint.textContent;
}

function chooserSetup() {
  // An unknown ?backend= still goes to createAgent, which says what it accepts.
  if (![...ui.backendChoice.options].some((o) => o.value === BACKEND)) ui.backendChoice.add(new Option(BACKEND));
  ui.backendChoice.value = BACKEND;
  /**
   * Reloads the page with one query parameter changed ('' or 'auto' removes it).
   * @param {string} name
   * @param {string} value
   */
  const reloadWith = (name, value) => {
    const next = new URLSearchParams(location.search);
    if (value && value !== 'auto') next.set(name, value);
    else next.delete(name);
    const query = next.toString();
    location.href = location.pathname + (query ? `?${query}` : '');
  };
  ui.backendChoice.addEventListener('change', () => reloadWith('backend', ui.backendChoice.value));
  ui.artifactChoice.addEventListener('change', () => {
    const { value, dataset } = ui.artifactChoice;
    reloadWith('artifact', value === dataset.default ? '' : value);
  });
  if (ARTIFACT) ui.artifactChoice.add(new Option(ARTIFACT, ARTIFACT, true, true));
}

/**
 * Lists the bundle's ONNX artifacts in the model chooser (from manifest.json, so that the chooser works
 * even when loading fails).
 * @param {any} manifest
 */
function fillArtifacts(manifest) {
  const artifacts = (manifest && manifest.artifacts) || {};
  const chooser = ui.artifactChoice;
  chooser.replaceChildren();
  chooser.dataset.default = manifest.default_artifact || '';
  const names = Object.keys(artifacts).filter((name) => (artifacts[name].kind || 'onnx') === 'onnx');
  if (ARTIFACT && !names.includes(ARTIFACT)) names.unshift(ARTIFACT);
  const selected = ARTIFACT || manifest.default_artifact;
  for (const name of names) {
    const info = artifacts[name] || {};
    const parts = [name];
    if (name === manifest.default_artifact) parts.push('default');
    if (info.bytes) parts.push(formatBytes(info.bytes));
    if (info.eval && typeof info.eval.exact === 'number') parts.push(`${Math.round(info.eval.exact * 100)}% exact`);
    chooser.add(new Option(parts.join(' · '), name, false, name === selected));
  }
}

fetch('./manifest.json').then((r) => (r.ok ? r.json() : null)).then((m) => m && fillArtifacts(m))
  .catch(() => {}); // the agent reports a missing or broken manifest itself

/**
 * createAgent's `confirm`: shows what the assistant is about to do and resolves to whether the user
 * allowed it (Cancel and Escape refuse).
 * @param {{message: string}} request
 * @returns {Promise<boolean>}
 */
function confirmAction(request) {
  return new Promise((resolve) => {
    ui.confirmMessage.textContent = `The assistant wants to ${request.message}.`;
    ui.confirm.returnValue = '';
    ui.confirm.addEventListener('close', () => resolve(ui.confirm.returnValue === 'allow'), { once: true });
    ui.confirm.showModal();
  });
}

/** @type {any} */
let agent = null;

async function load() {
  setState('loading');
  /** @type {Record<string, any>} */
  const options = { backend: BACKEND, onProgress, root: ui.app, confirm: confirmAction };
  if (ARTIFACT) options.artifact = ARTIFACT;
  if (THREADS !== undefined) options.threads = THREADS;
  const started = performance.now();
  try {
    // Imported here, not statically, so that a runtime that fails to load is reported like any other error.
    let runtime;
    try {
      runtime = await import('./fgweb.mjs');
    } catch (err) {
      throw Object.assign(new Error(`the runtime (fgweb.mjs and src/) could not be loaded: ${errorText(err)}. `
        + 'Rebuild the bundle with `fgweb build` and serve it with `fgweb serve`.'), { type: 'load_error' });
    }
    agent = await runtime.createAgent(options);
  } catch (err) {
    console.error(err);
    setState('error');
    ui.status.textContent = 'Loading failed.';
    showError(err, 'Could not load the assistant');
    throw err;
  }
  const ms = agent.loadMs ?? performance.now() - started;
  ui.status.textContent = `Ready: ${agent.artifact} model loaded in ${formatMs(ms)}.`;
  ui.backend.hidden = false;
  ui.backend.textContent = agent.backend;
  ui.backend.dataset.backend = agent.backend;
  ui.backend.title = `the model runs on ${agent.backend}`;
  if (agent.fallback) {
    ui.fallback.hidden = false;
    ui.fallback.textContent = agent.fallback;
  }
  if (agent.manifest) fillArtifacts(agent.manifest);
  ui.command.disabled = false;
  ui.run.disabled = false;
  setState('ready');
  ui.command.focus();
  return agent;
}

const ready = load();
ready.catch(() => {}); // shown on the page; awaiting callers still see the rejection

/* ------------------------------------------------------------------------------------------------ */
/* Commands and the log                                                                              */
/* ------------------------------------------------------------------------------------------------ */

/**
 * Renders a call as `name(key="value", ref=3)`, keys in the order the model wrote them.
 * @param {{name: string, arguments: Record<string, any>}} call
 */
export function formatCall(call) {
  const args = Object.entries(call.arguments || {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${call.name}(${args.join(', ')})`;
}

/**
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {any} value */
function shortJson(value) {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

// The log keeps the newest entries only: a page left open for hundreds of commands must not grow
// without bound (each entry is about 60 nodes).
const LOG_LIMIT = 50;

/** @param {HTMLElement} entry */
function showEntry(entry) {
  ui.log.prepend(entry);
  while (ui.log.children.length > LOG_LIMIT) ui.log.lastElementChild?.remove();
}

/**
 * Appends a log entry for one command, newest first; `r` is agent.run's result, `err` a thrown error.
 * @param {string} command
 * @param {boolean} execute
 * @param {any} r
 * @param {any} [err]
 */
function logEntry(command, execute, r, err) {
  const entry = el('li', 'entry');
  const head = el('div', 'entry-head');
  head.append(el('span', 'entry-command', command));
  head.append(el('span', 'entry-mode', execute ? 'execute' : 'dry run'));
  entry.append(head);

  if (err) {
    entry.dataset.status = 'error';
    const box = el('div', 'entry-error');
    box.append(el('strong', '', `${err.type || err.name || 'Error'}: `), document.createTextNode(err.message || String(err)));
    entry.append(box);
    showEntry(entry);
    return entry;
  }

  const calls = el('ol', 'calls');
  r.calls.forEach((/** @type {any} */ call, /** @type {number} */ i) => {
    const item = el('li', 'call');
    item.dataset.index = String(i);
    item.dataset.name = call.name;
    item.dataset.valid = String(Boolean(call.valid));
    item.append(el('code', 'call-text', formatCall(call)));
    item.append(el('span', `badge ${call.valid ? 'valid' : 'invalid'}`, call.valid ? 'valid' : 'invalid'));
    if (call.issues && call.issues.length) {
      const issues = el('ul', 'issues');
      for (const issue of call.issues) {
        const li = el('li', 'issue', issue.message || issue.code);
        li.dataset.code = issue.code || '';
        issues.append(li);
      }
      item.append(issues);
    }
    calls.append(item);
  });
  if (r.calls.length) entry.append(calls);

  if (r.parseError) {
    const box = el('div', 'parse-error', `The model's output could not be read: ${r.parseError.message}`);
    box.dataset.code = r.parseError.code || '';
    entry.append(box);
  }
  const executed = el('ul', 'executed');
  for (const ex of r.executed) {
    const call = r.calls[ex.index];
    const line = el('li', `exec ${ex.ok ? 'ok' : 'failed'}`);
    line.dataset.index = String(ex.index);
    line.dataset.name = ex.name;
    line.dataset.ok = String(Boolean(ex.ok));
    line.append(el('span', 'exec-mark', ex.ok ? '✓ ' : '✗ '));
    line.append(el('code', '', call ? formatCall(call) : ex.name));
    if (ex.ok && ex.result !== undefined) {
      line.append(el('span', 'exec-label', ' → '));
      line.append(el('span', 'exec-result', shortJson(ex.result)));
    }
    if (!ex.ok) line.append(el('span', 'exec-error', ` ${ex.error || 'failed'}`));
    executed.append(line);
  }
  if (r.executed.length) {
    entry.append(el('div', 'section-label', 'Executed'));
    entry.append(executed);
  } else if (execute && r.calls.length) {
    entry.append(el('div', 'section-label muted not-executed', 'Nothing was executed (the first call is invalid).'));
  } else if (!execute && r.calls.length) {
    entry.append(el('div', 'section-label muted not-executed', 'Dry run: nothing was executed.'));
  }

  // The model's words: its answer, or what it said after reading the page with a read tool.
  if (r.text) entry.append(el('div', 'answer', r.text));
  if (!r.calls.length && !r.text && !r.parseError) entry.append(el('div', 'answer muted', 'No action.'));

  const t = r.timings || {};
  const timings = el('div', 'timings');
  /** @type {[string, string, any][]} */
  const items = [
    ['snapshot', formatMs(t.snapshotMs), t.snapshotMs],
    ['prefill', formatMs(t.prefillMs), t.prefillMs],
    ['decode', formatMs(t.decodeMs), t.decodeMs],
    ['total', formatMs(t.totalMs), t.totalMs],
    ['tokens', `${t.promptTokens ?? '?'} in, ${t.generatedTokens ?? '?'} out`, t.generatedTokens],
  ];
  if (t.actMs != null) items.splice(3, 0, ['act', formatMs(t.actMs), t.actMs]);
  if (typeof t.modelSteps === 'number') items.push(['steps', `${t.modelSteps} model steps after the prompt`, t.modelSteps]);
  if (typeof t.cachedTokens === 'number') items.push(['reused', `${t.cachedTokens} prompt tokens (KV cache)`, t.cachedTokens]);
  for (const [name, text] of items) {
    const span = el('span', 'timing');
    span.dataset.timing = name;
    span.append(el('span', 'timing-name', name), document.createTextNode(` ${text}`));
    timings.append(span);
  }
  timings.append(el('span', 'timing backend-used', r.backend || ''));
  entry.append(timings);

  const details = el('details', 'raw');
  details.append(el('summary', '', 'Snapshot and raw output'));
  details.append(el('div', 'section-label', 'What the model saw'));
  details.append(el('pre', 'snapshot', r.snapshot || ''));
  details.append(el('div', 'section-label', 'What the model wrote'));
  details.append(el('pre', 'completion', r.completion || ''));
  entry.append(details);

  const anyInvalid = r.calls.some((/** @type {any} */ c) => !c.valid);
  const anyFailed = r.executed.some((/** @type {any} */ e) => !e.ok);
  entry.dataset.status = r.parseError ? 'parse-error' : anyInvalid ? 'invalid' : anyFailed ? 'failed'
    : r.calls.length ? 'ok' : 'text';
  showEntry(entry);
  return entry;
}

/** @type {any[]} */
const results = [];
/** @type {Promise<any>} */
let queue = Promise.resolve();

/**
 * Runs a command (one at a time: a second waits for the first) and logs it. With `completion`, the
 * model's output is that text instead (agent.runCompletion, for tests), `followUp` its words after a
 * read tool's result.
 * @param {string} command
 * @param {{completion?: string, followUp?: string}} [scripted]
 * @returns {Promise<any>} agent.run's result
 */
function run(command, { completion, followUp } = {}) {
  const text = String(command ?? '').trim();
  const job = queue.then(async () => {
    const current = await ready;
    if (!text) throw new Error('type a command first');
    const execute = ui.execute.checked;
    ui.run.disabled = true;
    ui.run.textContent = 'Running…';
    document.body.dataset.running = 'true';
    try {
      const r = completion === undefined
        ? await current.run(text, { execute })
        : await current.runCompletion(completion, { execute, followUp: followUp ?? null, command: text });
      results.push(r);
      logEntry(text, execute, r);
      return r;
    } catch (err) {
      console.error(err);
      logEntry(text, execute, null, err);
      throw err;
    } finally {
      ui.run.disabled = false;
      ui.run.textContent = 'Run';
      delete document.body.dataset.running;
    }
  });
  queue = job.catch(() => {});
  return job;
}

ui.commandForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.command.value.trim();
  if (!text || ui.run.disabled) return;
  run(text).catch(() => {}); // logged
});

for (const button of document.querySelectorAll('button.example')) {
  button.addEventListener('click', () => {
    ui.command.value = button.textContent || '';
    if (agent && !ui.run.disabled) run(ui.command.value).catch(() => {});
    else ui.command.focus();
  });
}

ui.clearLog.addEventListener('click', () => ui.log.replaceChildren());

chooserSetup();

/** @type {Promise<ServiceWorkerRegistration | null>} */
const serviceWorker = 'serviceWorker' in navigator
  ? navigator.serviceWorker.register('./sw.js').catch((err) => {
    console.warn('fgweb demo: no offline support, the service worker did not register:', err);
    return null;
  })
  : Promise.resolve(null);

Object.defineProperty(window, 'demo', {
  value: Object.freeze({
    get agent() { return agent; },
    ready,
    run,
    results,
    serviceWorker,
  }),
});
