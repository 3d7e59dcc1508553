"""Loading toolset files: the built-in toolset, the two file forms, and every bad-input message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fgweb.config import DEFAULT_TOOLS
from fgweb.errors import FgwebError
from fgweb.tools import (
    MAX_DEPTH,
    MAX_DESCRIPTION_CHARS,
    MAX_TOOLSET_BYTES,
    ToolsetError,
    builtin_toolset,
    load_toolset,
)


def entry(name: str = "click", description: str = "Click an element.", parameters: Any = None,
          **extra: Any) -> dict[str, Any]:
    if parameters is None:
        parameters = {"type": "object", "properties": {"ref": {"type": "integer"}}, "required": ["ref"]}
    function = {"name": name, "description": description, "parameters": parameters}
    return {"type": "function", "function": function, **extra}


def write(tmp_path: Path, document: Any, name: str = "tools.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(ToolsetError) as caught:
        load_toolset(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_builtin_toolset_has_the_seven_dom_tools() -> None:
    toolset = builtin_toolset()
    assert toolset.name == "dom" and toolset.path == DEFAULT_TOOLS
    assert toolset.names == ["click", "type_text", "select_option", "set_checked", "scroll", "navigate",
                             "read_text"]
    assert [t.name for t in toolset.tools if t.read_only] == ["read_text"]
    scroll = toolset.get("scroll")
    assert scroll is not None and scroll.parameters["properties"]["direction"]["enum"] == ["up", "down"]
    assert len(toolset.sha256) == 64


def test_to_json_is_the_list_form_and_loads_back_identically(tmp_path: Path) -> None:
    toolset = builtin_toolset()
    shipped = write(tmp_path, toolset.to_json())
    again = load_toolset(shipped)
    assert again.name == "tools" and again.to_json() == toolset.to_json()
    assert all(e["type"] == "function" and isinstance(e["readOnly"], bool) for e in again.to_json())


def test_named_object_form_takes_its_name(tmp_path: Path) -> None:
    toolset = load_toolset(write(tmp_path, {"name": "shop", "tools": [entry()]}))
    assert toolset.name == "shop" and toolset.names == ["click"]


def test_sha256_changes_with_the_file(tmp_path: Path) -> None:
    first = load_toolset(write(tmp_path, [entry()], "a.json")).sha256
    second = load_toolset(write(tmp_path, [entry(description="Press an element.")], "b.json")).sha256
    assert first != second


def test_missing_read_only_defaults_to_false(tmp_path: Path) -> None:
    tool = load_toolset(write(tmp_path, [entry()])).tools[0]
    assert tool.read_only is False and tool.schema["readOnly"] is False


def test_parameters_are_normalized(tmp_path: Path) -> None:
    params = {"type": "object", "title": "Args", "additionalProperties": False,
              "properties": {"ref": {"type": "integer", "title": "Ref"}}}
    tool = load_toolset(write(tmp_path, [entry(parameters=params)])).tools[0]
    assert tool.parameters == {"type": "object", "properties": {"ref": {"type": "integer"}}, "required": []}
    assert tool.schema["function"]["parameters"] == tool.parameters


def test_tool_without_parameters_takes_none(tmp_path: Path) -> None:
    raw = {"type": "function", "function": {"name": "go_home", "description": "Go home."}}
    tool = load_toolset(write(tmp_path, [raw])).tools[0]
    assert tool.parameters == {"type": "object", "properties": {}, "required": []}


def test_missing_file(tmp_path: Path) -> None:
    message = load_error(tmp_path / "nope.json")
    assert "file not found" in message


def test_invalid_json_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "tools.json"
    path.write_text('[\n  {"type": "function",,}\n]', encoding="utf-8")
    assert "invalid JSON at line 2, column 23" in load_error(path)


def test_wrong_top_level_shape(tmp_path: Path) -> None:
    assert '"tools" is missing' in load_error(write(tmp_path, {"name": "x"}))
    assert "list of tools" in load_error(write(tmp_path, "click"))


def test_empty_toolset(tmp_path: Path) -> None:
    assert "has no tools" in load_error(write(tmp_path, []))


def test_duplicate_tool_names(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, [entry(), entry(description="Again.")]))
    assert "tool 'click'" in message and "defined twice" in message


@pytest.mark.parametrize("name", ["open-tab", "2fa", "", "click me"])
def test_tool_names_must_be_identifiers(tmp_path: Path, name: str) -> None:
    assert "must be an identifier" in load_error(write(tmp_path, [entry(name=name)]))


def test_property_names_must_be_identifiers(tmp_path: Path) -> None:
    params = {"type": "object", "properties": {"first-name": {"type": "string"}}}
    message = load_error(write(tmp_path, [entry(parameters=params)]))
    assert "tool 'click'" in message and "'first-name'" in message and "identifier" in message


@pytest.mark.parametrize("description", [None, "", "   "])
def test_tool_needs_a_description(tmp_path: Path, description: str | None) -> None:
    raw = entry()
    if description is None:
        del raw["function"]["description"]
    else:
        raw["function"]["description"] = description
    message = load_error(write(tmp_path, [raw]))
    assert "tool 'click'" in message and "description" in message


def test_unsupported_schema_type(tmp_path: Path) -> None:
    params = {"type": "object", "properties": {"when": {"type": "date"}}}
    message = load_error(write(tmp_path, [entry(parameters=params)]))
    assert "tool 'click'" in message and "property 'when'" in message and 'unsupported type "date"' in message


def test_nested_unsupported_type_names_its_place(tmp_path: Path) -> None:
    params = {"type": "object", "properties": {"rows": {"type": "array", "items": {"type": "null"}}}}
    message = load_error(write(tmp_path, [entry(parameters=params)]))
    assert "property 'rows' items: unsupported type" in message


def test_property_without_type(tmp_path: Path) -> None:
    params = {"type": "object", "properties": {"ref": {"description": "Ref"}}}
    assert "property 'ref' has no type" in load_error(write(tmp_path, [entry(parameters=params)]))


@pytest.mark.parametrize("params", [{"type": "string"}, ["ref"], {"properties": {}}])
def test_parameters_must_be_an_object_schema(tmp_path: Path, params: Any) -> None:
    assert 'parameters must be a JSON schema of "type": "object"' in load_error(
        write(tmp_path, [entry(parameters=params)]))


def test_required_must_name_known_properties(tmp_path: Path) -> None:
    params = {"type": "object", "properties": {"ref": {"type": "integer"}}, "required": ["ref", "element"]}
    message = load_error(write(tmp_path, [entry(parameters=params)]))
    assert "tool 'click'" in message and "unknown property 'element' (properties: ref)" in message


@pytest.mark.parametrize(("prop", "bad"), [
    ({"type": "string", "enum": ["up", 2]}, "2"),
    ({"type": "integer", "enum": [1, 2.5]}, "2.5"),
    ({"type": "boolean", "enum": [True, 0]}, "0"),
    ({"type": "integer", "enum": [1, True]}, "true"),
])
def test_enum_values_must_match_the_type(tmp_path: Path, prop: dict[str, Any], bad: str) -> None:
    params = {"type": "object", "properties": {"x": {**prop}}}
    message = load_error(write(tmp_path, [entry(parameters=params)]))
    assert f"enum value {bad} is not of type {prop['type']}" in message


def test_unsupported_schema_keyword(tmp_path: Path) -> None:
    params = {"type": "object", "properties": {"ref": {"type": "integer", "minimum": 1}}}
    assert "unsupported schema keyword 'minimum'" in load_error(write(tmp_path, [entry(parameters=params)]))


def test_open_objects_are_refused(tmp_path: Path) -> None:
    params = {"type": "object", "properties": {}, "additionalProperties": True}
    assert "additionalProperties must be false" in load_error(write(tmp_path, [entry(parameters=params)]))


def test_read_only_must_be_boolean(tmp_path: Path) -> None:
    assert "readOnly must be true or false" in load_error(write(tmp_path, [entry(readOnly="yes")]))


def test_entry_must_be_a_function(tmp_path: Path) -> None:
    assert 'type must be "function"' in load_error(write(tmp_path, [entry(type="retrieval")]))
    assert 'missing "function"' in load_error(write(tmp_path, [{"type": "function", "name": "click"}]))


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, [entry(description="x" * MAX_TOOLSET_BYTES)])
    assert f"the file is over {MAX_TOOLSET_BYTES:,} bytes" in load_error(path)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deep_nesting_is_refused_before_parsing(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "tools.json"
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")
    assert f"JSON nested more than {MAX_DEPTH} levels deep" in load_error(path)


def test_deep_schema_is_refused(tmp_path: Path) -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(MAX_DEPTH):
        schema = {"type": "array", "items": schema}
    params = {"type": "object", "properties": {"x": schema}}
    assert "nested more than" in load_error(write(tmp_path, [entry(parameters=params)]))


def test_brackets_inside_strings_are_not_nesting(tmp_path: Path) -> None:
    description = 'Click "[' + "[{" * MAX_DEPTH + '".'
    assert load_toolset(write(tmp_path, [entry(description=description)])).tools[0].description == description


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(tmp_path: Path, constant: str) -> None:
    path = write(tmp_path, [entry(parameters={"type": "object", "properties": {"x": {"type": "number"}}})])
    path.write_text(path.read_text().replace('"type": "number"', f'"type": "number", "enum": [{constant}]'))
    assert f"{constant} is not valid JSON" in load_error(path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"name": "a", "name": "b", "tools": []}', "name"),
        ('[{"function": {"name": "click", "description": "Click.", "name": "tap"}}]', "name"),
    ],
)
def test_duplicate_keys_are_refused(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "tools.json"
    path.write_text(text, encoding="utf-8")
    assert f'key "{key}" appears twice in one object' in load_error(path)


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "tools.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([entry()]).encode())
    assert load_toolset(path).names == ["click"]


def test_long_tool_description_is_refused(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, [entry(description="x" * (MAX_DESCRIPTION_CHARS + 1))]))
    assert f"tool 'click': description is {MAX_DESCRIPTION_CHARS + 1:,} characters" in message


def test_long_property_description_is_refused(tmp_path: Path) -> None:
    long = "x" * (MAX_DESCRIPTION_CHARS + 1)
    params = {"type": "object", "properties": {"ref": {"type": "integer", "description": long}}}
    message = load_error(write(tmp_path, [entry(parameters=params)]))
    assert "property 'ref': description is" in message and "over the limit" in message


def test_toolset_error_is_an_fgweb_error() -> None:
    assert issubclass(ToolsetError, FgwebError)
