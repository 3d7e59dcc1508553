"""`fgweb data`: the synthetic DOM dataset (train.jsonl, eval.jsonl, stats.json).

    from fgweb.config import DataConfig
    from fgweb.tools import builtin_toolset
    out = generate(DataConfig(), builtin_toolset(), Path("data"))   # -> data/ with the three files
    print(format_stats(json.loads((out / "stats.json").read_text())))

Each example is a page (built from `fgweb.snapshot` nodes by one of the archetype builders of
archetypes.py, often with a navigation bar, a second archetype, a footer, a cookie banner, hidden or
disabled distractors, or page text that tries to inject instructions; or by a site builder of
`fgweb/data/sites/`, which draws its own header, sidebar and footer), its snapshot, a command rendered
from a paraphrase template with noise (lowercase, no punctuation, typos, politeness), and the calls that
carry the command out, or no calls and a one-sentence answer when nothing on the page can. Those no-call
examples come as matched pairs: the same command on the same page with and without the named element (or
option), or with the element disabled.

Splits: the archetypes in `EVAL_ONLY_ARCHETYPES` appear only in eval; every other intent keeps
`HELD_OUT_FRACTION` of its templates for eval only; train and eval never share a page or a template.
The same seed gives the same files.

Modules (one step of the generator each):
- mix.py: the dataset's mix (eval-only archetypes, held-out templates, how often each family and tool
  is drawn) and the arguments each built-in tool takes;
- page.py: word pools and value generators, the page model (`Target`, `Slot`, `Step`, `Task`, `Built`,
  `Example`) and `Ctx`, which builds a page's sections;
- archetypes.py: the first archetypes' builders, every page kind (`ARCHETYPES`) and `build_page`;
- web.py: the page kinds and command families of real sites (limits, out of scope, mapped values,
  repeated controls, long fills, indirect commands);
- sites/: the kinds of site the archetypes lack (mail, bank, calendar, files, …) and their site kit;
- templates.py: the command templates of every intent (`TEMPLATES`);
- tasks.py: the tasks any page supports and `render_command`;
- generator.py: the train/eval plan and the loop that writes the files (`generate`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fgweb.data import sites, web
from fgweb.data.archetypes import ARCHETYPES, OWN_CHROME, SECONDARY, build_page
from fgweb.data.generator import (
    MAX_ACCEPT,
    Plan,
    equivalent_calls,
    generate,
    split_templates,
    toolset_names,
    usable_tools,
)
from fgweb.data.mix import (
    ELEMENT_TOOLS,
    EVAL_ONLY_ARCHETYPES,
    EVAL_ONLY_SHARE,
    HARD_FAMILIES,
    HELD_OUT_FRACTION,
    MULTI_TARGET,
    NOCALL_TARGET,
    ROW_FAMILIES,
    TOOL_ARGS,
    TOOL_WEIGHTS,
    TRAIN_ARCHETYPE_BOOST,
    TRAIN_HARD_SHARE,
    TRAIN_SITE_BOOST,
    TRAIN_WEB_WEIGHTS,
    WEB_SHARE,
    WEB_WEIGHTS,
)
from fgweb.data.page import Built, Ctx, Example, Slot, Step, Target, Task, is_checked
from fgweb.data.tasks import generic_tasks, render_command, twin_names, unambiguous, usable_targets
from fgweb.data.templates import TEMPLATES
from fgweb.errors import FgwebError

__all__ = [
    "ARCHETYPES", "ELEMENT_TOOLS", "EVAL_ONLY_ARCHETYPES", "EVAL_ONLY_SHARE", "HARD_FAMILIES",
    "HELD_OUT_FRACTION", "MAX_ACCEPT", "MULTI_TARGET", "NOCALL_TARGET", "OWN_CHROME", "ROW_FAMILIES",
    "SECONDARY", "TEMPLATES", "TOOL_ARGS", "TOOL_WEIGHTS", "TRAIN_ARCHETYPE_BOOST", "TRAIN_HARD_SHARE",
    "TRAIN_SITE_BOOST", "TRAIN_WEB_WEIGHTS", "WEB_SHARE", "WEB_WEIGHTS",
    "Built", "Ctx", "Example", "Plan", "Slot", "Step", "Target", "Task",
    "build_page", "equivalent_calls", "format_stats", "generate", "generic_tasks", "is_checked",
    "load_examples", "render_command", "sites", "split_templates", "toolset_names", "twin_names",
    "unambiguous", "usable_targets", "usable_tools", "web",
]


def load_examples(path: str | Path) -> list[Example]:
    """Returns the examples of a train/eval JSONL file written by `generate`."""
    path = Path(path)
    if not path.is_file():
        raise FgwebError(f"no dataset file at {path}: run `fgweb data` first")
    names = [f.name for f in Example.__dataclass_fields__.values()]
    out = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                out.append(Example(**{k: record[k] for k in names if k in record}))
            except (json.JSONDecodeError, TypeError) as e:
                message = f"{path}:{n} is not a dataset record ({e}): regenerate it with `fgweb data`"
                raise FgwebError(message) from e
    return out


def format_stats(stats: dict[str, Any]) -> str:
    """Returns a readable table of stats.json: one column per split."""
    splits = stats.get("splits", {})
    names = list(splits)
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, get: Callable[[dict[str, Any]], Any]) -> None:
        rows.append((label, [str(get(splits[s])) for s in names]))

    row("examples", lambda s: s["examples"])
    row("pages", lambda s: s["pages"])
    row("templates", lambda s: s["templates"])
    row("no-call", lambda s: f"{s['no_call_fraction']:.1%}")
    row("multi-call", lambda s: f"{s['multi_call_fraction']:.1%}")
    row("injection pages", lambda s: s["injection_pages"])
    row("snapshot lines", lambda s: "{min}/{mean}/{max}".format(**s["snapshot_lines"]))
    for group, prefix, suffix in (("calls_per_example", "  ", " call(s)"), ("tools", "  tool ", ""),
                                  ("archetypes", "  ", "")):
        for key in sorted({k for s in splits.values() for k in s[group]}):
            rows.append((f"{prefix}{key}{suffix}", [str(splits[s][group].get(key, 0)) for s in names]))
    width = max(len(label) for label, _ in rows) + 2
    cols = [max(len(n), *(len(v[i]) for _, v in rows)) + 2 for i, n in enumerate(names)]
    lines = ["".ljust(width) + "".join(n.rjust(c) for n, c in zip(names, cols, strict=True))]
    lines += [label.ljust(width) + "".join(v.rjust(c) for v, c in zip(vals, cols, strict=True))
              for label, vals in rows]
    lines.append(f"eval-only archetypes: {', '.join(stats.get('eval_only_archetypes', []))}; "
                 f"held-out templates: {stats.get('held_out_templates', 0)}; "
                 "snapshot lines = min/mean/max")
    return "\n".join(lines)
