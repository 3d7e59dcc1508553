/**
 * Checking and performing tool calls on the live page (DESIGN.md, "Tools" and "Runtime"; docs/runtime.md).
 *
 *     const snap = takeSnapshot(document.body);                  // snapshot.js, once per run
 *     const check = checkCall(call, snap, tool);                 // {ok, issues, element, entry}
 *     if (check.ok) await executeCall(call, check.element, {entry: check.entry, confirm, allowOrigins});
 *                                            // {ok: true, result?} | {ok: false, error, issue?}
 *
 * checkCall is the guard that runs before anything happens: the call (already valid for its tool's schema,
 * protocol.js validateCalls) must point at a ref of this run's snapshot whose element is still on the
 * page, still seen, still the role and name its line showed, named by the call, enabled, carrying values
 * the element accepts, and (a click on a link or a submit button) not leaving for a place the origin
 * policy refuses (checkDestination). executeCall acts the way a user would, with real DOM events, so that
 * frameworks (React's controlled inputs included) see the change. It never throws.
 *
 * Act on what was checked: right before it acts, executeCall checks again (the page may have changed
 * while the model wrote, or while the user was asked): the same node as the snapshot line, still
 * connected and seen, the same role and name as the line and the call, enabled, within the origin policy,
 * and, for tools that change the element, the topmost element at its click point (not covered, no
 * pointer-events:none). A refusal is `{ok: false, error, issue}` and nothing on the page has changed. With
 * a `confirm` callback, actions that submit, navigate, or whose element's name says delete, pay, send, …
 * (`confirmationFor`) run only when it resolves to true.
 *
 * Plain ES module; imports only snapshot.js and protocol.js.
 */

import { sanitize } from './protocol.js';
import {
  INTERACTIVE_ROLES, cleanText, describeElement, hiddenReason, isChecked, isPlaceholderOption, optionLabel,
} from './snapshot.js';

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
 * `url`, `text`, `checked`), null when none is.
 * @typedef {{code: ActionIssueCode, argument: string | null, message: string}} ActionIssue
 */

/**
 * @typedef {'unknown_ref' | 'element_gone' | 'element_changed' | 'name_mismatch' | 'disabled' | 'wrong_role'
 *   | 'unknown_option' | 'bad_value' | 'cross_origin' | 'bad_url' | 'not_clickable' | 'not_confirmed'}
 *   ActionIssueCode
 */

/**
 * @typedef {{ok: boolean, issues: ActionIssue[], element: Element | null, entry: SnapshotEntry | null}}
 *   CheckResult
 */

/**
 * `issue`: the action was refused before it started, so nothing changed; without it, it started and failed.
 * @typedef {{ok: true, result?: any} | {ok: false, error: string, issue?: ActionIssue}} ExecuteResult
 */

/** A window with its DOM constructors (`window.InputEvent`, …): the page's, or an iframe's. */
/** @typedef {Window & typeof globalThis} PageWindow */

/**
 * What `confirm` is asked (confirmationFor): the call, its element (null for navigate), why it needs
 * confirmation, where it would go (null when nowhere), and a sentence saying all that.
 * @typedef {{name: string, arguments: {[key: string]: JsonValue}, element: Element | null,
 *   reasons: ('navigate' | 'submit' | 'name' | 'attribute')[], url: string | null, message: string}}
 *   ConfirmRequest
 */

/**
 * @typedef {{window?: PageWindow, allowOrigins?: Iterable<string>, entry?: SnapshotEntry | null,
 *   confirm?: ((request: ConfirmRequest) => boolean | Promise<boolean>) | null}} ActionOptions
 *   window: the page's window (location for navigate, the viewport for page scrolls); default the global
 *   `window`. allowOrigins: origins besides the page's that navigation may reach (`https://example.com`).
 *   entry (executeCall): the snapshot line the element came from, re-checked right before acting.
 *   confirm (executeCall): asked before the actions confirmationFor names; anything but true refuses.
 */

