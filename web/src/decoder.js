/**
 * Greedy decoding on onnxruntime-web over an fgweb decoder graph (export/onnx.py documents the graph):
 * inputs `input_ids`, `attention_mask`, `position_ids` (int64) and `past_key_values.{i}.key|value`;
 * outputs `logits` (last position) or, for the body graph, `last_hidden_state` plus the int8 lm_head
 * rows, and `present.{i}.key|value`.
 *
 *     const dec = await OnnxDecoder.create(ort, modelBytes, { backend: 'wasm', lmHead });
 *     await dec.pin(developerTurnIds);           // KV of the developer turn, computed once
 *     const r = await dec.greedy(promptIds, { maxNewTokens: 96, stopIds: [106, 50, 1] });
 *
 * KV reuse: a prompt starts from the pinned prefix and, with `reuse: 'longest'`, from the longest
 * common prefix with the previous prompt (its KV cut to that length), so a second command on an
 * unchanged page prefills only the command. Dynamic int8 graphs quantize activations per run, so the
 * chunking can move logits slightly: `reuse: 'pinned'` chunks exactly as fgweb/generate.py does.
 *
 * Jump-forward: where the allowed-tokens hook leaves one id (the call grammar's fixed text, constrain.js),
 * greedy appends it without a model step and runs the stretch with the next real choice in one pass.
 */

import { FgwebError } from './loader.js';

/**
 * @typedef {{tokenIds: number[], stopped: boolean, promptTokens: number, cachedTokens: number,
 *   prefillMs: number, decodeMs: number, modelSteps: number, forcedTokens: number}} GreedyResult
 *   modelSteps: forward passes after the prompt's; forcedTokens: ids appended without a pick (jump-forward)
 * @typedef {(generated: number[]) => (number[] | null)} AllowedTokens  ids allowed next; null = all
 * @typedef {{[name: string]: any}} Past  ort Tensors by input name
 * @typedef {{ids: number[], past: Past}} KvState
 * @typedef {{rows: Int8Array, scales: Float32Array, vocab: number, hidden: number, softcap: number | null}} LmHead
 */

export class OnnxDecoder {
  /**
   * @param {any} ort the onnxruntime-web module
   * @param {any} session an ort.InferenceSession over the graph
   * @param {{lmHead?: LmHead | null, kvHeads: number, headDim: number, stretchesExact?: boolean}} options
   *   stretchesExact: whether a pass over several ids computes what passes over one id at a time do
   *   (false for graphs that quantize activations per run: jump-forward is then off)
   */
  constructor(ort, session, { lmHead = null, kvHeads, headDim, stretchesExact = true }) {
    this.ort = ort;
    this.session = session;
    this.lmHead = lmHead;
    this.pastNames = session.inputNames.filter((/** @type {string} */ n) => n.startsWith('past_key_values.'));
    this.outputName = session.outputNames.includes('logits') ? 'logits' : 'last_hidden_state';
    if (!['input_ids', 'attention_mask', 'position_ids'].every((n) => session.inputNames.includes(n)) ||
        !session.outputNames.includes(this.outputName)) {
      throw new FgwebError('load_error', `the model is not an fgweb decoder graph (inputs ${session.inputNames.join(', ')}); rebuild the bundle`);
    }
    if (this.outputName === 'last_hidden_state' && !lmHead) {
      throw new FgwebError('load_error', 'the body graph needs its lm_head rows (lm_head.json + lm_head.int8.bin) beside it');
    }
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    this.stretchesExact = stretchesExact;
    /** @type {KvState | null} the pinned prefix (developer turn) */
    this.pinned = null;
    /** @type {KvState | null} the previous prompt */
    this.last = null;
  }

