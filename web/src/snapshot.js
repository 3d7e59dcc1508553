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
 * style and layout decide what is hidden, visually hidden and scrollable, `el.type` an input's kind,
 * `el.labels` its label, and values, checked states and the selected option are the current ones, not
 * the HTML attributes.
 *
 * What a person does not see is not page text: elements hidden visually (opacity 0, clipped, off-screen,
 * squeezed to 1px: `visualHiding`) get no line and their text is no line's text, and text drawn
 * invisibly (font-size 0, a transparent colour) is left out of text lines. Names are what assistive
 * technology reads, so a `.sr-only` label still names its icon button. `hiddenReason` and
 * `describeElement` let actions.js re-check an element against its line right before acting.
 *
 * Plain ES module, no dependencies.
 */

import { sanitize } from './protocol.js';

// A form's named controls shadow its DOM properties (an <input id="children"> replaces form.children),
// so the walk reads the DOM through the prototypes' own getters and methods (looked up on first use:
// this module is also imported where there is no DOM, in the worker and in Node).
/** @type {Record<string, (this: any, ...args: any[]) => any> | null} */
let dom = null;
function domAccess() {
  if (!dom) {
    const get = (/** @type {object} */ proto, /** @type {string} */ name) =>
      /** @type {(this: any) => any} */ (/** @type {PropertyDescriptor} */ (Object.getOwnPropertyDescriptor(proto, name)).get);
    dom = {
      children: get(Element.prototype, 'children'), localName: get(Element.prototype, 'localName'),
      parentElement: get(Node.prototype, 'parentElement'), firstChild: get(Node.prototype, 'firstChild'),
      nextSibling: get(Node.prototype, 'nextSibling'), previousSibling: get(Node.prototype, 'previousSibling'),
      getAttribute: Element.prototype.getAttribute, hasAttribute: Element.prototype.hasAttribute,
    };
  }
  return dom;
}
/** @param {Element} el @returns {HTMLCollection} */
const childrenOf = (el) => domAccess().children.call(el);
/** @param {Element} el @returns {string} */
const tagOf = (el) => domAccess().localName.call(el);
/** @param {Node} node @returns {Element | null} */
const parentOf = (node) => domAccess().parentElement.call(node);
/** @param {Node} node @returns {ChildNode | null} */
const firstChildOf = (node) => domAccess().firstChild.call(node);
/** @param {Node} node @returns {ChildNode | null} */
const nextSiblingOf = (node) => domAccess().nextSibling.call(node);
/** @param {Node} node @returns {ChildNode | null} */
const previousSiblingOf = (node) => domAccess().previousSibling.call(node);
/** @param {Element} el @param {string} name @returns {string | null} */
const attrOf = (el, name) => domAccess().getAttribute.call(el, name);
/** @param {Element} el @param {string} name @returns {boolean} */
const hasAttr = (el, name) => domAccess().hasAttribute.call(el, name);

/** Code points kept of a name, value, option label or href. */
export const TEXT_LIMIT = 80;
/** Code points kept of the `in="…"` context that tells repeated controls apart. */
export const CONTEXT_LIMIT = 40;
/** Snapshot budget when none is given (Python's DataConfig.max_snapshot_lines). */
export const DEFAULT_MAX_LINES = 40;
/** Code points read of one string of the page (a text, an attribute, a value) before it is cleaned. */
export const TEXT_SCAN_LIMIT = 4000;
/** Code points of a combobox's `options=[…]`: the options past it are left out of the line. */
export const OPTIONS_LIMIT = 4000;
/** Code points of candidate lines (names and states) the walk collects; past it the walk stops. */
export const PAGE_TEXT_LIMIT = 200_000;
// UTF-16 units that surely hold TEXT_SCAN_LIMIT code points: where text gathering stops.
const SCAN_UNITS = 2 * TEXT_SCAN_LIMIT;

/**
 * @typedef {'textbox' | 'searchbox' | 'checkbox' | 'switch' | 'radio' | 'combobox' | 'button' | 'link'
 *   | 'scrollable'} InteractiveRole
 * @typedef {'heading' | 'text' | 'listitem' | 'cell' | 'status'} TextRole
 * @typedef {InteractiveRole | TextRole | 'dialog'} Role
 */

