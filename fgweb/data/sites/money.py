"""Sites about money: online banking (accounts, transactions, a card panel, or a transfer form) and a
property search (price bands, bedrooms and kinds of home in the user's words, listings to save)."""

from __future__ import annotations

from fgweb.data.page import (
    CITIES,
    FIRST,
    STREET_KINDS,
    STREETS,
    Ctx,
    M,
    S,
    Slot,
    Step,
    V,
    _steps_click,
    _type,
)
from fgweb.data.sites.kit import (
    CURRENCIES,
    _begin,
    _distinct,
    act_button,
    aria_switch,
    combo,
    date_text,
    header,
    mapped_radio,
    mapped_select,
    maybe_placeholder,
    money,
    radio_group,
    random_day,
    read_target,
    row_flows,
    site,
    spoken_amount,
)
from fgweb.data.web import punct_value
from fgweb.snapshot import Node, el

# ---------------------------------------------------------------------------------------------- bank

BANK_BRANDS = ["Tidewater Bank", "Harbour Credit Union", "Kite Bank", "Meridian", "Fernleaf Bank",
               "Northstar Savings"]
CHECKING = [("Everyday Checking", ("checking", "my checking account", "the checking account")),
            ("Current Account", ("current account", "my main account", "the current account")),
            ("Main Account", ("main account", "my everyday account"))]
SAVINGS = [("Savings", ("savings", "my savings", "the savings account")),
           ("Easy Saver", ("savings", "the saver account", "easy saver")),
           ("High-Yield Savings", ("savings", "high yield savings", "the high-yield one"))]
OTHER_ACCOUNTS = [("Holiday Fund", ("holiday fund", "the holiday pot", "vacation savings")),
                  ("Joint Account", ("joint account", "the joint one", "our joint account")),
                  ("Rainy Day Pot", ("rainy day pot", "emergency fund", "the emergency pot")),
                  ("Kids' Account", ("kids' account", "the kids account", "the children's account"))]
MERCHANTS = ["Tesco", "Uber", "Netflix", "Shell", "Amazon Marketplace", "Starbucks", "Lidl", "Spotify",
             "City Water", "Boots", "Deliveroo", "IKEA", "Zara", "Oakwood Lettings", "Vodafone", "Trainline",
             "Pret A Manger", "Aldi", "Airbnb", "Costa Coffee"]
FREQUENCY_WORDS = {"Monthly": ("every month", "once a month", "monthly, it's my rent"),
                   "Weekly": ("every week", "once a week", "each week"),
                   "One-off": ("just once", "one time only", "only this once")}


def build_bank(c: Ctx) -> list[Node]:
    """Online banking: accounts (cards with the same button), recent transactions, a card panel, or a
    transfer form whose accounts the user names loosely ("from checking")."""
    _begin(c)
    brand = c.pick(BANK_BRANDS)
    cur = c.pick(CURRENCIES)
    head, _, _ = header(c, brand, ["Accounts", "Payments", "Cards", "Savings goals", "Help"], links=(2, 4))
    accounts = [c.pick(CHECKING), c.pick(SAVINGS), *c.rng.sample(OTHER_ACCOUNTS, c.rng.randint(0, 2))]
    rows = [(name, said, f"{c.pick(['••', '…', 'ending '])}{c.rng.randint(1000, 9999)}",
             c.rng.randint(20, 20000) + c.rng.randint(0, 99) / 100) for name, said in accounts]
    content: list[Node] = [el("h1", c.pick(["Your accounts", "Accounts overview",
                                            f"Good morning, {c.pick(FIRST)}"]))]
    if c.chance(0.55):
        content += _bank_overview(c, rows, cur)
    else:
        content += _bank_transfer(c, rows, cur)
    return site(c, head, content, brand, foot=0.3, kind="bank")


