"""Sites built around forms: a job board (search, filters, results, or an application form), a course
quiz, a government form and a library catalogue (search, reservations, loans to renew)."""

from __future__ import annotations

import datetime
import random

from fgweb.data.page import (
    CITIES,
    FIRST,
    LAST,
    Ctx,
    M,
    S,
    Step,
    Target,
    V,
    _email,
    _steps_click,
    _type,
    ascii_word,
    search_flow,
)
from fgweb.data.sites.kit import (
    COMPANIES,
    JOB_TITLES,
    _begin,
    _distinct,
    act_button,
    aria_switch,
    combo,
    date_text,
    header,
    mapped_select,
    radio_group,
    random_day,
    read_target,
    row_flows,
    sidebar,
    site,
    spoken_date,
)
from fgweb.data.web import ORDINALS, PLACEHOLDER_OPTIONS, punct_value
from fgweb.snapshot import Node, el

# ---------------------------------------------------------------------------------------------- jobs

JOB_BRANDS = ["Hireline", "WorkWell", "JobNest", "Careerly", "Openroles"]
JOB_WHAT = ["nurse", "data analyst", "python developer", "barista", "electrician", "teacher", "accountant",
            "ux designer", "warehouse", "project manager", "chef", "delivery driver"]
SALARY_BANDS = {"$40,000+": ("at least 40k", "40 grand or more"),
                "$60,000+": ("60k plus", "at least sixty grand"),
                "$80,000+": ("80k or more", "at least 80 thousand"),
                "$100,000+": ("six figures", "100k plus", "at least a hundred grand")}
POSTED = {"Past 24 hours": ("posted today", "from the last day"),
          "Past week": ("from this week", "last 7 days"),
          "Past month": ("from the last month", "posted this month")}
HEARD = {"A friend or colleague": ("a friend", "a former colleague", "my old coworker"),
         "Job board (Indeed, Glassdoor…)": ("a job board", "indeed", "glassdoor"),
         "Our careers page": ("your website", "your careers page"),
         "Recruiter": ("a recruiter", "an agency recruiter")}


def build_jobs(c: Ctx) -> list[Node]:
    """A job board: a two-field search, filters (remote, type, salary, date), result cards whose Save
    buttons repeat; or an application form."""
    _begin(c)
    brand = c.pick(JOB_BRANDS)
    nav = ["Find jobs", "Companies", "Salaries", "Post a job", "Sign in"]
    head, _, _ = header(c, brand, nav, links=(2, 4))
    content = _job_results(c) if c.chance(0.7) else _job_application(c)
    return site(c, head, content, brand, foot=0.3, kind="jobs")


def _job_results(c: Ctx) -> list[Node]:
    what_w, what = c.field(c.pick(["What", "Job title, keywords, or company", "Keywords"]),
                           lambda r: r.choice(JOB_WHAT), aliases=("what", "job title", "keywords"))
    where_w, where = c.field(c.pick(["Where", "City, state, or remote", "Location"]),
                             lambda r: r.choice(CITIES), aliases=("where", "location"))
    go_node, go = c.button(c.pick(["Find jobs", "Search", "Search jobs"]), submit=True)
    w, city = c.pick(JOB_WHAT), c.pick(CITIES)
    c.flow("form.job_search", {"what": V(w), "where": V(city), "b": M(go)},
           [_type(what, w, "what"), _type(where, city, "where"), _steps_click(go)])
    filters: list[Node] = []
    for kind in c.rng.sample(["remote", "type", "salary", "posted"], 2):
        if kind == "remote":
            node, remote = aria_switch(c, "Remote only", False) if c.chance(0.5) else c.check("Remote only")
            filters.append(node)
            c.flow("indirect.remote", {}, [Step("set_checked", remote, {"checked": True}, "_")])
        elif kind == "type":
            for label in c.rng.sample(["Full-time", "Part-time", "Contract", "Internship"], 2):
                filters.append(c.check(label)[0])
        elif kind == "salary":
            node, sal = combo(c, c.pick(["Salary", "Minimum salary", "Pay"]), ["Any", *SALARY_BANDS],
                              selected=0, aliases=("salary",))
            filters.append(node)
            mapped_select(c, sal, SALARY_BANDS)
        else:
            node, posted = combo(c, "Date posted", ["Any time", *POSTED], selected=0,
                                 aliases=("date posted",))
            filters.append(node)
            mapped_select(c, posted, POSTED)
    titles = c.rng.sample(JOB_TITLES, c.rng.randint(3, 4))
    companies = c.rng.sample(COMPANIES, len(titles))
    cards, buttons, links = [], [], []
    cur = c.pick(["$", "£", "€"])
    for title, company in zip(titles, companies, strict=True):
        lo = c.rng.randint(25, 90)
        band = f"{cur}{lo},000 – {cur}{lo + c.rng.randint(5, 25)},000 a year"
        pay = read_target(c, el("p", band), "ask.salary", f"salary of the {title} job", job=title.lower())
        link_node, link = c.link(title, f"/jobs/{c.rng.randint(10000, 99999)}")
        links.append(link)
        save_node, save = act_button(c, "Save", c.chance(0.5))
        buttons.append({"Save": save})
        cards.append(el("div", el("h3", link_node), el("p", f"{company} · {c.pick(CITIES)}"), pay,
                        el("p", f"Posted {c.rng.randint(1, 29)} days ago"), save_node, class_="job"))
    row_flows(c, "job", companies, buttons, attrs=[f"at {co}" for co in companies])
    k = c.rng.randrange(len(titles))
    c.flow("rows.open_by", {"noun": S(c.pick(["job", "listing", "role"])), "attr": S(f"at {companies[k]}")},
           [Step("click", links[k], {}, "attr")])
    return [el("form", what_w, where_w, go_node, role="search"),
            el("aside", el("h2", "Filters"), *filters, class_="filters"),
            el("section", el("h1", f"{c.rng.randint(12, 900)} jobs"), *cards)]


