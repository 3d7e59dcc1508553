"""The site kit: what every site page of this package draws on. Pools (companies, weekdays, mail topics,
job titles, …), formats (amounts in several currencies, dates and times as pages write them and as
people say them), chrome (a header with links, a search box and icon buttons, a sidebar, a footer,
dialogs, ARIA switches, menus and radio groups), and the flows of repeated rows, mapped values and
questions a page element answers (`row_flows`, `mapped_select`, `mapped_radio`, `read_target`)."""

from __future__ import annotations

import datetime
import random
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fgweb.data.page import FIRST, LAST, SITE_LABEL_STYLES, Ctx, M, S, Slot, Step, Target, V, labelled_field
from fgweb.data.web import NUMBER_WORDS, ORDINALS, PLACEHOLDER_OPTIONS
from fgweb.snapshot import Node, el

# ---------------------------------------------------------------------------------------------- pools

COMPANIES = ["Northwind", "Bluebird Labs", "Kestrel & Co", "Orchard Health", "Tidewater", "Pinecrest",
             "Lumen Studio", "Atlas Logistics", "Saffron Kitchen", "Vireo Systems", "Maple & Finch",
             "Copperleaf", "Quarry Analytics", "Nimbus Cloud", "Harbourside Dental", "O'Neill Builders",
             "Zephyr Energy", "Marigold Foods", "Ironbark Legal", "Sato Design"]
# Pools two kinds of site draw from: mail and kanban (topics), jobs and social feed (job titles).
MAIL_TOPICS = ["budget", "offsite", "Q3 roadmap", "contract", "launch plan", "kitchen quote",
               "visa paperwork",
               "hiring plan", "school trip", "lease renewal", "conference talk", "tax return"]
JOB_TITLES = ["Senior Frontend Engineer", "Registered Nurse", "Warehouse Associate", "Data Analyst",
              "Barista", "UX Designer", "Accountant", "Customer Success Manager", "Electrician",
              "Primary School Teacher", "DevOps Engineer", "Sous Chef", "Pharmacist", "Marketing Coordinator",
              "HGV Driver", "Dental Hygienist", "Product Manager", "Payroll Specialist"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]
HOUR_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
              9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}
GLYPHS = ("⋯", "✕", "☆", "↓", "⚙", "+", "♡", "✎")
ICON_PATHS = ("M4 6h16M4 12h16M4 18h16", "M12 2a10 10 0 1 0 0 20", "M6 9l6 6 6-6", "M5 5l14 14M19 5L5 19",
              "M12 5v14M5 12h14", "M3 6h18M8 6V4h8v2")
# The visually hidden text of an icon button (`.sr-only`): its name, never page text.
SR_ONLY = ("position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); "
           "white-space: nowrap")
HEADER_ICONS = ("Notifications", "Help", "Settings", "Account menu", "Apps", "Messages", "Profile")
FOOTER_LINKS = ("Privacy", "Terms", "Accessibility", "Cookie settings", "Contact us", "Help centre",
                "Status", "Careers", "Sitemap")
# Currency styles: how an amount is written on the page.
CURRENCIES = ("$", "£", "€", "€de", "A$", "CHF")
AMOUNT_WORDS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 75: "seventy-five",
                80: "eighty", 100: "a hundred", 150: "a hundred and fifty", 200: "two hundred",
                300: "three hundred", 500: "five hundred", 1000: "a thousand"}
CURRENCY_WORDS = {"$": ("dollars", "bucks"), "£": ("pounds", "quid"), "€": ("euros",), "€de": ("euros",),
                  "A$": ("dollars",), "CHF": ("francs",)}


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "x"


def _path(text: str) -> str:
    return "/" + _slug(text)


def _begin(c: Ctx) -> None:
    """Site pages label fields in every way real markup does (aria-labelledby and bare captions too)."""
    c.label_styles = SITE_LABEL_STYLES


