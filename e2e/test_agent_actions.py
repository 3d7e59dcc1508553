"""The agent's act path on the tiny build, through its test seam `agent.runCompletion` (docs/runtime.md):
the calls of a given completion are checked and performed as `agent.run` would perform the model's, each
re-checked on the live page right before it runs, a sequence stopping at its first refusal; `confirm` and
`allowOrigins` are createAgent options. The model is loaded but not asked.

    nice python3 -m pytest -q e2e/test_agent_actions.py
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fgweb.page_eval import fulfill_harness
from fgweb.protocol import render_completion

pytestmark = pytest.mark.browser

PAGE = "__agent_actions.html"
PAGE_HTML = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>agent actions</title><script src="/fgweb.js"></script></head>
<body>
<main id="app"></main>
<template id="shop">
  <button id="edit" type="button">Edit</button>
  <button id="archive" type="button">Archive</button>
  <a id="help" href="https://example.com/help">Help centre</a>
  <a id="script" href="javascript:void document.body.append('script ran')">Run script</a>
  <form id="signup" action="/done" method="post">
    <label>Email <input id="email"></label>
    <button id="subscribe">Subscribe</button>
  </form>
  <button id="delete" type="button">Delete account</button>
  <p id="log">Log:</p>
</template>
<script>
  // reset(): the page as loaded, its handlers bound.
  window.reset = () => {
    const app = document.getElementById('app');
    app.replaceChildren(document.getElementById('shop').content.cloneNode(true));
    const $ = (id) => document.getElementById(id);
    const log = (what) => { $('log').textContent += ` ${what}`; };
    // "Edit" relabels the next button, as frameworks that reuse nodes do.
    $('edit').addEventListener('click', () => {
      log('edit');
      $('archive').textContent = 'Delete everything';
    });
    $('archive').addEventListener('click', () => log('archive'));
    $('delete').addEventListener('click', () => log('delete'));
    $('signup').addEventListener('submit', (e) => { e.preventDefault(); log('submit'); });
  };
  reset();
</script>
</body>
</html>
"""

# One agent for the module: it asks `window.answer` (true or false) and keeps what it was asked.
CREATE_AGENT_JS = """async () => {
  window.asked = [];
  window.answer = false;
  window.agent = await window.fgweb.createAgent({
    bundle: '/', backend: 'wasm', root: document.getElementById('app'), allowOrigins: ['https://example.com'],
    confirm: async (request) => { window.asked.push({name: request.name, reasons: request.reasons,
                                                     message: request.message}); return window.answer; },
  });
}"""

# Runs a completion through the seam; returns its calls and executed steps as plain data.
RUN_JS = """async ([completion, options]) => {
  const r = await window.agent.runCompletion(completion, options);
  return {
    calls: r.calls.map((c) => ({name: c.name, valid: c.valid, codes: c.issues.map((i) => i.code)})),
    executed: r.executed.map((e) => ({index: e.index, name: e.name, ok: e.ok, code: e.issue?.code ?? null,
                                      error: e.error ?? null})),
    asked: window.asked.splice(0),
  };
}"""


@pytest.fixture(scope="module")
def page(browser: Any, tiny_server: str) -> Iterator[Any]:
    """A page on the tiny bundle's origin with the agent loaded (`window.agent`)."""
    page = browser.new_page()
    page.route(tiny_server + PAGE, lambda route: fulfill_harness(route, PAGE_HTML))
    page.goto(tiny_server + PAGE)
    page.wait_for_function("() => window.fgweb !== undefined")
    page.evaluate(CREATE_AGENT_JS)
    yield page
    page.close()


@pytest.fixture
def fresh(page: Any) -> Any:
    """The module's page with its shop as loaded and the confirm answer false (the agent stays)."""
    page.evaluate("() => { reset(); window.answer = false; }")
    return page


