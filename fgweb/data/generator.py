"""The generator loop: which templates each split may use (`split_templates`), which tools the toolset
offers (`usable_tools`), and `generate`, which draws pages and commands for each split toward the mix
of mix.py (multi-call examples, matched no-call pairs, the families of web.py, the hard families in
training) and writes train.jsonl, eval.jsonl and stats.json."""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fgweb.config import DataConfig
from fgweb.data import sites, web
from fgweb.data.archetypes import ARCHETYPES, SECONDARY, build_page
from fgweb.data.mix import (
    ELEMENT_TOOLS,
    EVAL_ONLY_ARCHETYPES,
    EVAL_ONLY_SHARE,
    HARD_FAMILIES,
    HELD_OUT_FRACTION,
    MULTI_TARGET,
    NOCALL_TARGET,
    TOOL_ARGS,
    TOOL_WEIGHTS,
    TRAIN_ARCHETYPE_BOOST,
    TRAIN_HARD_SHARE,
    TRAIN_SITE_BOOST,
    TRAIN_WEB_WEIGHTS,
    WEB_SHARE,
    WEB_WEIGHTS,
)
from fgweb.data.page import Built, Example, Target, Task
from fgweb.data.tasks import (
    _PLACEHOLDER,
    _task_ok,
    generic_tasks,
    render_command,
    twin_names,
    unambiguous,
    usable_targets,
)
from fgweb.data.templates import TEMPLATES
from fgweb.errors import FgwebError
from fgweb.snapshot import INTERACTIVE_ROLES, Entry, Node, Snapshot, option_label, snapshot

# -------------------------------------------------------------------------------------------- plan


@dataclass
class Plan:
    """Which templates each split may use, and which tools the toolset offers."""

    templates: dict[str, dict[str, list[int]]]
    tools: set[str]


def split_templates(seed: int) -> dict[str, dict[str, list[int]]]:
    """Returns, per intent, the template indices of each split (eval-only archetypes: all in eval)."""
    rng = random.Random(f"{seed}:templates")
    out: dict[str, dict[str, list[int]]] = {}
    for intent in sorted(TEMPLATES):
        n = len(TEMPLATES[intent])
        indices = list(range(n))
        if intent.split(".", 1)[0] in EVAL_ONLY_ARCHETYPES:
            out[intent] = {"train": [], "eval": indices}
            continue
        held = set(rng.sample(indices, max(1, round(n * HELD_OUT_FRACTION)))) if n >= 3 else set()
        out[intent] = {"train": [i for i in indices if i not in held], "eval": sorted(held)}
    return out


def usable_tools(toolset: Any) -> set[str]:
    """Returns the built-in tool names the toolset declares with the arguments the generator writes."""
    out = set()
    for tool in toolset.tools:
        need = TOOL_ARGS.get(tool.name)
        if need is None:
            continue
        props = set(tool.parameters.get("properties", {}))
        required = set(tool.parameters.get("required", []))
        if need <= props and required <= need:
            out.add(tool.name)
    return out


# ---------------------------------------------------------------------------------------- generation


@dataclass
class _State:
    split: str
    n: int
    rng: random.Random
    examples: list[Example] = field(default_factory=list)
    multi: int = 0
    nocall: int = 0
    single_tools: Counter[str] = field(default_factory=Counter)  # tool of each single-call example
    per_page: Counter[str] = field(default_factory=Counter)  # examples recorded per page id
    # The last page recorded: its id, HTML and selectors (a page's examples are recorded one after another).
    page_cache: tuple[str, str, dict[str, str]] | None = None


def _single_weight(task: Task) -> float:
    """Returns how often a single-call task is drawn against others of its tool: rarer kinds favoured."""
    if task.intent == "scroll_el" or task.intent.startswith(("dialog.", "pagination.", "cart.", "todo.")):
        return 4.0
    return 2.0 if "." in task.intent else 1.0