def _distinct(make: Callable[[], Any], n: int, key: Callable[[Any], Any] = lambda x: x) -> list[Any]:
    """Returns up to n items from `make` whose keys differ (rows must be told apart by their key)."""
    out: list[Any] = []
    seen: set[Any] = set()
    for _ in range(20 * n):
        item = make()
        if key(item) not in seen:
            seen.add(key(item))
            out.append(item)
        if len(out) == n:
            break
    return out


def _people(c: Ctx, n: int) -> list[tuple[str, str]]:
    """n (first, last) names with distinct first names: a row can be named by whose it is."""
    return [(f, c.pick(LAST)) for f in c.rng.sample(FIRST, n)]


# ---------------------------------------------------------------------------------------------- formats


def money(c: Ctx, amount: float, cur: str) -> str:
    """An amount as pages write it: "$1,240.50", "£89.00", "1.240,50 €", "CHF 45.00"."""
    whole, cents = int(amount), round(amount * 100) % 100
    if cur == "€de":
        return f"{whole:,}".replace(",", ".") + f",{cents:02d} €"
    if cur == "CHF":
        return f"CHF {whole:,}.{cents:02d}"
    return f"{cur}{whole:,}.{cents:02d}"


def spoken_amount(c: Ctx, amount: int, cur: str) -> str:
    """A round amount as a user says it: "£50", "50 quid", "fifty pounds", "50"."""
    sign = {"€de": "€"}.get(cur, cur)
    forms = [f"{sign}{amount}", str(amount), f"{amount} {c.pick(CURRENCY_WORDS[cur])}"]
    if amount in AMOUNT_WORDS:
        forms += [f"{AMOUNT_WORDS[amount]} {CURRENCY_WORDS[cur][0]}"] * 2
    return c.pick(forms)


def date_text(c: Ctx, day: datetime.date, style: str | None = None) -> str:
    """A date as pages write it, in one of several styles."""
    style = style or c.pick(["d M Y", "M d, Y", "dd/mm/yyyy", "mm/dd/yyyy", "iso", "D d M", "d.m.Y"])
    mon = MONTH_NAMES[day.month - 1][:3]
    return {"d M Y": f"{day.day} {mon} {day.year}", "M d, Y": f"{mon} {day.day}, {day.year}",
            "dd/mm/yyyy": f"{day.day:02d}/{day.month:02d}/{day.year}",
            "mm/dd/yyyy": f"{day.month:02d}/{day.day:02d}/{day.year}", "iso": day.isoformat(),
            "D d M": f"{WEEKDAYS[day.weekday()][:3]} {day.day} {mon}",
            "d.m.Y": f"{day.day}.{day.month}.{day.year}"}[style]


def random_day(c: Ctx, year: int = 2026) -> datetime.date:
    return datetime.date(year, c.rng.randint(1, 12), c.rng.randint(1, 28))


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def spoken_date(c: Ctx, day: datetime.date) -> str:
    """A date as a user says or types it: "3rd of March 1987", "March 3, 1987", "03/03/1987"."""
    name = MONTH_NAMES[day.month - 1]
    return c.pick([f"{ordinal(day.day)} of {name} {day.year}", f"{name} {ordinal(day.day)}, {day.year}",
                   f"{day.day} {name} {day.year}", f"{day.day} {name[:3].lower()} {day.year}",
                   f"{day.day:02d}/{day.month:02d}/{day.year}", f"{day.day}.{day.month}.{day.year}"])


def time_label(h: int, m: int, style: str) -> str:
    """A time as a select or slot shows it: "19:30", "7:30 PM", "7:30pm", "07:30"."""
    h12, ap = (h % 12 or 12), ("AM" if h < 12 else "PM")
    return {"24": f"{h:02d}:{m:02d}", "12": f"{h12}:{m:02d} {ap}", "12s": f"{h12}:{m:02d}{ap.lower()}"}[style]


