"""The first archetypes' page builders (login, signup, search, checkout, settings, todo, table, nav,
dialog, filters, profile, newsletter, booking, comments, pagination, contact, cart, chat, product,
account), the registry of every page kind (`ARCHETYPES`: these, web.py's and those of sites/), and
`build_page`, which makes the page of a kind for a seed: often with a navigation bar, a second
section, a cookie banner, page text that tries to inject instructions, hidden or disabled distractors
or a footer."""

from __future__ import annotations

import random
from collections.abc import Callable

from fgweb.data import sites, web
from fgweb.data.page import (
    CATEGORIES,
    CITIES,
    COLORS,
    COMMENTS,
    COUNTRIES,
    DEPARTMENTS,
    DIALOGS,
    FIRST,
    INJECTIONS,
    LANGUAGES,
    MESSAGES,
    MONTHS,
    NAV_PAGES,
    NEW_COMMENTS,
    NEW_MESSAGES,
    NEW_TODOS,
    ORDER_STATUS,
    PRODUCTS,
    PROMO_CODES,
    QUERIES,
    ROLES,
    SETTINGS,
    SIZES,
    SORTS,
    SUBJECTS,
    TIMEZONES,
    TODOS,
    Built,
    Ctx,
    M,
    S,
    Step,
    Target,
    V,
    _date,
    _email,
    _money,
    _name,
    _password,
    _phone,
    _steps_click,
    _street,
    _type,
    _website,
    _zip,
    search_flow,
)
from fgweb.snapshot import Node, Page, el

# ---------------------------------------------------------------------------------------- archetypes


def build_login(c: Ctx) -> list[Node]:
    heading = el("h2", c.pick(["Sign in", "Log in", "Welcome back", "Sign in to your account",
                               "Member login"]))
    label = c.pick(["Email", "E-mail", "Email address", "Username", "Username or email", "Work email"])
    is_mail = "mail" in label.lower()
    gen = _email if is_mail else (lambda r: f"{r.choice(FIRST).lower()}{r.randint(1, 99)}")
    email_w, email = c.field(label, gen, kind="email" if is_mail else "text",
                             aliases=("email", "e-mail") if is_mail else ("username", "user name"),
                             hint="you@example.com" if is_mail else None)
    pw_w, pw = c.field(c.pick(["Password", "Your password", "Passcode"]), _password, kind="password",
                       aliases=("password", "pw"))
    parts: list[Node] = [heading, email_w, pw_w]
    remember = None
    if c.chance(0.6):
        rem_w, remember = c.check(c.pick(["Remember me", "Keep me signed in", "Stay logged in"]))
        parts.append(rem_w)
    btn_w, btn = c.button(c.pick(["Sign in", "Log in", "Continue", "Sign In", "Login"]), submit=True)
    parts.append(btn_w)
    if c.chance(0.7):
        parts.append(c.link(c.pick(["Forgot password?", "Reset password", "Forgot your password?"]),
                            "/reset-password")[0])
    if c.chance(0.5):
        parts.append(el("p", "New here? ", c.link(c.pick(["Create an account", "Sign up", "Register"]),
                                                  "/signup")[0]))
    e, p = email.gen(c.rng) if email.gen else "", _password(c.rng)
    slots = {"email": V(e), "password": V(p), "ef": M(email), "pf": M(pw), "b": M(btn)}
    steps = [_type(email, e, "email"), _type(pw, p, "password")]
    c.flow("login.sign_in", dict(slots), steps + [_steps_click(btn)])
    if remember is not None:
        c.flow("login.sign_in_remember", {**slots, "r": M(remember)},
               steps + [Step("set_checked", remember, {"checked": True}, "r"), _steps_click(btn)])
    return [el("form", *parts, class_="login")]


