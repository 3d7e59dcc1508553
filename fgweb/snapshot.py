"""Page snapshots: the synthetic page model (`Node`, `Page`) and the text lines the model sees of a page.

The dataset generator builds pages as `Node` trees; `Page.to_html()` writes them as an HTML fragment and
`render_snapshot(page)` writes the snapshot lines that `web/src/snapshot.js` must reproduce from the live
DOM of that fragment. Every rule below is therefore stated in DOM terms.

Line format (DESIGN.md, "Page snapshot"): `ROLE "NAME" [ref=N]` then the state, space separated. NAME and
every string state value are JSON strings (`JSON.stringify` / `json.dumps(ensure_ascii=False)`).

Which elements (document order, pre-order walk from the page root):
- Hidden subtrees are skipped: the `hidden` attribute, `aria-hidden="true"`, inline `display:none` or
  `visibility:hidden`, `<input type=hidden>`, and `script/style/template/noscript`.
- Visually hidden subtrees are skipped too (`visually_hidden`: rendered, but a person does not see them):
  `opacity:0`; `clip: rect(…)` leaving at most 1px, on an absolute or fixed element; `clip-path:
  inset(…)` whose percentages add up to 100% top and bottom or left and right (`inset(50%)`); absolute or
  fixed and lying entirely left of or above the page (JS measures the box; Python, which has no layout,
  reads `left` or `top` of -1000px or less: the `-9999px` idiom); at most 1px wide or high (`width`,
  `height`, `max-width`, `max-height` here) with `overflow` other than visible, on an element that is not
  inline. A checkbox or radio `<input>` hidden this way is still listed when its first label is seen (not
  hidden or visually hidden, nor any ancestor of it): custom checkboxes draw their box in the label.
- Interactive roles, always listed:
  textbox (`<textarea>`; `<input>` of type text, email, password, tel, url, number, date, time,
  datetime-local, month, week, or no type), searchbox (`<input type=search>`), checkbox, switch
  (`<input type=checkbox role=switch>`), radio (any element with `role=checkbox|switch|radio` takes that
  role, its state read from `aria-checked`), combobox (`<select>`), button (`<button>`, `<input>` of
  type submit/button/reset, any `role=button`), link (`<a href>`), scrollable (any element whose inline
  `overflow-y`, else the last value of `overflow`, is `auto` or `scroll`; whether it overflows is not
  checked). The walk does not enter interactive elements, except scrollables.
- Text roles: heading (`h1`-`h6`), text (`p`, `dt`, `dd`), listitem (`li`), cell (`td`, `th`), status
  (`role=status`, `<output>`). A text element that contains a visible interactive element is not
  listed itself; the walk enters it instead. Otherwise it is listed (when its text is not empty) and the
  walk does not enter it.
- `<summary>` is a button. An element with no role of its own that shows it can be clicked (an `onclick`
  attribute, a non-negative `tabindex`, or `cursor: pointer` that its parent does not have; never a
  `<label>`) is a button too, unless it holds interactive elements (the walk then enters it).
- dialog (`<dialog open>`, `role=dialog|alertdialog`): a line of its own, then the walk enters it. A
  closed `<dialog>` is hidden.

Names (the first non-empty candidate, after `clean_text`):
- textbox, searchbox, checkbox, switch, radio, combobox: `aria-label`, then `aria-labelledby` (the text
  of the elements it names, joined by spaces), then (an ARIA checkbox, switch or radio that is not an
  `<input>`) its own text, then the first associated label in document order
  (`el.labels[0]`: a `<label for=id>`, or the nearest `<label>` ancestor without `for`), then
  `placeholder`, then `title`, then the text just before it in its parent (its preceding siblings back
  to the nearest one with interactive content), then its `name` attribute as words (`_ - . [ ]` become
  spaces).
- button: `aria-label`, `aria-labelledby`, its text (an `<input>` button: its `value`), the `alt` of its
  first visible `<img>` with one, `title`.
- link: `aria-label`, `aria-labelledby`, its text, an image's `alt`, `title`.
- scrollable: `aria-label`, `aria-labelledby`, `title`.  dialog: `aria-label`, `aria-labelledby`, the
  text of its first heading, `title`.
- text roles: their text.
"Text" is the concatenation of the element's descendant text nodes, skipping hidden subtrees and the
contents of `select`, `textarea`, `option`, `script`, `style`, `template` and `noscript` (like
`textContent`, nothing is added between nodes). A name keeps visually hidden text, because a name is what
assistive technology reads (the `.sr-only` label of an icon button names it). Page text, that is the text
of a text line, the text before a field and the `in="…"` context, keeps only what a person sees: no
visually hidden subtree, and no text drawn invisibly: text whose element has font-size 0 (inherited; a
relative size of a zero size is zero) or a fully transparent colour (`-webkit-text-fill-color`, else
`color`, inherited: `transparent`, alpha 0, `#rgba`/`#rrggbbaa` with alpha 0), unless the element or an
ancestor clips its background to the text (`background-clip: text`, gradient text).

State (in this order): textbox/searchbox `value="…"` (the current value; a non-empty password shows as
`"******"`; the placeholder is never shown, it only serves as a name of last resort); checkbox, switch,
radio `checked=true|false` (an ARIA one: `aria-checked="true"`); combobox `value="…"` (the selected
option's label: the last marked `selected`, else the first not disabled) and `options=[…]` (the label of
every option that is not a placeholder, a JSON array without spaces; a placeholder option is `disabled`
or has `value=""`, and select_option refuses it); link `href="…"` (the attribute as written); cell
`row=N` (1-based index of its `<tr>` in `table.rows`); then `disabled` for a textbox, searchbox,
checkbox, switch, radio, combobox or button carrying the `disabled` attribute or `aria-disabled="true"`
itself.

`clean_text`: control-token text removed (`protocol.sanitize`), C0/C1 control characters turned into
spaces, runs of whitespace (space, \\t\\n\\v\\f\\r, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
U+205F, U+3000, U+FEFF) collapsed to one space, trimmed; names, values, option labels and hrefs are
then cut to `TEXT_LIMIT` code points (a longer string keeps its first `TEXT_LIMIT - 1` code points,
right-trimmed, plus "…").

Repeated controls: an interactive line whose role and name another line shares gets `in="…"` right
after its ref: the text of the largest ancestor (below the page root) that holds none of the others,
outside its interactive elements (text nodes cleaned and joined by spaces), cut to `CONTEXT_LIMIT`; left
out when empty or equal to the name. So "delete report.pdf" finds the row's Delete button.

Budget (`max_lines`): when the page has more candidate lines, every interactive line (and dialog) is kept
first (the
first `max_lines` of them in document order if even those are too many), then text lines in document
order fill what is left. The kept lines stay in document order and are numbered 1..n without gaps.

Huge pages: every string read from the page (a text, an attribute, a value) is cut to its first
`TEXT_SCAN_LIMIT` code points before it is cleaned; a combobox lists its options while `options=[…]` stays
within `OPTIONS_LIMIT` code points; text lines past the first `max_lines` are not collected (the budget
could never keep them); and the walk stops for good once the names and states of the lines it collected
pass `PAGE_TEXT_LIMIT` code points (the line that passes it is not kept; `Snapshot.truncated` says so).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fgweb.errors import FgwebError
from fgweb.protocol import sanitize

TEXT_LIMIT = 80  # code points kept of a name, value, option label or href
CONTEXT_LIMIT = 40  # code points kept of the `in="…"` context that tells repeated controls apart
DEFAULT_MAX_LINES = 40  # snapshot budget when none is given (DataConfig.max_snapshot_lines)
TEXT_SCAN_LIMIT = 4000  # code points read of one string of the page before it is cleaned
OPTIONS_LIMIT = 4000  # code points of a combobox's options=[…]; the options past it are left out
PAGE_TEXT_LIMIT = 200_000  # code points of candidate names and states collected; past it the walk stops

INTERACTIVE_ROLES: tuple[str, ...] = (
    "textbox",
    "searchbox",
    "checkbox",
    "switch",
    "radio",
    "combobox",
    "button",
    "link",
    "scrollable",
)
TEXT_ROLES: tuple[str, ...] = ("heading", "text", "listitem", "cell", "status")
DIALOG_ROLE = "dialog"  # a line of its own (kept with the interactive lines); the walk goes on inside
# Roles whose elements can be disabled; a disabled element is listed but never acted on.
DISABLEABLE_ROLES = frozenset({"textbox", "searchbox", "checkbox", "switch", "radio", "combobox", "button"})
FIELD_ROLES = frozenset({"textbox", "searchbox"})
CHECK_ROLES = frozenset({"checkbox", "switch", "radio"})

VOID_TAGS = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})
SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript"})
# Tags whose contents are not part of an element's text.
OPAQUE_TAGS = SKIPPED_TAGS | {"select", "textarea", "option"}
TEXTBOX_TYPES = frozenset(
    {
        "text",
        "email",
        "password",
        "tel",
        "url",
        "number",
        "date",
        "time",
        "datetime-local",
        "month",
        "week",
    }
)
BUTTON_TYPES = frozenset({"submit", "button", "reset"})
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
LABELABLE_TAGS = frozenset({"input", "select", "textarea", "button", "meter", "output", "progress"})
PASSWORD_MASK = "******"

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"[ \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")
_CSS_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_TABINDEX = re.compile(r"\s*\d+\s*")
_NAME_PUNCT = re.compile(r"[_\-.\[\]]+")
_PX = re.compile(r"(-?[\d.]+)(px)?")
_ZERO_LENGTH = re.compile(r"-?0*\.?0+[a-z%]+")
_RELATIVE_SIZE = re.compile(r"(?<!r)em$|%$|ex$|ch$|^smaller$|^larger$")
_COLOR_ARGS = re.compile(r"[a-z-]+\((.*)\)")
INLINE_TAGS = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd",
                         "label", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
                         "u", "var"})


def clean_text(text: str, limit: int | None = None) -> str:
    """Returns `text` (its first TEXT_SCAN_LIMIT code points) without control-token text or control
    characters, whitespace collapsed and trimmed.

    With `limit`, a longer result is cut to `limit - 1` code points (right-trimmed) plus "…".
    """
    text = _CONTROL_CHARS.sub(" ", sanitize(text[:TEXT_SCAN_LIMIT]))
    text = _WHITESPACE.sub(" ", text).strip(" ")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip(" ") + "…"
    return text


AttrValue = str | bool


@dataclass(eq=False)
class Node:
    """One HTML element: tag, attributes (True = boolean attribute present, False = absent), children.

    Nodes compare by identity, so they can key dicts (the generator maps nodes to snapshot refs).
    """

    tag: str
    attrs: dict[str, AttrValue] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def attr(self, name: str) -> str | None:
        """Returns an attribute's value ("" for a boolean attribute that is present), None when absent."""
        value = self.attrs.get(name)
        if value is None or value is False:
            return None
        return "" if value is True else value

    def iter(self) -> Iterator[Node]:
        """Returns an iterator over this node and its descendant elements in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def to_html(self) -> str:
        """Returns the element as HTML (attribute values and text escaped)."""
        parts = [f"<{self.tag}"]
        for name, value in self.attrs.items():
            if value is True:
                parts.append(f" {name}")
            elif value is not False:
                parts.append(f' {name}="{html.escape(value, quote=True)}"')
        parts.append(">")
        if self.tag in VOID_TAGS:
            return "".join(parts)
        for child in self.children:
            parts.append(child.to_html() if isinstance(child, Node) else html.escape(child, quote=False))
        parts.append(f"</{self.tag}>")
        return "".join(parts)


def el(tag: str, *children: Node | str | None, **attrs: AttrValue | int | None) -> Node:
    """Returns a Node. Keyword names map to attributes: a trailing `_` is dropped (`class_`, `for_`) and
    `_` becomes `-` (`aria_label`); None and False leave the attribute out; ints become strings."""
    out: dict[str, AttrValue] = {}
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        out[name] = value if isinstance(value, (str, bool)) else str(value)
    return Node(tag, out, [c for c in children if c is not None])


def node_from_json(value: list[Any]) -> Node:
    """Returns the Node of a JSON node `[tag, {attributes}, ...children]` (a child is a text or a node), the
    page form of tests/vectors/snapshot.json."""
    tag, attrs, *children = value
    return Node(tag, dict(attrs), [c if isinstance(c, str) else node_from_json(c) for c in children])


@dataclass
class Page:
    """A synthetic page: its body nodes under a root `<div id="fg-{page_id}">` (`root`, built once from a
    copy of `body`; edit the tree through `root`)."""

    page_id: str
    body: list[Node]

    def __post_init__(self) -> None:
        children: list[Node | str] = list(self.body)
        self.root = Node("div", {"id": self.root_id, "class": "fgweb-page"}, children)

    @property
    def root_id(self) -> str:
        return f"fg-{self.page_id}"

    def to_html(self) -> str:
        """Returns the page as one HTML fragment (a single root `<div>`)."""
        return self.root.to_html()

    def parents(self) -> dict[Node, Node]:
        """Returns each element's parent element (the root has none)."""
        out: dict[Node, Node] = {}
        for node in self.root.iter():
            for child in node.children:
                if isinstance(child, Node):
                    out[child] = node
        return out

    def selector(self, node: Node, parents: dict[Node, Node] | None = None) -> str:
        """Returns a CSS selector that matches exactly `node` in the page's HTML.

        `#id` when the node has a plain id, else a `>` path of `tag:nth-of-type(k)` steps from the
        nearest ancestor that has one (the root always has).
        """
        parents = parents if parents is not None else self.parents()
        steps: list[str] = []
        current = node
        while True:
            ident = current.attr("id")
            if ident and _CSS_IDENT.fullmatch(ident):
                steps.append(f"#{ident}")
                break
            parent = parents.get(current)
            if parent is None:
                raise ValueError(f"<{node.tag}> is not part of page {self.page_id}")
            same = [c for c in parent.children if isinstance(c, Node) and c.tag == current.tag]
            steps.append(f"{current.tag}:nth-of-type({same.index(current) + 1})")
            current = parent
        return " > ".join(reversed(steps))