def spoken_times(h: int, m: int, unique_12h: bool) -> list[str]:
    """How a user says a time ("half seven", "7:30pm", "quarter past 9"); without am/pm only when no
    other choice on the page shares the 12-hour reading."""
    h12, ap = (h % 12 or 12), ("am" if h < 12 else "pm")
    part = "in the morning" if h < 12 else "in the afternoon" if h < 17 else "in the evening"
    word, nxt = HOUR_WORDS[h12], HOUR_WORDS[h12 % 12 + 1]
    marked = [f"{h12}:{m:02d}{ap}", f"{h12}:{m:02d} {part}"]
    bare = [f"{h12}:{m:02d}", f"{h12}.{m:02d}"]
    if m == 0:
        marked += [f"{h12}{ap}", f"{h12} {ap}", f"{word} {part}"]
        bare += [f"{word} o'clock", f"{h12} o'clock", word]
    elif m == 30:
        marked += [f"half {word} {part}", f"{h12}.30{ap}"]
        bare += [f"half {word}", f"half past {word}", f"half past {h12}", f"{word} thirty"]
    elif m == 15:
        marked += [f"quarter past {h12} {part}"]
        bare += [f"quarter past {word}", f"quarter past {h12}"]
    elif m == 45:
        marked += [f"quarter to {nxt} {part}"]
        bare += [f"quarter to {nxt}", f"{word} forty-five"]
    return marked + (bare if unique_12h else [])


def time_options(c: Ctx, first: int, count: int, step: int = 30) -> list[tuple[int, int]]:
    """`count` times from hour `first`, `step` minutes apart."""
    return [divmod(first * 60 + i * step, 60) for i in range(count)]


def say_time(c: Ctx, slots: list[tuple[int, int]], i: int) -> str:
    h, m = slots[i]
    unique = sum(1 for hh, mm in slots if hh % 12 == h % 12 and mm == m) == 1
    return c.pick(spoken_times(h, m, unique))


# ---------------------------------------------------------------------------------------------- chrome


def icon_button(c: Ctx, label: str, *, aliases: tuple[str, ...] = ()) -> tuple[Node, Target]:
    """A button that shows only an icon: named by aria-label (mostly), visually hidden text, its image's
    alt, or its title."""
    style = c.rng.choices(["aria", "img", "title", "span", "sr-only"], [5, 2, 1, 1, 2])[0]
    svg = el("svg", el("path", d=c.pick(ICON_PATHS)), viewBox="0 0 24 24", aria_hidden="true")
    if style == "aria":
        node = el("button", svg, type="button", aria_label=label)
    elif style == "img":
        node = el("button", el("img", src=f"/icons/{_slug(label)}.svg", alt=label), type="button")
    elif style == "title":
        node = el("button", el("span", c.pick(GLYPHS), aria_hidden="true"), type="button", title=label)
    elif style == "sr-only":
        node = el("button", svg, el("span", label, style=SR_ONLY, class_="sr-only"), type="button")
    else:
        node = el("span", svg, role="button", tabindex="0", aria_label=label)
    return node, c.add(Target(node, "button", node, aliases))


def act_button(c: Ctx, act: str, icon: bool) -> tuple[Node, Target]:
    """A row's action: a text button, or an icon named by aria-label (the same name in every row)."""
    return icon_button(c, act) if icon else c.button(act)


def aria_switch(c: Ctx, label: str, on: bool, *, aliases: tuple[str, ...] = ()) -> tuple[Node, Target]:
    """A switch built from ARIA (role=switch or role=checkbox, aria-checked), as design systems draw."""
    role = c.pick(["switch", "switch", "checkbox"])
    state = "true" if on else "false"
    if c.chance(0.5):
        node = el("button", role=role, aria_checked=state, aria_label=label, type="button")
        wrapper = el("div", node, el("span", label, aria_hidden="true"), class_="toggle")
    else:
        ident = c.uid(label + "-lbl")
        node = el("div", role=role, aria_checked=state, aria_labelledby=ident, tabindex="0")
        wrapper = el("div", el("span", label, id=ident), node, class_="toggle")
    return wrapper, c.add(Target(node, "check", wrapper, aliases))


