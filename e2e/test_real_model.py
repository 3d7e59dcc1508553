"""The demo page with the real 270M model: typed commands change the page as a user asked.

Runs only when FGWEB_REAL_BUNDLE names a bundle of the real model (for example after `fgweb build`:
`FGWEB_REAL_BUNDLE=export/default python3 -m pytest -m real_model e2e/test_real_model.py -s`;
FGWEB_REAL_ARTIFACT=body picks another artifact than the bundle's default). It
takes minutes on WASM, so CI, which builds only the tiny model, skips it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.real_model]

# (command, JS expression over the page that is true once the command has done what was asked)
COMMANDS: list[tuple[str, str]] = [
    ("sign in as ann@example.com with password hunter2",
     "email.value === 'ann@example.com' && password.value === 'hunter2'"
     " && document.querySelector('#signin-status').textContent.includes('ann@example.com')"),
    ("add a todo to buy stamps",
     "[...document.querySelectorAll('#todo-list li')].some((li) => li.textContent.includes('buy stamps'))"),
    ("tick express delivery", "document.querySelector('#express').checked"),
    ("choose Germany as the country", "document.querySelector('#ship-country').value === 'Germany'"),
    ("type Paris in the city field", "document.querySelector('#ship-city').value === 'Paris'"),
    ("enter 75001 as the postcode", "document.querySelector('#ship-postcode').value === '75001'"),
    ("tick gift wrap", "document.querySelector('#gift-wrap').checked"),
    ("put Ann Lee as the full name", "document.querySelector('#ship-name').value === 'Ann Lee'"),
    ("set the street to 12 Rue de Rivoli",
     "document.querySelector('#ship-street').value === '12 Rue de Rivoli'"),
    ("tick remember me", "document.querySelector('#remember').checked"),
    ("what is the status of order #1002?",
     "window.__last.executed.some((e) => e.name === 'read_text' && String(e.result).includes('Pending'))"),
    ("open the help page", "location.pathname.endsWith('/help.html')"),
]


@pytest.fixture(scope="module")
def real_bundle() -> Path:
    path = os.environ.get("FGWEB_REAL_BUNDLE")
    if not path:
        pytest.skip("set FGWEB_REAL_BUNDLE to a bundle of the real model (e.g. export/default)")
    bundle = Path(path)
    manifest = json.loads((bundle / "manifest.json").read_text())
    if manifest.get("preset") == "tiny":
        pytest.skip(f"{bundle} is a tiny build: this test needs the real model")
    return bundle


def test_demo_commands_change_the_page_as_asked(browser: Any, real_bundle: Path) -> None:
    from fgweb.server import open_server

    server = open_server(real_bundle, port=0).start()
    page = browser.new_page()
    results: list[dict[str, Any]] = []
    artifact = os.environ.get("FGWEB_REAL_ARTIFACT")  # e.g. body; default: the bundle's default
    demo_url = server.url + "?backend=wasm" + (f"&artifact={artifact}" if artifact else "")

    def open_demo() -> None:
        page.goto(demo_url)
        page.wait_for_function("['ready', 'error'].includes(document.body.dataset.state)", timeout=600_000)
        assert page.evaluate("document.body.dataset.state") == "ready", page.inner_text("#error")

    def check(done: str) -> bool:
        page.wait_for_load_state()
        return bool(page.evaluate("() => { const email = document.querySelector('#email'); "
                                  "const password = document.querySelector('#password'); "
                                  f"try {{ return {done}; }} catch {{ return false; }} }}"))

    try:
        open_demo()
        for command, done in COMMANDS:
            try:
                r = page.evaluate(
                    """async (c) => {
                      window.__last = await window.demo.run(c);
                      const r = window.__last;
                      const calls = r.calls.map((x) => ({ name: x.name, args: x.arguments, ok: x.valid }));
                      return { calls, executed: r.executed, ms: r.timings.totalMs };
                    }""",
                    command,
                )
                ok = check(done)
            except Exception:  # an executed call left the page (a link or navigate) mid-evaluate
                r = {"calls": "(the page navigated)", "executed": [], "ms": float("nan")}
                ok = check(done)
            results.append({"command": command, "ok": ok, **r})
            print(("OK  " if ok else "BAD ") + f"{r['ms']:7.0f} ms  {command!r} -> {r['calls']}", flush=True)
            if not page.url.startswith(demo_url):  # the command (rightly or not) left the demo: go back
                open_demo()
    finally:
        page.close()
        server.stop()
    right = sum(r["ok"] for r in results)
    assert right >= 10, f"only {right} of {len(results)} commands did what was asked"
