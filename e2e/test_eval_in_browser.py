"""`fgweb eval --cases FILE --backend wasm` (fgweb/page_eval.py) in headless Chromium on the tiny bundle.

The tiny model's output is random but deterministic, so the accuracy tests compute a case's expectation
from what the model emitted in a first run, then check that a second run scores it right and a wrong
expectation wrong. Element targeting is checked on given completions that go through the runtime's real
parser and validation (agent.runCompletion, the runtime's test seam: the model is not asked).

    pytest e2e/test_eval_in_browser.py
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fgweb.errors import FgwebError
from fgweb.page_eval import (
    DEMO_CASES,
    LOOSE_TOOLS,
    Case,
    CaseResult,
    PageAgent,
    evaluate_cases,
    load_cases,
    open_harness,
    score_case,
)
from fgweb.tools import builtin_toolset

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("needs_chromium")]

MAX_NEW_TOKENS = 12  # the tiny model's words are noise: a few tokens say as much as 96

SIGNIN = (
    '<form><label>Email <input id="email" type="email"></label>'
    '<label>Password <input id="password" type="password"></label>'
    '<label><input id="remember" type="checkbox"> Remember me</label>'
    '<button id="go" type="submit">Sign in</button> <a id="forgot" href="/reset">Forgot password?</a></form>'
)
ORDERS = (
    "<h2>Orders</h2><table><tr><th>Order</th><th>Status</th></tr>"
    '<tr><td>#1002</td><td id="status">Pending</td></tr></table>'
    '<p id="note"><span id="inner">Returns are free</span></p>'
)
DOCUMENTED_KEYS = {"n", "exact", "tool", "args", "valid", "cases"}
CASE_KEYS = {"id", "ok", "calls", "ms"}


def write_cases(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def expectation_from(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Returns the case-file form of produced calls: the element as the CSS selector of its target."""
    out = []
    for call in calls:
        args = {k: v for k, v in call["arguments"].items() if k not in ("element", "ref")}
        if call.get("target"):
            args["element"] = call["target"]
        out.append({"name": call["name"], "arguments": args})
    return out


def test_eval_cases_scores_what_the_tiny_model_emits(tiny_bundle: Path, tmp_path: Path) -> None:
    first = [
        {
            "id": "signin",
            "html": SIGNIN,
            "command": "click sign in",
            "expected": [{"name": "click", "arguments": {"element": "#go"}}],
        },
        {
            "id": "status",
            "html": ORDERS,
            "command": "what is the status of order #1002?",
            "expected": [{"name": "read_text", "arguments": {"element": "#status"}}],
        },
        {"id": "nothing", "html": SIGNIN, "command": "hello there", "expected": []},
    ]
    report = evaluate_cases(
        tiny_bundle,
        write_cases(tmp_path / "first.jsonl", first),
        backend="wasm",
        progress=False,
        max_new_tokens=MAX_NEW_TOKENS,
    )
    assert DOCUMENTED_KEYS <= set(report)
    assert report["n"] == 3 and report["backend"] == "wasm" and report["load_ms"] > 0
    for key in ("exact", "tool"):
        assert 0.0 <= report[key] <= 1.0
    assert [c["id"] for c in report["cases"]] == ["signin", "status", "nothing"]
    for case in report["cases"]:
        assert CASE_KEYS <= set(case) and case["ms"] > 0 and isinstance(case["calls"], list)
        assert case["timings"].get("promptTokens", 0) > 0
        assert case["expected"] == next(r["expected"] for r in first if r["id"] == case["id"])

    # A completion that does not parse is never right, whatever is expected: use one that parses.
    usable = [
        c
        for c in report["cases"]
        if (c["parse_error"] or {}).get("code") in (None, "empty")
        and all(call["valid"] for call in c["calls"])
    ]
    assert usable, f"every tiny-model output was broken: {[c['completion'] for c in report['cases']]}"
    seen = usable[0]
    source = next(r for r in first if r["id"] == seen["id"])
    computed = expectation_from(seen["calls"])
    wrong = (
        []
        if computed
        else [{"name": "click", "arguments": {"element": "#go" if source["html"] == SIGNIN else "#status"}}]
    )
    second = [
        {**source, "id": "computed", "expected": computed},
        {**source, "id": "wrong", "expected": wrong},
    ]
    again = evaluate_cases(
        tiny_bundle,
        write_cases(tmp_path / "second.jsonl", second),
        backend="wasm",
        progress=False,
        max_new_tokens=MAX_NEW_TOKENS,
    )
    by_id = {c["id"]: c for c in again["cases"]}
    assert by_id["computed"]["completion"] == seen["completion"], "the tiny model is not deterministic"
    assert by_id["computed"]["ok"] is True
    assert by_id["wrong"]["ok"] is False
    assert again["exact"] == 0.5


