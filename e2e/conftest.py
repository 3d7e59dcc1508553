"""Shared fixtures of the browser tests (`@pytest.mark.browser`): headless system Chromium through
Playwright, and static file servers on 127.0.0.1.

    needs_chromium   skips when Playwright or the system Chromium is missing
    playwright       the Playwright driver, one per module (after needs_chromium)
    browser          one Chromium per test module; webgpu_browser: one with WebGPU (SwiftShader)
    tiny_bundle      a `tiny` build, once per session; tiny_server: `fgweb serve`'s app on it (its URL)
    serve_directory  serve a folder over HTTP for the module: `url = serve_directory(path)`
    web_url          a served test site: `index.html` (loads web/src and sets `window.fgweb`) plus `src/`
    web_page         a page open at `web_url`, `window.fgweb.snapshot` / `.protocol` ready
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from fgweb.browser import find_chromium, launch
from fgweb.errors import FgwebError

REPO = Path(__file__).resolve().parents[1]
WEB_SRC = REPO / "web" / "src"

INDEX_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>fgweb test page</title>
<script type="module">
import * as snapshot from './src/snapshot.js';
import * as protocol from './src/protocol.js';
window.fgweb = { snapshot, protocol };
</script>
</head>
<body></body>
</html>
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript",
                      ".mjs": "text/javascript"}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def serve_directory() -> Iterator[Callable[[Path], str]]:
    """Returns `serve(path) -> base URL` (ending in "/"); every server stops when the module ends."""
    servers: list[ThreadingHTTPServer] = []

    def serve(directory: Path) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(directory)))
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def web_url(tmp_path_factory: pytest.TempPathFactory, serve_directory: Callable[[Path], str]) -> str:
    """Returns the URL of a served folder holding `index.html` and `src/` (a link to web/src)."""
    site = tmp_path_factory.mktemp("site")
    (site / "index.html").write_text(INDEX_HTML, encoding="utf-8")
    (site / "src").symlink_to(WEB_SRC, target_is_directory=True)
    return serve_directory(site)


@pytest.fixture(scope="module")
def needs_chromium() -> None:
    """Skips the test when Playwright or the system Chromium is missing, saying which."""
    pytest.importorskip("playwright.sync_api", reason="needs the browser extra (playwright)")
    try:
        find_chromium()
    except FgwebError as err:
        pytest.skip(str(err))


@pytest.fixture(scope="module")
def playwright(needs_chromium: None) -> Iterator[Any]:
    """Returns the Playwright driver, one per test module (two cannot run at once in one thread, and
    modules that drive `fgweb eval`/`fgweb bench` start their own)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    """Returns a headless Chromium `Browser` (Playwright sync API), one per test module."""
    chromium = launch(playwright)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def web_page(browser: Any, web_url: str) -> Iterator[Any]:
    """Returns a Playwright `Page` open at `web_url` with `window.fgweb` loaded (shared by the module)."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(web_url + "index.html")
    try:
        page.wait_for_function("() => window.fgweb !== undefined", timeout=10_000)
    except Exception as err:  # Playwright's TimeoutError: say why the modules did not load
        raise AssertionError(f"web/src modules did not load: {errors or err}") from err
    yield page
    page.close()


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Returns a `tiny` bundle built once per test session (stages come from the build cache when
    they can, so this takes seconds after the first build on a machine)."""
    from fgweb.build import build
    from fgweb.config import preset

    out = tmp_path_factory.mktemp("bundles") / "tiny"
    cfg = preset("tiny")
    cfg.out = out
    result = build(cfg, log=lambda _: None)
    return Path(result.bundle_dir)


@pytest.fixture(scope="session")
def tiny_server(tiny_bundle: Path) -> Iterator[str]:
    """Serves the tiny bundle with `fgweb serve`'s app on a free port; returns its URL."""
    from fgweb.server import open_server

    server = open_server(tiny_bundle, port=0).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def webgpu_browser(playwright: Any) -> Iterator[Any]:
    """Returns a headless Chromium with WebGPU enabled (SwiftShader: correct, far too slow to time)."""
    chromium = launch(playwright, webgpu=True)
    yield chromium
    chromium.close()
