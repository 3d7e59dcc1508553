/**
 * The FunctionGemma text protocol: render prompts and calls, parse completions, validate calls.
 *
 * One spec, two implementations: `fgweb/protocol.py` implements the same format and both are tested
 * against `tests/vectors/protocol.json` (its README explains the cases).
 *
 *     prompt      = renderPrompt(tools, snapshot, command)
 *     completion  = renderCompletion(calls, answer)        // training target
 *     parsed      = parseCompletion(generatedText)         // {calls, text} or throws ProtocolError
 *     issues      = validateCalls(parsed.calls, tools)     // [] when every call fits its tool's schema
 *
 * Plain ES module, no dependencies: it runs in the page, in a worker and under node.
 */

/**
 * A JSON value as the protocol carries it.
 * @typedef {null | boolean | number | string | JsonValue[] | {[key: string]: JsonValue}} JsonValue
 */

/**
 * One tool call: the tool's name and its arguments (JSON values).
 * @typedef {{name: string, arguments: {[key: string]: JsonValue}}} Call
 */

/**
 * A call as callers may pass it: `arguments` may be left out (no arguments).
 * @typedef {{name: string, arguments?: {[key: string]: JsonValue} | null}} CallLike
 */

/**
 * A parsed completion: tool calls (`text` null) or a text answer (`calls` empty).
 * @typedef {{calls: Call[], text: string | null}} Completion
 */

/**
 * A tool: an OpenAI-style entry `{type: "function", readOnly, function: {name, description, parameters}}`
 * or the flat form `{name, description, parameters}`.
 * @typedef {{function: FlatTool, type?: string, readOnly?: boolean} | FlatTool} Tool
 */

/**
 * @typedef {{name: string, description?: string, parameters?: {[key: string]: any} | null}} FlatTool
 */

/**
 * Tools as callers may pass them: a list (or any iterable) of tools, or a toolset object with a `tools`
 * list (the shape of `fgweb/toolsets/*.json`).
 * @typedef {Iterable<Tool> | {tools: Tool[]}} ToolsLike
 */

/**
 * Why a call does not fit its tool. `argument` is a path (`ref`, `rows[1].name`), null for the tool;
 * `call` is the index of the call in validateCalls' list (null from validateCall).
 * @typedef {{code: IssueCode, argument: string | null, message: string, call: number | null}} Issue
 */

/**
 * @typedef {'unknown_tool' | 'missing_argument' | 'unexpected_argument' | 'wrong_type' | 'not_in_enum'} IssueCode
 */

/**
 * @typedef {'empty' | 'unexpected_text' | 'unexpected_token' | 'missing_name' | 'bad_key' | 'bad_value'
 *   | 'unterminated_string' | 'unterminated_call' | 'truncated'} ParseErrorCode
 */

/**
 * FunctionGemma's ids, so a real FunctionGemma checkpoint is a drop-in base. In the plain Gemma 3
 * vocabulary these ids are <unused40>..<unused46>; the build renames them.
 * @type {Readonly<{[token: string]: number}>}
 */
export const FUNCTION_TOKENS = Object.freeze({
  '<start_function_declaration>': 46,
  '<end_function_declaration>': 47,
  '<start_function_call>': 48,
  '<end_function_call>': 49,
  '<start_function_response>': 50,
  '<end_function_response>': 51,
  '<escape>': 52,
});

/**
 * Text that must never reach the prompt from a page or a typed command: it would forge prompt
 * structure. The same pattern text as Python's (JS `\d` is ASCII digits only). No flags, so it holds
 * no `lastIndex` state; copy it with the `g` flag to find every match.
 * @type {RegExp}
 */
export const CONTROL_TOKEN_PATTERN = new RegExp(
  '<(?:start|end)_of_turn>|<(?:start|end)_function_(?:declaration|call|response)>|<escape>' +
    '|<bos>|<eos>|<pad>|<unk>|<mask>|<unused\\d+>|<(?:start|end)_of_image>|<image_soft_token>|\\[@BOS@\\]',
);