/** The ref is not in the snapshot (or a call that names an element gives no ref). */
export const UNKNOWN_REF = 'unknown_ref';
/** The element left the DOM, or became hidden or visually hidden, since the snapshot. */
export const ELEMENT_GONE = 'element_gone';
/** The element's role or name is not its snapshot line's any more (relabelled, reused by a framework). */
export const ELEMENT_CHANGED = 'element_changed';
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
/** navigate, a link or a form submission to another origin that allowOrigins does not list. */
export const CROSS_ORIGIN = 'cross_origin';
/** navigate, a link or a form submission to a URL that is not http(s) (javascript: above all) or does not parse. */
export const BAD_URL = 'bad_url';
/** Another element is on top of the element at its click point, or it has pointer-events:none. */
export const NOT_CLICKABLE = 'not_clickable';
/** The confirm callback did not allow the action. */
export const NOT_CONFIRMED = 'not_confirmed';

/**
 * The issue codes of checkCall and executeCall and what each means.
 * @type {Readonly<{[code: string]: string}>}
 */
export const ACTION_ISSUE_CODES = Object.freeze({
  [UNKNOWN_REF]: 'no such ref in the snapshot (or an element named without a ref)',
  [ELEMENT_GONE]: 'the element left the page or became hidden since the snapshot',
  [ELEMENT_CHANGED]: 'the element is no longer the role or name its snapshot line showed',
  [NAME_MISMATCH]: "the call's element name does not name the ref's element",
  [DISABLED]: 'the element or option is disabled (or the field is read-only)',
  [WRONG_ROLE]: 'the tool does not act on elements of this role',
  [UNKNOWN_OPTION]: 'the select has no option with that label',
  [BAD_VALUE]: 'the element cannot take this value',
  [CROSS_ORIGIN]: 'navigation to another origin is refused',
  [BAD_URL]: 'only http(s) URLs can be opened (never javascript:)',
  [NOT_CLICKABLE]: 'another element covers it at its click point, or it has pointer-events:none',
  [NOT_CONFIRMED]: 'the user did not confirm the action',
});

/** Code points of text that read_text returns at most (a longer text is cut and ends in "…"). */
export const READ_TEXT_LIMIT = 4000;
/** Share of the visible height that one scroll moves. */
export const SCROLL_FRACTION = 0.8;

/** The built-in tools of fgweb/toolsets/dom.json, which this module knows how to check and perform. */
const BUILTIN_TOOLS = new Set(['click', 'type_text', 'select_option', 'set_checked', 'scroll', 'navigate',
  'read_text']);
/** Built-in tools that change the page through an element: refused on disabled or covered elements. */
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

/**
 * Words of an element's name that make a click ask for confirmation (whole words, any case), and the
 * attribute by which a page asks for it on any element (its value, if any, is the question).
 */
export const CONFIRM_WORDS = /\b(delete|remove|pay|buy|purchase|send|transfer)\b|\bcancel\b.*\bsubscription\b/i;
export const CONFIRM_ATTRIBUTE = 'data-fgweb-confirm';

/** Input types whose value sanitization turns text they cannot hold into "". */
const STRICT_INPUT_TYPES = new Set(['number', 'date', 'time', 'datetime-local', 'month', 'week']);

