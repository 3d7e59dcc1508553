"""Sites where people write to each other: mail (folders, a message list, an open message or a
compose dialog), a social feed or profile, and a helpdesk (a new-ticket form and the user's tickets)."""

from __future__ import annotations

from collections.abc import Callable

from fgweb.data.page import (
    CITIES,
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
    ascii_word,
    search_flow,
)
from fgweb.data.sites.kit import (
    COMPANIES,
    JOB_TITLES,
    MAIL_TOPICS,
    MONTH_NAMES,
    WEEKDAYS,
    _begin,
    _distinct,
    _people,
    act_button,
    combo,
    date_text,
    dialog,
    header,
    icon_button,
    radio_group,
    random_day,
    read_target,
    row_flows,
    sidebar,
    site,
)
from fgweb.data.web import PLACEHOLDER_OPTIONS, punct_value
from fgweb.snapshot import Node, el

# ---------------------------------------------------------------------------------------------- mail

MAIL_BRANDS = ["Postbox", "Letterbird", "Mailroom", "Inkwell", "Relay Mail", "Pigeonhole"]
FOLDERS = ["Inbox", "Starred", "Snoozed", "Sent", "Drafts", "Archive", "Spam", "Trash"]
FOLDER_WORDS = {"Sent": ("my sent mail", "the emails i sent", "sent messages"),
                "Drafts": ("my unfinished emails", "the drafts folder", "emails i haven't sent yet"),
                "Spam": ("the junk folder", "junk mail", "the spam folder"),
                "Trash": ("deleted emails", "the bin", "the deleted folder"),
                "Starred": ("starred emails", "the ones i starred", "my flagged mail"),
                "Archive": ("archived mail", "my archive", "old archived emails"),
                "Snoozed": ("snoozed emails", "the emails i snoozed")}


def _subject(c: Ctx) -> str:
    return c.pick([
        lambda: f"Invoice {c.rng.randint(1000, 9999)} from {c.pick(COMPANIES)}",
        lambda: f"Re: {c.pick(MAIL_TOPICS)} next week",
        lambda: f"Your order #{c.rng.randint(100000, 999999)} has shipped",
        lambda: f"Lunch on {c.pick(WEEKDAYS)}?",
        lambda: f"Draft slides for {c.pick(COMPANIES)}",
        lambda: f"Flight confirmation - {c.pick(CITIES)}",
        lambda: f"Quick question about the {c.pick(MAIL_TOPICS)}",
        lambda: f"Photos from {c.pick(FIRST)}'s party",
        lambda: f"Fwd: {c.pick(MAIL_TOPICS)}",
        lambda: f"{c.pick(['Weekly', 'Monthly'])} update: {c.pick(MAIL_TOPICS)}",
    ])()


def _short_time(c: Ctx) -> str:
    day = random_day(c)
    mon = MONTH_NAMES[day.month - 1][:3]
    return c.pick([f"{c.rng.randint(7, 18):02d}:{c.rng.randint(0, 59):02d}", "Yesterday",
                   c.pick(WEEKDAYS)[:3],
                   f"{mon} {day.day}", f"{day.day} {mon}",
                   f"{c.rng.randint(1, 11)}:{c.rng.randint(10, 59)} PM"])


def build_inbox(c: Ctx) -> list[Node]:
    """An email client: folders, a message list whose rows repeat their buttons, and an open message or a
    compose dialog."""
    _begin(c)
    brand = c.pick(MAIL_BRANDS)
    layout = c.pick(["list", "list", "reading", "compose"])
    head, box, go = header(c, brand, ["Mail", "Calendar", "Contacts", "Tasks"], links=(0, 2),
                           search=(c.pick(["Search mail", "Search messages", "Search in mail"]),
                                   lambda r: r.choice(COMPANIES + FIRST)))
    unread = c.rng.randint(1, 40)
    folders = ["Inbox", *c.rng.sample(FOLDERS[1:], c.rng.randint(3, 4))]
    folders.sort(key=FOLDERS.index)
    aside, links = sidebar(c, "Folders", folders, {"Inbox": unread, "Drafts": c.rng.randint(1, 5)}, "Inbox")
    if c.chance(0.6):
        aside.children.insert(0, c.button(c.pick(["Compose", "New message", "Write"]))[0])
    named = [f for f in folders if f in FOLDER_WORDS]
    if named:
        f = c.pick(named)
        c.flow("mapped.link", {"o": S(c.pick(FOLDER_WORDS[f]))}, [Step("click", links[f], {}, "o")])
    if box is not None and go is not None:
        q = c.pick(COMPANIES + FIRST)
        search_flow(c, box, go, q)
    content: list[Node] = [el("h1", c.pick(["Inbox", "Primary", "All mail"]))]
    if layout == "reading":
        content += _open_message(c)
    else:
        content += _message_list(c, unread)
    if layout == "compose":
        content.append(_compose(c))
    return site(c, head, content, brand, aside=aside, foot=0.2, kind="mail")


