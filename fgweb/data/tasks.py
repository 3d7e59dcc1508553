"""What a command can ask of a page, and how it is worded: the tasks any page supports (one per usable
target and intent, plus a few pairs), the checks that keep a task doable and unambiguous, and
`render_command`, which fills a template with the page's names and values and adds the noise of real
typing (lowercase, typos, politeness, punctuation)."""

from __future__ import annotations

import random
import re
from collections import Counter

from fgweb.data.mix import ROW_FAMILIES
from fgweb.data.page import Built, M, S, Step, Target, Task, V, _steps_click, _type, is_checked
from fgweb.snapshot import INTERACTIVE_ROLES, Entry, Node, Snapshot, is_placeholder_option, option_label

# -------------------------------------------------------------------------------------------- tasks


def _disabled(node: Node) -> bool:
    return node.attr("disabled") is not None or node.attr("aria-disabled") == "true"


def usable_targets(built: Built, snap: Snapshot) -> list[Target]:
    """Returns the targets a command can name on its own: listed, named, enabled, and (for controls)
    with a name no other control of the page shares."""
    by_node = snap.by_node()
    names = Counter(e.name.lower() for e in snap.entries if e.role in INTERACTIVE_ROLES)
    usable: list[Target] = []
    for t in built.targets:
        entry = by_node.get(t.node)
        if entry is None or not entry.name or _disabled(t.node):
            continue
        if t.kind != "text" and names[entry.name.lower()] > 1:
            continue
        usable.append(t)
    return usable


def generic_tasks(built: Built, snap: Snapshot, rng: random.Random) -> list[Task]:
    """Returns the tasks any page supports: one per usable target and intent, plus a few pairs."""
    by_node = snap.by_node()
    usable = usable_targets(built, snap)
    tasks: list[Task] = [Task("scroll_page", {"dir": S(d)}, [Step("scroll", None, {"direction": d}, "dir")])
                         for d in ("up", "down")]
    tasks.append(Task("scroll_down", {}, [Step("scroll", None, {"direction": "down"}, "_")]))
    fields: list[tuple[Target, str]] = []
    checks_on: list[Target] = []
    checks_off: list[Target] = []
    buttons: list[Target] = []
    for t in usable:
        entry = by_node[t.node]
        if t.kind == "button":
            tasks.append(Task("click", {"b": M(t)}, [_steps_click(t)], t))
            buttons.append(t)
        elif t.kind == "field" and t.gen is not None:
            v = t.gen(rng)
            tasks.append(Task("fill", {"f": M(t), "v": V(v)}, [_type(t, v, "v")], t))
            fields.append((t, v))
            if t.node.attr("value") or (t.node.tag == "textarea" and t.node.children):
                tasks.append(Task("clear", {"f": M(t)}, [_type(t, "", "f")], t))
        elif t.kind == "check":
            on = not is_checked(t.node)
            if rng.random() < 0.15:
                on = not on
            tasks.append(Task("check_on" if on else "check_off", {"c": M(t)},
                              [Step("set_checked", t, {"checked": on}, "c")], t))
            (checks_on if on else checks_off).append(t)
        elif t.kind == "radio" and not is_checked(t.node):
            tasks.append(Task("radio", {"r": M(t)}, [Step("set_checked", t, {"checked": True}, "r")], t))
        elif t.kind == "select":
            labels = [option_label(o) for o in t.node.iter()
                      if o.tag == "option" and not is_placeholder_option(o)]
            current = entry.line.split('value="', 1)[1].split('"', 1)[0] if 'value="' in entry.line else ""
            choices = [lab for lab in labels if lab != current]
            if choices:
                o = rng.choice(choices)
                tasks.append(Task("select", {"c": M(t), "o": S(o)},
                                  [Step("select_option", t, {"option": o}, "o")], t))
                if buttons or any(b.kind == "button" for b in usable):
                    b = rng.choice([b for b in usable if b.kind == "button"])
                    tasks.append(Task("select_click", {"c": M(t), "o": S(o), "b": M(b)},
                                      [Step("select_option", t, {"option": o}, "o"), _steps_click(b)]))
        elif t.kind == "link" and not entry.name.isdigit():  # page numbers: pagination.page covers them
            href = t.node.attr("href") or ""
            tasks.append(Task("click_link", {"l": M(t)}, [_steps_click(t, "l")], t))
            tasks.append(Task("navigate", {"l": M(t)}, [Step("navigate", t, {"url": href}, "l")], t))
            if href.startswith("/") and len(href) > 1:
                tasks.append(Task("navigate_url", {"url": V(href)}, [Step("navigate", None, {"url": href},
                                                                          "url")]))
        elif t.kind == "scroll":
            d = rng.choice(["up", "down"])
            tasks.append(Task("scroll_el", {"s": M(t), "dir": S(d)},
                              [Step("scroll", t, {"direction": d}, "dir")], t))
        elif t.kind == "text" and t.qkind:
            slots = {k: S(v) for k, v in t.qvars.items()}
            tasks.append(Task(t.qkind, slots, [Step("read_text", t, {}, "_")], t if t.noun else None))
    if len(fields) >= 2:
        (f1, v1), (f2, v2) = rng.sample(fields, 2)
        tasks.append(Task("fill2", {"f1": M(f1), "v1": V(v1), "f2": M(f2), "v2": V(v2)},
                          [_type(f1, v1, "v1"), _type(f2, v2, "v2")]))
    if fields and buttons:
        (f, v), b = rng.choice(fields), rng.choice(buttons)
        tasks.append(Task("fill_click", {"f": M(f), "v": V(v), "b": M(b)}, [_type(f, v, "v"),
                                                                            _steps_click(b)]))
    for intent, pool, on in (("check2", checks_on, True), ("uncheck2", checks_off, False)):
        if len(pool) >= 2:
            c1, c2 = rng.sample(pool, 2)
            tasks.append(Task(intent, {"c1": M(c1), "c2": M(c2)},
                              [Step("set_checked", c1, {"checked": on}, "c1"),
                               Step("set_checked", c2, {"checked": on}, "c2")]))
    for intent, pool, on in (("check_click", checks_on, True), ("uncheck_click", checks_off, False)):
        if pool and buttons:
            ch, b = rng.choice(pool), rng.choice(buttons)
            tasks.append(Task(intent, {"c": M(ch), "b": M(b)},
                              [Step("set_checked", ch, {"checked": on}, "c"), _steps_click(b)]))
    return tasks


