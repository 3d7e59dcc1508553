"""Sites that keep a user's things: a file manager (with rename and share dialogs), a music player (a
playlist and a player bar), a kanban board (columns of cards) and a recipe page."""

from __future__ import annotations

from collections.abc import Callable

from fgweb.data.page import (
    FIRST,
    LAST,
    Ctx,
    M,
    S,
    Slot,
    Step,
    Target,
    V,
    _email,
    _steps_click,
    _type,
    search_flow,
)
from fgweb.data.sites.kit import (
    COMPANIES,
    MAIL_TOPICS,
    _begin,
    _distinct,
    _path,
    _people,
    _spoken_count,
    act_button,
    aria_switch,
    combo,
    date_text,
    dialog,
    header,
    icon_button,
    mapped_radio,
    mapped_select,
    radio_group,
    random_day,
    read_target,
    row_flows,
    site,
)
from fgweb.data.web import punct_value
from fgweb.snapshot import Node, el

# ---------------------------------------------------------------------------------------------- files

FILE_BRANDS = ["Cloudbox", "DriveSpace", "Stash", "Filebase", "Hangar", "Locker"]
FILE_STEMS = ["Q3 report", "budget", "holiday photos", "contract_signed", "meeting notes", "logo-final", "CV",
              "invoice", "slides", "floor plan", "tax return", "menu", "onboarding guide", "receipts",
              "wedding playlist", "research draft"]
FILE_EXTS = [".pdf", ".docx", ".xlsx", ".png", ".jpg", ".zip", ".pptx", ".txt", ".csv", ".mp3"]
SORT_WORDS = {"Last modified": ("newest first", "most recently changed", "recent"),
              "File size": ("biggest first", "largest files first", "by size"),
              "Name": ("alphabetical", "a to z", "by name"),
              "Owner": ("by who owns them", "grouped by owner")}
ROLE_WORDS = {"Editor": ("an editor", "editor", "a collaborator who can edit"),
              "Viewer": ("a viewer", "view-only"),
              "Commenter": ("a commenter", "commenter", "someone who can only comment")}


def _file_name(c: Ctx) -> str:
    variant = c.pick(["", "", "-v2", "_final", " (1)", f"-{c.rng.randint(2019, 2026)}", " copy"])
    return f"{c.pick(FILE_STEMS)}{variant}{c.pick(FILE_EXTS)}"


def build_files(c: Ctx) -> list[Node]:
    """A file manager: breadcrumbs, a toolbar, files in a table, list or grid whose rows repeat their
    buttons, storage used, and sometimes a rename or share dialog."""
    _begin(c)
    brand = c.pick(FILE_BRANDS)
    head, box, go = header(c, brand, ["My files", "Shared", "Recent", "Trash"], links=(1, 3),
                           search=(c.pick(["Search files", "Search in Drive", "Find a file"]),
                                   lambda r: r.choice(FILE_STEMS)))
    folders = c.rng.sample(["Projects", "Clients", "Photos", "Taxes", "Family", "Invoices", "Team",
                            "Archive"], 2)
    crumb_root, _ = c.link(c.pick(["My files", "Home", "All files"]), "/files")
    crumb_mid, mid = c.link(folders[0], _path(folders[0]))
    crumbs = el("nav", crumb_root, " › ", crumb_mid, " › ", el("span", folders[1], aria_current="page"),
                aria_label="Breadcrumb")
    c.flow("indirect.up", {}, [_steps_click(mid, "_")])
    tools = [c.button(c.pick(["New", "+ New", "New folder"]))[0], icon_button(c, "Upload")[0]]
    if c.chance(0.5):
        node, sort = combo(c, "Sort by", list(SORT_WORDS), selected=2, aliases=("sort", "sorting"))
        tools.append(node)
        mapped_select(c, sort, SORT_WORDS, exclude="Name")
    names = _distinct(lambda: _file_name(c), c.rng.randint(3, 4))
    owners = _people(c, len(names))
    layout = c.pick(["table", "table", "list", "grid"])
    acts = c.rng.sample(["Download", "Share", "Delete", "Rename"], c.rng.randint(1, 2))
    icon = c.chance(0.5)
    items, buttons = [], []
    for name, (first, last) in zip(names, owners, strict=True):
        size = f"{c.rng.randint(12, 980)} {c.pick(['KB', 'KB', 'MB'])}"
        changed = date_text(c, random_day(c), c.pick(["d M Y", "M d, Y", "dd/mm/yyyy"]))
        here = {a: act_button(c, a, icon) for a in acts}
        buttons.append({a: t for a, (_, t) in here.items()})
        controls = [n for n, _ in here.values()]
        tag = "td" if layout == "table" else "p"
        size_node = read_target(c, el(tag, size), "ask.size", f"size of {name}", file=name)
        when_node = read_target(c, el(tag, changed), "ask.modified", f"date of {name}", file=name)
        cells = [el(tag, name), el(tag, f"{first} {last}"), when_node, size_node]
        if layout == "table":
            items.append(el("tr", *cells, el("td", *controls)))
        else:
            items.append(el("li" if layout == "list" else "div", *cells, *controls, class_="file"))
    row_flows(c, "file", names, buttons, owners=[f for f, _ in owners])
    if layout == "table":
        head_row = el("tr", *[el("th", h) for h in ("Name", "Owner", "Modified", "Size", "")])
        listing = el("table", el("thead", head_row), el("tbody", *items))
    else:
        listing = el("ul" if layout == "list" else "div", *items, class_="files")
    total = c.pick([15, 50, 100, 200, 2000])
    used = f"{c.rng.randint(1, total - 1)}.{c.rng.randint(0, 9)}"
    meter = c.pick([f"{used} GB of {total} GB", f"Storage: {used} / {total} GB",
                    f"{used} of {total} GB used"])
    storage = read_target(c, el("p", meter, role="status"), "ask.storage", "storage meter")
    content: list[Node] = [crumbs, el("div", *tools, class_="toolbar"), listing, storage]
    if c.chance(0.45):
        content.append(_rename_dialog(c, c.pick(names)) if c.chance(0.5) else _share_dialog(c, c.pick(names)))
    if box is not None and go is not None:
        q = c.pick(FILE_STEMS)
        search_flow(c, box, go, q)
    return site(c, head, content, brand, foot=0.2, kind="files")


