/**
 * The browser tokenizer: reads the exported `tokenizer.json` + `tokenizer_manifest.json` and encodes
 * text to the same ids as the Python (Hugging Face `tokenizers`) tokenizer it was exported from.
 *
 *     const tok = await Tokenizer.fromUrls('/tokenizer.json', '/tokenizer_manifest.json');
 *     const ids = tok.encode(prompt);             // never adds <bos>: prompts carry it as text
 *     const text = tok.decode(ids, { skipSpecial: true });
 *
 * It implements the parts of the `tokenizers` pipeline that the Gemma 3 tokenizer.json uses, the way
 * `tokenizers` runs them, and refuses a file that asks for anything else (so a different tokenizer
 * fails loudly instead of giving wrong ids):
 *
 * 1. added tokens (`added_tokens`): those with `normalized: false` are cut out of the raw text, then
 *    the rest is normalized and those with `normalized: true` are cut out of the normalized text;
 *    both passes match leftmost-longest, as the library's Aho-Corasick automaton does. `special` only
 *    matters to decode (`skipSpecial`); on encode every added token is matched as one id.
 * 2. normalizer: `Replace` of a literal string (Gemma: " " -> "▁"), or a `Sequence` of them.
 * 3. pre_tokenizer: none, so every piece between added tokens is one BPE word.
 * 4. model: `BPE` with merges ranked by their order, `byte_fallback` (`<0xXX>` tokens for characters
 *    outside the vocabulary), `fuse_unk`, optional `ignore_merges`; the lowest-ranked pair is merged
 *    first, the leftmost among equals.
 * 5. decoder: `Sequence` of `Replace`, `ByteFallback` (a run of byte tokens that is not valid UTF-8
 *    becomes one U+FFFD per byte) and `Fuse`.
 *
 * Shared vectors (`tests/vectors/tokenizer_strings.json`, `tokenizer_expected.json`) pin it to the
 * Python tokenizer. JS strings may hold lone surrogates, which Python's tokenizer cannot take: they are
 * encoded as U+FFFD would be.
 *
 * Plain ES module, no dependencies: it runs in the page, in a worker and under node.
 */

/**
 * The parts of a tokenizer.json this module reads.
 * @typedef {{
 *   added_tokens?: AddedToken[],
 *   normalizer?: Component | null,
 *   pre_tokenizer?: Component | null,
 *   decoder?: Component | null,
 *   model: BpeModel,
 * }} TokenizerJson
 */

/**
 * @typedef {{id: number, content: string, normalized: boolean, special: boolean,
 *   single_word?: boolean, lstrip?: boolean, rstrip?: boolean}} AddedToken
 */

/** @typedef {{type: string, [key: string]: any}} Component */

/**
 * @typedef {{type: string, vocab: {[piece: string]: number}, merges: Array<[string, string] | string>,
 *   unk_token?: string | null, byte_fallback?: boolean, fuse_unk?: boolean, ignore_merges?: boolean,
 *   dropout?: number | null, continuing_subword_prefix?: string | null,
 *   end_of_word_suffix?: string | null}} BpeModel
 */

/**
 * What `fgweb/export/tokenizer.py` writes beside tokenizer.json. Only `prompt.developer_turn` with
 * `prompt.developer_turn_ids` and `special_tokens` are checked on load; the rest is carried as is.
 * @typedef {{[key: string]: any, special_tokens?: {[text: string]: number},
 *   prompt?: {developer_turn?: string, developer_turn_ids?: number[], [key: string]: any}}} Manifest
 */

/** A tokenizer file this module cannot run, or one that disagrees with its manifest. */
export class TokenizerError extends Error {
  /** @param {string} message what is wrong and what to do */
  constructor(message) {
    super(message);
    this.name = 'TokenizerError';
  }
}

// Words up to this many UTF-16 units are cached; the cache is emptied when it holds CACHE_MAX words.
const CACHE_WORD_MAX = 256;
const CACHE_MAX = 10000;
// A heap entry packs (rank, position) into one double: rank * 2^32 + position.
const POS_SPAN = 4294967296;

/** A trie node over UTF-16 code units; `id` is the added token ending here, or -1. */
class TrieNode {
  constructor() {
    /** @type {Map<number, TrieNode>} */
    this.next = new Map();
    this.id = -1;
  }
}

