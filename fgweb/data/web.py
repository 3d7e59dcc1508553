"""What real pages ask of the model beyond the archetype flows: page kinds and command families.

`fgweb.data` imports this module at its end and adds `ARCHETYPES` and `TEMPLATES` to its own, so the
same split rules hold (a quarter of each family's templates only in eval). `web_tasks` adds the
families that any page supports:

- limits: a command that fills or ticks and says not to submit ("…, but don't send it yet");
- out of scope: requests no page serves (weather, arithmetic, thanks, another app's job): no call;
- typed text with punctuation, quotes and file names, wrapped in instruction words;
- long commands that fill three or four fields (and sometimes press the button);
- indirect commands ("I'm flying out of Porto", "stop emailing me about mentions").

The page kinds add values that must be mapped to the page's wording ("a table for three" -> "3 guests",
"a large" -> "L", "dark green" -> "Forest Green") with placeholder options, and rows, list items and
cards whose controls share a name (picked by what the row holds or by position: "the third", "the last").
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from fgweb.data import (
    CITIES,
    FIRST,
    LAST,
    Ctx,
    M,
    S,
    Slot,
    Step,
    Target,
    Task,
    V,
    _money,
    _steps_click,
    _type,
    labelled_field,
)
from fgweb.snapshot import Entry, Node, el, is_placeholder_option, option_label

# ------------------------------------------------------------------------------------------ templates

TEMPLATES: dict[str, tuple[str, ...]] = {
    # Limits: only what is asked. {b} names the button the command says not to press.
    "limit.fill": ("type {v} into {f} but don't submit", "just put {v} in {f}, i'll send it myself",
                   "fill {f} with {v}, don't press anything yet", "{f}: {v} (don't click {b})",
                   "enter {v} as {f} and leave the rest to me", "only fill in {f} with {v}",
                   "write {v} in {f}, no need to hit {b}", "put {v} in {f}. don't {b} yet",
                   "set {f} to {v} but hold off on {b}", "i'll press {b} myself, just type {v} in {f}",
                   "fill in {v} for {f} and stop there", "{v} in the {f} box please, nothing else"),
    "limit.fill2": ("fill {f1} with {v1} and {f2} with {v2} but don't submit the form",
                    "just type {v1} in {f1} and {v2} in {f2}, i'll do the rest",
                    "{f1} {v1}, {f2} {v2} - don't click {b}",
                    "enter {v1} as {f1} and {v2} as {f2}, then stop",
                    "put {v1} into {f1} and {v2} into {f2} without pressing {b}",
                    "fill in {f1} and {f2} ({v1}, {v2}) but leave {b} to me"),
    "limit.check": ("tick {c} but don't save anything", "just turn on {c}, don't press {b}",
                    "switch {c} on and stop there", "only check {c}, i'll click {b} myself",
                    "enable {c} - nothing else", "turn {c} on but hold off on {b}"),
    "limit.uncheck": ("untick {c} but don't save yet", "just turn off {c}, leave {b} alone",
                      "switch {c} off and nothing else", "disable {c}, i'll press {b} later"),
    "limit.select": ("set {c} to {o} but don't submit", "choose {o} for {c}, don't click {b} yet",
                     "just pick {o} in {c}", "{c}: {o}, and leave {b} to me"),
    # Out of scope: a sentence, no call.
    "offtopic.weather": ("what's the weather in {x} today", "will it rain in {x} tomorrow",
                         "is it going to be sunny this weekend", "how cold is it in {x} right now",
                         "do i need an umbrella today", "what's the forecast for {x}"),
    "offtopic.math": ("what's {a} times {b}", "how much is {a} plus {b}", "what is {a} minus {b}",
                      "divide {a} by {b}", "what's {a} percent of {b}", "can you add {a} and {b}"),
    "offtopic.chat": ("thanks!", "thank you so much", "hi there", "good morning", "how are you today",
                      "who made you", "tell me a joke", "you're awesome", "ok cool, thanks",
                      "are you a robot", "what can you do", "lol"),
    "offtopic.elsewhere": ("order me a pizza", "book a taxi to the airport", "set an alarm for {t}",
                           "play some jazz", "call my mom", "translate good night into french",
                           "what time is it in {x}", "remind me to {r} tomorrow", "text {n} that i'm late",
                           "what's the price of bitcoin", "who won the game last night",
                           "open my email app", "find me a cheap flight to {x}", "what's the capital of peru",
                           "turn off the living room lights", "send {n} twenty dollars"),
    # Typed text as the user wrote it: punctuation, quotes, file names, instruction words around it.
    "typed.say": ("write \"{v}\" in {f}", "type the following into {f}: {v}", "{f} should say: {v}",
                  "put '{v}' into {f}", "in {f} write {v}", "enter this in {f} - {v}",
                  "fill {f} with the text \"{v}\"", "for {f} use: {v}", "can you type {v} into {f}"),
    "typed.say_send": ("write \"{v}\" in {f} and click {b}", "type {v} into {f}, then hit {b}",
                       "{f}: \"{v}\" and press {b}", "put '{v}' in {f} and {b}"),
    # Three or four fields in one command (and the button where it is asked for).
    "fill3": ("{f1} {v1}, {f2} {v2}, {f3} {v3}", "set {f1} to {v1}, {f2} to {v2} and {f3} to {v3}",
              "fill in {f1}: {v1}; {f2}: {v2}; {f3}: {v3}", "{v1} for {f1}, {v2} for {f2}, {v3} for {f3}",
              "please enter {v1} as {f1}, {v2} as {f2} and {v3} as {f3}",
              "type {v1} in {f1}, {v2} in {f2}, and {v3} in {f3}",
              "{f1} is {v1}, {f2} is {v2}, {f3} is {v3}"),
    "fill4": ("{f1} {v1}, {f2} {v2}, {f3} {v3}, {f4} {v4}",
              "set {f1} to {v1}, {f2} to {v2}, {f3} to {v3} and {f4} to {v4}",
              "fill {f1} with {v1}, {f2} with {v2}, {f3} with {v3} and {f4} with {v4}",
              "{v1} / {v2} / {v3} / {v4} for {f1}, {f2}, {f3} and {f4}",
              "my {f1} is {v1}, {f2} {v2}, {f3} {v3}, {f4} {v4}"),
    "fill3_click": ("{f1} {v1}, {f2} {v2}, {f3} {v3}, then {b}",
                    "fill {f1} with {v1}, {f2} with {v2} and {f3} with {v3} and press {b}",
                    "enter {v1} as {f1}, {v2} as {f2}, {v3} as {f3} and click {b}",
                    "set {f1} to {v1}, {f2} to {v2}, {f3} to {v3}, then hit {b}"),
    # Indirect: the intent is implied.
    "indirect.from": ("i'm flying out of {v}", "leaving from {v}", "i'm departing from {v}",
                      "starting in {v}", "my trip starts in {v}", "i'll be leaving {v}"),
    "indirect.to": ("i want to go to {v}", "heading to {v}", "my destination is {v}", "i'm travelling to {v}",
                    "going to {v}", "i need to get to {v}"),
    "indirect.stay": ("don't log me out next time", "keep me logged in", "i don't want to sign in every time",
                      "remember me on this computer", "stay signed in please"),
    "indirect.stop": ("stop emailing me about {topic}", "i don't want {topic} emails anymore",
                      "no more {topic} notifications please", "enough with the {topic} messages",
                      "i'm tired of getting {topic} alerts", "unsubscribe me from {topic}"),
    "indirect.start": ("i'd like to hear about {topic}", "let me know about {topic}",
                       "i want {topic} notifications", "notify me about {topic}", "send me {topic} updates"),
    # Mapped values: the page's wording is not the user's.
    "mapped.party": ("a table for {o}", "we're {o}", "{o} of us", "party of {o}", "for {o} please",
                     "book it for {o}", "there will be {o} of us", "make it {o}"),
    "mapped.time": ("at {o}", "make it {o}", "{o} works for us", "around {o} please", "the {o} slot",
                    "can we do {o}"),
    "mapped.seat": ("we'd like to sit {o}", "a table {o} please", "seat us {o}", "{o} if possible"),
    "mapped.size": ("i'll take a {o}", "size {o} please", "in {o}", "get me the {o}", "{o} would be great",
                    "i wear a {o}", "the {o} one"),
    "mapped.color": ("the {o} one", "i want it in {o}", "make it {o}", "{o} please", "pick {o}",
                     "colour: {o}"),
    "mapped.size_color_add": ("the {o2} one in {o1}, add it to my bag", "{o1} in {o2} and add it to the cart",
                              "i'll take a {o1} in {o2}, then add to cart",
                              "{o2}, size {o1}, add to cart please"),
    "mapped.passengers": ("passengers: {o}", "we are {o} travelling", "for {o} people",
                          "{o} of us are flying",
                          "tickets for {o}"),
    "mapped.party_book": ("a table for {o} at {t}, then book it", "{o} of us at {t}, book it",
                          "reserve for {o} at {t} and confirm", "party of {o}, {t}, and hit {b}"),
    # Rows, items and cards whose controls share a name.
    "rows.by_key": ("{act} {key}", "{act} the {noun} {key}", "click {act} next to {key}", "{key}: {act}",
                    "can you {act} {key}", "{act} the one called {key}", "hit {act} on the {key} row",
                    "i want to {act} {key}"),
    "rows.by_pos": ("{act} the {pos} {noun}", "{act} the {pos} one", "click {act} on the {pos} row",
                    "{act} the {pos} {noun} in the list", "the {pos} {noun}: {act}",
                    "press {act} for the {pos} item"),
}

# Commands out of scope get these answers (the words are not scored; the missing call is).
ANSWERS: dict[str, tuple[str, ...]] = {
    "offtopic.weather": ("I can't check the weather; I can only act on this page.",),
    "offtopic.math": ("I can only act on this page, so I can't do calculations.",),
    "offtopic.chat": ("I'm the assistant of this page: tell me what to fill in, click or read.",),
    "offtopic.elsewhere": ("That is outside this page, so I can't do it here.",),
}

LIMIT_BUTTON_WORDS = ("send", "submit", "save", "sign", "log", "create", "register", "continue", "next",
                      "post", "book", "search", "subscribe", "apply", "confirm", "place", "update", "pay",
                      "join", "reserve", "add")

# Values with the punctuation users type: commas, apostrophes, &, quotes, dashes, file names.
PUNCT_VALUES = [
    "Running late, start without me", "Can't make it tonight - sorry!", "Tom & Jerry's birthday",
    "Meet at 5:30, by the north gate", "Don't forget the keys, they're on the desk",
    "Q3_report_final.pdf", "holiday-photos (2).zip", "Yes, I'd love to!", "Fish & chips, no salt",
    "It's broken again... please call me", "See you at Anna's, 8pm", "R&D budget, draft #2",
    "Thanks, that's perfect.", "Left at the door; ring twice", "Back on Monday, 10am-ish",
    "invoice_2026-03.xlsx", "Smith & Sons, Ltd.", "\"Best before\" date missing", "50% off? Really?",
    "Room 4B, 2nd floor", "Call me at 555-0199, not the office", "O'Brien, Kate", "notes.v2.txt",
    "Happy b'day, Sam! :)", "Milk, eggs, bread & butter", "Is the 3:15 train on time?",
]
FREE_TEXT_WORDS = ("message", "comment", "note", "reply", "bio", "about", "description", "subject",
                   "title", "feedback", "question", "details", "instructions", "caption", "file name")

PLACEHOLDER_OPTIONS = ["Choose…", "Select…", "— Select —", "Please choose", "Select an option", "Pick one"]
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
ORDINALS = {0: ("first", "1st"), 1: ("second", "2nd"), 2: ("third", "3rd"), 3: ("fourth", "4th"),
            4: ("fifth", "5th")}
SIZE_LETTERS = {"XS": ("extra small", "xs"), "S": ("small", "s"), "M": ("medium", "m"), "L": ("large", "l"),
                "XL": ("extra large", "xl", "x-large")}
SIZE_WORDS = {"Small": ("S", "small"), "Medium": ("M", "medium", "med"), "Large": ("L", "large"),
              "X-Large": ("XL", "extra large")}
COLOR_NAMES = {"Forest Green": ("dark green", "green"), "Navy Blue": ("navy", "dark blue"),
               "Charcoal Grey": ("charcoal", "dark grey", "dark gray"), "Burgundy": ("wine red", "burgundy"),
               "Sky Blue": ("light blue", "pale blue"), "Sand Beige": ("beige", "sand"),
               "Off White": ("cream", "off-white"), "Crimson Red": ("red", "bright red"),
               "Mustard Yellow": ("yellow", "mustard")}
TIMES = {"12:00 PM": ("noon", "12pm", "midday"), "12:30 PM": ("12:30", "half past twelve"),
         "6:30 PM": ("6:30", "half six", "6:30pm"), "7:00 PM": ("7pm", "seven", "7 o'clock"),
         "7:30 PM": ("7:30", "half past seven", "seven thirty"), "8:00 PM": ("8pm", "eight"),
         "8:30 PM": ("8:30pm", "half past eight"), "9:00 PM": ("9pm", "nine in the evening")}
SEATS = {"Indoors": ("inside", "indoors"), "Terrace": ("outside", "on the terrace", "outdoors"),
         "Bar counter": ("at the bar",), "Window table": ("by the window",)}
TOPICS = [("Email me about new comments", "comments", "new comments"),
          ("Email me when someone mentions me", "mentions", "mention"),
          ("Weekly digest", "weekly digest", "the weekly digest"),
          ("Product updates and offers", "product updates", "promotional"),
          ("SMS reminders", "sms reminders", "text message"),
          ("Order status emails", "order status", "order update")]
RECORD_KINDS: dict[str, dict[str, Any]] = {
    "files": {"noun": "file", "acts": ["Delete", "Download", "Rename", "Share"],
              "cols": ["Name", "Size", "Modified"]},
    "invoices": {"noun": "invoice", "acts": ["View", "Download", "Pay", "Void"],
                 "cols": ["Invoice", "Customer", "Amount"]},
    "users": {"noun": "user", "acts": ["Edit", "Remove", "Reset password", "Suspend"],
              "cols": ["Name", "Email", "Role"]},
    "orders": {"noun": "order", "acts": ["Track", "Cancel", "Return", "Reorder"],
               "cols": ["Order", "Date", "Total"]},
    "addresses": {"noun": "address", "acts": ["Edit", "Delete", "Set as default"],
                  "cols": ["Label", "Street", "City"]},
}
FILE_STEMS = ["report", "budget", "photo", "contract", "slides", "notes", "invoice", "resume", "logo",
              "backup"]
FILE_EXTS = [".pdf", ".docx", ".png", ".xlsx", ".zip", ".txt", ".jpg"]


# ---------------------------------------------------------------------------------------------- pages


def _select(c: Ctx, label: str, options: list[str], *, placeholder: bool, aliases: tuple[str, ...] = ()
            ) -> tuple[Node, Target]:
    """A select labelled as real forms do, optionally with a placeholder first option (disabled, or with
    an empty value) that is selected until the user picks."""
    ident = c.uid(label)
    opts: list[Node] = []
    if placeholder:
        opts.append(el("option", c.pick(PLACEHOLDER_OPTIONS), value="", disabled=c.chance(0.5),
                       selected=True))
    opts += [el("option", o, value=f"o{i}") for i, o in enumerate(options)]
    how = c.rng.choices(["for", "wrap", "aria"], [5, 2, 1])[0]
    control = el("select", *opts, id=ident, name=ident, aria_label=label if how == "aria" else None)
    wrapper = labelled_field(label, ident, control, how)
    return wrapper, c.add(Target(control, "select", wrapper, aliases))


def _spoken_number(rng: random.Random, n: int) -> str:
    return rng.choice([NUMBER_WORDS[n], NUMBER_WORDS[n], str(n)])


def build_reserve(c: Ctx) -> list[Node]:
    """A restaurant or event reservation: party size, time and seating, mapped from how people say them."""
    noun = c.pick(["guests", "people", "persons", "diners"])
    single = {"guests": "guest", "people": "person", "persons": "person", "diners": "diner"}[noun]
    sizes = [f"1 {single}"] + [f"{n} {noun}" for n in range(2, 9)]
    parts: list[Node] = [el("h2", c.pick(["Book a table", "Reserve your table", "Make a reservation",
                                          "Book your visit"]))]
    party_w, party = _select(c, c.pick(["Party size", "Guests", "Number of guests", "How many?"]), sizes,
                             placeholder=c.chance(0.6), aliases=("party size", "guests"))
    times = c.rng.sample(list(TIMES), 5)
    times.sort(key=list(TIMES).index)
    time_w, time_t = _select(c, c.pick(["Time", "Arrival time", "Preferred time"]), times,
                             placeholder=c.chance(0.5), aliases=("time",))
    parts += [party_w, time_w]
    if c.chance(0.5):
        parts.append(c.field(c.pick(["Date", "Day"]),
                             lambda r: f"2026-0{r.randint(1, 9)}-{r.randint(10, 28)}",
                             kind="date")[0])
    seats = c.rng.sample(list(SEATS), 3)
    seat_w, seat_targets = c.radios(c.pick(["Seating", "Where would you like to sit?"]), seats, None)
    parts.append(seat_w)
    if c.chance(0.6):
        parts.append(c.field(c.pick(["Special requests", "Notes for the restaurant"]),
                             lambda r: r.choice(PUNCT_VALUES), textarea=True)[0])
    book_w, book = c.button(c.pick(["Book now", "Reserve", "Confirm booking", "Find a table"]), submit=True)
    parts.append(book_w)
    n = c.rng.randint(1, 8)
    said = _spoken_number(c.rng, n)
    c.flow("mapped.party", {"o": S(said)}, [Step("select_option", party, {"option": sizes[n - 1]}, "o")])
    t = c.pick(times)
    t_said = c.pick(TIMES[t])
    c.flow("mapped.time", {"o": S(t_said)}, [Step("select_option", time_t, {"option": t}, "o")])
    i = c.rng.randrange(3)
    c.flow("mapped.seat", {"o": S(c.pick(SEATS[seats[i]]))},
           [Step("set_checked", seat_targets[i], {"checked": True}, "o")])
    c.flow("mapped.party_book", {"o": S(said), "t": S(t_said), "b": M(book)},
           [Step("select_option", party, {"option": sizes[n - 1]}, "o"),
            Step("select_option", time_t, {"option": t}, "t"), _steps_click(book)])
    return [el("form", *parts, class_="reserve")]


def build_apparel(c: Ctx) -> list[Node]:
    """A clothing or shoe product: sizes and colours in the shop's wording, placeholder options."""
    item = c.pick(["Merino crew sweater", "Linen shirt", "Trail running shoe", "Rain jacket", "Chino shorts",
                   "Wool beanie", "Canvas sneaker"])
    parts: list[Node] = [el("h1", item), el("p", _money(c.rng, 20, 180))]
    shoe = "shoe" in item.lower() or "sneaker" in item.lower()
    if shoe:
        system = c.pick(["US", "EU", "UK"])
        nums = list(range(7, 12)) if system != "EU" else list(range(39, 45))
        labels = [f"{system} {n}" for n in nums]
        spoken: dict[str, tuple[str, ...]] = {
            lab: (f"size {lab.split()[1]}", f"a {lab.split()[1]}", lab.split()[1]) for lab in labels}
    elif c.chance(0.5):
        labels = list(SIZE_LETTERS)
        spoken = SIZE_LETTERS
    else:
        labels = list(SIZE_WORDS)
        spoken = SIZE_WORDS
    size_w, size = _select(c, c.pick(["Size", "Select size", "Choose your size"]), labels,
                           placeholder=c.chance(0.7), aliases=("size",))
    colors = c.rng.sample(list(COLOR_NAMES), 4)
    color_w, color = _select(c, c.pick(["Colour", "Color"]), colors, placeholder=c.chance(0.5),
                             aliases=("colour", "color"))
    parts += [color_w, size_w]
    parts.append(c.field("Quantity", lambda r: str(r.randint(2, 4)), kind="number", value="1",
                         aliases=("qty",))[0])
    add_w, add = c.button(c.pick(["Add to bag", "Add to cart", "Add to basket"]))
    parts.append(add_w)
    if c.chance(0.5):
        parts.append(c.button(c.pick(["Size guide", "Find my size"]))[0])
    lab = c.pick(labels)
    said = c.pick(spoken[lab])
    c.flow("mapped.size", {"o": S(said)}, [Step("select_option", size, {"option": lab}, "o")])
    col = c.pick(colors)
    col_said = c.pick(COLOR_NAMES[col])
    if not any(col_said in COLOR_NAMES[other] for other in colors if other != col):  # unambiguous only
        c.flow("mapped.color", {"o": S(col_said)}, [Step("select_option", color, {"option": col}, "o")])
        c.flow("mapped.size_color_add", {"o1": S(said), "o2": S(col_said), "b": M(add)},
               [Step("select_option", color, {"option": col}, "o2"),
                Step("select_option", size, {"option": lab}, "o1"), _steps_click(add)])
    return [el("section", *parts, class_="apparel")]


