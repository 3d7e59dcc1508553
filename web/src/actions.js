/**
 * Checking and performing tool calls on the live page (DESIGN.md, "Tools" and "Runtime").
 *
 *     const snap = takeSnapshot(document.body);                  // snapshot.js, once per run
 *     const check = checkCall(call, snap, tool);                 // {ok, issues, element, entry}
 *     if (check.ok) await executeCall(call, check.element);      // {ok: true, result?} | {ok: false, error}
 *
 * checkCall is the guard that runs before anything happens: the call (already valid for its tool's schema,
 * protocol.js validateCalls) must point at a ref of this run's snapshot whose element is still on the
 * page, name that element, fit its role, be enabled, and carry values the element accepts. executeCall
 * then acts the way a user would, with real DOM events, so that frameworks (React's controlled inputs
 * included) see the change. It never throws: every failure is `{ok: false, error}`. It checks again
 * that its element is still there, visible and enabled, so a call whose element vanished after the
 * check fails cleanly and changes nothing.
 *
 * Plain ES module; imports only snapshot.js and protocol.js.
 */

import { sanitize } from './protocol.js';
import { INTERACTIVE_ROLES, cleanText, isChecked, isPlaceholderOption, optionLabel } from './snapshot.js';

/** @typedef {import('./snapshot.js').Snapshot} Snapshot */
/** @typedef {import('./snapshot.js').SnapshotEntry} SnapshotEntry */
/** @typedef {import('./protocol.js').Tool} Tool */
/** @typedef {import('./protocol.js').JsonValue} JsonValue */

/**
 * A call as checkCall and executeCall take it (schema-valid for its tool).
 * @typedef {{name: string, arguments?: {[key: string]: JsonValue} | null}} ActionCall
 */

/**
 * Why a call may not run. `argument` names the call argument at fault (`ref`, `element`, `option`,
 * `url`, `text`, `checked`).
 * @typedef {{code: ActionIssueCode, argument: string | null, message: string}} ActionIssue
 */

/**
 * @typedef {'unknown_ref' | 'element_gone' | 'name_mismatch' | 'disabled' | 'wrong_role'
 *   | 'unknown_option' | 'bad_value' | 'cross_origin' | 'bad_url'} ActionIssueCode
 */

/**
 * @typedef {{ok: boolean, issues: ActionIssue[], element: Element | null, entry: SnapshotEntry | null}}
 *   CheckResult
 */

/** @typedef {{ok: true, result?: any} | {ok: false, error: string}} ExecuteResult */

/** A window with its DOM constructors (`window.InputEvent`, …): the page's, or an iframe's. */
/** @typedef {Window & typeof globalThis} PageWindow */

/**
 * @typedef {{window?: PageWindow}} ActionOptions  window: the page's window (location for navigate, the
 *   viewport for page scrolls); default the global `window`
 */

/** The ref is not in the snapshot (or a call that names an element gives no ref). */
export const UNKNOWN_REF = 'unknown_ref';
/** The element left the DOM or became hidden since the snapshot. */
export const ELEMENT_GONE = 'element_gone';
/** The call's `element` does not name the element behind its ref. */
export const NAME_MISMATCH = 'name_mismatch';
/** The element (or the chosen option) is disabled, aria-disabled, in a disabled fieldset, or read-only. */
export const DISABLED = 'disabled';
/** The tool does not act on elements of that role. */
export const WRONG_ROLE = 'wrong_role';
/** select_option names no option of the select. */
export const UNKNOWN_OPTION = 'unknown_option';
/** A value the element cannot take (letters in a number field, text over maxlength, unticking a radio). */
export const BAD_VALUE = 'bad_value';
/** navigate to another origin. */
export const CROSS_ORIGIN = 'cross_origin';
/** navigate to a URL that is not http(s) or does not parse. */
export const BAD_URL = 'bad_url';

/**
 * The issue codes of checkCall and what each means.
 * @type {Readonly<{[code: string]: string}>}
 */
