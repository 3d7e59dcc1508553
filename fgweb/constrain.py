"""Snapshot-bound arguments, as the browser runtime decodes them (web/src/constrain.js).

While the model writes a call of a built-in tool, its `element` can only spell the name of a snapshot
line whose role the tool acts on, its `ref` only the number of such a line with that name, and
select_option's `option` only one of that line's options. The model still chooses (greedy over what
is left); it can no longer name an element the page does not have, or pair a name with another line's
ref. Given the command, type_text's `text` can only be a stretch of it, as typed: what the model types
is what the user said (not "ann Lee" for "Ann Lee", nor a word it made up). Right after a closed
string only `,` or `}` can follow, so a call cannot run on in free text (an empty element name closes
at once). The eval applies the same
rules so that its figures are those of the runtime.

The call grammar (`CallGrammar`) is the hook the snapshot hook narrows: it holds a call to the
FunctionGemma format and the toolset's schemas (tool names, argument names in sorted order, every
required one, the `<escape>` around strings, enum values, true/false, JSON numbers, `,`, `}` and
`<end_function_call>`), fixed text spelled as the tokenizer spells it. Where it leaves exactly one id,
a decoder can append that id without a model step (`Generator.greedy(..., jump_forward=True)`).

    grammar = CallGrammar(tokenizer, toolset.tools)                  # once per toolset
    hook = snapshot_hook(tokenizer, snapshot_targets(snapshot), grammar.hook(), command=command)
    generator.greedy(prompt_ids, max_new_tokens, stop_ids, allowed=hook)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fgweb.protocol import CONTROL_TOKEN_PATTERN, FUNCTION_TOKENS

CALL_START = FUNCTION_TOKENS["<start_function_call>"]
ESCAPE_ID = FUNCTION_TOKENS["<escape>"]
ESCAPE = "<escape>"
CALL_END = "<end_function_call>"
_LINE = re.compile(r'^(\S+) "((?:[^"\\]|\\.)*)" \[ref=(\d+)\](.*)$')
_OPTIONS = re.compile(r" options=(\[.*\])")
_HEAD = re.compile(r"^call:([A-Za-z0-9_.-]+)\{")
_OPENED = re.compile(r"(?:^|,)([A-Za-z_][A-Za-z0-9_]*):$")
_REF = re.compile(r"(?:^|,)ref:(\d*)$")
_WORD = re.compile(r"[^\W_]+")  # letters and digits: where a copied stretch may start inside a word

_INTERACTIVE = {
    "textbox", "searchbox", "checkbox", "switch", "radio", "combobox", "button", "link", "scrollable",
}
# The roles each built-in tool acts on: web/src/actions.js ROLES_FOR (a test keeps the two equal).
# read_text reads any line with a ref; navigate takes a URL; user tools are not constrained.
TOOL_ROLES: dict[str, set[str] | None] = {
    "click": _INTERACTIVE,
    "type_text": {"textbox", "searchbox"},
    "select_option": {"combobox"},
    "set_checked": {"checkbox", "switch", "radio"},
    "scroll": {"scrollable"},
    "read_text": None,
}

AllowedHook = Callable[[list[int]], "list[int] | None"]


@dataclass(frozen=True)
class Target:
    ref: int
    role: str
    name: str
    options: tuple[str, ...]
    disabled: bool = False  # the line ends with `disabled`


def snapshot_targets(snapshot: str) -> list[Target]:
    """Returns the snapshot's lines that carry a ref (`ROLE "NAME" [ref=N] …`), in order."""
    targets = []
    for line in snapshot.splitlines():
        m = _LINE.match(line.strip())
        if not m:
            continue
        name = _json(f'"{m.group(2)}"', m.group(2))
        opts = _OPTIONS.search(m.group(4))
        options = _json(opts.group(1), []) if opts else []
        targets.append(Target(int(m.group(3)), m.group(1), str(name),
                              tuple(str(o) for o in options) if isinstance(options, list) else (),
                              disabled=m.group(4).split(" ")[-1] == "disabled"))
    return targets