def combo(c: Ctx, label: str, options: Sequence[str], *, selected: int | None = 0,
          placeholder: str | None = None, aliases: tuple[str, ...] = (), how: str | None = None
          ) -> tuple[Node, Target]:
    """A select labelled in any of the ways real forms do; with `placeholder`, a first option that only
    asks for a choice (disabled, or with an empty value) and is shown until one is made."""
    ident = c.uid(label)
    opts: list[Node] = []
    if placeholder is not None:
        opts.append(el("option", placeholder, value="", disabled=c.chance(0.5), selected=True))
        selected = None
    opts += [el("option", o, value=_slug(o), selected=i == selected) for i, o in enumerate(options)]
    how = how or c.rng.choices(["for", "wrap", "aria", "labelledby", "text"], [5, 2, 1, 1, 1])[0]
    control = el("select", *opts, id=ident, name=ident, aria_label=label if how == "aria" else None)
    wrapper = labelled_field(label, ident, control, how)
    return wrapper, c.add(Target(control, "select", wrapper, aliases))


def maybe_placeholder(c: Ctx, p: float = 0.5) -> str | None:
    return c.pick(PLACEHOLDER_OPTIONS) if c.chance(p) else None


def radio_group(c: Ctx, legend: str, labels: Sequence[str], checked: int | None, *,
                aria_labels: Sequence[str] | None = None) -> tuple[Node, list[Target]]:
    """Radios in a fieldset with a legend (wrapped or `for` labels), or an ARIA radiogroup of
    role=radio elements; `aria_labels` name the inputs when their visible text is a symbol (stars)."""
    group = c.uid(legend)
    targets: list[Target] = []
    items: list[Node] = []
    aria = aria_labels is None and c.chance(0.2)
    for i, label in enumerate(labels):
        name = aria_labels[i] if aria_labels else None
        if aria:
            node = el("div", label, role="radio", aria_checked="true" if i == checked else "false",
                      tabindex="0" if i == (checked or 0) else "-1")
            wrapper = node
        elif c.chance(0.5) or name:
            node = el("input", type="radio", name=group, id=c.uid(f"{group}-{label}"), checked=i == checked,
                      aria_label=name)
            wrapper = el("label", node, " " + label, class_="radio")
        else:
            ident = c.uid(f"{group}-{label}")
            node = el("input", type="radio", name=group, id=ident, checked=i == checked)
            wrapper = el("div", node, el("label", " " + label, for_=ident), class_="radio")
        items.append(wrapper)
        targets.append(c.add(Target(node, "radio", wrapper)))
    if aria:
        ident = c.uid(legend + "-legend")
        return el("div", el("p", legend, id=ident), el("div", *items, role="radiogroup",
                                                        aria_labelledby=ident)), targets
    return el("fieldset", el("legend", legend), *items), targets