def build_signup(c: Ctx) -> list[Node]:
    parts: list[Node] = [el("h2", c.pick(["Create your account", "Sign up", "Join us", "Register"]))]
    name_w, name = c.field(c.pick(["Full name", "Name", "Your name"]), _name, aliases=("name",))
    email_w, email = c.field(c.pick(["Email", "Email address", "E-mail"]), _email, kind="email",
                             aliases=("email",))
    pw_w, pw = c.field(c.pick(["Password", "Choose a password", "Create password"]), _password,
                       kind="password", aliases=("password",))
    parts += [name_w, email_w, pw_w]
    terms_w, terms = c.check(c.pick(["I agree to the Terms of Service", "I accept the terms",
                                     "I agree to the terms and privacy policy"]), aliases=("the terms",))
    parts.append(terms_w)
    if c.chance(0.5):
        parts.append(c.check(c.pick(["Send me product updates", "Subscribe to the newsletter"]))[0])
    btn_w, btn = c.button(c.pick(["Create account", "Sign up", "Register", "Get started"]), submit=True)
    parts.append(btn_w)
    if c.chance(0.5):
        parts.append(el("p", "Already have an account? ", c.link("Sign in", "/login")[0]))
    n, e, p = _name(c.rng), _email(c.rng), _password(c.rng)
    slots = {"name": V(n), "email": V(e), "password": V(p)}
    steps = [_type(name, n, "name"), _type(email, e, "email"), _type(pw, p, "password")]
    c.flow("signup.fill", dict(slots), list(steps))
    c.flow("signup.register", {**slots, "t": M(terms), "b": M(btn)},
           steps + [Step("set_checked", terms, {"checked": True}, "t"), _steps_click(btn)])
    return [el("form", *parts, class_="signup")]


def build_search(c: Ctx) -> list[Node]:
    label = c.pick(["Search", "Search products", "Search the docs", "Search articles"])
    ident = c.uid("search")
    how = c.pick(["aria", "placeholder", "for"])
    box = el("input", type="search", id=ident, name="q", aria_label=label if how == "aria" else None,
             placeholder=label + "…" if how == "placeholder" else None)
    box_w = el("div", el("label", label, for_=ident), box) if how == "for" else box
    sbox = c.add(Target(box, "field", box_w, ("search", "the search box"), lambda r: r.choice(QUERIES)))
    btn_w, btn = c.button("Search", aria=c.pick([None, None, "Submit search"]))
    parts: list[Node] = [el("form", box_w, btn_w, role="search")]
    if c.chance(0.6):
        query = c.pick(QUERIES)
        n = c.rng.randint(2, 480)
        parts.append(c.text("p", f"{n} results for “{query}”", "read.results", "result count",
                            role="status")[0])
        items = [el("li", c.link(p, "/products/" + c.uid(p))[0]) for p in c.rng.sample(PRODUCTS, 3)]
        parts.append(el("ul", *items, class_="results"))
    if c.chance(0.4):
        parts.append(c.select("Sort by", SORTS, 0)[0])
    q = c.pick(QUERIES)
    search_flow(c, sbox, btn, q)
    return [el("section", *parts, class_="search")]


def build_checkout(c: Ctx) -> list[Node]:
    parts: list[Node] = [el("h2", c.pick(["Shipping address", "Delivery details",
                                          "Where should we send it?"]))]
    name_w, name = c.field(c.pick(["Full name", "Recipient name", "Name"]), _name, aliases=("name",))
    street_w, street = c.field(c.pick(["Street address", "Address line 1", "Address"]), _street,
                               aliases=("address", "street"))
    city_w, city = c.field("City", lambda r: r.choice(CITIES), aliases=("town",))
    zip_w, zipf = c.field(c.pick(["Postal code", "ZIP code", "Postcode"]), _zip, aliases=("zip", "postcode"))
    parts += [name_w, street_w, city_w, zip_w]
    if c.chance(0.4):
        parts.append(c.field(c.pick(["Phone", "Phone number"]), _phone, kind="tel", aliases=("phone",))[0])
    countries = c.rng.sample(COUNTRIES, c.rng.randint(3, 6))
    parts.append(c.select("Country", countries, c.rng.randrange(len(countries)))[0])
    if c.chance(0.6):
        parts.append(c.radios("Shipping method", [f"Standard shipping ({c.pick(['free', '$4.99'])})",
                                                  f"Express shipping ({_money(c.rng, 8, 25)})"], 0)[0])
    if c.chance(0.4):
        parts.append(c.check("Billing address same as shipping", checked=c.chance(0.5))[0])
    parts.append(c.button(c.pick(["Continue to payment", "Continue", "Next", "Save address"]),
                          submit=True)[0])
    vals = {"name": _name(c.rng), "street": _street(c.rng), "city": c.pick(CITIES), "zip": _zip(c.rng)}
    fields = {"name": name, "street": street, "city": city, "zip": zipf}
    c.flow("checkout.address", {k: V(v) for k, v in vals.items()},
           [_type(fields[k], vals[k], k) for k in ("name", "street", "city", "zip")])
    return [el("form", *parts, class_="checkout")]


