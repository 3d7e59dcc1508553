"""Sites that book a day and a time: a calendar (an agenda and a new-event form), a car rental search
(places, dates, times, extras) and a clinic booking (reasons, clinicians, time slots, appointments)."""

from __future__ import annotations

from collections.abc import Callable

from fgweb.data.page import CITIES, FIRST, Ctx, M, S, Slot, Step, V, _name, _steps_click, _type
from fgweb.data.sites.kit import (
    COMPANIES,
    WEEKDAYS,
    _begin,
    _distinct,
    _people,
    act_button,
    combo,
    date_text,
    dialog,
    header,
    mapped_select,
    radio_group,
    random_day,
    read_target,
    row_flows,
    say_time,
    site,
    time_label,
    time_options,
)
from fgweb.data.web import PLACEHOLDER_OPTIONS, punct_value
from fgweb.snapshot import Node, el

# ---------------------------------------------------------------------------------------------- calendar

CAL_BRANDS = ["Daybook", "Planwell", "Agenda", "Tempo", "Almanac"]
EVENT_TITLES: tuple[Callable[[Ctx], str], ...] = (
    lambda c: "Dentist", lambda c: "Team stand-up", lambda c: f"Yoga with {c.pick(FIRST)}",
    lambda c: f"1:1 with {c.pick(FIRST)}", lambda c: f"Flight to {c.pick(CITIES)}", lambda c: "Car service",
    lambda c: "Parent-teacher meeting", lambda c: "Book club", lambda c: "Sprint planning",
    lambda c: f"Dinner at {c.pick(FIRST)}'s", lambda c: "Haircut", lambda c: "Piano lesson",
    lambda c: f"{c.pick(FIRST)}'s birthday", lambda c: "Quarterly review", lambda c: "Vet appointment",
    lambda c: "Football practice", lambda c: f"Call with {c.pick(COMPANIES)}", lambda c: "Physio",
)
DURATIONS = {"15 minutes": ("a quarter of an hour", "15 min", "fifteen minutes"),
             "30 minutes": ("half an hour", "thirty minutes", "30 min"),
             "45 minutes": ("three quarters of an hour", "45 mins"),
             "1 hour": ("an hour", "one hour", "60 minutes"),
             "1 hour 30 minutes": ("an hour and a half", "90 minutes", "one and a half hours"),
             "2 hours": ("two hours", "a couple of hours", "120 minutes")}
REMINDERS = {"5 minutes before": ("five minutes before", "5 min ahead"),
             "10 minutes before": ("ten minutes before", "10 mins ahead"),
             "30 minutes before": ("half an hour before", "thirty minutes ahead"),
             "1 hour before": ("an hour before", "one hour ahead"),
             "1 day before": ("a day before", "the day before", "24 hours ahead")}


def build_calendar(c: Ctx) -> list[Node]:
    """A calendar: an agenda whose events repeat their buttons, and a new-event form (inline or in a
    dialog) whose times, durations and reminders the user says in their own words."""
    _begin(c)
    brand = c.pick(CAL_BRANDS)
    head, _, _ = header(c, brand, ["Day", "Week", "Month", "Year", "Schedule"], links=(2, 4))
    day = random_day(c)
    titles = _distinct(lambda: c.pick(EVENT_TITLES)(c), c.rng.randint(2, 3), key=lambda t: t.split()[0])
    starts = sorted(c.rng.sample(range(8 * 2, 20 * 2), len(titles)))
    style = c.pick(["24", "12", "12s"])
    invite = c.chance(0.35)
    if invite:
        acts = c.rng.sample(["Accept", "Decline"], 2)
    else:
        acts = c.rng.sample(["Edit", "Delete"], c.rng.randint(1, 2))
    icon = not invite and c.chance(0.4)
    items, buttons = [], []
    for title, half in zip(titles, starts, strict=True):
        h, m = divmod(half * 30, 60)
        span = f"{time_label(h, m, style)} – {time_label(h + 1, m, style)}"
        when = read_target(c, el("p", span), "ask.when", f"time of {title}", event=title)
        here = {a: act_button(c, a, icon) for a in acts}
        buttons.append({a: t for a, (_, t) in here.items()})
        items.append(el("li", el("p", title), when, *[n for n, _ in here.values()]))
    row_flows(c, "invite" if invite else "event", titles, buttons)
    agenda = [el("h2", date_text(c, day, c.pick(["D d M", "d M Y", "M d, Y"]))),
              el("ul", *items, class_="agenda")]
    form = _event_form(c, style)
    content = [*agenda, dialog(c, c.pick(["New event", "Add event", "Create event"]), *form)
               if c.chance(0.5) else el("form", el("h2", "New event"), *form)]
    return site(c, head, content, brand, foot=0.2, kind="calendar")