def snapshot_hook(tokenizer: Any, targets: Sequence[Target], base: AllowedHook | None = None,
                  command: str | None = None) -> AllowedHook:
    """Returns an allowed-tokens hook keeping element, ref and option on `targets`, and type_text's text
    on stretches of `command` when given (elsewhere, `base`'s answer)."""
    pieces: dict[int, str] = {}

    def piece(i: int) -> str:
        if i not in pieces:
            pieces[i] = ESCAPE if i == ESCAPE_ID else decode_ids(tokenizer, [i])
        return pieces[i]

    spelling = {ESCAPE_ID}
    for t in targets:
        for text in (t.name, *t.options, str(t.ref)):
            spelling.update(encode_text(tokenizer, text))
    if command:  # a stretch of the command starts at a word (alone, or after a space) or mid-word
        for text in (command, *command.split(), *_WORD.findall(command)):
            spelling.update(encode_text(tokenizer, text))
            spelling.update(encode_text(tokenizer, " " + text))
    spelled = sorted(spelling)
    digits = [ids[0] for ids in (encode_text(tokenizer, d) for d in "0123456789") if len(ids) == 1]
    # After a closed string only `,` (the next argument) or `}` (the call's end) may follow: the model
    # cannot run on in free text (a field with an empty name closes its element at once).
    closers = [ids[0] for ids in (encode_text(tokenizer, c) for c in ",}") if len(ids) == 1]

    def keeping(candidates: list[int], value: str, grows: Callable[[str], bool],
                ends: Callable[[str], bool]) -> list[int] | None:
        """The candidates that keep `value` growing as `grows` allows, and <escape> where it `ends`."""
        allowed = [
            i for i in candidates
            if (ends(value) if i == ESCAPE_ID else len(piece(i)) > 0 and grows(value + piece(i)))
        ]
        return allowed or None

    def narrow(generated: list[int], fallback: list[int] | None) -> list[int] | None:
        if CALL_START not in generated:
            return None
        start = len(generated) - 1 - generated[::-1].index(CALL_START)
        text = decode_ids(tokenizer, generated[start + 1 :])
        if CALL_END in text:
            return None
        head = _HEAD.match(text)
        if not head or head.group(1) not in TOOL_ROLES:
            return None
        tool = head.group(1)
        roles = TOOL_ROLES[tool]
        fitting = [t for t in targets if roles is None or t.role in roles]
        parts = text[head.end() :].split(ESCAPE)
        candidates = fallback if fallback is not None else spelled
        if len(parts) % 2 == 0:  # inside an escaped string: which key opened it?
            opened = _OPENED.search(parts[-2])
            value = parts[-1]
            strings: list[str] = []
            if opened and opened.group(1) == "element":
                strings = sorted({t.name for t in fitting})
            elif opened and opened.group(1) == "option" and tool == "select_option":
                element = _value_of(parts, "element")
                named = [t for t in fitting if element is None or t.name == element]
                strings = sorted({o for t in named for o in t.options})
            elif opened and opened.group(1) == "text" and tool == "type_text" and command is not None:
                return keeping(candidates, value, lambda t: t in command, lambda t: t in command)
            if not strings:
                return None
            return keeping(candidates, value, lambda t: any(s.startswith(t) for s in strings),
                           lambda t: t in strings)
        if len(parts) >= 3 and parts[-1] == "":
            pool = fallback if fallback is not None else [*closers, *spelled]
            after = [i for i in dict.fromkeys(pool) if i != ESCAPE_ID and piece(i)[:1] in (",", "}")]
            return after or None
        ref = _REF.search(parts[-1])
        if not ref:
            return None
        element = _value_of(parts, "element")
        refs = [str(t.ref) for t in fitting if element is None or t.name == element]
        if not refs or ref.group(1) in refs:  # a whole ref: the model says how it goes on
            return None
        allowed = [i for i in digits if any(r.startswith(ref.group(1) + piece(i)) for r in refs)]
        return allowed or None

    def hook(generated: list[int]) -> list[int] | None:
        fallback = base(generated) if base else None
        narrowed = narrow(list(generated), fallback)
        return narrowed if narrowed is not None else fallback

    return hook


# ---------------------------------------------------------------------------------------------------
# The call grammar (web/src/constrain.js callGrammar is its twin)

_END = -2
_FREE = -3
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NUMBER_CHARS = re.compile(r"[-+0-9.eE]*")  # the characters a JSON number is scanned over
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
# A prefix of a JSON number ("" and "-" included).
_NUMBER_PREFIX = re.compile(
    r"-?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)?|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[eE][+-]?[0-9]*"
)


