"""Toolsets: the tools a model is trained on and the runtime may call, loaded from a JSON file.

A toolset file is either `{"name": …, "tools": [entry, …]}` or a bare list of entries; an entry is an
OpenAI-style function schema tagged read-only or not:

    {"type": "function", "readOnly": false,
     "function": {"name": "click", "description": "Click an element.",
                  "parameters": {"type": "object", "properties": {…}, "required": […]}}}

`load_toolset` checks everything the FunctionGemma format and the validator rely on and normalizes
the parameters (`properties` and `required` always present, `title` and `additionalProperties: false`
dropped), so Python and the JS runtime (which reads `Toolset.to_json()`) render the same declarations.

The file must be strict JSON in UTF-8 (a byte-order mark is allowed): no `NaN` or `Infinity`, no key
twice in one object, at most `MAX_TOOLSET_BYTES` bytes, nested at most `MAX_DEPTH` deep, and each
description at most `MAX_DESCRIPTION_CHARS` characters (every description is in every prompt).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fgweb.config import DEFAULT_TOOLS
from fgweb.errors import FgwebError
from fgweb.protocol import IDENTIFIER

SCHEMA_TYPES: tuple[str, ...] = ("string", "integer", "number", "boolean", "array", "object")
# Keywords kept in a tool's parameters; the declaration shows them to the model.
SCHEMA_KEYWORDS: tuple[str, ...] = ("type", "description", "properties", "required", "enum", "items")
# Keywords accepted and dropped: they add nothing to what fgweb already does.
DROPPED_KEYWORDS: tuple[str, ...] = ("title", "additionalProperties")
MAX_TOOLSET_BYTES = 1_000_000  # a toolset is a few kB; anything near this is the wrong file
MAX_DEPTH = 32  # arrays and objects inside each other; the built-in toolset is 8 deep
MAX_DESCRIPTION_CHARS = 1000  # per description; the built-in ones are under 130
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


class ToolsetError(FgwebError):
    """A toolset file that cannot be used; the message names the file and the tool."""


@dataclass
class Tool:
    """One tool: `parameters` is its normalized JSON schema, `schema` the entry `to_json` ships."""

    name: str
    description: str
    parameters: dict[str, Any]
    read_only: bool
    schema: dict[str, Any]


@dataclass
class Toolset:
    """The tools of one file, with the file's path and the sha256 of its bytes (for cache keys)."""

    name: str
    tools: list[Tool]
    path: Path | None = None
    sha256: str = ""

    def get(self, name: str) -> Tool | None:
        """Returns the tool called `name`, or None."""
        return next((t for t in self.tools if t.name == name), None)

    @property
    def names(self) -> list[str]:
        """Returns the tool names in file order."""
        return [t.name for t in self.tools]

    def to_json(self) -> list[dict[str, Any]]:
        """Returns the toolset as the list of normalized OpenAI-style entries (the bundle's toolset.json)."""
        return [t.schema for t in self.tools]


def _matches_type(value: Any, type_name: str) -> bool:
    if isinstance(value, bool):
        return type_name == "boolean"
    if type_name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if type_name == "number":
        return isinstance(value, (int, float))
    python_type = {"string": str, "array": list, "object": dict}.get(type_name)
    return python_type is not None and isinstance(value, python_type)


class _StrictJsonError(ValueError):
    """Raised by the JSON hooks below; its message is the problem."""


def _refuse_constant(name: str) -> Any:
    raise _StrictJsonError(f"{name} is not valid JSON: write a number, or null")


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Python keeps the last of two equal keys and JavaScript too, silently; the author meant one of them.
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _StrictJsonError(f"key {json.dumps(key)} appears twice in one object: keep one")
        obj[key] = value
    return obj