def build_settings(c: Ctx) -> list[Node]:
    parts: list[Node] = [el("h2", c.pick(["Settings", "Notification settings", "Preferences", "Privacy"]))]
    for label in c.rng.sample(SETTINGS, c.rng.randint(3, 5)):
        parts.append(c.check(label, checked=c.chance(0.5), switch=c.chance(0.8))[0])
    if c.chance(0.5):
        parts.append(c.select(c.pick(["Language", "Display language"]), LANGUAGES, c.rng.randrange(3))[0])
    parts.append(c.button(c.pick(["Save changes", "Save", "Update preferences"]), submit=True)[0])
    if c.chance(0.4):
        parts.append(c.text("p", c.pick(["All changes saved", "Last saved 2 minutes ago", "Unsaved changes"]),
                            "read.status", "status message", role="status")[0])
    return [el("form", *parts, class_="settings")]


def build_todo(c: Ctx) -> list[Node]:
    parts: list[Node] = [el("h2", c.pick(["My tasks", "To-do list", "Today", "Things to do"]))]
    new_w, new = c.field(c.pick(["New task", "Add a task", "What needs to be done?"]),
                         lambda r: r.choice(NEW_TODOS), aliases=("new task",))
    add_w, add = c.button(c.pick(["Add", "Add task", "Save task"]))
    parts.append(el("div", new_w, add_w, class_="new-task"))
    items = []
    done_count = 0
    chosen = c.rng.sample(TODOS, c.rng.randint(2, 4))
    for item in chosen:
        done = c.chance(0.3)
        done_count += done
        box_w, box = c.check(item, checked=done, how="for")
        del_node, delete = c.button("✕", aria=f"Delete {item}")
        items.append(el("li", *box_w.children, del_node))
        box.remove = items[-1]
        delete.remove = items[-1]
        if not done:
            c.flow("todo.complete", {"c": M(box)}, [Step("set_checked", box, {"checked": True}, "c")])
        c.flow("todo.delete", {"item": S(item)}, [_steps_click(delete, "item")])
    parts.append(el("ul", *items, class_="todos"))
    left = len(chosen) - done_count
    parts.append(c.text("p", f"{left} item{'s' if left != 1 else ''} left", "read.count", "task counter",
                        role="status")[0])
    task = c.pick(NEW_TODOS)
    c.flow("todo.add", {"task": V(task), "f": M(new), "b": M(add)}, [_type(new, task, "task"),
                                                                     _steps_click(add)])
    return [el("section", *parts, class_="todo")]


def _table(c: Ctx) -> tuple[str, list[str], list[list[str]]]:
    kind = c.pick(["orders", "employees", "invoices"])
    n = c.rng.randint(2, 4)
    if kind == "orders":
        cols = ["Order", "Date", "Status", "Total"]
        rows = [[f"#{c.rng.randint(1000, 9999)}", f"{c.pick(MONTHS)} {c.rng.randint(1, 28)}",
                 c.pick(ORDER_STATUS),
                 _money(c.rng)] for _ in range(n)]
        title = c.pick(["Your orders", "Recent orders", "Order history"])
    elif kind == "employees":
        cols = ["Name", "Role", "Department", "Location"]
        rows = [[_name(c.rng), c.pick(ROLES), c.pick(DEPARTMENTS), c.pick(CITIES)] for _ in range(n)]
        title = c.pick(["Team members", "Employees", "People"])
    else:
        cols = ["Invoice", "Due date", "Amount", "Status"]
        rows = [[f"INV-{c.rng.randint(100, 999)}", f"{c.pick(MONTHS)} {c.rng.randint(1, 28)}", _money(c.rng,
                                                                                                      50,
                                                                                                      3000),
                 c.pick(["Paid", "Overdue", "Draft", "Sent"])] for _ in range(n)]
        title = c.pick(["Invoices", "Billing history"])
    keys = [r[0] for r in rows]
    if len(set(keys)) != len(keys):
        rows = [rows[0]]
    return title, cols, rows


def build_table(c: Ctx) -> list[Node]:
    title, cols, rows = _table(c)
    head = el("thead", el("tr", *[el("th", col) for col in cols]))
    body_rows = []
    for row in rows:
        cells = [el("td", row[0])]
        for col, value in zip(cols[1:], row[1:], strict=True):
            node, _ = c.text("td", value, "read.cell", col=col.lower(), key=row[0])
            cells.append(node)
        body_rows.append(el("tr", *cells))
    parts: list[Node] = [el("h2", title), el("table", head, el("tbody", *body_rows))]
    if c.chance(0.5):
        parts.append(c.button(c.pick(["Export CSV", "Download", "New invoice", "Add person"]))[0])
    return [el("section", *parts, class_="table")]