export const ACTION_ISSUE_CODES = Object.freeze({
  [UNKNOWN_REF]: 'no such ref in the snapshot (or an element named without a ref)',
  [ELEMENT_GONE]: 'the element left the page or became hidden since the snapshot',
  [NAME_MISMATCH]: "the call's element name does not name the ref's element",
  [DISABLED]: 'the element or option is disabled (or the field is read-only)',
  [WRONG_ROLE]: 'the tool does not act on elements of this role',
  [UNKNOWN_OPTION]: 'the select has no option with that label',
  [BAD_VALUE]: 'the element cannot take this value',
  [CROSS_ORIGIN]: 'navigation to another origin is refused',
  [BAD_URL]: 'only http(s) URLs of this site can be opened',
});

/** Code points of text that read_text returns at most (a longer text is cut and ends in "…"). */
export const READ_TEXT_LIMIT = 4000;
/** Share of the visible height that one scroll moves. */
export const SCROLL_FRACTION = 0.8;

/** The built-in tools of fgweb/toolsets/dom.json, which this module knows how to check and perform. */
const BUILTIN_TOOLS = new Set(['click', 'type_text', 'select_option', 'set_checked', 'scroll', 'navigate',
  'read_text']);
/** Built-in tools that change the page through an element: refused on disabled elements. */
const ACTING_TOOLS = new Set(['click', 'type_text', 'select_option', 'set_checked']);
/** Built-in tools that need an element. */
export const ELEMENT_TOOLS = new Set(['click', 'type_text', 'select_option', 'set_checked', 'read_text']);

/** @type {{[tool: string]: {roles: ReadonlySet<string>, what: string}}} */
export const ROLES_FOR = {
  click: { roles: INTERACTIVE_ROLES, what: 'an interactive element (button, link, field, checkbox, …)' },
  type_text: { roles: new Set(['textbox', 'searchbox']), what: 'a textbox or searchbox' },
  select_option: { roles: new Set(['combobox']), what: 'a combobox (select)' },
  set_checked: { roles: new Set(['checkbox', 'switch', 'radio']), what: 'a checkbox, switch or radio' },
  scroll: { roles: new Set(['scrollable']), what: 'a scrollable element' },
};

/** Input types whose value sanitization turns text they cannot hold into "". */
const STRICT_INPUT_TYPES = new Set(['number', 'date', 'time', 'datetime-local', 'month', 'week']);