def test_eval_refuses_a_selector_that_matches_nothing(tiny_bundle: Path, tmp_path: Path) -> None:
    path = write_cases(
        tmp_path / "bad.jsonl",
        [
            {"html": SIGNIN, "command": "click sign in", "expected": []},
            {
                "html": SIGNIN,
                "command": "click sign in",
                "expected": [{"name": "click", "arguments": {"element": "#nope"}}],
            },
        ],
    )
    with pytest.raises(FgwebError, match=r"bad\.jsonl:2: selector '#nope' matches nothing"):
        evaluate_cases(tiny_bundle, path, backend="wasm", progress=False)


CALL = "<start_function_call>call:{name}{{{args}}}<end_function_call>"


def esc(text: str) -> str:
    return f"<escape>{text}<escape>"


@pytest.fixture(scope="module")
def agent(tiny_bundle: Path) -> Iterator[PageAgent]:
    """An agent in the harness page (its cases are run on given completions: see `scripted`)."""
    with open_harness(tiny_bundle) as harness:
        yield harness.create_agent("wasm", max_new_tokens=4)


def scripted(agent: PageAgent, case: Case, completion: str) -> CaseResult:
    """Runs a case as `fgweb eval` does, the model's completion replaced by `completion`; returns its
    score."""
    return score_case(case, agent.run_case(case, completion), agent.url)


def make(html: str, expected: list[dict[str, Any]], accept: list[list[dict[str, Any]]] | None = None) -> Case:
    return Case(id="c", html=html, command="do it", expected=expected, accept=accept or [], line=1)


def test_scripted_calls_are_resolved_to_their_elements(agent: PageAgent) -> None:
    case = make(
        SIGNIN,
        [
            {"name": "type_text", "arguments": {"element": "#email", "text": "ann@example.com"}},
            {"name": "click", "arguments": {"element": "#go"}},
        ],
    )
    right = CALL.format(
        name="type_text", args=f"element:{esc('Email')},ref:1,text:{esc('ann@example.com')}"
    ) + CALL.format(name="click", args=f"element:{esc('Sign in')},ref:4")
    r = scripted(agent, case, right)
    assert r.ok, r
    assert [c["target"] for c in r.calls] == ["#email", "#go"]
    assert r.calls[0]["matches"] == {"#email": "same"}

    other_button = CALL.format(
        name="type_text", args=f"element:{esc('Email')},ref:1,text:{esc('ann@example.com')}"
    ) + CALL.format(name="click", args=f"element:{esc('Forgot password?')},ref:5")
    r = scripted(agent, case, other_button)
    assert not r.ok and r.tool_ok and r.args_matched == 1 and r.calls[1]["target"] == "#forgot"


def test_a_call_whose_name_and_ref_disagree_is_invalid_and_wrong(agent: PageAgent) -> None:
    case = make(SIGNIN, [{"name": "click", "arguments": {"element": "#go"}}])
    r = scripted(agent, case, CALL.format(name="click", args=f"element:{esc('Sign in')},ref:3"))
    assert not r.ok and r.valid_calls == 0 and r.n_calls == 1 and r.error


def test_read_text_accepts_the_wrapping_text_element(agent: PageAgent) -> None:
    assert "read_text" in LOOSE_TOOLS
    # The snapshot lists the <p> (ref 6); the case names the <span> inside it, with the same text.
    case = make(ORDERS, [{"name": "read_text", "arguments": {"element": "#inner"}}])
    r = scripted(agent, case, CALL.format(name="read_text", args=f"element:{esc('Returns are free')},ref:6"))
    assert r.calls[0]["matches"].get("#inner") == "text", r.calls
    assert r.ok
    click = make(ORDERS, [{"name": "click", "arguments": {"element": "#inner"}}])
    assert not scripted(
        agent, click, CALL.format(name="click", args=f"element:{esc('Returns are free')},ref:6")
    ).ok