def build_travel(c: Ctx) -> list[Node]:
    """A flight or train search: origin and destination named indirectly, passengers mapped."""
    how = c.pick(["for", "placeholder", "aria"])
    from_label, to_label = c.pick([("From", "To"), ("Leaving from", "Going to"), ("Origin", "Destination"),
                                   ("Departure city", "Arrival city")])
    from_w, from_t = c.field(from_label, lambda r: r.choice(CITIES), how=how, aliases=("from",))
    to_w, to_t = c.field(to_label, lambda r: r.choice(CITIES), how=how, aliases=("to",))
    parts: list[Node] = [el("h2", c.pick(["Find flights", "Search trains", "Where to?", "Plan your trip"])),
                         from_w, to_w,
                         c.field(c.pick(["Depart", "Departure date"]), lambda r: "2026-05-14",
                                 kind="date")[0]]
    pax_noun = c.pick(["passengers", "adults", "travellers"])
    pax = [f"1 {pax_noun[:-1]}"] + [f"{n} {pax_noun}" for n in range(2, 7)]
    pax_w, pax_t = _select(c, c.pick(["Passengers", "Travellers", "Who's travelling?"]), pax,
                           placeholder=c.chance(0.3), aliases=("passengers",))
    parts.append(pax_w)
    parts.append(c.radios("Class", ["Economy", "Premium economy", "Business"], 0)[0])
    btn_w, btn = c.button(c.pick(["Search flights", "Search", "Find trains", "Show results"]), submit=True)
    parts.append(btn_w)
    origin, dest = c.rng.sample(CITIES, 2)
    c.flow("indirect.from", {"v": V(origin)}, [_type(from_t, origin, "v")])
    c.flow("indirect.to", {"v": V(dest)}, [_type(to_t, dest, "v")])
    n = c.rng.randint(1, 6)
    c.flow("mapped.passengers", {"o": S(_spoken_number(c.rng, n))},
           [Step("select_option", pax_t, {"option": pax[n - 1]}, "o")])
    return [el("form", *parts, class_="travel")]