  /**
   * Creates the session on the backend ('wasm' or 'webgpu').
   * @param {any} ort
   * @param {Uint8Array} modelBytes
   * @param {{backend: 'wasm' | 'webgpu', lmHead?: LmHead | null, kvHeads: number, headDim: number}} options
   */
  static async create(ort, modelBytes, { backend, lmHead = null, kvHeads, headDim }) {
    // DynamicQuantizeLinear scales a run's activations by their range over every position, so a forced
    // stretch run in one pass would round differently from one id at a time: no jump-forward there.
    const stretchesExact = !graphOpTypes(modelBytes).has('DynamicQuantizeLinear');
    const session = await ort.InferenceSession.create(modelBytes, {
      executionProviders: [backend],
      graphOptimizationLevel: 'all',
      // Fold int8 weights behind DequantizeLinear (the body graph: one scale per output column) into
      // fp32 once at load, instead of dequantizing them on every step.
      extra: { session: { disable_quant_qdq: '1' } },
    });
    return new OnnxDecoder(ort, session, { lmHead, kvHeads, headDim, stretchesExact });
  }

  /** @returns {Past} an empty KV cache */
  emptyPast() {
    /** @type {Past} */
    const past = {};
    for (const name of this.pastNames) {
      past[name] = new this.ort.Tensor('float32', new Float32Array(0), [1, this.kvHeads, 0, this.headDim]);
    }
    return past;
  }