def completion(page: Any, *calls: tuple[str, str, dict[str, Any]]) -> str:
    """The completion for (tool, element name, other arguments) calls, refs from a snapshot taken now."""
    refs = page.evaluate("""async () => {
      const { takeSnapshot } = await import('/src/snapshot.js');
      const { entries } = takeSnapshot(document.getElementById('app'));
      return Object.fromEntries(entries.map((e) => [e.name, e.ref]));
    }""")
    return render_completion([{"name": tool, "arguments": {"element": name, "ref": refs[name], **args}}
                              for tool, name, args in calls], None)


def run(page: Any, text: str, **options: Any) -> dict[str, Any]:
    return dict(page.evaluate(RUN_JS, [text, options]))


def log(page: Any) -> str:
    return str(page.text_content("#log"))


def test_run_completion_checks_and_performs_the_calls(fresh: Any) -> None:
    fresh.evaluate("() => { window.answer = true; }")
    r = run(fresh, completion(fresh, ("type_text", "Email", {"text": "ann@example.com"}),
                              ("click", "Subscribe", {})))
    assert [c["valid"] for c in r["calls"]] == [True, True]
    assert [(e["name"], e["ok"]) for e in r["executed"]] == [("type_text", True), ("click", True)]
    assert [a["reasons"] for a in r["asked"]] == [["submit"]]
    assert fresh.input_value("#email") == "ann@example.com" and log(fresh) == "Log: submit"


def test_a_sequence_stops_at_its_first_refusal(fresh: Any) -> None:
    # "Edit" relabels "Archive" to "Delete everything": the second call no longer means what it did.
    r = run(fresh, completion(fresh, ("click", "Edit", {}), ("click", "Archive", {}),
                              ("click", "Delete account", {})))
    assert [c["valid"] for c in r["calls"]] == [True, True, True]
    assert [(e["index"], e["ok"], e["code"]) for e in r["executed"]] == [
        (0, True, None), (1, False, "element_changed")]
    assert 'is now named "Delete everything"' in r["executed"][1]["error"]
    assert log(fresh) == "Log: edit" and r["asked"] == []


def test_confirm_refuses_and_allow_origins_reaches_a_listed_origin(fresh: Any, tiny_server: str) -> None:
    r = run(fresh, completion(fresh, ("click", "Help centre", {}), ("click", "Delete account", {})))
    assert r["calls"][0]["valid"]  # example.com is in allowOrigins
    assert r["executed"] == [{"index": 0, "name": "click", "ok": False, "code": "not_confirmed",
                              "error": 'click "Help centre": opens https://example.com/help: not confirmed, '
                                       "so nothing was done"}]
    assert [a["reasons"] for a in r["asked"]] == [["navigate"]]
    assert fresh.url == tiny_server + PAGE
    assert run(fresh, completion(fresh, ("click", "Run script", {})))["calls"][0]["codes"] == ["bad_url"]


def test_a_dry_run_asks_nothing(fresh: Any) -> None:
    r = run(fresh, completion(fresh, ("click", "Delete account", {})), execute=False)
    assert r["calls"][0]["valid"] and r["executed"] == [] and r["asked"] == []
    assert log(fresh) == "Log:"


@pytest.mark.parametrize(("options", "says"), [
    ("{allowOrigins: ['example.com']}", 'allowOrigins: "example.com" is not an http(s) origin'),
    ("{allowOrigins: ['javascript:alert(1)']}", "is not an http(s) origin"),
    ("{confirm: 'yes'}", "confirm must be a function"),
])
def test_create_agent_refuses_bad_options_before_loading(page: Any, options: str, says: str) -> None:
    error = page.evaluate(f"""async () => {{
      try {{ await window.fgweb.createAgent({{bundle: '/', backend: 'wasm', ...{options}}}); return null; }}
      catch (err) {{ return {{type: err.type, message: err.message}}; }}
    }}""")
    assert error is not None and error["type"] == "load_error" and says in error["message"], error