def _rename_dialog(c: Ctx, name: str) -> Node:
    field_w, field = c.field(c.pick(["New name", "Name", "File name"]),
                             lambda r: r.choice(FILE_STEMS) + ".pdf",
                             value=name, aliases=("name", "file name"))
    ok_node, ok = c.button(c.pick(["Rename", "OK", "Save"]), submit=True)
    stem = c.pick([f"{c.pick(FILE_STEMS)} (final)", f"{c.pick(FIRST)}'s {c.pick(FILE_STEMS)}",
                   f"R&D {c.pick(FILE_STEMS)}", f"{c.pick(FILE_STEMS)} - v{c.rng.randint(2, 9)}",
                   f"{c.pick(FILE_STEMS)}_{c.rng.randint(2024, 2026)}-{c.rng.randint(1, 12):02d}"])
    v = stem + c.pick(FILE_EXTS)
    c.flow("typed.rename", {"v": V(v), "b": M(ok)}, [_type(field, v, "v"), _steps_click(ok)])
    return dialog(c, "Rename", field_w, c.button("Cancel")[0], ok_node)


def _share_dialog(c: Ctx, name: str) -> Node:
    who_w, who = c.field(c.pick(["Add people or groups", "Email address", "Invite by email"]), _email,
                         kind="email", aliases=("email", "people"),
                         how=c.pick(["aria", "placeholder", "for"]))
    role_w, role = combo(c, c.pick(["Permission", "Access", "Role"]), list(ROLE_WORDS), selected=1,
                         aliases=("permission", "access"))
    notify_w, notify = c.check(c.pick(["Notify people", "Send an email invite"]), checked=True)
    send_node, send = c.button(c.pick(["Share", "Send", "Done"]), submit=True)
    e, r = _email(c.rng), c.pick(["Editor", "Commenter"])
    slots: dict[str, Slot] = {"email": V(e), "role": S(c.pick(ROLE_WORDS[r])), "b": M(send)}
    steps = [_type(who, e, "email"), Step("select_option", role, {"option": r}, "role")]
    c.flow("form.share", slots, [*steps, _steps_click(send)])
    c.flow("limit.share", slots, steps)
    c.flow("indirect.quiet_share", {}, [Step("set_checked", notify, {"checked": False}, "_")])
    return dialog(c, f"Share “{name}”", who_w, role_w, notify_w, send_node)


# ---------------------------------------------------------------------------------------------- music