def _task_ok(task: Task, snap_nodes: dict[Node, Entry], tools: set[str]) -> bool:
    for step in task.steps:
        if step.tool not in tools:
            return False
        if step.target is not None:
            entry = snap_nodes.get(step.target.node)
            if entry is None or _disabled(step.target.node) or not entry.name:
                return False
    return all(s.target is None or s.target.node in snap_nodes for s in task.slots.values())


def twin_names(snap: Snapshot) -> set[tuple[str, str]]:
    """Returns the (role, lowercased name) of interactive lines that share them with another line."""
    seen = Counter((e.role, e.name.lower()) for e in snap.entries if e.role in INTERACTIVE_ROLES)
    return {key for key, n in seen.items() if n > 1}


def unambiguous(task: Task, by_node: dict[Node, Entry], twins: set[tuple[str, str]]) -> bool:
    """Returns False for a flow that names, by name alone, a control another control shares its name
    with (a second section's "Save"): only the row families tell such controls apart."""
    if task.intent.split(".", 1)[0] in ROW_FAMILIES:
        return True
    for step in task.steps:
        if step.target is not None:
            entry = by_node[step.target.node]
            if (entry.role, entry.name.lower()) in twins:
                return False
    return True


# ------------------------------------------------------------------------------------------ commands

IMPERATIVES = frozenset(
    "click press hit tap type enter set put fill tick check uncheck untick select choose pick turn switch "
    "enable disable scroll go open navigate read show take write change use clear empty delete remove erase "
    "activate "
    "deselect move load visit bring follow push sign log search find look subscribe add join complete mark "
    "send contact book reserve apply redeem make rename update reply post comment buy confirm close dismiss "
    "accept allow get create register drop message text tell leave archive download share play like save "
    "renew transfer pay star assign invite rate sort filter cancel reschedule answer submit email "
    "decline flag upload hide mute unfollow list".split()
)
QUESTION_WORDS = frozenset("what what's how how's which where where's who who's when when's is are does do "
                           "did can whats".split())
