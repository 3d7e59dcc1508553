/**
 * Snapshot-bound arguments: while the model writes a call of a built-in tool, its `element` can only
 * spell the name of a snapshot line whose role the tool acts on, its `ref` only the number of such a
 * line with that name, and select_option's `option` only one of that line's options. The model still
 * chooses (greedy over what is left); it can no longer name an element the page does not have, or
 * pair a name with another line's ref: the commonest ways a call failed validation (actions.js).
 * Given the command, type_text's `text` can only be a stretch of it, as typed: what the model types is
 * what the user said (not "ann Lee" for "Ann Lee", nor a word it made up).
 *
 *     const targets = snapshotTargets(snapshot);
 *     const hook = snapshotHook(tokenizer, targets, copyHook(ids), command);   // or (tokenizer, targets, null)
 *     const r = await decoder.greedy(promptIds, { stopIds, allowed: hook });
 *
 * The hook reads the call being written from the generated ids (decoded after the last
 * `<start_function_call>`): inside `element:<escape>…` or `option:<escape>…` it allows the ids whose
 * text keeps the value a prefix of an allowed string (and `<escape>` once it equals one); after
 * `ref:` it allows the digits that keep the number a prefix of an allowed ref until it is one; inside
 * type_text's `text:<escape>…` the ids that keep the text within the command; right after a closed
 * string, the ids that start with `,` or `}` (of `base`'s, when it narrows). Anywhere else, for other
 * tools, or when nothing would be left, it returns what `base` returns. fgweb/constrain.py is its twin.
 *
 * The call grammar (`callGrammar`) is the hook the snapshot hook narrows at runtime: it holds a call to
 * the FunctionGemma format and the toolset's schemas (tool names, argument names in the order
 * renderValue writes them, the `<escape>` around strings, enum values, `true`/`false`, JSON numbers,
 * `,`, `}` and `<end_function_call>`), fixed text spelled as the tokenizer spells it. Where it leaves
 * exactly one id, the decoder appends it without a model step (decoder.js, jump-forward):
 *
 *     const grammar = callGrammar(tokenizer, tools);                 // once per toolset
 *     const hook = snapshotHook(tokenizer, targets, grammar.hook(copyHook(ids)), command);
 */

import { CONTROL_TOKEN_PATTERN, FUNCTION_TOKENS } from './protocol.js';
import { ELEMENT_TOOLS, ROLES_FOR } from './actions.js';

const CALL_START = FUNCTION_TOKENS['<start_function_call>'];
const CALL_END = '<end_function_call>';
const ESCAPE = '<escape>';
const ESCAPE_ID = FUNCTION_TOKENS['<escape>'];
const LINE = /^(\S+) "((?:[^"\\]|\\.)*)" \[ref=(\d+)\](.*)$/;
const OPTIONS = / options=(\[.*\])/;
/** Letters and digits: where a copied stretch of the command may start inside a word. */
const WORD = /[\p{L}\p{N}]+/gu;
/** Tools that name a snapshot line with element + ref (navigate takes a URL; user tools are free). */
const TARGET_TOOLS = new Set([...ELEMENT_TOOLS, ...Object.keys(ROLES_FOR)]);

/**
 * @typedef {{ref: number, role: string, name: string, options: string[]}} Target
 */

/**
 * Returns the lines of a snapshot that carry a ref, as {ref, role, name, options}.
 * @param {string} snapshot the text snapshot.js writes (`ROLE "NAME" [ref=N] …`, one element a line)
 * @returns {Target[]}
 */
export function snapshotTargets(snapshot) {
  /** @type {Target[]} */
  const targets = [];
  for (const line of snapshot.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m) continue;
    const name = parseJson(`"${m[2]}"`, m[2]);
    const opts = OPTIONS.exec(m[4]);
    const options = opts ? parseJson(opts[1], []) : [];
    targets.push({ ref: Number(m[3]), role: m[1], name, options: Array.isArray(options) ? options.map(String) : [] });
  }
  return targets;
}

