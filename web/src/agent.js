/**
 * The public runtime API (DESIGN.md, "Runtime"): an agent that turns a typed command into validated
 * tool calls and performs them on the page.
 *
 *     import { createAgent } from '/fgweb.mjs';
 *     const agent = await createAgent({ backend: 'auto', onProgress: (e) => console.log(e.message) });
 *     const r = await agent.run('sign in as ann@example.com with password hunter2', { execute: true });
 *     r.calls; r.executed; r.timings; r.backend
 *
 * The model runs in a Web Worker (worker.js); this thread snapshots the page, parses the completion,
 * validates every call against its schema and the snapshot, and acts: each action is checked again on the
 * live page right before it runs, and with a `confirm` callback the actions that submit, navigate or say
 * delete, pay, send, … run only when it allows them (actions.js; docs/runtime.md). Runs are queued: one
 * at a time. `agent.runCompletion(text)` does the same with a completion given instead of the model's.
 */

import { ProtocolError, parseCompletion, validateCalls } from './protocol.js';
import { DEFAULT_MAX_LINES, takeSnapshot } from './snapshot.js';
import { allowedOrigins, checkCall, executeCall } from './actions.js';
import { FgwebError, errorText, fetchJson } from './loader.js';

export { FgwebError };

/** The bundle this module was served from: fgweb.mjs sits at its root, this file in src/. */
const DEFAULT_BUNDLE = new URL('../', import.meta.url).href;

/**
 * @typedef {{
 *   bundle?: string,            // URL of the bundle root (default: where fgweb.mjs was loaded from)
 *   backend?: 'auto' | 'wasm' | 'webgpu',  // default 'auto': WebGPU on a hardware adapter, else WASM
 *   artifact?: string,          // an ONNX artifact of manifest.artifacts (default: manifest.default_artifact)
 *   onProgress?: (event: {phase: string, file?: string, loaded?: number, total?: number,
 *                         cached?: boolean, message: string}) => void,
 *   root?: Element,             // what the model sees and acts on (default: document.body)
 *   maxNewTokens?: number,      // default 160 (a four-call answer is about 130 tokens)
 *   maxLines?: number,          // snapshot budget (default: the build's max_snapshot_lines, else 40)
 *   threads?: number,           // WASM threads (default 1: faster than 2 on a 2-core machine)
 *   reuse?: 'longest' | 'pinned' | 'none',  // KV reuse between prompts (default 'longest')
 *   vocab?: 'copy' | 'full',    // body artifacts: 'copy' (default) scores, once a completion starts with
 *                               // <start_function_call>, only the ids a call can copy from the prompt
 *                               // (vocab.js); 'full' scores every id. Full graphs ignore it.
 *   constrain?: 'snapshot' | 'none',  // 'snapshot' (default): a call follows the toolset's call grammar
 *                               // (tool and argument names, key order, value types), its element, ref
 *                               // and option can only spell a snapshot line the tool acts on, and
 *                               // type_text's text only a stretch of the command, as typed
 *                               // (constrain.js); 'none': free
 *   jumpForward?: boolean,      // default true: where the call grammar (and snapshot) leave one token,
 *                               // append it without a model step, and run each forced stretch with
 *                               // the next chosen token in one pass (same tokens as step by step;
 *                               // graphs that quantize activations per run, int8, ignore it)
 *   allowOrigins?: string[],    // origins besides the page's that navigate, links and form submissions
 *                               // may reach (default none: ["https://example.com"]); javascript: never
 *   confirm?: (request: import('./actions.js').ConfirmRequest) => boolean | Promise<boolean>,
 *                               // asked before an action that submits a form, navigates away, or whose
 *                               // element's name says delete/remove/pay/buy/purchase/send/transfer/cancel
 *                               // subscription, or carries data-fgweb-confirm; anything but true refuses
 *                               // it (default none: such actions run unasked)
 * }} AgentOptions
 *
 * @typedef {{name: string, arguments: {[key: string]: any}, ref: number | null, element: Element | null,
 *   valid: boolean, issues: {code: string, argument: string | null, message: string}[]}} RunCall
 * @typedef {{index: number, name: string, ok: boolean, result?: any, error?: string,
 *   issue?: import('./actions.js').ActionIssue}} Executed  issue: refused before it started (nothing changed)
 */