  /**
   * Runs `ids` after `past` (which holds `start` positions); returns the next-token scores and new KV.
   * @param {number[]} ids
   * @param {Past} past
   * @param {number} start
   * @param {number[] | null} allowed score only these ids (body graph); null = every id
   * @returns {Promise<{scores: Float32Array, present: Past}>}
   */
  async forward(ids, past, start, allowed = null) {
    const { Tensor } = this.ort;
    const n = ids.length;
    const total = start + n;
    /** @type {{[name: string]: any}} */
    const feeds = {
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      attention_mask: new Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
      position_ids: new Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(start + i)), [1, n]),
      ...past,
    };
    const out = await this.session.run(feeds);
    /** @type {Past} */
    const present = {};
    for (const name of this.pastNames) present[name] = out[`present.${name.slice('past_key_values.'.length)}`];
    const first = out[this.outputName];
    const width = first.dims[first.dims.length - 1];
    // Graphs exported before the last-position slice return every position: take the last row.
    const lastRow = /** @type {Float32Array} */ (first.data).subarray(first.data.length - width);
    const scores = this.outputName === 'logits' ? lastRow : this.headScores(lastRow, allowed);
    return { scores, present };
  }

  /**
   * Logits from the int8 lm_head rows: scale[v] * dot(rows[v], h), softcapped when the model says so.
   * @param {Float32Array} hidden
   * @param {number[] | null} allowed
   * @returns {Float32Array} a full-vocabulary array (-Infinity where not computed)
   */
  headScores(hidden, allowed) {
    const { rows, scales, vocab, hidden: width, softcap } = /** @type {LmHead} */ (this.lmHead);
    const scores = new Float32Array(vocab);
    const tail = width - (width % 4);
    const one = (/** @type {number} */ v) => {
      // Four sums: about twice as fast as one in V8 (Gemma 3 270M: 168 M multiply-adds per full step).
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      const base = v * width;
      let i = 0;
      for (let p = base; i < tail; i += 4, p += 4) {
        a0 += rows[p] * hidden[i];
        a1 += rows[p + 1] * hidden[i + 1];
        a2 += rows[p + 2] * hidden[i + 2];
        a3 += rows[p + 3] * hidden[i + 3];
      }
      for (; i < width; i++) a0 += rows[base + i] * hidden[i];
      let logit = (a0 + a1 + a2 + a3) * scales[v];
      if (softcap) logit = softcap * Math.tanh(logit / softcap);
      scores[v] = logit;
    };
    if (allowed) {
      scores.fill(-Infinity);
      for (const v of allowed) one(v);
    } else {
      for (let v = 0; v < vocab; v++) one(v);
    }
    return scores;
  }

  /**
   * Computes and keeps the KV of `ids` (the developer turn): every prompt that starts with them reuses it.
   * @param {number[]} ids
   */
  async pin(ids) {
    if (ids.length === 0) throw new FgwebError('generation_error', 'pin needs at least one token');
    const { present } = await this.forward(ids, this.emptyPast(), 0);
    this.pinned = { ids: [...ids], past: present };
    this.last = null;
  }

  /**
   * Returns the KV state to start `prompt` from and how many of its tokens it covers (at most n - 1:
   * the last prompt token must run to give the first scores).
   * @param {number[]} prompt
   * @param {'longest' | 'pinned' | 'none'} reuse
   * @returns {{past: Past, start: number}}
   */
  startingPoint(prompt, reuse) {
    let best = { past: this.emptyPast(), start: 0 };
    if (reuse === 'none') return best;
    const pinned = this.pinned;
    if (pinned && pinned.ids.length < prompt.length && startsWith(prompt, pinned.ids)) {
      best = { past: pinned.past, start: pinned.ids.length };
    }
    const last = this.last;
    if (reuse === 'longest' && last) {
      const common = Math.min(commonPrefix(prompt, last.ids), prompt.length - 1);
      if (common > best.start) best = { past: this.cut(last.past, common), start: common };
    }
    return best;
  }

  /**
   * Returns the first `length` positions of a KV cache (copies: the tensors stay untouched).
   * @param {Past} past
   * @param {number} length
   * @returns {Past}
   */
  cut(past, length) {
    /** @type {Past} */
    const out = {};
    for (const [name, tensor] of Object.entries(past)) {
      const [, heads, have, dim] = tensor.dims;
      if (length === have) {
        out[name] = tensor;
        continue;
      }
      const src = /** @type {Float32Array} */ (tensor.data);
      const dst = new Float32Array(heads * length * dim);
      for (let h = 0; h < heads; h++) dst.set(src.subarray(h * have * dim, (h * have + length) * dim), h * length * dim);
      out[name] = new this.ort.Tensor('float32', dst, [1, heads, length, dim]);
    }
    return out;
  }

  /**
   * Greedy-generates after `prompt` until a stop id (kept as the last token) or `maxNewTokens`.
   *
   * Jump-forward (on unless `jumpForward: false`): where `allowed` leaves exactly one id, it is appended
   * without a model step (pick() would return it whatever the scores); when a real choice comes, the
   * last chosen id and the forced ids after it run in one forward pass, whose last position gives the
   * scores to pick from. The tokens are those of step-by-step greedy under the same hook; `modelSteps`
   * counts the forward passes after the prompt's. Graphs whose passes depend on how many ids they
   * run (`stretchesExact` false: dynamic int8 activations) always decode step by step.
   * @param {number[]} prompt starts with <bos>
   * @param {{maxNewTokens?: number, stopIds?: number[], allowed?: AllowedTokens | null,
   *   reuse?: 'longest' | 'pinned' | 'none', jumpForward?: boolean}} [options]
   * @returns {Promise<GreedyResult>}
   */
  async greedy(prompt, { maxNewTokens = 96, stopIds = [], allowed = null, reuse = 'longest', jumpForward = true } = {}) {
    if (prompt.length === 0) throw new FgwebError('generation_error', 'greedy generation needs a non-empty prompt');
    const stops = new Set(stopIds);
    const jump = jumpForward && this.stretchesExact;
    const t0 = performance.now();
    const { past, start } = this.startingPoint(prompt, reuse);
    /** @type {number[]} */
    const tokens = [];
    let next = allowed ? allowed(tokens) : null;
    let { scores, present } = await this.forward(prompt.slice(start), past, start, next);
    this.last = { ids: [...prompt], past: present };
    const t1 = performance.now();
    let position = prompt.length; // positions whose KV `present` holds
    /** @type {number[]} generated ids not yet run through the model (their KV is still to compute) */
    let pending = [];
    let modelSteps = 0;
    let forcedTokens = 0;
    let stopped = false;
    while (tokens.length < maxNewTokens) {
      let token;
      if (jump && next && next.length === 1) {
        token = next[0]; // the only id allowed: what pick() would return, without the model's scores
        forcedTokens += 1;
      } else {
        if (pending.length > 0) { // the last chosen id and the forced ids after it, in one pass
          ({ scores, present } = await this.forward(pending, present, position, next));
          position += pending.length;
          pending = [];
          modelSteps += 1;
        }
        token = pick(scores, next, tokens.length);
      }
      tokens.push(token);
      if (stops.has(token)) {
        stopped = true;
        break;
      }
      if (tokens.length >= maxNewTokens) break;
      pending.push(token);
      next = allowed ? allowed(tokens) : null;
    }
    const t2 = performance.now();
    return {
      tokenIds: tokens, stopped, promptTokens: prompt.length, cachedTokens: start, prefillMs: t1 - t0, decodeMs: t2 - t1,
      modelSteps, forcedTokens,
    };
  }

  async release() {
    await this.session.release();
  }
}