MUSIC_BRANDS = ["Tunewave", "Loudhouse", "Fermata", "Echoes", "Groove Box"]
SONG_A = ["Midnight", "Paper", "Golden", "Northern", "Electric", "Slow", "Velvet", "Summer", "Lonely", "Neon",
          "Silver", "Broken", "Wild", "Quiet", "Hollow", "Sugar", "Lucky", "Distant"]
SONG_B = ["Lights", "Hearts", "Rain", "Avenue", "Dreams", "Waves", "Fire", "Letters", "Gardens", "Skyline",
          "River", "Echo", "Roads", "Morning", "Kingdom", "Thunder", "Satellite", "Harbour"]
REPEAT_WORDS = {"Repeat one": ("this song on loop", "just this track on repeat",
                               "the same song over and over"),
                "Repeat all": ("the whole playlist on loop", "the playlist on repeat"),
                "Off": ("no repeat", "no looping")}


def _artist(c: Ctx) -> str:
    return c.pick([lambda: f"{c.pick(FIRST)} {c.pick(LAST)}",
                   lambda: f"The {c.pick(SONG_A)} {c.pick(SONG_B)}",
                   lambda: f"{c.pick(FIRST)} & the {c.pick(SONG_B)}", lambda: f"DJ {c.pick(SONG_B)}",
                   lambda: c.pick(["Kaia", "Lumo", "Odesza Twin", "Los Hermanos Ruiz", "Mirae",
                                   "Tove Sand"])])()


def build_music(c: Ctx) -> list[Node]:
    """A music player: a playlist whose tracks repeat their buttons, a player bar (play/pause, shuffle,
    repeat) and the song now playing."""
    _begin(c)
    brand = c.pick(MUSIC_BRANDS)
    label = c.pick(["Search songs, artists…", "What do you want to listen to?", "Search"])
    head, box, go = header(c, brand, ["Home", "Browse", "Library", "Radio", "Podcasts"], links=(2, 3),
                           search=(label, lambda r: r.choice(SONG_A) + " " + r.choice(SONG_B)))
    titles = _distinct(lambda: f"{c.pick(SONG_A)} {c.pick(SONG_B)}", c.rng.randint(3, 5),
                       key=lambda t: t.split()[0])
    artists = _distinct(lambda: _artist(c), len(titles))
    titles = titles[:len(artists)]
    name = c.pick([f"{c.pick(SONG_A)} mix", "Liked songs", f"Road trip {c.rng.randint(2019, 2026)}",
                   f"{c.pick(FIRST)}'s running playlist", "Focus & chill", "Sunday morning"])
    total = sum(c.rng.randint(150, 290) for _ in titles)
    songs = len(titles) + c.rng.randint(0, 30)
    summary = read_target(c, el("p", f"{c.pick(FIRST)} · {songs} songs, {total // 60} min"), "ask.playlist",
                          "playlist length")
    acts = c.rng.sample(["Play", "Like", "Add to queue"], c.rng.randint(1, 2))
    icon, table = c.chance(0.6), c.chance(0.6)
    items, buttons = [], []
    for title, artist in zip(titles, artists, strict=True):
        secs = c.rng.randint(150, 290)
        here = {a: act_button(c, a, icon) for a in acts}
        buttons.append({a: t for a, (_, t) in here.items()})
        tag = "td" if table else "p"
        length = f"{secs // 60}:{secs % 60:02d}"
        cells = [el(tag, title),
                 read_target(c, el(tag, artist), "ask.artist", f"artist of {title}", song=title),
                 read_target(c, el(tag, length), "ask.duration", f"length of {title}", song=title)]
        controls = [n for n, _ in here.values()]
        items.append(el("tr", *cells, el("td", *controls)) if table else el("li", *cells, *controls))
    row_flows(c, c.pick(["song", "track"]), titles, buttons, attrs=[f"by {a}" for a in artists])
    tracks = el("table", el("tbody", *items), aria_label="Tracks") if table else el("ol", *items)
    if c.chance(0.3):
        tracks, _ = c.scroller(c.pick(["Track list", "Songs", "Queue"]), [tracks])
    now = c.rng.randrange(len(titles))
    playing = c.chance(0.7)
    status = el("p", f"{titles[now]} – {artists[now]}", role="status")
    bar: list[Node] = [read_target(c, status, "ask.now", "now playing"), icon_button(c, "Previous")[0]]
    verb = "Pause" if playing else "Play"
    toggle_node, toggle = icon_button(c, verb) if c.chance(0.7) else c.button(verb)
    bar += [toggle_node, icon_button(c, "Next")[0]]
    if playing:
        c.flow("indirect.pause", {}, [_steps_click(toggle, "_")])
    on = c.chance(0.4)
    shuffle_node, shuffle = aria_switch(c, "Shuffle", on) if c.chance(0.6) else c.check("Shuffle", checked=on)
    bar.append(shuffle_node)
    c.flow("indirect.unshuffle" if on else "indirect.shuffle", {},
           [Step("set_checked", shuffle, {"checked": not on}, "_")])
    if c.chance(0.5):
        node, repeat = combo(c, "Repeat", list(REPEAT_WORDS)[::-1], selected=0, aliases=("repeat", "loop"))
        bar.append(node)
        mapped_select(c, repeat, REPEAT_WORDS, exclude="Off")
    content: list[Node] = [el("h1", name), summary, tracks, el("div", *bar, class_="player")]
    if box is not None and go is not None:
        q = _artist(c)
        search_flow(c, box, go, q)
    return site(c, head, content, brand, foot=0.15, kind="music")


