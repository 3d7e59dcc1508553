"""The shared tokenizer vectors are what the Python tokenizer gives today.

`web/src/tokenizer.js` is tested against `tests/vectors/tokenizer_expected.json`
(`tests/js/tokenizer.test.mjs`); this test keeps that file honest: regenerating it from the real Gemma 3
tokenizer (`fgweb.model.gguf_tokenizer_dir()`) must give the same ids. If it fails after a deliberate
tokenizer change, run `python3 tests/make_tokenizer_vectors.py` and commit the result.
"""

from __future__ import annotations

import json
from typing import Any

import make_tokenizer_vectors as vectors
import pytest

from fgweb.errors import FgwebError

REGENERATE = "run `python3 tests/make_tokenizer_vectors.py` and commit tokenizer_expected.json"


@pytest.fixture(scope="module")
def strings() -> list[dict[str, str]]:
    return vectors.load_strings()


@pytest.fixture(scope="module")
def expected_file() -> dict[str, Any]:
    return dict(json.loads(vectors.EXPECTED_FILE.read_text(encoding="utf-8")))


def test_tokenizer_strings_cover_the_required_kinds(strings: list[dict[str, str]]) -> None:
    kinds = {s["kind"] for s in strings}
    assert len(strings) >= 300
    for kind in ("prompt", "snapshot_line", "command", "script", "emoji", "whitespace", "html", "number_url",
                 "control_private", "special_mix", "manifest_token", "long"):
        assert kind in kinds, kind


def test_tokenizer_expected_file_matches_its_strings(
    strings: list[dict[str, str]], expected_file: dict[str, Any]
) -> None:
    assert expected_file["strings_sha256"] == vectors.strings_digest(strings), REGENERATE
    assert len(expected_file["cases"]) == len(strings), REGENERATE
    assert vectors.EXPECTED_FILE.stat().st_size < 2_000_000


def test_tokenizer_expected_file_is_what_the_python_tokenizer_gives(
    strings: list[dict[str, str]], expected_file: dict[str, Any]
) -> None:
    try:
        tokenizer = vectors.load_python_tokenizer()
    except (FgwebError, ImportError) as e:  # no base GGUF on this machine: nothing to compare with
        pytest.skip(f"the Gemma 3 tokenizer is not available ({e})")
    fresh = vectors.expected_for(tokenizer, strings)
    stale = [
        f"#{i} {s['kind']} {s['text'][:60]!r}"
        for i, (s, old, new) in enumerate(zip(strings, expected_file["cases"], fresh["cases"], strict=True))
        if old != new
    ]
    assert stale == [], f"{len(stale)} cases changed: {REGENERATE}"
