/**
 * The copy vocabulary: the token ids that a completion calling tools can need for one prompt. A model
 * writing calls only copies (tool names and keys from the declarations, element names, values and
 * options from the page, text from the command), so the body graph scores just these few hundred ids
 * instead of all 262,144 once the completion has started with `<start_function_call>`.
 *
 *     const ids = copyVocabulary(tokenizer, { promptIds, snapshot, command, tools, stopIds });
 *     const r = await decoder.greedy(promptIds, { stopIds, allowed: copyHook(ids) });
 *
 * The set: every id of the prompt (developer and user turns), the function tokens and stop ids, the
 * ids of one rendered call per tool (`call`, `}`, keys in call context), the literals true/false/null,
 * digits, `-` and `.`, each enum value, and, tokenized alone (as after `<escape>`) and after a space:
 * every quoted string of the snapshot (names, values, options, hrefs) and every command word (as typed,
 * trimmed of punctuation, and with its first letter's case flipped). Whole phrases need nothing more:
 * in Gemma 3's vocabulary no piece spans a space, so a phrase's ids are its words' ids.
 */

import { FUNCTION_TOKENS, renderCalls } from './protocol.js';

const LITERALS = ['true', 'false', 'null', '-', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const QUOTED = /"(?:[^"\\]|\\.)*"/g;
const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
const CALL_START = FUNCTION_TOKENS['<start_function_call>'];

/**
 * Returns the sorted ids that a completion calling tools can need after this prompt.
 * @param {{encode: (text: string) => number[]}} tokenizer
 * @param {{promptIds: number[], snapshot?: string, command?: string, tools?: any[], stopIds?: number[]}} input
 *   tools: the toolset entries ({type: 'function', function: {name, parameters}}, or flat {name, parameters})
 * @returns {number[]}
 */
export function copyVocabulary(tokenizer, { promptIds, snapshot = '', command = '', tools = [], stopIds = [] }) {
  const ids = new Set([...promptIds, ...Object.values(FUNCTION_TOKENS), ...stopIds]);
  const addIds = (/** @type {number[]} */ list) => { for (const id of list) ids.add(id); };
  const add = (/** @type {string} */ text) => {
    if (!text) return;
    addIds(tokenizer.encode(text));
    addIds(tokenizer.encode(` ${text}`));
  };
  const fns = tools.map((t) => t.function ?? t);
  if (fns.length > 0) addIds(tokenizer.encode(renderCalls(fns.map(sampleCall))));
  for (const text of LITERALS) add(text);
  for (const fn of fns) {
    for (const schema of Object.values(fn.parameters?.properties ?? {})) {
      for (const value of /** @type {any} */ (schema).enum ?? []) add(String(value));
    }
  }
  for (const quoted of snapshot.match(QUOTED) ?? []) add(unquote(quoted));
  for (const word of command.split(/\s+/)) {
    const bare = word.replace(EDGE_PUNCTUATION, '');
    const flipped = bare.charAt(0) === bare.charAt(0).toUpperCase()
      ? bare.charAt(0).toLowerCase() + bare.slice(1)
      : bare.charAt(0).toUpperCase() + bare.slice(1);
    for (const text of new Set([word, bare, flipped])) add(text);
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * Returns the decoder's allowed-tokens hook for a copy vocabulary: the first token is chosen over the
 * whole vocabulary (a words answer must stay possible); when it is `<start_function_call>`, every later
 * token is chosen among `ids`, otherwise the completion is words and stays on the whole vocabulary.
 * @param {number[]} ids
 * @returns {(generated: number[]) => number[] | null}
 */
export function copyHook(ids) {
  return (generated) => (generated.length > 0 && generated[0] === CALL_START ? ids : null);
}

/**
 * A call of the tool with every parameter set to a value of its type, to tokenize the call format.
 * @param {{name: string, parameters?: {properties?: {[key: string]: any}}}} fn
 */
function sampleCall(fn) {
  /** @type {{[key: string]: any}} */
  const args = {};
  for (const [key, schema] of Object.entries(fn.parameters?.properties ?? {})) {
    args[key] = schema.enum?.[0] ?? { string: '', integer: 0, number: 0, boolean: true }[String(schema.type)] ?? null;
  }
  return { name: fn.name, arguments: args };
}

/**
 * Returns the text of a JSON string literal as the snapshot writes it (its inside, if it does not parse).
 * @param {string} quoted
 * @returns {string}
 */
function unquote(quoted) {
  try {
    return JSON.parse(quoted);
  } catch {
    return quoted.slice(1, -1);
  }
}
