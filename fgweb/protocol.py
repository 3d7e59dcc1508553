"""The FunctionGemma text protocol: render prompts and calls, parse completions, validate calls.

One spec, two implementations: `web/src/protocol.js` implements the same format and both are tested
against `tests/vectors/protocol.json` (its README explains the cases).

    prompt      = render_prompt(tools, snapshot, command)
    completion  = render_completion(calls, answer)        # training target
    parsed      = parse_completion(generated_text)        # Completion(calls, text) or ProtocolError
    issues      = validate_calls(parsed.calls, tools)     # [] when every call fits its tool's schema
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

from fgweb.errors import FgwebError

if TYPE_CHECKING:
    from fgweb.tools import Tool, Toolset

# FunctionGemma's ids, so a real FunctionGemma checkpoint is a drop-in base. In the plain Gemma 3
# vocabulary these ids are <unused40>..<unused46>; the model stage renames them.
FUNCTION_TOKENS: dict[str, int] = {
    "<start_function_declaration>": 46,
    "<end_function_declaration>": 47,
    "<start_function_call>": 48,
    "<end_function_call>": 49,
    "<start_function_response>": 50,
    "<end_function_response>": 51,
    "<escape>": 52,
}

# Text that must never reach the prompt from a page or a typed command: it would forge prompt structure.
CONTROL_TOKEN_PATTERN = re.compile(
    r"<(?:start|end)_of_turn>|<(?:start|end)_function_(?:declaration|call|response)>|<escape>"
    r"|<bos>|<eos>|<pad>|<unk>|<mask>|<unused\d+>|<(?:start|end)_of_image>|<image_soft_token>|\[@BOS@\]",
    re.ASCII,  # \d means 0-9 only, as in JavaScript
)

BOS = "<bos>"
EOS = "<eos>"
START_OF_TURN = "<start_of_turn>"
END_OF_TURN = "<end_of_turn>"
DECLARATION_START = "<start_function_declaration>"
DECLARATION_END = "<end_function_declaration>"
CALL_START = "<start_function_call>"
CALL_END = "<end_function_call>"
RESPONSE_START = "<start_function_response>"
RESPONSE_END = "<end_function_response>"
ESCAPE = "<escape>"

DEVELOPER_PREAMBLE = "You are a model that can do function calling with the following functions"
# A completion that calls tools ends with RESPONSE_START, one that answers in words with END_OF_TURN.
STOP_TOKENS: tuple[str, ...] = (RESPONSE_START, END_OF_TURN)
# The prompt text around the snapshot and command, for the tokenizer manifest and the JS runtime.
USER_TURN_PREFIX = f"{START_OF_TURN}user\nPage:\n"
USER_TURN_MIDDLE = "\n\nCommand: "
USER_TURN_SUFFIX = f"{END_OF_TURN}\n"
MODEL_TURN_START = f"{START_OF_TURN}model\n"

# Names of tools, arguments and object keys: bare in the format, so they must be identifiers.
# Integers up to this size read back as ints, larger ones as floats (like JavaScript's numbers).
MAX_SAFE_INTEGER = 2**53 - 1
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# What trimming removes (the same set in JS: /^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g).
WHITESPACE = " \t\n\r\f\v"
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_NUMBER_CHARS = re.compile(r"[-+0-9.eE]+")
_WORD = re.compile(r"[A-Za-z0-9_]+")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}

# Error codes of parse_completion, stable: the JS parser gives the same code for the same text.
PARSE_ERROR_CODES: dict[str, str] = {
    "empty": "no call and no text",
    "unexpected_text": "text before, between or after calls",
    "unexpected_token": "a control token where none belongs (e.g. <escape> in a text answer)",
    "missing_name": "a call that does not start with call:NAME",
    "bad_key": "an object key that is not an identifier followed by ':', or a repeated key",
    "bad_value": "no valid value where one belongs, or a malformed object/array",
    "unterminated_string": "a control token other than <escape> before a string's closing <escape>",
    "unterminated_call": "call arguments not followed by <end_function_call>",
    "truncated": "the text ends inside a call (generation stopped or ran out of tokens)",
}

# Issue codes of validate_call / validate_calls.
ISSUE_CODES: tuple[str, ...] = (
    "unknown_tool", "missing_argument", "unexpected_argument", "wrong_type", "not_in_enum",
)


class ProtocolError(FgwebError):
    """A completion that does not follow the format; `code` is one of PARSE_ERROR_CODES."""

    def __init__(self, code: str, message: str, position: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.position = position


@dataclass
class Call:
    """One tool call: the tool's name and its arguments (JSON values)."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Returns the call as {"name", "arguments"} (the dataset and runtime form)."""
        return {"name": self.name, "arguments": self.arguments}