def build_alerts(c: Ctx) -> list[Node]:
    """Notification preferences, switched on and off by what the user says they want."""
    parts: list[Node] = [el("h2", c.pick(["Notifications", "Email preferences", "Alerts"]))]
    chosen = c.rng.sample(TOPICS, 4)
    flows: list[tuple[Target, str, bool]] = []
    for label, topic, _ in chosen:
        on = c.chance(0.5)
        node, target = c.check(label, checked=on, switch=c.chance(0.6))
        parts.append(node)
        flows.append((target, topic, on))
    stay = None
    if c.chance(0.4):
        node, stay = c.check(c.pick(["Keep me signed in", "Remember me on this device", "Stay logged in"]))
        parts.append(node)
    parts.append(c.button(c.pick(["Save preferences", "Save", "Update"]), submit=True)[0])
    target, topic, on = c.pick(flows)
    if on:
        c.flow("indirect.stop", {"topic": S(topic)},
               [Step("set_checked", target, {"checked": False}, "topic")])
    else:
        c.flow("indirect.start", {"topic": S(topic)},
               [Step("set_checked", target, {"checked": True}, "topic")])
    if stay is not None:
        c.flow("indirect.stay", {}, [Step("set_checked", stay, {"checked": True}, "_")])
    return [el("form", *parts, class_="alerts")]


