// The JS tokenizer (web/src/tokenizer.js) against the Python tokenizer's ids for the shared strings
// (tests/vectors/tokenizer_strings.json -> tokenizer_expected.json, written by
// tests/make_tokenizer_vectors.py), with the real Gemma 3 tokenizer.json.
//
//     node --test tests/js/            (from the repository root)
//
// tokenizer.json comes from $FGWEB_TOKENIZER_DIR (a bundle or export dir; its tokenizer_manifest.json
// is checked too when present), else from the cached conversion that
// fgweb.model.gguf_tokenizer_dir() names. Without either, the tests skip and say why.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Tokenizer, TokenizerError } from '../../web/src/tokenizer.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VECTORS = join(ROOT, 'tests', 'vectors');
const STRINGS = JSON.parse(readFileSync(join(VECTORS, 'tokenizer_strings.json'), 'utf8')).strings;
const EXPECTED = JSON.parse(readFileSync(join(VECTORS, 'tokenizer_expected.json'), 'utf8'));
const PYTHON = process.env.PYTHON || 'python3';

/** Returns {dir} of the tokenizer to test, or {why} it cannot be found. */
function findTokenizerDir() {
  const env = process.env.FGWEB_TOKENIZER_DIR;
  if (env) {
    if (existsSync(join(env, 'tokenizer.json'))) return { dir: env };
    return { why: `FGWEB_TOKENIZER_DIR=${env} has no tokenizer.json` };
  }
  const r = spawnSync(PYTHON, ['-c', 'from fgweb.model import gguf_tokenizer_dir; print(gguf_tokenizer_dir())'], {
    cwd: ROOT, encoding: 'utf8', timeout: 300_000,
  });
  const dir = (r.stdout || '').trim().split('\n').pop() || '';
  if (r.status === 0 && dir && existsSync(join(dir, 'tokenizer.json'))) return { dir };
  const reason = (r.stderr || String(r.error || '')).trim().split('\n').pop();
  return {
    why: 'no tokenizer: set FGWEB_TOKENIZER_DIR to a dir with tokenizer.json, or make ' +
      `\`${PYTHON} -c "from fgweb.model import gguf_tokenizer_dir"\` work (${reason})`,
  };
}

const found = findTokenizerDir();
const SKIP = found.dir ? false : found.why;

/** @type {Tokenizer} */
let tok;
if (found.dir) {
  const manifestPath = join(found.dir, 'tokenizer_manifest.json');
  const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null;
  tok = Tokenizer.fromJSON(readFileSync(join(found.dir, 'tokenizer.json'), 'utf8'), manifest);
}

/** @param {string} s */
const show = (s) => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);

describe('tokenizer vectors', { skip: SKIP }, () => {
  test('the expected file covers every string', () => {
    assert.equal(EXPECTED.cases.length, STRINGS.length, 'regenerate with tests/make_tokenizer_vectors.py');
    assert.ok(STRINGS.length >= 300);
  });

  test('encode gives the Python ids for every string', () => {
    const failures = [];
    STRINGS.forEach(({ kind, text }, i) => {
      const got = tok.encode(text);
      const want = EXPECTED.cases[i].ids;
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`#${i} ${kind} ${show(text)}`);
    });
    assert.deepEqual(failures, [], `${failures.length} of ${STRINGS.length} strings encode differently`);
  });

  test('decode gives the Python text: the string itself where Python round-trips', () => {
    const failures = [];
    STRINGS.forEach(({ kind, text }, i) => {
      const c = EXPECTED.cases[i];
      const full = c.roundtrip ? text : c.decoded;
      const skipped = c.decoded_skip_special ?? full;
      if (tok.decode(c.ids) !== full) failures.push(`#${i} ${kind} ${show(text)}`);
      if (tok.decode(c.ids, { skipSpecial: true }) !== skipped) failures.push(`#${i} skipSpecial ${show(text)}`);
      if (c.roundtrip && tok.decode(tok.encode(text)) !== text) failures.push(`#${i} round trip ${show(text)}`);
    });
    assert.deepEqual(failures, []);
  });
});