def build_nav(c: Ctx) -> list[Node]:
    items = []
    for text, href in c.rng.sample(NAV_PAGES, c.rng.randint(3, 6)):
        node, target = c.link(text, href)
        items.append(el("li", node))
        target.remove = items[-1]
    parts: list[Node] = [el("ul", *items)]
    if c.chance(0.3):
        parts.append(c.button(c.pick(["Get started", "Log in", "Menu"]))[0])
    return [el("nav", *parts, aria_label=c.pick(["Main", "Primary", "Site"]))]


def build_dialog(c: Ctx) -> list[Node]:
    title, message, confirm_text = c.pick(DIALOGS)
    close_node, close = c.button("×", aria="Close")
    msg_node, _ = c.text("p", message, "read.dialog", "dialog")
    cancel_node, cancel = c.button(c.pick(["Cancel", "Keep it", "Go back"]))
    confirm_node, confirm = c.button(confirm_text)
    ident = c.uid("dialog-title")
    dialog = el("div", close_node, el("h2", title, id=ident), msg_node, el("div", cancel_node, confirm_node),
                role="dialog", aria_modal="true", aria_labelledby=ident, class_="dialog")
    c.flow("dialog.confirm", {}, [_steps_click(confirm, "_")])
    c.flow("dialog.dismiss", {}, [_steps_click(cancel, "_")])
    c.flow("dialog.close", {}, [_steps_click(close, "_")])
    return [el("p", c.pick(["Project settings", "Workspace", "Billing"]), class_="behind"), dialog]


def build_filters(c: Ctx) -> list[Node]:
    parts: list[Node] = [el("h2", c.pick(["Filters", "Refine results", "Filter by"]))]
    parts.append(c.select("Sort by", SORTS, 0)[0])
    for cat in c.rng.sample(CATEGORIES, c.rng.randint(2, 4)):
        parts.append(c.check(cat, checked=c.chance(0.3))[0])
    min_w, min_f = c.field(c.pick(["Min price", "Minimum price", "From"]), lambda r: str(r.randint(5, 50)),
                           kind="number", aliases=("min price",))
    max_w, max_f = c.field(c.pick(["Max price", "Maximum price", "To"]), lambda r: str(r.randint(60, 500)),
                           kind="number", aliases=("max price",))
    parts += [min_w, max_w]
    if c.chance(0.5):
        parts.append(c.check("In stock only", checked=c.chance(0.3), switch=c.chance(0.5))[0])
    btn_w, btn = c.button(c.pick(["Apply filters", "Apply", "Show results"]))
    parts.append(btn_w)
    if c.chance(0.5):
        parts.append(c.link("Clear all", "?clear=1")[0])
    lo, hi = str(c.rng.randint(5, 50)), str(c.rng.randint(60, 500))
    slots = {"min": V(lo), "max": V(hi)}
    steps = [_type(min_f, lo, "min"), _type(max_f, hi, "max")]
    c.flow("filters.price", dict(slots), list(steps))
    c.flow("filters.price_apply", {**slots, "b": M(btn)}, steps + [_steps_click(btn)])
    return [el("aside", *parts, class_="filters")]


def build_profile(c: Ctx) -> list[Node]:
    parts: list[Node] = [el("h2", c.pick(["Edit profile", "Your profile", "Public profile"]))]
    name_w, name = c.field(c.pick(["Display name", "Name", "Full name"]), _name, value=_name(c.rng),
                           aliases=("name", "display name"))
    parts.append(name_w)
    parts.append(c.field("Bio", lambda r: r.choice(["Coffee and code.", "Designer in Lyon.",
                                                    "I build bikes."]),
                         value=c.pick(["Hello!", "Product designer.", ""]), textarea=True,
                         aliases=("about me",))[0])
    parts.append(c.field(c.pick(["Website", "Homepage"]), _website, kind="url", aliases=("site",))[0])
    if c.chance(0.5):
        parts.append(c.field("Location", lambda r: r.choice(CITIES), value=c.pick(CITIES))[0])
    parts.append(c.select(c.pick(["Time zone", "Timezone"]), TIMEZONES, c.rng.randrange(len(TIMEZONES)))[0])
    parts.append(c.check(c.pick(["Public profile", "Show my email", "Allow messages"]),
                         checked=c.chance(0.5))[0])
    btn_w, btn = c.button(c.pick(["Save changes", "Save", "Update profile"]), submit=True)
    parts.append(btn_w)
    parts.append(c.link("Cancel", "/account")[0])
    n = _name(c.rng)
    c.flow("profile.update", {"name": V(n), "f": M(name), "b": M(btn)}, [_type(name, n, "name"),
                                                                         _steps_click(btn)])
    return [el("form", *parts, class_="profile")]