def _profile_url(r: random.Random) -> str:
    site = r.choice(["linkedin.com/in", "behance.net", "github.com"])
    return f"https://{site}/{ascii_word(r.choice(FIRST))}-{r.randint(1, 99)}"


def _job_application(c: Ctx) -> list[Node]:
    title, company = c.pick(JOB_TITLES), c.pick(COMPANIES)
    parts: list[Node] = [el("h1", f"Apply: {title}"), el("p", f"{company} · {c.pick(CITIES)}")]
    parts.append(c.field("First name", lambda r: r.choice(FIRST), aliases=("first name",))[0])
    parts.append(c.field("Last name", lambda r: r.choice(LAST), aliases=("surname", "last name"))[0])
    parts.append(c.field("Email", _email, kind="email", aliases=("email",))[0])
    if c.chance(0.6):
        parts.append(c.field(c.pick(["Phone", "Mobile number"]),
                             lambda r: f"+{r.randint(1, 49)} {r.randint(100, 999)} {r.randint(1000, 9999)}",
                             kind="tel", aliases=("phone",))[0])
    if c.chance(0.5):
        parts.append(c.field(c.pick(["LinkedIn profile", "Portfolio URL"]), _profile_url, kind="url")[0])
    parts.append(c.field(c.pick(["Cover letter", "Why do you want this job?"]), punct_value, textarea=True,
                         aliases=("cover letter",))[0])
    heard_w, heard = combo(c, "How did you hear about us?", list(HEARD),
                           placeholder=c.pick(PLACEHOLDER_OPTIONS), aliases=("how did you hear about us",))
    parts.append(heard_w)
    src = c.pick(list(HEARD))
    c.flow("indirect.heard", {"o": S(c.pick(HEARD[src]))},
           [Step("select_option", heard, {"option": src}, "o")])
    if c.chance(0.5):
        parts.append(c.check(c.pick(["I agree to the privacy notice", "Keep my CV on file"]))[0])
    parts.append(c.button(c.pick(["Submit application", "Apply now", "Send application"]), submit=True)[0])
    if c.chance(0.5):
        parts.append(c.button("Save for later")[0])
    return [el("form", *parts, class_="application")]


# ---------------------------------------------------------------------------------------------- quiz

COURSE_BRANDS = ["Learnly", "Brightpath", "Coursewell", "Studyhall", "Skillset"]
CAPITALS = [("Portugal", "Lisbon"), ("Canada", "Ottawa"), ("Australia", "Canberra"), ("Kenya", "Nairobi"),
            ("Peru", "Lima"), ("Norway", "Oslo"), ("Vietnam", "Hanoi"), ("Egypt", "Cairo"),
            ("Chile", "Santiago"), ("Poland", "Warsaw"), ("Morocco", "Rabat"), ("New Zealand", "Wellington"),
            ("Turkey", "Ankara"),
            ("Ghana", "Accra"), ("Colombia", "Bogotá")]
