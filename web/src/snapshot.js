/**
 * Page snapshots: the lines the model sees of the live page (DESIGN.md, "Page snapshot").
 *
 * One spec, two implementations: `fgweb/snapshot.py` states the rules (its module docstring) and renders
 * the same lines from the synthetic pages of the dataset; `e2e/test_snapshot_parity.py` renders those
 * pages in Chromium and checks that both agree line for line.
 *
 *     const snap = takeSnapshot(document.body, {maxLines: 40});
 *     snap.text                  // 'textbox "Email" [ref=1] value=""\nbutton "Sign in" [ref=2]'
 *     resolveRef(snap, 2)        // the <button>, or null once it has left the DOM
 *
 * Where the live DOM knows better than the synthetic page model, this module asks the DOM: computed
 * style decides what is hidden and scrollable, `el.type` an input's kind, `el.labels` its label, and
 * values, checked states and the selected option are the current ones, not the HTML attributes.
 *
 * Plain ES module, no dependencies.
 */

import { sanitize } from './protocol.js';

/** Code points kept of a name, value, option label or href. */
export const TEXT_LIMIT = 80;
/** Snapshot budget when none is given (Python's DataConfig.max_snapshot_lines). */
export const DEFAULT_MAX_LINES = 40;

/**
 * @typedef {'textbox' | 'searchbox' | 'checkbox' | 'switch' | 'radio' | 'combobox' | 'button' | 'link'
 *   | 'scrollable'} InteractiveRole
 * @typedef {'heading' | 'text' | 'listitem' | 'cell' | 'status'} TextRole
 * @typedef {InteractiveRole | TextRole} Role
 */

/**
 * One snapshot line: its ref (from 1), role, name (as the line shows it, unquoted), the line itself and
 * the element it stands for.
 * @typedef {{ref: number, role: Role, name: string, line: string, element: Element}} SnapshotEntry
 */

/**
 * A snapshot: the prompt text (lines joined by "\n") and its entries (ref i is `entries[i - 1]`).
 * @typedef {{text: string, entries: SnapshotEntry[]}} Snapshot
 */

/**
 * @typedef {{maxLines?: number}} SnapshotOptions  maxLines: the most lines listed (default 40)
 */

/** @type {ReadonlySet<string>} */
export const INTERACTIVE_ROLES = new Set([
  'textbox', 'searchbox', 'checkbox', 'switch', 'radio', 'combobox', 'button', 'link', 'scrollable',
]);
/** @type {ReadonlySet<string>} */
export const TEXT_ROLES = new Set(['heading', 'text', 'listitem', 'cell', 'status']);
/** Roles whose elements can be disabled; a disabled element is listed but never acted on. */
export const DISABLEABLE_ROLES = new Set([
  'textbox', 'searchbox', 'checkbox', 'switch', 'radio', 'combobox', 'button',
]);
const FIELD_ROLES = new Set(['textbox', 'searchbox']);
const CHECK_ROLES = new Set(['checkbox', 'switch', 'radio']);

const SKIPPED_TAGS = new Set(['script', 'style', 'template', 'noscript']);
/** Tags whose contents are not part of an element's text. */
const OPAQUE_TAGS = new Set([...SKIPPED_TAGS, 'select', 'textarea', 'option']);
const TEXTBOX_TYPES = new Set([
  'text', 'email', 'password', 'tel', 'url', 'number', 'date', 'time', 'datetime-local', 'month', 'week',
]);
const BUTTON_TYPES = new Set(['submit', 'button', 'reset']);
const HEADING_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const PASSWORD_MASK = '******';