/**
 * Returns an allowed-tokens hook that keeps element, ref and option on the snapshot's targets.
 * @param {{encode: (text: string) => number[], decode: (ids: number[]) => string}} tokenizer
 * @param {Target[]} targets
 * @param {((generated: number[]) => number[] | null) | null} base the hook it narrows (null: every id)
 * @param {string | null} [command] the user's command: type_text's text is copied from it (null: free)
 * @returns {(generated: number[]) => number[] | null}
 */
export function snapshotHook(tokenizer, targets, base, command = null) {
  const pieceCache = new Map();
  const piece = (/** @type {number} */ id) => {
    let text = pieceCache.get(id);
    if (text === undefined) {
      text = id === ESCAPE_ID ? ESCAPE : tokenizer.decode([id]);
      pieceCache.set(id, text);
    }
    return text;
  };
  // The ids that spell the allowed strings, tokenized alone (as after <escape>): with a null base
  // (every id) these are the candidates; with a copy vocabulary, that set is.
  const spelling = new Set([ESCAPE_ID]);
  for (const t of targets) {
    for (const text of [t.name, ...t.options, String(t.ref)]) for (const id of tokenizer.encode(text)) spelling.add(id);
  }
  if (command) { // a stretch of the command starts at a word (alone, or after a space) or mid-word
    for (const text of [command, ...command.split(/\s+/), ...(command.match(WORD) ?? [])]) {
      for (const id of [...tokenizer.encode(text), ...tokenizer.encode(` ${text}`)]) spelling.add(id);
    }
  }
  const spelled = [...spelling];
  const digits = [...'0123456789'].map((d) => tokenizer.encode(d)).filter((ids) => ids.length === 1).map((ids) => ids[0]);
  // After a closed string only `,` (the next argument) or `}` (the call's end) may follow: the model
  // cannot run on in free text (a field with an empty name closes its element at once).
  const closers = [',', '}'].map((c) => tokenizer.encode(c)).filter((ids) => ids.length === 1).map((ids) => ids[0]);
  // The decoder asks twice per step (which logits to compute, then which to pick): answer once.
  let memo = { key: /** @type {string | null} */ (null), result: /** @type {number[] | null} */ (null) };

  return (generated) => {
    const key = generated.join(',');
    if (memo.key === key) return memo.result;
    const fallback = base ? base(generated) : null;
    memo = { key, result: narrow(generated, fallback) ?? fallback };
    return memo.result;
  };

  /**
   * The candidates that keep `value` growing as `grows` allows, and <escape> where it `ends`.
   * @param {number[]} candidates
   * @param {string} value
   * @param {(text: string) => boolean} grows
   * @param {(text: string) => boolean} ends
   * @returns {number[] | null}
   */
  function keeping(candidates, value, grows, ends) {
    const allowed = candidates.filter((id) => {
      if (id === ESCAPE_ID) return ends(value);
      const next = value + piece(id);
      return next.length > value.length && grows(next);
    });
    return allowed.length > 0 ? allowed : null;
  }

  /**
   * @param {number[]} generated
   * @param {number[] | null} fallback
   * @returns {number[] | null}
   */
  function narrow(generated, fallback) {
    const start = generated.lastIndexOf(CALL_START);
    if (start < 0) return null;
    const text = tokenizer.decode(generated.slice(start + 1));
    if (text.includes(CALL_END)) return null;
    const head = /^call:([A-Za-z0-9_.-]+)\{/.exec(text);
    if (!head || !TARGET_TOOLS.has(head[1])) return null;
    const tool = head[1];
    const args = text.slice(head[0].length);
    const rule = /** @type {{roles: Set<string>} | undefined} */ (/** @type {any} */ (ROLES_FOR)[tool]);
    const fitting = targets.filter((t) => !rule || rule.roles.has(t.role));
    const parts = args.split(ESCAPE);
    const candidates = fallback ?? spelled;

    if (parts.length % 2 === 0) { // inside an escaped string: which key opened it?
      const opened = /(?:^|,)([A-Za-z_][A-Za-z0-9_]*):$/.exec(parts[parts.length - 2]);
      const value = parts[parts.length - 1];
      let strings = null;
      if (opened?.[1] === 'element') {
        strings = [...new Set(fitting.map((t) => t.name))];
      } else if (opened?.[1] === 'option' && tool === 'select_option') {
        const element = valueOf(parts, 'element');
        strings = [...new Set(fitting.filter((t) => element === null || t.name === element).flatMap((t) => t.options))];
      } else if (opened?.[1] === 'text' && tool === 'type_text' && command !== null) {
        return keeping(candidates, value, (t) => command.includes(t), (t) => command.includes(t));
      }
      if (!strings || strings.length === 0) return null;
      const choices = strings;
      return keeping(candidates, value, (t) => choices.some((s) => s.startsWith(t)), (t) => choices.includes(t));
    }

    if (parts.length >= 3 && parts[parts.length - 1] === '') {
      const pool = fallback ?? [...closers, ...spelled];
      const after = [...new Set(pool)].filter((id) => id !== ESCAPE_ID && /^[,}]/.test(piece(id)));
      return after.length > 0 ? after : null;
    }
    const ref = /(?:^|,)ref:(\d*)$/.exec(parts[parts.length - 1]);
    if (!ref) return null;
    const element = valueOf(parts, 'element');
    const refs = fitting.filter((t) => element === null || t.name === element).map((t) => String(t.ref));
    if (refs.length === 0 || refs.includes(ref[1])) return null; // a whole ref: the model says how it goes on
    const allowed = digits.filter((id) => refs.some((r) => r.startsWith(ref[1] + piece(id))));
    return allowed.length > 0 ? allowed : null;
  }
}