WORDS_FR = [("apple", "pomme"), ("house", "maison"), ("bread", "pain"), ("cheese", "fromage"),
            ("cat", "chat"), ("tree", "arbre"), ("book", "livre"), ("water", "eau")]


def _question(c: Ctx) -> tuple[str, list[str]]:
    """A question and four answers (the user picks one; which one is right does not matter here)."""
    kind = c.pick(["capital", "times", "units", "french"])
    if kind == "capital":
        pairs = c.rng.sample(CAPITALS, 4)
        return f"Which city is the capital of {pairs[0][0]}?", [p[1] for p in pairs]
    if kind == "times":
        a, b = c.rng.randint(3, 12), c.rng.randint(3, 12)
        answers = sorted({a * b, a * b + a, a * b - b, a * b + 10})
        while len(answers) < 4:
            answers.append(answers[-1] + 1)
        return f"How much is {a} × {b}?", [str(x) for x in answers]
    if kind == "units":
        m = c.rng.randint(2, 9)
        return f"How many centimetres are there in {m} metres?", [str(m * k) for k in (10, 100, 1000, 1)]
    pairs = c.rng.sample(WORDS_FR, 4)
    return f"What is '{pairs[0][0]}' in French?", [p[1] for p in pairs]


def build_quiz(c: Ctx) -> list[Node]:
    """A course quiz: module links, a question with lettered answers the user names by letter, position
    or text, progress and time left to read, and a flag-for-review box."""
    _begin(c)
    brand = c.pick(COURSE_BRANDS)
    head, _, _ = header(c, brand, ["My courses", "Catalogue", "Grades", "Calendar"], links=(1, 3), icons=1)
    topics = ["Introduction", "Basics", "Practice", "Review", "Vocabulary", "Numbers", "Geography"]
    modules = [f"{i}. {t}" for i, t in enumerate(c.rng.sample(topics, 3), 1)]
    aside, _ = sidebar(c, "Modules", modules, current=modules[-1])
    total = c.rng.randint(5, 15)
    at = c.rng.randint(1, total)
    question, answers = _question(c)
    order = list(range(4))
    c.rng.shuffle(order)
    answers = [answers[i] for i in order]
    lettered = c.chance(0.6)
    labels = [f"{'ABCD'[i]}. {a}" if lettered else a for i, a in enumerate(answers)]
    parts: list[Node] = [el("h1", f"{modules[-1].split('. ', 1)[1]} quiz"),
                         read_target(c, el("p", c.pick([f"Question {at} of {total}", f"{at}/{total}"]),
                                           role="status"), "ask.progress", "question counter"),
                         read_target(c, el("p", question), "ask.question", "question")]
    group, radios = radio_group(c, c.pick(["Choose one answer", "Your answer", "Select one"]), labels, None)
    parts.append(group)
    if c.chance(0.5):
        left = f"Time left: {c.rng.randint(1, 19)}:{c.rng.randint(0, 59):02d}"
        parts.append(read_target(c, el("p", left, role="status"), "ask.time_left", "timer"))
    flag_w, flag = c.check(c.pick(["Flag for review", "Mark for review"]))
    submit_node, submit = c.button(c.pick(["Submit answer", "Check", "Submit"]), submit=True)
    parts += [flag_w, c.button("Previous")[0], submit_node]
    c.flow("indirect.flag", {}, [Step("set_checked", flag, {"checked": True}, "_")])
    i = c.rng.randrange(4)
    forms = [answers[i], answers[i].lower()]
    forms += [f"option {'abcd'[i]}", "abcd"[i]] if lettered else []
    forms += [f"the {ORDINALS[i][0]} one", f"the {ORDINALS[i][0]} answer"]
    forms += ["the last one"] if i == 3 else []
    said = c.pick(forms)
    step = Step("set_checked", radios[i], {"checked": True}, "o")
    c.flow("mapped.answer", {"o": S(said)}, [step])
    c.flow("mapped.answer_submit", {"o": S(said), "b": M(submit)}, [step, _steps_click(submit)])
    c.flow("limit.answer", {"o": S(said), "b": M(submit)}, [step])
    return site(c, head, parts, brand, aside=aside, foot=0.2, kind="quiz")


