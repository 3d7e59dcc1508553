/**
 * The model's Web Worker: loads the tokenizer and an ONNX artifact of the bundle, keeps the developer
 * turn's KV, and turns a (snapshot, command) into a completion. The page thread (agent.js) only
 * snapshots, validates and acts.
 *
 * Messages in: {id, op, args}; out: {id, ok: true, result} | {id, ok: false, error: {type, message}}
 * and, while loading, {type: 'progress', event}. Ops: load, generate, followUp, generateIds, scores, encode.
 *
 * Vocabulary: with a body graph and vocab 'copy' (the default), generate and followUp score every id
 * for the first token and, when it is `<start_function_call>`, only the prompt's copy vocabulary
 * (vocab.js) after it; otherwise (vocab 'full', words answers, full graphs) every id at every step.
 * With constrain 'snapshot' (the default), a call is held to the toolset's call grammar (tool names,
 * argument names and order, value types, delimiters), its element, ref and option are further kept on
 * the snapshot's lines, and type_text's text on stretches of the command (constrain.js). With
 * jumpForward (the default), an id the hooks allow alone is appended without a model step, and each
 * forced stretch runs through the model in one pass with the next chosen id (decoder.js).
 */

import { FUNCTION_TOKENS, MODEL_TURN_START, renderResponse, renderUserTurn } from './protocol.js';
import { Tokenizer } from './tokenizer.js';
import { FgwebError, errorText, loadVerified, mb } from './loader.js';
import { OnnxDecoder, readLmHead } from './decoder.js';
import { copyHook, copyVocabulary } from './vocab.js';
import { callGrammar, snapshotHook, snapshotTargets } from './constrain.js';

const VENDOR = new URL('../vendor/onnxruntime-web/', import.meta.url).href;
const ORT_BUILDS = { wasm: 'ort.wasm.min.mjs', webgpu: 'ort.webgpu.min.mjs' };

/**
 * @typedef {{snapshot: string, command: string}} Turn  what a generation was asked (for its copy vocabulary)
 * @type {{decoder: OnnxDecoder, tokenizer: Tokenizer, stopIds: number[], developerIds: number[],
 *   reuse: 'longest' | 'pinned' | 'none', vocab: 'copy' | 'full', constrain: 'snapshot' | 'none',
 *   jumpForward: boolean, vocabSize: number, tools: any[], grammar: import('./constrain.js').CallGrammar,
 *   last: {promptIds: number[], tokenIds: number[], turn: Turn | null} | null} | null}
 */
let state = null;

/** @param {any} event */
function progress(event) {
  self.postMessage({ type: 'progress', event });
}

/**
 * Picks the backend: 'auto' takes WebGPU only from a hardware adapter (a software fallback such as
 * SwiftShader is correct but 100x slower than WASM).
 * @param {string} wanted
 * @returns {Promise<{backend: 'wasm' | 'webgpu', fallback: string | null}>}
 */
async function chooseBackend(wanted) {
  if (wanted === 'wasm') return { backend: 'wasm', fallback: null };
  const gpu = /** @type {any} */ (self.navigator).gpu;
  let adapter = null;
  let why = 'this browser has no WebGPU';
  if (gpu) {
    try {
      adapter = await gpu.requestAdapter();
      if (!adapter) why = 'no WebGPU adapter was found';
    } catch (err) {
      why = `WebGPU failed: ${errorText(err)}`;
    }
  }
  if (wanted === 'webgpu') {
    if (!adapter) throw new FgwebError('backend_error', `backend 'webgpu' was asked for, but ${why}; use backend 'wasm' or 'auto'`);
    return { backend: 'webgpu', fallback: null };
  }
  if (adapter && (adapter.info?.isFallbackAdapter || adapter.isFallbackAdapter)) {
    return { backend: 'wasm', fallback: 'the WebGPU adapter is a software fallback: using WASM' };
  }
  return adapter ? { backend: 'webgpu', fallback: null } : { backend: 'wasm', fallback: `${why}: using WASM` };
}

/**
 * @param {'wasm' | 'webgpu'} backend
 * @param {number} threads
 */
async function importOrt(backend, threads) {
  const ort = await import(VENDOR + ORT_BUILDS[backend]);
  ort.env.wasm.wasmPaths = VENDOR;
  // Threads need cross-origin isolation (SharedArrayBuffer); on 2 cores one thread was the faster.
  ort.env.wasm.numThreads = self.crossOriginIsolated ? threads : 1;
  ort.env.wasm.proxy = false; // already off the page thread
  ort.env.logLevel = 'error';
  return ort;
}

/**
 * @param {any} manifest
 * @param {string} path
 */
function fileEntry(manifest, path) {
  const entry = (manifest.files || []).find((/** @type {any} */ f) => f.path === path);
  if (!entry) throw new FgwebError('load_error', `the bundle manifest lists no ${path}: rebuild the bundle`);
  return entry;
}

