"""The demo page (web/demo/) and the service worker (web/sw.js) in headless Chromium, on a tiny bundle.

The bundle is the session's tiny build (conftest.py's `tiny_bundle`: seconds when the build cache is
warm), served by `fgweb.server.open_server` on a free port. The tiny model's output is
random but deterministic, so the tests check the log's structure and that what the page says it executed
is what the agent executed, never a particular action; other tests give the model's output instead
(agent.runCompletion, through `window.demo.run`), to follow known calls through validation, the
confirmation dialog, execution and the log.

    pytest e2e/test_demo.py
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fgweb.server import DevServer, open_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
MODEL = "models/model.body.onnx"  # the graph of the default artifact (body)
LOAD_TIMEOUT_MS = 90_000
RUN_TIMEOUT_MS = 60_000
COMMAND = "sign in as ann@example.com with password hunter2"

# agent.run's last result as plain data (calls[].element is a DOM element: its value/checked instead).
LAST_RESULT_JS = """() => {
  const r = window.demo.results.at(-1);
  return {
    command: r.command, snapshot: r.snapshot, text: r.text, parseError: r.parseError, timings: r.timings,
    backend: r.backend, executed: r.executed,
    calls: r.calls.map((c) => ({
      name: c.name, arguments: c.arguments, ref: c.ref, valid: c.valid, issues: c.issues,
      connected: c.element ? c.element.isConnected : null,
      value: c.element && 'value' in c.element ? c.element.value : null,
      checked: c.element && 'checked' in c.element ? c.element.checked : null,
    })),
  };
}"""

# One log entry as the page shows it.
LOG_ENTRY_JS = """(entry) => ({
  status: entry.dataset.status,
  command: entry.querySelector('.entry-command').textContent,
  calls: [...entry.querySelectorAll('.call')].map((c) => ({
    index: Number(c.dataset.index), name: c.dataset.name, valid: c.dataset.valid === 'true',
    text: c.querySelector('.call-text').textContent,
    issues: [...c.querySelectorAll('.issue')].map((i) => i.textContent),
  })),
  executed: [...entry.querySelectorAll('.exec')].map((e) => ({
    index: Number(e.dataset.index), name: e.dataset.name, ok: e.dataset.ok === 'true',
    result: e.querySelector('.exec-result')?.textContent ?? null,
  })),
  parseError: entry.querySelector('.parse-error')?.textContent ?? null,
  answer: entry.querySelector('.answer')?.textContent ?? null,
  timings: Object.fromEntries([...entry.querySelectorAll('.timing[data-timing]')]
    .map((t) => [t.dataset.timing, t.textContent])),
})"""


# Runs `command` as the Run button does, with the model's output given (window.demo.run with a
# completion: agent.runCompletion, the runtime's test seam): the completion protocol.js renders for
# `calls` (a call without a ref gets the ref its element has in a snapshot of the shop taken now), and
# `answer` as the words after a read tool's result. Parsing, validation, confirmation, execution and the
# log are the real thing. It does not wait: a confirmation dialog may need an answer first.
SCRIPTED_RUN_JS = """async ([command, calls, answer]) => {
  const protocol = await import('./src/protocol.js');
  const { takeSnapshot } = await import('./src/snapshot.js');
  const snap = takeSnapshot(document.getElementById('app'), {maxLines: window.demo.agent.maxLines});
  const refOf = (name) => snap.entries.find((e) => e.name === name)?.ref ?? 999;
  const filled = calls.map((c) => c.arguments.element !== undefined && c.arguments.ref === undefined
    ? {name: c.name, arguments: {...c.arguments, ref: refOf(c.arguments.element)}} : c);
  window.demo.run(command, {completion: protocol.renderCompletion(filled, null),
                            followUp: protocol.renderCompletion([], answer)}).catch(() => {});
}"""

CONFIRM_OPEN = "() => document.getElementById('confirm').open"


def wait_results(page: Any, n: int, answer: str = "cancel") -> list[str]:
    """Waits until the demo has `n` results, answering each confirmation dialog on the way (`answer`:
    'cancel' or 'allow'); returns the dialogs' messages."""
    asked = []
    done = f"() => window.demo.results.length === {n} && !document.body.dataset.running"
    while True:
        page.wait_for_function(f"() => ({done})() || ({CONFIRM_OPEN})()", timeout=RUN_TIMEOUT_MS)
        if not page.evaluate(CONFIRM_OPEN):
            return asked
        asked.append(page.text_content("#confirm-message") or "")
        page.click(f"#confirm-{answer}")
        page.wait_for_function(f"() => !({CONFIRM_OPEN})()")