MAX_ACCEPT = 7  # alternatives kept per example (2 ** 3 - 1: up to three link steps)


def equivalent_calls(calls: list[dict[str, Any]], snap: Snapshot) -> list[list[dict[str, Any]]]:
    """Returns the other call lists that do the same thing: each click on a link may be a `navigate` to
    its href, and each `navigate` a click on any link of the snapshot with that href."""
    links = [(e, href) for e in snap.entries if e.role == "link" and (href := e.node.attr("href"))]
    options: list[list[dict[str, Any]]] = []
    for call in calls:
        args = call["arguments"]
        alts = [call]
        if call["name"] == "click":
            alts += [{"name": "navigate", "arguments": {"url": href}} for e, href in links
                     if e.ref == args.get("ref")]
        elif call["name"] == "navigate":
            alts += [{"name": "click", "arguments": {"element": e.name, "ref": e.ref}}
                     for e, href in links if href == args.get("url")]
        options.append(alts)
    others = (list(combo) for combo in itertools.product(*options) if list(combo) != calls)
    return list(itertools.islice(others, MAX_ACCEPT))


# How a no-call answer names the kind of element that is missing or disabled.
_KIND_WORDS = {"field": "field", "button": "button", "radio": "option", "select": "menu", "link": "link",
               "scroll": "section"}


def _kind_word(target: Target, entry: Entry) -> str:
    if target.kind == "check":
        return "switch" if entry.role == "switch" else "checkbox"
    return _KIND_WORDS.get(target.kind, "element")