describe('tokenizer behaviour', { skip: SKIP }, () => {
  test('special tokens in the text are single ids and no <bos> is added', () => {
    const bos = tok.idOf('<bos>');
    const sot = tok.idOf('<start_of_turn>');
    assert.equal(typeof bos, 'number');
    assert.deepEqual(tok.encode('<bos>'), [bos]);
    assert.notEqual(tok.encode('hello')[0], bos);
    assert.deepEqual(tok.encode('<bos><start_of_turn>').slice(0, 2), [bos, sot]);
    for (const [text, id] of Object.entries({ '<start_function_call>': 48, '<escape>': 52 })) {
      assert.equal(tok.idOf(text), id);
      assert.deepEqual(tok.encode(`a${text}b`).filter((x) => x === id), [id]);
    }
  });

  test('decode with skipSpecial drops special tokens only', () => {
    const ids = tok.encode('<bos><start_of_turn>user\nhi<table><end_of_turn>');
    assert.equal(tok.decode(ids, { skipSpecial: true }), 'user\nhi<table>');
  });

  test('idOf gives undefined for text that is no token', () => {
    assert.equal(tok.idOf('<definitely not a token>'), undefined);
  });

  test('a 3,000-character prompt encodes in well under 50 ms', (t) => {
    const prompt = STRINGS.filter((s) => s.kind === 'prompt').map((s) => s.text).find((s) => s.length >= 3000);
    assert.ok(prompt, 'the strings hold a prompt of 3,000+ characters');
    tok.encode('warm up the code paths, not the word cache: Ready? ' + 'ok\n'.repeat(3));
    tok.cache.clear();
    let start = performance.now();
    tok.encode(prompt);
    const cold = performance.now() - start;
    const runs = 20;
    start = performance.now();
    for (let i = 0; i < runs; i++) tok.encode(prompt);
    const warm = (performance.now() - start) / runs;
    t.diagnostic(`encode ${prompt.length} chars: first ${cold.toFixed(1)} ms, cached ${warm.toFixed(2)} ms`);
    assert.ok(cold < 250, `first encode took ${cold.toFixed(1)} ms`);
  });
});

// --- a tiny hand-made tokenizer.json: runs without the real one ---------------------------------------