def _message_list(c: Ctx, unread: int) -> list[Node]:
    out: list[Node] = []
    if c.chance(0.7):
        status = el("p", c.pick([f"{unread} unread", f"{unread} new messages", f"Unread: {unread}"]),
                    role="status")
        out.append(read_target(c, status, "ask.unread", "unread count"))
    people = _people(c, c.rng.randint(3, 4))
    acts = c.rng.sample(["Archive", "Delete", "Star", "Snooze"], c.rng.randint(1, 2))
    icon, table, select = c.chance(0.5), c.chance(0.5), c.chance(0.35)
    rows: list[Node] = []
    buttons: list[dict[str, Target]] = []
    boxes: list[Target] = []
    subjects: list[Target] = []
    for first, last in people:
        sender, when = f"{first} {last}", _short_time(c)
        subj_node, subj = c.link(_subject(c), f"/mail/{c.rng.randint(10000, 99999)}")
        subjects.append(subj)
        acts_here = {a: act_button(c, a, icon) for a in acts}
        buttons.append({a: t for a, (_, t) in acts_here.items()})
        controls = [n for n, _ in acts_here.values()]
        time_node = read_target(c, el("td" if table else "p", when), "ask.mail_time",
                                f"time of {first}'s email", who=first)
        cells: list[Node] = []
        if select:
            cb = el("input", type="checkbox", aria_label="Select")
            boxes.append(c.add(Target(cb, "check", cb)))
            cells.append(el("td", cb) if table else cb)
        if table:
            cells += [el("td", sender), el("td", subj_node), time_node, el("td", *controls)]
            rows.append(el("tr", *cells))
        else:
            rows.append(el("li", *cells, el("p", sender), subj_node, time_node, *controls))
    senders = [f"{f} {la}" for f, la in people]
    row_flows(c, c.pick(["email", "message"]), senders, buttons, owners=[f for f, _ in people])
    k = c.rng.randrange(len(people))
    c.flow("rows.open_by", {"noun": S(c.pick(["email", "message", "mail"])),
                            "attr": S(f"from {c.pick([people[k][0], senders[k]])}")},
           [Step("click", subjects[k], {}, "attr")])
    if boxes:
        i = c.rng.randrange(len(boxes))
        c.flow("rows.tick", {"key": V(senders[i]), "noun": S("email")},
               [Step("set_checked", boxes[i], {"checked": True}, "key")])
    out.append(el("table", el("tbody", *rows), aria_label="Messages") if table
               else el("ul", *rows, class_="messages"))
    return out


def _open_message(c: Ctx) -> list[Node]:
    first, last = c.pick(FIRST), c.pick(LAST)
    email = f"{ascii_word(first)}.{ascii_word(last)}@{c.pick(['northwind.io', 'mail.com', 'kestrel.co'])}"
    sender = read_target(c, el("p", c.pick([f"From: {first} {last} <{email}>", f"{first} {last} <{email}>"])),
                         "ask.sender", "sender")
    when = f"{date_text(c, random_day(c))}, {c.rng.randint(7, 18)}:{c.rng.randint(10, 59)}"
    sent = read_target(c, el("p", when), "ask.sent", "date")
    topic, day = c.pick(MAIL_TOPICS), c.pick(WEEKDAYS)
    body = el("p", c.pick([f"Hi, could you send the {topic} by {day}? Thanks, {first}",
                           f"Attached is the {topic} we talked about. Let me know what you think.",
                           f"Are you free on {day} at {c.rng.randint(1, 5)}pm to go over it?"]))
    parts: list[Node] = [el("h2", _subject(c)), sender, sent, body]
    bar = [c.button("Reply")[0], c.button("Forward")[0], icon_button(c, "Archive")[0],
           icon_button(c, "Delete")[0]]
    if c.chance(0.6):
        spam_node, spam = c.button(c.pick(["Report spam", "Mark as spam", "Block sender"]))
        bar.append(spam_node)
        c.flow("indirect.spam", {}, [_steps_click(spam, "_")])
    parts.append(el("div", *bar, class_="toolbar"))
    reply_w, reply = c.field(c.pick(["Reply", f"Reply to {first}", "Write a reply"]), punct_value,
                             textarea=True, aliases=("reply box", "the reply"),
                             how=c.pick(["placeholder", "aria"]))
    send_node, send = c.button("Send", submit=True)
    parts.append(el("form", reply_w, send_node))
    v = punct_value(c.rng)
    c.flow("typed.reply", {"v": V(v), "b": M(send)}, [_type(reply, v, "v"), _steps_click(send)])
    c.flow("limit.reply", {"v": V(v), "b": M(send)}, [_type(reply, v, "v")])
    return parts