def _record_row(c: Ctx, kind: str) -> list[str]:
    if kind == "files":
        return [f"{c.pick(FILE_STEMS)}-{c.rng.randint(1, 99)}{c.pick(FILE_EXTS)}",
                f"{c.rng.randint(1, 900)} KB",
                f"{c.pick(['Mar', 'Apr', 'May', 'Jun'])} {c.rng.randint(1, 28)}"]
    if kind == "invoices":
        return [f"INV-{c.rng.randint(1000, 9999)}", f"{c.pick(FIRST)} {c.pick(LAST)}",
                _money(c.rng, 40, 2000)]
    if kind == "users":
        first = c.pick(FIRST)
        return [f"{first} {c.pick(LAST)}", f"{first.lower()}@{c.pick(['acme.io', 'corp.net'])}",
                c.pick(["Admin", "Editor", "Viewer", "Owner"])]
    if kind == "orders":
        return [f"#{c.rng.randint(10000, 99999)}", f"2026-0{c.rng.randint(1, 9)}-{c.rng.randint(10, 28)}",
                _money(c.rng, 10, 500)]
    return [c.pick(["Home", "Work", "Parents", "Studio", "Office"]), f"{c.rng.randint(1, 99)} Elm Street",
            c.pick(CITIES)]


def build_records(c: Ctx) -> list[Node]:
    """A table, list or grid of cards whose rows carry the same buttons: picked by content or position."""
    kind = c.pick(list(RECORD_KINDS))
    spec = RECORD_KINDS[kind]
    acts = c.rng.sample(spec["acts"], c.rng.randint(1, 2))
    n = c.rng.randint(3, 6)
    rows = []
    keys: set[str] = set()
    for _ in range(20 * n):  # rows with distinct first cells (a small pool may give fewer than n)
        row = _record_row(c, kind)
        if row[0] not in keys:
            keys.add(row[0])
            rows.append(row)
        if len(rows) == n:
            break
    n = len(rows)
    layout = c.pick(["table", "list", "cards"])
    buttons: list[dict[str, Target]] = []
    items: list[Node] = []
    for row in rows:
        row_buttons: dict[str, Target] = {}
        controls = []
        for act in acts:
            icon = c.chance(0.2)
            node, target = c.button(act, aria=act if icon else None)
            if icon:
                node.children = [el("span", "•", aria_hidden="true")]
            controls.append(node)
            row_buttons[act] = target
        buttons.append(row_buttons)
        if layout == "table":
            items.append(el("tr", *[el("td", v) for v in row], el("td", *controls)))
        elif layout == "list":
            items.append(el("li", el("span", row[0]), el("span", " · " + row[1]), *controls))
        else:
            items.append(el("div", el("h3", row[0]), el("p", row[1]), *controls, class_="card"))
    title = el("h2", c.pick([f"Your {kind}", kind.capitalize(), f"Recent {kind}", f"All {kind}"]))
    if layout == "table":
        body = el("table", el("thead", el("tr", *[el("th", h) for h in spec["cols"]], el("th", ""))),
                  el("tbody", *items))
    elif layout == "list":
        body = el("ul", *items, class_=kind)
    else:
        body = el("div", *items, class_="grid")
    i = c.rng.randrange(n)
    act = c.pick(acts)
    key = rows[i][0]
    target = buttons[i][act]
    verb = act.lower()
    c.flow("rows.by_key", {"act": S(verb), "key": V(key), "noun": S(spec["noun"])},
           [Step("click", target, {}, "act")])
    j = c.pick([0, 1, 2, n - 1] if n > 3 else [0, 1, n - 1])
    pos = "last" if j == n - 1 and (j not in ORDINALS or c.chance(0.6)) else c.pick(ORDINALS[j])
    c.flow("rows.by_pos", {"act": S(verb), "pos": S(pos), "noun": S(spec["noun"])},
           [Step("click", buttons[j][act], {}, "act")])
    return [el("section", title, body, class_="records")]