def _bank_overview(c: Ctx, rows: list[tuple[str, tuple[str, ...], str, float]], cur: str) -> list[Node]:
    act = c.pick(["View", "Manage", "Details"])
    cards, buttons = [], []
    for name, said, masked, balance in rows:
        bal = read_target(c, el("p", money(c, balance, cur)), "ask.balance", f"{name} balance",
                          acct=c.pick(said))
        node, target = c.button(act)
        buttons.append({act: target})
        cards.append(el("div", el("h3", name), el("p", masked), bal, node, class_="account"))
    row_flows(c, "account", [r[0] for r in rows], buttons)
    parts: list[Node] = [el("div", *cards, class_="accounts")]
    merchants = c.rng.sample(MERCHANTS, c.rng.randint(3, 4))
    items = []
    for merchant in merchants:
        amount = money(c, c.rng.randint(3, 400) + c.rng.randint(0, 99) / 100, cur)
        day = date_text(c, random_day(c), c.pick(["d M Y", "D d M", "dd/mm/yyyy"]))
        li = el("li", el("span", merchant), " ", el("span", day), " ", el("span", f"−{amount}"))
        items.append(read_target(c, li, "ask.spent", f"{merchant} payment", merchant=merchant))
    parts += [el("h2", c.pick(["Recent transactions", "Latest activity"])), el("ul", *items)]
    if c.chance(0.6):
        label = f"Debit card {c.pick(['••', 'ending '])}{c.rng.randint(1000, 9999)}"
        if c.chance(0.5):
            node, freeze = aria_switch(c, c.pick(["Freeze card", "Lock card"]), False)
            step = Step("set_checked", freeze, {"checked": True}, "_")
        else:
            node, freeze = c.button(c.pick(["Freeze card", "Report lost or stolen", "Lock card"]))
            step = _steps_click(freeze, "_")
        parts.append(el("section", el("h2", label), node, class_="card-panel"))
        c.flow("indirect.lost_card", {}, [step])
    return parts


