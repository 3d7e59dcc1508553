"""Kinds of site the first archetypes lack: mail, bank, calendar, files, music, kanban, jobs, recipes,
social feed, helpdesk, course quiz, government form, car rental, property search, clinic, library.

`fgweb.data.archetypes` and `fgweb.data.templates` add this package's `ARCHETYPES` and `TEMPLATES` to
theirs (the same split rules hold: a quarter of each intent's templates only in eval). Each builder
draws one of several layouts and wraps its content in the chrome real pages have (a header with links, a
search box and icon buttons, often a sidebar, sometimes a footer), with the markup variety of real
sites: labels by `for=`, wrapping labels, `aria-label`, `aria-labelledby`, bare captions, placeholders
only, fieldsets, ARIA switches, icon buttons, tables, lists and cards whose rows repeat their controls,
and dialogs. The page adds no navigation bar or footer of its own (`OWN_CHROME`), so a page stays within
about 20-35 lines.

The flows are the command families real pages fail on: values in the user's words (`mapped.*`: "half
seven" -> "19:30", "at least three bedrooms" -> "3+"), implied intents (`indirect.*`: "I lost my card"),
one of several same-named controls (`rows.*`: "delete the second file", "play the one by Adele"),
questions a page element answers (`ask.*`), limits (`limit.*`: "…but don't send it"), typed text with
punctuation (`typed.*`) and a site's own three- to five-call commands (`form.*`). Content (names from many
cultures, amounts in several currencies, dates and times in several formats) is drawn at random, so no
page string can be memorized.

Modules: `kit.py` (pools, formats, header, sidebar, footer, dialogs, icon buttons, row and mapped-value
flows every site draws on), and the sites, each with its builders and its own intents' templates:
`comms.py` (mail, social feed, helpdesk), `money.py` (bank, property search), `bookings.py` (calendar,
car rental, clinic), `media.py` (files, music, kanban, recipe), `forms.py` (jobs, course quiz,
government form, library).
"""

from __future__ import annotations

from collections.abc import Callable

from fgweb.data.page import Ctx
from fgweb.data.sites import bookings, comms, forms, media, money
from fgweb.snapshot import Node

# In this order: the generator draws a page's archetype from the list of all of them.
ARCHETYPES: dict[str, Callable[[Ctx], list[Node]]] = {
    "inbox": comms.build_inbox, "bank": money.build_bank, "calendar": bookings.build_calendar,
    "files": media.build_files, "music": media.build_music, "kanban": media.build_kanban,
    "jobs": forms.build_jobs, "recipe": media.build_recipe, "social": comms.build_social,
    "support": comms.build_support, "quiz": forms.build_quiz, "gov": forms.build_gov,
    "rental": bookings.build_rental, "property": money.build_property, "clinic": bookings.build_clinic,
    "library": forms.build_library,
}

TEMPLATES: dict[str, tuple[str, ...]] = {
    **comms.TEMPLATES, **money.TEMPLATES, **bookings.TEMPLATES, **media.TEMPLATES, **forms.TEMPLATES,
}