# ---------------------------------------------------------------------------------------------- kanban

BOARD_BRANDS = ["Taskboard", "Trellis", "Sprintly", "Cardwall", "Flowdeck"]
COLUMNS = ["Backlog", "To do", "In progress", "Review", "Blocked", "Done"]
CARD_TITLES: tuple[Callable[[Ctx], str], ...] = (
    lambda c: "Fix login redirect on Safari", lambda c: "Update pricing page copy",
    lambda c: f"Review PR #{c.rng.randint(100, 999)}", lambda c: "Write Q3 OKRs",
    lambda c: f"Onboarding email #{c.rng.randint(2, 6)}", lambda c: f"Call {c.pick(COMPANIES)} about renewal",
    lambda c: "Migrate DB to Postgres 16", lambda c: f"Interview {c.pick(FIRST)} (design)",
    lambda c: "Dark mode for settings", lambda c: "Flaky CSV export test", lambda c: "Order new laptops",
    lambda c: f"Translate FAQ into {c.pick(['Spanish', 'German', 'Japanese', 'Polish'])}",
    lambda c: "Accessibility audit", lambda c: f"Invoice {c.pick(COMPANIES)}",
)
PRIORITY_SETS = (
    {"P1 · Critical": ("critical", "top priority", "p1"), "P2 · High": ("high priority", "important"),
     "P3 · Medium": ("medium priority", "normal priority"), "P4 · Low": ("low priority", "not urgent")},
    {"Urgent": ("asap", "super urgent", "top priority"), "High": ("important", "high priority"),
     "Normal": ("normal priority", "regular"), "Low": ("no rush", "low priority")},
)


def build_kanban(c: Ctx) -> list[Node]:
    """A kanban board: columns whose cards repeat an Edit button and whose "Add a card" boxes share a
    name (the column tells them apart), and sometimes a card's edit dialog."""
    _begin(c)
    brand = c.pick(BOARD_BRANDS)
    head, _, _ = header(c, brand, ["Boards", "Timeline", "Reports", "Members"], links=(1, 3), icons=1)
    start = c.rng.randrange(len(COLUMNS) - 2)
    columns = COLUMNS[start:start + 3]
    add_label = c.pick(["Add a card", "New task", "Add item"])
    add_text = c.pick(["Add", "Add card", "+"])
    edit = c.chance(0.5)
    cols, titles, edits, adds = [], [], [], []
    for col in columns:
        cards = []
        for _ in range(c.rng.randint(1, 2)):
            title = c.pick(CARD_TITLES)(c)
            if title in titles:
                continue
            titles.append(title)
            due = date_text(c, random_day(c), c.pick(["D d M", "M d, Y"]))
            parts: list[Node] = [el("p", title), el("p", f"{c.pick(FIRST)} · due {due}")]
            if edit:
                node, target = icon_button(c, "Edit card")
                parts.append(node)
                edits.append({"Edit card": target})
            cards.append(el("div", *parts, class_="card"))
        how = c.pick(["placeholder", "aria"])
        box = el("input", type="text", id=c.uid(add_label),
                 placeholder=add_label if how == "placeholder" else None,
                 aria_label=add_label if how == "aria" else None)
        box_t = c.add(Target(box, "field", box))
        add_node, add_t = c.button(add_text, aria=add_label if add_text == "+" else None)
        adds.append((col, box_t, add_t))
        cols.append(el("section", el("h2", col), *cards, el("form", box, add_node), class_="column"))
    if edits:
        row_flows(c, "card", titles, edits, attrs=[f"titled {t}" for t in titles],
                  verbs={"Edit card": "edit"}, by_key=False)
    col, box_t, add_t = c.pick(adds)
    v = c.pick([c.pick(CARD_TITLES)(c), punct_value(c.rng), f"Ask {c.pick(FIRST)} re: {c.pick(MAIL_TOPICS)}"])
    c.flow("rows.type_in", {"v": V(v), "key": S(col)}, [_type(box_t, v, "v"), _steps_click(add_t, "v")])
    content: list[Node] = [el("h1", c.pick([f"{c.pick(COMPANIES)} roadmap", "Sprint board", "Team tasks",
                                            "Website relaunch"])), el("div", *cols, class_="board")]
    if c.chance(0.35):
        content.append(_card_dialog(c, c.pick(titles)))
    return site(c, head, content, brand, foot=0.1, kind="kanban")