def build_newsletter(c: Ctx) -> list[Node]:
    parts: list[Node] = [el("h2", c.pick(["Stay in the loop", "Subscribe to our newsletter", "Get updates"])),
                         el("p", c.pick(["One email a week, no spam.", "News and offers, twice a month."]))]
    email_w, email = c.field(c.pick(["Email", "Your email", "Email address"]), _email, kind="email",
                             aliases=("email",), hint="you@example.com")
    parts.append(email_w)
    consent = None
    if c.chance(0.5):
        consent_w, consent = c.check(c.pick(["I agree to receive emails", "Send me special offers too"]))
        parts.append(consent_w)
    btn_w, btn = c.button(c.pick(["Subscribe", "Sign up", "Join"]), submit=True)
    parts.append(btn_w)
    e = _email(c.rng)
    c.flow("newsletter.subscribe", {"email": V(e), "b": M(btn)}, [_type(email, e, "email"),
                                                                  _steps_click(btn)])
    if consent is not None:
        c.flow("newsletter.subscribe_consent", {"email": V(e), "c": M(consent), "b": M(btn)},
               [_type(email, e, "email"), Step("set_checked", consent, {"checked": True}, "c"),
                _steps_click(btn)])
    return [el("form", *parts, class_="newsletter")]


def build_booking(c: Ctx) -> list[Node]:
    parts: list[Node] = [el("h2", c.pick(["Book a room", "Reserve your stay", "Check availability"]))]
    cin_w, cin = c.field(c.pick(["Check-in", "Arrival date"]), _date, kind="date", aliases=("check-in",))
    cout_w, cout = c.field(c.pick(["Check-out", "Departure date"]), _date, kind="date", aliases=("check-out",
                                                                                                 ))
    guests = ["1 guest"] + [f"{n} guests" for n in range(2, 7)]
    g_w, g = c.select("Guests", guests, 1)
    parts += [cin_w, cout_w, g_w]
    parts.append(c.radios("Room type", ["Standard", "Deluxe", "Suite"], 0)[0])
    if c.chance(0.5):
        parts.append(c.check("Add breakfast", checked=False)[0])
    btn_w, btn = c.button(c.pick(["Book now", "Reserve", "Check availability"]), submit=True)
    parts.append(btn_w)
    d1, d2 = _date(c.rng, 2026), _date(c.rng, 2026)
    d1, d2 = min(d1, d2), max(d1, d2)
    n = c.pick(guests[1:])
    c.flow("booking.book", {"cin": V(d1), "cout": V(d2), "guests": S(n), "b": M(btn)},
           [_type(cin, d1, "cin"), _type(cout, d2, "cout"), Step("select_option", g, {"option": n}, "guests"),
            _steps_click(btn)])
    c.flow("booking.dates", {"cin": V(d1), "cout": V(d2)}, [_type(cin, d1, "cin"), _type(cout, d2, "cout")])
    return [el("form", *parts, class_="booking")]


def _by_author(c: Ctx, tag: str, texts: list[str]) -> list[Node]:
    authors = c.rng.sample(FIRST, len(texts))
    return [c.text(tag, f"{a}: {t}", "read.author", f"message from {a}", author=a)[0]
            for a, t in zip(authors, texts, strict=True)]


def build_comments(c: Ctx) -> list[Node]:
    texts = c.rng.sample(COMMENTS, c.rng.randint(2, 4))
    parts: list[Node] = [el("h2", f"Comments ({len(texts)})")]
    parts.append(c.scroller(c.pick(["Comments", "Comment list", "Discussion"]),
                            [el("ul", *_by_author(c, "li", texts))])[0])
    if c.chance(0.4):
        parts.append(c.button("Load more comments")[0])
    box_w, box = c.field(c.pick(["Add a comment", "Write a comment", "Your comment"]),
                         lambda r: r.choice(NEW_COMMENTS), textarea=True, aliases=("comment",))
    btn_w, btn = c.button(c.pick(["Post", "Post comment", "Reply"]), submit=True)
    parts += [box_w, btn_w]
    t = c.pick(NEW_COMMENTS)
    c.flow("comments.post", {"text": V(t), "f": M(box), "b": M(btn)}, [_type(box, t, "text"),
                                                                       _steps_click(btn)])
    return [el("section", *parts, class_="comments")]


