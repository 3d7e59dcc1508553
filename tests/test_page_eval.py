"""Case files and scoring of `fgweb eval --cases` (fgweb/page_eval.py): everything that runs in Python,
without a browser (e2e/test_eval_in_browser.py runs it in Chromium)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from fgweb.cli import main
from fgweb.errors import FgwebError
from fgweb.page_eval import (
    DEMO_CASES,
    Case,
    CaseResult,
    args_match,
    is_page_case_file,
    load_cases,
    parse_case,
    percentile,
    score_case,
    summarize,
    summarize_by_tag,
)
from fgweb.tools import builtin_toolset

TOOLS = builtin_toolset()
BASE = "http://127.0.0.1:8123/__fgweb_case.html"

GOOD = {
    "id": "signin",
    "html": '<input id="email" aria-label="Email"><button id="go">Sign in</button>',
    "command": "sign in as ann@example.com",
    "expected": [
        {"name": "type_text", "arguments": {"element": "#email", "text": "ann@example.com"}},
        {"name": "click", "arguments": {"element": "#go"}},
    ],
}


def write_cases(tmp_path: Path, *records: Any) -> Path:
    path = tmp_path / "cases.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bad_case_message(tmp_path: Path, record: Any) -> str:
    path = write_cases(tmp_path, GOOD, record)
    with pytest.raises(FgwebError) as info:
        load_cases(path, TOOLS)
    return str(info.value)


# ---------------------------------------------------------------------------------------------- case files


def test_load_cases_reads_calls_and_defaults_the_id_to_the_line(tmp_path: Path) -> None:
    no_id = {k: v for k, v in GOOD.items() if k != "id"}
    path = write_cases(tmp_path, GOOD, "", no_id)
    cases = load_cases(path, TOOLS)
    assert [c.id for c in cases] == ["signin", "case-3"]
    assert cases[1].line == 3
    assert cases[0].expected[1] == {"name": "click", "arguments": {"element": "#go"}}
    assert cases[0].selectors == ["#email", "#go"]


def test_case_file_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    message = bad_case_message(tmp_path, '{"html": "<p>x</p>", "command": ')
    assert ":2:" in message and "not valid JSON" in message


def test_case_without_a_command_says_which_key_is_missing(tmp_path: Path) -> None:
    message = bad_case_message(tmp_path, {"html": "<p>x</p>", "expected": []})
    assert ":2:" in message and 'missing key "command"' in message


def test_case_calling_an_unknown_tool_names_the_tool_and_the_known_ones(tmp_path: Path) -> None:
    record = {**GOOD, "id": "b", "expected": [{"name": "hover", "arguments": {"element": "#go"}}]}
    message = bad_case_message(tmp_path, record)
    assert ":2:" in message and "unknown tool 'hover'" in message and "click" in message


def test_case_giving_a_ref_is_refused(tmp_path: Path) -> None:
    record = {**GOOD, "id": "b", "expected": [{"name": "click", "arguments": {"element": "#go", "ref": 2}}]}
    assert "leave it out" in bad_case_message(tmp_path, record)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        ({"name": "click", "arguments": {"element": "#go", "force": True}}, "no argument 'force'"),
        ({"name": "set_checked", "arguments": {"element": "#c", "checked": "yes"}}, "does not fit"),
        ({"name": "scroll", "arguments": {"direction": "sideways"}}, "does not fit"),
        ({"name": "type_text", "arguments": {"element": "#email"}}, "lacks the required argument 'text'"),
        ({"name": "click", "arguments": {"element": ""}}, "CSS selector"),
        ({"name": "click", "arguments": {"element": "#go"}, "ref": 1}, "unknown key 'ref'"),
        ("click #go", "must be an object"),
    ],
)
def test_case_with_a_bad_call_says_what_is_wrong(tmp_path: Path, call: Any, words: str) -> None:
    message = bad_case_message(tmp_path, {**GOOD, "id": "b", "expected": [call]})
    assert ":2:" in message and "expected[0]" in message and words in message


def test_bad_accept_alternative_is_located(tmp_path: Path) -> None:
    record = {**GOOD, "id": "b", "accept": [[{"name": "navigate", "arguments": {}}]]}
    message = bad_case_message(tmp_path, record)
    assert "accept[0][0]" in message and "'url'" in message


def test_unknown_case_key_and_duplicate_id_are_refused(tmp_path: Path) -> None:
    assert "unknown key 'expect'" in bad_case_message(tmp_path, {**GOOD, "id": "b", "expect": []})
    message = bad_case_message(tmp_path, GOOD)
    assert ":2:" in message and "already used on line 1" in message


def test_empty_and_missing_case_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(FgwebError, match="holds no cases"):
        load_cases(tmp_path / "empty.jsonl", TOOLS)
    with pytest.raises(FgwebError, match="no such file"):
        load_cases(tmp_path / "nope.jsonl", TOOLS)


def test_demo_cases_cover_the_demo_sections_and_kinds_of_answer() -> None:
    cases = load_cases(DEMO_CASES, TOOLS)
    assert len(cases) >= 30
    prefixes = {c.id.split("-")[0] for c in cases}
    assert {"signin", "shipping", "todos", "orders", "menu", "scroll", "demo"} <= prefixes
    assert any(not c.expected for c in cases), "no-call cases"
    assert any(len(c.expected) >= 3 for c in cases), "multi-call cases"
    assert any(c.expected and c.expected[0]["name"] == "read_text" for c in cases)
    assert any(any(alt[0]["name"] == "navigate" for alt in c.accept if alt) for c in cases)
    tools = {call["name"] for c in cases for call in c.expected}
    assert tools == set(TOOLS.names)


def test_cli_eval_with_a_bad_case_file_fails_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    assert TOOLS.path is not None
    shutil.copy(TOOLS.path, bundle / "toolset.json")
    cases = write_cases(tmp_path, GOOD, {"html": "<p>x</p>"})
    code = main(["eval", "--bundle", str(bundle), "--backend", "wasm", "--cases", str(cases)])
    err = capsys.readouterr().err
    assert code == 1
    assert "error:" in err and ":2:" in err and "missing key" in err


# ---------------------------------------------------------------------------------------------- scoring


def case(expected: list[dict[str, Any]], accept: list[list[dict[str, Any]]] | None = None) -> Case:
    return Case(id="c", html="<p>x</p>", command="do it", expected=expected, accept=accept or [], line=1)


def call(name: str, matches: dict[str, str] | None = None, valid: bool = True, **args: Any) -> dict[str, Any]:
    """A produced call as the page reports it (element/ref present when the model targeted one)."""
    return {
        "name": name,
        "arguments": args,
        "ref": args.get("ref"),
        "valid": valid,
        "issues": [],
        "target": None,
        "matches": matches or {},
    }


def want(name: str, **args: Any) -> dict[str, Any]:
    return {"name": name, "arguments": args}


def test_exact_match_needs_the_same_element_and_arguments() -> None:
    c = case([want("type_text", element="#email", text="ann@example.com"), want("click", element="#go")])
    right = [
        call("type_text", {"#email": "same"}, element="Email", ref=1, text=" ann@example.com "),
        call("click", {"#go": "same"}, element="Sign in", ref=2),
    ]
    r = score_case(c, {"calls": right, "ms": 12.34}, BASE)
    assert r.ok and r.tool_ok and (r.args_matched, r.args_expected) == (2, 2) and r.ms == 12.3
    wrong_target = [right[0], call("click", {}, element="Help", ref=3)]
    r = score_case(c, {"calls": wrong_target}, BASE)
    assert not r.ok and r.tool_ok and r.args_matched == 1
    wrong_text = [
        call("type_text", {"#email": "same"}, element="Email", ref=1, text="ann@example.org"),
        right[1],
    ]
    assert not score_case(c, {"calls": wrong_text}, BASE).ok
    assert not score_case(c, {"calls": right[:1]}, BASE).ok


def test_related_element_with_the_same_text_counts_only_for_read_text_and_scroll() -> None:
    read = case([want("read_text", element="#total")])
    assert score_case(read, {"calls": [call("read_text", {"#total": "text"}, element="€18", ref=4)]}).ok
    click = case([want("click", element="#go")])
    assert not score_case(click, {"calls": [call("click", {"#go": "text"}, element="Go", ref=4)]}).ok


def test_accepted_alternative_counts_as_right() -> None:
    c = case([want("click", element="#help")], [[want("navigate", url="/help.html")]])
    produced = [call("navigate", url="http://127.0.0.1:8123/help.html")]
    r = score_case(c, {"calls": produced}, BASE)
    assert r.ok and r.tool_ok and (r.args_matched, r.args_expected) == (1, 1)
    relative = [call("navigate", url="help.html")]
    assert score_case(c, {"calls": relative}, BASE).ok
    other = [call("navigate", url="/orders")]
    assert not score_case(c, {"calls": other}, BASE).ok


def test_invalid_call_is_never_right_even_when_it_matches() -> None:
    c = case([want("click", element="#go")])
    r = score_case(c, {"calls": [call("click", {"#go": "same"}, valid=False, element="Og", ref=2)]})
    assert not r.ok and r.valid_calls == 0 and r.n_calls == 1 and r.args_matched == 1


def test_no_call_expected() -> None:
    c = case([])
    assert score_case(c, {"calls": [], "text": "I cannot do that."}).ok
    assert score_case(c, {"calls": [], "parseError": {"code": "empty", "message": "nothing"}}).ok
    broken = score_case(c, {"calls": [], "parseError": {"code": "truncated", "message": "cut"}})
    assert (
        not broken.ok and not broken.tool_ok and broken.n_calls == 1 and "truncated" in (broken.error or "")
    )
    acted = score_case(c, {"calls": [call("click", {}, element="Go", ref=1)]})
    assert not acted.ok and not acted.tool_ok


def test_page_scroll_is_not_an_element_scroll() -> None:
    c = case([want("scroll", direction="down")])
    assert score_case(c, {"calls": [call("scroll", direction="down")]}).ok
    assert not score_case(c, {"calls": [call("scroll", {}, direction="down", element="Messages", ref=3)]}).ok


def test_values_compare_by_json_type() -> None:
    assert args_match(want("set_checked", checked=True), call("set_checked", checked=True))
    assert not args_match(want("set_checked", checked=True), call("set_checked", checked=1))
    assert args_match(want("x", count=2), call("x", count=2.0))
    assert not args_match(want("x", word="a"), call("x", word="a", extra="b"))


def test_first_call_tool_name_decides_tool() -> None:
    c = case([want("type_text", element="#e", text="a"), want("click", element="#go")])
    r = score_case(c, {"calls": [call("type_text", {}, element="X", ref=9, text="b")]})
    assert r.tool_ok and not r.ok and r.args_matched == 0


def test_failed_run_is_reported_as_an_error() -> None:
    r = score_case(case([]), {"error": "generation_error: out of memory", "ms": 5})
    assert not r.ok and r.error == "generation_error: out of memory" and r.n_calls == 1


def test_summarize_gives_fractions_and_latency() -> None:
    c = case([want("click", element="#go")])
    good = score_case(c, {"calls": [call("click", {"#go": "same"}, element="Go", ref=1)], "ms": 100})
    bad = score_case(c, {"calls": [call("read_text", {}, valid=False, element="Hi", ref=2)], "ms": 300})
    none = score_case(case([]), {"calls": [], "ms": 200})
    s = summarize([good, bad, none])
    assert s["n"] == 3
    assert s["exact"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["tool"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["args"] == 0.5  # 1 of the 2 expected calls
    assert s["valid"] == 0.5  # 1 of the 2 produced calls
    assert (s["p50_ms"], s["p95_ms"]) == (200.0, 290.0)
    assert summarize([none])["valid"] is None and summarize([none])["args"] is None


def test_percentile_interpolates() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 21)), 95) == pytest.approx(19.05)


def test_cli_eval_python_backend_points_page_cases_to_the_browser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["eval", "--bundle", str(tmp_path), "--cases", str(DEMO_CASES)])
    err = capsys.readouterr().err
    assert code == 1 and "--backend wasm" in err and "page cases" in err


def test_page_case_files_are_told_from_dataset_files(tmp_path: Path) -> None:
    page = tmp_path / "page.jsonl"
    page.write_text(json.dumps({"html": "<p>x</p>", "command": "c", "expected": []}) + "\n")
    dataset = tmp_path / "eval.jsonl"  # dataset records carry their html too, beside the snapshot
    record = {"html": "<p>x</p>", "snapshot": 'text "x"', "command": "c", "calls": []}
    dataset.write_text(json.dumps(record) + "\n")
    assert is_page_case_file(page) and not is_page_case_file(dataset)


def test_scores_are_given_per_tag_per_tool_and_for_no_call_cases() -> None:
    click = {"name": "click", "arguments": {"element": "#b"}}
    results = [
        CaseResult(id="a", ok=True, calls=[], expected=[click], ms=1.0, tool_ok=True, tags=["unasked"]),
        CaseResult(id="b", ok=False, calls=[], expected=[], ms=1.0, tags=["unasked", "out-of-scope"]),
    ]
    by_tag = summarize_by_tag(results)
    assert set(by_tag) == {"unasked", "out-of-scope", "tool:click", "no call"}
    assert by_tag["unasked"]["n"] == 2 and by_tag["unasked"]["exact"] == 0.5
    assert by_tag["no call"]["exact"] == 0.0 and by_tag["tool:click"]["exact"] == 1.0


def test_tags_must_be_a_list_of_strings() -> None:
    record = {"html": "<p>x</p>", "command": "c", "expected": [], "tags": ["site:mail", "read"]}
    assert parse_case(record, builtin_toolset()).tags == ["site:mail", "read"]
    with pytest.raises(FgwebError, match="tags"):
        parse_case({**record, "tags": "read"}, builtin_toolset())