def _event_form(c: Ctx, style: str) -> list[Node]:
    title_w, title = c.field(c.pick(["Title", "Event name", "Add title"]),
                             lambda r: r.choice(["Team lunch", "Dentist", "Call with the bank",
                                                 "Coffee with Sam"]),
                             aliases=("title", "name"))
    first = c.rng.randint(7, 17)
    slots = time_options(c, first, c.rng.randint(6, 9))
    labels = [time_label(h, m, style) for h, m in slots]
    start_w, start = combo(c, c.pick(["Start time", "Starts", "From"]), labels, selected=0,
                           aliases=("start time", "start"))
    parts: list[Node] = [title_w, c.field("Date",
                                          lambda r: f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
                                          kind="date")[0], start_w]
    extras = c.rng.sample(["duration", "allday", "repeat", "reminder", "where", "notes"], c.rng.randint(2, 3))
    reminder = None
    if "duration" in extras:
        node, dur = combo(c, c.pick(["Duration", "Length"]), list(DURATIONS), selected=3,
                          aliases=("duration",))
        parts.append(node)
        mapped_select(c, dur, DURATIONS, bare=False, exclude="1 hour")
    if "allday" in extras:
        node, allday = c.check(c.pick(["All day", "All-day event"]))
        parts.append(node)
        c.flow("indirect.all_day", {}, [Step("set_checked", allday, {"checked": True}, "_")])
    if "repeat" in extras:
        weekday = c.pick(WEEKDAYS)
        repeats = {"Does not repeat": ("no repeat", "just this once", "only once"),
                   "Daily": ("every day", "each day", "daily"),
                   f"Weekly on {weekday}": ("every week", "weekly", f"every {weekday.lower()}"),
                   "Every weekday (Mon–Fri)": ("every weekday", "monday to friday", "on work days"),
                   "Monthly": ("once a month", "every month"), "Annually": ("every year", "once a year")}
        node, rep = combo(c, c.pick(["Repeat", "Repeats", "Recurrence"]), list(repeats), selected=0,
                          aliases=("repeat",))
        parts.append(node)
        mapped_select(c, rep, repeats, exclude="Does not repeat")
    if "reminder" in extras:
        node, reminder = combo(c, c.pick(["Reminder", "Notify me", "Alert"]), ["No reminder", *REMINDERS],
                               selected=0, aliases=("reminder", "alert"))
        parts.append(node)
        mapped_select(c, reminder, REMINDERS, bare=False)
    if "where" in extras:
        parts.append(c.field(c.pick(["Location", "Where", "Add location"]), lambda r: r.choice(CITIES),
                             aliases=("location", "place"))[0])
    if "notes" in extras:
        parts.append(c.field(c.pick(["Description", "Notes"]), punct_value, textarea=True)[0])
    save_node, save = c.button(c.pick(["Save", "Save event", "Create"]), submit=True)
    parts += [save_node, c.button("Cancel")[0]]
    i = c.rng.randrange(1, len(slots))
    said = say_time(c, slots, i)
    c.flow("mapped.time", {"o": S(said)}, [Step("select_option", start, {"option": labels[i]}, "o")])
    t = c.pick(["Team lunch", "Dentist", "Gym with Kofi", "Call the landlord", "Pick up the kids",
                f"Drinks at {c.pick(FIRST)}'s", "Mum & Dad visiting"])
    slot_map: dict[str, Slot] = {"title": V(t), "time": S(said), "b": M(save)}
    steps = [_type(title, t, "title"), Step("select_option", start, {"option": labels[i]}, "time")]
    c.flow("form.event", slot_map, [*steps, _steps_click(save)])
    c.flow("limit.event", slot_map, steps)
    if reminder is not None:
        rem = c.pick(list(REMINDERS))
        c.flow("form.event_remind", {**slot_map, "rem": S(c.pick(REMINDERS[rem]))},
               [*steps, Step("select_option", reminder, {"option": rem}, "rem"), _steps_click(save)])
    return parts


# ---------------------------------------------------------------------------------------------- car rental

RENTAL_BRANDS = ["Roadrunner Rentals", "Drivo", "Kerbside Car Hire", "Milestone Rent-a-Car", "Wheelhouse"]
CAR_CLASSES = [("Economy", "Fiat 500 or similar"), ("Compact", "VW Golf or similar"),
               ("SUV", "Toyota RAV4 or similar"), ("People carrier", "Ford Galaxy or similar"),
               ("Electric", "Tesla Model 3 or similar"), ("Convertible", "Mini Cabrio or similar"),
               ("Estate", "Skoda Octavia Estate or similar")]