# ---------------------------------------------------------------------------------------------- government

GOV_BRANDS = ["Department of Motor Services", "City Council", "Tax Office", "Passport Service",
              "Benefits Agency", "Residents' Parking"]
TITLE_WORDS = {"Mr": ("mister", "mr"), "Mrs": ("mrs", "missus"), "Ms": ("ms",), "Mx": ("mx",),
               "Dr": ("doctor", "dr")}
CONTACT_WORDS = {"Phone": ("call me instead of emailing", "ring me, i don't check email",
                           "i'd rather get a phone call"),
                 "Text message": ("just text me", "send me an sms", "texts are best for me"),
                 "Post": ("send letters to my house", "i'd rather get things by post",
                          "paper letters please"),
                 "Email": ("email is easiest", "just email me", "write to my inbox")}
ID_LETTERS = "ABCEGHJKLMNPRSTWXYZ"


def _id_number(r: random.Random) -> str:
    """An identity number as such forms ask for it: two letters, three pairs of digits, a letter."""
    digits = " ".join(str(r.randint(10, 99)) for _ in range(3))
    return f"{r.choice(ID_LETTERS)}{r.choice(ID_LETTERS)} {digits} {r.choice('ABCD')}"


def build_gov(c: Ctx) -> list[Node]:
    """A government form: fieldsets with legends and hints, a date of birth in three boxes, a title menu,
    contact preferences, a confirmation box; or a confirmation page with a reference to read."""
    _begin(c)
    brand = c.pick(GOV_BRANDS)
    head, _, _ = header(c, brand, ["Services", "Sign out", "Help", "Cymraeg", "Accessibility"], links=(1, 2),
                        icons=0)
    parts: list[Node] = [c.link("Back", "/previous")[0]]
    if c.chance(0.2):
        ref = f"{c.pick(ID_LETTERS)}{c.pick(ID_LETTERS)}{c.rng.randint(1000000, 9999999)}"
        parts += [el("h1", c.pick(["Application complete", "Form submitted", "We've received your request"])),
                  read_target(c, el("p", f"Your reference number is {ref}"), "ask.reference",
                              "reference number"),
                  el("p", f"We'll contact you within {c.rng.randint(2, 15)} working days."),
                  c.link(c.pick(["What did you think of this service?", "Give feedback"]), "/feedback")[0]]
        return site(c, head, parts, brand, foot=0.5, kind="gov")
    parts.append(el("h1", c.pick(["Your details", "About you", "Apply for a parking permit",
                                  "Register to vote", "Renew your licence"])))
    title_w, title = combo(c, "Title", list(TITLE_WORDS), placeholder=c.pick(PLACEHOLDER_OPTIONS),
                           aliases=("title",))
    first_w, first = c.field(c.pick(["First name", "Given name"]), lambda r: r.choice(FIRST),
                             aliases=("first name",))
    last_w, last = c.field(c.pick(["Last name", "Surname", "Family name"]), lambda r: r.choice(LAST),
                           aliases=("last name", "surname"))
    parts += [title_w, first_w, last_w]
    day, month, year = (el("input", type="text", inputmode="numeric", id=c.uid(x), name=f"dob-{x.lower()}")
                        for x in ("Day", "Month", "Year"))
    boxes = []
    for node, label in ((day, "Day"), (month, "Month"), (year, "Year")):
        boxes.append(el("div", el("label", label, for_=node.attr("id") or ""), node))
    dob = [c.add(Target(n, "field", n)) for n in (day, month, year)]
    example = datetime.date(c.rng.randint(1950, 2005), c.rng.randint(1, 12), c.rng.randint(1, 28))
    parts.append(el("fieldset", el("legend", "Date of birth"),
                    el("p", f"For example, {example.day} {example.month} {example.year}", class_="hint"),
                    *boxes))
    if c.chance(0.5):
        parts.append(c.field(c.pick(["National Insurance number", "Tax reference", "Licence number"]),
                             _id_number, hint="QQ 12 34 56 C")[0])
    methods = c.rng.sample(list(CONTACT_WORDS), 3)
    group, radios = radio_group(c, "How should we contact you?", methods, None)
    parts.append(group)
    parts.append(c.check(c.pick(["I confirm the information I've given is correct",
                                 "I agree to the declaration"]))[0])
    go_node, go = c.button(c.pick(["Continue", "Save and continue", "Submit"]), submit=True)
    parts += [go_node, c.link(c.pick(["Save and come back later", "Cancel application"]), "/save")[0]]
    born = datetime.date(c.rng.randint(1940, 2006), c.rng.randint(1, 12), c.rng.randint(1, 28))
    c.flow("mapped.dob", {"dob": S(spoken_date(c, born))},
           [_type(dob[0], str(born.day), "dob"), _type(dob[1], str(born.month), "dob"),
            _type(dob[2], str(born.year), "dob")])
    t = c.pick(list(TITLE_WORDS))
    f, la = c.pick(FIRST), c.pick(LAST)
    c.flow("form.name", {"title": S(c.pick(TITLE_WORDS[t])), "first": V(f), "last": V(la)},
           [Step("select_option", title, {"option": t}, "title"), _type(first, f, "first"),
            _type(last, la, "last")])
    i = c.rng.randrange(3)
    c.flow("indirect.contact", {"o": S(c.pick(CONTACT_WORDS[methods[i]]))},
           [Step("set_checked", radios[i], {"checked": True}, "o")])
    return site(c, head, [el("form", *parts, class_="gov")], brand, foot=0.5, kind="gov")