def _card_dialog(c: Ctx, title: str) -> Node:
    members = _people(c, 3)
    names = [f"{f} {la}" for f, la in members]
    who_w, who = combo(c, c.pick(["Assignee", "Assigned to", "Owner"]), ["Unassigned", *names], selected=0,
                       aliases=("assignee",))
    prios = c.pick(PRIORITY_SETS)
    prio_w, prio = combo(c, "Priority", list(prios), selected=2, aliases=("priority",))
    save_node, save = c.button(c.pick(["Save", "Save changes", "Update card"]), submit=True)
    k, p = c.rng.randrange(3), c.pick([lab for i, lab in enumerate(prios) if i != 2])
    c.flow("mapped.option", {"c": M(who), "o": S(members[k][0])},
           [Step("select_option", who, {"option": names[k]}, "o")])
    slots: dict[str, Slot] = {"who": S(members[k][0]), "prio": S(c.pick(prios[p])), "b": M(save)}
    c.flow("form.card", slots, [Step("select_option", who, {"option": names[k]}, "who"),
                                Step("select_option", prio, {"option": p}, "prio"), _steps_click(save)])
    title_w, _ = c.field("Title", lambda r: r.choice(["Fix typo on homepage", "Plan team offsite",
                                                      "Renew SSL cert"]),
                         value=title, aliases=("title",))
    return dialog(c, c.pick(["Edit card", "Card details"]), title_w, who_w, prio_w, save_node,
                  c.button(c.pick(["Delete card", "Archive card"]))[0])


# ---------------------------------------------------------------------------------------------- recipe

RECIPE_BRANDS = ["Simmer", "The Crumb", "Pan & Plate", "Weeknight Kitchen", "Spoonful"]
RECIPES = ["Chicken tikka masala", "Mushroom risotto", "Shakshuka", "Banana bread", "Pad thai", "Lentil dal",
           "Beef bourguignon", "Caesar salad", "Pho bo", "Jollof rice", "Pierogi", "Tiramisu",
           "Falafel wraps", "Chilli con carne", "Miso-glazed salmon", "Spanakopita", "Bibimbap",
           "Ratatouille"]
INGREDIENTS = [("eggs", "{n} large eggs"), ("flour", "{g} g plain flour"),
               ("butter", "{g} g unsalted butter"), ("onions", "{n} red onions"),
               ("garlic", "{n} cloves garlic"), ("rice", "{g} g basmati rice"),
               ("tomatoes", "{n} ripe tomatoes"), ("lemon", "1 lemon, juiced"), ("milk", "{m} ml whole milk"),
               ("chickpeas", "1 tin chickpeas (400 g)"), ("cream", "{m} ml double cream"),
               ("parmesan", "{g} g parmesan, grated"), ("spinach", "{g} g baby spinach"),
               ("sugar", "{g} g caster sugar"), ("olive oil", "2 tbsp olive oil")]
RATING_WORDS = {5: ("absolutely loved it", "best one i've tried", "perfect, would make again"),
                4: ("really good, just a bit salty", "very tasty", "pretty great"),
                3: ("it was alright", "decent but not amazing", "average, fine i guess"),
                2: ("not great tbh", "pretty bland", "disappointing"),
                1: ("terrible, inedible", "awful, didn't work at all", "a total flop")}