def _nesting_depth(text: str) -> int:
    """Returns how deep arrays and objects nest in JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", _JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, message: str, tool: str | None = None) -> ToolsetError:
        where = f"toolset {self.path}" + (f", tool {tool!r}" if tool else "")
        return ToolsetError(f"{where}: {message}")

    def schema(self, schema: Any, tool: str, where: str) -> dict[str, Any]:
        """Returns a checked, normalized copy of one JSON-schema node (`where` names it in messages)."""
        if not isinstance(schema, dict):
            raise self.fail(f"{where} must be a JSON-schema object, got {json.dumps(schema)}", tool)
        for key in schema:
            if key not in SCHEMA_KEYWORDS and key not in DROPPED_KEYWORDS:
                allowed = ", ".join(SCHEMA_KEYWORDS)
                raise self.fail(f"{where}: unsupported schema keyword {key!r}: use only {allowed}", tool)
        if schema.get("additionalProperties", False) is not False:
            raise self.fail(f"{where}: additionalProperties must be false (objects are closed)", tool)
        type_name = schema.get("type")
        if type_name is None:
            raise self.fail(f"{where} has no type: give one of {', '.join(SCHEMA_TYPES)}", tool)
        if type_name not in SCHEMA_TYPES:
            allowed = ", ".join(SCHEMA_TYPES)
            raise self.fail(f"{where}: unsupported type {json.dumps(type_name)}: use one of {allowed}", tool)
        out: dict[str, Any] = {"type": type_name}
        if "description" in schema:
            if not isinstance(schema["description"], str):
                raise self.fail(f"{where}: description must be a string", tool)
            out["description"] = self.description(schema["description"], tool, f"{where}: description")
        if "enum" in schema:
            enum = schema["enum"]
            if not isinstance(enum, list) or not enum:
                raise self.fail(f"{where}: enum must be a non-empty list", tool)
            for option in enum:
                if not _matches_type(option, type_name):
                    value = json.dumps(option)
                    raise self.fail(f"{where}: enum value {value} is not of type {type_name}", tool)
            out["enum"] = enum
        if "items" in schema:
            if type_name != "array":
                raise self.fail(f"{where}: items is only allowed with type array", tool)
            out["items"] = self.schema(schema["items"], tool, f"{where} items")
        if type_name == "object":
            out.update(self.object_members(schema, tool, where))
        elif "properties" in schema or "required" in schema:
            raise self.fail(f"{where}: properties and required are only allowed with type object", tool)
        return out

    def description(self, text: str, tool: str, where: str) -> str:
        """Returns `text`, a description, unless it is over MAX_DESCRIPTION_CHARS."""
        if len(text) > MAX_DESCRIPTION_CHARS:
            raise self.fail(
                f"{where} is {len(text):,} characters, over the limit of {MAX_DESCRIPTION_CHARS:,}: "
                "every description is in every prompt, so say it in a sentence or two",
                tool,
            )
        return text

    def object_members(self, schema: dict[str, Any], tool: str, where: str) -> dict[str, Any]:
        """Returns the checked `properties` and `required` of an object schema."""
        properties = schema.get("properties", {})
        if not isinstance(properties, dict):
            raise self.fail(f"{where}: properties must be an object", tool)
        checked: dict[str, Any] = {}
        for name, sub in properties.items():
            if not IDENTIFIER.fullmatch(name):
                raise self.fail(
                    f"{where}: property name {name!r} must be an identifier (letters, digits, _)", tool
                )
            checked[name] = self.schema(sub, tool, f"property {name!r}" if where == "parameters"
                                        else f"{where} property {name!r}")
        required = schema.get("required", [])
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise self.fail(f"{where}: required must be a list of property names", tool)
        for name in required:
            if name not in checked:
                known = ", ".join(checked) or "none"
                message = f"{where}: required names unknown property {name!r} (properties: {known})"
                raise self.fail(message, tool)
        return {"properties": checked, "required": list(dict.fromkeys(required))}

    def tool(self, entry: Any, index: int) -> Tool:
        """Returns the Tool of one entry of the file's tool list."""
        if not isinstance(entry, dict):
            raise self.fail(f"tool #{index + 1} must be an object like "
                            '{"type": "function", "function": {...}, "readOnly": false}')
        fn = entry.get("function")
        label = f"#{index + 1}"
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            label = fn["name"]
        if entry.get("type", "function") != "function":
            raise self.fail(f'type must be "function", got {json.dumps(entry.get("type"))}', label)
        if not isinstance(fn, dict):
            raise self.fail('missing "function": {"name", "description", "parameters"}', label)
        name = fn.get("name")
        if not isinstance(name, str) or not IDENTIFIER.fullmatch(name):
            rule = "letters, digits, _, not starting with a digit"
            raise self.fail(f"name {json.dumps(name)} must be an identifier ({rule})", label)
        description = fn.get("description")
        if not isinstance(description, str) or not description.strip():
            raise self.fail("missing or empty description: say in one sentence what the tool does", name)
        self.description(description, name, "description")
        read_only = entry.get("readOnly", False)
        if not isinstance(read_only, bool):
            raise self.fail(f"readOnly must be true or false, got {json.dumps(read_only)}", name)
        raw_parameters = fn.get("parameters", {"type": "object"})
        if not isinstance(raw_parameters, dict) or raw_parameters.get("type") != "object":
            raise self.fail('parameters must be a JSON schema of "type": "object"', name)
        parameters = self.schema(raw_parameters, name, "parameters")
        schema = {
            "type": "function",
            "function": {"name": name, "description": description, "parameters": parameters},
            "readOnly": read_only,
        }
        return Tool(name=name, description=description, parameters=parameters, read_only=read_only,
                    schema=schema)

    def load(self) -> Toolset:
        try:
            with self.path.open("rb") as f:
                data = f.read(MAX_TOOLSET_BYTES + 1)  # bounded: the path may be a huge file or a device
        except FileNotFoundError:
            raise self.fail("file not found: give the path of a toolset JSON file "
                            f"(the built-in one is {DEFAULT_TOOLS})") from None
        except OSError as e:
            raise self.fail(f"cannot read the file ({e.strerror})") from None
        if len(data) > MAX_TOOLSET_BYTES:
            raise self.fail(f"the file is over {MAX_TOOLSET_BYTES:,} bytes; a toolset is a few kB: "
                            "give a toolset JSON file and keep descriptions short")
        try:
            text = data.decode("utf-8-sig")  # a BOM, as some Windows editors write, is dropped
        except UnicodeDecodeError:
            raise self.fail("not UTF-8 text: save the file as UTF-8 JSON") from None
        # Checked before parsing: the parser (and the checks below) recurse once per level.
        if _nesting_depth(text) > MAX_DEPTH:
            raise self.fail(f"JSON nested more than {MAX_DEPTH} levels deep: a toolset needs far fewer")
        try:
            document = json.loads(text, parse_constant=_refuse_constant,
                                  object_pairs_hook=_refuse_duplicate_keys)
        except _StrictJsonError as e:
            raise self.fail(str(e)) from None
        except json.JSONDecodeError as e:
            raise self.fail(f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
        name = self.path.stem
        if isinstance(document, dict):
            name = document.get("name", name)
            if not isinstance(name, str) or not name:
                raise self.fail('"name" must be a non-empty string')
            if "tools" not in document:
                raise self.fail('expected {"name": …, "tools": [...]} or a list of tools; "tools" is missing')
            entries = document["tools"]
        else:
            entries = document
        if not isinstance(entries, list):
            raise self.fail('expected {"name": …, "tools": [...]} or a list of tools')
        if not entries:
            raise self.fail("the toolset has no tools: add at least one")
        tools: list[Tool] = []
        for index, entry in enumerate(entries):
            tool = self.tool(entry, index)
            if any(t.name == tool.name for t in tools):
                raise self.fail("defined twice: tool names must be unique", tool.name)
            tools.append(tool)
        return Toolset(name=name, tools=tools, path=self.path, sha256=hashlib.sha256(data).hexdigest())


def load_toolset(path: str | Path) -> Toolset:
    """Returns the checked toolset of a JSON file; raises ToolsetError naming the file and the tool."""
    return _Loader(Path(path)).load()


def builtin_toolset() -> Toolset:
    """Returns the built-in DOM toolset (fgweb/toolsets/dom.json)."""
    return load_toolset(DEFAULT_TOOLS)