/** Returns a small tokenizer.json in the shape fgweb exports (Gemma's components). */
function tinySpec() {
  const vocab = { '<unk>': 0, '<bos>': 1, '<escape>': 2, '\n': 3, '▁▁': 4 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 5 + b;
  for (const piece of ['▁', 'a', 'b', 'c', 'ab', 'bc', 'abc', '▁a', 'aa']) vocab[piece] = Object.keys(vocab).length;
  const added = (id, content, special, normalized = false) => ({
    id, content, special, normalized, single_word: false, lstrip: false, rstrip: false,
  });
  return {
    version: '1.0',
    added_tokens: [added(0, '<unk>', true), added(1, '<bos>', true), added(2, '<escape>', true),
      added(3, '\n', false), added(4, '▁▁', false, true)],
    normalizer: { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
    pre_tokenizer: null,
    post_processor: null,
    decoder: { type: 'Sequence', decoders: [
      { type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }] },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null,
      end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab,
      merges: [['a', 'b'], ['b', 'c'], ['▁', 'a'], ['ab', 'c'], ['a', 'a']] },
  };
}

describe('tokenizer on a tiny tokenizer.json', () => {
  const tiny = Tokenizer.fromJSON(tinySpec());
  const id = (/** @type {string} */ text) => /** @type {number} */ (tiny.idOf(text));

  test('merges go lowest rank first, leftmost first among equals', () => {
    assert.deepEqual(tiny.encode('abc'), [id('abc')]); // ab (rank 0) then ab+c (rank 3)
    assert.deepEqual(tiny.encode('bc'), [id('bc')]);
    assert.deepEqual(tiny.encode('aaa'), [id('aa'), id('a')]);
    assert.deepEqual(tiny.encode(' a'), [id('▁a')]);
  });

  test('added tokens: raw ones before normalizing, normalized ones after', () => {
    assert.deepEqual(tiny.encode('<bos>a\nb'), [id('<bos>'), id('a'), id('\n'), id('b')]);
    assert.deepEqual(tiny.encode('a  b'), [id('a'), id('▁▁'), id('b')]);
    assert.deepEqual(tiny.encode('a▁ b'), [id('a'), id('▁▁'), id('b')]);
    assert.deepEqual(tiny.encode('<esc<escape>ape>').filter((x) => x === id('<escape>')), [id('<escape>')]);
  });

  test('characters outside the vocabulary fall back to their UTF-8 bytes', () => {
    assert.deepEqual(tiny.encode('é'), [id('<0xC3>'), id('<0xA9>')]);
    assert.equal(tiny.decode(tiny.encode('a é😀 c')), 'a é😀 c');
  });

  test('a byte run that is not UTF-8 decodes to one U+FFFD per byte', () => {
    assert.equal(tiny.decode([id('a'), id('<0xC3>'), id('<0x28>'), id('b')]), 'a\uFFFD\uFFFDb');
    assert.equal(tiny.decode([id('<0xE2>'), id('<0x82>')]), '\uFFFD\uFFFD');
  });

  test('decode drops unknown ids and, with skipSpecial, special tokens', () => {
    assert.equal(tiny.decode([id('<bos>'), id('a'), 99999, id('\n')]), '<bos>a\n');
    assert.equal(tiny.decode([id('<bos>'), id('a'), id('\n')], { skipSpecial: true }), 'a\n');
  });

  test('a manifest whose developer-turn ids disagree is refused', () => {
    const manifest = { prompt: { developer_turn: '<bos>abc', developer_turn_ids: [id('<bos>'), id('a')] } };
    assert.throws(() => Tokenizer.fromJSON(tinySpec(), manifest), TokenizerError);
    const good = { prompt: { developer_turn: '<bos>abc', developer_turn_ids: [id('<bos>'), id('abc')] } };
    assert.equal(Tokenizer.fromJSON(tinySpec(), good).manifest, good);
  });

  test('a manifest whose special-token ids disagree is refused', () => {
    assert.throws(() => Tokenizer.fromJSON(tinySpec(), { special_tokens: { '<bos>': 7 } }), /<bos>/);
  });

  test('a tokenizer.json with a component it does not implement is refused', () => {
    const spec = tinySpec();
    spec.pre_tokenizer = { type: 'Metaspace' };
    assert.throws(() => Tokenizer.fromJSON(spec), /pre_tokenizer.*Metaspace/);
    const regex = tinySpec();
    regex.normalizer = { type: 'Replace', pattern: { Regex: ' +' }, content: '▁' };
    assert.throws(() => Tokenizer.fromJSON(regex), TokenizerError);
  });

  test('fromUrls fetches both files', async () => {
    const files = { '/t.json': tinySpec(), '/m.json': { special_tokens: { '<bos>': 1 } } };
    const fakeFetch = async (/** @type {string} */ url) => ({ ok: url in files, status: 404, json: async () => files[url] });
    const loaded = await Tokenizer.fromUrls('/t.json', '/m.json', { fetch: /** @type {any} */ (fakeFetch) });
    assert.deepEqual(loaded.encode('abc'), [id('abc')]);
    assert.deepEqual(loaded.manifest, files['/m.json']);
    await assert.rejects(Tokenizer.fromUrls('/missing.json', null, { fetch: /** @type {any} */ (fakeFetch) }), /HTTP 404/);
  });
});
