"""`fgweb bench` (fgweb/bench.py) in headless Chromium on the tiny bundle's demo page.

    pytest e2e/test_bench_in_browser.py
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fgweb.bench import METRIC_KEYS, run_bench, write_html

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("needs_chromium")]


def test_bench_measures_loads_speeds_and_latency_on_the_demo_page(tiny_bundle: Path, tmp_path: Path) -> None:
    commands = tmp_path / "commands.txt"
    commands.write_text("# timed\ntick remember me\nopen the help page\nadd a todo to buy stamps\n")
    report = run_bench(tiny_bundle, ["wasm"], n=3, commands_path=commands, progress=False, max_new_tokens=8)
    wasm = report["backends"]["wasm"]
    assert "error" not in wasm, wasm
    assert set(METRIC_KEYS) <= set(wasm)
    assert wasm["n"] == 3 and wasm["backend"] == "wasm"
    assert wasm["load_ms"] > 0 and wasm["warm_load_ms"] > 0
    assert wasm["prefill_tps"] > 0 and wasm["decode_tps"] > 0
    assert 0 < wasm["p50_ms"] <= wasm["p95_ms"]
    assert [r["command"] for r in wasm["runs"]] == ["tick remember me", "open the help page",
                                                     "add a todo to buy stamps"]
    assert all(r["generated_tokens"] <= 8 for r in wasm["runs"])
    # Model steps beside generated tokens: never more than one per token after the first.
    assert all(0 <= r["model_steps"] <= r["generated_tokens"] - 1 for r in wasm["runs"])
    assert wasm["mean_model_steps"] is not None
    # The tiny bundle's build eval gives the python onnxruntime references.
    ref = report["references"]["onnxruntime-cpu-int8"]
    assert set(METRIC_KEYS) <= set(ref) and ref["p50_ms"] > 0
    json.dumps(report)  # the --json file

    out = tmp_path / "report" / "bench.html"
    write_html(report, out)
    page = out.read_text()
    assert page.count("<svg") == 4 and "open the help page" in page


def test_bench_reports_a_backend_that_cannot_run(tiny_bundle: Path, tmp_path: Path) -> None:
    """An artifact the bundle lacks cannot load: it comes back as that backend's error, not a crash."""
    report = run_bench(tiny_bundle, ["wasm"], n=1, artifact="no-such-artifact", progress=False)
    wasm = report["backends"]["wasm"]
    assert wasm["n"] == 0 and "no-such-artifact" in wasm["error"]


def test_navigation_guard_keeps_the_demo_page_open(tiny_bundle: Path) -> None:
    """What an executed click on a link, or a navigate call, does to the page: the bench's guard cancels
    every navigation that would unload the agent, and lets hash links scroll."""
    from playwright.sync_api import sync_playwright

    from fgweb.bench import NAVIGATION_GUARD_JS
    from fgweb.browser import launch
    from fgweb.page_eval import served_bundle

    with served_bundle(tiny_bundle) as base_url, sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context()
            context.add_init_script(NAVIGATION_GUARD_JS)
            page = context.new_page()
            page.goto(base_url + "index.html")
            page.evaluate("() => { window.__marker = 1; }")
            # As executeCall does it: DOM clicks and location changes from the page's own script.
            page.evaluate("() => { document.querySelector(\"a[href='help.html']\").click(); }")
            page.evaluate("() => { location.href = '/help.html'; }")
            page.evaluate("() => { document.querySelector('#signin-form').submit(); }")
            page.evaluate("() => { document.querySelector(\"a[href='#orders']\").click(); }")
            page.wait_for_timeout(500)
            assert page.evaluate("() => window.__marker") == 1, "the page was unloaded"
            assert page.url == base_url + "index.html#orders"
        finally:
            browser.close()
