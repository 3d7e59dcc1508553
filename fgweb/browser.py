"""Headless Chromium for browser tests, `fgweb eval --backend wasm` and `fgweb bench`.

The system Chromium is used (Debian's `chromium` package), never a browser that `playwright install`
downloads:

    from playwright.sync_api import sync_playwright
    from fgweb.browser import launch

    with sync_playwright() as pw:
        browser = launch(pw)                 # launch(pw, webgpu=True) for WebGPU (SwiftShader on CPU)
        page = browser.new_page()
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from fgweb.errors import FgwebError

ENV_VAR = "FGWEB_CHROMIUM"
# Checked in order after FGWEB_CHROMIUM: the real binary first (the /usr/bin wrapper is a shell script).
CHROMIUM_PATHS: tuple[str, ...] = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
# Then these names on PATH.
CHROMIUM_NAMES: tuple[str, ...] = ("chromium", "chromium-browser")
# --no-sandbox: containers and root have no user namespaces; --disable-quic: plain HTTP/2 to test servers.
BASE_ARGS: tuple[str, ...] = ("--no-sandbox", "--disable-quic", "--headless")
WEBGPU_ARGS: tuple[str, ...] = ("--enable-unsafe-webgpu",)


def _executable(path: str | Path) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_chromium() -> str:
    """Returns the path of the Chromium binary to launch.

    Order: the FGWEB_CHROMIUM environment variable (which must then name an executable file), then
    CHROMIUM_PATHS, then CHROMIUM_NAMES on PATH. Raises FgwebError when none is found.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        if not _executable(configured):
            raise FgwebError(
                f"{ENV_VAR}={configured} is not an executable file: point it at a Chromium binary "
                f"or unset it"
            )
        return configured
    for path in CHROMIUM_PATHS:
        if _executable(path):
            return path
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise FgwebError(
        f"no Chromium found: install the `chromium` package (apt-get install chromium) or set {ENV_VAR}"
    )


def launch_args(webgpu: bool = False) -> list[str]:
    """Returns the command-line flags `launch` passes to Chromium."""
    return [*BASE_ARGS, *(WEBGPU_ARGS if webgpu else ())]


def launch(playwright: Any, webgpu: bool = False, **options: Any) -> Any:
    """Returns a headless Chromium `Browser` launched through a Playwright instance (sync or async API:
    an async caller awaits the result).

    `webgpu=True` enables WebGPU (`--enable-unsafe-webgpu`). Other keyword options go to
    `playwright.chromium.launch`.
    """
    return playwright.chromium.launch(
        executable_path=find_chromium(), headless=True, args=launch_args(webgpu), **options
    )