AGE_BANDS = ["18–24", "25–69", "70+"]
EXTRAS = {"Child seat": ("i'm travelling with my toddler", "we've got a baby with us",
                         "my kid needs a car seat"),
          "Additional driver": ("my partner will drive too", "we'll take turns driving",
                                "two of us will drive"),
          "GPS navigation": ("i don't know the roads there", "i'll need sat nav"),
          "Full protection": ("i don't want to pay anything if it gets scratched", "cover everything please")}
RENTAL_PLACES = ["{city} Airport", "{city} Central Station", "{city} city centre", "{city} Port"]


def build_rental(c: Ctx) -> list[Node]:
    """A car rental search: places, dates and times (the user's words for times and the driver's age),
    a same-location box, extras implied by the trip; or result cards whose Select buttons repeat."""
    _begin(c)
    brand = c.pick(RENTAL_BRANDS)
    head, _, _ = header(c, brand, ["Cars", "Deals", "Locations", "Manage booking", "Help"], links=(2, 4))
    city = c.pick(CITIES)
    place = c.pick(RENTAL_PLACES).format(city=city)
    pick_w, pick = c.field(c.pick(["Pick-up location", "Pick-up", "Where from?"]),
                           lambda r: r.choice(RENTAL_PLACES).format(city=r.choice(CITIES)),
                           aliases=("pick-up location", "pickup"))
    same_w, same = c.check(c.pick(["Return car to same location", "Drop off at the same place"]),
                           checked=True)
    style = c.pick(["24", "12"])
    slots = time_options(c, 8, c.rng.randint(6, 10), 60 if c.chance(0.5) else 30)
    labels = [time_label(h, m, style) for h, m in slots]
    date_w, date_t = c.field(c.pick(["Pick-up date", "From"]),
                             lambda r: f"{r.randint(1, 28):02d}/{r.randint(1, 12):02d}/2026",
                             hint="dd/mm/yyyy", aliases=("pick-up date",))
    time_w, time_t = combo(c, c.pick(["Pick-up time", "Time"]), labels, selected=2, aliases=("pick-up time",))
    return_w, _ = c.field(c.pick(["Return date", "Until"]), lambda r: f"{r.randint(1, 28):02d}/07/2026",
                          hint="dd/mm/yyyy")
    heading = el("h1", c.pick(["Rent a car", "Find your rental car", "Car hire"]))
    parts: list[Node] = [heading, pick_w, same_w, date_w, time_w, return_w]
    c.flow("indirect.one_way", {}, [Step("set_checked", same, {"checked": False}, "_")])
    if c.chance(0.6):
        age_w, age = combo(c, c.pick(["Driver's age", "Driver age"]), AGE_BANDS, selected=1,
                           aliases=("driver age",))
        parts.append(age_w)
        years = c.pick([c.rng.randint(18, 24), c.rng.randint(70, 82)])
        band = AGE_BANDS[0] if years < 25 else AGE_BANDS[2]
        c.flow("mapped.age", {"o": S(str(years))}, [Step("select_option", age, {"option": band}, "o")])
    go_node, go = c.button(c.pick(["Search", "Search cars", "Show cars"]), submit=True)
    parts.append(go_node)
    i = c.rng.randrange(len(slots))
    if i != 2:
        c.flow("mapped.option", {"c": M(time_t), "o": S(say_time(c, slots, i))},
               [Step("select_option", time_t, {"option": labels[i]}, "o")])
        d = f"{c.rng.randint(1, 28):02d}/{c.rng.randint(1, 12):02d}/2026"
        c.flow("form.rental", {"place": V(place), "date": V(d), "time": S(say_time(c, slots, i)), "b": M(go)},
               [_type(pick, place, "place"), _type(date_t, d, "date"),
                Step("select_option", time_t, {"option": labels[i]}, "time"), _steps_click(go)])
    content: list[Node] = [el("form", *parts, class_="rental-search")]
    if c.chance(0.5):
        chosen = c.rng.sample(CAR_CLASSES, c.rng.randint(3, 4))
        cards, buttons = [], []
        cur = c.pick(["€", "$", "£"])
        for cls, model in chosen:
            price = read_target(c, el("p", f"{cur}{c.rng.randint(19, 140)}/day"), "ask.car_price",
                                f"{cls} price", car=cls.lower())
            node, target = act_button(c, "Select", False)
            buttons.append({"Select": target})
            seats = c.pick(["5 seats · Manual", "5 seats · Automatic", "7 seats · Automatic"])
            cards.append(el("div", el("h3", f"{cls} · {model}"), el("p", seats), price, node, class_="car"))
        row_flows(c, "car", [cls for cls, _ in chosen], buttons)
        content.append(el("section", el("h2", "Available cars"), *cards))
    else:
        extras = c.rng.sample(list(EXTRAS), 3)
        boxes = [c.check(e) for e in extras]
        content.append(el("fieldset", el("legend", "Extras"), *[n for n, _ in boxes]))
        k = c.rng.randrange(3)
        c.flow("indirect.extra", {"o": S(c.pick(EXTRAS[extras[k]]))},
               [Step("set_checked", boxes[k][1], {"checked": True}, "o")])
    return site(c, head, content, brand, foot=0.3, kind="rental")