@dataclass
class Completion:
    """A parsed completion: tool calls (text None) or a text answer (calls empty)."""

    calls: list[Call]
    text: str | None


@dataclass
class Issue:
    """Why a call does not fit its tool. `argument` is a path (`ref`, `rows[1].name`), None for the tool."""

    code: str
    argument: str | None
    message: str
    call: int | None = None  # index of the call in validate_calls' list


CallLike: TypeAlias = "Call | Mapping[str, Any]"
ToolsLike: TypeAlias = "Toolset | Iterable[Tool | Mapping[str, Any]]"


# ---------------------------------------------------------------------------------------------------
# Sanitizing


def sanitize(text: str) -> str:
    """Returns `text` without any control-token text, removed until none is left.

    Removal repeats because removing one token can join its neighbours into another
    (`<esc<escape>ape>` would otherwise become `<escape>`).
    """
    while True:
        cleaned = CONTROL_TOKEN_PATTERN.sub("", text)
        if cleaned == text:
            return cleaned
        text = cleaned


def clean_command(command: str) -> str:
    """Returns a typed command ready for the prompt: control-token text removed, then trimmed."""
    return sanitize(command).strip(WHITESPACE)


# ---------------------------------------------------------------------------------------------------
# Rendering


def format_number(value: int | float) -> str:
    """Returns a number as JavaScript's String(number) writes it (so both implementations agree).

    Ints are written in full; floats in their shortest round-trip form, integral floats below 1e21
    without a fraction (1.0 -> "1"), exponents as in JS (1e21 -> "1e+21", 1e-7 -> "1e-7").
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"{value!r} cannot be written in the FunctionGemma format (JSON numbers are finite)")
    if value == 0:
        return "0"
    if value < 0:
        return "-" + format_number(-value)
    _, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    assert isinstance(exponent, int)
    exponent += len("".join(map(str, digit_tuple))) - len(digits)
    k = len(digits)
    n = k + exponent  # value = 0.digits * 10**n, as ECMAScript's Number::toString names it
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def render_value(value: Any) -> str:
    """Returns a JSON value in the FunctionGemma format.

    Strings `<escape>…<escape>` (control-token text removed), true/false/null, numbers as
    `format_number`, arrays `[a,b]`, objects `{k:v,…}` with keys sorted; no spaces anywhere.
    """
    if isinstance(value, str):
        return ESCAPE + sanitize(value) + ESCAPE
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, Mapping):
        parts = []
        for key in sorted(value):
            if not isinstance(key, str) or not IDENTIFIER.fullmatch(key):
                raise ValueError(f"object key {key!r} cannot be written bare: keys must be identifiers")
            parts.append(f"{key}:{render_value(value[key])}")
        return "{" + ",".join(parts) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(render_value(v) for v in value) + "]"
    raise TypeError(f"{type(value).__name__} is not a JSON value: {value!r}")


def _tool_parts(tool: Any) -> tuple[str, str, Mapping[str, Any]]:
    """Returns (name, description, parameters) of a Tool, an OpenAI-style entry or a flat dict."""
    if isinstance(tool, Mapping):
        fn = tool.get("function", tool)
        return fn["name"], fn.get("description", ""), fn.get("parameters") or {"type": "object"}
    return tool.name, tool.description, tool.parameters


def _declaration_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Returns a JSON schema with every `type` upper-cased, following properties and items."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type" and isinstance(value, str):
            out[key] = value.upper()
        elif key == "properties" and isinstance(value, Mapping):
            out[key] = {name: _declaration_schema(sub) for name, sub in value.items()}
        elif key == "items" and isinstance(value, Mapping):
            out[key] = _declaration_schema(value)
        else:
            out[key] = value
    return out


def render_declaration(tool: Tool | Mapping[str, Any]) -> str:
    """Returns `<start_function_declaration>declaration:NAME{description:…,parameters:…}<end_…>`."""
    name, description, parameters = _tool_parts(tool)
    _check_name(name, "tool")
    body = render_value({"description": description, "parameters": _declaration_schema(parameters)})
    return f"{DECLARATION_START}declaration:{name}{body}{DECLARATION_END}"


def _tool_list(tools: ToolsLike) -> list[Any]:
    if isinstance(tools, Iterable):
        return list(tools)
    return list(tools.tools)


def render_developer_turn(tools: ToolsLike) -> str:
    """Returns the developer turn: `<bos><start_of_turn>developer\\n` + preamble + declarations."""
    declarations = "".join(render_declaration(t) for t in _tool_list(tools))
    return f"{BOS}{START_OF_TURN}developer\n{DEVELOPER_PREAMBLE}{declarations}{END_OF_TURN}\n"


def render_user_turn(snapshot: str, command: str) -> str:
    """Returns `<start_of_turn>user\\nPage:\\n{snapshot}\\n\\nCommand: {command}<end_of_turn>\\n`.

    Control-token text is removed from both (page text is data, not prompt structure); the command
    is also trimmed.
    """
    page = sanitize(snapshot)
    return f"{USER_TURN_PREFIX}{page}{USER_TURN_MIDDLE}{clean_command(command)}{USER_TURN_SUFFIX}"


def render_prompt(tools: ToolsLike, snapshot: str, command: str) -> str:
    """Returns the whole prompt: developer turn, user turn, then `<start_of_turn>model\\n`."""
    return render_developer_turn(tools) + render_user_turn(snapshot, command) + MODEL_TURN_START


def _as_call(call: CallLike) -> Call:
    if isinstance(call, Call):
        return call
    return Call(name=call["name"], arguments=dict(call.get("arguments") or {}))


def _check_name(name: Any, what: str) -> None:
    if not isinstance(name, str) or not IDENTIFIER.fullmatch(name):
        raise ValueError(f"{what} name {name!r} is not an identifier (letters, digits, _)")


def render_call(call: CallLike) -> str:
    """Returns one `<start_function_call>call:NAME{args}<end_function_call>`."""
    c = _as_call(call)
    _check_name(c.name, "tool")
    return f"{CALL_START}call:{c.name}{render_value(c.arguments)}{CALL_END}"


def render_calls(calls: Sequence[CallLike]) -> str:
    """Returns the calls in order followed by the stop token `<start_function_response>`."""
    if not calls:
        raise ValueError("render_calls needs at least one call; use render_answer for a text answer")
    return "".join(render_call(c) for c in calls) + RESPONSE_START


def render_answer(text: str) -> str:
    """Returns a text answer (control-token text removed) followed by `<end_of_turn>`."""
    return sanitize(text) + END_OF_TURN


def render_completion(calls: Sequence[CallLike] | None, answer: str | None) -> str:
    """Returns the model's target text: the calls when there are any, else the text answer."""
    if calls and answer is not None:
        raise ValueError("a completion either calls tools or answers in words, not both")
    if calls:
        return render_calls(calls)
    if answer is None:
        raise ValueError("a completion needs calls or an answer")
    return render_answer(answer)