export const BOS = '<bos>';
export const EOS = '<eos>';
export const START_OF_TURN = '<start_of_turn>';
export const END_OF_TURN = '<end_of_turn>';
export const DECLARATION_START = '<start_function_declaration>';
export const DECLARATION_END = '<end_function_declaration>';
export const CALL_START = '<start_function_call>';
export const CALL_END = '<end_function_call>';
export const RESPONSE_START = '<start_function_response>';
export const RESPONSE_END = '<end_function_response>';
export const ESCAPE = '<escape>';

export const DEVELOPER_PREAMBLE = 'You are a model that can do function calling with the following functions';
/**
 * A completion that calls tools ends with RESPONSE_START, one that answers in words with END_OF_TURN.
 * @type {readonly string[]}
 */
export const STOP_TOKENS = Object.freeze([RESPONSE_START, END_OF_TURN]);
/** The prompt text around the snapshot and command. */
export const USER_TURN_PREFIX = `${START_OF_TURN}user\nPage:\n`;
export const USER_TURN_MIDDLE = '\n\nCommand: ';
export const USER_TURN_SUFFIX = `${END_OF_TURN}\n`;
export const MODEL_TURN_START = `${START_OF_TURN}model\n`;

/** Integers up to this size read back exactly; larger literals are doubles (as in Python's parser). */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
/** What trimming removes; `String.prototype.trim` removes more (Unicode spaces), so it is not used. */
export const WHITESPACE = ' \t\n\r\f\v';

/**
 * Error codes of parseCompletion, stable: the Python parser gives the same code for the same text.
 * @type {Readonly<{[code: string]: string}>}
 */
export const PARSE_ERROR_CODES = Object.freeze({
  empty: 'no call and no text',
  unexpected_text: 'text before, between or after calls',
  unexpected_token: 'a control token where none belongs (e.g. <escape> in a text answer)',
  missing_name: 'a call that does not start with call:NAME',
  bad_key: "an object key that is not an identifier followed by ':', or a repeated key",
  bad_value: 'no valid value where one belongs, or a malformed object/array',
  unterminated_string: "a control token other than <escape> before a string's closing <escape>",
  unterminated_call: 'call arguments not followed by <end_function_call>',
  truncated: 'the text ends inside a call (generation stopped or ran out of tokens)',
});

/**
 * Issue codes of validateCall / validateCalls.
 * @type {readonly IssueCode[]}
 */