def _compose(c: Ctx) -> Node:
    to_w, to = c.field(c.pick(["To", "Recipients"]), _email, kind="email", aliases=("to", "recipient"))
    subj_w, subj = c.field("Subject", lambda r: r.choice(MAIL_TOPICS).capitalize(), aliases=("subject",))
    body_w, body = c.field(c.pick(["Message", "Message body", "Body"]), punct_value, textarea=True,
                           aliases=("message", "body"), how=c.pick(["aria", "placeholder", "labelledby"]))
    send_node, send = c.button("Send", submit=True)
    extra = [c.button("Save draft")[0]] if c.chance(0.5) else []
    e, s, b = _email(c.rng), c.pick([_subject(c), c.pick(MAIL_TOPICS).capitalize()]), punct_value(c.rng)
    slots: dict[str, Slot] = {"email": V(e), "subj": V(s), "body": V(b), "b": M(send)}
    steps = [_type(to, e, "email"), _type(subj, s, "subj"), _type(body, b, "body")]
    c.flow("form.compose", slots, [*steps, _steps_click(send)])
    c.flow("limit.compose", slots, steps)
    return dialog(c, c.pick(["New message", "Compose"]), to_w, subj_w, body_w, send_node, *extra,
                  icon_button(c, "Discard draft")[0])


# ---------------------------------------------------------------------------------------------- social

SOCIAL_BRANDS = ["Chirp", "Circlet", "Snapfeed", "Townsquare", "Mingle"]
# No emoji yet: the typed-text rule checks a value piece by piece, and the byte pieces an emoji is
# spelled with are no text until the last one (a gap of constrain.py and constrain.js, to fix there).
POSTS: tuple[Callable[[Ctx], str], ...] = (
    lambda c: f"Finally finished my first half marathon!! {c.rng.randint(1, 2)}h{c.rng.randint(10, 59)}",
    lambda c: f"Anyone know a good plumber in {c.pick(CITIES)}? Asking for a friend…",
    lambda c: f"New blog post: {c.rng.randint(3, 12)} things I learned moving to {c.pick(CITIES)}",
    lambda c: f"Our cat knocked over the {c.pick(['Christmas tree', 'plant', 'bookshelf'])}. Again.",
    lambda c: f"Hiring! {c.pick(COMPANIES)} is looking for a {c.pick(JOB_TITLES).lower()} - DM me",
    lambda c: f"Sunset from the {c.pick(['pier', 'balcony', 'hill', 'rooftop'])} tonight",
    lambda c: f"Hot take: {c.pick(['pineapple on pizza', 'tabs over spaces', 'cold brew'])} is underrated",
    lambda c: f"Can't believe it's been {c.rng.randint(2, 15)} years since we graduated!",
)
AUDIENCE_WORDS = {"Friends": ("just my friends", "friends only", "people i'm friends with"),
                  "Only me": ("just me", "me alone", "nobody but me"),
                  "Public": ("everyone", "anyone at all", "the whole world"),
                  "Close friends": ("my close friends", "the inner circle")}