@pytest.fixture(scope="session")
def demo_bundle(tiny_bundle: Path) -> Path:
    """Returns the session's tiny bundle (conftest.py), checked for the demo page's files."""
    for name in ("index.html", "demo.js", "demo.css", "sw.js", "fgweb.mjs", MODEL):
        assert (tiny_bundle / name).is_file(), f"the bundle step did not write {name}"
    return tiny_bundle


@pytest.fixture()
def serve() -> Iterator[Callable[[Path], DevServer]]:
    """Returns `serve(bundle_dir) -> DevServer` (started on a free port); servers stop after the test."""
    servers: list[DevServer] = []

    def start(bundle: Path) -> DevServer:
        server = open_server(bundle, port=0).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _copy_bundle(bundle: Path, dest: Path) -> Path:
    """Copies a bundle (hard links where the file system allows: only what a test rewrites is copied)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(bundle, dest, copy_function=link)
    return dest


class Demo:
    """A fresh browser context with the demo open; `errors` collects page errors."""

    def __init__(self, browser: Any, url: str) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.goto(url)

    def wait_loaded(self) -> str:
        """Waits until loading ends; returns the state ('ready' or 'error')."""
        self.page.wait_for_function("() => document.body.dataset.state !== 'loading'",
                                    timeout=LOAD_TIMEOUT_MS)
        return str(self.page.evaluate("document.body.dataset.state"))

    def error_box(self) -> dict[str, Any]:
        return self.page.evaluate("""() => { const e = document.getElementById('error');
          return {visible: !e.hidden && e.offsetHeight > 0, type: e.dataset.type,
                  message: document.getElementById('error-message').textContent}; }""")

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def open_demo(browser: Any) -> Iterator[Callable[[str], Demo]]:
    demos: list[Demo] = []

    def open_(url: str) -> Demo:
        demo = Demo(browser, url)
        demos.append(demo)
        return demo

    yield open_
    for demo in demos:
        demo.close()


def _format_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _format_call(call: dict[str, Any]) -> str:
    args = ", ".join(f"{key}={_format_value(value)}" for key, value in call["arguments"].items())
    return f"{call['name']}({args})"


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def test_demo_loads_and_reports_the_backend(demo_bundle: Path, serve: Callable[[Path], DevServer],
                                            open_demo: Callable[[str], Demo]) -> None:
    demo = open_demo(serve(demo_bundle).url)
    assert demo.wait_loaded() == "ready", demo.error_box()
    page = demo.page
    assert page.text_content("#backend") == "wasm"  # plain Chromium has no WebGPU adapter
    assert page.evaluate("window.demo.agent.backend") == "wasm"
    assert page.is_enabled("#command") and page.is_enabled("#run")
    assert page.is_hidden("#error")
    # Load progress was shown in bytes, per file.
    size = next(f["bytes"] for f in json.loads((demo_bundle / "manifest.json").read_text())["files"]
                if f["path"] == MODEL)
    row = page.text_content(f'#files li[data-file="{MODEL}"]') or ""
    assert _mb(size) in row, row
    fallback = page.evaluate("window.demo.agent.fallback")
    if fallback:  # auto asked for WebGPU and did not get it: the page says why
        assert page.text_content("#fallback") == fallback and page.is_visible("#fallback")
    assert page.evaluate("document.getElementById('status').textContent").startswith("Ready")
    assert demo.errors == []


def test_run_logs_calls_execution_and_timings(demo_bundle: Path, serve: Callable[[Path], DevServer],
                                              open_demo: Callable[[str], Demo]) -> None:
    demo = open_demo(serve(demo_bundle).url)
    assert demo.wait_loaded() == "ready", demo.error_box()
    page = demo.page
    assert page.is_checked("#execute")
    page.fill("#command", COMMAND)
    page.click("#run")
    wait_results(page, 1)
    r = page.evaluate(LAST_RESULT_JS)
    entries = page.query_selector_all("#log .entry")
    assert len(entries) == 1
    shown = entries[0].evaluate(LOG_ENTRY_JS)

    assert r["command"] == COMMAND and shown["command"] == COMMAND
    # The model saw the shop, not the assistant panel.
    assert 'textbox "Email"' in r["snapshot"] and 'button "Sign in"' in r["snapshot"]
    assert '"Run"' not in r["snapshot"] and "Execute actions" not in r["snapshot"]

    # Every call is listed as the model wrote it, with its validity and issues.
    assert [c["index"] for c in shown["calls"]] == list(range(len(r["calls"])))
    for call, row in zip(r["calls"], shown["calls"], strict=True):
        assert row["name"] == call["name"]
        assert row["text"] == _format_call(call)
        assert row["valid"] == call["valid"]
        assert len(row["issues"]) == len(call["issues"])
        if not call["valid"]:
            assert call["issues"], call
    if r["parseError"]:  # the tiny model mostly writes noise: the entry says why it could not be read
        assert r["parseError"]["message"] in (shown["parseError"] or ""), shown
    if r["text"]:
        assert shown["answer"] == r["text"]

    # What the page lists as executed is exactly what the agent executed: the valid calls, in order,
    # stopping at the first invalid call or the first failure.
    executed = r["executed"]
    assert [(e["index"], e["name"], e["ok"]) for e in shown["executed"]] == \
        [(e["index"], e["name"], bool(e["ok"])) for e in executed]
    assert [e["index"] for e in executed] == list(range(len(executed)))
    for e in executed:
        call = r["calls"][e["index"]]
        assert call["valid"] and e["name"] == call["name"]
    first_invalid = next((i for i, c in enumerate(r["calls"]) if not c["valid"]), len(r["calls"]))
    failed = [e["index"] for e in executed if not e["ok"]]
    if failed:
        assert failed == [executed[-1]["index"]]
    else:
        assert len(executed) == first_invalid
    # ...and it happened on the page: the last value each executed call wrote is still there.
    last_by_ref = {r["calls"][e["index"]]["ref"]: e["index"] for e in executed}
    for e in executed:
        call = r["calls"][e["index"]]
        if not e["ok"] or last_by_ref.get(call["ref"]) != e["index"] or not call["connected"]:
            continue
        if call["name"] == "type_text":
            assert call["value"] == call["arguments"]["text"]
        elif call["name"] == "set_checked":
            assert call["checked"] == call["arguments"]["checked"]
        elif call["name"] == "read_text":
            assert isinstance(e.get("result"), str)

    # Timings of each step and the token counts.
    timings = r["timings"]
    assert timings["totalMs"] > 0 and timings["promptTokens"] > 0 and timings["generatedTokens"] >= 1
    assert timings["totalMs"] >= timings["prefillMs"] and timings["totalMs"] >= timings["decodeMs"]
    for name in ("snapshot", "prefill", "decode", "total"):
        assert "ms" in shown["timings"][name] or " s" in shown["timings"][name], shown["timings"]
    assert f"{timings['promptTokens']} in, {timings['generatedTokens']} out" in shown["timings"]["tokens"]
    assert r["backend"] == "wasm"
    assert shown["status"] in {"ok", "invalid", "failed", "text", "parse-error"}

    # Enter runs a command too; a dry run executes nothing.
    page.uncheck("#execute")
    page.fill("#command", "add a todo to buy stamps")
    page.press("#command", "Enter")
    wait_results(page, 2)
    assert page.evaluate("window.demo.results[1].executed.length") == 0
    assert len(page.query_selector_all("#log .entry")) == 2
    assert page.text_content("#log .entry .entry-command") == "add a todo to buy stamps"  # newest first
    assert demo.errors == []


def test_scripted_calls_are_validated_executed_and_logged(demo_bundle: Path,
                                                         serve: Callable[[Path], DevServer],
                                                         open_demo: Callable[[str], Demo]) -> None:
    demo = open_demo(serve(demo_bundle).url)
    assert demo.wait_loaded() == "ready", demo.error_box()
    page = demo.page
    calls = [
        {"name": "type_text", "arguments": {"element": "Email", "text": "ann@example.com"}},
        {"name": "type_text", "arguments": {"element": "Password", "text": "hunter2"}},
        {"name": "set_checked", "arguments": {"checked": True, "element": "Remember me"}},
        {"name": "click", "arguments": {"element": "Sign in"}},
        {"name": "click", "arguments": {"element": "Forgot password?", "ref": 99}},  # no such element
        {"name": "click", "arguments": {"element": "Place order"}},  # valid, but after an invalid call
    ]
    page.evaluate(SCRIPTED_RUN_JS, [COMMAND, calls, ""])
    # "Sign in" submits a form: the page asks first.
    asked = wait_results(page, 1, answer="allow")
    assert len(asked) == 1 and 'click "Sign in": submits its form' in asked[0], asked
    r = page.evaluate(LAST_RESULT_JS)
    shown = page.query_selector("#log .entry").evaluate(LOG_ENTRY_JS)

    assert [c["valid"] for c in r["calls"]] == [True, True, True, True, False, True]
    assert [c["valid"] for c in shown["calls"]] == [True, True, True, True, False, True]
    email_ref = r["calls"][0]["ref"]
    assert shown["calls"][0]["text"] == f'type_text(element="Email", ref={email_ref}, text="ann@example.com")'
    assert shown["calls"][4]["issues"] and not shown["calls"][0]["issues"]
    # The sequence ran in order and stopped at the invalid call.
    assert [(e["index"], e["name"], e["ok"]) for e in shown["executed"]] == [
        (0, "type_text", True), (1, "type_text", True), (2, "set_checked", True), (3, "click", True)]
    assert shown["status"] == "invalid"
    assert page.input_value("#email") == "ann@example.com" and page.input_value("#password") == "hunter2"
    assert page.text_content("#signin-status") == "Signed in as ann@example.com (remembered on this device)"
    assert page.text_content("#shipping-status") == ""  # "Place order" came after the invalid call

    # A read tool: its text is shown as the result, and the model's answer after it.
    page.evaluate(SCRIPTED_RUN_JS, ["what is the status of order #1002?",
                                    [{"name": "read_text", "arguments": {"element": "Pending"}}],
                                    "Order #1002 is pending."])
    assert wait_results(page, 2) == []  # reading asks nothing
    shown = page.query_selector("#log .entry").evaluate(LOG_ENTRY_JS)
    executed = [(e["name"], e["ok"], e["result"]) for e in shown["executed"]]
    assert executed == [("read_text", True, '"Pending"')]
    text = page.evaluate("window.demo.results[1].text")
    assert text == "Order #1002 is pending."
    answer = page.query_selector("#log .entry .answer")
    assert answer is not None and answer.text_content() == text
    assert shown["status"] == "ok"
    assert demo.errors == []


def test_the_confirmation_dialog_can_refuse_a_submit_and_a_delete(demo_bundle: Path,
                                                                 serve: Callable[[Path], DevServer],
                                                                 open_demo: Callable[[str], Demo]) -> None:
    demo = open_demo(serve(demo_bundle).url)
    assert demo.wait_loaded() == "ready", demo.error_box()
    page = demo.page
    calls = [
        {"name": "type_text", "arguments": {"element": "Full name", "text": "Ann Lee"}},
        {"name": "click", "arguments": {"element": "Place order"}},  # the command never asked for it
        {"name": "click", "arguments": {"element": "Delete Buy milk"}},
    ]
    page.evaluate(SCRIPTED_RUN_JS, ["ship to Ann Lee", calls, ""])
    asked = wait_results(page, 1, answer="cancel")
    assert len(asked) == 1 and 'click "Place order": submits its form' in asked[0], asked
    shown = page.query_selector("#log .entry").evaluate(LOG_ENTRY_JS)
    assert [(e["name"], e["ok"]) for e in shown["executed"]] == [("type_text", True), ("click", False)]
    assert "not confirmed, so nothing was done" in page.text_content("#log .entry .exec-error")
    assert shown["status"] == "failed"
    assert page.input_value("#ship-name") == "Ann Lee" and page.text_content("#shipping-status") == ""
    assert "Buy milk" in (page.text_content("#todo-list") or "")  # the sequence stopped at the refusal

    page.evaluate(SCRIPTED_RUN_JS, ["delete the todo", [calls[2]], ""])
    asked = wait_results(page, 2, answer="allow")
    assert asked == ['The assistant wants to click "Delete Buy milk": its name says "Delete".']
    assert "Buy milk" not in (page.text_content("#todo-list") or "")
    assert demo.errors == []


def test_corrupt_model_file_shows_an_integrity_error(demo_bundle: Path, tmp_path: Path,
                                                      serve: Callable[[Path], DevServer],
                                                      open_demo: Callable[[str], Demo]) -> None:
    bundle = _copy_bundle(demo_bundle, tmp_path / "bundle")
    model = bundle / MODEL
    data = bytearray(model.read_bytes())
    for offset in range(len(data) // 2, len(data) // 2 + 64):
        data[offset] ^= 0xFF
    model.unlink()  # break the hard link before writing
    model.write_bytes(bytes(data))

    demo = open_demo(serve(bundle).url)
    assert demo.wait_loaded() == "error"
    box = demo.error_box()
    assert box["visible"] and box["type"] == "integrity_error", box
    assert "model.body.onnx" in box["message"], box
    assert demo.page.is_disabled("#run")


def test_missing_model_file_shows_a_load_error(demo_bundle: Path, tmp_path: Path,
                                                serve: Callable[[Path], DevServer],
                                                open_demo: Callable[[str], Demo]) -> None:
    bundle = _copy_bundle(demo_bundle, tmp_path / "bundle")
    (bundle / MODEL).unlink()

    demo = open_demo(serve(bundle).url)
    assert demo.wait_loaded() == "error"
    box = demo.error_box()
    assert box["visible"] and box["type"] == "load_error", box
    assert "model.body.onnx" in box["message"] and "missing" in box["message"], box


def test_missing_runtime_shows_a_load_error(demo_bundle: Path, tmp_path: Path,
                                            serve: Callable[[Path], DevServer],
                                            open_demo: Callable[[str], Demo]) -> None:
    bundle = _copy_bundle(demo_bundle, tmp_path / "bundle")
    (bundle / "src" / "agent.js").unlink()

    demo = open_demo(serve(bundle).url)
    assert demo.wait_loaded() == "error"
    box = demo.error_box()
    assert box["visible"] and box["type"] == "load_error" and "fgweb.mjs" in box["message"], box
    # The shop itself still works without the assistant.
    demo.page.fill("#new-todo", "Water the plants")
    demo.page.click("#add-todo")
    assert "Water the plants" in (demo.page.text_content("#todo-list") or "")


def test_webgpu_backend_without_webgpu_says_so(demo_bundle: Path, serve: Callable[[Path], DevServer],
                                               open_demo: Callable[[str], Demo]) -> None:
    demo = open_demo(serve(demo_bundle).url + "?backend=webgpu")
    assert demo.wait_loaded() == "error"
    box = demo.error_box()
    assert box["visible"] and box["type"] == "backend_error", box
    assert "WebGPU" in box["message"], box
    assert demo.page.input_value("#backend-choice") == "webgpu"


def _wait_controlled(page: Any) -> None:
    """Waits until the service worker is active (its install precached the shell) and controls the page."""
    assert page.evaluate("window.demo.serviceWorker.then((r) => r !== null)"), "sw.js did not register"
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)


def _rewrite(bundle: Path, rel: str, old: str, new: str) -> None:
    """Changes a bundle file (breaking its hard link) and its size and sha256 in manifest.json."""
    path = bundle / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{rel} has no {old!r}"
    data = text.replace(old, new).encode("utf-8")
    path.unlink()
    path.write_bytes(data)
    manifest_path = bundle / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entry = next(f for f in manifest["files"] if f["path"] == rel)
    entry.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    manifest_path.unlink()
    manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def test_reload_works_offline(demo_bundle: Path, serve: Callable[[Path], DevServer],
                              open_demo: Callable[[str], Demo]) -> None:
    server = serve(demo_bundle)
    demo = open_demo(server.url)
    assert demo.wait_loaded() == "ready", demo.error_box()
    page = demo.page
    _wait_controlled(page)

    server.stop()  # really offline: nothing answers on that port any more
    demo.context.set_offline(True)
    page.reload()
    assert demo.wait_loaded() == "ready", demo.error_box()
    assert page.text_content("#backend") == "wasm"
    assert page.evaluate("crossOriginIsolated")  # the cached page kept its COOP/COEP headers
    assert "(from cache)" in (page.text_content(f'#files li[data-file="{MODEL}"]') or "")
    # The model runs offline too.
    page.fill("#command", COMMAND)
    page.click("#run")
    wait_results(page, 1)
    assert len(page.query_selector_all("#log .entry")) == 1
    assert demo.errors == []


def test_a_new_build_replaces_the_cached_shell(demo_bundle: Path, tmp_path: Path,
                                               serve: Callable[[Path], DevServer],
                                               open_demo: Callable[[str], Demo]) -> None:
    bundle = _copy_bundle(demo_bundle, tmp_path / "bundle")
    server = serve(bundle)
    demo = open_demo(server.url)
    assert demo.wait_loaded() == "ready", demo.error_box()
    page = demo.page
    _wait_controlled(page)

    # "Rebuild": help.html changes (a page this load never asks for) and the manifest says so.
    _rewrite(bundle, "help.html", "How the page assistant works", "How the rebuilt assistant works")
    page.reload()
    assert demo.wait_loaded() == "ready", demo.error_box()
    # The new manifest (network first) made the worker fetch the changed file into its cache...
    page.wait_for_function("""() => caches.match(new URL('help.html', location.href).href)
        .then((hit) => (hit ? hit.text() : ''))
        .then((text) => text.includes('rebuilt assistant'))""", timeout=30_000)
    # ...so that offline, the new page is there.
    server.stop()
    demo.context.set_offline(True)
    page.goto(server.url + "help.html")
    assert "How the rebuilt assistant works" in (page.text_content("h2") or "")


def test_the_log_keeps_the_newest_fifty_entries(demo_bundle: Path, serve: Callable[[Path], DevServer],
                                                open_demo: Callable[[str], Demo]) -> None:
    demo = open_demo(serve(demo_bundle).url)
    assert demo.wait_loaded() == "ready", demo.error_box()
    page = demo.page
    scroll = [{"name": "scroll", "arguments": {"direction": "down"}}]  # nothing to confirm
    for i in range(55):
        page.evaluate(SCRIPTED_RUN_JS, [f"command {i}", scroll, ""])
        wait_results(page, i + 1)
    entries = page.query_selector_all("#log .entry")
    assert len(entries) == 50
    assert entries[0].query_selector(".entry-command").text_content() == "command 54"
    assert entries[-1].query_selector(".entry-command").text_content() == "command 5"