UNIT_WORDS = {"Metric": ("grams", "metric", "grams and millilitres"),
              "US": ("cups", "us measurements", "ounces")}


def build_recipe(c: Ctx) -> list[Node]:
    """A recipe page: times and servings to read, a servings picker and units, ingredients to tick off,
    steps, and a star rating the user gives in words."""
    _begin(c)
    brand = c.pick(RECIPE_BRANDS)
    nav = ["Recipes", "Dinner", "Baking", "Vegetarian", "Quick & easy"]
    head, box, go = header(c, brand, nav, links=(2, 4),
                           search=("Search recipes", lambda r: r.choice(RECIPES).lower()), icons=1)
    title = c.pick(RECIPES)
    serves = c.rng.randint(2, 6)
    rating = f"{c.rng.randint(3, 4)}.{c.rng.randint(0, 9)} ({c.rng.randint(12, 900)} reviews)"
    parts: list[Node] = [el("h1", title), el("p", f"By {c.pick(FIRST)} {c.pick(LAST)} · {rating}")]
    save = icon_button(c, c.pick(["Save recipe", "Save"]))[0]
    parts.append(el("div", c.link("Jump to recipe", "#recipe")[0], save,
                    icon_button(c, "Print")[0], class_="actions"))
    terms = [("Prep time", f"{c.pick([10, 15, 20, 25])} min", "ask.prep"),
             ("Cook time", f"{c.pick([20, 30, 40, 45, 60, 90])} min", "ask.cook"),
             ("Serves", str(serves), "ask.serves")]
    rows = []
    for term, value, qkind in terms:
        rows.append(el("div", el("dt", term), read_target(c, el("dd", value), qkind, term.lower())))
    parts.append(el("dl", *rows))
    extras = c.rng.sample(["servings", "units", "rating", "review"], 2)
    if "servings" in extras:
        opts = [f"{n} servings" for n in range(2, 9)]
        node, servings = combo(c, c.pick(["Servings", "Adjust servings"]), opts, selected=serves - 2,
                               aliases=("servings",))
        parts.append(node)
        n = c.pick([k for k in range(2, 9) if k != serves])
        said = c.pick([f"{_spoken_count(c, n)} people", f"enough for {_spoken_count(c, n)}",
                       f"{_spoken_count(c, n)} portions"])
        c.flow("mapped.pick", {"o": S(said)}, [Step("select_option", servings, {"option": opts[n - 2]}, "o")])
    if "units" in extras:
        on = c.rng.randrange(2)
        group, radios = radio_group(c, "Units", ["Metric", "US"], on)
        parts.append(group)
        mapped_radio(c, radios, ["Metric", "US"], UNIT_WORDS, on)
    chosen = c.rng.sample(INGREDIENTS, c.rng.randint(3, 4))
    items = []
    ticks = []
    for short, pattern in chosen:
        label = pattern.format(n=c.rng.randint(2, 4), g=c.pick([50, 100, 150, 200, 250, 300]),
                               m=c.pick([100, 200, 300]))
        node, box_t = c.check(label)
        items.append(el("li", node))
        ticks.append((short, box_t))
    parts += [el("h2", "Ingredients", id="recipe"), el("ul", *items, class_="ingredients")]
    short, tick = c.pick(ticks)
    c.flow("mapped.tick", {"o": S(short)}, [Step("set_checked", tick, {"checked": True}, "o")])
    temp = c.pick([160, 180, 190, 200, 220])
    oven = read_target(c, el("li", f"Heat the oven to {temp}°C ({temp - 20}°C fan)."), "ask.oven",
                       "oven temperature")
    step = c.pick(["Mix everything in a large bowl.", "Fry the onions until soft.",
                   "Simmer gently, stirring now and then."])
    parts.append(el("ol", oven, el("li", step), class_="steps"))
    if "rating" in extras:
        stars = [f"{n} star{'s' if n > 1 else ''}" for n in range(1, 6)]
        group, radios = radio_group(c, c.pick(["Rate this recipe", "Your rating"]), ["★"] * 5, None,
                                    aria_labels=stars)
        parts.append(group)
        score = c.rng.randint(1, 5)
        c.flow("indirect.rate", {"o": S(c.pick(RATING_WORDS[score]))},
               [Step("set_checked", radios[score - 1], {"checked": True}, "o")])
    if "review" in extras:
        parts.append(c.field(c.pick(["Your review", "Leave a comment"]), punct_value, textarea=True,
                             aliases=("review",))[0])
        parts.append(c.button(c.pick(["Post review", "Submit"]), submit=True)[0])
    if box is not None and go is not None:
        q = c.pick(RECIPES).lower()
        search_flow(c, box, go, q)
    return site(c, head, parts, brand, foot=0.3, kind="recipe")