def build_social(c: Ctx) -> list[Node]:
    """A social feed or profile: a composer with an audience menu, posts whose Like/Comment/Share buttons
    repeat, follower counts to read."""
    _begin(c)
    brand = c.pick(SOCIAL_BRANDS)
    head, _, _ = header(c, brand, ["Home", "Explore", "Notifications", "Messages", "Groups"], links=(2, 3),
                        search=(f"Search {brand}", lambda r: r.choice(FIRST)))
    me = c.pick(FIRST)
    content: list[Node] = []
    if c.chance(0.4):
        first, last = c.pick(FIRST), c.pick(LAST)
        handle = f"@{ascii_word(first)}{ascii_word(last)[:4]}{c.rng.randint(1, 99)}"
        followers, following = f"{c.rng.randint(1, 9)},{c.rng.randint(100, 999)}", c.rng.randint(20, 900)
        count = f"{followers} followers · {following} following"
        content += [el("h1", f"{first} {last}"), el("p", handle),
                    read_target(c, el("p", count), "ask.followers", "follower count", who=first)]
        follow_node, follow = c.button(c.pick(["Unfollow", "Following"]))
        content += [follow_node, c.button("Message")[0]]
        c.flow("indirect.unfollow", {"who": S(first)}, [_steps_click(follow, "who")])
    else:
        prompt = c.pick([f"What's on your mind, {me}?", "Write a post", "Share something…"])
        text_w, text = c.field(prompt, punct_value, textarea=True, aliases=("post", "the post box"),
                               how=c.pick(["placeholder", "aria"]))
        aud_w, aud = combo(c, c.pick(["Audience", "Who can see this?", "Visibility"]), list(AUDIENCE_WORDS),
                           selected=2, aliases=("audience", "visibility"))
        post_node, post = c.button(c.pick(["Post", "Share", "Publish"]), submit=True)
        content.append(el("form", text_w, aud_w, icon_button(c, "Add photo")[0], post_node,
                          class_="composer"))
        v = c.pick(POSTS)(c)
        a = c.pick(["Friends", "Only me", "Close friends"])
        slots: dict[str, Slot] = {"v": V(v), "aud": S(c.pick(AUDIENCE_WORDS[a])), "b": M(post)}
        steps = [_type(text, v, "v"), Step("select_option", aud, {"option": a}, "aud")]
        c.flow("form.post", slots, [*steps, _steps_click(post)])
        c.flow("limit.post", slots, steps)
    authors = _people(c, c.rng.randint(2, 3))
    acts = c.rng.sample(["Like", "Comment", "Share"], c.rng.randint(1, 2))
    icon = c.chance(0.5)
    posts, buttons = [], []
    for first, last in authors:
        here = {a: act_button(c, a, icon) for a in acts}
        buttons.append({a: t for a, (_, t) in here.items()})
        likes = read_target(c, el("p", f"{c.rng.randint(0, 999)} likes"), "ask.likes",
                            f"likes on {first}'s post", who=first)
        posts.append(el("article", el("p", f"{first} {last}"), el("p", c.pick(POSTS)(c)), likes,
                        *[n for n, _ in here.values()]))
    row_flows(c, "post", [f"{f} {la}" for f, la in authors], buttons, owners=[f for f, _ in authors])
    content += posts
    return site(c, head, content, brand, foot=0.1, kind="social")


# ---------------------------------------------------------------------------------------------- helpdesk

DESK_BRANDS = ["Helpwise", "Supportly", "Fixdesk", "Answerbase", "Tickety"]
CATEGORY_WORDS = {"Billing & payments": ("i was charged twice", "my invoice is wrong",
                                         "a refund hasn't come through"),
                  "Technical problem": ("the app keeps crashing", "the page won't load",
                                        "uploads keep failing"),
                  "Account & login": ("i can't log in", "my password reset email never came",
                                      "i'm locked out of my account"),
                  "Shipping & delivery": ("my parcel never arrived", "the tracking hasn't moved in a week",
                                          "the delivery went to the wrong address"),
                  "Returns & refunds": ("i want to send it back", "the item arrived broken, i want a refund")}
CATEGORY_SHORT = {"Billing & payments": ("billing", "a payment issue"),
                  "Technical problem": ("a technical issue", "a tech problem"),
                  "Account & login": ("login trouble", "an account issue"),
                  "Shipping & delivery": ("delivery", "a shipping problem"),
                  "Returns & refunds": ("a refund", "a return")}
URGENCY_WORDS = {"Urgent": ("my whole team is blocked", "we can't take any orders right now",
                            "production is down"),
                 "High": ("it's hurting our work today", "quite important"),
                 "Low": ("no rush at all", "it can wait till next week", "just a minor thing")}