class _Generator:
    def __init__(self, cfg: DataConfig, plan: Plan) -> None:
        self.cfg = cfg
        self.plan = plan
        # Pages made per split: a split's page ids do not depend on how many pages the other made.
        self.pages: Counter[str] = Counter()
        train_arch = [a for a in ARCHETYPES if a not in EVAL_ONLY_ARCHETYPES]
        self.arch = {"train": train_arch, "eval": train_arch}
        self.secondary = {"train": tuple(a for a in SECONDARY if a not in EVAL_ONLY_ARCHETYPES),
                          "eval": SECONDARY}

    def new_page(self, st: _State, archetype: str, seed: int) -> tuple[Built, Snapshot]:
        self.pages[st.split] += 1
        page_id = f"{archetype}-{'e' if st.split == 'eval' else ''}{self.pages[st.split]:04d}"
        built = build_page(archetype, seed, page_id, self.secondary[st.split])
        return built, snapshot(built.page, self.cfg.max_snapshot_lines)

    def pick_archetype(self, st: _State) -> str:
        if st.split == "eval" and st.rng.random() < EVAL_ONLY_SHARE:
            return st.rng.choice(EVAL_ONLY_ARCHETYPES)
        if st.split == "train":
            weights = [TRAIN_ARCHETYPE_BOOST if a in web.ARCHETYPES
                       else TRAIN_SITE_BOOST if a in sites.ARCHETYPES else 1.0 for a in self.arch["train"]]
            return st.rng.choices(self.arch["train"], weights)[0]
        return st.rng.choice(self.arch[st.split])

    def record(self, st: _State, built: Built, snap: Snapshot, task: Task, template: int, command: str,
               calls: list[dict[str, Any]], answer: str | None, tags: set[str]) -> None:
        page_id = built.page.page_id
        if st.page_cache is None or st.page_cache[0] != page_id:
            parents = built.page.parents()
            st.page_cache = (page_id, built.page.to_html(),
                             {str(e.ref): built.page.selector(e.node, parents) for e in snap.entries})
        _, page_html, selectors = st.page_cache
        st.per_page[page_id] += 1
        ex = Example(
            id=f"{page_id}-{st.per_page[page_id]}", split=st.split, archetype=built.archetype,
            template=f"{task.intent}.{template}", page_id=page_id, snapshot=snap.text(),
            html=page_html, selectors=dict(selectors),
            command=command, calls=calls, answer=answer, tags=sorted(tags | built.tags),
            accept=equivalent_calls(calls, snap) if st.split == "eval" else [],
        )
        st.examples.append(ex)
        if not calls:
            st.nocall += 1
        elif len(calls) > 1:
            st.multi += 1
        if len(calls) == 1:
            st.single_tools[calls[0]["name"]] += 1

    def calls(self, task: Task, template: str, by_node: dict[Node, Entry]) -> list[dict[str, Any]]:
        order = {m.group(1): m.start() for m in reversed(list(_PLACEHOLDER.finditer(template)))}
        steps = sorted(enumerate(task.steps), key=lambda p: (order.get(p[1].key, 10**6), p[0]))
        out = []
        for _, step in steps:
            args = dict(step.args)
            if step.target is not None and step.tool in ELEMENT_TOOLS:
                entry = by_node[step.target.node]
                args["element"], args["ref"] = entry.name, entry.ref
            out.append({"name": step.tool, "arguments": {k: args[k] for k in sorted(args)}})
        return out

    def choose(self, st: _State, tasks: list[Task], category: str) -> Task | None:
        """Returns a task of the category: multi-call flows favoured; single calls by tool deficit."""
        if category == "multi":
            pool = [t for t in tasks if len(t.steps) > 1]
            if not pool:
                return None
            # A page's own flows first, and longer commands more often: three- to five-call commands are
            # what real forms ask for and where a model stops early.
            return st.rng.choices(pool,
                                  [(3.0 if "." in t.intent else 1.0) * (len(t.steps) - 1) for t in pool])[0]
        by_tool: dict[str, list[Task]] = {}
        for t in tasks:
            if len(t.steps) == 1 and (category != "nocall" or t.target is not None):
                by_tool.setdefault(t.steps[0].tool, []).append(t)
        if not by_tool:
            return None
        total = sum(st.single_tools.values()) or 1
        names = sorted(by_tool)
        weights = [TOOL_WEIGHTS.get(n, 0.1) / (0.02 + st.single_tools[n] / total) for n in names]
        pool = by_tool[st.rng.choices(names, weights)[0]]
        return st.rng.choices(pool, [_single_weight(t) for t in pool])[0]

    def fill(self, st: _State) -> None:
        """Adds examples to `st` until it holds `st.n`, steering toward the multi/no-call targets."""
        misses = 0  # pages in a row that could not give the category the balance asks for
        while len(st.examples) < st.n:
            archetype = self.pick_archetype(st)
            seed = st.rng.getrandbits(48)
            built, snap = self.new_page(st, archetype, seed)
            by_node = snap.by_node()
            twins = twin_names(snap)
            tasks = [t for t in built.flows + generic_tasks(built, snap, st.rng)
                     if self.plan.templates.get(t.intent, {}).get(st.split)
                     and _task_ok(t, by_node, self.plan.tools) and unambiguous(t, by_node, twins)]
            extra = [t for t in web.web_tasks(usable_targets(built, snap), by_node, st.rng, built.sections)
                     if self.plan.templates.get(t.intent, {}).get(st.split) and _task_ok(t, by_node,
                                                                                         self.plan.tools)]
            for _ in range(1 if st.rng.random() < 0.7 else 2):
                left = st.n - len(st.examples)
                if left <= 0 or not tasks:
                    break
                total = len(st.examples)
                hard = [t for t in tasks if t.intent.split(".")[0] in HARD_FAMILIES]
                if st.split == "train" and hard and st.rng.random() < TRAIN_HARD_SHARE:
                    drawn = st.rng.choice(hard)
                    tasks.remove(drawn)
                    template = st.rng.choice(self.plan.templates[drawn.intent][st.split])
                    text = TEMPLATES[drawn.intent][template]
                    command, _ = render_command(text, drawn, by_node, st.rng)
                    calls = self.calls(drawn, text, by_node)
                    self.record(st, built, snap, drawn, template, command, calls, None,
                                ({"multi"} if len(calls) > 1 else set()) | {drawn.intent.split(".")[0]})
                    continue
                if extra and st.rng.random() < WEB_SHARE:
                    table = TRAIN_WEB_WEIGHTS if st.split == "train" else WEB_WEIGHTS
                    weights = [table.get(t.intent.split(".")[0], 1.0) for t in extra]
                    drawn = st.rng.choices(extra, weights)[0]
                    extra.remove(drawn)
                    template = st.rng.choice(self.plan.templates[drawn.intent][st.split])
                    text = TEMPLATES[drawn.intent][template]
                    command, _ = render_command(text, drawn, by_node, st.rng)
                    calls = self.calls(drawn, text, by_node)
                    tags = ({"multi"} if len(calls) > 1
                            else {"no-call", "out-of-scope"} if not calls else set())
                    self.record(st, built, snap, drawn, template, command, calls, drawn.answer or None,
                                tags | {drawn.intent.split(".")[0]})
                    continue
                if left >= 2 and st.nocall < NOCALL_TARGET * (total + 2):
                    category = "nocall"
                elif st.multi < MULTI_TARGET * (total + 1):
                    category = "multi"
                else:
                    category = "single"
                task = self.choose(st, tasks, category)
                if task is None and misses < 50:
                    misses += 1
                    break
                task = task or self.choose(st, tasks, "single")
                if task is None:
                    break
                template = st.rng.choice(self.plan.templates[task.intent][st.split])
                text = TEMPLATES[task.intent][template]
                command, chosen = render_command(text, task, by_node, st.rng)
                calls = self.calls(task, text, by_node)
                if category == "nocall":
                    pair = self.nocall_page(st, built, by_node, seed, task, chosen)
                    if pair is None and misses < 50:
                        misses += 1
                        break
                    if pair is not None:
                        misses = 0
                        self.record(st, built, snap, task, template, command, calls, None, {"pair"})
                        b_built, b_snap, answer, tag = pair
                        self.record(st, b_built, b_snap, task, template, command, [], answer, {"no-call",
                                                                                               tag})
                        break
                misses = 0
                tasks.remove(task)
                self.record(st, built, snap, task, template, command, calls, None,
                            {"multi"} if len(calls) > 1 else set())

    def nocall_page(self, st: _State, built: Built, by_node: dict[Node, Entry], seed: int, task: Task,
                    chosen: dict[str, str]) -> tuple[Built, Snapshot, str, str] | None:
        """Returns the matched page where the command cannot be carried out, its snapshot and answer."""
        target = task.target
        assert target is not None
        entry = by_node[target.node]
        index = built.targets.index(target)
        key = next((k for k, s in task.slots.items() if s.target is target), None)
        mention = chosen.get(key, entry.name) if key else entry.name
        variants = ["missing"] * 6
        if target.kind == "select" and "o" in chosen:
            variants += ["option"] * 2
        if target.kind in ("button", "field", "check", "select"):
            variants += ["disabled"]
        variant = st.rng.choice(variants)
        b_built, _ = self.new_page(st, built.archetype, seed)
        b_target = b_built.targets[index]
        parents = b_built.page.parents()
        if variant == "missing":
            if target.kind == "text":
                if not target.noun:
                    return None
                answer = f"There is no {target.noun} on this page."
            else:
                answer = f"There is no {mention} {_kind_word(target, entry)} on this page."
            parents[b_target.remove].children.remove(b_target.remove)
        elif variant == "option":
            option = task.slots["o"].text
            node = next(o for o in b_target.node.iter() if o.tag == "option" and option_label(o) == option)
            b_target.node.children.remove(node)
            answer = f"There is no {chosen['o']} option in the {mention} menu."
        else:
            b_target.node.attrs["disabled"] = True
            answer = f"The {mention} {_kind_word(target, entry)} is disabled."
        b_snap = snapshot(b_built.page, self.cfg.max_snapshot_lines)
        if variant == "missing" and target.kind != "text":
            words = mention.lower()
            for e in b_snap.entries:
                name = e.name.lower()
                if e.role in INTERACTIVE_ROLES and name and (words in name or name in words):
                    return None
        if variant == "missing" and target.kind == "text":
            listed = b_snap.by_node()
            same = [t for t in b_built.targets if t.qkind == target.qkind and t.qvars == target.qvars]
            if any(t.node in listed for t in same if t is not b_target):
                return None
        return b_built, b_snap, answer, variant


