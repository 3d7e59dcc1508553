// Greedy decoding (web/src/decoder.js) over a fake onnxruntime session: jump-forward gives the tokens of
// step-by-step greedy under the same allowed-tokens hook in fewer forward passes, with every pass fed
// the right positions and KV; with the tiny bundle's tokenizer, the same holds for the runtime's
// hooks (call grammar + snapshot + copy vocabulary) on the eval split's calls.
//
//     node --test tests/js/decoder.test.mjs            (from the repository root)

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { OnnxDecoder, graphOpTypes } from '../../web/src/decoder.js';
import { MODEL_TURN_START, renderCompletion, renderUserTurn } from '../../web/src/protocol.js';
import { callGrammar, snapshotHook, snapshotTargets } from '../../web/src/constrain.js';
import { copyHook, copyVocabulary } from '../../web/src/vocab.js';
import { BUNDLE, SKIP, manifest, records, tok, tools } from './built_bundle.mjs';

class Tensor {
  /**
   * @param {string} type
   * @param {any} data
   * @param {number[]} dims
   */
  constructor(type, data, dims) {
    this.type = type;
    this.data = data;
    this.dims = dims;
  }
}

/**
 * A decoder graph whose "KV" is the ids it has seen (one float per position) and whose logits are a
 * function of the whole sequence: a pass over several ids gives what passes over one id at a time give.
 * `prefer(sequence)` may name an id to score highest (a model that knows what comes next).
 */
class FakeSession {
  /**
   * @param {number} vocab
   * @param {((sequence: number[]) => number | null) | null} [prefer]
   */
  constructor(vocab, prefer = null) {
    this.vocab = vocab;
    this.prefer = prefer;
    this.inputNames = ['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key', 'past_key_values.0.value'];
    this.outputNames = ['logits', 'present.0.key', 'present.0.value'];
    /** @type {number[]} how many ids each run took */
    this.runs = [];
  }

  /** @param {{[name: string]: Tensor}} feeds */
  async run(feeds) {
    const ids = Array.from(feeds.input_ids.data, Number);
    const past = Array.from(/** @type {Float32Array} */ (feeds['past_key_values.0.key'].data));
    assert.deepEqual(Array.from(feeds['past_key_values.0.value'].data), past, 'key and value caches agree');
    assert.deepEqual(Array.from(feeds.position_ids.data, Number), ids.map((_, i) => past.length + i), 'positions follow the KV');
    assert.equal(feeds.attention_mask.dims[1], past.length + ids.length);
    const sequence = [...past, ...ids];
    this.runs.push(ids.length);
    const logits = new Float32Array(this.vocab);
    let h = 2166136261;
    for (const id of sequence) h = Math.imul(h ^ id, 16777619) >>> 0;
    for (let v = 0; v < this.vocab; v++) {
      h = Math.imul(h ^ (h >>> 15), 2246822519) >>> 0;
      logits[v] = (h % 100000) / 100000;
    }
    const best = this.prefer ? this.prefer(sequence) : null;
    if (best !== null) logits[best] = 2;
    const kv = () => new Tensor('float32', Float32Array.from(sequence), [1, 1, sequence.length, 1]);
    return { logits: new Tensor('float32', logits, [1, 1, this.vocab]), 'present.0.key': kv(), 'present.0.value': kv() };
  }

  async release() {}
}

/**
 * @param {number} vocab
 * @param {((sequence: number[]) => number | null) | null} [prefer]
 */
function fakeDecoder(vocab, prefer = null) {
  const session = new FakeSession(vocab, prefer);
  return { session, decoder: new OnnxDecoder({ Tensor }, session, { kvHeads: 1, headDim: 1 }) };
}

/** Forces two ids after every id divisible by 3, else leaves 8 ids to choose from. */
function stretches(/** @type {number[]} */ generated) {
  const last = generated.at(-1);
  if (last !== undefined && last % 3 === 0) return [(last * 7 + 1) % 64];
  const before = generated.at(-2);
  if (before !== undefined && before % 3 === 0) return [(last * 5 + 2) % 64];
  return [1, 5, 9, 12, 20, 33, 41, 63];
}

describe('jump-forward on a fake decoder', () => {
  test('gives the tokens of step-by-step greedy, with a model step only where there was a choice', async () => {
    for (const prompt of [[2, 10, 11, 12], [2, 7], [2, 40, 41, 42, 43, 44, 45]]) {
      const plain = fakeDecoder(64);
      const jumped = fakeDecoder(64);
      const a = await plain.decoder.greedy(prompt, { maxNewTokens: 30, allowed: stretches, jumpForward: false });
      const b = await jumped.decoder.greedy(prompt, { maxNewTokens: 30, allowed: stretches });
      assert.deepEqual(b.tokenIds, a.tokenIds);
      assert.equal(a.modelSteps, a.tokenIds.length - 1);
      assert.deepEqual(plain.session.runs, [prompt.length, ...a.tokenIds.slice(1).map(() => 1)]);
      const chosen = a.tokenIds.map((_, i) => i).filter((i) => i > 0 && stretches(a.tokenIds.slice(0, i)).length > 1);
      assert.ok(chosen.length < a.tokenIds.length - 1, 'the hook forced something');
      assert.equal(b.modelSteps, chosen.length);
      assert.equal(b.forcedTokens, a.tokenIds.length - 1 - chosen.length);
      // One pass per choice, each running the ids since the previous choice (the ids after the last
      // choice are never run: nothing is picked after them).
      assert.equal(jumped.session.runs.length, 1 + b.modelSteps);
      assert.equal(jumped.session.runs.slice(1).reduce((x, y) => x + y, 0), chosen.at(-1));
      assert.ok(jumped.session.runs.slice(1).some((n) => n > 1), 'a forced stretch ran in one pass');
    }
  });

  test('stops at a stop id or the token limit inside a forced stretch, and keeps the prompt for reuse', async () => {
    const { decoder, session } = fakeDecoder(64);
    const prompt = [2, 10, 11, 12];
    const free = await decoder.greedy(prompt, { maxNewTokens: 30, allowed: stretches });
    const forcedAt = free.tokenIds.findIndex((_, i) => i > 0 && stretches(free.tokenIds.slice(0, i)).length === 1);
    assert.ok(forcedAt > 0);
    for (const r of [
      await decoder.greedy(prompt, { maxNewTokens: forcedAt + 1, allowed: stretches }),
      await decoder.greedy(prompt, { maxNewTokens: 30, allowed: stretches, stopIds: [free.tokenIds[forcedAt]] }),
    ]) {
      assert.deepEqual(r.tokenIds, free.tokenIds.slice(0, forcedAt + 1));
      assert.equal(r.cachedTokens, prompt.length - 1, 'the previous prompt\'s KV was reused');
    }
    // The next prompt extends the last one: its KV (the prompt's, not the unrun forced ids) is reused.
    session.runs = [];
    const next = [...prompt, ...free.tokenIds.slice(0, 3)];
    const r = await decoder.greedy(next, { maxNewTokens: 4 });
    assert.equal(r.cachedTokens, prompt.length);
    assert.equal(session.runs[0], 3);
  });
});