# ---------------------------------------------------------------------------------------------- library

LIBRARY_BRANDS = ["City Libraries", "Northgate Library", "Riverbend Public Library", "County Library Service"]
BOOK_A = ["The Silent", "A Winter", "The Last", "Midnight", "The Glass", "Salt and", "Small", "The Paper",
          "A River", "The Quiet"]
BOOK_B = ["Orchard", "Garden", "Lighthouse", "Cartographer", "Harbour", "Kingdom", "Letters", "Island",
          "Apprentice", "Sisters"]
FORMAT_WORDS = {"Audiobook": ("i'd rather listen to it", "something i can listen to in the car",
                              "i want to hear it, not read it"),
                "eBook": ("something i can read on my kindle", "a digital copy", "ebooks only"),
                "Large print": ("bigger text, my eyes aren't great", "the large type version"),
                "DVD": ("the film version", "a movie")}


def build_library(c: Ctx) -> list[Node]:
    """A library catalogue: search with a "search by" menu, format filters the user implies, results whose
    Reserve buttons repeat and whose availability can be read, and loans to renew."""
    _begin(c)
    brand = c.pick(LIBRARY_BRANDS)
    head, box, go = header(c, brand, ["Catalogue", "My account", "Events", "Opening hours", "eResources"],
                           links=(2, 3), search=("Search the catalogue", lambda r: r.choice(BOOK_B).lower()))
    scope_w, scope = combo(c, "Search by", ["Keyword", "Title", "Author", "Subject", "ISBN"], selected=0,
                           aliases=("search by",))
    mapped_select(c, scope, {"Author": ("the writer's name", "by author name"), "Title": ("the book title",),
                             "ISBN": ("the barcode number", "isbn number")})
    formats = c.rng.sample(list(FORMAT_WORDS), 3)
    format_boxes = [c.check(f) for f in formats]
    k = c.rng.randrange(3)
    c.flow("indirect.format", {"o": S(c.pick(FORMAT_WORDS[formats[k]]))},
           [Step("set_checked", format_boxes[k][1], {"checked": True}, "o")])
    filters = el("aside", scope_w, el("fieldset", el("legend", "Format"), *[n for n, _ in format_boxes]))
    titles = _distinct(lambda: f"{c.pick(BOOK_A)} {c.pick(BOOK_B)}", c.rng.randint(3, 4),
                       key=lambda t: t.split()[-1])
    authors = _distinct(lambda: f"{c.pick(FIRST)} {c.pick(LAST)}", len(titles))
    titles = titles[:len(authors)]
    items, buttons = [], []
    for title, author in zip(titles, authors, strict=True):
        holds, copies = c.rng.randint(1, 9), c.rng.randint(1, 3)
        queue = f"{holds} hold{'s' if holds > 1 else ''} on {copies} cop{'ies' if copies > 1 else 'y'}"
        avail = c.pick(["Available", "On loan – due " + date_text(c, random_day(c), "d M Y"), queue,
                        f"Available at {c.rng.randint(2, 5)} branches"])
        status = read_target(c, el("p", avail), "ask.available", f"availability of {title}", book=title)
        node, target = c.button("Reserve")
        buttons.append({"Reserve": target})
        byline = el("p", f"by {author}, {c.rng.randint(1960, 2025)}")
        items.append(el("li", el("h3", title), byline, status, node))
    row_flows(c, "book", titles, buttons, attrs=[f"by {a}" for a in authors])
    results = el("section", el("h1", f"{c.rng.randint(3, 200)} results"), el("ol", *items))
    content: list[Node] = [filters, results]
    if c.chance(0.4):
        loans = _distinct(lambda: f"{c.pick(BOOK_A)} {c.pick(BOOK_B)}", 2, key=lambda t: t.split()[-1])
        loans = [t for t in loans if t not in titles]
        rows, renew = [], []
        for title in loans:
            day = date_text(c, random_day(c), c.pick(["d M Y", "dd/mm/yyyy"]))
            due = read_target(c, el("td", day), "ask.due", f"due date of {title}", book=title)
            node, target = c.button("Renew")
            renew.append({"Renew": target})
            rows.append(el("tr", el("td", title), due, el("td", node)))
        row_flows(c, "loan", loans, renew)
        content.append(el("section", el("h2", "On loan"), el("table", el("tbody", *rows))))
    if box is not None and go is not None:
        q = c.pick(BOOK_B).lower()
        search_flow(c, box, go, q)
    return site(c, head, content, brand, foot=0.3, kind="library")