def _stats_for(examples: list[Example]) -> dict[str, Any]:
    n = len(examples)
    lines = [len(e.snapshot.splitlines()) for e in examples]
    calls_hist = Counter(str(min(len(e.calls), 5)) for e in examples)
    tools = Counter(c["name"] for e in examples for c in e.calls)
    return {
        "examples": n,
        "pages": len({e.page_id for e in examples}),
        "templates": len({e.template for e in examples}),
        "archetypes": dict(sorted(Counter(e.archetype for e in examples).items())),
        "tools": dict(sorted(tools.items())),
        "calls_per_example": dict(sorted(calls_hist.items())),
        "no_call_fraction": round(sum(1 for e in examples if not e.calls) / n, 4) if n else 0.0,
        "multi_call_fraction": round(sum(1 for e in examples if len(e.calls) > 1) / n, 4) if n else 0.0,
        "injection_pages": len({e.page_id for e in examples if "injection" in e.tags}),
        "snapshot_lines": {"min": min(lines, default=0), "mean": round(sum(lines) / n, 2) if n else 0.0,
                           "max": max(lines, default=0)},
        "command_chars_mean": round(sum(len(e.command) for e in examples) / n, 1) if n else 0.0,
    }


def generate(cfg: DataConfig, toolset: Any, out_dir: Path) -> Path:
    """Writes train.jsonl, eval.jsonl and stats.json into `out_dir`; returns `out_dir`."""
    if cfg.train_examples < 1 or cfg.eval_examples < 0:
        raise FgwebError(f"data: train_examples={cfg.train_examples}, eval_examples={cfg.eval_examples}: "
                         "ask for at least 1 training example and 0 or more eval examples")
    if cfg.max_snapshot_lines < 6:
        raise FgwebError(f"data: max_snapshot_lines={cfg.max_snapshot_lines} is too small for the page "
                         "archetypes: use 6 or more (the default is 40)")
    tools = usable_tools(toolset)
    if not tools:
        names = ", ".join(sorted(TOOL_ARGS))
        raise FgwebError(f"data: the toolset declares none of the built-in DOM tools ({names}) with their "
                         "arguments; the generator writes examples only for those: add them to the toolset")
    plan = Plan(split_templates(cfg.seed), tools)
    gen = _Generator(cfg, plan)
    splits = {}
    for split, n in (("train", cfg.train_examples), ("eval", cfg.eval_examples)):
        st = _State(split, n, random.Random(f"{cfg.seed}:{split}"))
        gen.fill(st)
        splits[split] = st.examples
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for split, examples in splits.items():
        with (out_dir / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for ex in examples:
                f.write(json.dumps(ex.to_json(), ensure_ascii=False) + "\n")
    held = sum(len(v["eval"]) for k, v in plan.templates.items() if k.split(".",
                                                                            1)[0] not in EVAL_ONLY_ARCHETYPES)
    stats = {
        "seed": cfg.seed,
        "eval_only_archetypes": list(EVAL_ONLY_ARCHETYPES),
        "held_out_templates": held,
        "tools_used": sorted(tools),
        "tools_without_examples": sorted(set(toolset_names(toolset)) - tools),
        "splits": {split: _stats_for(examples) for split, examples in splits.items()},
    }
    (out_dir / "stats.json").write_text(json.dumps(stats, indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    return out_dir


def toolset_names(toolset: Any) -> list[str]:
    """Returns the names of the toolset's tools."""
    return [t.name for t in toolset.tools]