@dataclass(frozen=True)
class GrammarTool:
    """A tool as the grammar reads it: keys sorted (as `render_value` writes them), each with the kind
    of value its schema takes ("string", "enum", "number", "boolean" or "free"); `free` when any key may
    follow its `{` (parameters without `properties`, or a key that cannot be written bare)."""

    name: str
    keys: tuple[str, ...]
    kinds: tuple[str, ...]
    enums: tuple[tuple[str, ...], ...]
    required: frozenset[str]
    free: bool = False


@dataclass(frozen=True)
class _Literal:
    """Text to write, then the value of `key` (_END: the call is over; _FREE: the rest is free), or the
    keys after `after` when `after` is not None."""

    text: str
    tool: GrammarTool = field(compare=False)
    key: int = _FREE
    after: int | None = None


def _following(tool: GrammarTool, after: int) -> list[_Literal]:
    """The literals that may follow key `after` (-1: right after `{`): `,` and a later key (the first
    after `{`), up to the first required one, and the call's end when none is required."""
    out = []
    for j in range(after + 1, len(tool.keys)):
        opener = ESCAPE if tool.kinds[j] in ("string", "enum") else ""
        out.append(_Literal(f"{',' if after >= 0 else ''}{tool.keys[j]}:{opener}", tool, key=j))
        if tool.keys[j] in tool.required:
            return out
    out.append(_Literal("}" + CALL_END, tool, key=_END))
    return out


def _value_kind(schema: Any) -> tuple[str, tuple[str, ...]]:
    if not isinstance(schema, Mapping):
        return "free", ()
    values = schema.get("enum")
    kind = schema.get("type")
    if kind == "string":
        # An enum value holding control-token text is written sanitized: leave such a string free.
        if (isinstance(values, list) and values
                and all(isinstance(v, str) and not CONTROL_TOKEN_PATTERN.search(v) for v in values)):
            return "enum", tuple(values)
        return "string", ()
    if kind in ("integer", "number"):
        return "number", ()
    if kind == "boolean":
        return "boolean", ()
    return "free", ()


def compile_tools(tools: Iterable[Any]) -> list[GrammarTool]:
    """The grammar's view of a toolset: `Tool`s, OpenAI-style entries or flat {name, parameters}."""
    out = []
    for entry in tools:
        if isinstance(entry, Mapping):
            fn = entry.get("function", entry)
            name, parameters = fn.get("name"), fn.get("parameters")
        else:
            name, parameters = getattr(entry, "name", None), getattr(entry, "parameters", None)
        if not isinstance(name, str) or not _IDENTIFIER.match(name):
            continue
        schema = {"properties": {}, **(parameters if isinstance(parameters, Mapping) else {})}
        props = schema["properties"] if isinstance(schema["properties"], Mapping) else None
        listed = schema.get("required")
        required = frozenset(r for r in (listed if isinstance(listed, list) else []) if isinstance(r, str))
        keys = tuple(sorted({*(props or {}), *required}))
        kinds = [_value_kind((props or {}).get(k)) for k in keys]
        free = props is None or not all(_IDENTIFIER.match(k) for k in keys)
        out.append(GrammarTool(name, keys, tuple(k for k, _ in kinds), tuple(v for _, v in kinds), required,
                               free))
    return out