/**
 * One snapshot line: its ref (from 1), role, name (as the line shows it, unquoted), the line itself and
 * the element it stands for.
 * @typedef {{ref: number, role: Role, name: string, line: string, element: Element}} SnapshotEntry
 */

/**
 * A snapshot: the prompt text (lines joined by "\n"), its entries (ref i is `entries[i - 1]`), and
 * whether the walk stopped at PAGE_TEXT_LIMIT before the end of the page.
 * @typedef {{text: string, entries: SnapshotEntry[], truncated: boolean}} Snapshot
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
/** A dialog gets a line of its own (kept with the interactive lines) and the walk goes on inside it. */
export const DIALOG_ROLE = 'dialog';
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
const DIALOG_ROLES = new Set(['dialog', 'alertdialog']);
/** `role` values that make any element a checkbox, switch or radio (its state is `aria-checked`). */
const ARIA_CHECKABLE = new Set(['checkbox', 'switch', 'radio']);
const PASSWORD_MASK = '******';

const CONTROL_CHARS = /[\x00-\x1f\x7f-\x9f]/g;
const WHITESPACE = /[ \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/g;
const EDGE_SPACES = /^ +| +$/g;
const TRAILING_SPACES = / +$/;
// What Python's str.strip() removes (attribute values such as `role` are compared after it).
const PY_STRIP = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g;

/**
 * The first `n` code points of `text`, without splitting a huge string into code points.
 * @param {string} text
 * @param {number} n
 * @returns {string}
 */
function headPoints(text, n) {
  return text.length <= n ? text : Array.from(text.slice(0, 2 * n)).slice(0, n).join('');
}

/**
 * @param {string} text
 * @returns {number} its length in code points (as Python counts)
 */
function pointLength(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/**
 * Returns `text` (its first TEXT_SCAN_LIMIT code points) without control-token text or control
 * characters, whitespace collapsed and trimmed. With `limit`, a longer result is cut to `limit - 1` code
 * points (right-trimmed) plus "…".
 * @param {string} text
 * @param {number | null} [limit]
 * @returns {string}
 */
export function cleanText(text, limit = null) {
  let out = sanitize(headPoints(text, TEXT_SCAN_LIMIT)).replace(CONTROL_CHARS, ' ');
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

// ------------------------------------------------------------------------------- what a person sees

/**
 * Whether a CSS colour is fully transparent: `transparent`, an alpha of 0 after `/` or as the fourth
 * comma-separated value (`rgba(0, 0, 0, 0)`, `rgb(0 0 0 / 0%)`), `#rgba`/`#rrggbbaa` with alpha 0.
 * @param {string} color
 * @returns {boolean}
 */
function isTransparent(color) {
  const value = color.trim().toLowerCase();
  if (value === 'transparent') return true;
  if (/^#(?:[0-9a-f]{3}0|[0-9a-f]{6}00)$/.test(value)) return true;
  const args = /^[a-z-]+\((.*)\)$/.exec(value)?.[1];
  if (args === undefined) return false;
  const commas = args.split(',');
  const alpha = args.includes('/') ? args.split('/').at(-1) : commas.length === 4 ? commas[3] : null;
  return alpha != null && Number.parseFloat(alpha) === 0;
}

/**
 * A length in px, or null when it is not one (a unit other than px, or no number); 0 in any unit is 0.
 * @param {string | undefined} value
 * @returns {number | null}
 */
function pxOf(value) {
  const match = /^(-?[\d.]+)(px)?$/.exec((value ?? '').trim());
  if (match) return Number.parseFloat(match[1]);
  return /^-?0*\.?0+[a-z%]+$/.test((value ?? '').trim()) ? 0 : null;
}

/**
 * True for `clip: rect(top, right, bottom, left)` that leaves at most 1px in either direction.
 * @param {string} clip
 * @returns {boolean}
 */
function clipIsTiny(clip) {
  const args = /^rect\((.*)\)$/.exec(clip.trim())?.[1];
  if (!args) return false;
  const [top, right, bottom, left] = args.split(/[\s,]+/).filter(Boolean).map(pxOf);
  const narrow = right != null && left != null && right - left <= 1;
  return narrow || (bottom != null && top != null && bottom - top <= 1);
}

/**
 * True for `clip-path: inset(…)` whose percentages cut the box away: top and bottom, or left and right,
 * adding up to 100% or more (`inset(50%)`).
 * @param {string} clipPath
 * @returns {boolean}
 */
function insetHidesAll(clipPath) {
  const args = /^inset\((.*)\)$/.exec(clipPath.trim())?.[1];
  if (!args) return false;
  const values = args.split(/\s+round\s+/)[0].split(/\s+/).filter(Boolean)
    .map((v) => (v.endsWith('%') ? Number.parseFloat(v) : Number.NaN));
  const [top, right = top, bottom = top, left = right] = values;
  return top + bottom >= 100 || left + right >= 100;
}

/**
 * Why an element that is rendered is still not seen, from its own computed style and box; null when it
 * is seen. `opacity` 0; `clip: rect(…)` leaving at most 1px (on an absolute or fixed element);
 * `clip-path: inset(…)` cutting it away; absolute or fixed and lying entirely left of or above the page;
 * at most 1px wide or high with its overflow clipped (not on `<html>` or `<body>`, whose overflow is
 * the viewport's). Its descendants are not seen either (the snapshot skips the subtree).
 * @param {Element} el
 * @param {CSSStyleDeclaration} [style] its computed style, when the caller has it
 * @returns {string | null} e.g. "has opacity:0"
 */
export function visualHiding(el, style = getComputedStyle(el)) {
  if (Number.parseFloat(style.opacity) === 0) return 'has opacity:0';
  const positioned = style.position === 'absolute' || style.position === 'fixed';
  if (positioned && clipIsTiny(style.clip)) return `is clipped to 1px (clip: ${style.clip})`;
  if (insetHidesAll(style.clipPath)) return `is clipped away (clip-path: ${style.clipPath})`;
  const tag = tagOf(el);
  const clips = (style.overflowX !== 'visible' || style.overflowY !== 'visible') && style.display !== 'contents'
    && tag !== 'html' && tag !== 'body';
  if (!positioned && !clips) return null;
  const box = el.getBoundingClientRect();
  if (positioned && (box.width > 0 || box.height > 0)) {
    const view = el.ownerDocument.defaultView;
    const fixed = style.position === 'fixed' || !view;
    if (box.right + (fixed ? 0 : view.scrollX) <= 0 || box.bottom + (fixed ? 0 : view.scrollY) <= 0) {
      return 'is positioned off-screen';
    }
  }
  if (clips && (box.width <= 1 || box.height <= 1)) return 'is at most 1px in size with its overflow hidden';
  return null;
}

/**
 * True when text directly inside `el` is drawn invisibly: font-size 0, or a fully transparent text colour
 * (`-webkit-text-fill-color`, which is `color` unless set) where neither `el` nor an ancestor clips its
 * background to the text (`background-clip: text`: gradient text is seen).
 * @param {Element} el
 * @returns {boolean}
 */
function hidesText(el) {
  const style = getComputedStyle(el);
  if (Number.parseFloat(style.fontSize) === 0) return true;
  if (!isTransparent(style.getPropertyValue('-webkit-text-fill-color') || style.color)) return false;
  for (let node = /** @type {Element | null} */ (el); node; node = parentOf(node)) {
    const s = node === el ? style : getComputedStyle(node);
    if (s.getPropertyValue('background-clip') === 'text' || s.getPropertyValue('-webkit-background-clip') === 'text') {
      return false;
    }
  }
  return true;
}

/**
 * True for a checkbox or radio `<input>` that a person uses through its label: custom checkboxes hide the
 * input (opacity 0, `.sr-only`) and draw a box inside a label that is seen. Its first label must be
 * neither hidden nor visually hidden, nor any of the label's ancestors.
 * @param {Element} el
 * @returns {boolean}
 */
export function shownThroughLabel(el) {
  if (!(el instanceof HTMLInputElement) || (el.type !== 'checkbox' && el.type !== 'radio')) return false;
  const label = el.labels?.[0];
  return label !== undefined && hiddenReason(label) === null;
}

/**
 * Why `el` cannot be seen on the page now, or null: it left the DOM; it or an ancestor has the `hidden`
 * attribute, `aria-hidden="true"` or display:none; it has visibility:hidden/collapse or is an `<input
 * type=hidden>`; or it or an ancestor is visually hidden (`visualHiding`; a checkbox or radio seen through
 * its label is not, `shownThroughLabel`). The snapshot's rules, for one element of the live page.
 * @param {Element} el
 * @returns {string | null} e.g. "has left the page", "is now hidden (its ancestor <div> has opacity:0)"
 */
export function hiddenReason(el) {
  if (!el.isConnected) return 'has left the page';
  if (el instanceof HTMLInputElement && el.type === 'hidden') return 'is now hidden (input type=hidden)';
  const view = el.ownerDocument.defaultView;
  for (let node = /** @type {Element | null} */ (el); node; node = parentOf(node)) {
    const self = node === el ? 'it' : `its ancestor <${tagOf(node)}>`;
    if (hasAttr(node, 'hidden')) return `is now hidden (${self} has the hidden attribute)`;
    if (attrOf(node, 'aria-hidden') === 'true') return `is now hidden (${self} has aria-hidden="true")`;
    if (!view) continue;
    const style = view.getComputedStyle(node);
    if (style.display === 'none') return `is now hidden (${self} has display:none)`;
    if (node === el && (style.visibility === 'hidden' || style.visibility === 'collapse')) {
      return `is now hidden (visibility:${style.visibility})`;
    }
    const visual = visualHiding(node, style);
    if (visual && !(node === el && shownThroughLabel(el))) return `is now hidden (${self} ${visual})`;
  }
  return null;
}

/**
 * The role and name that a snapshot would give `el` now (role null: no line of its own), so that a call
 * can be checked against the element as it is when the action runs.
 * @param {Element} el
 * @returns {{role: Role | null, name: string}}
 */
export function describeElement(el) {
  const walker = new Walker(DEFAULT_MAX_LINES);
  const role = walker.roleOf(el);
  return { role, name: role ? walker.name(el, role) : '' };
}

// ------------------------------------------------------------------------------------------- the walk

/**
 * One walk over the DOM, with per-element caches of hiddenness and role (both read computed style).
 */
class Walker {
  /** @param {number} maxLines the snapshot's budget: text lines past it are never kept, so not collected */
  constructor(maxLines) {
    /** @type {Map<Element, boolean>} */
    this.hiddenCache = new Map();
    /** @type {Map<Element, boolean>} */
    this.skipCache = new Map();
    /** @type {Map<Element, boolean>} */
    this.textHiddenCache = new Map();
    /** @type {Map<Element, Role | null>} */
    this.roleCache = new Map();
    /** @type {{role: Role, name: string, element: Element, state: string}[]} */
    this.found = [];
    this.maxLines = maxLines;
    this.textLines = 0;
    /** code points of the names and states collected (PAGE_TEXT_LIMIT) */
    this.chars = 0;
    this.truncated = false;
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
      hidden = SKIPPED_TAGS.has(tagOf(el))
        || hasAttr(el, 'hidden')
        || attrOf(el, 'aria-hidden') === 'true'
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
   * True when the walk leaves the element and its subtree out: hidden (isHidden), or visually hidden
   * (visualHiding) unless it is a checkbox or radio seen through its label (shownThroughLabel).
   * @param {Element} el
   * @returns {boolean}
   */
  skipped(el) {
    let skip = this.skipCache.get(el);
    if (skip === undefined) {
      skip = this.isHidden(el) || (visualHiding(el) !== null && !shownThroughLabel(el));
      this.skipCache.set(el, skip);
    }
    return skip;
  }

  /**
   * @param {Element} el
   * @returns {boolean} whether text directly inside `el` is drawn invisibly (hidesText), cached
   */
  hidesText(el) {
    let hidden = this.textHiddenCache.get(el);
    if (hidden === undefined) {
      hidden = hidesText(el);
      this.textHiddenCache.set(el, hidden);
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
      // A clickable generic element is a button, unless it holds interactive elements (then the walk
      // enters it, so that they keep their own lines).
      if (role === null && isClickable(el) && !this.containsInteractive(el)) role = 'button';
      this.roleCache.set(el, role);
    }
    return role;
  }

  /**
   * The raw text of an element: its descendant text nodes outside hidden subtrees, concatenated, at least
   * its first TEXT_SCAN_LIMIT code points (the element itself may be hidden: a hidden <label> still names
   * its control). A name's text (`seen` false) keeps visually hidden text, as assistive technology reads
   * it; page text (`seen` true) keeps only what a person sees: no visually hidden subtree (skipped), no
   * text drawn invisibly (hidesText).
   * @param {Element} el
   * @param {boolean} [seen]
   * @returns {string}
   */
  textOf(el, seen = false) {
    if (OPAQUE_TAGS.has(tagOf(el))) return '';
    /** @type {string[]} */
    const parts = [];
    let size = 0;
    /** @param {Element} node */
    const walk = (node) => {
      for (let child = firstChildOf(node); child && size < SCAN_UNITS; child = nextSiblingOf(child)) {
        if (child.nodeType === Node.TEXT_NODE) {
          if (seen && this.hidesText(node)) continue;
          const data = /** @type {Text} */ (child).data.slice(0, SCAN_UNITS - size);
          parts.push(data);
          size += data.length;
        } else if (child instanceof Element && !OPAQUE_TAGS.has(tagOf(child))
          && !(seen ? this.skipped(child) : this.isHidden(child))) {
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
   * The text of the elements that `aria-labelledby` names (by id, in its order, joined by spaces), or
   * null without the attribute.
   * @param {Element} el
   * @returns {string | null}
   */
  labelledByText(el) {
    const ids = (attrOf(el, 'aria-labelledby') ?? '').split(/[ \t\n\f\r]+/).filter(Boolean);
    if (!ids.length) return null;
    const doc = el.ownerDocument;
    return ids.map((id) => doc.getElementById(id)).filter((e) => e !== null)
      .map((e) => this.textOf(/** @type {Element} */ (e))).join(' ');
  }

  /**
   * The text just before a control in its parent: its preceding siblings' text (text nodes, and elements
   * without interactive content), back to the nearest interactive one; null when that is empty.
   * @param {Element} el
   * @returns {string | null}
   */
  precedingText(el) {
    /** @type {ChildNode[]} */
    const nodes = [];
    for (let node = previousSiblingOf(el); node; node = previousSiblingOf(node)) {
      if (node instanceof Element) {
        if (this.skipped(node)) continue;
        const role = this.roleOf(node);
        if ((role && INTERACTIVE_ROLES.has(role)) || this.containsInteractive(node)) break;
        nodes.push(node);
      } else if (node.nodeType === Node.TEXT_NODE) {
        nodes.push(node);
      }
    }
    const parent = parentOf(el);
    const shown = parent !== null && !this.hidesText(parent);
    // Page text, not a name that assistive technology reads: only what a person sees of it.
    let text = '';
    for (const node of nodes.reverse()) {
      if (text.length >= SCAN_UNITS) break;
      if (node instanceof Element) text += this.textOf(node, true);
      else if (shown) text += /** @type {Text} */ (node).data.slice(0, SCAN_UNITS - text.length);
    }
    return cleanText(text) ? text : null;
  }

  /**
   * The `alt` of the first visible descendant <img> that has a non-empty one (icon buttons and links).
   * @param {Element} el
   * @returns {string | null}
   */
  imageAlt(el) {
    for (const img of el.querySelectorAll('img[alt]')) {
      let hidden = false;
      for (let e = /** @type {Element | null} */ (img); e && e !== el; e = parentOf(e)) {
        if (this.isHidden(e)) { hidden = true; break; }
      }
      if (!hidden && cleanText(attrOf(img, 'alt') ?? '')) return attrOf(img, 'alt');
    }
    return null;
  }

  /**
   * @param {Element} el
   * @param {Role} role
   * @returns {string}
   */
  name(el, role) {
    const aria = attrOf(el, 'aria-label');
    const title = attrOf(el, 'title');
    if (TEXT_ROLES.has(role)) return this.first(this.textOf(el, true));
    if (role === 'button') {
      const own = el instanceof HTMLInputElement ? el.value : this.textOf(el);
      return this.first(aria, this.labelledByText(el), own, this.imageAlt(el), title);
    }
    if (role === 'link') return this.first(aria, this.labelledByText(el), this.textOf(el), this.imageAlt(el), title);
    if (role === 'scrollable') return this.first(aria, this.labelledByText(el), title);
    if (role === DIALOG_ROLE) {
      const heading = el.querySelector('h1, h2, h3, h4, h5, h6');
      return this.first(aria, this.labelledByText(el), heading ? this.textOf(heading) : null, title);
    }
    // An ARIA checkbox, switch or radio (not an <input>) is named by its content, as buttons are.
    const content = CHECK_ROLES.has(role) && !(el instanceof HTMLInputElement) ? this.textOf(el) : null;
    return this.first(aria, this.labelledByText(el), content, this.labelText(el), attrOf(el, 'placeholder'),
      title, this.precedingText(el), humanName(attrOf(el, 'name')));
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
      parts.push(`checked=${isChecked(el) ? 'true' : 'false'}`);
    } else if (role === 'combobox') {
      const select = /** @type {HTMLSelectElement} */ (el);
      const options = Array.from(select.options);
      const labels = options.map((o) => cleanText(optionLabel(o), TEXT_LIMIT));
      const selected = select.selectedIndex >= 0 ? select.selectedIndex : 0;
      parts.push(`value=${JSON.stringify(labels.length ? labels[selected] : '')}`);
      // A placeholder ("Choose…") is shown as the value it is, never offered as a choice; a huge list
      // is cut where its JSON would pass OPTIONS_LIMIT.
      /** @type {string[]} */
      const choices = [];
      let size = 2;
      for (const [i, label] of labels.entries()) {
        if (isPlaceholderOption(options[i])) continue;
        size += pointLength(JSON.stringify(label)) + (choices.length ? 1 : 0);
        if (size > OPTIONS_LIMIT) break;
        choices.push(label);
      }
      parts.push(`options=${JSON.stringify(choices)}`);
    } else if (role === 'link') {
      parts.push(`href=${JSON.stringify(cleanText(attrOf(el, 'href') ?? '', TEXT_LIMIT))}`);
    } else if (role === 'cell') {
      const tr = parentOf(el);
      parts.push(`row=${tr instanceof HTMLTableRowElement ? tr.rowIndex + 1 : 0}`);
    }
    if (DISABLEABLE_ROLES.has(role)
      && (hasAttr(el, 'disabled') || attrOf(el, 'aria-disabled') === 'true')) {
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
    for (const child of childrenOf(el)) {
      if (!this.skipped(child)) {
        const role = this.roleOf(child);
        if ((role && INTERACTIVE_ROLES.has(role)) || this.containsInteractive(child)) return true;
      }
    }
    return false;
  }

  /** @param {Element} el */
  walk(el) {
    for (const child of childrenOf(el)) {
      if (this.truncated) return;
      if (!this.skipped(child)) this.visit(child);
    }
  }

  /** @param {Element} el */
  visit(el) {
    const role = this.roleOf(el);
    if (role && INTERACTIVE_ROLES.has(role)) {
      this.emit(el, role);
      if (role === 'scrollable') this.walk(el);
    } else if (role === DIALOG_ROLE) {
      this.emit(el, role);
      this.walk(el);
    } else if (role && TEXT_ROLES.has(role) && !this.containsInteractive(el)) {
      if (this.textLines < this.maxLines && cleanText(this.textOf(el, true))) this.emit(el, role);
    } else {
      this.walk(el);
    }
  }

  /**
   * @param {Element} el
   * @param {Role} role
   */
  emit(el, role) {
    // The budget keeps text lines after the interactive ones, in document order: a text line past the
    // first maxLines can never be kept, so it is not collected.
    if (TEXT_ROLES.has(role)) this.textLines += 1;
    const line = { role, name: this.name(el, role), element: el, state: this.state(el, role) };
    this.chars += pointLength(line.name) + pointLength(line.state);
    if (this.chars > PAGE_TEXT_LIMIT) {
      this.truncated = true;
      return;
    }
    this.found.push(line);
  }

  /**
   * The text that sets a repeated control apart: the visible text of `container` outside its
   * interactive elements (text nodes cleaned, joined by spaces), cut to CONTEXT_LIMIT.
   * @param {Element} container
   * @returns {string}
   */
  contextText(container) {
    /** @type {string[]} */
    const parts = [];
    let size = 0;
    /** @param {Element} node */
    const walk = (node) => {
      for (let child = firstChildOf(node); child && size < SCAN_UNITS; child = nextSiblingOf(child)) {
        if (child.nodeType === Node.TEXT_NODE) {
          const text = this.hidesText(node) ? '' : cleanText(/** @type {Text} */ (child).data);
          if (text) {
            parts.push(text);
            size += text.length + 1;
          }
        } else if (child instanceof Element && !OPAQUE_TAGS.has(tagOf(child)) && !this.skipped(child)) {
          const role = this.roleOf(child);
          if (!(role && INTERACTIVE_ROLES.has(role))) walk(child);
        }
      }
    };
    walk(container);
    return cleanText(parts.join(' '), CONTEXT_LIMIT);
  }

  /**
   * Adds `in="…"` to interactive lines that share their role and name with another line: the text of
   * the largest ancestor (below `root`) that holds no other line of that role and name.
   * @param {Element} root
   */
  addContext(root) {
    /** @type {Map<string, Element[]>} */
    const twins = new Map();
    for (const f of this.found) {
      if (!INTERACTIVE_ROLES.has(f.role)) continue;
      const key = `${f.role}\n${f.name}`;
      const group = twins.get(key);
      if (group) group.push(f.element);
      else twins.set(key, [f.element]);
    }
    for (const f of this.found) {
      const group = INTERACTIVE_ROLES.has(f.role) ? twins.get(`${f.role}\n${f.name}`) : undefined;
      if (!group || group.length < 2) continue;
      let container = f.element;
      for (let up = parentOf(f.element); up && up !== root; up = parentOf(up)) {
        if (group.some((other) => other !== f.element && up.contains(other))) break;
        container = up;
      }
      if (container === f.element) continue;
      const context = this.contextText(container);
      // First, so that the state's `options=[…]` and `disabled` stay at the end of the line.
      if (context && context !== f.name) f.state = [`in=${JSON.stringify(context)}`, f.state].filter(Boolean).join(' ');
    }
  }
}

/**
 * A `name` attribute as words ("first_name" -> "first name"); null when there is none.
 * @param {string | null} name
 * @returns {string | null}
 */
function humanName(name) {
  return name == null ? null : name.replace(/[_\-.[\]]+/g, ' ');
}

/**
 * Whether a checkbox, switch or radio is ticked: an <input>'s `checked`, else `aria-checked="true"`.
 * @param {Element} el
 * @returns {boolean}
 */
export function isChecked(el) {
  return el instanceof HTMLInputElement ? el.checked : attrOf(el, 'aria-checked') === 'true';
}

/**
 * True for an option that only asks for a choice: disabled, or with an empty `value` attribute.
 * Such options are never listed among a select's choices, and select_option refuses them.
 * @param {HTMLOptionElement} option
 * @returns {boolean}
 */
export function isPlaceholderOption(option) {
  return hasAttr(option, 'disabled') || attrOf(option, 'value') === '';
}

/**
 * True when the element shows it can be clicked though it has no interactive role: an `onclick`
 * attribute, a `tabindex` that is not negative, or a pointer cursor that its parent does not have.
 * @param {Element} el
 * @returns {boolean}
 */
function isClickable(el) {
  if (tagOf(el) === 'label' || tagOf(el) === 'body' || tagOf(el) === 'html') return false;
  if (hasAttr(el, 'onclick')) return true;
  const tabindex = attrOf(el, 'tabindex');
  if (tabindex !== null && /^\s*\d+\s*$/.test(tabindex)) return true;
  if (getComputedStyle(el).cursor !== 'pointer') return false;
  const parent = parentOf(el);
  return !parent || getComputedStyle(parent).cursor !== 'pointer';
}

/**
 * True for the lines the budget keeps first: interactive lines and dialogs.
 * @param {Role} role
 * @returns {boolean}
 */
function keptFirst(role) {
  return INTERACTIVE_ROLES.has(role) || role === DIALOG_ROLE;
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
  const tag = tagOf(el);
  const explicit = pyStripLower(attrOf(el, 'role'));
  if (el instanceof HTMLInputElement) {
    const kind = el.type;
    if (kind === 'checkbox') return explicit === 'switch' ? 'switch' : 'checkbox';
    if (kind === 'radio') return 'radio';
    if (BUTTON_TYPES.has(kind)) return 'button';
    if (kind === 'search') return 'searchbox';
    return TEXTBOX_TYPES.has(kind) ? 'textbox' : null;
  }
  if (ARIA_CHECKABLE.has(explicit)) return /** @type {Role} */ (explicit);
  if (tag === 'textarea') return 'textbox';
  if (tag === 'select') return 'combobox';
  if (tag === 'button' || explicit === 'button' || tag === 'summary') return 'button';
  if (tag === 'a' && hasAttr(el, 'href')) return 'link';
  if (isScrollable(el)) return 'scrollable';
  if (tag === 'dialog' || DIALOG_ROLES.has(explicit)) return DIALOG_ROLE;
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
  let text = attrOf(option, 'label') || '';
  if (!text) {
    for (let child = firstChildOf(option); child; child = nextSiblingOf(child)) {
      if (child.nodeType === Node.TEXT_NODE) text += /** @type {Text} */ (child).data;
    }
  }
  return cleanText(text);
}

/**
 * Returns the snapshot of the page under `root` (its descendants in document order; `root` itself gets
 * no line): every visible interactive element and scrollable container, and the text elements that
 * answer questions, within `maxLines` (interactive lines first, then text lines in document order),
 * numbered 1..n. A huge page costs bounded memory: each string read is cut to TEXT_SCAN_LIMIT, and the
 * walk stops once its lines hold PAGE_TEXT_LIMIT code points (`truncated` is then true).
 * @param {Element} [root]
 * @param {SnapshotOptions} [options]
 * @returns {Snapshot}
 */
export function takeSnapshot(root = document.body, { maxLines = DEFAULT_MAX_LINES } = {}) {
  if (!Number.isInteger(maxLines) || maxLines < 1) {
    throw new RangeError(`snapshot budget maxLines=${maxLines} is too small: give at least 1`);
  }
  const walker = new Walker(maxLines);
  walker.walk(root);
  walker.addContext(root);
  let found = walker.found;
  if (found.length > maxLines) {
    /** @type {number[]} */
    const interactive = [];
    /** @type {number[]} */
    const text = [];
    found.forEach((f, i) => (keptFirst(f.role) ? interactive : text).push(i));
    const kept = interactive.slice(0, maxLines);
    const keep = new Set([...kept, ...text.slice(0, maxLines - kept.length)]);
    found = found.filter((_, i) => keep.has(i));
  }
  const entries = found.map(({ role, name, element, state }, i) => {
    const ref = i + 1;
    const line = `${role} ${JSON.stringify(name)} [ref=${ref}]${state ? ` ${state}` : ''}`;
    return { ref, role, name, line, element };
  });
  return { text: entries.map((e) => e.line).join('\n'), entries, truncated: walker.truncated };
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
