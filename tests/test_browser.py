"""Tests of `fgweb.browser`: where Chromium is found, the error when it is not, and the launch flags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fgweb import browser
from fgweb.errors import FgwebError


def _fake_binary(path: Path) -> Path:
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_system_chromium(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Hides every Chromium of this machine: no env var, no known path, an empty PATH folder."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.delenv(browser.ENV_VAR, raising=False)
    monkeypatch.setattr(browser, "CHROMIUM_PATHS", (str(tmp_path / "missing" / "chromium"),))
    monkeypatch.setenv("PATH", str(empty))
    return empty


def test_find_chromium_prefers_fgweb_chromium(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, no_system_chromium: Path
) -> None:
    _fake_binary(no_system_chromium / "chromium")
    chosen = _fake_binary(tmp_path / "my-chrome")
    monkeypatch.setenv(browser.ENV_VAR, str(chosen))
    assert browser.find_chromium() == str(chosen)


def test_find_chromium_refuses_fgweb_chromium_that_is_not_executable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(browser.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(FgwebError, match=r"FGWEB_CHROMIUM=.*nowhere is not an executable file"):
        browser.find_chromium()


def test_find_chromium_uses_known_paths_before_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    no_system_chromium: Path) -> None:
    known = _fake_binary(tmp_path / "lib-chromium")
    _fake_binary(no_system_chromium / "chromium")
    monkeypatch.setattr(browser, "CHROMIUM_PATHS", (str(tmp_path / "absent"), str(known)))
    assert browser.find_chromium() == str(known)


def test_find_chromium_searches_path(no_system_chromium: Path) -> None:
    found = _fake_binary(no_system_chromium / "chromium-browser")
    assert browser.find_chromium() == str(found)


def test_find_chromium_says_how_to_get_one_when_none_is_found(no_system_chromium: Path) -> None:
    with pytest.raises(FgwebError) as err:
        browser.find_chromium()
    assert str(err.value) == (
        "no Chromium found: install the `chromium` package (apt-get install chromium) or set FGWEB_CHROMIUM"
    )


class _FakeChromium:
    def __init__(self) -> None:
        self.options: dict[str, Any] = {}

    def launch(self, **options: Any) -> str:
        self.options = options
        return "browser"


class _FakePlaywright:
    def __init__(self) -> None:
        self.chromium = _FakeChromium()


@pytest.mark.parametrize("webgpu", [False, True])
def test_launch_runs_system_chromium_headless_without_sandbox(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, webgpu: bool
) -> None:
    binary = _fake_binary(tmp_path / "chromium")
    monkeypatch.setenv(browser.ENV_VAR, str(binary))
    playwright = _FakePlaywright()
    assert browser.launch(playwright, webgpu=webgpu, timeout=5000) == "browser"
    options = playwright.chromium.options
    assert options["executable_path"] == str(binary)
    assert options["headless"] is True
    assert options["timeout"] == 5000
    assert {"--no-sandbox", "--disable-quic", "--headless"} <= set(options["args"])
    assert ("--enable-unsafe-webgpu" in options["args"]) is webgpu
