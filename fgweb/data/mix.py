"""The dataset's mix: the archetypes only eval sees and the share of templates it holds out, how
often each command family and tool is drawn (in the training split and in eval), and the arguments
each built-in tool takes from the generator."""

from __future__ import annotations

EVAL_ONLY_ARCHETYPES: tuple[str, ...] = ("profile", "booking", "comments")
HELD_OUT_FRACTION = 0.25  # share of each shared intent's templates used only in eval
MULTI_TARGET = 0.25  # share of examples with two or more calls
WEB_SHARE = 0.3  # share of draws from the families of fgweb/data/web.py (limits, out of scope, …)
# How often each of those families is drawn, against the others.
WEB_WEIGHTS = {"limit": 3.0, "offtopic": 3.0, "typed": 1.5, "fill2_click": 1.0, "fill3": 1.0, "fill4": 1.0,
               "fill3_click": 1.0, "fill4_click": 1.0}
# The training split leans on the families real pages fail on most (measured on the hand-written
# held-out set, docs/accuracy.md): in the natural mix they were about 4% of training examples. The
# eval split keeps the natural mix.
# Values in the user's words, implied intents, repeated rows, questions a site page answers (sites/),
# and a site's own three- to five-call commands (sites/).
HARD_FAMILIES = ("mapped", "indirect", "rows", "ask", "form")
TRAIN_HARD_SHARE = 0.3  # chance a training draw takes one of the page's hard-family flows, where it has one
TRAIN_ARCHETYPE_BOOST = 2.0  # how much more often a training page is one of fgweb/data/web.py's kinds
# …and one of fgweb/data/sites/'s (less: they are many, and the first archetypes keep about a third of
# the training pages).
TRAIN_SITE_BOOST = 1.5
TRAIN_WEB_WEIGHTS = {**WEB_WEIGHTS, "typed": 3.0, "fill2_click": 3.0, "fill3": 3.0, "fill4": 3.0,
                     "fill3_click": 3.0, "fill4_click": 3.0}
# Families whose commands pick one of several same-named controls by its row, position or owner: the only
# ones whose targets may share a name with another control of the page.
ROW_FAMILIES = ("rows",)
NOCALL_TARGET = 0.125  # share of examples with no call (each comes with its matched call example)
EVAL_ONLY_SHARE = 0.5  # share of eval pages built from an eval-only archetype
# Relative frequency of each tool among single-call examples.
TOOL_WEIGHTS: dict[str, float] = {
    "click": 0.2, "type_text": 0.19, "set_checked": 0.15, "select_option": 0.12, "read_text": 0.14,
    "navigate": 0.1, "scroll": 0.1,
}
# Arguments each built-in tool takes from the generator; a toolset must declare them to be used.
TOOL_ARGS: dict[str, frozenset[str]] = {
    "click": frozenset({"element", "ref"}),
    "type_text": frozenset({"element", "ref", "text"}),
    "select_option": frozenset({"element", "option", "ref"}),
    "set_checked": frozenset({"checked", "element", "ref"}),
    "scroll": frozenset({"direction", "element", "ref"}),
    "navigate": frozenset({"url"}),
    "read_text": frozenset({"element", "ref"}),
}
ELEMENT_TOOLS = frozenset({"click", "type_text", "select_option", "set_checked", "scroll", "read_text"})