TICKET_SUBJECTS = ["Charged twice for March", "Can't reset my password", "Export to CSV fails",
                   "Parcel stuck in transit", "Wrong size delivered", "Invoice shows old address",
                   "App crashes on launch", "2FA codes not arriving"]


def build_support(c: Ctx) -> list[Node]:
    """A helpdesk: a new-ticket form whose category and priority the user describes rather than names,
    and a list of their tickets whose View buttons repeat."""
    _begin(c)
    brand = c.pick(DESK_BRANDS)
    head, _, _ = header(c, brand, ["Help centre", "My tickets", "Community", "Status"], links=(1, 3),
                        search=("Search help articles", lambda r: r.choice(TICKET_SUBJECTS).lower()))
    parts: list[Node] = [el("h1", c.pick(["Submit a request", "Contact support", "New ticket"]))]
    email_w, email = c.field(c.pick(["Your email", "Email address"]), _email, kind="email",
                             aliases=("email",))
    subj_w, subj = c.field("Subject", lambda r: r.choice(TICKET_SUBJECTS), aliases=("subject", "title"))
    cats = list(CATEGORY_WORDS) + ["Something else"]
    cat_w, cat = combo(c, c.pick(["Category", "What's this about?", "Topic"]), cats,
                       placeholder=c.pick(PLACEHOLDER_OPTIONS), aliases=("category", "topic"))
    parts += [email_w, subj_w, cat_w]
    if c.chance(0.5):
        parts.append(c.field(c.pick(["Order number (optional)", "Order number"]),
                             lambda r: f"#{r.randint(100000, 999999)}", aliases=("order number",))[0])
    prios = ["Low", "Normal", "High", "Urgent"]
    prio_w, prio = radio_group(c, "Priority", prios, 1)
    desc_w, desc = c.field(c.pick(["Describe the problem", "Description", "How can we help?"]), punct_value,
                           textarea=True, aliases=("description", "details"))
    parts += [prio_w, desc_w]
    if c.chance(0.5):
        parts.append(c.check(c.pick(["Email me about updates", "CC my team"]), checked=c.chance(0.5))[0])
    send_node, send = c.button(c.pick(["Submit", "Submit request", "Send"]), submit=True)
    parts.append(send_node)
    k = c.pick(list(CATEGORY_WORDS))
    c.flow("indirect.issue", {"o": S(c.pick(CATEGORY_WORDS[k]))},
           [Step("select_option", cat, {"option": k}, "o")])
    u = c.pick(list(URGENCY_WORDS))
    c.flow("indirect.priority", {"o": S(c.pick(URGENCY_WORDS[u]))},
           [Step("set_checked", prio[prios.index(u)], {"checked": True}, "o")])
    s, d = c.pick(TICKET_SUBJECTS), punct_value(c.rng)
    slots: dict[str, Slot] = {"subj": V(s), "desc": V(d), "cat": S(c.pick(CATEGORY_SHORT[k])), "b": M(send)}
    steps = [_type(subj, s, "subj"), Step("select_option", cat, {"option": k}, "cat"), _type(desc, d, "desc")]
    c.flow("form.ticket", slots, [*steps, _steps_click(send)])
    c.flow("limit.ticket", slots, steps)
    content: list[Node] = [el("form", *parts, class_="ticket")]
    if c.chance(0.5):
        ids = _distinct(lambda: f"#{c.rng.randint(1000, 9999)}", c.rng.randint(2, 3))
        rows, buttons = [], []
        act = c.pick(["View", "Reopen", "Close"])
        for ident in ids:
            status = read_target(c, el("td", c.pick(["Open", "Pending", "Solved", "Waiting on you"])),
                                 "ask.ticket", f"status of ticket {ident}", ticket=ident)
            node, target = c.button(act)
            buttons.append({act: target})
            rows.append(el("tr", el("td", ident), el("td", c.pick(TICKET_SUBJECTS)), status, el("td", node)))
        row_flows(c, "ticket", ids, buttons)
        content.append(el("section", el("h2", "Your recent tickets"), el("table", el("tbody", *rows))))
    return site(c, head, content, brand, foot=0.3, kind="support")


# ------------------------------------------------------------------------------------------ templates
# This module's own intents (the generic mapped.*, rows.* and search.search ones are in
# fgweb/data/web.py and fgweb/data/templates.py). Slots: {v}, {email}, {subj}, … exact values;
# {o}, {who}, {amt}, … the user's words; {b} the button a command presses (or, in limit.*, says
# not to press).