/**
 * Leftmost-longest matcher of a set of strings (what `tokenizers` builds with aho-corasick's
 * MatchKind::LeftmostLongest for the added tokens).
 */
class Matcher {
  constructor() {
    this.root = new TrieNode();
    this.size = 0;
  }

  /** @param {string} text @param {number} id */
  add(text, id) {
    if (!text) return;
    let node = this.root;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let child = node.next.get(c);
      if (!child) {
        child = new TrieNode();
        node.next.set(c, child);
      }
      node = child;
    }
    node.id = id;
    this.size++;
  }

  /**
   * Cuts `text` at the matches: calls `onText(piece)` for each unmatched piece (never empty) and
   * `onToken(id)` for each match, in order.
   * @param {string} text
   * @param {(piece: string) => void} onText
   * @param {(id: number) => void} onToken
   */
  split(text, onText, onToken) {
    if (this.size === 0) {
      if (text) onText(text);
      return;
    }
    const root = this.root.next;
    let start = 0;
    let i = 0;
    const n = text.length;
    while (i < n) {
      let node = root.get(text.charCodeAt(i));
      if (!node) {
        i++;
        continue;
      }
      let bestId = node.id;
      let bestEnd = node.id >= 0 ? i + 1 : -1;
      for (let j = i + 1; j < n; j++) {
        node = node.next.get(text.charCodeAt(j));
        if (!node) break;
        if (node.id >= 0) {
          bestId = node.id;
          bestEnd = j + 1;
        }
      }
      if (bestEnd < 0) {
        i++;
        continue;
      }
      if (i > start) onText(text.slice(start, i));
      onToken(bestId);
      start = i = bestEnd;
    }
    if (start < n) onText(text.slice(start));
  }
}

/**
 * Open-addressing hash map from a pair of ids to a merge rank (compact and fast for ~500k merges).
 */
class PairMap {
  /** @param {number} count how many pairs will be stored */
  constructor(count) {
    let cap = 1024;
    while (cap < count * 2) cap *= 2;
    this.mask = cap - 1;
    this.left = new Int32Array(cap).fill(-1);
    this.right = new Int32Array(cap);
    this.value = new Int32Array(cap);
  }

  /** @param {number} a @param {number} b @returns {number} */
  slot(a, b) {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0 & this.mask;
  }

  /** Sets (a, b) to `value`, replacing an earlier value. @param {number} a @param {number} b @param {number} value */
  set(a, b, value) {
    let s = this.slot(a, b);
    while (this.left[s] !== -1 && !(this.left[s] === a && this.right[s] === b)) s = (s + 1) & this.mask;
    this.left[s] = a;
    this.right[s] = b;
    this.value[s] = value;
  }

  /** Returns the value of (a, b), or -1. @param {number} a @param {number} b @returns {number} */
  get(a, b) {
    let s = this.slot(a, b);
    for (;;) {
      const l = this.left[s];
      if (l === -1) return -1;
      if (l === a && this.right[s] === b) return this.value[s];
      s = (s + 1) & this.mask;
    }
  }
}

/** A binary min-heap of numbers. */
class MinHeap {
  constructor() {
    /** @type {number[]} */
    this.items = [];
  }

  /** @param {number} x */
  push(x) {
    const a = this.items;
    let i = a.length;
    a.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= x) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = x;
  }

  /** @returns {number} the smallest item; the heap must not be empty */
  pop() {
    const a = this.items;
    const top = a[0];
    const last = /** @type {number} */ (a.pop());
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && a[c + 1] < a[c]) c++;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * Returns a function applying the normalizer of tokenizer.json, or null when there is none.
 * @param {Component | null | undefined} spec
 * @returns {((text: string) => string) | null}
 */
function buildNormalizer(spec) {
  if (!spec) return null;
  if (spec.type === 'Sequence') {
    const steps = /** @type {Component[]} */ (spec.normalizers || []).map(buildNormalizer)
      .filter((f) => f !== null);
    if (steps.length === 0) return null;
    return (text) => steps.reduce((t, f) => /** @type {(s: string) => string} */ (f)(t), text);
  }
  if (spec.type === 'Replace') {
    const [from, to] = literalReplace(spec, 'normalizer');
    return (text) => text.split(from).join(to);
  }
  throw unsupported('normalizer', spec.type);
}