@dataclass(frozen=True, eq=False)
class Entry:
    """One snapshot line: its ref, role, name, the node it stands for, and the line itself."""

    ref: int
    role: str
    name: str
    node: Node
    line: str


@dataclass
class Snapshot:
    """The lines of one page, in order (ref i is `entries[i - 1]`)."""

    entries: list[Entry]
    truncated: bool = False  # the walk stopped at PAGE_TEXT_LIMIT before the end of the page

    def text(self) -> str:
        """Returns the snapshot as the prompt shows it: one line per entry, joined by newlines."""
        return "\n".join(e.line for e in self.entries)

    def by_node(self) -> dict[Node, Entry]:
        """Returns the entry of each listed node."""
        return {e.node: e for e in self.entries}


def _style(node: Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for decl in (node.attr("style") or "").split(";"):
        if ":" in decl:
            key, value = decl.split(":", 1)
            out[key.strip().lower()] = value.replace("!important", "").strip().lower()
    return out


def is_hidden(node: Node) -> bool:
    """Returns True when the element (and so its subtree) is not rendered."""
    if node.tag in SKIPPED_TAGS or node.attr("hidden") is not None:
        return True
    if node.attr("aria-hidden") == "true":
        return True
    if node.tag == "input" and (node.attr("type") or "").lower() == "hidden":
        return True
    if node.tag == "dialog" and node.attr("open") is None:  # a closed <dialog> is display:none
        return True
    style = _style(node)
    return style.get("display") == "none" or style.get("visibility") == "hidden"


def _px(value: str | None) -> float | None:
    """A length in px, None when it is not one; 0 in any unit is 0."""
    value = (value or "").strip()
    match = _PX.fullmatch(value)
    if match:
        try:
            return float(match.group(1))
        except ValueError:
            return None
    return 0.0 if _ZERO_LENGTH.fullmatch(value) else None


def _number(value: str | None) -> float | None:
    match = re.match(r"-?[\d.]+", (value or "").strip())
    try:
        return float(match.group(0)) if match else None
    except ValueError:
        return None


def is_transparent(color: str) -> bool:
    """Returns True for a fully transparent CSS colour: `transparent`, an alpha of 0 after `/` or as the
    fourth comma-separated value, `#rgba`/`#rrggbbaa` with alpha 0."""
    value = color.strip().lower()
    if value == "transparent" or re.fullmatch(r"#(?:[0-9a-f]{3}0|[0-9a-f]{6}00)", value):
        return True
    match = _COLOR_ARGS.fullmatch(value)
    if not match:
        return False
    args = match.group(1)
    commas = args.split(",")
    alpha = args.split("/")[-1] if "/" in args else commas[3] if len(commas) == 4 else None
    return alpha is not None and _number(alpha) == 0


def _clip_is_tiny(clip: str | None) -> bool:
    match = re.fullmatch(r"rect\((.*)\)", (clip or "").strip())
    if not match:
        return False
    values = [_px(v) for v in re.split(r"[\s,]+", match.group(1)) if v]
    if len(values) != 4:
        return False
    top, right, bottom, left = values
    narrow = right is not None and left is not None and right - left <= 1
    return narrow or (bottom is not None and top is not None and bottom - top <= 1)


def _inset_hides_all(clip_path: str | None) -> bool:
    match = re.fullmatch(r"inset\((.*)\)", (clip_path or "").strip())
    if not match:
        return False
    parts = re.split(r"\s+round\s+", match.group(1))[0].split()
    values = [float(v[:-1]) if v.endswith("%") and _number(v) is not None else float("nan") for v in parts]
    if not 1 <= len(values) <= 4:
        return False
    top = values[0]
    right = values[1] if len(values) > 1 else top
    bottom = values[2] if len(values) > 2 else top
    left = values[3] if len(values) > 3 else right
    return top + bottom >= 100 or left + right >= 100


def visually_hidden(node: Node) -> bool:
    """Returns True when the element is rendered but not seen (see the module docstring): opacity 0, a
    1px `clip`, a `clip-path: inset(…)` that cuts it away, off-screen, or 1px with its overflow hidden."""
    style = _style(node)
    if _number(style.get("opacity")) == 0:
        return True
    positioned = style.get("position") in ("absolute", "fixed")
    if positioned and _clip_is_tiny(style.get("clip")):
        return True
    if _inset_hides_all(style.get("clip-path")):
        return True
    if positioned and any((_px(style.get(side)) or 0) <= -1000 for side in ("left", "top")):
        return True
    overflow = [v for key in ("overflow", "overflow-x", "overflow-y") for v in (style.get(key) or "").split()]
    display = style.get("display")
    inline = display == "inline" or (not display and node.tag in INLINE_TAGS)
    if any(v != "visible" for v in overflow) and (positioned or not inline):
        sizes = (_px(style.get(key)) for key in ("width", "height", "max-width", "max-height"))
        return any(size is not None and size <= 1 for size in sizes)
    return False


def is_scrollable(node: Node) -> bool:
    """Returns True when the element's inline overflow-y (else overflow's last value) is auto or scroll."""
    style = _style(node)
    value = style.get("overflow-y") or (style.get("overflow") or "").split(" ")[-1]
    return value in ("auto", "scroll")


def role_of(node: Node) -> str | None:
    """Returns the snapshot role of an element, or None when it gets no line of its own."""
    tag = node.tag
    explicit = (node.attr("role") or "").strip().lower()
    if tag == "input":
        kind = (node.attr("type") or "text").strip().lower()
        if kind == "checkbox":
            return "switch" if explicit == "switch" else "checkbox"
        if kind == "radio":
            return "radio"
        if kind in BUTTON_TYPES:
            return "button"
        if kind == "search":
            return "searchbox"
        return "textbox" if kind in TEXTBOX_TYPES else None
    if explicit in CHECK_ROLES:  # any element with role=checkbox|switch|radio (state: aria-checked)
        return explicit
    if tag == "textarea":
        return "textbox"
    if tag == "select":
        return "combobox"
    if tag == "button" or explicit == "button" or tag == "summary":
        return "button"
    if tag == "a" and node.attr("href") is not None:
        return "link"
    if is_scrollable(node):
        return "scrollable"
    if tag == "dialog" or explicit in ("dialog", "alertdialog"):
        return DIALOG_ROLE
    if explicit == "status" or tag == "output":
        return "status"
    if tag in HEADING_TAGS:
        return "heading"
    if tag in ("p", "dt", "dd"):
        return "text"
    if tag == "li":
        return "listitem"
    if tag in ("td", "th"):
        return "cell"
    return None


def collect_text(node: Node, descend: Callable[[Node], bool],
                 shows_text: Callable[[Node], bool] = lambda n: True) -> str:
    """Returns the concatenated text nodes under `node`, at least its first TEXT_SCAN_LIMIT code points:
    children elements are entered when `descend` says so (never opaque ones), an element's own text
    nodes kept when `shows_text` says so."""
    parts: list[str] = []
    size = 0

    def walk(n: Node) -> None:
        nonlocal size
        for child in n.children:
            if size >= TEXT_SCAN_LIMIT:
                return
            if isinstance(child, str):
                if shows_text(n):
                    parts.append(child[: TEXT_SCAN_LIMIT - size])
                    size += len(parts[-1])
            elif child.tag not in OPAQUE_TAGS and descend(child):
                walk(child)

    if node.tag not in OPAQUE_TAGS:
        walk(node)
    return "".join(parts)


def text_of(node: Node) -> str:
    """Returns the text of an element as a name reads it: its descendant text nodes outside hidden
    subtrees (visually hidden ones included), concatenated, at least its first TEXT_SCAN_LIMIT code
    points."""
    return collect_text(node, lambda child: not is_hidden(child))


def cursor_of(node: Node) -> str | None:
    """Returns the element's inline `cursor`, None when its style does not set one (it then inherits)."""
    return _style(node).get("cursor") or None


def is_placeholder_option(option: Node) -> bool:
    """Returns True for an option that only asks for a choice: disabled, or with an empty `value`.
    Such options are never listed among a select's choices (select_option refuses them)."""
    return option.attr("disabled") is not None or option.attr("value") == ""


def _options(select: Node) -> list[Node]:
    return [n for n in select.iter() if n.tag == "option"]


def option_label(option: Node) -> str:
    """Returns an option's label: its `label` attribute, else its text (cleaned, not cut)."""
    return clean_text(option.attr("label") or "".join(c for c in option.children if isinstance(c, str)))


def _value(node: Node) -> str:
    if node.tag == "textarea":
        return "".join(c for c in node.children if isinstance(c, str))
    return node.attr("value") or ""


class _Walker:
    def __init__(self, page: Page, max_lines: int = DEFAULT_MAX_LINES) -> None:
        self.page = page
        self.max_lines = max_lines  # text lines past it are never kept by the budget, so not collected
        self.text_lines = 0
        self.chars = 0  # code points of the names and states collected (PAGE_TEXT_LIMIT)
        self.truncated = False
        self.parents = page.parents()
        self.order = {n: i for i, n in enumerate(page.root.iter())}
        self.labels_for: dict[str, list[Node]] = {}
        for n in page.root.iter():
            target = n.attr("for") if n.tag == "label" else None
            if target:
                self.labels_for.setdefault(target, []).append(n)
        self.ids: dict[str, Node] = {}
        for n in page.root.iter():
            ident = n.attr("id")
            if ident and ident not in self.ids:
                self.ids[ident] = n
        self.roles: dict[Node, str | None] = {}
        self.skips: dict[Node, bool] = {}
        self.text_hidden: dict[Node, bool] = {}
        self.found: list[list[Any]] = []  # [role, name, node, state]

    def chain(self, node: Node | None) -> Iterator[Node]:
        """The element and its ancestors, up to the page root."""
        while node is not None:
            yield node
            node = self.parents.get(node)

    def skipped(self, node: Node) -> bool:
        """True when the walk leaves the element and its subtree out: hidden, or visually hidden unless it
        is a checkbox or radio seen through its label."""
        if node not in self.skips:
            seen = not visually_hidden(node) or self.shown_through_label(node)
            self.skips[node] = is_hidden(node) or not seen
        return self.skips[node]

    def shown_through_label(self, node: Node) -> bool:
        """True for a checkbox or radio `<input>` whose first label is seen (neither it nor an ancestor is
        hidden or visually hidden): custom checkboxes hide the input and draw a box in the label."""
        if node.tag != "input" or (node.attr("type") or "").strip().lower() not in ("checkbox", "radio"):
            return False
        label = self.first_label(node)
        return label is not None and not any(is_hidden(n) or visually_hidden(n) for n in self.chain(label))

    def _inherited(self, node: Node, prop: str, skip: tuple[str, ...] = ("inherit",)) -> str | None:
        """The nearest inline value of an inherited property on the element or an ancestor."""
        for n in self.chain(node):
            value = _style(n).get(prop)
            if value and value not in skip:
                return value
        return None

    def hides_text(self, node: Node) -> bool:
        """True when text directly inside the element is drawn invisibly: font-size 0, or a transparent
        text colour without `background-clip: text` on it or an ancestor (see the module docstring)."""
        if node not in self.text_hidden:
            hidden = self._zero_font(node)
            if not hidden and self._transparent_text(node):
                hidden = not any(
                    "text" in (_style(n).get("background-clip"), _style(n).get("-webkit-background-clip"))
                    for n in self.chain(node))
            self.text_hidden[node] = hidden
        return self.text_hidden[node]

    def _zero_font(self, node: Node) -> bool:
        for n in self.chain(node):
            size = _style(n).get("font-size")
            if not size or size == "inherit":
                continue
            if _number(size) == 0:
                return True
            if not _RELATIVE_SIZE.search(size):  # an absolute size: not zero
                return False
        return False

    def _transparent_text(self, node: Node) -> bool:
        fill = self._inherited(node, "-webkit-text-fill-color")
        if not fill or fill == "currentcolor":
            fill = self._inherited(node, "color", ("inherit", "currentcolor"))
        return fill is not None and is_transparent(fill)

    def seen_text(self, node: Node) -> str:
        """Page text of an element: its text (as `text_of`) without visually hidden subtrees and without
        text drawn invisibly, at least its first TEXT_SCAN_LIMIT code points."""
        return collect_text(node, lambda child: not self.skipped(child), lambda n: not self.hides_text(n))

    def pointer(self, node: Node | None) -> bool:
        """True when the element's cursor (inline, else inherited; the page root inherits none) is pointer."""
        while node is not None:
            cursor = cursor_of(node)
            if cursor is not None:
                return cursor == "pointer"
            node = self.parents.get(node)
        return False

    def clickable(self, node: Node) -> bool:
        """True when an element without an interactive role shows it can be clicked: an `onclick`
        attribute, a `tabindex` that is not negative, or a pointer cursor its parent does not have."""
        if node.tag in ("label", "body", "html"):
            return False
        if node.attr("onclick") is not None:
            return True
        tabindex = node.attr("tabindex")
        if tabindex is not None and _TABINDEX.fullmatch(tabindex):
            return True
        return self.pointer(node) and not self.pointer(self.parents.get(node))

    def role(self, node: Node) -> str | None:
        """The snapshot role of an element in this page (role_of, then a clickable generic element is a
        button unless it holds interactive elements itself: the walk enters it instead)."""
        if node not in self.roles:
            role = role_of(node)
            if role is None and self.clickable(node) and not self.contains_interactive(node):
                role = "button"
            self.roles[node] = role
        return self.roles[node]

    def first(self, *candidates: str | None) -> str:
        for candidate in candidates:
            if candidate is not None:
                text = clean_text(candidate, TEXT_LIMIT)
                if text:
                    return text
        return ""

    def label_text(self, node: Node) -> str | None:
        label = self.first_label(node)
        return text_of(label) if label is not None else None

    def first_label(self, node: Node) -> Node | None:
        """The element's first label in document order (`el.labels[0]`), None without one."""
        if node.tag not in LABELABLE_TAGS:  # `el.labels` is only defined for these
            return None
        labels = list(self.labels_for.get(node.attr("id") or "", [])) if node.attr("id") else []
        parent = self.parents.get(node)
        while parent is not None:
            if parent.tag == "label":
                if parent.attr("for") is None:
                    labels.append(parent)
                break
            parent = self.parents.get(parent)
        if not labels:
            return None
        return min(labels, key=lambda n: self.order[n])

    def labelled_by_text(self, node: Node) -> str | None:
        """The text of the elements `aria-labelledby` names (by id, in order, joined by spaces)."""
        ids = [i for i in re.split(r"[ \t\n\f\r]+", node.attr("aria-labelledby") or "") if i]
        if not ids:
            return None
        return " ".join(text_of(self.ids[i]) for i in ids if i in self.ids)

    def preceding_text(self, node: Node) -> str | None:
        """The text just before a control in its parent: its preceding siblings' text (text nodes, and
        elements without interactive content), back to the nearest interactive one."""
        parent = self.parents.get(node)
        if parent is None:
            return None
        siblings = parent.children
        nodes: list[Node | str] = []
        for child in reversed(siblings[: next(i for i, c in enumerate(siblings) if c is node)]):
            if isinstance(child, str):
                nodes.append(child)
            elif not self.skipped(child):
                if self.role(child) in INTERACTIVE_ROLES or self.contains_interactive(child):
                    break
                nodes.append(child)
        # Page text, not a name that assistive technology reads: only what a person sees of it.
        shown = not self.hides_text(parent)
        text = ""
        for child in reversed(nodes):
            if len(text) >= TEXT_SCAN_LIMIT:
                break
            if isinstance(child, Node):
                text += self.seen_text(child)
            elif shown:
                text += child[: TEXT_SCAN_LIMIT - len(text)]
        return text if clean_text(text) else None

    def image_alt(self, node: Node) -> str | None:
        """The `alt` of the first visible descendant <img> that has a non-empty one."""
        def walk(n: Node) -> str | None:
            for child in n.children:
                if isinstance(child, Node) and not is_hidden(child):
                    if child.tag == "img" and clean_text(child.attr("alt") or ""):
                        return child.attr("alt")
                    found = walk(child)
                    if found is not None:
                        return found
            return None

        return walk(node)

    def name(self, node: Node, role: str) -> str:
        aria = node.attr("aria-label")
        title = node.attr("title")
        if role in TEXT_ROLES:
            return self.first(self.seen_text(node))
        if role == "button":
            own = node.attr("value") if node.tag == "input" else text_of(node)
            return self.first(aria, self.labelled_by_text(node), own, self.image_alt(node), title)
        if role == "link":
            return self.first(aria, self.labelled_by_text(node), text_of(node), self.image_alt(node), title)
        if role == "scrollable":
            return self.first(aria, self.labelled_by_text(node), title)
        if role == DIALOG_ROLE:
            heading = next((n for n in node.iter() if n is not node and n.tag in HEADING_TAGS), None)
            return self.first(aria, self.labelled_by_text(node), text_of(heading) if heading else None, title)
        name_attr = node.attr("name")
        # An ARIA checkbox, switch or radio (not an <input>) is named by its content, as buttons are.
        content = text_of(node) if role in CHECK_ROLES and node.tag != "input" else None
        return self.first(aria, self.labelled_by_text(node), content, self.label_text(node),
                          node.attr("placeholder"),
                          title, self.preceding_text(node),
                          _NAME_PUNCT.sub(" ", name_attr) if name_attr is not None else None)

    def row(self, cell: Node) -> int:
        table: Node | None = self.parents.get(cell)
        while table is not None and table.tag != "table":
            table = self.parents.get(table)
        if table is None:
            return 0
        rows = _own_rows(table)
        tr = self.parents.get(cell)
        return rows.index(tr) + 1 if tr in rows else 0

    def state(self, node: Node, role: str) -> list[str]:
        parts: list[str] = []
        if role in FIELD_ROLES:
            value = clean_text(_value(node), TEXT_LIMIT)
            if value and (node.attr("type") or "").lower() == "password":
                value = PASSWORD_MASK
            parts.append(f"value={_json(value)}")
        elif role in CHECK_ROLES:
            if node.tag == "input":
                checked = node.attr("checked") is not None
            else:
                checked = node.attr("aria-checked") == "true"
            parts.append(f"checked={'true' if checked else 'false'}")
        elif role == "combobox":
            options = _options(node)
            labels = [clean_text(option_label(o), TEXT_LIMIT) for o in options]
            selected = _selected_index(options)
            value = labels[selected] if labels else ""
            parts.append(f"value={_json(value)}")
            # A placeholder ("Choose…") is shown as the value it is, never offered as a choice; a huge list
            # is cut where its JSON would pass OPTIONS_LIMIT.
            choices: list[str] = []
            size = 2
            for label, option in zip(labels, options, strict=True):
                if is_placeholder_option(option):
                    continue
                size += len(_json(label)) + (1 if choices else 0)
                if size > OPTIONS_LIMIT:
                    break
                choices.append(label)
            parts.append("options=" + json.dumps(choices, ensure_ascii=False, separators=(",", ":")))
        elif role == "link":
            parts.append(f"href={_json(clean_text(node.attr('href') or '', TEXT_LIMIT))}")
        elif role == "cell":
            parts.append(f"row={self.row(node)}")
        if role in DISABLEABLE_ROLES and (
            node.attr("disabled") is not None or node.attr("aria-disabled") == "true"
        ):
            parts.append("disabled")
        return parts

    def contains_interactive(self, node: Node) -> bool:
        for child in node.children:
            if isinstance(child, Node) and not self.skipped(child):
                if self.role(child) in INTERACTIVE_ROLES or self.contains_interactive(child):
                    return True
        return False

    def walk(self, node: Node) -> None:
        for child in node.children:
            if self.truncated:
                return
            if isinstance(child, Node) and not self.skipped(child):
                self.visit(child)

    def visit(self, node: Node) -> None:
        role = self.role(node)
        if role in INTERACTIVE_ROLES:
            assert role is not None
            self.emit(node, role)
            if role == "scrollable":
                self.walk(node)
        elif role == DIALOG_ROLE:
            self.emit(node, role)
            self.walk(node)
        elif role in TEXT_ROLES and not self.contains_interactive(node):
            assert role is not None
            if self.text_lines < self.max_lines and clean_text(self.seen_text(node)):
                self.emit(node, role)
        else:
            self.walk(node)

    def emit(self, node: Node, role: str) -> None:
        # The budget keeps text lines after the interactive ones, in document order: a text line past the
        # first max_lines can never be kept, so it is not collected.
        if role in TEXT_ROLES:
            self.text_lines += 1
        name = self.name(node, role)
        state = " ".join(self.state(node, role))
        self.chars += len(name) + len(state)
        if self.chars > PAGE_TEXT_LIMIT:
            self.truncated = True
            return
        self.found.append([role, name, node, state])

    def context_text(self, container: Node) -> str:
        """The visible text of `container` outside its interactive elements (text nodes cleaned, joined
        by spaces), cut to CONTEXT_LIMIT."""
        parts: list[str] = []
        size = 0

        def walk(n: Node) -> None:
            nonlocal size
            for child in n.children:
                if size >= TEXT_SCAN_LIMIT:
                    return
                if isinstance(child, str):
                    text = "" if self.hides_text(n) else clean_text(child)
                    if text:
                        parts.append(text)
                        size += len(text) + 1
                elif child.tag not in OPAQUE_TAGS and not self.skipped(child):
                    if self.role(child) not in INTERACTIVE_ROLES:
                        walk(child)

        walk(container)
        return clean_text(" ".join(parts), CONTEXT_LIMIT)

    def add_context(self) -> None:
        """Adds `in="…"` to interactive lines that share their role and name with another line: the text
        of the largest ancestor (below the page root) that holds no other line of that role and name."""
        twins: dict[tuple[str, str], list[Node]] = {}
        for role, name, node, _ in self.found:
            if role in INTERACTIVE_ROLES:
                twins.setdefault((role, name), []).append(node)
        for entry in self.found:
            role, name, node, state = entry
            group = twins.get((role, name), []) if role in INTERACTIVE_ROLES else []
            if len(group) < 2:
                continue
            others = [o for o in group if o is not node]
            container = node
            up = self.parents.get(node)
            while up is not None and up is not self.page.root:
                if any(self.is_ancestor(up, o) for o in others):
                    break
                container = up
                up = self.parents.get(up)
            if container is node:
                continue
            context = self.context_text(container)
            if context and context != name:
                # First, so that the state's `options=[…]` and `disabled` stay at the end of the line.
                entry[3] = " ".join(p for p in (f"in={_json(context)}", state) if p)

    def is_ancestor(self, ancestor: Node, node: Node) -> bool:
        up = self.parents.get(node)
        while up is not None:
            if up is ancestor:
                return True
            up = self.parents.get(up)
        return False


def _own_rows(table: Node) -> list[Node]:
    rows: list[Node] = []

    def walk(n: Node) -> None:
        for child in n.children:
            if isinstance(child, Node) and child.tag != "table":
                if child.tag == "tr":
                    rows.append(child)
                else:
                    walk(child)

    walk(table)
    return rows


def _selected_index(options: list[Node]) -> int:
    """The option a select shows: the last one marked `selected`, else the first that is not disabled
    (as browsers choose), else the first."""
    marked = [i for i, o in enumerate(options) if o.attr("selected") is not None]
    if marked:
        return marked[-1]
    return next((i for i, o in enumerate(options) if o.attr("disabled") is None), 0)


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def snapshot(page: Page, max_lines: int = DEFAULT_MAX_LINES) -> Snapshot:
    """Returns the snapshot of a page: its lines within the `max_lines` budget, numbered from 1."""
    if max_lines < 1:
        raise FgwebError(f"snapshot budget max_lines={max_lines} is too small: give at least 1")
    walker = _Walker(page, max_lines)
    walker.walk(page.root)
    walker.add_context()
    found = walker.found
    if len(found) > max_lines:
        first = [i for i, f in enumerate(found) if f[0] in INTERACTIVE_ROLES or f[0] == DIALOG_ROLE]
        interactive = first[:max_lines]
        text = [i for i, f in enumerate(found) if not (f[0] in INTERACTIVE_ROLES or f[0] == DIALOG_ROLE)]
        keep = set(interactive) | set(text[: max_lines - len(interactive)])
        found = [f for i, f in enumerate(found) if i in keep]
    entries = []
    for ref, (role, name, node, state) in enumerate(found, 1):
        line = f"{role} {_json(name)} [ref={ref}]" + (f" {state}" if state else "")
        entries.append(Entry(ref=ref, role=role, name=name, node=node, line=line))
    return Snapshot(entries, walker.truncated)


def render_snapshot(page: Page, max_lines: int = DEFAULT_MAX_LINES) -> str:
    """Returns the snapshot text of a page (one line per element, see the module docstring)."""
    return snapshot(page, max_lines).text()