const ops = {
  /**
   * @param {{bundle: string, manifest: any, backend: string, artifact?: string, threads?: number,
   *   reuse?: 'longest' | 'pinned' | 'none', vocab?: 'copy' | 'full', constrain?: 'snapshot' | 'none',
   *   jumpForward?: boolean, tools?: any[]}} args
   *   tools: the toolset entries (the copy vocabulary tokenizes one call of each; the call grammar
   *   follows their schemas)
   */
  async load({ bundle, manifest, backend: wanted = 'auto', artifact, threads = 1, reuse = 'longest', vocab = 'copy', constrain = 'snapshot', jumpForward = true, tools = [] }) {
    const started = performance.now();
    const name = artifact || manifest.default_artifact;
    const art = manifest.artifacts?.[name];
    if (!art) {
      const known = Object.keys(manifest.artifacts || {}).join(', ');
      throw new FgwebError('load_error', `the bundle has no artifact ${JSON.stringify(name)} (it has ${known})`);
    }
    if (art.kind !== 'onnx') {
      throw new FgwebError('load_error', `artifact ${name} is a ${art.kind} file: this runtime runs ONNX artifacts (choose one of ${Object.keys(manifest.artifacts).filter((k) => manifest.artifacts[k].kind === 'onnx').join(', ')})`);
    }
    const fetchFile = (/** @type {string} */ path) => {
      const entry = fileEntry(manifest, path);
      return loadVerified(new URL(path, bundle).href, { sha256: entry.sha256, bytes: entry.bytes, file: path, onProgress: progress });
    };

    progress({ phase: 'tokenizer', message: 'loading the tokenizer' });
    const [tokJson, tokManifest] = await Promise.all([fetchFile(manifest.tokenizer.json), fetchFile(manifest.tokenizer.manifest)]);
    const decoderText = new TextDecoder();
    const tokenizerManifest = JSON.parse(decoderText.decode(tokManifest));
    const tokenizer = Tokenizer.fromJSON(JSON.parse(decoderText.decode(tokJson)), tokenizerManifest);
    const developerIds = tokenizerManifest.prompt?.developer_turn_ids;
    if (!Array.isArray(developerIds) || developerIds.length === 0) {
      throw new FgwebError('load_error', 'tokenizer_manifest.json has no prompt.developer_turn_ids: rebuild the bundle');
    }

    const { backend, fallback } = await chooseBackend(wanted);
    const graphFile = art.files.find((/** @type {string} */ f) => f.endsWith('.onnx'));
    if (art.files.some((/** @type {string} */ f) => f.endsWith('.onnx_data'))) {
      throw new FgwebError('load_error', `${graphFile} keeps its weights in an external data file, which this runtime does not load yet`);
    }
    const modelBytes = await fetchFile(graphFile);
    let lmHead = null;
    const headJson = art.files.find((/** @type {string} */ f) => f.endsWith('lm_head.json'));
    if (headJson) {
      const desc = JSON.parse(decoderText.decode(await fetchFile(headJson)));
      lmHead = readLmHead(desc, await fetchFile(art.files.find((/** @type {string} */ f) => f.endsWith('.bin'))));
    }

    progress({ phase: 'session', message: `starting onnxruntime-web (${backend}) on ${graphFile} (${mb(modelBytes.length)})` });
    const config = manifest.model?.config || {};
    let decoder;
    try {
      const ort = await importOrt(backend, threads);
      decoder = await OnnxDecoder.create(ort, modelBytes, {
        backend, lmHead, kvHeads: config.num_key_value_heads ?? 1, headDim: config.head_dim ?? 256,
      });
    } catch (err) {
      if (err instanceof FgwebError) throw err;
      throw new FgwebError(backend === 'webgpu' ? 'backend_error' : 'load_error',
        `onnxruntime-web could not open ${graphFile} on ${backend}: ${errorText(err)}`);
    }
    progress({ phase: 'prefix', message: `computing the developer turn (${developerIds.length} tokens)` });
    const t = performance.now();
    await decoder.pin(developerIds);
    const prefixMs = performance.now() - t;
    const stopIds = tokenizerManifest.stop_ids || [tokenizer.idOf('<start_function_response>'), tokenizer.idOf('<end_of_turn>')];
    const scoring = lmHead && vocab === 'copy' ? 'copy' : 'full'; // full graphs compute every logit anyway
    state = {
      decoder, tokenizer, stopIds, developerIds, reuse, vocab: scoring, constrain,
      jumpForward: Boolean(jumpForward) && decoder.stretchesExact, // dynamic int8 graphs decode step by step
      vocabSize: config.vocab_size ?? tokenizer.vocabSize, tools, grammar: callGrammar(tokenizer, tools), last: null,
    };
    const result = {
      backend, fallback, artifact: name, vocab: scoring, constrain, jumpForward: state.jumpForward, loadMs: performance.now() - started, prefixMs,
      threads: self.crossOriginIsolated ? threads : 1,
    };
    progress({ phase: 'ready', message: `ready (${backend})` });
    return result;
  },

  /**
   * Prompt = developer turn + user turn (snapshot, command) + model turn; greedy until a stop id.
   * `start`: text the completion must begin with (its ids are forced, e.g. `<start_function_call>` for
   * a call rather than words; tests use it to decode inside calls with a model that writes none).
   * @param {{snapshot: string, command: string, maxNewTokens?: number, start?: string}} args
   */
  async generate({ snapshot, command, maxNewTokens = 160, start = '' }) {
    const s = ready();
    const promptIds = [...s.developerIds, ...s.tokenizer.encode(renderUserTurn(snapshot, command) + MODEL_TURN_START)];
    return run(s, promptIds, maxNewTokens, { snapshot, command }, null, start ? s.tokenizer.encode(start) : []);
  },

  /**
   * Continues the last generation after its calls with their function responses (read tools).
   * @param {{responses: {name: string, value: any}[], maxNewTokens?: number}} args
   */
  async followUp({ responses, maxNewTokens = 160 }) {
    const s = ready();
    if (!s.last) throw new FgwebError('generation_error', 'followUp needs a generation before it');
    const calls = s.last.tokenIds.at(-1) === FUNCTION_TOKENS['<start_function_response>'] ? s.last.tokenIds.slice(0, -1) : s.last.tokenIds;
    const text = responses.map((r) => renderResponse(r.name, r.value)).join('');
    return run(s, [...s.last.promptIds, ...calls, ...s.tokenizer.encode(text)], maxNewTokens, s.last.turn);
  },

  /**
   * Greedy from raw prompt ids (tests and benchmarks); with allowedIds, every token is chosen among them.
   * @param {{ids: number[], maxNewTokens?: number, allowedIds?: number[] | null}} args
   */
  async generateIds({ ids, maxNewTokens = 32, allowedIds = null }) {
    const allowed = allowedIds ? [...allowedIds].sort((a, b) => a - b) : null;
    return run(ready(), ids, maxNewTokens, null, allowed && (() => allowed));
  },

  /**
   * The next-token scores after raw prompt ids, from scratch (tests compare them with Python's); a body
   * graph given allowedIds computes only those (-Infinity elsewhere).
   * @param {{ids: number[], allowedIds?: number[] | null}} args
   */
  async scores({ ids, allowedIds = null }) {
    const s = ready();
    const { scores } = await s.decoder.forward(ids, s.decoder.emptyPast(), 0, allowedIds);
    return Array.from(scores);
  },

  /** @param {{text: string}} args */
  async encode({ text }) {
    return ready().tokenizer.encode(text);
  },

  async dispose() {
    if (state) await state.decoder.release();
    state = null;
    return true;
  },
};