def build_pagination(c: Ctx) -> list[Node]:
    total = c.rng.randint(4, 12)
    page = c.rng.randint(2, total - 1)
    base = c.pick(["/articles", "/products", "/search", "/blog"])
    parts: list[Node] = [el("h2", c.pick(["Articles", "All products", "Latest posts"]))]
    parts.append(el("ul", *[el("li", t) for t in c.rng.sample(PRODUCTS + TODOS, 3)]))
    parts.append(c.text("p", f"Page {page} of {total}", "read.page", "page indicator", role="status")[0])
    prev_node, prev = c.link("Previous", f"{base}?page={page - 1}")
    links: list[Node] = [prev_node]
    numbers = sorted({1, page - 1, page, page + 1, total})
    for n in numbers:
        if n == page:
            links.append(el("span", str(n), aria_current="page"))
        else:
            node, target = c.link(str(n), f"{base}?page={n}")
            links.append(node)
            c.flow("pagination.page", {"n": S(str(n))},
                   [Step("navigate", target, {"url": f"{base}?page={n}"}, "n")])
    next_node, nxt = c.link("Next", f"{base}?page={page + 1}")
    links.append(next_node)
    c.flow("pagination.next", {}, [_steps_click(nxt, "_")])
    c.flow("pagination.prev", {}, [_steps_click(prev, "_")])
    parts.append(el("nav", *links, aria_label="Pagination"))
    return [el("section", *parts, class_="pagination")]


def build_contact(c: Ctx) -> list[Node]:
    parts: list[Node] = [el("h2", c.pick(["Contact us", "Get in touch", "Send us a message"]))]
    name_w, name = c.field(c.pick(["Name", "Your name"]), _name, aliases=("name",))
    email_w, email = c.field(c.pick(["Email", "Your email"]), _email, kind="email", aliases=("email",))
    parts += [name_w, email_w]
    parts.append(c.select("Subject", SUBJECTS, 0, aliases=("topic",))[0])
    msg_w, msg = c.field(c.pick(["Message", "How can we help?", "Your message"]),
                         lambda r: r.choice(NEW_MESSAGES), textarea=True, aliases=("message",))
    parts.append(msg_w)
    if c.chance(0.4):
        parts.append(c.check("Send me a copy")[0])
    btn_w, btn = c.button(c.pick(["Send", "Send message", "Submit"]), submit=True)
    parts.append(btn_w)
    n, e, m = _name(c.rng), _email(c.rng), c.pick(NEW_MESSAGES)
    c.flow("contact.send", {"name": V(n), "email": V(e), "message": V(m), "b": M(btn)},
           [_type(name, n, "name"), _type(email, e, "email"), _type(msg, m, "message"), _steps_click(btn)])
    return [el("form", *parts, class_="contact")]


def build_cart(c: Ctx) -> list[Node]:
    items = c.rng.sample(PRODUCTS, c.rng.randint(2, 3))
    rows = []
    for item in items:
        qty_id = c.uid(f"qty-{item}")
        qty = el("input", type="number", id=qty_id, value=str(c.rng.randint(1, 3)),
                 aria_label=f"Quantity for {item}")
        qty_t = c.add(Target(qty, "field", qty, (), lambda r: str(r.randint(1, 6))))
        rm_node, rm = c.button("Remove", aria=f"Remove {item}")
        rows.append(el("tr", el("td", item), c.text("td", _money(c.rng, 5, 90), "read.cell", col="price",
                                                    key=item)[0],
                       el("td", qty), el("td", rm_node)))
        n = str(c.rng.randint(2, 6))
        c.flow("cart.quantity", {"item": S(item.lower()), "n": V(n)}, [_type(qty_t, n, "n")])
        c.flow("cart.remove", {"item": S(item.lower())}, [_steps_click(rm, "item")])
    head = el("thead", el("tr", *[el("th", h) for h in ("Item", "Price", "Qty", "")]))
    parts: list[Node] = [el("h2", c.pick(["Your cart", "Shopping cart", "Basket"])),
                         el("table", head, el("tbody", *rows))]
    parts.append(c.text("p", f"Subtotal: {_money(c.rng, 20, 300)}", "read.subtotal", "subtotal",
                        role="status")[0])
    code_w, code = c.field(c.pick(["Promo code", "Discount code", "Coupon"]), lambda r: r.choice(PROMO_CODES),
                           aliases=("promo code", "coupon"))
    apply_w, apply = c.button("Apply")
    parts += [code_w, apply_w]
    parts.append(c.button(c.pick(["Checkout", "Proceed to checkout", "Go to checkout"]))[0])
    if c.chance(0.5):
        parts.append(c.link("Continue shopping", "/shop")[0])
    k = c.pick(PROMO_CODES)
    c.flow("cart.promo", {"code": V(k), "f": M(code), "b": M(apply)}, [_type(code, k, "code"),
                                                                       _steps_click(apply)])
    return [el("section", *parts, class_="cart")]