# How people open and close a request: politeness, hedges, chat shorthand. A prefix goes before an
# imperative ("could you press Save"), a suffix after anything.
POLITE_PREFIXES = ("please ", "could you ", "can you ", "pls ", "hey, ", "ok, ", "kindly ", "i'd like to ",
                   "i want to ", "would you ", "go ahead and ", "quick one: ", "can u ", "ok so ", "right, ",
                   "could you please ", "i need to ", "help me ")
POLITE_SUFFIXES = (" please", ", thanks", " thx", " for me", " pls", " asap", ", ty",
                   " when you get a chance",
                   " real quick", ", cheers")

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 2)
    op = rng.choice(["swap", "drop", "double"])
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


# What users leave out when they name a field: a required marker, "(optional)", a trailing colon.
_NAME_MARKS = re.compile(r"\s*(\*|\((?:required|optional)\)|:|…|\.\.\.)\s*$", re.IGNORECASE)


def _mention(target: Target, entry: Entry, rng: random.Random) -> str:
    name = _NAME_MARKS.sub("", entry.name) or entry.name
    choices = [name, name, name.lower()] + list(target.aliases)
    return rng.choice(choices)


def render_command(template: str, task: Task, by_node: dict[Node, Entry],
                   rng: random.Random) -> tuple[str, dict[str, str]]:
    """Returns a command rendered from a template with noise, and the plain text chosen for each slot."""
    segments: list[tuple[str, str]] = []  # (kind, text): kind = lit | mention | soft | exact
    chosen: dict[str, str] = {}
    pos = 0
    for m in _PLACEHOLDER.finditer(template):
        segments.append(("lit", template[pos:m.start()]))
        slot = task.slots[m.group(1)]
        if slot.target is not None:
            text = _mention(slot.target, by_node[slot.target.node], rng)
            kind = "mention"
        else:
            text, kind = slot.text, "exact" if slot.exact else "soft"
        chosen[m.group(1)] = text
        segments.append((kind, text))
        pos = m.end()
    segments.append(("lit", template[pos:]))
    missing = [k for k, s in task.slots.items() if s.target is None and s.exact and k not in chosen]
    if missing:
        raise AssertionError(f"template {template!r} of {task.intent} leaves out the value(s) {missing}")
    lower = rng.random() < 0.3
    if rng.random() < 0.12:
        spots = [(i, w.start(), w.end()) for i, (kind, text) in enumerate(segments) if kind in ("lit",
                                                                                                "mention")
                 for w in re.finditer(r"[A-Za-z]{5,}", text)]
        if spots:
            i, a, b = rng.choice(spots)
            kind, text = segments[i]
            segments[i] = (kind, text[:a] + _typo(text[a:b], rng) + text[b:])
    if lower:
        segments = [(k, t if k == "exact" else t.lower()) for k, t in segments]
    command = "".join(t for _, t in segments).strip()
    first = command.split(" ", 1)[0].strip(",.:").lower()
    question = first in QUESTION_WORDS
    if first in IMPERATIVES and rng.random() < 0.25:
        command = rng.choice(POLITE_PREFIXES) + command
        question = command.startswith(("could", "can", "would"))
    elif rng.random() < 0.08:
        command += rng.choice(POLITE_SUFFIXES)
    if not lower:
        command = command[0].upper() + command[1:]
        if question:
            command += "?" if rng.random() < 0.8 else ""
        else:
            command += rng.choice([".", "", "", "!"]) if not command.endswith((".", "?", "!")) else ""
    return command, chosen
