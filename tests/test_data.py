"""The synthetic dataset: determinism, splits, call validity, balance, pairs, speed."""

from __future__ import annotations

import html
import json
import time
from collections import Counter
from pathlib import Path

import pytest

from fgweb import protocol
from fgweb.config import DataConfig
from fgweb.data import (
    ARCHETYPES,
    EVAL_ONLY_ARCHETYPES,
    TEMPLATES,
    Example,
    build_page,
    format_stats,
    generate,
    load_examples,
)
from fgweb.errors import FgwebError
from fgweb.snapshot import snapshot
from fgweb.tools import Toolset, builtin_toolset, load_toolset

SMALL = DataConfig(seed=7, train_examples=400, eval_examples=120)


@pytest.fixture(scope="module")
def toolset() -> Toolset:
    return builtin_toolset()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory, toolset: Toolset) -> dict[str, list[Example]]:
    out = generate(SMALL, toolset, tmp_path_factory.mktemp("data"))
    return {split: load_examples(out / f"{split}.jsonl") for split in ("train", "eval")}


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path: Path, toolset: Toolset) -> None:
    cfg = DataConfig(seed=3, train_examples=60, eval_examples=20)
    a = generate(cfg, toolset, tmp_path / "a")
    b = generate(cfg, toolset, tmp_path / "b")
    c = generate(DataConfig(seed=4, train_examples=60, eval_examples=20), toolset, tmp_path / "c")
    for name in ("train.jsonl", "eval.jsonl", "stats.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / "train.jsonl").read_bytes() != (c / "train.jsonl").read_bytes()


def test_split_sizes_are_exact(dataset: dict[str, list[Example]]) -> None:
    assert len(dataset["train"]) == SMALL.train_examples
    assert len(dataset["eval"]) == SMALL.eval_examples
    assert {e.split for e in dataset["train"]} == {"train"} and {e.split for e in dataset["eval"]} == {"eval"}


def test_splits_share_no_page_and_no_template(dataset: dict[str, list[Example]]) -> None:
    train, held = dataset["train"], dataset["eval"]
    assert not {e.page_id for e in train} & {e.page_id for e in held}
    assert not {e.template for e in train} & {e.template for e in held}
    assert not {e.html for e in train} & {e.html for e in held}


def test_eval_only_archetypes_appear_only_in_eval(dataset: dict[str, list[Example]]) -> None:
    assert not {e.archetype for e in dataset["train"]} & set(EVAL_ONLY_ARCHETYPES)
    assert set(EVAL_ONLY_ARCHETYPES) <= {e.archetype for e in dataset["eval"]}
    # …and no training page embeds one of them as a second section.
    for name in EVAL_ONLY_ARCHETYPES:
        marker = f'class="{name}"'
        assert not any(marker in e.html for e in dataset["train"])


def test_at_least_seventeen_archetypes_and_every_train_archetype_is_used(
        dataset: dict[str, list[Example]]) -> None:
    assert len(ARCHETYPES) >= 17
    used = {e.archetype for e in dataset["train"]}
    assert used == set(ARCHETYPES) - set(EVAL_ONLY_ARCHETYPES)


def _lines(ex: Example) -> dict[int, str]:
    return {i: line for i, line in enumerate(ex.snapshot.splitlines(), 1)}


def test_every_call_fits_the_toolset_and_the_snapshot(
        dataset: dict[str, list[Example]], toolset: Toolset) -> None:
    for ex in dataset["train"] + dataset["eval"]:
        assert protocol.validate_calls(ex.calls, toolset) == [], ex.id
        lines = _lines(ex)
        for call in ex.calls:
            args = call["arguments"]
            assert list(args) == sorted(args), ex.id
            if "ref" in args:
                line = lines[args["ref"]]
                shown = line.split(" [ref=")[0].split(" ", 1)[1]
                assert shown == json.dumps(args["element"], ensure_ascii=False), ex.id
                assert not line.endswith(" disabled"), ex.id
        # the record renders as a prompt and a target completion
        protocol.render_prompt(toolset.tools, ex.snapshot, ex.command)
        assert protocol.render_completion(ex.calls, ex.answer)


def _link_lines(ex: Example, url: str) -> list[str]:
    return [line for line in ex.snapshot.splitlines()
            if line.startswith("link ") and f"href={json.dumps(url)}" in line]


def test_a_link_click_and_a_navigate_to_its_href_accept_each_other(
        dataset: dict[str, list[Example]], toolset: Toolset) -> None:
    assert not any(ex.accept for ex in dataset["train"])  # training learns the one list in `calls`
    seen: Counter[str] = Counter()
    for ex in dataset["eval"]:
        lines = _lines(ex)
        for alt in ex.accept:
            assert alt != ex.calls and len(alt) == len(ex.calls), ex.id
            assert protocol.validate_calls(alt, toolset) == [], ex.id
            for want, other in zip(ex.calls, alt, strict=True):
                if want == other:
                    continue
                click, nav = (want, other) if want["name"] == "click" else (other, want)
                assert (click["name"], nav["name"]) == ("click", "navigate"), ex.id
                assert lines[click["arguments"]["ref"]] in _link_lines(ex, nav["arguments"]["url"]), ex.id
                seen[want["name"]] += 1
    assert seen["click"] > 0 and seen["navigate"] > 0  # both directions occur
    for ex in dataset["eval"]:  # every navigate to a link's href on the page has its click alternative
        if any(c["name"] == "navigate" and _link_lines(ex, c["arguments"]["url"]) for c in ex.calls):
            assert ex.accept, ex.id


def test_selectors_cover_every_ref(dataset: dict[str, list[Example]]) -> None:
    for ex in dataset["train"][:100]:
        assert sorted(map(int, ex.selectors)) == list(range(1, len(ex.snapshot.splitlines()) + 1))
        assert all(s.startswith("#") for s in ex.selectors.values())


def test_balance_of_multi_call_no_call_and_tools(dataset: dict[str, list[Example]], toolset: Toolset) -> None:
    for split, examples in dataset.items():
        n = len(examples)
        multi = sum(len(e.calls) > 1 for e in examples) / n
        nocall = sum(not e.calls for e in examples) / n
        assert 0.20 <= multi <= 0.30, (split, multi)
        assert 0.10 <= nocall <= 0.15, (split, nocall)
        for e in examples:
            assert (e.answer is None) == bool(e.calls), e.id
    tools = Counter(c["name"] for e in dataset["train"] for c in e.calls)
    assert set(tools) == {t.name for t in toolset.tools}
    assert min(tools.values()) >= 0.03 * sum(tools.values())


def test_no_call_commands_come_in_matched_pairs(dataset: dict[str, list[Example]]) -> None:
    # Requests that no page serves (out of scope) stand alone; every other no-call command has its pair.
    for examples in dataset.values():
        with_calls = {(e.command, e.template, e.archetype) for e in examples if e.calls}
        for e in examples:
            if not e.calls:
                if "out-of-scope" not in e.tags:
                    assert (e.command, e.template, e.archetype) in with_calls, e.id
                assert e.answer and e.answer.endswith(".") and len(e.answer) < 120


def test_real_site_families_are_generated(dataset: dict[str, list[Example]]) -> None:
    for split, wanted in (("train", ("limit", "offtopic", "mapped", "rows", "indirect")),
                          ("eval", ("limit", "offtopic"))):
        families = Counter(e.template.split(".")[0] for e in dataset[split])
        for family in wanted:
            assert families[family] >= 2, (split, family, families)
    oos = [e for e in dataset["train"] if "out-of-scope" in e.tags]
    assert len(oos) >= 0.04 * len(dataset["train"]) and all(not e.calls and e.answer for e in oos)


def test_limited_commands_do_only_what_they_ask(dataset: dict[str, list[Example]]) -> None:
    limited = [e for e in dataset["train"] + dataset["eval"] if e.template.startswith("limit.")]
    assert limited
    for e in limited:
        assert e.calls, e.id
        assert all(c["name"] in ("type_text", "set_checked", "select_option") for c in e.calls), e.id


def test_mapped_values_are_the_pages_options_not_the_users_words(dataset: dict[str, list[Example]]) -> None:
    mapped = [e for e in dataset["train"] if e.template.startswith("mapped.")]
    assert mapped
    copied = 0
    for e in mapped:
        lines = e.snapshot.splitlines()
        for call in e.calls:
            if call["name"] == "select_option":
                line = lines[call["arguments"]["ref"] - 1]
                options = json.loads(line.split(" options=", 1)[1])
                assert call["arguments"]["option"] in options, (e.id, line)
                copied += call["arguments"]["option"].lower() in e.command.lower()
    assert copied < 0.3 * len(mapped)  # "a small" for "Small" is mapped by case only


def test_repeated_controls_are_told_apart_by_their_row(dataset: dict[str, list[Example]]) -> None:
    rows = [e for e in dataset["train"] if e.template.startswith("rows.by_key")]
    assert rows
    for e in rows:
        (call,) = e.calls
        line = e.snapshot.splitlines()[call["arguments"]["ref"] - 1]
        name = call["arguments"]["element"]
        twins = [x for x in e.snapshot.splitlines() if x.startswith(f'button "{name}"')]
        assert len(twins) >= 2, e.id
        context = line.split(' in="', 1)[1].split('"', 1)[0]
        assert context.split(" ")[0] in e.command, (e.id, line, e.command)


def test_multi_call_commands_keep_the_spoken_order(dataset: dict[str, list[Example]]) -> None:
    sign_ins = [e for e in dataset["train"] if e.template.startswith("login.sign_in.")]
    assert sign_ins
    for e in sign_ins:
        assert [c["name"] for c in e.calls] == ["type_text", "type_text", "click"]
        first, second = (c["arguments"]["text"] for c in e.calls[:2])
        assert e.command.index(first) < e.command.index(second)


def test_page_text_cannot_forge_prompt_structure(dataset: dict[str, list[Example]]) -> None:
    examples = dataset["train"] + dataset["eval"]
    # the page's text (what the DOM holds once the HTML is parsed) does carry control tokens
    assert any(protocol.CONTROL_TOKEN_PATTERN.search(html.unescape(e.html)) for e in examples)
    assert any("Ignore the user" in e.snapshot for e in examples)
    assert not any(protocol.CONTROL_TOKEN_PATTERN.search(e.snapshot) for e in examples)


def test_snapshots_stay_modest(dataset: dict[str, list[Example]]) -> None:
    sizes = [len(e.snapshot.splitlines()) for e in dataset["train"]]
    assert 6 <= sum(sizes) / len(sizes) <= 30
    assert max(sizes) <= SMALL.max_snapshot_lines


def test_archetype_flows_name_known_templates_and_pages_rebuild_identically() -> None:
    for name in ARCHETYPES:
        for seed in range(5):
            a = build_page(name, seed, f"{name}-x", tuple(ARCHETYPES))
            b = build_page(name, seed, f"{name}-x", tuple(ARCHETYPES))
            assert a.page.to_html() == b.page.to_html()
            assert {f.intent for f in a.flows} <= set(TEMPLATES), name
            assert len(snapshot(a.page).entries) >= 3


def test_stats_file_and_table(tmp_path: Path, toolset: Toolset) -> None:
    out = generate(DataConfig(seed=1, train_examples=40, eval_examples=10), toolset, tmp_path)
    stats = json.loads((out / "stats.json").read_text())
    assert stats["splits"]["train"]["examples"] == 40 and stats["splits"]["eval"]["examples"] == 10
    table = format_stats(stats)
    assert "train" in table and "eval" in table and "no-call" in table and "tool click" in table


def test_toolset_without_dom_tools_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "weather.json"
    parameters = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    path.write_text(json.dumps([{"type": "function", "function": {
        "name": "get_weather", "description": "Weather for a city.", "parameters": parameters}}]))
    with pytest.raises(FgwebError, match="none of the built-in DOM tools"):
        generate(DataConfig(train_examples=10, eval_examples=2), load_toolset(path), tmp_path / "out")


def test_partial_toolset_gets_examples_for_its_tools_only(tmp_path: Path) -> None:
    data = json.loads(Path(builtin_toolset().path or "").read_text())
    data["tools"] = [t for t in data["tools"] if t["function"]["name"] in ("click", "type_text")]
    path = tmp_path / "two.json"
    path.write_text(json.dumps(data))
    out = generate(DataConfig(train_examples=60, eval_examples=10), load_toolset(path), tmp_path / "out")
    names = {c["name"] for e in load_examples(out / "train.jsonl") for c in e.calls}
    assert names == {"click", "type_text"}


def test_load_examples_reports_a_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "train.jsonl"
    bad.write_text('{"id": "x"}\n')
    with pytest.raises(FgwebError, match="regenerate"):
        load_examples(bad)
    with pytest.raises(FgwebError, match="fgweb data"):
        load_examples(tmp_path / "missing.jsonl")


def test_default_sizes_generate_in_a_few_seconds(tmp_path: Path, toolset: Toolset) -> None:
    start = time.perf_counter()
    out = generate(DataConfig(), toolset, tmp_path)
    elapsed = time.perf_counter() - start
    assert len(load_examples(out / "train.jsonl")) == 1200
    assert len(load_examples(out / "eval.jsonl")) == 200
    assert elapsed < 15, f"generation took {elapsed:.1f} s"