def _bank_transfer(c: Ctx, rows: list[tuple[str, tuple[str, ...], str, float]], cur: str) -> list[Node]:
    summary = [read_target(c, el("li", f"{name} {masked} {money(c, balance, cur)}"), "ask.balance",
                           f"{name} balance", acct=c.pick(said)) for name, said, masked, balance in rows]
    style = c.pick(["full", "masked", "name"])
    labels = [{"full": f"{n} {m} ({money(c, b, cur)})", "masked": f"{n} ({m})", "name": n}[style]
              for n, _, m, b in rows]
    said = {lab: r[1] for lab, r in zip(labels, rows, strict=True)}
    from_w, src = combo(c, c.pick(["From", "From account", "Pay from"]), labels, selected=0,
                        aliases=("from", "from account"))
    to_w, dst = combo(c, c.pick(["To", "To account", "Pay into"]), labels,
                      placeholder=maybe_placeholder(c, 0.6), aliases=("to", "to account"))
    sign = {"€de": "€"}.get(cur, cur)
    amt_w, amt = c.field(c.pick(["Amount", f"Amount ({sign})", "How much?"]),
                         lambda r: str(r.randint(10, 900)),
                         kind=c.pick(["number", "text"]), aliases=("amount",))
    heading = el("h2", c.pick(["Move money", "Transfer", "Make a transfer"]))
    parts: list[Node] = [el("ul", *summary, class_="balances"), heading, from_w, to_w, amt_w]
    if c.chance(0.5):
        parts.append(c.field(c.pick(["Date", "Transfer date", "When?"]),
                             lambda r: f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}", kind="date")[0])
    if c.chance(0.6):
        parts.append(c.field(c.pick(["Reference", "Memo", "Payment reference"]), punct_value,
                             hint="e.g. Rent", aliases=("reference", "memo"))[0])
    if c.chance(0.5):
        freq = ["One-off", "Weekly", "Monthly"]
        group, radios = radio_group(c, c.pick(["Frequency", "How often?", "Repeat"]), freq, 0)
        parts.append(group)
        mapped_radio(c, radios, freq, FREQUENCY_WORDS, 0)
    go_node, go = c.button(c.pick(["Continue", "Review transfer", "Transfer now", "Next"]), submit=True)
    parts += [go_node, c.link("Cancel", "/accounts")[0]]
    i, j = c.rng.sample(range(len(rows)), 2)
    mapped_select(c, dst, {labels[j]: said[labels[j]]}, bare=False)
    amount = c.pick([20, 50, 75, 100, 150, 200, 250, 300, 500, 1000, c.rng.randint(11, 999)])
    slots: dict[str, Slot] = {"amt": S(spoken_amount(c, amount, cur)), "src": S(c.pick(rows[i][1])),
                              "dst": S(c.pick(rows[j][1])), "b": M(go)}
    steps = [Step("select_option", src, {"option": labels[i]}, "src"),
             Step("select_option", dst, {"option": labels[j]}, "dst"), _type(amt, str(amount), "amt")]
    if i == 0:  # the source already shows: only the destination and the amount change
        steps = steps[1:]
    c.flow("form.transfer", slots, [*steps, _steps_click(go)])
    c.flow("limit.transfer", slots, steps)
    return [el("form", *parts, class_="transfer")]


# ---------------------------------------------------------------------------------------------- property

PROPERTY_BRANDS = ["Homefinder", "Keyhole", "Nestly", "Brick & Beam", "Openhouse"]
BEDS = {"Studio": ("a studio", "studio flats"), "1+": ("at least one bedroom", "one or more bedrooms"),
        "2+": ("two or more bedrooms", "at least 2 beds"),
        "3+": ("at least three bedrooms", "a minimum of three beds", "3 or more bedrooms"),
        "4+": ("four or more bedrooms", "at least four beds")}
PROPERTY_KINDS = {"House": ("a house", "houses"), "Flat": ("a flat", "an apartment"),
                  "Bungalow": ("a bungalow",), "Land": ("a plot of land",)}
SORT_PROPERTY = {"Lowest price": ("cheapest first", "lowest price first", "price low to high"),
                 "Highest price": ("most expensive first", "priciest first"),
                 "Newest listed": ("newest first", "most recent listings")}


def build_property(c: Ctx) -> list[Node]:
    """A property search: location, price bands and bedrooms in the user's words, property types, listing
    cards whose Save buttons repeat, prices to read."""
    _begin(c)
    brand = c.pick(PROPERTY_BRANDS)
    head, _, _ = header(c, brand, ["Buy", "Rent", "Sold prices", "Agents", "Mortgages"], links=(2, 4))
    cur = c.pick(["£", "$", "€"])
    prices = [100_000 * k for k in (1, 2, 3, 4, 5, 7)]
    labels = [f"{cur}{p:,}" for p in prices]
    where_w, where = c.field(c.pick(["Location", "City, area or postcode", "Where?"]),
                             lambda r: r.choice(CITIES), aliases=("location", "area"))
    max_w, max_t = combo(c, c.pick(["Max price", "Maximum price", "Price up to"]), ["No max", *labels],
                         selected=0, aliases=("max price", "maximum"))
    beds_w, beds = combo(c, c.pick(["Bedrooms", "Min. bedrooms", "Beds"]), ["Any", *BEDS], selected=0,
                         aliases=("bedrooms", "beds"))
    kinds = c.rng.sample(list(PROPERTY_KINDS), 3)
    kind_boxes = [c.check(k) for k in kinds]
    go_node, go = c.button(c.pick(["Search", "Find properties", "Update results"]), submit=True)
    types = el("fieldset", el("legend", "Property type"), *[n for n, _ in kind_boxes])
    parts: list[Node] = [where_w, max_w, beds_w, types]
    if c.chance(0.5):
        parts.append(aria_switch(c, c.pick(["Include under offer", "Show sold properties"]), False)[0])
    parts.append(go_node)
    b = c.pick(list(BEDS)[1:])
    mapped_select(c, beds, {b: BEDS[b]})
    p = c.rng.randrange(len(prices))
    spoken = c.pick([f"under {prices[p] // 1000}k", f"no more than {prices[p] // 1000} grand",
                     f"up to {cur}{prices[p] // 1000}k", f"max {prices[p] // 1000}k"])
    c.flow("mapped.pick", {"o": S(spoken)}, [Step("select_option", max_t, {"option": labels[p]}, "o")])
    k = c.rng.randrange(3)
    city = c.pick(CITIES)
    c.flow("form.property", {"beds": S(c.pick(BEDS[b])), "kind": S(c.pick(PROPERTY_KINDS[kinds[k]])),
                             "city": V(city), "price": S(spoken), "b": M(go)},
           [_type(where, city, "city"), Step("select_option", beds, {"option": b}, "beds"),
            Step("set_checked", kind_boxes[k][1], {"checked": True}, "kind"),
            Step("select_option", max_t, {"option": labels[p]}, "price"), _steps_click(go)])
    listings = _distinct(lambda: f"{c.rng.randint(1, 140)} {c.pick(STREETS)} {c.pick(STREET_KINDS)}",
                         c.rng.randint(3, 4))
    cards, buttons = [], []
    act = c.pick(["Save", "Contact agent"])
    for addr in listings:
        price = read_target(c, el("p", f"{cur}{c.rng.randint(120, 950) * 1000:,}"), "ask.house_price",
                            f"price of {addr}", addr=addr)
        node, target = act_button(c, act, act == "Save" and c.chance(0.6))
        buttons.append({act: target})
        rooms = f"{c.rng.randint(1, 5)} bed · {c.rng.randint(1, 3)} bath"
        cards.append(el("div", el("h3", addr), price, el("p", rooms), node, class_="listing"))
    row_flows(c, c.pick(["listing", "property", "home"]), listings, buttons)
    results = el("h2", f"{c.rng.randint(8, 400)} results")
    content: list[Node] = [el("form", *parts, role="search"), results, *cards]
    if c.chance(0.4):
        node, sort = combo(c, "Sort", list(SORT_PROPERTY), selected=2, aliases=("sort", "order"))
        content.insert(1, node)
        mapped_select(c, sort, SORT_PROPERTY, exclude="Newest listed")
    return site(c, head, content, brand, foot=0.3, kind="property")


# ------------------------------------------------------------------------------------------ templates
# This module's own intents (the generic mapped.*, rows.* and search.search ones are in
# fgweb/data/web.py and fgweb/data/templates.py). Slots: {v}, {email}, {subj}, … exact values;
# {o}, {who}, {amt}, … the user's words; {b} the button a command presses (or, in limit.*, says
# not to press).

TEMPLATES: dict[str, tuple[str, ...]] = {
    # Questions a page element answers (read_text on that element).
    "ask.balance": ("how much is in my {acct}", "what's my {acct} balance", "{acct} balance?",
                    "check the balance of {acct}", "how much money is in {acct}", "what do i have in {acct}",
                    "tell me the {acct} balance"),
    "ask.spent": ("how much did i spend at {merchant}", "what was the {merchant} payment",
                  "how much did {merchant} take", "what did {merchant} charge me",
                  "{merchant} - how much was it"),
    "ask.house_price": ("how much is {addr}", "what's the asking price for {addr}",
                        "{addr} - what's it going for", "how much do they want for {addr}"),
    # A site's own commands of three to five calls.
    "form.transfer": ("move {amt} from {src} to {dst}", "transfer {amt} from {src} into {dst}",
                      "send {amt} to {dst} from {src}", "put {amt} from {src} in {dst} and continue",
                      "i want to move {amt} over to {dst} from {src}", "{amt} from {src} to {dst} pls"),
    "form.property": ("find {kind} in {city} with {beds}, {price}, then search",
                      "{kind} in {city}, {beds}, {price}",
                      "looking for {kind} around {city}: {beds}, {price}",
                      "show me {kind} in {city} - {beds} and {price}",
                      "search {city} for {kind}, {beds}, {price} please"),
    # Only what is asked.
    "limit.transfer": ("set up {amt} from {src} to {dst} but don't confirm",
                       "fill in a transfer of {amt} from {src} into {dst}, i'll review it",
                       "prepare {amt} from {src} to {dst}, don't press {b}",
                       "get {amt} ready to go from {src} to {dst} but don't send it yet",
                       "{amt} {src} -> {dst}, leave {b} to me"),
    # Implied intents.
    "indirect.lost_card": ("pretty sure i lost my card on the bus",
                           "my debit card got stolen, do something",
                           "can't find my card anywhere, block it",
                           "someone nicked my wallet with the card in it",
                           "i dropped my card somewhere yesterday"),
}
