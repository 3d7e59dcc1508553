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

    hook = snapshot_hook(tokenizer, snapshot_targets(snapshot), command=command)
    generator.greedy(prompt_ids, max_new_tokens, stop_ids, allowed=hook)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fgweb.protocol import FUNCTION_TOKENS

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
            after = [i for i in dict.fromkeys([*closers, *candidates])
                     if i != ESCAPE_ID and piece(i)[:1] in (",", "}")]
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