/** Characters a near match may differ by at either end of a name: quotes and sentence punctuation. */
const NAME_EDGES = /^[\s"'`“”‘’«»„‚.,:;!?…]+|[\s"'`“”‘’«»„‚.,:;!?…]+$/gu;
const SPACES = /\s+/gu;

// ------------------------------------------------------------------------------------------ checkCall

/**
 * Returns whether `call` may run on the page, checked against the snapshot taken for this run.
 *
 * `element` and `entry` are what the call's ref points to in the snapshot (null when it has no ref or
 * the ref is unknown), also when the element has since gone. Built-in tools get every check; other
 * (user) tools that carry a `ref` get the ref and name checks only. Tools without an element (navigate,
 * scroll of the page) get element null.
 * @param {ActionCall} call a call that fits its tool's schema
 * @param {Snapshot} snapshot this run's snapshot (snapshot.js takeSnapshot)
 * @param {Tool | null} [tool] the toolset entry of the call's tool (unused by the checks themselves)
 * @param {ActionOptions} [options]
 * @returns {CheckResult}
 */
export function checkCall(call, snapshot, tool = null, { window: win = globalThis.window } = {}) {
  void tool;
  const name = call.name;
  const args = call.arguments ?? {};
  const builtin = BUILTIN_TOOLS.has(name);
  /** @type {ActionIssue[]} */
  const issues = [];
  const done = (/** @type {Element | null} */ element, /** @type {SnapshotEntry | null} */ entry) => (
    { ok: issues.length === 0, issues, element, entry });

  if (name === 'navigate') {
    const problem = urlProblem(args.url, win);
    if (problem) issues.push(problem.issue);
    return done(null, null);
  }
  if (!('ref' in args)) {
    if (builtin && 'element' in args) {
      issues.push(issue(UNKNOWN_REF, 'ref',
        `${name} names the element ${JSON.stringify(args.element)} but gives no ref: give the ref number `
        + 'that follows that name in the page snapshot'));
    }
    return done(null, null);
  }

  const ref = args.ref;
  const entry = typeof ref === 'number' && Number.isInteger(ref) && ref >= 1 ? snapshot.entries[ref - 1] : undefined;
  if (!entry || entry.ref !== ref) {
    const known = snapshot.entries.length ? `refs 1..${snapshot.entries.length}` : 'the snapshot is empty';
    issues.push(issue(UNKNOWN_REF, 'ref', `${name}: ref ${JSON.stringify(ref)} is not in the page snapshot (${known})`));
    return done(null, null);
  }
  const element = entry.element;
  const shown = `ref ${entry.ref} (${entry.role} ${JSON.stringify(entry.name)})`;

  if ('element' in args && !namesMatch(args.element, entry.name)) {
    issues.push(issue(NAME_MISMATCH, 'element',
      `${name}: ${JSON.stringify(args.element)} does not name ${shown}: the element and the ref must be `
      + 'the name and number of the same snapshot line'));
  }
  const rule = builtin ? ROLES_FOR[name] : undefined;
  if (rule && !rule.roles.has(entry.role)) {
    issues.push(issue(WRONG_ROLE, 'ref', `${name} needs ${rule.what}, but ${shown} is a ${entry.role}`));
  }
  const gone = goneReason(element);
  if (gone) {
    issues.push(issue(ELEMENT_GONE, 'ref', `${name}: ${shown} ${gone} since the page snapshot was taken`));
    return done(element, entry);
  }
  if (!builtin || (rule && !rule.roles.has(entry.role))) return done(element, entry);

  if (ACTING_TOOLS.has(name)) {
    const why = disabledReason(element, name === 'type_text');
    if (why) issues.push(issue(DISABLED, 'ref', `${name}: ${shown} ${why}: it cannot be used`));
  }
  if (name === 'type_text') {
    const problem = textProblem(/** @type {HTMLInputElement | HTMLTextAreaElement} */ (element), args.text);
    if (problem) issues.push(issue(BAD_VALUE, 'text', `type_text: ${shown} ${problem}`));
  } else if (name === 'select_option') {
    const found = findOption(/** @type {HTMLSelectElement} */ (element), args.option);
    if (found.issue) issues.push(found.issue);
  } else if (name === 'set_checked') {
    if (args.checked === false && isRadio(element) && isChecked(element)) {
      issues.push(issue(BAD_VALUE, 'checked',
        `set_checked: ${shown} is a radio button, which cannot be unticked: tick another radio of its group`));
    }
  }
  return done(element, entry);
}

/**
 * @param {ActionIssueCode} code
 * @param {string | null} argument
 * @param {string} message
 * @returns {ActionIssue}
 */
function issue(code, argument, message) {
  return { code, argument, message };
}

/**
 * A name folded for near matching: NFKC, lower case, whitespace collapsed, quotes and sentence
 * punctuation stripped at both ends.
 * @param {string} text
 * @returns {string}
 */
function foldName(text) {
  return text.normalize('NFKC').toLowerCase().replace(SPACES, ' ').replace(NAME_EDGES, '');
}

/**
 * True when `given` (the call's element) names the snapshot name `shown`: exactly; or equal after
 * folding (foldName); or `shown` was cut ("…" at its end) and `given` starts with what is left of it.
 * A name copied with the snapshot's JSON escapes (`\"`) is read unescaped too.
 * @param {JsonValue | undefined} given
 * @param {string} shown
 * @returns {boolean}
 */
function namesMatch(given, shown) {
  if (typeof given !== 'string') return false;
  /** @type {string[]} */
  const candidates = [given];
  if (given.includes('\\')) {
    try {
      const unescaped = JSON.parse(`"${given}"`);
      if (typeof unescaped === 'string') candidates.push(unescaped);
    } catch {
      // not a JSON string body: compare it as it is
    }
  }
  const folded = foldName(shown);
  const cut = shown.endsWith('…') ? foldName(shown.slice(0, -1)) : '';
  return candidates.some((text) => {
    if (text === shown) return true;
    const mine = foldName(text);
    if (folded || mine) {
      if (mine === folded) return true;
    } else if (text.toLowerCase().replace(SPACES, ' ').trim() === shown.toLowerCase().replace(SPACES, ' ').trim()) {
      return true; // names made only of punctuation: compare them without stripping it
    }
    return cut !== '' && mine.startsWith(cut);
  });
}

/**
 * Why the element cannot be acted on any more ("has left the page", "is now hidden (…)"), or null
 * while it is connected and shown: the snapshot's hiding rules (hidden attribute, aria-hidden="true",
 * display:none, visibility:hidden/collapse, input type=hidden) on the element and its ancestors.
 * @param {Element} el
 * @returns {string | null}
 */
function goneReason(el) {
  if (!el.isConnected) return 'has left the page';
  const view = el.ownerDocument.defaultView;
  if (el.localName === 'input' && /** @type {HTMLInputElement} */ (el).type === 'hidden') {
    return 'is now hidden (input type=hidden)';
  }
  for (let node = /** @type {Element | null} */ (el); node; node = node.parentElement) {
    const self = node === el ? 'it' : `its ancestor <${node.localName}>`;
    if (node.hasAttribute('hidden')) return `is now hidden (${self} has the hidden attribute)`;
    if (node.getAttribute('aria-hidden') === 'true') return `is now hidden (${self} has aria-hidden="true")`;
    if (view) {
      const style = view.getComputedStyle(node);
      if (style.display === 'none') return `is now hidden (${self} has display:none)`;
      if (node === el && (style.visibility === 'hidden' || style.visibility === 'collapse')) {
        return `is now hidden (visibility:${style.visibility})`;
      }
    }
  }
  return null;
}

/**
 * Why the element is not usable ("is disabled", "is inside a disabled fieldset", …), or null.
 * @param {Element} el
 * @param {boolean} typing true for type_text, where a read-only field is refused too
 * @returns {string | null}
 */
function disabledReason(el, typing) {
  if (el.hasAttribute('disabled')) return 'is disabled';
  const fieldset = el.closest('fieldset[disabled]');
  if (fieldset && el.matches(':disabled')) return 'is inside a disabled fieldset';
  if (el.matches(':disabled')) return 'is disabled';
  const aria = el.closest('[aria-disabled="true"]');
  if (aria) return aria === el ? 'is aria-disabled' : `is inside an aria-disabled <${aria.localName}>`;
  if (typing && /** @type {HTMLInputElement} */ (el).readOnly) return 'is read-only';
  return null;
}

/**
 * What is wrong with typing `text` into the field, or null when it can take it.
 * @param {HTMLInputElement | HTMLTextAreaElement} field
 * @param {JsonValue | undefined} text
 * @returns {string | null}
 */
function textProblem(field, text) {
  if (typeof text !== 'string') return `needs a text, got ${JSON.stringify(text)}`;
  const max = field.maxLength;
  if (max >= 0 && Array.from(text).length > max) {
    return `takes at most ${max} characters, and ${JSON.stringify(text)} has ${Array.from(text).length}`;
  }
  if (field.localName === 'input' && STRICT_INPUT_TYPES.has(field.type) && text !== '') {
    const probe = field.ownerDocument.createElement('input');
    probe.type = field.type;
    probe.value = text;
    if (probe.value === '') return `is a ${field.type} field and does not accept ${JSON.stringify(text)}`;
  }
  return null;
}

/**
 * The option of `select` whose label is `wanted`: exactly, else ignoring case (and the snapshot's "…"
 * cut of a long label). `issue` says why none can be chosen (no such option, or it is disabled).
 * @param {HTMLSelectElement} select
 * @param {JsonValue | undefined} wanted
 * @returns {{option: HTMLOptionElement | null, label: string, issue: ActionIssue | null}}
 */
function findOption(select, wanted) {
  const options = Array.from(select.options);
  const labels = options.map(optionLabel);
  const text = typeof wanted === 'string' ? cleanText(wanted) : '';
  const lower = text.toLowerCase();
  let index = labels.indexOf(text);
  if (index < 0) index = labels.findIndex((label) => label.toLowerCase() === lower);
  if (index < 0 && lower.endsWith('…') && lower.length > 1) {
    const prefix = lower.slice(0, -1);
    const matches = labels.flatMap((label, i) => (label.toLowerCase().startsWith(prefix) ? [i] : []));
    if (matches.length === 1) index = matches[0];
  }
  if (index < 0) {
    return {
      option: null, label: '', issue: issue(UNKNOWN_OPTION, 'option',
        `select_option: ${JSON.stringify(wanted)} is not an option of this select (options: `
        + `${JSON.stringify(labels)})`),
    };
  }
  const option = options[index];
  if (isPlaceholderOption(option) && !option.disabled) {
    return {
      option: null, label: labels[index], issue: issue(UNKNOWN_OPTION, 'option',
        `select_option: ${JSON.stringify(labels[index])} is the select's placeholder, not a choice `
        + `(options: ${JSON.stringify(labels.filter((_, i) => !isPlaceholderOption(options[i])))})`),
    };
  }
  if (option.disabled || option.matches(':disabled')) {
    return {
      option: null, label: labels[index], issue: issue(DISABLED, 'option',
        `select_option: the option ${JSON.stringify(labels[index])} is disabled: choose another one`),
    };
  }
  return { option, label: labels[index], issue: null };
}

/**
 * Why navigating to `url` is refused (as an issue), or null with the resolved URL.
 * @param {JsonValue | undefined} url
 * @param {PageWindow} win
 * @returns {{issue: ActionIssue} | null}
 */
function urlProblem(url, win) {
  const resolved = resolveUrl(url, win);
  return 'issue' in resolved ? resolved : null;
}

/**
 * Resolves `url` against the page's location; refuses what is not a same-origin http(s) URL.
 * @param {JsonValue | undefined} url
 * @param {PageWindow} win
 * @returns {{href: string} | {issue: ActionIssue}}
 */
function resolveUrl(url, win) {
  if (typeof url !== 'string' || url.trim() === '') {
    return { issue: issue(BAD_URL, 'url', `navigate needs a URL or a path of this site, got ${JSON.stringify(url)}`) };
  }
  const here = new URL(win.location.href);
  /** @type {URL} */
  let target;
  try {
    target = new URL(url.trim(), here);
  } catch {
    return { issue: issue(BAD_URL, 'url', `navigate: ${JSON.stringify(url)} is not a URL`) };
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return {
      issue: issue(BAD_URL, 'url',
        `navigate: ${JSON.stringify(url)} is a ${target.protocol} URL: only http(s) pages of this site can be opened`),
    };
  }
  if (here.protocol !== 'http:' && here.protocol !== 'https:') {
    return { issue: issue(BAD_URL, 'url', `navigate: this page (${here.protocol}) is not served over http(s)`) };
  }
  if (target.origin !== here.origin) {
    return {
      issue: issue(CROSS_ORIGIN, 'url',
        `navigate: ${JSON.stringify(url)} is on ${target.origin}, not on this site (${here.origin}): `
        + 'other origins are refused'),
    };
  }
  return { href: target.href };
}

// ---------------------------------------------------------------------------------------- executeCall

/**
 * Performs a call on the page with real DOM events, as a user would. `element` is checkCall's element
 * (null for navigate and page scrolls). Never throws; never acts on an element that has gone, is hidden
 * or (for tools that change it) is disabled.
 *
 * Results: read_text gives the element's text, scroll the new scrollTop, select_option the chosen
 * label, navigate the resolved URL.
 * @param {ActionCall} call
 * @param {Element | null} element
 * @param {ActionOptions} [options]
 * @returns {Promise<ExecuteResult>}
 */
export async function executeCall(call, element, { window: win = globalThis.window } = {}) {
  const name = call?.name;
  try {
    return perform(name, call.arguments ?? {}, element, win);
  } catch (err) {
    return fail(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * @param {string} error
 * @returns {ExecuteResult}
 */
function fail(error) {
  return { ok: false, error };
}

/**
 * @param {string} name
 * @param {{[key: string]: JsonValue}} args
 * @param {Element | null} el
 * @param {PageWindow} win
 * @returns {ExecuteResult}
 */
function perform(name, args, el, win) {
  if (!BUILTIN_TOOLS.has(name)) {
    return fail(`executeCall does not know the tool ${JSON.stringify(name)}: run user tools with their own handler`);
  }
  if (name === 'navigate') {
    const resolved = resolveUrl(args.url, win);
    if ('issue' in resolved) return fail(resolved.issue.message);
    win.location.assign(resolved.href);
    return { ok: true, result: resolved.href };
  }
  if (el === null || el === undefined) {
    if (ELEMENT_TOOLS.has(name)) return fail(`${name} needs an element, and none was given`);
    return scrollPage(args.direction, win);
  }
  const gone = goneReason(el);
  if (gone) return fail(`${name}: the element ${gone}: nothing was done`);
  if (ACTING_TOOLS.has(name)) {
    const why = disabledReason(el, name === 'type_text');
    if (why) return fail(`${name}: the element ${why}: nothing was done`);
  }
  const view = el.ownerDocument.defaultView ?? win;
  switch (name) {
    case 'click':
      return click(el, view);
    case 'type_text':
      return typeText(el, args.text, view);
    case 'select_option':
      return selectOption(el, args.option, view);
    case 'set_checked':
      return setChecked(el, args.checked, view);
    case 'scroll':
      return scrollElement(el, args.direction);
    default:
      return readText(el);
  }
}

/**
 * True when the element's box lies inside the viewport and inside every ancestor that clips it.
 * @param {Element} el
 * @param {PageWindow} view
 * @returns {boolean}
 */
function inView(el, view) {
  const r = el.getBoundingClientRect();
  if (r.top < 0 || r.left < 0 || r.bottom > view.innerHeight || r.right > view.innerWidth) return false;
  for (let node = el.parentElement; node && node !== el.ownerDocument.body; node = node.parentElement) {
    const style = view.getComputedStyle(node);
    if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
      const box = node.getBoundingClientRect();
      if (r.top < box.top || r.left < box.left || r.bottom > box.bottom || r.right > box.right) return false;
    }
  }
  return true;
}

/**
 * Scrolls the element to the middle of the view when it is not fully in view.
 * @param {Element} el
 * @param {PageWindow} view
 */
function bringIntoView(el, view) {
  if (!inView(el, view)) el.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' });
}

/**
 * Focuses the element as a mouse press would: the element when it takes focus, else nothing keeps it.
 * @param {Element} el
 */
function focusLikePress(el) {
  const doc = el.ownerDocument;
  /** @type {HTMLElement} */ (el).focus?.({ preventScroll: true });
  if (doc.activeElement !== el && doc.activeElement && doc.activeElement !== doc.body) {
    /** @type {HTMLElement} */ (doc.activeElement).blur?.();
  }
}

/**
 * A user's click: pointerdown, mousedown, focus, pointerup, mouseup, then the element's own click()
 * (one click event, with the element's activation behaviour: links follow, checkboxes toggle, submit
 * buttons submit). As in a browser, a cancelled pointerdown suppresses the mouse events and a cancelled
 * mousedown the focus change.
 * @param {Element} el
 * @param {PageWindow} view
 * @returns {ExecuteResult}
 */
function click(el, view) {
  bringIntoView(el, view);
  const r = el.getBoundingClientRect();
  const at = {
    bubbles: true, cancelable: true, composed: true, view,
    clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, button: 0,
  };
  const pointer = { pointerId: 1, pointerType: 'mouse', isPrimary: true, width: 1, height: 1 };
  const Pointer = view.PointerEvent ?? view.MouseEvent;
  const mouse = el.dispatchEvent(new Pointer('pointerdown', { ...at, ...pointer, buttons: 1, pressure: 0.5 }));
  if (mouse) {
    if (el.dispatchEvent(new view.MouseEvent('mousedown', { ...at, buttons: 1, detail: 1 }))) focusLikePress(el);
  }
  el.dispatchEvent(new Pointer('pointerup', { ...at, ...pointer, buttons: 0, pressure: 0 }));
  if (mouse) el.dispatchEvent(new view.MouseEvent('mouseup', { ...at, buttons: 0, detail: 1 }));
  if (!el.isConnected) return fail('click: the element left the page while it was pressed: no click was sent');
  /** @type {HTMLElement} */ (el).click();
  return { ok: true };
}

/**
 * The native setter of a property on an element's own prototype chain (its realm's), bypassing any
 * setter a framework put on the instance (React's value tracker).
 * @param {Element} el
 * @param {string} property
 * @returns {(value: any) => void}
 */
function nativeSetter(el, property) {
  for (let proto = Object.getPrototypeOf(el); proto; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, property);
    if (descriptor?.set) {
      const set = descriptor.set;
      return (value) => set.call(el, value);
    }
  }
  throw new Error(`<${el.localName}> has no ${property} setter`);
}

/**
 * Replaces a field's value: focus, beforeinput (cancellable), the native value setter, then bubbling
 * input (InputEvent, insertText) and change.
 * @param {Element} el
 * @param {JsonValue | undefined} text
 * @param {PageWindow} view
 * @returns {ExecuteResult}
 */
function typeText(el, text, view) {
  if (el.localName !== 'input' && el.localName !== 'textarea') {
    return fail(`type_text needs an input or textarea, not <${el.localName}>: nothing was typed`);
  }
  const field = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (el);
  const problem = textProblem(field, text);
  if (problem) return fail(`type_text: the field ${problem}: nothing was typed`);
  const value = /** @type {string} */ (text);
  bringIntoView(field, view);
  focusLikePress(field);
  const before = field.value;
  const init = { bubbles: true, composed: true, inputType: 'insertText', data: value };
  if (!field.dispatchEvent(new view.InputEvent('beforeinput', { ...init, cancelable: true }))) {
    return fail('type_text: the page cancelled the input (beforeinput): the field keeps its value');
  }
  nativeSetter(field, 'value')(value);
  field.dispatchEvent(new view.InputEvent('input', init));
  field.dispatchEvent(new view.Event('change', { bubbles: true }));
  if (field.value !== value && field.value === before && value !== before) {
    return fail(`type_text: the page refused the text: the field still holds ${JSON.stringify(before)}`);
  }
  return { ok: true };
}

/**
 * Chooses an option by label: focus, the native select value setter, then bubbling input and change.
 * Choosing the option already selected fires nothing.
 * @param {Element} el
 * @param {JsonValue | undefined} wanted
 * @param {PageWindow} view
 * @returns {ExecuteResult}
 */
function selectOption(el, wanted, view) {
  if (el.localName !== 'select') return fail(`select_option needs a select, not <${el.localName}>: nothing was chosen`);
  const select = /** @type {HTMLSelectElement} */ (el);
  const found = findOption(select, wanted);
  if (!found.option) return fail(/** @type {ActionIssue} */ (found.issue).message);
  const option = found.option;
  bringIntoView(select, view);
  focusLikePress(select);
  if (select.selectedIndex === option.index && select.selectedOptions.length === 1) {
    return { ok: true, result: found.label };
  }
  nativeSetter(select, 'value')(option.value);
  // Options sharing a value: the setter picks the first of them.
  if (select.selectedIndex !== option.index) nativeSetter(select, 'selectedIndex')(option.index);
  select.dispatchEvent(new view.Event('input', { bubbles: true, composed: true }));
  select.dispatchEvent(new view.Event('change', { bubbles: true }));
  if (!option.selected) {
    return fail(`select_option: the page refused ${JSON.stringify(found.label)}: the select shows `
      + `${JSON.stringify(select.selectedIndex >= 0 ? optionLabel(select.options[select.selectedIndex]) : '')}`);
  }
  return { ok: true, result: found.label };
}

/**
 * Ticks or unticks a checkbox, switch or radio by clicking it when its state differs, then confirms
 * the state (a handler may have refused the click).
 * @param {Element} el
 * @param {JsonValue | undefined} checked
 * @param {PageWindow} view
 * @returns {ExecuteResult}
 */
function setChecked(el, checked, view) {
  const input = /** @type {HTMLInputElement} */ (el);
  const native = el.localName === 'input' && (input.type === 'checkbox' || input.type === 'radio');
  const aria = !native && ['checkbox', 'switch', 'radio'].includes((el.getAttribute('role') ?? '').trim().toLowerCase());
  if (!native && !aria) {
    return fail(`set_checked needs a checkbox, switch or radio, not <${el.localName}>: nothing was changed`);
  }
  if (typeof checked !== 'boolean') return fail(`set_checked needs checked true or false, got ${JSON.stringify(checked)}`);
  if (isChecked(el) === checked) return { ok: true };
  if (!checked && isRadio(el)) {
    return fail('set_checked: a radio button cannot be unticked: tick another radio of its group');
  }
  const clicked = click(el, view);
  if (!clicked.ok) return clicked;
  if (isChecked(el) !== checked) {
    return fail(`set_checked: the page refused the click: it is still ${isChecked(el) ? 'ticked' : 'unticked'}`);
  }
  return { ok: true };
}

/**
 * @param {Element} el
 * @returns {boolean} true for a radio input or an element with role=radio
 */
function isRadio(el) {
  return el instanceof HTMLInputElement ? el.type === 'radio' : (el.getAttribute('role') ?? '').trim().toLowerCase() === 'radio';
}

/**
 * @param {JsonValue | undefined} direction
 * @returns {number | null} +1 (down), -1 (up), or null
 */
function directionSign(direction) {
  if (direction === 'down') return 1;
  if (direction === 'up') return -1;
  return null;
}

/**
 * Scrolls a scrollable element by SCROLL_FRACTION of its visible height; the result is its new scrollTop.
 * @param {Element} el
 * @param {JsonValue | undefined} direction
 * @returns {ExecuteResult}
 */
function scrollElement(el, direction) {
  const sign = directionSign(direction);
  if (sign === null) return fail(`scroll needs direction "up" or "down", got ${JSON.stringify(direction)}`);
  el.scrollBy({ top: sign * Math.max(1, Math.round(el.clientHeight * SCROLL_FRACTION)), behavior: 'instant' });
  return { ok: true, result: el.scrollTop };
}

/**
 * Scrolls the page by SCROLL_FRACTION of the viewport's height; the result is the page's new scrollTop.
 * @param {JsonValue | undefined} direction
 * @param {PageWindow} win
 * @returns {ExecuteResult}
 */
function scrollPage(direction, win) {
  const sign = directionSign(direction);
  if (sign === null) return fail(`scroll needs direction "up" or "down", got ${JSON.stringify(direction)}`);
  win.scrollBy({ top: sign * Math.max(1, Math.round(win.innerHeight * SCROLL_FRACTION)), behavior: 'instant' });
  const doc = win.document;
  return { ok: true, result: (doc.scrollingElement ?? doc.documentElement).scrollTop };
}

/**
 * The element's text as a user reads it: a field's value (a password masked), a select's chosen label,
 * else its rendered text (innerText); trimmed, control-token text removed, cut to READ_TEXT_LIMIT.
 * @param {Element} el
 * @returns {ExecuteResult}
 */
function readText(el) {
  /** @type {string} */
  let text;
  if (el.localName === 'input' || el.localName === 'textarea') {
    const field = /** @type {HTMLInputElement} */ (el);
    text = field.type === 'password' && field.value ? '******' : field.value;
  } else if (el.localName === 'select') {
    const select = /** @type {HTMLSelectElement} */ (el);
    text = select.selectedIndex >= 0 ? optionLabel(select.options[select.selectedIndex]) : '';
  } else {
    text = /** @type {HTMLElement} */ (el).innerText ?? el.textContent ?? '';
  }
  text = sanitize(text).trim();
  const points = Array.from(text);
  if (points.length > READ_TEXT_LIMIT) text = `${points.slice(0, READ_TEXT_LIMIT - 1).join('').trimEnd()}…`;
  return { ok: true, result: text };
}