/** Characters a near match may differ by at either end of a name: quotes and sentence punctuation. */
const NAME_EDGES = /^[\s"'`“”‘’«»„‚.,:;!?…]+|[\s"'`“”‘’«»„‚.,:;!?…]+$/gu;
const SPACES = /\s+/gu;

// The DOM's own getters: a form's named controls shadow its properties (`<input name="action">` replaces
// form.action, `<input name="getAttribute">` form.getAttribute), and a page may shadow a control's.
const getAttr = (/** @type {Element} */ el, /** @type {string} */ name) => Element.prototype.getAttribute.call(el, name);
const hasAttr = (/** @type {Element} */ el, /** @type {string} */ name) => Element.prototype.hasAttribute.call(el, name);

// ------------------------------------------------------------------------------------------ checkCall

/**
 * Returns whether `call` may run on the page, checked against the snapshot taken for this run and the
 * page as it is now.
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
export function checkCall(call, snapshot, tool = null, { window: win = globalThis.window, allowOrigins = [] } = {}) {
  void tool;
  const name = call.name;
  const args = call.arguments ?? {};
  const builtin = BUILTIN_TOOLS.has(name);
  /** @type {ActionIssue[]} */
  const issues = [];
  const done = (/** @type {Element | null} */ element, /** @type {SnapshotEntry | null} */ entry) => (
    { ok: issues.length === 0, issues, element, entry });

  if (name === 'navigate') {
    const target = navigateTarget(args.url, win, allowOrigins);
    if ('issue' in target) issues.push(target.issue);
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
  const shown = shownAs(entry);

  if ('element' in args && !namesMatch(args.element, entry.name)) {
    issues.push(issue(NAME_MISMATCH, 'element',
      `${name}: ${JSON.stringify(args.element)} does not name ${shown}: the element and the ref must be `
      + 'the name and number of the same snapshot line'));
  }
  const rule = builtin ? ROLES_FOR[name] : undefined;
  if (rule && !rule.roles.has(entry.role)) {
    issues.push(issue(WRONG_ROLE, 'ref', `${name} needs ${rule.what}, but ${shown} is a ${entry.role}`));
  }
  const gone = hiddenReason(element);
  if (gone) {
    issues.push(issue(ELEMENT_GONE, 'ref', `${name}: ${shown} ${gone} since the page snapshot was taken`));
    return done(element, entry);
  }
  if (!builtin || (rule && !rule.roles.has(entry.role))) return done(element, entry);

  const changed = changeIssue(name, args, element, entry);
  if (changed) {
    issues.push(changed);
    return done(element, entry);
  }
  if (ACTING_TOOLS.has(name)) {
    const why = disabledReason(element, name === 'type_text');
    if (why) issues.push(issue(DISABLED, 'ref', `${name}: ${shown} ${why}: it cannot be used`));
  }
  if (name === 'click') {
    const leaves = clickIssue(element, shown, win, allowOrigins);
    if (leaves) issues.push(leaves);
  } else if (name === 'type_text') {
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
 * How messages show a snapshot line's element: `ref 3 (button "Save")`.
 * @param {SnapshotEntry} entry
 * @returns {string}
 */
function shownAs(entry) {
  return `ref ${entry.ref} (${entry.role} ${JSON.stringify(entry.name)})`;
}

/**
 * The issue when the element is no longer what its snapshot line showed: another role (any tool that
 * acts on an element), or another name (tools that change the page: a button relabelled from "Archive"
 * to "Delete account" while the model wrote is not clicked). Without a line, the call's `element` is
 * compared with the element's name now. read_text and scroll may read a text that changed.
 * @param {string} name the tool
 * @param {{[key: string]: JsonValue}} args
 * @param {Element} el
 * @param {SnapshotEntry | null} entry
 * @returns {ActionIssue | null}
 */
function changeIssue(name, args, el, entry) {
  const now = describeElement(el);
  const shown = entry ? shownAs(entry) : `the element <${el.localName}>`;
  const since = 'since the page snapshot was taken: take a new snapshot and decide again';
  if (entry && now.role !== entry.role) {
    return issue(ELEMENT_CHANGED, 'ref', `${name}: ${shown} is now ${now.role ? `a ${now.role}` : 'not an element '
      + 'the snapshot lists'} ${since}`);
  }
  if (!ACTING_TOOLS.has(name)) return null;
  if (entry ? now.name !== entry.name : 'element' in args && !namesMatch(args.element, now.name)) {
    return issue(ELEMENT_CHANGED, 'element', `${name}: ${shown} is now named ${JSON.stringify(now.name)} ${since}`);
  }
  return null;
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

// ------------------------------------------------------------------------- where an action goes

/**
 * The origins that navigation may reach besides the page's own, from `createAgent({allowOrigins})`:
 * each an http(s) origin such as "https://example.com" (a URL is taken for its origin).
 * @param {Iterable<string>} list
 * @returns {Set<string>}
 * @throws {TypeError} naming an entry that is not an http(s) origin
 */
export function allowedOrigins(list) {
  const out = new Set();
  for (const item of list ?? []) {
    let url = null;
    try {
      url = typeof item === 'string' ? new URL(item) : null;
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new TypeError(`allowOrigins: ${JSON.stringify(item)} is not an http(s) origin such as "https://example.com"`);
    }
    out.add(url.origin);
  }
  return out;
}

/**
 * The origin policy, one for every action that can take the page elsewhere: navigate, a click on a link
 * (`a[href]`, `area[href]`) and a form submission. `url` is resolved against `base` as the browser would;
 * a `javascript:` URL is never followed, nor any URL that is not http(s); a page on another origin than
 * this page's is refused unless `allowOrigins` lists it; and a page not itself served over http(s) opens
 * nothing. `subject` starts the messages ("navigate: \"/x\"", "click: ref 3 (link \"Docs\") leads to …").
 * @param {string} url
 * @param {{window: PageWindow, base?: string, allowOrigins?: Iterable<string>, subject: string,
 *   argument: string}} where
 * @returns {{href: string} | {issue: ActionIssue}}
 */
export function checkDestination(url, { window: win, base = win.location.href, allowOrigins = [], subject, argument }) {
  const refuse = (/** @type {ActionIssueCode} */ code, /** @type {string} */ why) => ({ issue: issue(code, argument, `${subject} ${why}`) });
  const here = new URL(win.location.href);
  /** @type {URL} */
  let target;
  try {
    target = new URL(url.trim(), base);
  } catch {
    return refuse(BAD_URL, 'is not a URL');
  }
  if (target.protocol === 'javascript:') return refuse(BAD_URL, 'is a javascript: URL, which is never followed');
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return refuse(BAD_URL, `is a ${target.protocol} URL: only http(s) pages of this site can be opened`);
  }
  if (here.protocol !== 'http:' && here.protocol !== 'https:') {
    return refuse(BAD_URL, `cannot be opened: this page (${here.protocol}) is not served over http(s)`);
  }
  if (target.origin !== here.origin && !allowedOrigins(allowOrigins).has(target.origin)) {
    return refuse(CROSS_ORIGIN, `is on ${target.origin}, not on this site (${here.origin}): other origins are `
      + 'refused (createAgent({allowOrigins}) lists those allowed)');
  }
  return { href: target.href };
}

/**
 * navigate's URL under the origin policy.
 * @param {JsonValue | undefined} url
 * @param {PageWindow} win
 * @param {Iterable<string>} allowOrigins
 * @returns {{href: string} | {issue: ActionIssue}}
 */
function navigateTarget(url, win, allowOrigins) {
  if (typeof url !== 'string' || url.trim() === '') {
    return { issue: issue(BAD_URL, 'url', `navigate needs a URL or a path of this site, got ${JSON.stringify(url)}`) };
  }
  return checkDestination(url, { window: win, allowOrigins, subject: `navigate: ${JSON.stringify(url)}`, argument: 'url' });
}

/**
 * Where a form submission goes: the submitter's `formaction` and `formmethod`, else the form's `action`
 * and `method` (an empty action is the page's own URL; an unknown method is get).
 * @param {HTMLFormElement} form
 * @param {Element | null} submitter
 * @returns {{url: string, base: string, method: 'get' | 'post' | 'dialog'}}
 */
function formTarget(form, submitter) {
  const own = (/** @type {string} */ name) => (submitter && hasAttr(submitter, `form${name}`)
    ? getAttr(submitter, `form${name}`) : getAttr(form, name));
  const method = (own('method') ?? '').trim().toLowerCase();
  return {
    url: own('action') || form.ownerDocument.URL,
    base: form.ownerDocument.baseURI,
    method: method === 'post' || method === 'dialog' ? method : 'get',
  };
}

/**
 * The form a click on `el` submits, or null: `el` is a submit button (`<button>` of type submit, the
 * default, or `<input type=submit|image>`) with a form owner.
 * @param {Element} el
 * @returns {HTMLFormElement | null}
 */
function submittedForm(el) {
  const button = el instanceof HTMLButtonElement && el.type === 'submit';
  const input = el instanceof HTMLInputElement && (el.type === 'submit' || el.type === 'image');
  return button || input ? /** @type {HTMLButtonElement | HTMLInputElement} */ (el).form : null;
}

/**
 * Where a click on `el` would take the page, as each place the origin policy must allow: the form it
 * submits (unless its method is dialog, which only closes a dialog), and the link (`a[href]`,
 * `area[href]`: the element or an ancestor) it follows.
 * @param {Element} el
 * @returns {{kind: 'submit' | 'link', url: string, base: string, method: string}[]}
 */
function clickTargets(el) {
  const out = [];
  const form = submittedForm(el);
  if (form) {
    const target = formTarget(form, el);
    if (target.method !== 'dialog') out.push({ kind: /** @type {const} */ ('submit'), ...target });
  }
  const link = el.closest('a[href], area[href]');
  if (link) out.push({ kind: /** @type {const} */ ('link'), url: getAttr(link, 'href') ?? '', base: link.baseURI, method: 'get' });
  return out;
}

/**
 * The origin policy's issue for a click on `el` (a link it follows or a form it submits), or null.
 * @param {Element} el
 * @param {string} shown how messages show the element
 * @param {PageWindow} win
 * @param {Iterable<string>} allowOrigins
 * @returns {ActionIssue | null}
 */
function clickIssue(el, shown, win, allowOrigins) {
  for (const target of clickTargets(el)) {
    const subject = target.kind === 'link'
      ? `click: ${shown} leads to ${JSON.stringify(target.url)}, which`
      : `click: ${shown} submits its form (${target.method.toUpperCase()}) to ${JSON.stringify(target.url)}, which`;
    const checked = checkDestination(target.url, { window: win, base: target.base, allowOrigins, subject, argument: 'ref' });
    if ('issue' in checked) return checked.issue;
  }
  return null;
}

// ------------------------------------------------------------------------------------- confirmation

/**
 * Whether an action needs the user's confirmation before it runs (createAgent's `confirm`), and why; null
 * when it does not. The rule (docs/runtime.md):
 * - navigate, and a click on a link that leaves this document (a URL other than the page's, the fragment
 *   aside): reason 'navigate';
 * - a click on a submit button of a form (not method=dialog): 'submit';
 * - a click on an element whose name says delete, remove, pay, buy, purchase, send, transfer or cancel …
 *   subscription (CONFIRM_WORDS): 'name';
 * - click, type_text, select_option or set_checked on an element that carries `data-fgweb-confirm`, or
 *   inside one (its value, when not empty, is the question): 'attribute'.
 * read_text (read-only) and scroll never ask.
 * @param {ActionCall} call
 * @param {Element | null} element
 * @param {{window?: PageWindow, entry?: SnapshotEntry | null}} [options]
 * @returns {ConfirmRequest | null}
 */
export function confirmationFor(call, element, { window: win = globalThis.window, entry = null } = {}) {
  const name = call.name;
  const args = call.arguments ?? {};
  const label = element ? entry?.name ?? describeElement(element).name : '';
  /** @type {ConfirmRequest['reasons']} */
  const reasons = [];
  /** @type {string[]} */
  const says = [];
  /** @type {string | null} */
  let url = null;
  if (name === 'navigate') {
    url = resolved(args.url, win.location.href);
    reasons.push('navigate');
    says.push(`opens ${url ?? JSON.stringify(args.url)}`);
  } else if (element && ACTING_TOOLS.has(name)) {
    if (name === 'click') {
      for (const target of clickTargets(element)) {
        const href = resolved(target.url, target.base);
        if (href === null) continue; // the origin policy refuses it
        if (target.kind === 'submit') {
          reasons.push('submit');
          says.push(`submits its form (${target.method.toUpperCase()}) to ${href}`);
        } else if (href.split('#')[0] !== win.location.href.split('#')[0]) {
          reasons.push('navigate');
          says.push(`opens ${href}`);
        } else {
          continue; // a fragment of this page
        }
        url ??= href;
      }
      const word = CONFIRM_WORDS.exec(label);
      if (word) {
        reasons.push('name');
        says.push(`its name says "${word[0]}"`);
      }
    }
    const marked = element.closest(`[${CONFIRM_ATTRIBUTE}]`);
    if (marked) {
      reasons.push('attribute');
      says.push(cleanText(getAttr(marked, CONFIRM_ATTRIBUTE) ?? '') || `the page asks for confirmation (${CONFIRM_ATTRIBUTE})`);
    }
  }
  if (!reasons.length) return null;
  const what = element ? ` ${JSON.stringify(label)}` : '';
  return { name, arguments: args, element, reasons, url, message: `${name}${what}: ${says.join('; ')}` };
}

/**
 * @param {JsonValue | undefined} url
 * @param {string} base
 * @returns {string | null} `url` resolved against `base`, or null when it is no URL
 */
function resolved(url, base) {
  try {
    return typeof url === 'string' ? new URL(url.trim(), base).href : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------- executeCall

/**
 * Performs a call on the page with real DOM events, as a user would. `element` is checkCall's element
 * (null for navigate and page scrolls). Never throws; never acts on an element that has gone, is hidden,
 * covered or (for tools that change it) disabled, nor leaves for a place the origin policy refuses.
 *
 * Right before acting it re-checks the page (act on what was checked): with `entry` (the snapshot line
 * the element came from), the same node, role and name as that line. With `confirm`, the actions that
 * confirmationFor names run only when it resolves to true, and are re-checked after it. A refusal is
 * `{ok: false, error, issue}` with nothing done.
 *
 * Results: read_text gives the element's text, scroll the new scrollTop, select_option the chosen
 * label, navigate the resolved URL.
 * @param {ActionCall} call
 * @param {Element | null} element
 * @param {ActionOptions} [options]
 * @returns {Promise<ExecuteResult>}
 */
export async function executeCall(call, element, options = {}) {
  const name = call?.name;
  const args = call?.arguments ?? {};
  const ctx = {
    win: options.window ?? globalThis.window, entry: options.entry ?? null, allowOrigins: options.allowOrigins ?? [],
  };
  try {
    if (!BUILTIN_TOOLS.has(name)) {
      return fail(`executeCall does not know the tool ${JSON.stringify(name)}: run user tools with their own handler`);
    }
    if (!element && ELEMENT_TOOLS.has(name)) return fail(`${name} needs an element, and none was given`);
    let refused = recheck(name, args, element, ctx);
    if (refused) return refusal(refused);
    const ask = options.confirm ? confirmationFor({ name, arguments: args }, element, { window: ctx.win, entry: ctx.entry }) : null;
    if (ask && options.confirm) {
      let answer;
      try {
        answer = await options.confirm(ask);
      } catch (err) {
        return refusal(issue(NOT_CONFIRMED, null, `${ask.message}: the confirm callback failed `
          + `(${err instanceof Error ? err.message : String(err)}), so nothing was done`));
      }
      if (answer !== true) return refusal(issue(NOT_CONFIRMED, null, `${ask.message}: not confirmed, so nothing was done`));
      refused = recheck(name, args, element, ctx); // the page may have changed while the user was asked
      if (refused) return refusal(refused);
    }
    return perform(name, args, element, ctx);
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
 * @param {ActionIssue} why
 * @returns {ExecuteResult}
 */
function refusal(why) {
  return { ok: false, error: why.message, issue: why };
}

/**
 * @typedef {{win: PageWindow, entry: SnapshotEntry | null, allowOrigins: Iterable<string>}} ActContext
 */

/**
 * Why the action may not run now, or null: checkCall's checks on the live page (same node as `entry`,
 * still connected and seen, same role and name, enabled, within the origin policy) and, for the tools
 * that change an element, that a person could click it (reachReason: this scrolls it into view, and
 * back when it cannot be reached).
 * @param {string} name
 * @param {{[key: string]: JsonValue}} args
 * @param {Element | null} el
 * @param {ActContext} ctx
 * @returns {ActionIssue | null}
 */
function recheck(name, args, el, { win, entry, allowOrigins }) {
  if (name === 'navigate') {
    const target = navigateTarget(args.url, win, allowOrigins);
    return 'issue' in target ? target.issue : null;
  }
  if (!el) return null; // a scroll of the page
  const shown = entry ? shownAs(entry) : `the element <${el.localName}>`;
  const nothing = (/** @type {ActionIssueCode} */ code, /** @type {string} */ why) => issue(code, 'ref', `${name}: ${shown} ${why}: nothing was done`);
  if (entry && entry.element !== el) return nothing(ELEMENT_CHANGED, 'is another element than the one given');
  const gone = hiddenReason(el);
  if (gone) return nothing(ELEMENT_GONE, gone);
  const changed = changeIssue(name, args, el, entry);
  if (changed) return changed;
  if (ACTING_TOOLS.has(name)) {
    const why = disabledReason(el, name === 'type_text');
    if (why) return nothing(DISABLED, why);
  }
  if (name === 'click') {
    const leaves = clickIssue(el, shown, win, allowOrigins);
    if (leaves) return leaves;
  }
  if (ACTING_TOOLS.has(name)) {
    const blocked = reachReason(el, el.ownerDocument.defaultView ?? win);
    if (blocked) return nothing(NOT_CLICKABLE, blocked);
  }
  return null;
}

/**
 * Acts (recheck passed).
 * @param {string} name
 * @param {{[key: string]: JsonValue}} args
 * @param {Element | null} el
 * @param {ActContext} ctx
 * @returns {ExecuteResult}
 */
function perform(name, args, el, ctx) {
  if (name === 'navigate') {
    const target = /** @type {{href: string}} */ (navigateTarget(args.url, ctx.win, ctx.allowOrigins));
    ctx.win.location.assign(target.href);
    return { ok: true, result: target.href };
  }
  if (!el) return scrollPage(args.direction, ctx.win);
  const view = el.ownerDocument.defaultView ?? ctx.win;
  switch (name) {
    case 'click':
      return click(el, view, ctx);
    case 'type_text':
      return typeText(el, args.text, view);
    case 'select_option':
      return selectOption(el, args.option, view);
    case 'set_checked':
      return setChecked(el, args.checked, view, ctx);
    case 'scroll':
      return scrollElement(el, args.direction);
    default:
      return readText(el);
  }
}

// ------------------------------------------------------------------------------ can a person click it

/**
 * The point a click on `el` aims at: the middle of the part of its first box that lies in the viewport
 * (a link that wraps gets the first line's), or null when no box of it is in view.
 * @param {Element} el
 * @param {PageWindow} view
 * @returns {{x: number, y: number} | null}
 */
function clickPoint(el, view) {
  for (const r of el.getClientRects()) {
    const left = Math.max(r.left, 0);
    const right = Math.min(r.right, view.innerWidth);
    const top = Math.max(r.top, 0);
    const bottom = Math.min(r.bottom, view.innerHeight);
    if (right > left && bottom > top) return { x: (left + right) / 2, y: (top + bottom) / 2 };
  }
  return null;
}

/**
 * Why a press on `target` would not reach `el`, or null: `target` has pointer-events:none, has no box in
 * view, or the topmost element at its click point is neither inside `target` or `el` nor inside a label
 * of `el` (a press on a label acts on its control: floating labels lie over their fields).
 * @param {Element} target what is pressed: the element, or its label
 * @param {Element} el the element acted on
 * @param {PageWindow} view
 * @returns {string | null}
 */
function hitReason(target, el, view) {
  if (view.getComputedStyle(target).pointerEvents === 'none') return 'has pointer-events:none, so it cannot be clicked';
  const point = clickPoint(target, view);
  if (!point) return 'has no box in view to click';
  const hit = target.ownerDocument.elementFromPoint(point.x, point.y);
  const labels = /** @type {{labels?: NodeListOf<HTMLLabelElement> | null}} */ (el).labels ?? [];
  if (hit && (target.contains(hit) || el.contains(hit) || [...labels].some((l) => l.contains(hit)))) return null;
  const what = hit ? `<${hit.localName}${hit.id ? `#${hit.id}` : ''}>` : 'nothing of the page';
  return `is covered by ${what} at its click point (${Math.round(point.x)}, ${Math.round(point.y)})`;
}

/**
 * Why a person could not click the element now, or null. It is scrolled into view first (and scrolled
 * back when it cannot be reached, so a refusal changes nothing). A checkbox or radio is also reached
 * through its label: custom checkboxes hide or cover the input and are clicked on the label.
 * @param {Element} el
 * @param {PageWindow} view
 * @returns {string | null}
 */
function reachReason(el, view) {
  const restore = saveScroll(el, view);
  bringIntoView(el, view);
  let why = hitReason(el, el, view);
  const label = why && el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')
    ? el.labels?.[0] : undefined;
  if (label && !hiddenReason(label)) {
    bringIntoView(label, view);
    if (!hitReason(label, el, view)) why = null;
  }
  if (why) restore();
  return why;
}

/**
 * Records the scroll offsets of the page and of the element's ancestors; returns what puts them back.
 * @param {Element} el
 * @param {PageWindow} view
 * @returns {() => void}
 */
function saveScroll(el, view) {
  /** @type {[Element, number, number][]} */
  const saved = [];
  for (let node = el.parentElement; node; node = node.parentElement) saved.push([node, node.scrollLeft, node.scrollTop]);
  const x = view.scrollX;
  const y = view.scrollY;
  return () => {
    for (const [node, left, top] of saved) {
      if (node.scrollLeft !== left) node.scrollLeft = left;
      if (node.scrollTop !== top) node.scrollTop = top;
    }
    if (view.scrollX !== x || view.scrollY !== y) view.scrollTo({ left: x, top: y, behavior: 'instant' });
  };
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
 * mousedown the focus change. A form submission the click sets off in any way (a handler calling
 * requestSubmit included) goes through the origin policy too: one it refuses is cancelled.
 * @param {Element} el
 * @param {PageWindow} view
 * @param {ActContext} ctx
 * @returns {ExecuteResult}
 */
function click(el, view, ctx) {
  bringIntoView(el, view);
  const r = el.getBoundingClientRect();
  const point = clickPoint(el, view) ?? { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  const at = { bubbles: true, cancelable: true, composed: true, view, clientX: point.x, clientY: point.y, button: 0 };
  const pointer = { pointerId: 1, pointerType: 'mouse', isPrimary: true, width: 1, height: 1 };
  const Pointer = view.PointerEvent ?? view.MouseEvent;
  const mouse = el.dispatchEvent(new Pointer('pointerdown', { ...at, ...pointer, buttons: 1, pressure: 0.5 }));
  if (mouse) {
    if (el.dispatchEvent(new view.MouseEvent('mousedown', { ...at, buttons: 1, detail: 1 }))) focusLikePress(el);
  }
  el.dispatchEvent(new Pointer('pointerup', { ...at, ...pointer, buttons: 0, pressure: 0 }));
  if (mouse) el.dispatchEvent(new view.MouseEvent('mouseup', { ...at, buttons: 0, detail: 1 }));
  if (!el.isConnected) return fail('click: the element left the page while it was pressed: no click was sent');
  /** @type {ActionIssue | null} */
  let blocked = null;
  const guard = (/** @type {SubmitEvent} */ event) => {
    const form = /** @type {HTMLFormElement} */ (event.target);
    const target = formTarget(form, event.submitter);
    if (target.method === 'dialog') return;
    const checked = checkDestination(target.url, { window: ctx.win, base: target.base, allowOrigins: ctx.allowOrigins,
      subject: `click: the form it submits (${target.method.toUpperCase()}) goes to ${JSON.stringify(target.url)}, which`,
      argument: 'ref' });
    if ('issue' in checked) {
      event.preventDefault();
      blocked = checked.issue;
    }
  };
  view.addEventListener('submit', guard, true);
  try {
    /** @type {HTMLElement} */ (el).click();
  } finally {
    view.removeEventListener('submit', guard, true);
  }
  if (blocked) return fail(`${/** @type {ActionIssue} */ (blocked).message}: the submission was cancelled`);
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
 * @param {ActContext} ctx
 * @returns {ExecuteResult}
 */
function setChecked(el, checked, view, ctx) {
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
  const clicked = click(el, view, ctx);
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
  // A huge text (the innerText of a whole page) is cut before it is split into code points.
  const scan = 4 * READ_TEXT_LIMIT;
  const cut = text.length > scan;
  text = sanitize(cut ? text.slice(0, scan) : text).trim();
  const points = Array.from(text);
  if (cut || points.length > READ_TEXT_LIMIT) text = `${points.slice(0, READ_TEXT_LIMIT - 1).join('').trimEnd()}…`;
  return { ok: true, result: text };
}