def header(c: Ctx, brand: str, nav: Sequence[str], *, links: tuple[int, int] = (2, 4),
           search: tuple[str, Callable[[random.Random], str]] | None = None,
           icons: int = 2) -> tuple[Node, Target | None, Target | None]:
    """The site header: the brand (text or logo link), a few nav links, an optional search box (with an
    icon button, sometimes) and a few icon buttons. Returns it with the search box and its button."""
    if c.chance(0.5):
        parts: list[Node] = [c.link(brand, "/")[0]]
    else:
        alt = c.pick([brand, f"{brand} home", f"{brand} logo"])
        parts = [el("a", el("img", src="/logo.svg", alt=alt), href="/", class_="logo")]
    chosen = c.rng.sample(list(nav), min(len(nav), c.rng.randint(*links)))
    if chosen:
        items = []
        for text in chosen:
            node, target = c.link(text, _path(text))
            items.append(el("li", node))
            target.remove = items[-1]
        parts.append(el("nav", el("ul", *items), aria_label=c.pick(["Main", "Primary", "Site"])))
    box = button = None
    if search is not None:
        label, gen = search
        how = c.pick(["aria", "placeholder", "both"])
        node = el("input", type="search", name="q", id=c.uid("q"),
                  aria_label=label if how != "placeholder" else None,
                  placeholder=label + "…" if how != "aria" else None)
        box = c.add(Target(node, "field", node, ("search", "the search box", "search bar"), gen))
        controls = [node]
        if c.chance(0.7):
            b_node, button = icon_button(c, "Search") if c.chance(0.6) else c.button("Search")
            controls.append(b_node)
        parts.append(el("form", *controls, role="search"))
    for label in c.rng.sample(HEADER_ICONS, c.rng.randint(0, icons)):
        parts.append(icon_button(c, label)[0])
    return el("header", *parts), box, button


def footer(c: Ctx, brand: str) -> Node:
    links = [c.link(t, _path(t))[0] for t in c.rng.sample(FOOTER_LINKS, c.rng.randint(2, 3))]
    return el("footer", el("p", f"© {c.rng.randint(2019, 2026)} {brand}"), *links)


def sidebar(c: Ctx, label: str, items: Sequence[str], counts: dict[str, int] | None = None,
            current: str | None = None) -> tuple[Node, dict[str, Target]]:
    """A side navigation: links, some with a count (in the text, hidden from it, or in an aria-label)."""
    targets: dict[str, Target] = {}
    lis = []
    for name in items:
        count = (counts or {}).get(name)
        href = _path(name)
        style = c.pick(["text", "hidden", "aria"]) if count else "plain"
        if style == "text":
            node = el("a", f"{name} ", el("span", str(count), class_="badge"), href=href)
        elif style == "hidden":
            node = el("a", name, el("span", str(count), aria_hidden="true", class_="badge"), href=href)
        elif style == "aria":
            node = el("a", name, el("span", str(count), class_="badge"), href=href,
                      aria_label=f"{name}, {count} {c.pick(['unread', 'new', 'items'])}")
        else:
            node = el("a", name, href=href)
        if name == current:
            node.attrs["aria-current"] = "page"
        targets[name] = c.add(Target(node, "link", node))
        lis.append(el("li", node))
    return el("nav", el("ul", *lis), aria_label=label, class_="sidebar"), targets


def site(c: Ctx, head: Node, content: list[Node], brand: str, *, aside: Node | None = None,
         foot: float = 0.35, kind: str = "") -> list[Node]:
    """Assembles a site page: header, an optional sidebar beside the content, sometimes a footer."""
    body: list[Node | None] = [aside, el("div", *content, class_="content")]
    out = [head, el("div", *[b for b in body if b is not None], class_=f"layout {kind}".strip())]
    if c.chance(foot):
        out.append(footer(c, brand))
    return out


def dialog(c: Ctx, title: str, *children: Node) -> Node:
    """A dialog as pages draw it: <dialog open>, or role=dialog named by aria-labelledby or aria-label."""
    style = c.pick(["dialog", "labelledby", "label"])
    if style == "dialog":
        return el("dialog", el("h2", title), *children, open=True)
    if style == "labelledby":
        ident = c.uid(title + "-title")
        return el("div", el("h2", title, id=ident), *children, role="dialog", aria_modal="true",
                  aria_labelledby=ident)
    return el("div", el("h2", title), *children, role="dialog", aria_label=title)


# ---------------------------------------------------------------------------------------------- rows