# ------------------------------------------------------------------------------------------ templates
# This module's own intents (the generic mapped.*, rows.* and search.search ones are in
# fgweb/data/web.py and fgweb/data/templates.py). Slots: {v}, {email}, {subj}, … exact values;
# {o}, {who}, {amt}, … the user's words; {b} the button a command presses (or, in limit.*, says
# not to press).

TEMPLATES: dict[str, tuple[str, ...]] = {
    # Questions a page element answers (read_text on that element).
    "ask.progress": ("which question am i on", "how many questions are there", "what number question is this",
                     "how far through am i"),
    "ask.question": ("what's the question", "read me the question", "what are they asking",
                     "what does the question say"),
    "ask.time_left": ("how much time do i have left", "how long till the quiz ends", "time remaining?",
                      "how many minutes are left"),
    "ask.reference": ("what's my reference number", "what reference did they give me",
                      "i need the ref number", "read me the reference"),
    "ask.salary": ("what does the {job} job pay", "salary for the {job} role?",
                   "how much is the {job} position paying", "what's the pay for {job}"),
    "ask.available": ("is {book} available", "can i borrow {book} now", "is {book} on the shelf",
                      "what's the availability of {book}"),
    "ask.due": ("when is {book} due back", "when do i have to return {book}", "due date for {book}?",
                "how long can i keep {book}"),
    # A site's own commands of three to five calls.
    "form.job_search": ("find {what} jobs in {where}", "{what} in {where}",
                        "look for {what} roles near {where}", "search {what} positions, location {where}",
                        "i'm after {what} work around {where}", "any {what} openings in {where}?"),
    "form.name": ("my name is {title} {first} {last}", "{title} {first} {last}",
                  "name: {title} {first} {last}", "i'm {title} {first} {last}",
                  "put me down as {title} {first} {last}", "it's {title} {first} {last}"),
    # Only what is asked.
    "limit.answer": ("pick {o} but don't submit yet", "mark {o}, i'll check it before submitting",
                     "{o} - don't hit {b} yet", "select {o} and wait", "choose {o}, no submitting"),
    # Implied intents.
    "indirect.remote": ("i can't commute, remote only", "i want to work from home",
                        "only jobs i can do from home", "i don't want to go into an office",
                        "no office jobs please, i work from home"),
    "indirect.heard": ("i heard about this through {o}", "found this role via {o}", "source: {o}",
                       "how i heard about it: {o}", "i found out from {o}"),
    "indirect.flag": ("i want to come back to this one later", "not sure about this one, i'll revisit it",
                      "remind me to look at this question again", "i'll double check this at the end"),
    "indirect.contact": ("{o}", "for contact: {o}", "contact preference - {o}", "how to reach me? {o}"),
    "indirect.format": ("{o}", "filter for this: {o}", "{o} please", "only show what fits: {o}"),
}