def render_response(name: str, value: Mapping[str, Any]) -> str:
    """Returns `<start_function_response>response:NAME{…}<end_function_response>` for a read tool."""
    _check_name(name, "tool")
    if not isinstance(value, Mapping):
        kind = type(value).__name__
        raise TypeError(f"a function response is an object, got {kind}: wrap it, e.g. {{'text': …}}")
    return f"{RESPONSE_START}response:{name}{render_value(value)}{RESPONSE_END}"


# ---------------------------------------------------------------------------------------------------
# Parsing


class _Parser:
    """Recursive-descent parser over one completion (already cut at its first stop token)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, code: str, message: str, position: int | None = None) -> ProtocolError:
        at = self.pos if position is None else position
        return ProtocolError(code, f"{message} (at character {at})", at)

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def rest(self) -> str:
        return self.text[self.pos:]

    def need_more(self, what: str) -> None:
        """Raises `truncated` when the text ends here."""
        if self.at_end():
            raise self.truncated(what)

    def truncated(self, what: str) -> ProtocolError:
        return self.error("truncated", f"the text ends before {what}", len(self.text))

    def completion(self) -> list[Call]:
        calls: list[Call] = []
        while True:
            while not self.at_end() and self.text[self.pos] in WHITESPACE:
                self.pos += 1
            if self.at_end():
                return calls
            if self.text.startswith(CALL_START, self.pos):
                calls.append(self.call())
                continue
            token = CONTROL_TOKEN_PATTERN.match(self.text, self.pos)
            if token:
                raise self.error("unexpected_token", f"{token.group()} outside a call")
            where = "after the last call" if calls else "before the first call"
            raise self.error("unexpected_text", f"text {where}: {self.rest()[:30]!r}")

    def call(self) -> Call:
        self.pos += len(CALL_START)
        rest = self.rest()
        if not rest.startswith("call:"):
            if "call:".startswith(rest):
                raise self.truncated("the call's name")
            raise self.error("missing_name", "a call must start with call:NAME")
        self.pos += len("call:")
        name = IDENTIFIER.match(self.text, self.pos)
        if not name:
            self.need_more("the call's name")
            raise self.error("missing_name", "call: must be followed by the tool's name")
        self.pos = name.end()
        self.need_more(f"the arguments of {name.group()}")
        if self.text[self.pos] != "{":
            raise self.error("bad_value", f"the arguments of {name.group()} must be an object {{…}}")
        arguments = self.object()
        rest = self.rest()
        if rest.startswith(CALL_END):
            self.pos += len(CALL_END)
            return Call(name.group(), arguments)
        if CALL_END.startswith(rest):
            raise self.truncated(CALL_END)
        raise self.error("unterminated_call", f"the call to {name.group()} is not closed by {CALL_END}")

    def value(self, what: str) -> Any:
        self.need_more(what)
        text, pos = self.text, self.pos
        char = text[pos]
        if text.startswith(ESCAPE, pos):
            return self.string()
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        if char == "-" or "0" <= char <= "9":
            scanned = _NUMBER_CHARS.match(text, pos)
            assert scanned
            number = _NUMBER.match(text, pos)
            if number and number.end() == scanned.end():
                self.pos = number.end()
                literal = number.group()
                if any(c in literal for c in ".eE"):
                    parsed = float(literal)
                    if not math.isfinite(parsed):
                        raise self.error("bad_value", f"{literal} is out of range for {what}", pos)
                    return parsed
                if len(literal) > 400:  # past any double's range; also avoids int()'s digit limit
                    raise self.error(
                        "bad_value", f"a {len(literal)}-digit number is out of range for {what}", pos
                    )
                integer = int(literal)
                # Beyond 2**53 JavaScript reads a double; so does Python, and an integral float
                # rendered in full (1e20 -> "100000000000000000000") reads back unchanged.
                if abs(integer) <= MAX_SAFE_INTEGER:
                    return integer
                as_float = float(literal)
                if not math.isfinite(as_float):
                    raise self.error("bad_value", f"{literal[:20]}... is out of range for {what}", pos)
                return as_float
            if scanned.end() == len(text):
                raise self.truncated(f"the end of the number for {what}")
            raise self.error("bad_value", f"{scanned.group()!r} is not a number ({what})", pos)
        word = _WORD.match(text, pos)
        if word:
            if word.group() in _LITERALS:
                self.pos = word.end()
                return _LITERALS[word.group()]
            if word.end() == len(text) and any(lit.startswith(word.group()) for lit in _LITERALS):
                raise self.truncated(what)
            raise self.error("bad_value", f"{word.group()!r} is not a value ({what}); strings need <escape>")
        if ESCAPE.startswith(self.rest()):
            raise self.truncated(what)
        raise self.error("bad_value", f"missing value ({what})")

    def string(self) -> str:
        start = self.pos + len(ESCAPE)
        token = CONTROL_TOKEN_PATTERN.search(self.text, start)
        if token is None:
            raise self.truncated("the string's closing <escape>")
        if token.group() != ESCAPE:
            raise self.error("unterminated_string", f"{token.group()} inside a string", token.start())
        self.pos = token.end()
        return self.text[start:token.start()]

    def object(self) -> dict[str, Any]:
        self.pos += 1  # "{"
        result: dict[str, Any] = {}
        self.need_more("the object's closing }")
        if self.text[self.pos] == "}":
            self.pos += 1
            return result
        while True:
            key = IDENTIFIER.match(self.text, self.pos)
            if not key:
                self.need_more("an object key")
                raise self.error("bad_key", f"expected a key (an identifier), got {self.rest()[:20]!r}")
            self.pos = key.end()
            self.need_more(f"the ':' after {key.group()}")
            if self.text[self.pos] != ":":
                raise self.error("bad_key", f"expected ':' after key {key.group()}")
            if key.group() in result:
                raise self.error("bad_key", f"key {key.group()} appears twice", key.start())
            self.pos += 1
            result[key.group()] = self.value(f"the value of {key.group()}")
            self.need_more("the object's closing }")
            char = self.text[self.pos]
            self.pos += 1
            if char == "}":
                return result
            if char != ",":
                message = f"expected ',' or '}}' after the value of {key.group()}"
                raise self.error("bad_value", message, self.pos - 1)

    def array(self) -> list[Any]:
        self.pos += 1  # "["
        result: list[Any] = []
        self.need_more("the array's closing ]")
        if self.text[self.pos] == "]":
            self.pos += 1
            return result
        while True:
            result.append(self.value(f"array item {len(result)}"))
            self.need_more("the array's closing ]")
            char = self.text[self.pos]
            self.pos += 1
            if char == "]":
                return result
            if char != ",":
                message = f"expected ',' or ']' after array item {len(result) - 1}"
                raise self.error("bad_value", message, self.pos - 1)


def parse_completion(text: str) -> Completion:
    """Returns the calls, or the text answer, of a model's completion (the text after the prompt).

    The text is read up to its first stop token or `<eos>` (anything after is ignored; the stop
    token may be absent). Whitespace around calls is allowed, none inside them. A text answer is
    returned trimmed. Malformed text raises ProtocolError with a code from PARSE_ERROR_CODES.
    """
    ends = [i for i in (text.find(t) for t in (*STOP_TOKENS, EOS)) if i >= 0]
    body = text[: min(ends)] if ends else text
    if CALL_START not in body:
        token = CONTROL_TOKEN_PATTERN.search(body)
        if token:
            at = token.start()
            message = f"{token.group()} in a text answer (at character {at})"
            raise ProtocolError("unexpected_token", message, at)
        answer = body.strip(WHITESPACE)
        if not answer:
            raise ProtocolError("empty", "the completion has no call and no text", 0)
        return Completion(calls=[], text=answer)
    return Completion(calls=_Parser(body).completion(), text=None)


# ---------------------------------------------------------------------------------------------------
# Validation


def _json_type(value: Any) -> str:
    """Returns the JSON type name of a value, as messages show it (integral numbers are integers)."""
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _fits_type(value: Any, type_name: str) -> bool:
    actual = _json_type(value)
    if type_name == "number":
        return actual in ("integer", "number") and math.isfinite(value)
    return actual == type_name


def _same_json(a: Any, b: Any) -> bool:
    """Returns whether two JSON values are equal as JSON (True is not 1, 1 is 1.0)."""
    kinds = {_json_type(a), _json_type(b)}
    if kinds <= {"integer", "number"}:
        return bool(a == b)
    return len(kinds) == 1 and bool(a == b)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _check_value(tool: str, value: Any, schema: Mapping[str, Any], path: str, issues: list[Issue]) -> None:
    expected = schema.get("type")
    if isinstance(expected, str) and not _fits_type(value, expected):
        got = _json_type(value)
        issues.append(Issue("wrong_type", path, f"{tool}: {path} must be {expected}, got {got}"))
        return
    enum = schema.get("enum")
    if isinstance(enum, list) and not any(_same_json(value, option) for option in enum):
        allowed = ", ".join(json.dumps(o, ensure_ascii=False) for o in enum)
        issues.append(Issue("not_in_enum", path, f"{tool}: {path} must be one of {allowed}"))
        return
    if isinstance(value, (list, tuple)) and isinstance(schema.get("items"), Mapping):
        for i, item in enumerate(value):
            _check_value(tool, item, schema["items"], f"{path}[{i}]", issues)
    elif isinstance(value, Mapping):
        _check_object(tool, value, schema, path, issues)


def _check_object(tool: str, value: Mapping[str, Any], schema: Mapping[str, Any], path: str,
                  issues: list[Issue]) -> None:
    properties = schema.get("properties")
    for name in schema.get("required", []):
        if name not in value:
            where = _join(path, name)
            issues.append(Issue("missing_argument", where, f"{tool}: missing argument {where}"))
    for key in sorted(value):
        if properties is None:  # an object schema without properties accepts any keys
            continue
        if key not in properties:
            issues.append(Issue("unexpected_argument", _join(path, key),
                                f"{tool} takes no argument {_join(path, key)}"))
        else:
            _check_value(tool, value[key], properties[key], _join(path, key), issues)


def validate_call(call: CallLike, tool: Tool | Mapping[str, Any]) -> list[Issue]:
    """Returns the ways `call` breaks `tool`'s parameter schema; [] when it fits.

    Order: missing arguments (in `required` order), then each given argument by sorted name
    (unexpected_argument, wrong_type, not_in_enum), nested objects and array items in place.
    """
    c = _as_call(call)
    name, _, parameters = _tool_parts(tool)
    if c.name != name:
        raise ValueError(f"validate_call got a call to {c.name} and the tool {name}")
    issues: list[Issue] = []
    _check_object(name, c.arguments, {"properties": {}, **parameters}, "", issues)
    return issues


def validate_calls(calls: Sequence[CallLike], tools: ToolsLike) -> list[Issue]:
    """Returns the issues of every call (each Issue's `call` is the call's index); [] when all fit."""
    by_name = {_tool_parts(t)[0]: t for t in _tool_list(tools)}
    issues: list[Issue] = []
    for index, raw in enumerate(calls):
        call = _as_call(raw)
        tool = by_name.get(call.name)
        if tool is None:
            known = ", ".join(sorted(by_name))
            found = [Issue("unknown_tool", None, f"no tool named {call.name!r} (tools: {known})")]
        else:
            found = validate_call(call, tool)
        for issue in found:
            issue.call = index
        issues.extend(found)
    return issues