TEMPLATES: dict[str, tuple[str, ...]] = {
    # Questions a page element answers (read_text on that element).
    "ask.unread": ("how many unread emails do i have", "any unread mail?", "how many new messages",
                   "unread count?", "how many emails haven't i read"),
    "ask.mail_time": ("when did {who} email me", "what time did {who}'s message come in",
                      "when did i get {who}'s email", "when was {who}'s mail sent",
                      "{who}'s email - when did it arrive"),
    "ask.sender": ("who sent this", "who's this email from", "who wrote this email",
                   "what's the sender's address", "from whom is this"),
    "ask.sent": ("when was this sent", "what date is this email from", "when did this arrive", "sent when?"),
    "ask.followers": ("how many followers does {who} have", "{who}'s follower count?",
                      "how popular is {who}, followers?", "check {who}'s followers"),
    "ask.likes": ("how many likes did {who}'s post get", "likes on {who}'s post?",
                  "how many people liked {who}'s post"),
    "ask.ticket": ("what's the status of ticket {ticket}", "is {ticket} solved yet",
                   "where are we with {ticket}", "status of {ticket}?"),
    # A site's own commands of three to five calls.
    "form.compose": ("email {email} about {subj}: {body}",
                     "send {email} a mail with subject {subj} saying {body}",
                     "new email to {email}, subject {subj}, message {body}, send it",
                     "write to {email} - subject: {subj} - {body} - and send",
                     "to {email}, subject {subj}, body {body}, then {b}",
                     "compose a message to {email} titled {subj}: {body}. send"),
    "form.post": ("post {v} for {aud}", "share {v} - visible to {aud}",
                  "write {v}, audience {aud}, and post it", "{v} <- post that, {aud}",
                  "publish {v} to {aud}"),
    "form.ticket": ("open a ticket about {cat}: subject {subj}, details {desc}",
                    "{subj} - it's {cat} - {desc}. submit it",
                    "submit a request, category {cat}, subject {subj}, description {desc}",
                    "new ticket ({cat}): {subj}. describe it as {desc} and send",
                    "subject {subj}, {cat}, {desc}, then {b}"),
    # Only what is asked.
    "limit.compose": ("draft an email to {email} about {subj} saying {body} but don't send it",
                      "write {body} to {email} with subject {subj}, leave it unsent",
                      "to: {email}, subject: {subj}, text: {body} - i'll press {b} myself",
                      "fill in an email to {email} ({subj}): {body}. don't send yet",
                      "prepare a mail for {email}, subject {subj}, message {body}, no sending"),
    "limit.reply": ("reply {v} but don't send it yet", "draft a reply saying {v}, i'll send it",
                    "write {v} in the reply and leave it", "type a reply - {v} - but hold off on {b}",
                    "put {v} as my reply, don't send"),
    "limit.post": ("write {v} for {aud} but don't post it yet", "draft {v} - {aud} - i'll post it myself",
                   "type {v} and set it to {aud}, don't publish",
                   "prepare a post: {v}, visible to {aud}, hold off on {b}"),
    "limit.ticket": ("fill in a ticket about {cat}: {subj}, {desc} - but don't submit",
                     "draft the request ({cat}), subject {subj}, details {desc}, i'll send it",
                     "subject {subj}, {cat}, {desc}; don't press {b}",
                     "prepare a ticket about {cat}: {subj}. {desc}. don't send yet"),
    # Typed text with punctuation.
    "typed.reply": ("reply {v} and send it", "write back: {v}, then send", "send a reply saying {v}",
                    "respond with {v}", "answer them: {v} and hit {b}", "reply with \"{v}\""),
    # Implied intents.
    "indirect.spam": ("this one's obviously spam", "ugh, this is a scam email",
                      "never signed up for this, it's junk mail", "looks like phishing to me",
                      "this sender keeps spamming me"),
    "indirect.unfollow": ("i'm done with {who}'s posts", "stop showing me {who}",
                          "i don't want to follow {who} anymore", "{who} posts way too much, unfollow",
                          "i don't need {who} in my feed"),
    "indirect.issue": ("{o}", "help, {o}", "hi, {o}. pick the right category",
                       "category should match this: {o}", "{o} - which category is that? set it"),
    "indirect.priority": ("{o}", "about priority: {o}", "priority-wise, {o}",
                          "{o}, set the priority accordingly", "how urgent? {o}"),
}