/**
 * Returns [pattern, content] of a Replace component whose pattern is a literal string.
 * @param {Component} spec
 * @param {string} where
 * @returns {[string, string]}
 */
function literalReplace(spec, where) {
  const pattern = spec.pattern || {};
  if (typeof pattern.String !== 'string' || pattern.String === '') {
    throw unsupported(where, `Replace with pattern ${JSON.stringify(pattern)}`);
  }
  return [pattern.String, String(spec.content ?? '')];
}

/** @param {string} part @param {string} what */
function unsupported(part, what) {
  return new TokenizerError(
    `tokenizer.json uses a ${part} this runtime does not implement (${what}): export a Gemma 3 ` +
    'tokenizer with fgweb (fgweb/export/tokenizer.py), or extend web/src/tokenizer.js',
  );
}

/**
 * Returns the decoder steps of tokenizer.json: each maps a token list to a token list.
 * @param {Component | null | undefined} spec
 * @returns {Array<(tokens: string[]) => string[]>}
 */
function buildDecoder(spec) {
  if (!spec) return [];
  if (spec.type === 'Sequence') return /** @type {Component[]} */ (spec.decoders || []).flatMap(buildDecoder);
  if (spec.type === 'Replace') {
    const [from, to] = literalReplace(spec, 'decoder');
    return [(tokens) => tokens.map((t) => t.split(from).join(to))];
  }
  if (spec.type === 'ByteFallback') return [byteFallback];
  if (spec.type === 'Fuse') return [(tokens) => [tokens.join('')]];
  throw unsupported('decoder', spec.type);
}

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The ByteFallback decoder: runs of `<0xXX>` tokens become their UTF-8 text, or one U+FFFD per byte
 * when the run is not valid UTF-8 (as `tokenizers` does).
 * @param {string[]} tokens
 * @returns {string[]}
 */
function byteFallback(tokens) {
  /** @type {string[]} */
  const out = [];
  /** @type {number[]} */
  let bytes = [];
  const flush = () => {
    if (bytes.length === 0) return;
    try {
      out.push(UTF8.decode(new Uint8Array(bytes)));
    } catch {
      for (let k = 0; k < bytes.length; k++) out.push('\uFFFD');
    }
    bytes = [];
  };
  for (const t of tokens) {
    const m = BYTE_TOKEN.exec(t);
    if (m) {
      bytes.push(parseInt(m[1], 16));
    } else {
      flush();
      out.push(t);
    }
  }
  flush();
  return out;
}

/**
 * Writes the UTF-8 bytes of code point `cp` into `out`; lone surrogates give U+FFFD's bytes.
 * @param {number} cp
 * @param {number[]} out
 */