/**
 * The value of a finished `key:<escape>…<escape>` argument in the split call text, or null.
 * @param {string[]} parts the call's argument text split at <escape>
 * @param {string} key
 * @returns {string | null}
 */
function valueOf(parts, key) {
  for (let i = 0; i + 2 < parts.length; i += 2) {
    if (new RegExp(`(?:^|,)${key}:$`).test(parts[i])) return parts[i + 1];
  }
  return null;
}

/**
 * @template T
 * @param {string} text
 * @param {T} otherwise
 * @returns {any}
 */
function parseJson(text, otherwise) {
  try {
    return JSON.parse(text);
  } catch {
    return otherwise;
  }
}

// ---------------------------------------------------------------------------------------------------
// The call grammar

/** What follows a literal: the value of key `key` (an index into the tool's keys), the keys after key
 * `after` (-1: the first), the end of the call, or text the grammar leaves free. */
const END = -2;
const FREE = -3;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The characters a JSON number is scanned over (as protocol.js scans it). */
const NUMBER_CHARS = /^[-+0-9.eE]*/;
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
/** A prefix of a JSON number ('' and '-' included). */
const NUMBER_PREFIX = /^-?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)?$|^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][+-]?[0-9]*$/;

/**
 * @typedef {{kind: 'string' | 'number' | 'boolean' | 'free'} | {kind: 'enum', values: string[]}} ValueKind
 * @typedef {{name: string, keys: string[], kinds: ValueKind[], required: Set<string>, free: boolean}} GrammarTool
 * @typedef {{text: string, tool: GrammarTool, key?: number, after?: number}} Literal
 *   text to write, then the value of `key` (END: the call is over; FREE: what follows is free) or the
 *   keys after `after`
 * @typedef {{ids: number[], prefixes: string[]}} Spelling  a literal's ids and the text of each prefix
 * @typedef {{tools: GrammarTool[], allowedAfter: (callText: string) => number[] | null,
 *   hook: (base: ((generated: number[]) => number[] | null) | null) => ((generated: number[]) => number[] | null)}} CallGrammar
 */