def position(c: Ctx, n: int) -> tuple[int, str]:
    """A row index and how a user says it: "first", "2nd", "top", "last", "second to last"."""
    picks = [0, 1, 2, n - 1] if n > 3 else [0, 1, n - 1]
    if n >= 4:
        picks.append(n - 2)
    j = c.pick(picks)
    if j == n - 1 and (j not in ORDINALS or c.chance(0.6)):
        return j, c.pick(["last", "last", "bottom", "final"])
    if j == n - 2 and n >= 4 and (j not in ORDINALS or c.chance(0.5)):
        return j, c.pick(["second to last", "second-last", "next to last"])
    if j == 0 and c.chance(0.25):
        return j, "top"
    return j, c.pick(ORDINALS[j])


def row_flows(c: Ctx, noun: str, keys: Sequence[str], buttons: Sequence[dict[str, Target]], *,
              attrs: Sequence[str] | None = None, owners: Sequence[str] | None = None,
              verbs: dict[str, str] | None = None, by_key: bool = True) -> None:
    """Flows that press one of several rows' same-named buttons: by the row's first text (`keys`), by
    position, by another of its values (`attrs`, with their preposition: "by Adele"), by whose it is.
    `verbs` says a button as a verb where its name is not one ("Edit card" -> "edit"); `by_key=False`
    where a row's context may not start with its key (a kanban column holding one card)."""
    n = len(keys)
    if n < 2:
        return
    acts = list(buttons[0])

    def flow(intent: str, row: int, **slots: Slot) -> None:
        act = c.pick(acts)
        said = (verbs or {}).get(act, act.lower())
        step = Step("click", buttons[row][act], {}, "act")
        c.flow(intent, {"act": S(said), "noun": S(noun), **slots}, [step])

    if by_key:
        i = c.rng.randrange(n)
        flow("rows.by_key", i, key=V(keys[i]))
    j, pos = position(c, n)
    flow("rows.by_pos", j, pos=S(pos))
    if attrs is not None and len(set(attrs)) == n:
        k = c.rng.randrange(n)
        flow("rows.by_attr", k, attr=S(attrs[k]))
    if owners is not None and len(set(owners)) == n:
        k = c.rng.randrange(n)
        flow("rows.owner", k, who=S(owners[k]))


def read_target(c: Ctx, node: Node, qkind: str, noun: str, **qvars: str) -> Node:
    """Registers a text element (p, li, td, dd) as the answer to an `ask.*` question."""
    c.add(Target(node, "text", node, qkind=qkind, qvars=dict(qvars), noun=noun))
    return node


def mapped_select(c: Ctx, target: Target, said: Mapping[str, Sequence[str]], *, bare: bool = True,
                  exclude: str | None = None) -> None:
    """A flow that sets a select from a user's words for one of its options (`said`: label -> phrases);
    `bare`: the phrase names the field by itself ("every week"), so it may stand without the field."""
    labels = [k for k in said if k != exclude]
    if not labels:
        return
    label = c.pick(labels)
    words = c.pick(list(said[label]))
    step = Step("select_option", target, {"option": label}, "o")
    if bare and c.chance(0.5):
        c.flow("mapped.pick", {"o": S(words)}, [step])
    else:
        c.flow("mapped.option", {"c": M(target), "o": S(words)}, [step])


def mapped_radio(c: Ctx, targets: Sequence[Target], labels: Sequence[str], said: Mapping[str, Sequence[str]],
                 checked: int | None) -> None:
    """A flow that picks a radio from a user's words for it (`said`: label -> phrases)."""
    choices = [i for i, lab in enumerate(labels) if lab in said and i != checked]
    if choices:
        i = c.pick(choices)
        c.flow("mapped.pick", {"o": S(c.pick(list(said[labels[i]])))},
               [Step("set_checked", targets[i], {"checked": True}, "o")])


def _spoken_count(c: Ctx, n: int) -> str:
    return c.pick([NUMBER_WORDS.get(n, str(n)), NUMBER_WORDS.get(n, str(n)), str(n)])