ARCHETYPES: dict[str, Callable[[Ctx], list[Node]]] = {
    "reserve": build_reserve, "apparel": build_apparel, "travel": build_travel, "alerts": build_alerts,
    "records": build_records,
}


# ---------------------------------------------------------------------------------------------- tasks


def _free_text(name: str, target: Target) -> bool:
    return target.node.tag == "textarea" or any(w in name.lower() for w in FREE_TEXT_WORDS)


def web_tasks(targets: list[Target], by_node: dict[Node, Entry], rng: random.Random) -> list[Task]:
    """The command families any page supports: limits, out of scope, typed punctuation, long fills.

    `targets` are the page's usable targets (named, enabled, not repeated)."""
    tasks: list[Task] = []
    fields = [t for t in targets if t.kind == "field" and t.gen is not None
              and (t.node.attr("type") or "text") != "password"]
    buttons = [t for t in targets if t.kind == "button"]
    submits = [b for b in buttons if any(w in by_node[b.node].name.lower() for w in LIMIT_BUTTON_WORDS)]
    checks = [t for t in targets if t.kind == "check"]
    selects = [t for t in targets if t.kind == "select"]
    values = {id(f): f.gen(rng) for f in fields if f.gen is not None}

    # Limits: fill or tick on a page with a button that would submit, and say not to press it.
    if submits:
        b = rng.choice(submits)
        if fields:
            f = rng.choice(fields)
            tasks.append(Task("limit.fill", {"f": M(f), "v": V(values[id(f)]), "b": M(b)},
                              [_type(f, values[id(f)], "v")]))
        if len(fields) >= 2:
            f1, f2 = rng.sample(fields, 2)
            tasks.append(Task("limit.fill2", {"f1": M(f1), "v1": V(values[id(f1)]), "f2": M(f2),
                                              "v2": V(values[id(f2)]), "b": M(b)},
                              [_type(f1, values[id(f1)], "v1"), _type(f2, values[id(f2)], "v2")]))
        for ch in checks[:1]:
            on = ch.node.attr("checked") is None
            tasks.append(Task("limit.check" if on else "limit.uncheck", {"c": M(ch), "b": M(b)},
                              [Step("set_checked", ch, {"checked": on}, "c")]))
        for sel in selects[:1]:
            opts = [option_label(o) for o in sel.node.iter()
                    if o.tag == "option" and not is_placeholder_option(o)]
            current = by_node[sel.node].line.split('value="', 1)[1].split('"', 1)[0]
            choices = [o for o in opts if o != current]
            if choices:
                o = rng.choice(choices)
                tasks.append(Task("limit.select", {"c": M(sel), "o": S(o), "b": M(b)},
                                  [Step("select_option", sel, {"option": o}, "o")]))

    # Typed text with punctuation, into fields that take free text.
    free = [f for f in fields if _free_text(by_node[f.node].name, f)]
    if free:
        f = rng.choice(free)
        v = rng.choice(PUNCT_VALUES)
        tasks.append(Task("typed.say", {"f": M(f), "v": V(v)}, [_type(f, v, "v")]))
        if buttons:
            b = rng.choice(buttons)
            tasks.append(Task("typed.say_send", {"f": M(f), "v": V(v), "b": M(b)},
                              [_type(f, v, "v"), _steps_click(b)]))

    # Three or four fields at once.
    if len(fields) >= 3:
        k = 4 if len(fields) >= 4 and rng.random() < 0.4 else 3
        chosen = rng.sample(fields, k)
        slots: dict[str, Slot] = {}
        steps = []
        for i, f in enumerate(chosen, 1):
            slots[f"f{i}"], slots[f"v{i}"] = M(f), V(values[id(f)])
            steps.append(_type(f, values[id(f)], f"v{i}"))
        tasks.append(Task(f"fill{k}", slots, steps))
        if k == 3 and submits:
            b = rng.choice(submits)
            tasks.append(Task("fill3_click", {**slots, "b": M(b)}, [*steps, _steps_click(b)]))

    # Out of scope: no element can serve these, whatever the page holds.
    city = rng.choice(CITIES)
    a, b2 = rng.randint(2, 99), rng.randint(2, 40)
    fillers = {"x": S(city), "a": S(str(a)), "b": S(str(b2)), "t": S(rng.choice(["7am", "6:30", "noon"])),
               "r": S(rng.choice(["call the bank", "water the plants", "buy stamps"])),
               "n": S(rng.choice(FIRST))}
    family = rng.choice(["offtopic.weather", "offtopic.math", "offtopic.chat", "offtopic.elsewhere"])
    tasks.append(Task(family, dict(fillers), [], answer=rng.choice(ANSWERS[family])))
    return tasks