/**
 * Compiles the call grammar of a toolset: after `<start_function_call>`, `call:` and a tool's name,
 * then `{`, its arguments in sorted key order (every required one, any optional one), each value of
 * its schema's type, `}` and `<end_function_call>`. Fixed text is allowed only in the tokenizer's own
 * spelling (the ids `encode` gives it); string contents (other than enum values) are left to `base`
 * and the snapshot hook, as is everything outside a call. A value whose schema is not a plain string,
 * integer, number or boolean (an array, an object, a union, no type) leaves the rest of the call free.
 * @param {{encode: (text: string) => number[], decode: (ids: number[]) => string}} tokenizer
 * @param {any[]} tools the toolset entries ({type: 'function', function: {name, parameters}}, or flat)
 * @returns {CallGrammar}
 */
export function callGrammar(tokenizer, tools) {
  const compiled = compileTools(tools);
  /** @type {Map<string, Spelling>} */
  const spellings = new Map();
  const spell = (/** @type {string} */ text) => {
    let s = spellings.get(text);
    if (!s) {
      const ids = tokenizer.encode(text);
      s = { ids, prefixes: ids.map((_, j) => tokenizer.decode(ids.slice(0, j))) };
      spellings.set(text, s);
    }
    return s;
  };
  /** @type {Map<number, string>} */
  const numberPieces = new Map();
  for (const c of '0123456789-+.eE') {
    const ids = tokenizer.encode(c);
    if (ids.length === 1) numberPieces.set(ids[0], c);
  }
  /** @type {Literal[]} */
  const heads = compiled.flatMap((tool) => (tool.free
    ? [{ text: `call:${tool.name}{`, tool, key: FREE }]
    : following(tool, -1).map((l) => ({ ...l, text: `call:${tool.name}{${l.text}` }))));

  /**
   * The ids that go on with one of `literals` after `emitted` of it was written, each literal in its
   * own spelling; null when none does.
   * @param {Literal[]} literals
   * @param {string} emitted
   * @returns {number[] | null}
   */
  function literalIds(literals, emitted) {
    const ids = new Set();
    for (const l of literals) {
      const s = spell(l.text);
      const j = s.prefixes.indexOf(emitted);
      if (j >= 0) ids.add(s.ids[j]);
    }
    return ids.size > 0 ? [...ids].sort((a, b) => a - b) : null;
  }

  /**
   * The ids the grammar allows after the text of a call so far (after `<start_function_call>`), sorted;
   * null where it leaves the choice free (inside a string, a free value, after the call, off the grammar).
   * @param {string} text
   * @returns {number[] | null}
   */
  function allowedAfter(text) {
    if (text.includes(CALL_END)) return null;
    let pos = 0;
    let literals = heads;
    for (;;) {
      const rest = text.slice(pos);
      const done = literals.find((l) => rest.startsWith(l.text));
      if (!done) {
        const live = literals.filter((l) => l.text.startsWith(rest));
        return live.length > 0 ? literalIds(live, rest) : null;
      }
      pos += done.text.length;
      const tool = done.tool;
      if (done.after !== undefined) {
        literals = following(tool, done.after);
        continue;
      }
      const key = /** @type {number} */ (done.key);
      if (key === FREE || key === END) return null;
      const kind = tool.kinds[key];
      const value = text.slice(pos);
      if (kind.kind === 'string') {
        const close = value.indexOf(ESCAPE);
        if (close < 0) return null; // inside the string: free here
        pos += close + ESCAPE.length;
        literals = following(tool, key);
      } else if (kind.kind === 'enum') {
        literals = kind.values.map((v) => ({ text: v + ESCAPE, tool, after: key }));
      } else if (kind.kind === 'boolean') {
        literals = ['true', 'false'].map((v) => ({ text: v, tool, after: key }));
      } else if (kind.kind === 'number') {
        const digits = /** @type {RegExpExecArray} */ (NUMBER_CHARS.exec(value))[0];
        const next = following(tool, key);
        if (pos + digits.length < text.length) { // the number is over
          if (!NUMBER.test(digits)) return null;
          pos += digits.length;
          literals = next;
          continue;
        }
        const ids = [...numberPieces].filter(([, c]) => NUMBER_PREFIX.test(digits + c)).map(([id]) => id);
        if (NUMBER.test(digits)) ids.push(...(literalIds(next, '') ?? []));
        return ids.length > 0 ? [...new Set(ids)].sort((a, b) => a - b) : null;
      } else {
        return null;
      }
    }
  }

  return {
    tools: compiled,
    allowedAfter,
    hook(base) {
      /** @type {number[] | null} */
      let baseList = null;
      /** @type {Set<number>} */
      let baseSet = new Set();
      let memo = { key: /** @type {string | null} */ (null), result: /** @type {number[] | null} */ (null) };
      return (generated) => {
        const key = generated.join(',');
        if (memo.key === key) return memo.result;
        const fallback = base ? base(generated) : null;
        const start = generated.lastIndexOf(CALL_START);
        let result = fallback;
        const ids = start < 0 ? null : allowedAfter(tokenizer.decode(generated.slice(start + 1)));
        if (ids && !fallback) {
          result = ids;
        } else if (ids && fallback) {
          if (fallback !== baseList) {
            baseList = fallback;
            baseSet = new Set(fallback);
          }
          const kept = ids.filter((id) => baseSet.has(id));
          if (kept.length > 0) result = kept;
        }
        memo = { key, result };
        return result;
      };
    },
  };
}