# ------------------------------------------------------------------------------------------ templates
# This module's own intents (the generic mapped.*, rows.* and search.search ones are in
# fgweb/data/web.py and fgweb/data/templates.py). Slots: {v}, {email}, {subj}, … exact values;
# {o}, {who}, {amt}, … the user's words; {b} the button a command presses (or, in limit.*, says
# not to press).

TEMPLATES: dict[str, tuple[str, ...]] = {
    # Questions a page element answers (read_text on that element).
    "ask.size": ("how big is {file}", "what's the size of {file}", "{file} - how large is it",
                 "size of {file}?", "how many mb is {file}"),
    "ask.modified": ("when was {file} last changed", "when did {file} get modified", "last edit on {file}?",
                     "when was {file} updated"),
    "ask.storage": ("how much space do i have left", "how full is my storage", "how much storage am i using",
                    "storage used?"),
    "ask.playlist": ("how long is this playlist", "how many songs are in here",
                     "total length of the playlist?", "playlist length"),
    "ask.artist": ("who sings {song}", "who's the artist on {song}", "who is {song} by", "{song} is by who?",
                   "which band does {song}"),
    "ask.duration": ("how long is {song}", "what's the length of {song}", "{song} - how many minutes",
                     "duration of {song}?"),
    "ask.now": ("what's playing", "what song is this", "what's on right now", "which song is playing now",
                "name of this track?"),
    "ask.prep": ("how long is the prep", "how much prep time", "prep time?",
                 "how long to get it ready before cooking"),
    "ask.cook": ("how long does it cook", "how long in the oven", "what's the cooking time",
                 "how long does this take to cook"),
    "ask.serves": ("how many people does this feed", "how many servings is this", "how many does it serve",
                   "is this enough for a family? how many does it serve"),
    "ask.oven": ("what temperature should the oven be", "how hot should the oven be", "oven temp?",
                 "what do i preheat the oven to"),
    # A site's own commands of three to five calls.
    "form.share": ("share it with {email} as {role}", "add {email} as {role} and share",
                   "invite {email} as {role}, then {b}", "{email} as {role} - send the invite",
                   "give {email} access as {role} and hit {b}"),
    "form.card": ("give it to {who}, {prio}, and save", "assign {who}; it's {prio}; save",
                  "{who} should take this, {prio} - save it",
                  "set the assignee to {who} and mark it {prio}, then {b}",
                  "put {who} on it ({prio}) and save"),
    # Only what is asked.
    "limit.share": ("add {email} as {role} but don't send the invite yet",
                    "put {email} in as {role}, i'll press {b} myself", "set {email} up as {role} and wait",
                    "{email} as {role}, don't share it yet"),
    # Typed text with punctuation.
    "typed.rename": ("rename it to {v}", "call it {v}", "change the name to {v} and save",
                     "name it {v} then {b}", "new name: {v}", "make the file name {v}",
                     "{v} - that's the new name, hit {b}"),
    # Implied intents.
    "indirect.up": ("go up one folder", "back to the parent folder", "up a level", "go up a directory",
                    "take me to the folder above"),
    "indirect.quiet_share": ("don't tell them i shared it", "share it quietly without emailing them",
                             "no notification email please", "they don't need an email about it"),
    "indirect.pause": ("hold on, pause the music", "stop the music for a sec", "quiet for a moment please",
                       "i need to take a call, pause it", "freeze the song"),
    "indirect.shuffle": ("mix up the order", "play them in random order", "don't play them in order",
                         "surprise me with the order", "random order please"),
    "indirect.unshuffle": ("play them in order again", "stop mixing the songs up", "back to the normal order",
                           "no more random order"),
    "indirect.rate": ("{o}", "rate it: {o}", "my verdict - {o}", "honestly? {o}", "review in one line: {o}",
                      "{o}, that's my rating"),
}
