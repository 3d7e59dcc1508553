"""The synthetic dataset: determinism, splits, call validity, balance, pairs, speed."""

from __future__ import annotations

import html
import json
import random
import re
import time
from collections import Counter
from pathlib import Path
from statistics import mean

import pytest

from fgweb import protocol
from fgweb.config import DataConfig
from fgweb.data import (
    ARCHETYPES,
    EVAL_ONLY_ARCHETYPES,
    HARD_FAMILIES,
    ROW_FAMILIES,
    TEMPLATES,
    Example,
    build_page,
    format_stats,
    generate,
    generic_tasks,
    is_checked,
    load_examples,
    render_command,
    sites,
    split_templates,
    usable_targets,
    web,
)
from fgweb.errors import FgwebError
from fgweb.snapshot import INTERACTIVE_ROLES, TEXT_ROLES, snapshot
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
    for split, wanted in (("train", ("limit", "offtopic", "mapped", "rows", "indirect", "ask", "form")),
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
    checked = 0
    for e in dataset["train"] + dataset["eval"]:
        texts = [c["arguments"]["text"] for c in e.calls if c["name"] == "type_text"]
        # values said once each, none inside another: their calls come in the order they are said
        if len(texts) < 2 or any(e.command.count(t) != 1 for t in texts):
            continue
        if any(a != b and a in b for a in texts for b in texts):
            continue
        positions = [e.command.index(t) for t in texts]
        assert positions == sorted(positions), (e.id, e.command, texts)
        checked += 1
    assert checked >= 20


def test_page_text_cannot_forge_prompt_structure(dataset: dict[str, list[Example]]) -> None:
    examples = dataset["train"] + dataset["eval"]
    # the page's text (what the DOM holds once the HTML is parsed) does carry control tokens
    assert any(protocol.CONTROL_TOKEN_PATTERN.search(html.unescape(e.html)) for e in examples)
    assert any("Ignore the user" in e.snapshot for e in examples)
    assert not any(protocol.CONTROL_TOKEN_PATTERN.search(e.snapshot) for e in examples)


def test_snapshots_are_as_long_as_real_pages_but_bounded(dataset: dict[str, list[Example]]) -> None:
    # Real pages run about 31 lines; the training step's cost grows with the snapshot: about 20-25.
    sizes = [len(e.snapshot.splitlines()) for e in dataset["train"]]
    assert 18 <= sum(sizes) / len(sizes) <= 27
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


# ------------------------------------------------------------------------- site pages (data/sites/)

SITE_SEEDS = range(12)


@pytest.fixture(scope="module")
def site_pages() -> dict[str, list]:
    """A dozen pages of each site archetype with their snapshots (built as the generator builds them)."""
    out: dict[str, list] = {}
    for name in sites.ARCHETYPES:
        out[name] = []
        for seed in SITE_SEEDS:
            built = build_page(name, seed, f"{name}-t{seed}", ())
            out[name].append((built, snapshot(built.page)))
    return out


def test_site_archetypes_build_within_the_budget_and_offer_hard_flows(site_pages: dict[str, list]) -> None:
    assert len(sites.ARCHETYPES) >= 8
    assert set(sites.ARCHETYPES) <= set(ARCHETYPES) and not set(sites.ARCHETYPES) & set(EVAL_ONLY_ARCHETYPES)
    for name, pages in site_pages.items():
        sizes = [len(snap.entries) for _, snap in pages]
        assert max(sizes) <= 40 and 14 <= mean(sizes) <= 38, (name, sizes)
        families: Counter[str] = Counter()
        for built, snap in pages:
            by_node = snap.by_node()
            for flow in built.flows:
                assert flow.intent in TEMPLATES, (name, flow.intent)
                families[flow.intent.split(".")[0]] += 1
                # every step names an element of the snapshot (or the page budget dropped a text line)
                assert all(s.target is None or s.target.node in by_node or s.tool == "read_text"
                           for s in flow.steps), (name, flow.intent)
        hard = {f for f in families if f in HARD_FAMILIES}
        assert len(hard) >= 2, (name, families)  # each site teaches at least two of the hard families


def test_site_pages_rebuild_identically_and_vary_their_layout(site_pages: dict[str, list]) -> None:
    for name, pages in site_pages.items():
        built = build_page(name, 3, f"{name}-t3", ())
        assert built.page.to_html() == pages[3][0].page.to_html()
        # several layouts: the pages of one archetype differ in their shape, not only their words
        shapes = {tuple(e.role for e in snap.entries) for _, snap in pages}
        assert len(shapes) >= 6, name


def test_site_pages_use_the_markup_of_real_sites(site_pages: dict[str, list]) -> None:
    markup = "".join(built.page.to_html() for pages in site_pages.values() for built, _ in pages)
    for marker in ("<label for=", "<label class=\"field\">", "aria-label=", "aria-labelledby=",
                   "placeholder=",
                   "<fieldset>", "<legend>", 'role="dialog"', "<dialog open>", 'role="switch"',
                   'role="radiogroup"', "<table>", "<header>", "<footer>", 'class="sidebar"',
                   'class="sr-only"',
                   'role="status"', "overflow", 'value=""', "<img "):
        assert marker in markup, marker
    roles = Counter(e.role for pages in site_pages.values() for _, snap in pages for e in snap.entries)
    for role in ("textbox", "searchbox", "checkbox", "switch", "radio", "combobox", "button", "link",
                 "dialog",
                 "heading", "text", "listitem", "cell", "status"):
        assert roles[role] > 0, role


def test_site_flows_cover_every_tool_and_change_what_they_tick(site_pages: dict[str, list]) -> None:
    tools: Counter[str] = Counter()
    for pages in site_pages.values():
        for built, snap in pages:
            for task in built.flows + generic_tasks(built, snap, random.Random(0)):
                tools.update(s.tool for s in task.steps)
            for flow in built.flows:
                for step in flow.steps:
                    if step.tool == "set_checked":  # a flow's box or radio is not already as asked
                        assert is_checked(step.target.node) != step.args["checked"], flow.intent
    assert set(tools) == {"click", "type_text", "select_option", "set_checked", "read_text", "scroll",
                          "navigate"}


def test_every_intent_is_produced_and_every_template_renders() -> None:
    """Each intent of TEMPLATES comes from some page (a flow, a generic task or a web.py family), and
    each of its templates renders with that task's slots."""
    seen: dict[str, tuple] = {}
    for name in ARCHETYPES:
        for seed in range(15):
            built = build_page(name, seed, f"{name}-r", tuple(ARCHETYPES))
            snap = snapshot(built.page)
            by_node = snap.by_node()
            rng = random.Random(seed)
            tasks = (built.flows + generic_tasks(built, snap, rng)
                     + web.web_tasks(usable_targets(built, snap), by_node, rng, built.sections))
            for task in tasks:
                if all(s.target is None or s.target.node in by_node for s in task.slots.values()):
                    seen.setdefault(task.intent, (task, by_node))
    assert set(seen) == set(TEMPLATES), sorted(set(TEMPLATES) ^ set(seen))
    for intent, (task, by_node) in seen.items():
        for template in TEMPLATES[intent]:
            assert set(re.findall(r"\{(\w+)\}", template)) <= set(task.slots), (intent, template)
            command, _ = render_command(template, task, by_node, random.Random(1))
            assert command and "{" not in command, (intent, template)


def test_hard_families_have_many_ways_to_say_them() -> None:
    families: Counter[str] = Counter()
    for intent, templates in TEMPLATES.items():
        family = intent.split(".")[0]
        families["fill" if family.startswith("fill") else family] += len(templates)
    for family, at_least in (("mapped", 100), ("indirect", 70), ("rows", 40), ("limit", 80), ("offtopic",
                                                                                              100),
                             ("typed", 35), ("fill", 90), ("ask", 60), ("form", 40)):
        assert families[family] >= at_least, (family, families[family])
    # every intent with three or more templates keeps some for eval only
    for intent, split in split_templates(1234).items():
        if len(TEMPLATES[intent]) >= 3 and intent.split(".")[0] not in EVAL_ONLY_ARCHETYPES:
            assert split["eval"] and split["train"], intent


def test_no_command_names_a_shared_control_except_by_its_row(dataset: dict[str, list[Example]]) -> None:
    for e in dataset["train"] + dataset["eval"]:
        if e.template.split(".")[0] in ROW_FAMILIES:
            continue
        lines = e.snapshot.splitlines()
        names = Counter(re.match(r'(\w+) (".*?") \[ref=', line).groups() for line in lines
                        if line.split(" ", 1)[0] in INTERACTIVE_ROLES)
        for call in e.calls:
            line = lines[call["arguments"].get("ref", 0) - 1] if "ref" in call["arguments"] else ""
            if line.split(" ", 1)[0] in INTERACTIVE_ROLES:
                key = re.match(r'(\w+) (".*?") \[ref=', line).groups()
                assert names[key] == 1, (e.id, e.template, line)


def test_questions_read_the_element_that_answers_them(dataset: dict[str, list[Example]]) -> None:
    asked = [e for e in dataset["train"] if e.template.startswith("ask.") and e.calls]
    assert asked
    for e in asked:
        (call,) = e.calls
        assert call["name"] == "read_text", e.id
        role = e.snapshot.splitlines()[call["arguments"]["ref"] - 1].split(" ", 1)[0]
        assert role in TEXT_ROLES, (e.id, role)


def test_out_of_scope_requests_skip_pages_that_can_serve_them() -> None:
    built = build_page("music", 0, "music-o", ())
    snap = snapshot(built.page)
    assert "music" in built.sections
    targets, by_node = usable_targets(built, snap), snap.by_node()
    drawn = {t.intent for seed in range(300)
             for t in web.web_tasks(targets, by_node, random.Random(seed), built.sections) if not t.steps}
    assert "offtopic.media" not in drawn and "offtopic.other_app" not in drawn
    assert {"offtopic.weather", "offtopic.chat", "offtopic.knowledge"} <= drawn
    for family, kinds in web.OFFTOPIC_CLASHES.items():
        assert family in web.ANSWERS and kinds <= set(ARCHETYPES), family


def test_aria_switches_are_read_by_their_aria_checked_state(site_pages: dict[str, list]) -> None:
    found = 0
    for pages in site_pages.values():
        for built, snap in pages:
            by_node = snap.by_node()
            for task in generic_tasks(built, snap, random.Random(2)):
                step = task.steps[0] if task.steps else None
                if step is None or step.tool != "set_checked" or step.target.node.tag == "input":
                    continue
                if task.intent in ("check_on", "check_off"):
                    shown = "checked=true" in by_node[step.target.node].line
                    assert shown == is_checked(step.target.node)
                    found += 1
    assert found