/**
 * The literals that may follow key `after` of a tool (-1: right after `{`): `,` and a later key (the
 * first after `{`), up to the first required one, and the call's end when none is required.
 * @param {GrammarTool} tool
 * @param {number} after
 * @returns {Literal[]}
 */
function following(tool, after) {
  /** @type {Literal[]} */
  const out = [];
  for (let j = after + 1; j < tool.keys.length; j++) {
    const kind = tool.kinds[j].kind;
    const open = kind === 'string' || kind === 'enum' ? ESCAPE : '';
    out.push({ text: `${after >= 0 ? ',' : ''}${tool.keys[j]}:${open}`, tool, key: j });
    if (tool.required.has(tool.keys[j])) return out;
  }
  out.push({ text: `}${CALL_END}`, tool, key: END });
  return out;
}

/**
 * The toolset's tools as the grammar reads them: keys sorted (as renderValue writes them), each with
 * the kind of value its schema takes. A tool whose parameters have no `properties` (any keys) or a key
 * that cannot be written bare is free after its `{`.
 * @param {any[]} tools
 * @returns {GrammarTool[]}
 */
function compileTools(tools) {
  /** @type {GrammarTool[]} */
  const out = [];
  for (const entry of tools) {
    const fn = entry?.function ?? entry;
    if (!fn || typeof fn.name !== 'string' || !IDENTIFIER.test(fn.name)) continue;
    const schema = { properties: {}, ...(isPlainObject(fn.parameters) ? fn.parameters : {}) };
    const props = isPlainObject(schema.properties) ? schema.properties : null;
    const required = new Set(Array.isArray(schema.required) ? schema.required.filter((/** @type {any} */ r) => typeof r === 'string') : []);
    const keys = [...new Set([...Object.keys(props ?? {}), ...required])].sort();
    const free = props === null || !keys.every((k) => IDENTIFIER.test(k));
    out.push({ name: fn.name, keys, kinds: keys.map((k) => valueKind(props?.[k])), required, free });
  }
  return out;
}

/**
 * @param {any} schema a property's schema
 * @returns {ValueKind}
 */
function valueKind(schema) {
  if (!isPlainObject(schema)) return { kind: 'free' };
  const values = schema.enum;
  if (schema.type === 'string') {
    // An enum value holding control-token text is written sanitized: leave such a string free.
    if (Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === 'string' && !CONTROL_TOKEN_PATTERN.test(v))) {
      return { kind: 'enum', values: [...values] };
    }
    return { kind: 'string' };
  }
  if (schema.type === 'integer' || schema.type === 'number') return { kind: 'number' };
  if (schema.type === 'boolean') return { kind: 'boolean' };
  return { kind: 'free' };
}

/**
 * @param {unknown} value
 * @returns {value is {[key: string]: any}}
 */
function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