class CallGrammar:
    """The call grammar of a toolset: after `<start_function_call>`, `call:` and a tool's name, `{`, its
    arguments in sorted key order (every required one, any optional one), each value of its schema's
    type, `}` and `<end_function_call>`. Fixed text is allowed only in the tokenizer's own spelling (the
    ids `encode` gives it); string contents (other than enum values) are left to `base` and the snapshot
    hook, as is everything outside a call. A value whose schema is not a plain string, integer, number or
    boolean (an array, an object, a union, no type) leaves the rest of the call free."""

    def __init__(self, tokenizer: Any, tools: Iterable[Any]) -> None:
        self.tokenizer = tokenizer
        self.tools = compile_tools(tools)
        self._spellings: dict[str, tuple[list[int], list[str]]] = {}
        self._number_pieces: dict[int, str] = {}
        for c in "0123456789-+.eE":
            ids = encode_text(tokenizer, c)
            if len(ids) == 1:
                self._number_pieces.setdefault(ids[0], c)
        self._heads: list[_Literal] = []
        for tool in self.tools:
            if tool.free:
                self._heads.append(_Literal(f"call:{tool.name}{{", tool, key=_FREE))
            else:
                self._heads += [_Literal(f"call:{tool.name}{{{lit.text}", tool, key=lit.key)
                                for lit in _following(tool, -1)]

    def _spell(self, text: str) -> tuple[list[int], list[str]]:
        if text not in self._spellings:
            ids = encode_text(self.tokenizer, text)
            self._spellings[text] = (ids, [decode_ids(self.tokenizer, ids[:j]) for j in range(len(ids))])
        return self._spellings[text]

    def _literal_ids(self, literals: Sequence[_Literal], emitted: str) -> list[int] | None:
        """The ids that go on with one of `literals` after `emitted` of it, each in its own spelling."""
        ids = set()
        for lit in literals:
            spelled, prefixes = self._spell(lit.text)
            if emitted in prefixes:
                ids.add(spelled[prefixes.index(emitted)])
        return sorted(ids) or None

    def allowed_after(self, text: str) -> list[int] | None:
        """The ids allowed after the text of a call so far (after `<start_function_call>`), sorted; None
        where the grammar leaves the choice free (inside a string, a free value, after the call, off it)."""
        if CALL_END in text:
            return None
        pos = 0
        literals = self._heads
        while True:
            rest = text[pos:]
            done = next((lit for lit in literals if rest.startswith(lit.text)), None)
            if done is None:
                live = [lit for lit in literals if lit.text.startswith(rest)]
                return self._literal_ids(live, rest) if live else None
            pos += len(done.text)
            tool = done.tool
            if done.after is not None:
                literals = _following(tool, done.after)
                continue
            key = done.key
            if key in (_FREE, _END):
                return None
            kind = tool.kinds[key]
            value = text[pos:]
            if kind == "string":
                close = value.find(ESCAPE)
                if close < 0:
                    return None  # inside the string: free here
                pos += close + len(ESCAPE)
                literals = _following(tool, key)
            elif kind == "enum":
                literals = [_Literal(v + ESCAPE, tool, after=key) for v in tool.enums[key]]
            elif kind == "boolean":
                literals = [_Literal(v, tool, after=key) for v in ("true", "false")]
            elif kind == "number":
                m = _NUMBER_CHARS.match(value)
                digits = m.group(0) if m else ""
                following = _following(tool, key)
                if pos + len(digits) < len(text):  # the number is over
                    if not _NUMBER.fullmatch(digits):
                        return None
                    pos += len(digits)
                    literals = following
                    continue
                ids = [i for i, c in self._number_pieces.items() if _NUMBER_PREFIX.fullmatch(digits + c)]
                if _NUMBER.fullmatch(digits):
                    ids += self._literal_ids(following, "") or []
                return sorted(set(ids)) or None
            else:
                return None

    def hook(self, base: AllowedHook | None = None) -> AllowedHook:
        """Returns an allowed-tokens hook: the grammar's ids within `base`'s (all of `base`'s where the
        grammar is free, or where none of its ids is in `base`'s)."""

        def allowed(generated: list[int]) -> list[int] | None:
            fallback = base(generated) if base else None
            if CALL_START not in generated:
                return fallback
            start = len(generated) - 1 - generated[::-1].index(CALL_START)
            ids = self.allowed_after(decode_ids(self.tokenizer, generated[start + 1 :]))
            if ids is None:
                return fallback
            if fallback is None:
                return ids
            within = set(fallback)
            kept = [i for i in ids if i in within]
            return kept or fallback

        return allowed


def grammar_hook(tokenizer: Any, tools: Iterable[Any], base: AllowedHook | None = None) -> AllowedHook:
    """`CallGrammar(tokenizer, tools).hook(base)`."""
    return CallGrammar(tokenizer, tools).hook(base)


def _value_of(parts: list[str], key: str) -> str | None:
    """The value of a finished `key:<escape>…<escape>` argument in the call text split at <escape>."""
    pattern = re.compile(rf"(?:^|,){key}:$")
    for i in range(0, len(parts) - 2, 2):
        if pattern.search(parts[i]):
            return parts[i + 1]
    return None


def encode_text(tokenizer: Any, text: str) -> list[int]:
    """Ids of `text` without <bos>, from a transformers tokenizer or a `tokenizers.Tokenizer`."""
    if hasattr(tokenizer, "encode_batch"):  # a `tokenizers.Tokenizer`
        return list(tokenizer.encode(text, add_special_tokens=False).ids)
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def decode_ids(tokenizer: Any, ids: Sequence[int]) -> str:
    """Text of `ids`, special tokens written out (either kind of tokenizer)."""
    return str(tokenizer.decode(list(ids), skip_special_tokens=False))


def _json(text: str, otherwise: Any) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return otherwise