def build_chat(c: Ctx) -> list[Node]:
    texts = c.rng.sample(MESSAGES, c.rng.randint(2, 4))
    parts: list[Node] = [el("h2", c.pick(["Messages", "Team chat", f"Chat with {c.pick(FIRST)}"]))]
    parts.append(c.scroller(c.pick(["Messages", "Conversation", "Chat history"]), _by_author(c, "p",
                                                                                             texts))[0])
    box_w, box = c.field(c.pick(["Message", "Type a message", "Write a reply"]),
                         lambda r: r.choice(NEW_MESSAGES),
                         aliases=("message box",))
    btn_w, btn = c.button("Send", submit=True)
    parts.append(el("form", box_w, btn_w))
    m = c.pick(NEW_MESSAGES)
    c.flow("chat.send", {"msg": V(m), "f": M(box), "b": M(btn)}, [_type(box, m, "msg"), _steps_click(btn)])
    return [el("section", *parts, class_="chat")]


def build_product(c: Ctx) -> list[Node]:
    product = c.pick(PRODUCTS)
    parts: list[Node] = [el("h1", product),
                         c.text("p", _money(c.rng), "read.price", "price", role=None)[0],
                         el("p", c.pick(["Free returns within 30 days.", "Ships in 2-3 business days.",
                                         "Made from recycled materials."]))]
    size_w, size = c.select("Size", SIZES, 0)
    parts.append(size_w)
    if c.chance(0.5):
        parts.append(c.radios("Color", c.rng.sample(COLORS, 3), 0)[0])
    parts.append(c.field("Quantity", lambda r: str(r.randint(1, 5)), kind="number", value="1",
                         aliases=("qty",))[0])
    btn_w, btn = c.button(c.pick(["Add to cart", "Add to bag", "Buy now"]))
    parts.append(btn_w)
    if c.chance(0.5):
        parts.append(c.button(c.pick(["Add to wishlist", "Save for later"]))[0])
    o = c.pick(SIZES[1:])
    c.flow("product.buy", {"o": S(o)}, [Step("select_option", size, {"option": o}, "o"), _steps_click(btn)])
    return [el("section", *parts, class_="product")]


def build_account(c: Ctx) -> list[Node]:
    terms = [("Plan", c.pick(["Free", "Pro", "Team", "Enterprise"])),
             ("Next billing date", f"{c.pick(MONTHS)} {c.rng.randint(1, 28)}, 2026"),
             ("Member since", str(c.rng.randint(2015, 2025))),
             ("Storage used", f"{c.rng.randint(1, 49)}.{c.rng.randint(0, 9)} GB of 50 GB"),
             ("Account ID", f"AC-{c.rng.randint(10000, 99999)}")]
    rows: list[Node] = []
    for term, value in c.rng.sample(terms, 3):
        dd, target = c.text("dd", value, "read.term", term.lower(), term=term.lower())
        rows.append(el("div", el("dt", term), dd))
        assert target is not None
        target.remove = rows[-1]
    parts: list[Node] = [el("h2", c.pick(["Account", "Your account", "Billing overview"])), el("dl", *rows),
                         c.button(c.pick(["Upgrade plan", "Change plan"]))[0]]
    if c.chance(0.6):
        parts.append(el("div", el("h3", "Danger zone"), c.button("Delete account")[0], class_="danger"))
    return [el("section", *parts, class_="account")]