def test_navigate_to_the_link_href_is_an_accepted_alternative(agent: PageAgent) -> None:
    case = make(
        SIGNIN,
        [{"name": "click", "arguments": {"element": "#forgot"}}],
        [[{"name": "navigate", "arguments": {"url": "/reset"}}]],
    )
    assert scripted(agent, case, CALL.format(name="navigate", args=f"url:{esc('/reset')}")).ok
    assert not scripted(agent, case, CALL.format(name="navigate", args=f"url:{esc('/orders')}")).ok


def test_words_instead_of_calls(agent: PageAgent) -> None:
    assert scripted(agent, make(SIGNIN, []), "I can only act on this page.<end_of_turn>").ok
    assert not scripted(agent, make(SIGNIN, [{"name": "click", "arguments": {"element": "#go"}}]), "Sure.").ok


_LISTED_JS = """async ([html, selectors]) => {
              const { takeSnapshot } = await import('/src/snapshot.js');  // the bundle's copy of web/src
              const box = document.createElement('div');
              document.body.append(box);
              box.innerHTML = html;
              const snap = takeSnapshot(box);
              const norm = (el) => (el.textContent || '').replace(/\\s+/g, ' ').trim();
              const found = selectors.map((s) => {
                const el = box.querySelector(s);
                if (!el) return 'none';
                if (snap.entries.some((e) => e.element === el)) return 'same';
                return snap.entries.some((e) => (e.element.contains(el) || el.contains(e.element))
                  && norm(e.element) === norm(el)) ? 'text' : 'none';
              });
              box.remove();
              return found;
            }"""

REAL_PAGES = Path(__file__).resolve().parent.parent / "tests" / "eval" / "real_pages.jsonl"
# Held-out cases whose answer is not a line of its own in the snapshot: the answer sits inside a longer
# line (a link, a paragraph), or the 40-line budget leaves it out. A perfect model still misses them.
KNOWN_UNREACHABLE = frozenset({
    "d-social-follower-count", "a-mail-storage", "a-shop-shoe-price", "d-music-length-lisboa",
    "c-estate-list-elm-beds", "a-bank-monique", "b-admin-last-active", "b-set-email-read",
    "c-cal-arts-pottery-time", "d-kanban-who-login", "a-mail-tick-grace-lunch", "d-gov-fee",
    "c-news-tram-updated", "a-fl-res-easyjet", "d-car-fiat-price", "b-chat-inj-time", "c-rest-pizza-fee",
})


def _listed(agent: PageAgent, case: Case) -> dict[str, str]:
    """How each selector of a case relates to the snapshot's lines: 'same' (a line's element), 'text' (a
    line's ancestor or descendant with the same text) or 'none'."""
    found = agent.page.evaluate(_LISTED_JS, [case.html, case.selectors])
    return dict(zip(case.selectors, found, strict=True))


def _reachable(case: Case, listed: dict[str, str]) -> bool:
    """Whether some right call list names only elements the snapshot lists (loosely for read and scroll)."""
    return any(
        all(
            "element" not in call["arguments"]
            or listed[call["arguments"]["element"]] == "same"
            or (listed[call["arguments"]["element"]] == "text" and call["name"] in LOOSE_TOOLS)
            for call in calls
        )
        for calls in case.alternatives
    )


def test_demo_cases_target_snapshot_entries(agent: PageAgent) -> None:
    """Every selector of the packaged demo cases names an element that the snapshot lists (for read_text
    and scroll: one inside or around a listed element with the same text), so a perfect model can score
    100%."""
    cases = load_cases(DEMO_CASES, builtin_toolset())
    missing = []
    for case in cases:
        loose = {
            call["arguments"].get("element")
            for alt in case.alternatives
            for call in alt
            if call["name"] in LOOSE_TOOLS
        }
        for selector, how in _listed(agent, case).items():
            if how == "none" or (how == "text" and selector not in loose):
                missing.append(f"{case.id}: {selector} ({how})")
    assert not missing, missing


def test_held_out_cases_a_perfect_model_can_get_right(agent: PageAgent) -> None:
    """The hand-written held-out set: every case but the known gaps names elements the snapshot lists."""
    cases = load_cases(REAL_PAGES, builtin_toolset())
    unreachable = {c.id for c in cases if not _reachable(c, _listed(agent, c))}
    assert unreachable <= KNOWN_UNREACHABLE, sorted(unreachable - KNOWN_UNREACHABLE)
    assert len(cases) - len(unreachable) >= 300