export const ISSUE_CODES = Object.freeze([
  'unknown_tool', 'missing_argument', 'unexpected_argument', 'wrong_type', 'not_in_enum',
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IDENTIFIER_AT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER_AT = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const NUMBER_CHARS_AT = /[-+0-9.eE]+/y;
const WORD_AT = /[A-Za-z0-9_]+/y;
const CONTROL_TOKEN_ALL = new RegExp(CONTROL_TOKEN_PATTERN.source, 'g');
const CONTROL_TOKEN_AT = new RegExp(CONTROL_TOKEN_PATTERN.source, 'y');
const TRIM = /^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g;
/** @type {{[word: string]: JsonValue}} */
const LITERALS = { true: true, false: false, null: null };

/** A completion that does not follow the format; `code` is one of PARSE_ERROR_CODES. */
export class ProtocolError extends Error {
  /**
   * @param {ParseErrorCode} code one of PARSE_ERROR_CODES
   * @param {string} message what is wrong, and where
   * @param {number | null} [position] index in the completion's text (UTF-16 units) where it went wrong
   */
  constructor(code, message, position = null) {
    super(`${code}: ${message}`);
    this.name = 'ProtocolError';
    /** @type {ParseErrorCode} */
    this.code = code;
    /** @type {string} the message without its code */
    this.detail = message;
    /** @type {number | null} */
    this.position = position;
  }
}

// ---------------------------------------------------------------------------------------------------
// Sanitizing

/**
 * Returns `text` without any control-token text, removed until none is left.
 *
 * Removal repeats because removing one token can join its neighbours into another
 * (`<esc<escape>ape>` would otherwise become `<escape>`).
 * @param {string} text
 * @returns {string}
 */
export function sanitize(text) {
  for (;;) {
    const cleaned = text.replace(CONTROL_TOKEN_ALL, '');
    if (cleaned === text) return cleaned;
    text = cleaned;
  }
}

/**
 * Returns `text` trimmed of `[ \t\n\r\f\v]` at both ends (what Python's `strip(WHITESPACE)` removes).
 * @param {string} text
 * @returns {string}
 */
function strip(text) {
  return text.replace(TRIM, '');
}

/**
 * Returns a typed command ready for the prompt: control-token text removed, then trimmed.
 * @param {string} command
 * @returns {string}
 */
export function cleanCommand(command) {
  return strip(sanitize(command));
}

// ---------------------------------------------------------------------------------------------------
// Rendering

/**
 * @param {unknown} value
 * @returns {value is {[key: string]: any}}
 */
function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Returns a number as `String(number)` writes it (`-0` as `0`); bigints in full.
 * @param {number | bigint} value
 * @returns {string}
 */
export function formatNumber(value) {
  if (typeof value === 'bigint') return String(value);
  if (typeof value !== 'number') throw new TypeError(`not a number: ${describe(value)}`);
  if (!Number.isFinite(value)) {
    throw new RangeError(`${value} cannot be written in the FunctionGemma format (JSON numbers are finite)`);
  }
  return String(value); // String(-0) is "0"
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function describe(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Returns a JSON value in the FunctionGemma format.
 *
 * Strings `<escape>…<escape>` (control-token text removed), true/false/null, numbers as
 * `formatNumber`, arrays `[a,b]`, objects `{k:v,…}` with keys sorted; no spaces anywhere.
 * @param {unknown} value a JSON value
 * @returns {string}
 */
export function renderValue(value) {
  if (typeof value === 'string') return ESCAPE + sanitize(value) + ESCAPE;
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return formatNumber(value);
  if (Array.isArray(value)) return '[' + value.map(renderValue).join(',') + ']';
  if (isObject(value)) {
    const parts = [];
    for (const key of Object.keys(value).sort()) {
      if (!IDENTIFIER.test(key)) {
        throw new RangeError(`object key ${JSON.stringify(key)} cannot be written bare: keys must be identifiers`);
      }
      parts.push(`${key}:${renderValue(value[key])}`);
    }
    return '{' + parts.join(',') + '}';
  }
  throw new TypeError(`${typeof value} is not a JSON value: ${describe(value)}`);
}

/**
 * Returns [name, description, parameters] of an OpenAI-style entry or a flat tool.
 * @param {Tool} tool
 * @returns {[string, unknown, {[key: string]: any}]}
 */
function toolParts(tool) {
  /** @type {FlatTool} */
  const fn = isObject(tool) && 'function' in tool ? /** @type {any} */ (tool).function : tool;
  if (!isObject(fn) || !('name' in fn)) {
    throw new TypeError(`not a tool (expected {type:"function", function:{name, …}}): ${describe(tool)}`);
  }
  const description = 'description' in fn ? fn.description : '';
  const parameters = fn.parameters;
  if (parameters != null && !isObject(parameters)) {
    throw new TypeError(`the parameters of ${describe(fn.name)} must be a JSON schema object`);
  }
  // As in Python (`parameters or {...}`), a missing or empty schema means "an object, no arguments".
  return [fn.name, description, parameters && Object.keys(parameters).length ? parameters : { type: 'object' }];
}

/**
 * Returns a JSON schema with every `type` upper-cased, following properties and items.
 * @param {{[key: string]: any}} schema
 * @returns {{[key: string]: any}}
 */
function declarationSchema(schema) {
  /** @type {{[key: string]: any}} */
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && typeof value === 'string') {
      out[key] = value.toUpperCase();
    } else if (key === 'properties' && isObject(value)) {
      /** @type {{[key: string]: any}} */
      const properties = {};
      for (const [name, sub] of Object.entries(value)) properties[name] = declarationSchema(sub);
      out[key] = properties;
    } else if (key === 'items' && isObject(value)) {
      out[key] = declarationSchema(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * @param {unknown} name
 * @param {string} what
 */
function checkName(name, what) {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new RangeError(`${what} name ${describe(name)} is not an identifier (letters, digits, _)`);
  }
}

/**
 * Returns `<start_function_declaration>declaration:NAME{description:…,parameters:…}<end_…>`.
 * @param {Tool} tool
 * @returns {string}
 */
export function renderDeclaration(tool) {
  const [name, description, parameters] = toolParts(tool);
  checkName(name, 'tool');
  const body = renderValue({ description, parameters: declarationSchema(parameters) });
  return `${DECLARATION_START}declaration:${name}${body}${DECLARATION_END}`;
}

/**
 * @param {ToolsLike} tools
 * @returns {Tool[]}
 */
function toolList(tools) {
  if (Array.isArray(tools)) return tools;
  if (isObject(tools) && Array.isArray(tools.tools)) return tools.tools;
  if (tools != null && typeof (/** @type {any} */ (tools))[Symbol.iterator] === 'function') {
    return Array.from(/** @type {Iterable<Tool>} */ (tools));
  }
  throw new TypeError(`not a list of tools: ${describe(tools)}`);
}

/**
 * Returns the developer turn: `<bos><start_of_turn>developer\n` + preamble + declarations.
 * @param {ToolsLike} tools
 * @returns {string}
 */
export function renderDeveloperTurn(tools) {
  const declarations = toolList(tools).map(renderDeclaration).join('');
  return `${BOS}${START_OF_TURN}developer\n${DEVELOPER_PREAMBLE}${declarations}${END_OF_TURN}\n`;
}

/**
 * Returns `<start_of_turn>user\nPage:\n{snapshot}\n\nCommand: {command}<end_of_turn>\n`.
 *
 * Control-token text is removed from both (page text is data, not prompt structure); the command
 * is also trimmed.
 * @param {string} snapshot
 * @param {string} command
 * @returns {string}
 */
export function renderUserTurn(snapshot, command) {
  return `${USER_TURN_PREFIX}${sanitize(snapshot)}${USER_TURN_MIDDLE}${cleanCommand(command)}${USER_TURN_SUFFIX}`;
}

/**
 * Returns the whole prompt: developer turn, user turn, then `<start_of_turn>model\n`.
 * @param {ToolsLike} tools
 * @param {string} snapshot
 * @param {string} command
 * @returns {string}
 */
export function renderPrompt(tools, snapshot, command) {
  return renderDeveloperTurn(tools) + renderUserTurn(snapshot, command) + MODEL_TURN_START;
}

/**
 * @param {CallLike} call
 * @returns {Call}
 */
function asCall(call) {
  if (!isObject(call)) throw new TypeError(`not a call (expected {name, arguments}): ${describe(call)}`);
  return { name: call.name, arguments: call.arguments || {} };
}

/**
 * Returns one `<start_function_call>call:NAME{args}<end_function_call>`.
 * @param {CallLike} call
 * @returns {string}
 */
export function renderCall(call) {
  const c = asCall(call);
  checkName(c.name, 'tool');
  if (!isObject(c.arguments)) throw new TypeError(`the arguments of ${c.name} must be an object`);
  return `${CALL_START}call:${c.name}${renderValue(c.arguments)}${CALL_END}`;
}

/**
 * Returns the calls in order followed by the stop token `<start_function_response>`.
 * @param {CallLike[]} calls at least one
 * @returns {string}
 */
export function renderCalls(calls) {
  if (!calls || calls.length === 0) {
    throw new RangeError('renderCalls needs at least one call; use renderAnswer for a text answer');
  }
  return calls.map(renderCall).join('') + RESPONSE_START;
}

/**
 * Returns a text answer (control-token text removed) followed by `<end_of_turn>`.
 * @param {string} text
 * @returns {string}
 */
export function renderAnswer(text) {
  return sanitize(text) + END_OF_TURN;
}

/**
 * Returns the model's target text: the calls when there are any, else the text answer.
 * @param {CallLike[] | null | undefined} calls
 * @param {string | null | undefined} answer
 * @returns {string}
 */
export function renderCompletion(calls, answer) {
  const hasCalls = Boolean(calls && calls.length > 0);
  if (hasCalls && answer != null) {
    throw new RangeError('a completion either calls tools or answers in words, not both');
  }
  if (hasCalls) return renderCalls(/** @type {CallLike[]} */ (calls));
  if (answer == null) throw new RangeError('a completion needs calls or an answer');
  return renderAnswer(answer);
}

/**
 * Returns `<start_function_response>response:NAME{…}<end_function_response>` for a read tool.
 * @param {string} name
 * @param {{[key: string]: JsonValue}} value an object
 * @returns {string}
 */
export function renderResponse(name, value) {
  checkName(name, 'tool');
  if (!isObject(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    throw new TypeError(`a function response is an object, got ${kind}: wrap it, e.g. {text: …}`);
  }
  return `${RESPONSE_START}response:${name}${renderValue(value)}${RESPONSE_END}`;
}

// ---------------------------------------------------------------------------------------------------
// Parsing

/**
 * Returns the match of a sticky regex at `pos`, or null.
 * @param {RegExp} sticky a regex with the `y` flag
 * @param {string} text
 * @param {number} pos
 * @returns {RegExpExecArray | null}
 */
function matchAt(sticky, text, pos) {
  sticky.lastIndex = pos;
  return sticky.exec(text);
}

/** Recursive-descent parser over one completion (already cut at its first stop token). */
class Parser {
  /** @param {string} text */
  constructor(text) {
    this.text = text;
    this.pos = 0;
  }

  /**
   * @param {ParseErrorCode} code
   * @param {string} message
   * @param {number | null} [position]
   */
  error(code, message, position = null) {
    const at = position === null ? this.pos : position;
    return new ProtocolError(code, `${message} (at character ${at})`, at);
  }

  atEnd() {
    return this.pos >= this.text.length;
  }

  rest() {
    return this.text.slice(this.pos);
  }

  /**
   * Throws `truncated` when the text ends here.
   * @param {string} what
   */
  needMore(what) {
    if (this.atEnd()) throw this.truncated(what);
  }

  /** @param {string} what */
  truncated(what) {
    return this.error('truncated', `the text ends before ${what}`, this.text.length);
  }

  /** @returns {Call[]} */
  completion() {
    /** @type {Call[]} */
    const calls = [];
    for (;;) {
      while (!this.atEnd() && WHITESPACE.includes(this.text[this.pos])) this.pos += 1;
      if (this.atEnd()) return calls;
      if (this.text.startsWith(CALL_START, this.pos)) {
        calls.push(this.call());
        continue;
      }
      const token = matchAt(CONTROL_TOKEN_AT, this.text, this.pos);
      if (token) throw this.error('unexpected_token', `${token[0]} outside a call`);
      const where = calls.length ? 'after the last call' : 'before the first call';
      throw this.error('unexpected_text', `text ${where}: ${JSON.stringify(this.rest().slice(0, 30))}`);
    }
  }

  /** @returns {Call} */
  call() {
    this.pos += CALL_START.length;
    let rest = this.rest();
    if (!rest.startsWith('call:')) {
      if ('call:'.startsWith(rest)) throw this.truncated("the call's name");
      throw this.error('missing_name', 'a call must start with call:NAME');
    }
    this.pos += 'call:'.length;
    const name = matchAt(IDENTIFIER_AT, this.text, this.pos);
    if (!name) {
      this.needMore("the call's name");
      throw this.error('missing_name', "call: must be followed by the tool's name");
    }
    this.pos += name[0].length;
    this.needMore(`the arguments of ${name[0]}`);
    if (this.text[this.pos] !== '{') {
      throw this.error('bad_value', `the arguments of ${name[0]} must be an object {…}`);
    }
    const args = this.object();
    rest = this.rest();
    if (rest.startsWith(CALL_END)) {
      this.pos += CALL_END.length;
      return { name: name[0], arguments: args };
    }
    if (CALL_END.startsWith(rest)) throw this.truncated(CALL_END);
    throw this.error('unterminated_call', `the call to ${name[0]} is not closed by ${CALL_END}`);
  }

  /**
   * @param {string} what
   * @returns {JsonValue}
   */
  value(what) {
    this.needMore(what);
    const { text, pos } = this;
    const char = text[pos];
    if (text.startsWith(ESCAPE, pos)) return this.string();
    if (char === '{') return this.object();
    if (char === '[') return this.array();
    if (char === '-' || (char >= '0' && char <= '9')) {
      const scanned = /** @type {RegExpExecArray} */ (matchAt(NUMBER_CHARS_AT, text, pos));
      const scannedEnd = pos + scanned[0].length;
      const number = matchAt(NUMBER_AT, text, pos);
      if (number && pos + number[0].length === scannedEnd) {
        this.pos = scannedEnd;
        // Integer literals beyond 2**53 read as the nearest double, as in Python's parser.
        const literal = number[0];
        const parsed = Number(literal);
        if (!Number.isFinite(parsed)) {
          throw this.error('bad_value', `${literal} is out of range for ${what}`, pos);
        }
        // An integer literal reads as an int in Python, so "-0" is 0, not -0.
        return parsed === 0 && !/[.eE]/.test(literal) ? 0 : parsed;
      }
      if (scannedEnd === text.length) throw this.truncated(`the end of the number for ${what}`);
      throw this.error('bad_value', `${JSON.stringify(scanned[0])} is not a number (${what})`, pos);
    }
    const word = matchAt(WORD_AT, text, pos);
    if (word) {
      if (Object.hasOwn(LITERALS, word[0])) {
        this.pos = pos + word[0].length;
        return LITERALS[word[0]];
      }
      if (pos + word[0].length === text.length && Object.keys(LITERALS).some((lit) => lit.startsWith(word[0]))) {
        throw this.truncated(what);
      }
      throw this.error('bad_value', `${JSON.stringify(word[0])} is not a value (${what}); strings need <escape>`);
    }
    if (ESCAPE.startsWith(this.rest())) throw this.truncated(what);
    throw this.error('bad_value', `missing value (${what})`);
  }

  /** @returns {string} */
  string() {
    const start = this.pos + ESCAPE.length;
    CONTROL_TOKEN_ALL.lastIndex = start;
    const token = CONTROL_TOKEN_ALL.exec(this.text);
    CONTROL_TOKEN_ALL.lastIndex = 0;
    if (token === null) throw this.truncated("the string's closing <escape>");
    if (token[0] !== ESCAPE) {
      throw this.error('unterminated_string', `${token[0]} inside a string`, token.index);
    }
    this.pos = token.index + token[0].length;
    return this.text.slice(start, token.index);
  }

  /** @returns {{[key: string]: JsonValue}} */
  object() {
    this.pos += 1; // "{"
    /** @type {{[key: string]: JsonValue}} */
    const result = {};
    this.needMore("the object's closing }");
    if (this.text[this.pos] === '}') {
      this.pos += 1;
      return result;
    }
    for (;;) {
      const keyStart = this.pos;
      const match = matchAt(IDENTIFIER_AT, this.text, this.pos);
      if (!match) {
        this.needMore('an object key');
        throw this.error('bad_key', `expected a key (an identifier), got ${JSON.stringify(this.rest().slice(0, 20))}`);
      }
      const key = match[0];
      this.pos += key.length;
      this.needMore(`the ':' after ${key}`);
      if (this.text[this.pos] !== ':') throw this.error('bad_key', `expected ':' after key ${key}`);
      if (Object.hasOwn(result, key)) throw this.error('bad_key', `key ${key} appears twice`, keyStart);
      this.pos += 1;
      // defineProperty, so a key named __proto__ is an ordinary key, as in Python.
      Object.defineProperty(result, key, {
        value: this.value(`the value of ${key}`), enumerable: true, writable: true, configurable: true,
      });
      this.needMore("the object's closing }");
      const char = this.text[this.pos];
      this.pos += 1;
      if (char === '}') return result;
      if (char !== ',') {
        throw this.error('bad_value', `expected ',' or '}' after the value of ${key}`, this.pos - 1);
      }
    }
  }

  /** @returns {JsonValue[]} */
  array() {
    this.pos += 1; // "["
    /** @type {JsonValue[]} */
    const result = [];
    this.needMore("the array's closing ]");
    if (this.text[this.pos] === ']') {
      this.pos += 1;
      return result;
    }
    for (;;) {
      result.push(this.value(`array item ${result.length}`));
      this.needMore("the array's closing ]");
      const char = this.text[this.pos];
      this.pos += 1;
      if (char === ']') return result;
      if (char !== ',') {
        throw this.error('bad_value', `expected ',' or ']' after array item ${result.length - 1}`, this.pos - 1);
      }
    }
  }
}

/**
 * Returns the calls, or the text answer, of a model's completion (the text after the prompt).
 *
 * The text is read up to its first stop token or `<eos>` (anything after is ignored; the stop
 * token may be absent). Whitespace around calls is allowed, none inside them. A text answer is
 * returned trimmed. Malformed text throws ProtocolError with a code from PARSE_ERROR_CODES.
 * @param {string} text
 * @returns {Completion}
 * @throws {ProtocolError}
 */
export function parseCompletion(text) {
  const ends = [...STOP_TOKENS, EOS].map((t) => text.indexOf(t)).filter((i) => i >= 0);
  const body = ends.length ? text.slice(0, Math.min(...ends)) : text;
  if (!body.includes(CALL_START)) {
    CONTROL_TOKEN_ALL.lastIndex = 0;
    const token = CONTROL_TOKEN_ALL.exec(body);
    CONTROL_TOKEN_ALL.lastIndex = 0;
    if (token) {
      const at = token.index;
      throw new ProtocolError('unexpected_token', `${token[0]} in a text answer (at character ${at})`, at);
    }
    const answer = strip(body);
    if (!answer) throw new ProtocolError('empty', 'the completion has no call and no text', 0);
    return { calls: [], text: answer };
  }
  return { calls: new Parser(body).completion(), text: null };
}

// ---------------------------------------------------------------------------------------------------
// Validation

/**
 * Returns the JSON type name of a value, as messages show it (integral numbers are integers).
 * @param {unknown} value
 * @returns {string}
 */
function jsonType(value) {
  if (typeof value === 'boolean') return 'boolean';
  if (value === null) return 'null';
  if (typeof value === 'bigint' || Number.isInteger(value)) return 'integer';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return 'array';
  if (isObject(value)) return 'object';
  return typeof value;
}

/**
 * @param {unknown} value
 * @param {string} typeName
 */
function fitsType(value, typeName) {
  const actual = jsonType(value);
  if (typeName === 'number') {
    return actual === 'integer' || (actual === 'number' && Number.isFinite(value));
  }
  return actual === typeName;
}

/**
 * Returns whether two JSON values are equal as Python's `==` compares them (inside arrays and
 * objects a boolean equals its number, true == 1), so both implementations agree.
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
function pyEqual(a, b) {
  /** @param {unknown} v */
  const numeric = (v) => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint';
  if (numeric(a) && numeric(b)) return Number(a) === Number(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && pyEqual(a[k], b[k]));
  }
  return a === b;
}

/**
 * Returns whether two JSON values are equal as JSON (true is not 1, 1 is 1.0).
 * @param {unknown} a
 * @param {unknown} b
 */
function sameJson(a, b) {
  const ka = jsonType(a);
  const kb = jsonType(b);
  const numeric = (/** @type {string} */ k) => k === 'integer' || k === 'number';
  if (numeric(ka) && numeric(kb)) return pyEqual(a, b);
  return ka === kb && pyEqual(a, b);
}

/**
 * @param {string} path
 * @param {string} key
 */
function join(path, key) {
  return path ? `${path}.${key}` : key;
}

/**
 * @param {string} tool
 * @param {unknown} value
 * @param {{[key: string]: any}} schema
 * @param {string} path
 * @param {Issue[]} issues
 */
function checkValue(tool, value, schema, path, issues) {
  const expected = schema.type;
  if (typeof expected === 'string' && !fitsType(value, expected)) {
    const got = jsonType(value);
    issues.push(issue('wrong_type', path, `${tool}: ${path} must be ${expected}, got ${got}`));
    return;
  }
  const options = schema.enum;
  if (Array.isArray(options) && !options.some((option) => sameJson(value, option))) {
    const allowed = options.map((o) => JSON.stringify(o)).join(', ');
    issues.push(issue('not_in_enum', path, `${tool}: ${path} must be one of ${allowed}`));
    return;
  }
  if (Array.isArray(value) && isObject(schema.items)) {
    value.forEach((item, i) => checkValue(tool, item, schema.items, `${path}[${i}]`, issues));
  } else if (isObject(value)) {
    checkObject(tool, value, schema, path, issues);
  }
}

/**
 * @param {string} tool
 * @param {{[key: string]: unknown}} value
 * @param {{[key: string]: any}} schema
 * @param {string} path
 * @param {Issue[]} issues
 */
function checkObject(tool, value, schema, path, issues) {
  const properties = schema.properties;
  for (const name of schema.required || []) {
    if (!Object.hasOwn(value, name)) {
      const where = join(path, name);
      issues.push(issue('missing_argument', where, `${tool}: missing argument ${where}`));
    }
  }
  if (properties == null) return; // an object schema without properties accepts any keys
  for (const key of Object.keys(value).sort()) {
    if (!Object.hasOwn(properties, key)) {
      issues.push(issue('unexpected_argument', join(path, key), `${tool} takes no argument ${join(path, key)}`));
    } else {
      checkValue(tool, value[key], properties[key], join(path, key), issues);
    }
  }
}

/**
 * @param {IssueCode} code
 * @param {string | null} argument
 * @param {string} message
 * @returns {Issue}
 */
function issue(code, argument, message) {
  return { code, argument, message, call: null };
}

/**
 * Returns the ways `call` breaks `tool`'s parameter schema; [] when it fits.
 *
 * Order: missing arguments (in `required` order), then each given argument by sorted name
 * (unexpected_argument, wrong_type, not_in_enum), nested objects and array items in place.
 * @param {CallLike} call
 * @param {Tool} tool
 * @returns {Issue[]}
 */
export function validateCall(call, tool) {
  const c = asCall(call);
  const [name, , parameters] = toolParts(tool);
  if (c.name !== name) throw new RangeError(`validateCall got a call to ${c.name} and the tool ${name}`);
  /** @type {Issue[]} */
  const issues = [];
  checkObject(name, c.arguments, { properties: {}, ...parameters }, '', issues);
  return issues;
}

/**
 * Returns the issues of every call (each Issue's `call` is the call's index); [] when all fit.
 * @param {CallLike[]} calls
 * @param {ToolsLike} tools
 * @returns {Issue[]}
 */
export function validateCalls(calls, tools) {
  /** @type {Map<string, Tool>} */
  const byName = new Map();
  for (const tool of toolList(tools)) byName.set(toolParts(tool)[0], tool);
  /** @type {Issue[]} */
  const issues = [];
  calls.forEach((raw, index) => {
    const call = asCall(raw);
    const tool = byName.get(call.name);
    /** @type {Issue[]} */
    let found;
    if (tool === undefined) {
      const known = [...byName.keys()].sort().join(', ');
      found = [issue('unknown_tool', null, `no tool named ${JSON.stringify(call.name)} (tools: ${known})`)];
    } else {
      found = validateCall(call, tool);
    }
    for (const each of found) each.call = index;
    issues.push(...found);
  });
  return issues;
}