ARCHETYPES: dict[str, Callable[[Ctx], list[Node]]] = {
    "login": build_login, "signup": build_signup, "search": build_search, "checkout": build_checkout,
    "settings": build_settings, "todo": build_todo, "table": build_table, "nav": build_nav,
    "dialog": build_dialog, "filters": build_filters, "profile": build_profile,
                                                      "newsletter": build_newsletter,
    "booking": build_booking, "comments": build_comments, "pagination": build_pagination,
    "contact": build_contact, "cart": build_cart, "chat": build_chat, "product": build_product,
    "account": build_account,
}
# The page kinds of real sites (fgweb/data/web.py) and the kinds of site the archetypes above lack
# (fgweb/data/sites/: mail, bank, calendar, files, …) join the ones above.
ARCHETYPES.update(web.ARCHETYPES)
ARCHETYPES.update(sites.ARCHETYPES)
# Archetypes whose builders draw their own header, sidebar and footer (fgweb/data/sites/): the page
# adds no navigation bar or footer of its own.
OWN_CHROME: set[str] = set(sites.ARCHETYPES)
# Archetypes that can be a page's second section (a dialog is always the last thing on its page).
SECONDARY: tuple[str, ...] = ("login", "search", "newsletter", "table", "todo", "settings", "product",
                              "account", "chat", "pagination", "comments", "profile", "booking",
                              "alerts", "records", "apparel")


# -------------------------------------------------------------------------------------------- pages


def _decorate_hidden(c: Ctx) -> Node:
    kind = c.pick(["hidden", "display", "aria", "input", "visibility"])
    if kind == "hidden":
        return el("div", el("button", "Admin panel", type="button"), hidden=True)
    if kind == "display":
        return el("div", el("a", "Secret offer", href="/secret"), el("p", "Only for staff"),
                  style="display: none")
    if kind == "aria":
        return el("p", "Decorative banner", aria_hidden="true")
    if kind == "visibility":
        return el("div", el("button", "Undo", type="button"), style="visibility: hidden")
    return el("input", type="hidden", name="csrf", value=f"{c.rng.getrandbits(40):x}")


def build_page(archetype: str, seed: int, page_id: str, secondary_pool: tuple[str, ...]) -> Built:
    """Returns the page of an archetype for a seed: same seed, same page (fresh nodes each call)."""
    c = Ctx(random.Random(seed))
    body: list[Node] = []
    sections = {archetype}
    own_chrome = archetype in OWN_CHROME  # site pages bring their own header and footer
    if archetype != "nav" and not own_chrome and c.chance(0.35):
        body += build_nav(c)
        c.tags.add("combined")
    if c.chance(0.12):
        cookie = [el("p", c.pick(["We use cookies to improve your experience.", "This site uses cookies."]))]
        accept_node, accept = c.button(c.pick(["Accept all", "Accept cookies", "OK"]))
        cookie += [accept_node, c.button(c.pick(["Reject", "Decline", "Manage preferences"]))[0]]
        body.append(el("div", *cookie, class_="cookies"))
        c.flow("cookies.accept", {}, [_steps_click(accept, "_")])
    main = ARCHETYPES[archetype](c)
    extra: list[Node] = []
    pool = [a for a in secondary_pool if a != archetype]
    # A site page is a whole page already (header to footer): it takes no second section.
    if archetype != "dialog" and not own_chrome and pool and (archetype == "nav" or c.chance(0.3)):
        # Real pages (the demo's included) have several sections: sometimes add a second one.
        for second in c.rng.sample(pool, 2 if len(pool) > 1 and c.chance(0.4) else 1):
            extra += ARCHETYPES[second](c)
            sections.add(second)
        c.tags.add("combined")
    if c.chance(0.12):
        text = c.pick(INJECTIONS)
        injection = [el("p", text, class_="note")]
        if c.chance(0.5):
            injection.append(el("button", "Delete account", type="button", class_="danger"))
        extra.append(el("div", *injection))
        c.tags.add("injection")
    if c.chance(0.3):
        extra.append(_decorate_hidden(c))
        c.tags.add("hidden")
    if c.chance(0.12):
        extra.append(el("button", c.pick(["Save draft", "Publish", "Next step"]), type="button",
                        disabled=True))
    if not own_chrome and c.chance(0.25):
        footer_links = [c.link(t, h)[0] for t, h in (("Privacy", "/privacy"), ("Terms", "/terms"))]
        extra.append(el("footer", el("p", f"© {c.rng.randint(2019, 2026)} Acme Inc."), *footer_links))
    if archetype == "dialog":
        body = body + extra + main
    else:
        body = body + main + extra
    return Built(Page(page_id, [el("main", *body)]), archetype, c.targets, c.flows, c.tags,
                 frozenset(sections))