/**
 * Loads the bundle's model in a worker and returns a ready agent.
 * @param {AgentOptions} [options]
 * @returns {Promise<Agent>}
 */
export async function createAgent(options = {}) {
  const backend = options.backend ?? 'auto';
  if (!['auto', 'wasm', 'webgpu'].includes(backend)) {
    throw new FgwebError('backend_error', `unknown backend ${JSON.stringify(backend)}: choose 'auto', 'wasm' or 'webgpu'`);
  }
  const vocab = options.vocab ?? 'copy';
  if (!['copy', 'full'].includes(vocab)) {
    throw new FgwebError('load_error', `unknown vocab ${JSON.stringify(vocab)}: choose 'copy' or 'full'`);
  }
  const constrain = options.constrain ?? 'snapshot';
  if (!['snapshot', 'none'].includes(constrain)) {
    throw new FgwebError('load_error', `unknown constrain ${JSON.stringify(constrain)}: choose 'snapshot' or 'none'`);
  }
  try {
    allowedOrigins(options.allowOrigins ?? []);
  } catch (err) {
    throw new FgwebError('load_error', errorText(err));
  }
  if (options.confirm != null && typeof options.confirm !== 'function') {
    throw new FgwebError('load_error', 'confirm must be a function (request) => boolean | Promise<boolean>');
  }
  const bundle = new URL(options.bundle ?? DEFAULT_BUNDLE, location.href).href.replace(/\/?$/, '/');
  const onProgress = options.onProgress ?? (() => {});
  onProgress({ phase: 'manifest', message: 'reading the bundle manifest' });
  const manifest = await fetchJson(new URL('manifest.json', bundle).href, 'bundle manifest');
  const toolset = await fetchJson(new URL(manifest.toolset?.file ?? 'toolset.json', bundle).href, 'toolset');
  const worker = new WorkerClient(new URL('./worker.js', import.meta.url), onProgress);
  try {
    const tools = Array.isArray(toolset) ? toolset : toolset.tools || [];
    const loaded = await worker.call('load', {
      bundle, manifest, backend, artifact: options.artifact, threads: options.threads ?? 1, reuse: options.reuse ?? 'longest', vocab, constrain,
      jumpForward: options.jumpForward ?? true, tools,
    });
    return new Agent(worker, manifest, toolset, loaded, options);
  } catch (err) {
    worker.terminate();
    throw err;
  }
}

export class Agent {
  /**
   * @param {WorkerClient} worker
   * @param {any} manifest
   * @param {any} toolset
   * @param {{backend: 'wasm' | 'webgpu', fallback: string | null, artifact: string, vocab: 'copy' | 'full',
   *   jumpForward: boolean, loadMs: number, prefixMs: number, threads: number}} loaded
   * @param {AgentOptions} options
   */
  constructor(worker, manifest, toolset, loaded, options) {
    this.worker = worker;
    this.manifest = manifest;
    this.toolset = toolset;
    /** @type {'wasm' | 'webgpu'} the backend that runs */
    this.backend = loaded.backend;
    /** @type {string | null} why 'auto' did not pick WebGPU */
    this.fallback = loaded.fallback;
    this.artifact = loaded.artifact;
    /** @type {'copy' | 'full'} how generation scores tokens ('full' for full graphs, whatever was asked) */
    this.vocab = loaded.vocab;
    /** whether forced tokens skip the model step (jump-forward; off for graphs with dynamic int8 activations) */
    this.jumpForward = loaded.jumpForward;
    this.loadMs = loaded.loadMs;
    this.prefixMs = loaded.prefixMs;
    this.threads = loaded.threads;
    this.root = options.root ?? null;
    /** origins besides the page's that actions may reach */
    this.allowOrigins = [...allowedOrigins(options.allowOrigins ?? [])];
    this.confirm = options.confirm ?? null;
    this.maxNewTokens = options.maxNewTokens ?? 160;
    this.maxLines = options.maxLines ?? manifest.build?.config?.data?.max_snapshot_lines ?? DEFAULT_MAX_LINES;
    /** @type {Map<string, any>} */
    this.tools = new Map((Array.isArray(toolset) ? toolset : toolset.tools || []).map((/** @type {any} */ t) => [t.function.name, t]));
    /** @type {Promise<unknown>} */
    this.queue = Promise.resolve();
  }