function ready() {
  if (!state) throw new FgwebError('generation_error', 'the model is not loaded: call load first');
  return state;
}

/**
 * Greedy after `promptIds`: with the copy vocabulary when the state has it and `turn` is given, else
 * with `allowed` (null: every id); with constrain 'snapshot' and a turn, held to the call grammar and
 * the snapshot. Adds `completion`, `scoredTokens` (the width of the vocabulary scored after the first
 * token: the copy vocabulary's size, or every id; the grammar and snapshot narrow single steps further)
 * and `vocabMs` (the time the hooks took to build) to the decoder's result (`modelSteps` among it).
 * @param {NonNullable<typeof state>} s
 * @param {number[]} promptIds
 * @param {number} maxNewTokens
 * @param {Turn | null} turn
 * @param {import('./decoder.js').AllowedTokens | null} [allowed]
 * @param {number[]} [startIds] ids the completion begins with (each the only one allowed at its step)
 */
async function run(s, promptIds, maxNewTokens, turn, allowed = null, startIds = []) {
  const t = performance.now();
  if (turn && s.vocab === 'copy') {
    allowed = copyHook(copyVocabulary(s.tokenizer, { promptIds, ...turn, tools: s.tools, stopIds: s.stopIds }));
  }
  const scoring = allowed;
  if (turn && s.constrain === 'snapshot') {
    allowed = snapshotHook(s.tokenizer, snapshotTargets(turn.snapshot), s.grammar.hook(allowed), turn.command);
  }
  if (startIds.length > 0) {
    const rest = allowed;
    allowed = (generated) => (generated.length < startIds.length ? [startIds[generated.length]] : rest ? rest(generated) : null);
  }
  const vocabMs = performance.now() - t;
  const r = await s.decoder.greedy(promptIds, { maxNewTokens, stopIds: s.stopIds, reuse: s.reuse, allowed, jumpForward: s.jumpForward });
  s.last = { promptIds, tokenIds: r.tokenIds, turn };
  const scored = scoring ? scoring(r.tokenIds.slice(0, 1)) : null;
  return { ...r, completion: s.tokenizer.decode(r.tokenIds), scoredTokens: scored ? scored.length : s.vocabSize, vocabMs };
}

self.onmessage = async (/** @type {MessageEvent} */ e) => {
  const { id, op, args } = e.data;
  try {
    const fn = /** @type {any} */ (ops)[op];
    if (!fn) throw new FgwebError('generation_error', `unknown worker op ${op}`);
    self.postMessage({ id, ok: true, result: await fn(args || {}) });
  } catch (err) {
    const type = err instanceof FgwebError ? err.type : 'generation_error';
    self.postMessage({ id, ok: false, error: { type, message: errorText(err) } });
  }
};