const CONTROL_CHARS = /[\x00-\x1f\x7f-\x9f]/g;
const WHITESPACE = /[ \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/g;
const EDGE_SPACES = /^ +| +$/g;
const TRAILING_SPACES = / +$/;
// What Python's str.strip() removes (attribute values such as `role` are compared after it).
const PY_STRIP = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g;

/**
 * Returns `text` without control-token text or control characters, whitespace collapsed and trimmed.
 * With `limit`, a longer result is cut to `limit - 1` code points (right-trimmed) plus "…".
 * @param {string} text
 * @param {number | null} [limit]
 * @returns {string}
 */
export function cleanText(text, limit = null) {
  let out = sanitize(text).replace(CONTROL_CHARS, ' ');
  out = out.replace(WHITESPACE, ' ').replace(EDGE_SPACES, '');
  if (limit != null) {
    const points = Array.from(out);
    if (points.length > limit) out = points.slice(0, limit - 1).join('').replace(TRAILING_SPACES, '') + '…';
  }
  return out;
}

/**
 * @param {string | null} value
 * @returns {string}
 */
function pyStripLower(value) {
  return (value ?? '').replace(PY_STRIP, '').toLowerCase();
}

/**
 * One walk over the DOM, with per-element caches of hiddenness and role (both read computed style).
 */
class Walker {
  constructor() {
    /** @type {Map<Element, boolean>} */
    this.hiddenCache = new Map();
    /** @type {Map<Element, Role | null>} */
    this.roleCache = new Map();
    /** @type {{role: Role, name: string, element: Element, state: string}[]} */
    this.found = [];
  }

  /**
   * True when the element (and so its subtree) is not rendered: hidden attribute, aria-hidden="true",
   * computed display:none or visibility:hidden/collapse, `<input type=hidden>`, script/style/template/
   * noscript.
   * @param {Element} el
   * @returns {boolean}
   */
  isHidden(el) {
    let hidden = this.hiddenCache.get(el);
    if (hidden === undefined) {
      hidden = SKIPPED_TAGS.has(el.localName)
        || el.hasAttribute('hidden')
        || el.getAttribute('aria-hidden') === 'true'
        || (el instanceof HTMLInputElement && el.type === 'hidden');
      if (!hidden) {
        const style = getComputedStyle(el);
        hidden = style.display === 'none' || style.visibility === 'hidden' || style.visibility === 'collapse';
      }
      this.hiddenCache.set(el, hidden);
    }
    return hidden;
  }

  /**
   * The snapshot role of an element, or null when it gets no line of its own.
   * @param {Element} el
   * @returns {Role | null}
   */
  roleOf(el) {
    let role = this.roleCache.get(el);
    if (role === undefined) {
      role = computeRole(el);
      this.roleCache.set(el, role);
    }
    return role;
  }

  /**
   * The raw text of an element: its visible descendant text nodes, concatenated (the element itself may
   * be hidden: a hidden <label> still names its control).
   * @param {Element} el
   * @returns {string}
   */
  textOf(el) {
    if (OPAQUE_TAGS.has(el.localName)) return '';
    /** @type {string[]} */
    const parts = [];
    /** @param {Node} node */
    const walk = (node) => {
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === Node.TEXT_NODE) {
          parts.push(/** @type {Text} */ (child).data);
        } else if (child instanceof Element && !OPAQUE_TAGS.has(child.localName) && !this.isHidden(child)) {
          walk(child);
        }
      }
    };
    walk(el);
    return parts.join('');
  }

  /**
   * The first non-empty candidate, cleaned and cut to TEXT_LIMIT; "" when none.
   * @param {(string | null | undefined)[]} candidates
   * @returns {string}
   */
  first(...candidates) {
    for (const candidate of candidates) {
      if (candidate != null) {
        const text = cleanText(candidate, TEXT_LIMIT);
        if (text) return text;
      }
    }
    return '';
  }

  /**
   * The text of a form control's first label in document order, or null without one.
   * @param {Element} el
   * @returns {string | null}
   */
  labelText(el) {
    const labels = /** @type {{labels?: NodeListOf<HTMLLabelElement> | null}} */ (el).labels;
    return labels && labels.length ? this.textOf(labels[0]) : null;
  }

  /**
   * @param {Element} el
   * @param {Role} role
   * @returns {string}
   */
  name(el, role) {
    const aria = el.getAttribute('aria-label');
    const title = el.getAttribute('title');
    if (TEXT_ROLES.has(role)) return this.first(this.textOf(el));
    if (role === 'button') {
      const own = el instanceof HTMLInputElement ? el.value : this.textOf(el);
      return this.first(aria, own, title);
    }
    if (role === 'link') return this.first(aria, this.textOf(el), title);
    if (role === 'scrollable') return this.first(aria, title);
    return this.first(aria, this.labelText(el), el.getAttribute('placeholder'), title);
  }

  /**
   * The state part of a line: values, checked, options, href, row, disabled (space separated).
   * @param {Element} el
   * @param {Role} role
   * @returns {string}
   */
  state(el, role) {
    /** @type {string[]} */
    const parts = [];
    if (FIELD_ROLES.has(role)) {
      const field = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (el);
      let value = cleanText(field.value, TEXT_LIMIT);
      if (value && field instanceof HTMLInputElement && field.type === 'password') value = PASSWORD_MASK;
      parts.push(`value=${JSON.stringify(value)}`);
    } else if (CHECK_ROLES.has(role)) {
      parts.push(`checked=${/** @type {HTMLInputElement} */ (el).checked ? 'true' : 'false'}`);
    } else if (role === 'combobox') {
      const select = /** @type {HTMLSelectElement} */ (el);
      const labels = Array.from(select.options, (o) => cleanText(optionLabel(o), TEXT_LIMIT));
      const selected = select.selectedIndex >= 0 ? select.selectedIndex : 0;
      parts.push(`value=${JSON.stringify(labels.length ? labels[selected] : '')}`);
      parts.push(`options=${JSON.stringify(labels)}`);
    } else if (role === 'link') {
      parts.push(`href=${JSON.stringify(cleanText(el.getAttribute('href') ?? '', TEXT_LIMIT))}`);
    } else if (role === 'cell') {
      const tr = el.parentElement;
      parts.push(`row=${tr instanceof HTMLTableRowElement ? tr.rowIndex + 1 : 0}`);
    }
    if (DISABLEABLE_ROLES.has(role)
      && (el.hasAttribute('disabled') || el.getAttribute('aria-disabled') === 'true')) {
      parts.push('disabled');
    }
    return parts.join(' ');
  }

  /**
   * True when a visible descendant (not inside a hidden subtree) has an interactive role.
   * @param {Element} el
   * @returns {boolean}
   */
  containsInteractive(el) {
    for (const child of el.children) {
      if (!this.isHidden(child)) {
        const role = this.roleOf(child);
        if ((role && INTERACTIVE_ROLES.has(role)) || this.containsInteractive(child)) return true;
      }
    }
    return false;
  }

  /** @param {Element} el */
  walk(el) {
    for (const child of el.children) {
      if (!this.isHidden(child)) this.visit(child);
    }
  }

  /** @param {Element} el */
  visit(el) {
    const role = this.roleOf(el);
    if (role && INTERACTIVE_ROLES.has(role)) {
      this.emit(el, role);
      if (role === 'scrollable') this.walk(el);
    } else if (role && TEXT_ROLES.has(role) && !this.containsInteractive(el)) {
      if (cleanText(this.textOf(el))) this.emit(el, role);
    } else {
      this.walk(el);
    }
  }

  /**
   * @param {Element} el
   * @param {Role} role
   */
  emit(el, role) {
    this.found.push({ role, name: this.name(el, role), element: el, state: this.state(el, role) });
  }
}