  /**
   * Snapshots the page, asks the model, validates its calls and (with execute) performs them in order,
   * stopping at the first invalid or failed call. A read tool's result goes back to the model as a
   * function response, and its words become `text`.
   * @param {string} command
   * @param {{execute?: boolean, root?: Element, maxNewTokens?: number, followUp?: boolean}} [options]
   */
  run(command, options = {}) {
    if (typeof command !== 'string' || !command.trim()) {
      return Promise.reject(new TypeError('agent.run needs a command: a non-empty string'));
    }
    const next = this.queue.then(() => this.runNow(command, options));
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * @param {string} command
   * @param {{execute?: boolean, root?: Element, maxNewTokens?: number, followUp?: boolean}} options
   */
  async runNow(command, { execute = true, root, maxNewTokens, followUp = true }) {
    const t0 = performance.now();
    const snapshot = takeSnapshot(root ?? this.root ?? document.body, { maxLines: this.maxLines });
    const t1 = performance.now();
    const gen = await this.worker.call('generate', { snapshot: snapshot.text, command, maxNewTokens: maxNewTokens ?? this.maxNewTokens });
    const t2 = performance.now();

    const { calls: parsed, text, parseError } = parse(gen.completion);
    const calls = this.check(parsed, snapshot);
    const executed = execute ? await this.act(calls, snapshot) : [];
    let answer = text ?? '';
    if (execute) {
      const responses = this.responses(executed);
      if (followUp && responses.length > 0 && executed.length === calls.length) {
        const more = await this.worker.call('followUp', { responses, maxNewTokens: maxNewTokens ?? this.maxNewTokens });
        const reply = parse(more.completion);
        answer = reply.text ?? '';
        gen.decodeMs += more.prefillMs + more.decodeMs;
        gen.modelSteps = (gen.modelSteps ?? 0) + 1 + (more.modelSteps ?? 0); // its prompt pass: one more step
        gen.vocabMs += more.vocabMs;
        gen.tokenIds = [...gen.tokenIds, ...more.tokenIds];
      }
    }
    const t3 = performance.now();
    return {
      command,
      snapshot: snapshot.text,
      completion: gen.completion,
      tokenIds: gen.tokenIds,
      calls,
      text: answer,
      executed,
      parseError,
      timings: {
        snapshotMs: t1 - t0,
        prefillMs: gen.prefillMs,
        decodeMs: gen.decodeMs,
        actMs: t3 - t2,
        totalMs: t3 - t0,
        promptTokens: gen.promptTokens,
        cachedTokens: gen.cachedTokens,
        generatedTokens: gen.tokenIds.length,
        modelSteps: gen.modelSteps, // forward passes after the prompt's: forced tokens take none
        scoredTokens: gen.scoredTokens,
        vocabMs: gen.vocabMs,
      },
      backend: this.backend,
    };
  }

  /**
   * The test seam (docs/runtime.md): does what `run` does after generation, on a completion given as
   * text: parses it, checks its calls against `snapshot` (default: a snapshot of the root taken now) and,
   * with execute, performs them (re-checked right before each action, confirmed where the rule says).
   * `followUp` stands for the model's words after read tools' results (a completion too). Queued with
   * the runs; the model is not used.
   * @param {string} completion what the model would have written (`<start_function_call>call:…`)
   * @param {{snapshot?: import('./snapshot.js').Snapshot, root?: Element, execute?: boolean,
   *   followUp?: string | null, command?: string}} [options]
   */
  runCompletion(completion, options = {}) {
    if (typeof completion !== 'string') {
      return Promise.reject(new TypeError('agent.runCompletion needs a completion: a string'));
    }
    const next = this.queue.then(() => this.runCompletionNow(completion, options));
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * @param {string} completion
   * @param {{snapshot?: import('./snapshot.js').Snapshot, root?: Element, execute?: boolean,
   *   followUp?: string | null, command?: string}} options
   */
  async runCompletionNow(completion, { snapshot, root, execute = true, followUp = null, command = '' }) {
    const t0 = performance.now();
    const snap = snapshot ?? takeSnapshot(root ?? this.root ?? document.body, { maxLines: this.maxLines });
    const t1 = performance.now();
    const { calls: parsed, text, parseError } = parse(completion);
    const calls = this.check(parsed, snap);
    const executed = execute ? await this.act(calls, snap) : [];
    let answer = text ?? '';
    const answered = this.responses(executed).length > 0 && executed.length === calls.length;
    if (execute && answered && followUp !== null) answer = parse(followUp).text ?? '';
    const t2 = performance.now();
    return {
      command,
      snapshot: snap.text,
      completion,
      tokenIds: [],
      calls,
      text: answer,
      executed,
      parseError,
      timings: { snapshotMs: t1 - t0, actMs: t2 - t1, totalMs: t2 - t0 },
      backend: this.backend,
    };
  }

  /**
   * Performs valid calls in order; stops at the first invalid call, refusal or failure. Each action is
   * checked again on the live page against its snapshot line right before it runs, and confirmed when
   * the rule asks for it (actions.js executeCall).
   * @param {RunCall[]} calls
   * @param {import('./snapshot.js').Snapshot} snapshot the snapshot the calls were checked against
   * @returns {Promise<Executed[]>}
   */
  async act(calls, snapshot) {
    /** @type {Executed[]} */
    const executed = [];
    for (const [index, call] of calls.entries()) {
      if (!call.valid) break; // a sequence runs in order and stops at the first invalid call
      const entry = call.ref !== null ? snapshot.entries[call.ref - 1] ?? null : null;
      const done = await executeCall({ name: call.name, arguments: call.arguments }, call.element,
        { entry, allowOrigins: this.allowOrigins, confirm: this.confirm });
      executed.push({ index, name: call.name, ...done });
      if (!done.ok) break;
    }
    return executed;
  }

  /**
   * The function responses of the read tools that ran (their results go back to the model).
   * @param {Executed[]} executed
   */
  responses(executed) {
    return executed
      .filter((e) => e.ok && this.tools.get(e.name)?.readOnly)
      .map((e) => ({ name: e.name, value: { text: String(e.result ?? '') } }));
  }

  /**
   * Validates each call against its tool's schema, then against the snapshot.
   * @param {{name: string, arguments: any}[]} parsed
   * @param {import('./snapshot.js').Snapshot} snapshot
   * @returns {RunCall[]}
   */
  check(parsed, snapshot) {
    const schemaIssues = validateCalls(parsed, this.toolset);
    return parsed.map((call, index) => {
      const ref = Number.isInteger(call.arguments?.ref) ? call.arguments.ref : null;
      const entry = ref !== null ? snapshot.entries[ref - 1] : undefined;
      /** @type {RunCall} */
      const out = { name: call.name, arguments: call.arguments, ref, element: entry ? entry.element : null, valid: false, issues: [] };
      const issues = schemaIssues.filter((i) => i.call === index);
      if (issues.length > 0) {
        out.issues = issues.map(({ code, argument, message }) => ({ code, argument, message }));
        return out;
      }
      const checked = checkCall(call, snapshot, this.tools.get(call.name), { allowOrigins: this.allowOrigins });
      out.valid = checked.ok;
      out.issues = checked.issues;
      out.element = checked.element ?? out.element;
      return out;
    });
  }

  /**
   * Greedy generation from raw prompt ids (for parity tests and benchmarks); with `allowed`, every token
   * is chosen among those ids (the copy vocabulary is not applied here).
   * @param {number[]} ids
   * @param {number} [maxNewTokens]
   * @param {{allowed?: number[] | null}} [options]
   */
  generateIds(ids, maxNewTokens = 32, { allowed = null } = {}) {
    const next = this.queue.then(() => this.worker.call('generateIds', { ids, maxNewTokens, allowedIds: allowed }));
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * The next-token scores (logits) after raw prompt ids, computed from scratch (for parity tests); a body
   * artifact given `allowed` computes only those ids (-Infinity elsewhere).
   * @param {number[]} ids
   * @param {{allowed?: number[] | null}} [options]
   * @returns {Promise<number[]>}
   */
  scores(ids, { allowed = null } = {}) {
    const next = this.queue.then(() => this.worker.call('scores', { ids, allowedIds: allowed }));
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * The tokenizer's ids for `text` (the worker's tokenizer).
   * @param {string} text
   * @returns {Promise<number[]>}
   */
  encode(text) {
    return this.worker.call('encode', { text });
  }

  /** Stops the worker and frees the model. */
  async dispose() {
    try {
      await this.worker.call('dispose', {});
    } finally {
      this.worker.terminate();
    }
  }
}

/**
 * @param {string} completion
 * @returns {{calls: {name: string, arguments: any}[], text: string | null, parseError: {code: string, message: string} | null}}
 */
function parse(completion) {
  try {
    const { calls, text } = parseCompletion(completion);
    return { calls, text, parseError: null };
  } catch (err) {
    if (err instanceof ProtocolError) return { calls: [], text: null, parseError: { code: err.code, message: err.detail } };
    throw err;
  }
}

/** Promise-based calls into the model worker. */
class WorkerClient {
  /**
   * @param {URL} url
   * @param {(event: any) => void} onProgress
   */
  constructor(url, onProgress) {
    this.worker = new Worker(url, { type: 'module', name: 'fgweb-model' });
    this.nextId = 1;
    /** @type {Map<number, {resolve: (v: any) => void, reject: (e: Error) => void}>} */
    this.pending = new Map();
    this.worker.onmessage = (e) => {
      const msg = e.data;
      if (msg.type === 'progress') {
        try {
          onProgress(msg.event);
        } catch (err) {
          console.error('fgweb: onProgress threw', err);
        }
        return;
      }
      const waiting = this.pending.get(msg.id);
      if (!waiting) return;
      this.pending.delete(msg.id);
      if (msg.ok) waiting.resolve(msg.result);
      else waiting.reject(new FgwebError(msg.error.type, msg.error.message));
    };
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.failAll(new FgwebError('load_error', `the model worker failed: ${e.message || 'it could not start (are src/worker.js and vendor/ in the bundle?)'}`));
    };
  }

  /**
   * @param {string} op
   * @param {any} args
   * @returns {Promise<any>}
   */
  call(op, args) {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ id, op, args });
      } catch (err) {
        this.pending.delete(id);
        reject(new FgwebError('generation_error', `could not message the model worker: ${errorText(err)}`));
      }
    });
  }

  /** @param {Error} err */
  failAll(err) {
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
  }

  terminate() {
    this.worker.terminate();
    this.failAll(new FgwebError('generation_error', 'the agent was disposed'));
  }
}