/**
 * Returns the id with the highest score (the lowest id on ties, as numpy's argmax), among `allowed`.
 * @param {Float32Array} scores
 * @param {number[] | null} allowed
 * @param {number} step
 * @returns {number}
 */
export function pick(scores, allowed, step) {
  let best = -1;
  let bestScore = -Infinity;
  if (allowed) {
    if (allowed.length === 0) throw new FgwebError('generation_error', `the allowed-tokens hook allowed nothing at step ${step}`);
    for (const id of [...allowed].sort((a, b) => a - b)) {
      if (best < 0 || scores[id] > bestScore) {
        best = id;
        bestScore = scores[id];
      }
    }
    return best;
  }
  for (let id = 0; id < scores.length; id++) {
    if (scores[id] > bestScore || best < 0) {
      best = id;
      bestScore = scores[id];
    }
  }
  return best;
}

/**
 * Reads the lm_head rows file as lm_head.json describes it.
 * @param {any} desc the parsed lm_head.json
 * @param {Uint8Array} bin lm_head.int8.bin
 * @returns {LmHead}
 */
export function readLmHead(desc, bin) {
  const [vocab, hidden] = desc.weights.shape;
  if (desc.weights.dtype !== 'int8' || desc.scales.dtype !== 'float32' || bin.length < desc.scales.offset + 4 * vocab) {
    throw new FgwebError('load_error', 'lm_head.int8.bin does not fit lm_head.json: rebuild the bundle');
  }
  const rows = new Int8Array(bin.buffer, bin.byteOffset + desc.weights.offset, vocab * hidden);
  const scales = new Float32Array(bin.slice(desc.scales.offset, desc.scales.offset + 4 * vocab).buffer);
  return { rows, scales, vocab, hidden, softcap: desc.final_logit_softcapping ?? null };
}

/**
 * Returns the op types of an ONNX model's main graph (ModelProto.graph.node[].op_type), read from its
 * protobuf bytes without a parser: each node is a few bytes to read, each initializer one length to skip.
 * @param {Uint8Array} bytes
 * @returns {Set<string>} empty when the bytes cannot be read as a model
 */
export function graphOpTypes(bytes) {
  /** @type {Set<string>} */
  const ops = new Set();
  const text = new TextDecoder();
  try {
    const graph = fields(bytes, 0, bytes.length).find((f) => f.field === 7 && f.wire === 2); // ModelProto.graph
    if (!graph) return ops;
    for (const node of fields(bytes, graph.start, graph.end)) {
      if (node.field !== 1 || node.wire !== 2) continue; // GraphProto.node
      const op = fields(bytes, node.start, node.end).find((f) => f.field === 4 && f.wire === 2); // NodeProto.op_type
      if (op) ops.add(text.decode(bytes.subarray(op.start, op.end)));
    }
  } catch {
    ops.clear();
  }
  return ops;
}

/**
 * The fields of a protobuf message in bytes[start, end): number, wire type and the span of its payload.
 * @param {Uint8Array} bytes
 * @param {number} start
 * @param {number} end
 * @returns {{field: number, wire: number, start: number, end: number}[]}
 */
function fields(bytes, start, end) {
  const out = [];
  let pos = start;
  const varint = () => {
    let value = 0;
    for (let scale = 1; ; scale *= 128) {
      if (pos >= end) throw new RangeError('truncated varint');
      const b = bytes[pos++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
    }
  };
  while (pos < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let from = pos;
    if (wire === 0) {
      varint();
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else if (wire === 2) {
      const length = varint();
      from = pos;
      pos += length;
    } else {
      throw new RangeError(`wire type ${wire}`);
    }
    if (pos > end) throw new RangeError('field past the end');
    out.push({ field, wire, start: from, end: pos });
  }
  return out;
}

/**
 * @param {number[]} a
 * @param {number[]} prefix
 * @returns {boolean}
 */
function startsWith(a, prefix) {
  if (prefix.length > a.length) return false;
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
  return true;
}

/**
 * @param {number[]} a
 * @param {number[]} b
 * @returns {number}
 */
function commonPrefix(a, b) {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