# ---------------------------------------------------------------------------------------------- clinic

CLINIC_BRANDS = ["Riverside Medical", "Oakfield Surgery", "CityCare Clinic", "Harbour Health", "Willow GP"]
SPECIALTIES = ["GP", "Physiotherapy", "Dermatology", "Nurse", "Dentist"]
REASON_WORDS = {"Back or joint pain": ("my back has been killing me", "my knee hurts when i walk",
                                       "my shoulder's been sore for weeks"),
                "Vaccination": ("i need a flu jab", "i need my travel jabs", "booster shot"),
                "Skin concern": ("there's a weird rash on my arm", "a mole i want checked"),
                "Prescription renewal": ("i'm running out of my meds", "my prescription needs renewing"),
                "General check-up": ("just a routine check", "a general check-up, nothing specific")}
INSURERS = {"Self-pay": ("i'll pay myself", "i don't have insurance", "no insurance"),
            "Bupa": ("bupa",), "Aetna": ("aetna",), "AXA Health": ("axa",)}


def build_clinic(c: Ctx) -> list[Node]:
    """A clinic booking: reason and clinician menus, time slots the user names loosely ("half nine"), new
    or returning patient, insurance; or upcoming appointments whose buttons repeat."""
    _begin(c)
    brand = c.pick(CLINIC_BRANDS)
    nav = ["Book", "My appointments", "Prescriptions", "Test results", "Contact"]
    head, _, _ = header(c, brand, nav, links=(2, 4))
    content: list[Node] = [el("h1", c.pick(["Book an appointment", "Find a time", "New appointment"]))]
    reasons = list(REASON_WORDS)
    reason_w, reason = combo(c, c.pick(["Reason for visit", "What do you need?", "Appointment type"]),
                             reasons, placeholder=c.pick(PLACEHOLDER_OPTIONS), aliases=("reason",))
    doctors = [(f"Dr. {f} {la}", la) for f, la in _people(c, 3)]
    labels = [f"{name} ({c.pick(SPECIALTIES)})" for name, _ in doctors]
    doc_w, doc = combo(c, c.pick(["Clinician", "Doctor", "Who would you like to see?"]),
                       ["Any available", *labels], selected=0, aliases=("doctor", "clinician"))
    parts: list[Node] = [reason_w, doc_w]
    r = c.pick(reasons)
    c.flow("indirect.reason", {"o": S(c.pick(REASON_WORDS[r]))},
           [Step("select_option", reason, {"option": r}, "o")])
    k = c.rng.randrange(3)
    surname = doctors[k][1]
    c.flow("mapped.option", {"c": M(doc), "o": S(c.pick([f"Dr {surname}", f"doctor {surname}", surname]))},
           [Step("select_option", doc, {"option": labels[k]}, "o")])
    slots = time_options(c, c.pick([8, 9, 13, 14]), c.rng.randint(4, 6))
    style = c.pick(["12", "24", "12s"])
    times = [time_label(h, m, style) for h, m in slots]
    legend = c.pick(["Available times", "Choose a time", f"Times on {date_text(c, random_day(c), 'D d M')}"])
    group, radios = radio_group(c, legend, times, None)
    parts.append(group)
    i = c.rng.randrange(len(slots))
    c.flow("mapped.time", {"o": S(say_time(c, slots, i))},
           [Step("set_checked", radios[i], {"checked": True}, "o")])
    status_w, status = radio_group(c, "Have you visited us before?", ["New patient", "Returning patient"],
                                   None)
    parts.append(status_w)
    c.flow("indirect.returning", {}, [Step("set_checked", status[1], {"checked": True}, "_")])
    parts.append(c.field(c.pick(["Full name", "Patient name"]), _name, aliases=("name",))[0])
    parts.append(c.field(c.pick(["Date of birth", "DOB"]),
                         lambda r: f"{r.randint(1, 28):02d}/{r.randint(1, 12):02d}/19{r.randint(50, 99)}",
                         hint="DD/MM/YYYY", aliases=("date of birth", "birthday"))[0])
    if c.chance(0.6):
        ins_w, ins = combo(c, c.pick(["Insurance", "Insurance provider", "How will you pay?"]),
                           list(INSURERS), placeholder=c.pick(PLACEHOLDER_OPTIONS), aliases=("insurance",))
        parts.append(ins_w)
        c.flow("mapped.pick", {"o": S(c.pick(INSURERS["Self-pay"]))},
               [Step("select_option", ins, {"option": "Self-pay"}, "o")])
    if c.chance(0.5):
        reminder = c.pick(["Text me a reminder", "Send me an SMS reminder"])
        parts.append(c.check(reminder, checked=c.chance(0.3))[0])
    parts.append(c.button(c.pick(["Book appointment", "Confirm booking", "Continue"]), submit=True)[0])
    content.append(el("form", *parts, class_="booking-form"))
    if c.chance(0.4):
        upcoming = c.rng.sample(range(3), 2)
        items, buttons = [], []
        act = c.pick(["Cancel", "Reschedule"])
        for d in upcoming:
            name = doctors[d][0]
            slot = f"{date_text(c, random_day(c), 'D d M')}, {c.pick(times)}"
            when = read_target(c, el("p", slot), "ask.appointment", f"appointment with {name}",
                               who=name.replace("Dr. ", "Dr "))
            node, target = c.button(act)
            buttons.append({act: target})
            items.append(el("li", el("p", labels[d]), when, node))
        row_flows(c, "appointment", [doctors[d][0] for d in upcoming], buttons,
                  attrs=[f"with Dr {doctors[d][1]}" for d in upcoming])
        content += [el("h2", "Upcoming appointments"), el("ul", *items)]
    return site(c, head, content, brand, foot=0.3, kind="clinic")