function utf8Bytes(cp, out) {
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** Encodes and decodes text exactly as the Python tokenizer that exported `tokenizer.json`. */
export class Tokenizer {
  /**
   * Fetches and loads tokenizer.json and the manifest.
   * @param {string | URL} tokenizerJsonUrl
   * @param {string | URL | null} [manifestUrl] left out or null: no manifest
   * @param {{fetch?: typeof fetch}} [options] `fetch`: the function used to fetch (default: global fetch)
   * @returns {Promise<Tokenizer>}
   */
  static async fromUrls(tokenizerJsonUrl, manifestUrl = null, options = {}) {
    const get = options.fetch || globalThis.fetch;
    /** @param {string | URL} url */
    const load = async (url) => {
      let response;
      try {
        response = await get(url);
      } catch (e) {
        throw new TokenizerError(`could not fetch ${url} (${e}): check that the bundle is served`);
      }
      if (!response.ok) {
        throw new TokenizerError(`could not fetch ${url}: HTTP ${response.status}; check the bundle's files`);
      }
      try {
        return await response.json();
      } catch (e) {
        throw new TokenizerError(`${url} is not JSON (${e}): rebuild the bundle with \`fgweb build\``);
      }
    };
    const [json, manifest] = await Promise.all([
      load(tokenizerJsonUrl),
      manifestUrl == null ? Promise.resolve(null) : load(manifestUrl),
    ]);
    return Tokenizer.fromJSON(json, manifest);
  }

  /**
   * Loads a tokenizer from tokenizer.json (parsed, or its text) and the manifest. When the manifest
   * holds the developer turn with its ids, or special tokens with ids, they are checked against this
   * tokenizer, and a disagreement throws TokenizerError.
   * @param {TokenizerJson | string} tokenizerJson
   * @param {Manifest | null} [manifest]
   * @returns {Tokenizer}
   */
  static fromJSON(tokenizerJson, manifest = null) {
    const spec = typeof tokenizerJson === 'string' ? JSON.parse(tokenizerJson) : tokenizerJson;
    const tokenizer = new Tokenizer(spec, manifest);
    tokenizer.checkManifest();
    return tokenizer;
  }

  /**
   * @param {TokenizerJson} spec a parsed tokenizer.json
   * @param {Manifest | null} [manifest]
   */
  constructor(spec, manifest = null) {
    if (!spec || typeof spec !== 'object' || !spec.model) {
      throw new TokenizerError('this is not a tokenizer.json (no "model"): load the file fgweb exported');
    }
    /** @type {Manifest} the manifest as loaded (an empty object without one) */
    this.manifest = manifest || {};

    const model = spec.model;
    if (model.type !== 'BPE') throw unsupported('model', String(model.type));
    if (model.dropout) throw unsupported('model', `BPE dropout ${model.dropout}`);
    if (model.continuing_subword_prefix || model.end_of_word_suffix) {
      throw unsupported('model', 'BPE with a subword prefix or suffix');
    }
    if (spec.pre_tokenizer) throw unsupported('pre_tokenizer', String(spec.pre_tokenizer.type));

    /** @type {Map<string, number>} piece -> id (model vocabulary) */
    this.vocab = new Map();
    /** @type {string[]} id -> model vocabulary piece */
    this.modelPieces = [];
    for (const piece in model.vocab) {
      const id = model.vocab[piece];
      this.vocab.set(piece, id);
      this.modelPieces[id] = piece;
    }
    /** @type {string[]} id -> token text as decode sees it: the added token's, else the model's */
    this.pieces = this.modelPieces.slice();

    /** @type {Map<string, number>} added token text -> id */
    this.added = new Map();
    /** @type {Set<number>} ids of special added tokens (dropped by decode with skipSpecial) */
    this.specialIds = new Set();
    this.rawMatcher = new Matcher();
    this.normalizedMatcher = new Matcher();
    this.normalize = buildNormalizer(spec.normalizer);
    for (const t of spec.added_tokens || []) {
      if (t.single_word || t.lstrip || t.rstrip) {
        throw unsupported('added token option', `${JSON.stringify(t.content)} with single_word/lstrip/rstrip`);
      }
      this.added.set(t.content, t.id);
      this.pieces[t.id] = t.content;
      if (t.special) this.specialIds.add(t.id);
      if (t.normalized) {
        this.normalizedMatcher.add(this.normalize ? this.normalize(t.content) : t.content, t.id);
      } else {
        this.rawMatcher.add(t.content, t.id);
      }
    }

    const unk = model.unk_token == null ? undefined : this.vocab.get(model.unk_token);
    this.unkId = unk === undefined ? -1 : unk;
    this.fuseUnk = Boolean(model.fuse_unk);
    this.ignoreMerges = Boolean(model.ignore_merges);
    /** @type {Int32Array} byte -> id of its `<0xXX>` token, or -1 */
    this.byteIds = new Int32Array(256).fill(-1);
    if (model.byte_fallback) {
      for (let b = 0; b < 256; b++) {
        const id = this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
        if (id !== undefined) this.byteIds[b] = id;
      }
    }
    this.byteFallback = Boolean(model.byte_fallback);

    const merges = model.merges || [];
    this.mergeRanks = new PairMap(merges.length);
    /**
     * rank -> id of the merged piece, or -1 until first needed (looking up ~500k joined strings at
     * load would cost a third of a second, and an encode uses a few thousand)
     * @type {Int32Array}
     */
    this.mergeIds = new Int32Array(merges.length).fill(-1);
    for (let rank = 0; rank < merges.length; rank++) {
      const m = merges[rank];
      const [a, b] = typeof m === 'string' ? splitMerge(m) : m;
      const left = this.vocab.get(a);
      const right = this.vocab.get(b);
      if (left === undefined || right === undefined) {
        throw new TokenizerError(
          `tokenizer.json merges ${JSON.stringify([a, b])}, which is not in its vocabulary: the file is broken; export it again`,
        );
      }
      this.mergeRanks.set(left, right, rank);
    }

    this.decoders = buildDecoder(spec.decoder);
    /** @type {Map<string, number[]>} */
    this.cache = new Map();
  }

  /** @returns {number} how many ids there are (one more than the largest) */
  get vocabSize() {
    return this.pieces.length;
  }

  /**
   * Returns the id of a token's text (an added token such as `<start_of_turn>`, or a vocabulary
   * piece such as `▁hello`), or undefined when there is none.
   * @param {string} tokenText
   * @returns {number | undefined}
   */
  idOf(tokenText) {
    const id = this.added.get(tokenText);
    return id !== undefined ? id : this.vocab.get(tokenText);
  }

  /**
   * Returns the token ids of `text`. Adds no <bos>: prompts carry `<bos>` as text, and every added
   * token in the text (special or not) becomes its one id.
   * @param {string} text
   * @returns {number[]}
   */
  encode(text) {
    /** @type {number[]} */
    const out = [];
    const onToken = (/** @type {number} */ id) => { out.push(id); };
    const onWord = (/** @type {string} */ word) => { this.encodeWord(word, out); };
    this.rawMatcher.split(
      String(text),
      (piece) => {
        const normalized = this.normalize ? this.normalize(piece) : piece;
        this.normalizedMatcher.split(normalized, onWord, onToken);
      },
      onToken,
    );
    return out;
  }

  /**
   * Returns the text of `ids`. Ids outside the vocabulary are dropped, as the Python tokenizer does.
   * @param {Iterable<number>} ids
   * @param {{skipSpecial?: boolean}} [options] skipSpecial: leave out special tokens (default false)
   * @returns {string}
   */
  decode(ids, options = {}) {
    const skip = Boolean(options.skipSpecial);
    /** @type {string[]} */
    let tokens = [];
    for (const id of ids) {
      const piece = this.pieces[id];
      if (piece === undefined || (skip && this.specialIds.has(id))) continue;
      tokens.push(piece);
    }
    for (const step of this.decoders) tokens = step(tokens);
    return tokens.join('');
  }

  /**
   * Checks the manifest's special tokens and developer-turn ids against this tokenizer.
   * @returns {void}
   */
  checkManifest() {
    const m = this.manifest;
    for (const [text, id] of Object.entries(m.special_tokens || {})) {
      if (this.idOf(text) !== id) {
        throw new TokenizerError(
          `tokenizer_manifest.json gives ${text} the id ${id}, tokenizer.json gives ${this.idOf(text)}: ` +
          'the two files come from different builds; serve the pair from one `fgweb build`',
        );
      }
    }
    const prompt = m.prompt || {};
    if (typeof prompt.developer_turn === 'string' && Array.isArray(prompt.developer_turn_ids)) {
      const got = this.encode(prompt.developer_turn);
      const want = prompt.developer_turn_ids;
      const at = firstDifference(got, want);
      if (at >= 0) {
        throw new TokenizerError(
          `this tokenizer encodes the manifest's developer turn differently from Python (first at token ${at}: ` +
          `${got[at]} vs ${want[at]}): report this as a bug in web/src/tokenizer.js`,
        );
      }
    }
  }

  /**
   * Appends the BPE ids of one word (a normalized piece between added tokens) to `out`.
   * @param {string} word
   * @param {number[]} out
   */
  encodeWord(word, out) {
    const cacheable = word.length <= CACHE_WORD_MAX;
    if (cacheable) {
      const hit = this.cache.get(word);
      if (hit) {
        for (let k = 0; k < hit.length; k++) out.push(hit[k]);
        return;
      }
    }
    const ids = this.bpe(word);
    if (cacheable) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(word, ids);
    }
    for (let k = 0; k < ids.length; k++) out.push(ids[k]);
  }

  /**
   * Returns the id of the piece that merge `rank` makes from the pair (left, right), looked up on first
   * use and kept.
   * @param {number} rank
   * @param {number} left
   * @param {number} right
   * @returns {number}
   */
  mergedId(rank, left, right) {
    let id = this.mergeIds[rank];
    if (id < 0) {
      const piece = this.modelPieces[left] + this.modelPieces[right];
      const found = this.vocab.get(piece);
      if (found === undefined) {
        throw new TokenizerError(
          `tokenizer.json merges into ${JSON.stringify(piece)}, which is not in its vocabulary: the file is broken; export it again`,
        );
      }
      id = this.mergeIds[rank] = found;
    }
    return id;
  }

  /**
   * Returns the BPE ids of `word`: one symbol per character (or per byte through byte fallback), then
   * merges applied lowest rank first, leftmost first among equal ranks (tokenizers' Word::merge_all).
   * @param {string} word
   * @returns {number[]}
   */
  bpe(word) {
    if (this.ignoreMerges) {
      const whole = this.vocab.get(word);
      if (whole !== undefined) return [whole];
    }
    /** @type {number[]} */
    const ids = [];
    /** @type {number[]} */
    const bytes = [];
    // tokenizers keeps one pending unk (its bytes fused when fuse_unk) and writes it before the next
    // vocabulary hit or at the end; byte-fallback symbols do not flush it
    let unkPending = false;
    for (const ch of word) {
      const id = this.vocab.get(ch);
      if (id !== undefined) {
        if (unkPending) ids.push(this.unkId);
        unkPending = false;
        ids.push(id);
        continue;
      }
      if (this.byteFallback) {
        bytes.length = 0;
        utf8Bytes(/** @type {number} */ (ch.codePointAt(0)), bytes);
        if (bytes.every((b) => this.byteIds[b] >= 0)) {
          for (const b of bytes) ids.push(this.byteIds[b]);
          continue;
        }
      }
      if (this.unkId < 0) continue; // no unk token: tokenizers drops the character
      if (unkPending && !this.fuseUnk) ids.push(this.unkId);
      unkPending = true;
    }
    if (unkPending) ids.push(this.unkId);

    const n = ids.length;
    if (n < 2) return ids;
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    const heap = new MinHeap();
    const ranks = this.mergeRanks;
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
      if (i + 1 < n) {
        const r = ranks.get(ids[i], ids[i + 1]);
        if (r >= 0) heap.push(r * POS_SPAN + i);
      }
    }
    while (heap.items.length > 0) {
      const top = heap.pop();
      const rank = Math.floor(top / POS_SPAN);
      const pos = top - rank * POS_SPAN;
      if (!alive[pos]) continue;
      const right = next[pos];
      if (right < 0) continue;
      // A stale entry: the pair at pos grew since it was queued. (tokenizers compares the merged ids;
      // the left symbol of pos is unchanged and its right one can only have grown, so equal merged
      // ids mean an equal pair, hence an equal rank.)
      if (ranks.get(ids[pos], ids[right]) !== rank) continue;
      ids[pos] = this.mergedId(rank, ids[pos], ids[right]);
      alive[right] = 0;
      const after = next[right];
      next[pos] = after;
      if (after >= 0) prev[after] = pos;
      const before = prev[pos];
      if (before >= 0) {
        const r = ranks.get(ids[before], ids[pos]);
        if (r >= 0) heap.push(r * POS_SPAN + before);
      }
      if (after >= 0) {
        const r = ranks.get(ids[pos], ids[after]);
        if (r >= 0) heap.push(r * POS_SPAN + pos);
      }
    }
    /** @type {number[]} */
    const out = [];
    for (let i = 0; i >= 0; i = next[i]) out.push(ids[i]);
    return out;
  }
}

/**
 * Splits an old-style merge line "a b" (tokenizers requires exactly one space).
 * @param {string} line
 * @returns {[string, string]}
 */
function splitMerge(line) {
  const parts = line.split(' ');
  if (parts.length !== 2) {
    throw new TokenizerError(`tokenizer.json has a bad merge ${JSON.stringify(line)}: export it again`);
  }
  return [parts[0], parts[1]];
}

/**
 * Returns the first index where the two lists differ, or -1 when they are equal.
 * @param {number[]} a
 * @param {number[]} b
 * @returns {number}
 */
function firstDifference(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
