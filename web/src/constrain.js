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
 * string, the ids that start with `,` or `}`. Anywhere else, for other
 * tools, or when nothing would be left, it returns what `base` returns. fgweb/constrain.py is its twin.
 */

import { FUNCTION_TOKENS } from './protocol.js';
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
      const after = [...new Set([...closers, ...candidates])].filter((id) => id !== ESCAPE_ID && /^[,}]/.test(piece(id)));
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
