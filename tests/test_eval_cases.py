"""The hand-written held-out set `tests/eval/real_pages.jsonl`: its shape, its coverage, and that the
training data never saw it (no command and no page text of the set occurs in the training split)."""

from __future__ import annotations

import html.parser
import re
from collections import Counter
from pathlib import Path

import pytest

from fgweb.config import DataConfig
from fgweb.data import generate, load_examples
from fgweb.page_eval import Case, load_cases
from fgweb.tools import builtin_toolset

REAL_PAGES = Path(__file__).resolve().parent / "eval" / "real_pages.jsonl"
KINDS = ("unasked", "out-of-scope", "mapped-value", "typed-text", "positional", "multi-field", "read",
         "indirect", "scroll", "injection", "basic")
# Page text shorter than this is the web's shared UI wording ("Add to cart", "Price: low to high",
# "Billing address same as shipping" occur on both sides); sentences from a page must not.
MIN_WORDS = 6


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases(REAL_PAGES, builtin_toolset())


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data: str) -> None:
        if not self.skip and len(_norm(data).split()) >= MIN_WORDS:
            self.chunks.append(_norm(data))


def page_texts(markup: str) -> set[str]:
    parser = _Text()
    parser.feed(markup)
    return set(parser.chunks)


def test_the_set_is_large_and_varied(cases: list[Case]) -> None:
    assert len(cases) >= 300
    sites = Counter(t for c in cases for t in c.tags if t.startswith("site:"))
    assert len(sites) >= 20, sorted(sites)
    for case in cases:
        assert sum(t.startswith("site:") for t in case.tags) == 1, case.id
        kinds = [t for t in case.tags if not t.startswith("site:")]
        assert kinds and set(kinds) <= set(KINDS), (case.id, kinds)
    per_kind = Counter(t for c in cases for t in c.tags if t in KINDS)
    for kind in KINDS:
        assert per_kind[kind] >= 10, (kind, per_kind[kind])
    tools = Counter(call["name"] for c in cases for call in c.expected)
    assert set(tools) == {t.name for t in builtin_toolset().tools}, tools
    assert len({_norm(c.command) for c in cases}) == len(cases), "a command is written twice"


def test_out_of_scope_cases_expect_no_call(cases: list[Case]) -> None:
    for case in cases:
        if "out-of-scope" in case.tags:
            assert case.expected == [], case.id


@pytest.mark.parametrize("train_examples", [DataConfig.train_examples, 3000])
def test_no_command_or_page_text_of_the_set_is_in_the_training_split(
    cases: list[Case], tmp_path: Path, train_examples: int
) -> None:
    """The default build's training split, and the 3,000 examples the committed adapter's last run
    trained on, share no command and no page text (MIN_WORDS words or more) with the held-out set."""
    out = generate(DataConfig(train_examples=train_examples, eval_examples=0), builtin_toolset(), tmp_path)
    train = load_examples(out / "train.jsonl")
    commands = {_norm(e.command).rstrip(".!?") for e in train}
    texts: set[str] = set()
    for e in train:
        texts |= page_texts(e.html)
    copied = [c.id for c in cases if _norm(c.command).rstrip(".!?") in commands]
    assert not copied, f"commands of the held-out set in the training split: {copied}"
    shared = sorted({t for c in cases for t in page_texts(c.html)} & texts)
    assert not shared, f"page text of the held-out set in the training split: {shared[:10]}"