# ------------------------------------------------------------------------------------------ templates
# This module's own intents (the generic mapped.*, rows.* and search.search ones are in
# fgweb/data/web.py and fgweb/data/templates.py). Slots: {v}, {email}, {subj}, … exact values;
# {o}, {who}, {amt}, … the user's words; {b} the button a command presses (or, in limit.*, says
# not to press).

TEMPLATES: dict[str, tuple[str, ...]] = {
    # Questions a page element answers (read_text on that element).
    "ask.when": ("when is {event}", "what time is {event}", "what time does {event} start", "{event} - when?",
                 "when's {event} on", "check the time of {event}"),
    "ask.car_price": ("how much is the {car} per day", "what does the {car} cost", "price of the {car}?",
                      "daily rate for the {car}"),
    "ask.appointment": ("when is my appointment with {who}", "what time am i seeing {who}",
                        "when do i see {who}", "{who} appointment - when is it"),
    # A site's own commands of three to five calls.
    "form.event": ("add {title} at {time}", "new event {title}, {time}, save it",
                   "put {title} in the calendar at {time}", "{title} at {time} please",
                   "schedule {title} for {time}", "create an event called {title} starting {time}"),
    "form.event_remind": ("add {title} at {time} and remind me {rem}", "{title}, {time}, reminder {rem}",
                          "schedule {title} for {time} with a reminder {rem}",
                          "new event: {title} at {time}, ping me {rem}",
                          "put {title} in at {time}; alert {rem}"),
    "form.rental": ("pick up at {place} on {date} at {time}",
                    "collect the car from {place}, {date}, {time}, and search",
                    "{place}, {date} at {time} - show me cars",
                    "i need a car from {place} on {date} around {time}",
                    "pick-up {place} {date} {time} then {b}"),
    # Only what is asked.
    "limit.event": ("add {title} at {time} but don't save yet", "put in {title} for {time}, i'll save it",
                    "fill in {title} at {time} and stop there", "{title}, {time} - don't hit {b}"),
    # Implied intents.
    "indirect.all_day": ("it's the whole day", "it goes on all day", "no specific time, it lasts all day",
                         "it takes the entire day", "block out the whole day for it"),
    "indirect.one_way": ("i'm returning it somewhere else", "dropping it off at a different place",
                         "it's a one-way rental", "i won't bring it back here"),
    "indirect.extra": ("{o}", "oh and {o}", "{o}, add what we need", "fyi {o}"),
    "indirect.reason": ("{o}", "i'm booking because {o}", "the reason: {o}",
                        "{o}, that's why i need to come in"),
    "indirect.returning": ("i've been here before", "i'm already a patient here", "not my first visit",
                           "i've seen the doctor here before", "i'm registered with you already"),
}