/**
 * True when the element's computed overflow-y is auto or scroll (whether it overflows is not checked).
 * @param {Element} el
 * @returns {boolean}
 */
function isScrollable(el) {
  const value = getComputedStyle(el).overflowY;
  return value === 'auto' || value === 'scroll';
}

/**
 * @param {Element} el
 * @returns {Role | null}
 */
function computeRole(el) {
  const tag = el.localName;
  const explicit = pyStripLower(el.getAttribute('role'));
  if (el instanceof HTMLInputElement) {
    const kind = el.type;
    if (kind === 'checkbox') return explicit === 'switch' ? 'switch' : 'checkbox';
    if (kind === 'radio') return 'radio';
    if (BUTTON_TYPES.has(kind)) return 'button';
    if (kind === 'search') return 'searchbox';
    return TEXTBOX_TYPES.has(kind) ? 'textbox' : null;
  }
  if (tag === 'textarea') return 'textbox';
  if (tag === 'select') return 'combobox';
  if (tag === 'button' || explicit === 'button') return 'button';
  if (tag === 'a' && el.hasAttribute('href')) return 'link';
  if (isScrollable(el)) return 'scrollable';
  if (explicit === 'status' || tag === 'output') return 'status';
  if (HEADING_TAGS.has(tag)) return 'heading';
  if (tag === 'p' || tag === 'dt' || tag === 'dd') return 'text';
  if (tag === 'li') return 'listitem';
  if (tag === 'td' || tag === 'th') return 'cell';
  return null;
}

/**
 * An option's label: its non-empty `label` attribute, else its own text nodes; cleaned, not cut.
 * (actions.js matches select_option's `option` against the same labels.)
 * @param {HTMLOptionElement} option
 * @returns {string}
 */
export function optionLabel(option) {
  let text = option.getAttribute('label') || '';
  if (!text) {
    for (let child = option.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === Node.TEXT_NODE) text += /** @type {Text} */ (child).data;
    }
  }
  return cleanText(text);
}

/**
 * Returns the snapshot of the page under `root` (its descendants in document order; `root` itself gets
 * no line): every visible interactive element and scrollable container, and the text elements that
 * answer questions, within `maxLines` (interactive lines first, then text lines in document order),
 * numbered 1..n.
 * @param {Element} [root]
 * @param {SnapshotOptions} [options]
 * @returns {Snapshot}
 */
export function takeSnapshot(root = document.body, { maxLines = DEFAULT_MAX_LINES } = {}) {
  if (!Number.isInteger(maxLines) || maxLines < 1) {
    throw new RangeError(`snapshot budget maxLines=${maxLines} is too small: give at least 1`);
  }
  const walker = new Walker();
  walker.walk(root);
  let found = walker.found;
  if (found.length > maxLines) {
    /** @type {number[]} */
    const interactive = [];
    /** @type {number[]} */
    const text = [];
    found.forEach((f, i) => (INTERACTIVE_ROLES.has(f.role) ? interactive : text).push(i));
    const kept = interactive.slice(0, maxLines);
    const keep = new Set([...kept, ...text.slice(0, maxLines - kept.length)]);
    found = found.filter((_, i) => keep.has(i));
  }
  const entries = found.map(({ role, name, element, state }, i) => {
    const ref = i + 1;
    const line = `${role} ${JSON.stringify(name)} [ref=${ref}]${state ? ` ${state}` : ''}`;
    return { ref, role, name, line, element };
  });
  return { text: entries.map((e) => e.line).join('\n'), entries };
}

/**
 * Returns the element behind `ref` in a snapshot, or null when there is no such ref or the element has
 * left the DOM since the snapshot was taken.
 * @param {Snapshot} snapshot
 * @param {number} ref
 * @returns {Element | null}
 */
export function resolveRef(snapshot, ref) {
  const entry = Number.isInteger(ref) && ref >= 1 ? snapshot.entries[ref - 1] : undefined;
  if (!entry || !entry.element.isConnected) return null;
  return entry.element;
}