/**
 * A protobuf length-delimited field (lengths under 128).
 * @param {number} field
 * @param {number[]} payload
 */
function message(field, payload) {
  assert.ok(payload.length < 128);
  return [(field << 3) | 2, payload.length, ...payload];
}
const ascii = (/** @type {string} */ s) => [...s].map((c) => c.charCodeAt(0));

describe('graphs whose passes depend on how many ids they run', () => {
  test('graphOpTypes reads the main graph\'s op types and skips the rest', () => {
    const node = (/** @type {string} */ op) => message(1, [...message(1, ascii('x')), ...message(4, ascii(op))]);
    const model = [0x08, 0x08, ...message(7, [...node('MatMulInteger'), ...message(5, [1, 2, 3]), ...node('DynamicQuantizeLinear')])];
    assert.deepEqual([...graphOpTypes(new Uint8Array(model))], ['MatMulInteger', 'DynamicQuantizeLinear']);
    assert.equal(graphOpTypes(new Uint8Array([0x3a, 0x40, 1])).size, 0, 'a truncated model reads as none');
    for (const [artifact, dynamic] of /** @type {[string, boolean][]} */ ([['body', false], ['q4', false], ['int8', true]])) {
      const file = join(BUNDLE, 'models', `model.${artifact}.onnx`);
      if (existsSync(file)) assert.equal(graphOpTypes(new Uint8Array(readFileSync(file))).has('DynamicQuantizeLinear'), dynamic, artifact);
    }
  });

  test('decode step by step whatever jumpForward says', async () => {
    const session = new FakeSession(64);
    const decoder = new OnnxDecoder({ Tensor }, session, { kvHeads: 1, headDim: 1, stretchesExact: false });
    const r = await decoder.greedy([2, 10, 11, 12], { maxNewTokens: 20, allowed: stretches });
    assert.equal(r.modelSteps, r.tokenIds.length - 1);
    assert.equal(r.forcedTokens, 0);
    assert.ok(session.runs.slice(1).every((n) => n === 1));
  });
});

describe('jump-forward with the runtime hooks', { skip: SKIP }, () => {
  test('a model that writes the eval calls gets them in a model step per real choice', async () => {
    const grammar = callGrammar(tok, tools);
    let tokens = 0;
    let steps = 0;
    for (const r of records.filter((x) => x.calls && x.calls.length > 0).slice(0, 8)) {
      if (r.calls.some((/** @type {any} */ c) => c.name === 'type_text' && !r.command.includes(c.arguments.text))) continue;
      const prompt = [...manifest.prompt.developer_turn_ids, ...tok.encode(renderUserTurn(r.snapshot, r.command) + MODEL_TURN_START)];
      const target = tok.encode(renderCompletion(r.calls, null));
      const ids = copyVocabulary(tok, { promptIds: prompt, snapshot: r.snapshot, command: r.command, tools, stopIds: manifest.stop_ids });
      const hook = () => snapshotHook(tok, snapshotTargets(r.snapshot), grammar.hook(copyHook(ids)), r.command);
      const prefer = (/** @type {number[]} */ seq) => (seq.length >= prompt.length ? target[seq.length - prompt.length] ?? null : null);
      const options = { maxNewTokens: 200, stopIds: manifest.stop_ids };
      const a = await fakeDecoder(262144, prefer).decoder.greedy(prompt, { ...options, allowed: hook(), jumpForward: false });
      const b = await fakeDecoder(262144, prefer).decoder.greedy(prompt, { ...options, allowed: hook() });
      assert.deepEqual(a.tokenIds, target, `${r.id}: the model's calls`);
      assert.deepEqual(b.tokenIds, a.tokenIds, `${r.id}: jump-forward changed the tokens`);
      assert.equal(a.modelSteps, a.tokenIds.length - 1);
      assert.ok(b.modelSteps < a.modelSteps / 2, `${r.id}: ${b.modelSteps} steps for ${b.tokenIds.length} tokens`);
      tokens += b.tokenIds.length;
      steps += b.modelSteps;
    }
    assert.ok(tokens > 0 && steps < tokens / 2, `${steps} model steps for ${tokens} tokens`);
  });
});
