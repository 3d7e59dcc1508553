"""`web/src/actions.js` in Chromium: checkCall refuses what must not run (and then nothing on the page
changes), executeCall acts with the events a user's action fires, so that a React 18 controlled form
updates its state.

The pages are in e2e/pages/actions/ (form.html: plain elements and event counters; guard.html: what the
guards refuse: relabelled, covered and pointer-events:none elements, links and forms that leave the site,
actions that need confirmation; react.html: a controlled form rendering its state; harness.js:
`window.harness`, which records events and runs calls as the agent does: snapshot, checkCall, executeCall
with the call's snapshot line when the check passes). The repository root is served, so the pages load
web/src and React's UMD builds from web/node_modules.

    nice python3 -m pytest e2e/test_actions.py -q
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
PAGES = "e2e/pages/actions/"
REACT_UMD = REPO / "web" / "node_modules" / "react" / "umd" / "react.production.min.js"


@pytest.fixture(scope="module")
def site(serve_directory: Callable[[Path], str]) -> str:
    """Returns the base URL of the served repository root."""
    return serve_directory(REPO)


@pytest.fixture(scope="module")
def shared_page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """Returns one Playwright page for the whole module, and the list its uncaught errors go to."""
    page = browser.new_page(viewport={"width": 800, "height": 600})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    yield page, errors
    page.close()


def _open(shared_page: tuple[Any, list[str]], url: str) -> Iterator[Any]:
    page, errors = shared_page
    errors.clear()
    page.goto(url)
    try:
        page.wait_for_function("() => window.harness !== undefined", timeout=10_000)
    except Exception as err:  # Playwright's TimeoutError: say why the harness did not load
        raise AssertionError(f"{url}: the actions harness did not load: {errors or err}") from err
    yield page
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def form(shared_page: tuple[Any, list[str]], site: str) -> Iterator[Any]:
    """The shared page, freshly loaded at form.html."""
    yield from _open(shared_page, site + PAGES + "form.html")


@pytest.fixture
def guard(shared_page: tuple[Any, list[str]], site: str) -> Iterator[Any]:
    """The shared page, freshly loaded at guard.html."""
    yield from _open(shared_page, site + PAGES + "guard.html")


@pytest.fixture
def react(shared_page: tuple[Any, list[str]], site: str) -> Iterator[Any]:
    """The shared page, freshly loaded at react.html with the form rendered."""
    if not REACT_UMD.is_file():
        pytest.skip("React's UMD build is missing: run `npm install` in web/")
    for page in _open(shared_page, site + PAGES + "react.html"):
        page.wait_for_selector("#state")
        yield page


# ------------------------------------------------------------------------------------------- helpers

def ref(page: Any, name: str) -> int:
    """The ref of the snapshot line named `name` (also takes the snapshot that `run` checks against)."""
    return int(page.evaluate("(name) => harness.ref(name)", name))


def ref_of_id(page: Any, element_id: str) -> int:
    """The ref of the snapshot line of the element with that id (takes a fresh snapshot)."""
    found = "(id) => harness.snap().entries.find((e) => e.element.id === id).ref"
    return int(page.evaluate(found, element_id))


def element_call(page: Any, tool: str, name: str, **args: Any) -> dict[str, Any]:
    """A call of `tool` on the element named `name`, with its ref from a fresh snapshot."""
    return {"name": tool, "arguments": {"element": name, "ref": ref(page, name), **args}}


def run(page: Any, call: dict[str, Any], **options: Any) -> dict[str, Any]:
    """Checks the call, executes it when the check passes: {check: {ok, codes, …}, executed}. Options:
    allowOrigins (a list), confirm (the answer of a confirm callback; its requests: `confirms(page)`)."""
    return dict(page.evaluate("([call, options]) => harness.run(call, options)", [call, options]))


def confirms(page: Any) -> list[dict[str, Any]]:
    """What the confirm callback was asked, in order: {name, reasons, url, message, element (id)}."""
    return list(page.evaluate("() => harness.confirms"))


def check(page: Any, call: dict[str, Any]) -> dict[str, Any]:
    """checkCall against a fresh snapshot: {ok, issues, codes, element (id), ref}."""
    return dict(page.evaluate("(call) => harness.check(call)", call))


def execute(page: Any, call: dict[str, Any], selector: str | None) -> dict[str, Any]:
    """executeCall on the element `selector` finds (null without one), with no check before it."""
    return dict(page.evaluate(
        "([call, sel]) => harness.actions.executeCall(call, sel ? document.querySelector(sel) : null)",
        [call, selector]))


def events_of(page: Any, element_id: str) -> list[str]:
    """The recorded events whose target is the element with that id, as 'type:id[:inputType]'."""
    return [e for e in page.evaluate("() => harness.events") if e.split(":")[1] == element_id]


def state(page: Any) -> dict[str, Any]:
    """Everything a call could change: DOM, control values, focus, scroll offsets, URL, event count."""
    return dict(page.evaluate("() => harness.state()"))


def text(page: Any, selector: str) -> str:
    return str(page.text_content(selector))


def react_state(page: Any) -> dict[str, Any]:
    return dict(page.evaluate("() => JSON.parse(document.getElementById('state').textContent)"))


def assert_executed(result: dict[str, Any]) -> Any:
    """Asserts that the call passed its check and ran without error; returns its result."""
    assert result["check"]["ok"], result["check"]["issues"]
    assert result["executed"]["ok"], result["executed"]
    return result["executed"].get("result")


# --------------------------------------------------------------------------------------------- click

def test_click_sends_pointer_mouse_focus_then_exactly_one_click(form: Any) -> None:
    assert_executed(run(form, element_call(form, "click", "Save")))
    assert events_of(form, "save") == ["pointerdown:save", "mousedown:save", "focusin:save", "pointerup:save",
                                       "mouseup:save", "click:save"]
    assert text(form, "#clicks") == "Clicks: 1"
    assert state(form)["focus"] == "save"


def test_click_scrolls_an_offscreen_element_into_view_first(form: Any) -> None:
    offscreen = "() => document.getElementById('far').getBoundingClientRect().top > innerHeight"
    assert form.evaluate(offscreen)
    assert_executed(run(form, element_call(form, "click", "Far away")))
    box = form.evaluate("() => { const r = document.getElementById('far').getBoundingClientRect();"
                        " return [r.top, r.bottom, innerHeight]; }")
    assert 0 <= box[0] and box[1] <= box[2], box
    assert text(form, "#clicks") == "Clicks: 1"


def test_click_on_a_link_follows_it(form: Any) -> None:
    assert_executed(run(form, element_call(form, "click", "Details")))
    assert form.evaluate("() => location.hash") == "#details-section"


def test_click_on_a_submit_button_submits_its_form_once(form: Any) -> None:
    assert_executed(run(form, element_call(form, "click", "Sign up")))
    assert text(form, "#submits") == "Submits: 1"
    assert events_of(form, "signup") == ["submit:signup"]


# ----------------------------------------------------------------------------------------- type_text

def test_type_text_replaces_the_value_and_fires_input_and_change_once(form: Any) -> None:
    assert form.input_value("#fullname") == "old"
    assert_executed(run(form, element_call(form, "type_text", "Full name", text="Ann Lee")))
    assert form.input_value("#fullname") == "Ann Lee"
    assert events_of(form, "fullname") == ["focusin:fullname", "beforeinput:fullname",
                                           "input:fullname:insertText", "change:fullname"]
    assert state(form)["focus"] == "fullname"


def test_type_text_fills_a_textarea_and_a_searchbox(form: Any) -> None:
    assert_executed(run(form, element_call(form, "type_text", "Notes", text="line one\nline two")))
    assert_executed(run(form, element_call(form, "type_text", "Search", text="shoes")))
    assert form.input_value("#notes") == "line one\nline two"
    assert form.input_value("#q") == "shoes"
    assert [e for e in events_of(form, "notes") if e.startswith(("input", "change"))] == [
        "input:notes:insertText", "change:notes"]


# ------------------------------------------------------------------------------------- select_option

def test_select_option_chooses_the_option_by_its_label(form: Any) -> None:
    result = assert_executed(run(form, element_call(form, "select_option", "Country", option="Germany")))
    assert result == "Germany"
    assert form.input_value("#country") == "de"
    assert [e for e in events_of(form, "country") if e.startswith(("input", "change"))] == [
        "input:country", "change:country"]


def test_select_option_resolves_a_label_given_in_another_case(form: Any) -> None:
    result = assert_executed(run(form, element_call(form, "select_option", "Country", option="sPAIN")))
    assert result == "Spain"
    assert form.input_value("#country") == "es"


def test_select_option_refuses_a_placeholder_option(form: Any) -> None:
    result = run(form, element_call(form, "select_option", "Size", option="Choose a size…"))
    assert not result["check"]["ok"] and "placeholder" in result["check"]["issues"][0]["message"]
    assert_executed(run(form, element_call(form, "select_option", "Size", option="Small")))
    assert form.input_value("#size") == "s"


# --------------------------------------------------------------------------------------- set_checked

def test_set_checked_clicks_an_aria_switch_and_reads_aria_checked(form: Any) -> None:
    assert_executed(run(form, element_call(form, "set_checked", "Dark mode", checked=True)))
    assert form.get_attribute("#dark", "aria-checked") == "true"
    assert_executed(run(form, element_call(form, "set_checked", "Dark mode", checked=True)))  # no click
    assert form.get_attribute("#dark", "aria-checked") == "true"


def test_set_checked_ticks_a_checkbox_with_one_click_input_and_change(form: Any) -> None:
    assert_executed(run(form, element_call(form, "set_checked", "Subscribe", checked=True)))
    assert form.is_checked("#subscribe")
    assert [e for e in events_of(form, "subscribe") if e.startswith(("click", "input", "change"))] == [
        "click:subscribe", "input:subscribe", "change:subscribe"]


def test_set_checked_on_a_box_already_in_that_state_fires_nothing(form: Any) -> None:
    assert_executed(run(form, element_call(form, "set_checked", "Subscribe", checked=False)))
    assert not form.is_checked("#subscribe")
    assert events_of(form, "subscribe") == []


def test_set_checked_ticks_a_radio_and_unticks_the_rest_of_its_group(form: Any) -> None:
    assert_executed(run(form, element_call(form, "set_checked", "Pro", checked=True)))
    assert form.is_checked("#plan-pro")
    assert not form.is_checked("#plan-basic")


def test_set_checked_reports_a_handler_that_refuses_the_click(form: Any) -> None:
    result = run(form, element_call(form, "set_checked", "Locked terms", checked=True))
    assert result["check"]["ok"]
    assert not result["executed"]["ok"]
    assert "refused" in result["executed"]["error"]
    assert not form.is_checked("#locked")


# -------------------------------------------------------------------------------------------- scroll

def test_scroll_moves_an_element_by_most_of_its_visible_height(form: Any) -> None:
    height = form.evaluate("() => document.getElementById('messages').clientHeight")
    down = assert_executed(run(form, element_call(form, "scroll", "Messages", direction="down")))
    assert down == form.evaluate("() => document.getElementById('messages').scrollTop")
    assert abs(down - 0.8 * height) <= 1, (down, height)
    up = assert_executed(run(form, element_call(form, "scroll", "Messages", direction="up")))
    assert up == 0


def test_scroll_without_an_element_moves_the_page(form: Any) -> None:
    call = {"name": "scroll", "arguments": {"direction": "down"}}
    result = run(form, call)
    moved = assert_executed(result)
    assert result["check"]["element"] is None
    assert moved == form.evaluate("() => window.scrollY")
    assert abs(moved - 0.8 * 600) <= 1


# ----------------------------------------------------------------------------------------- read_text

def test_read_text_returns_the_elements_trimmed_text(form: Any) -> None:
    assert assert_executed(run(form, element_call(form, "read_text", 'Say "hello" now'))) == 'Say "hello" now'


def test_read_text_cuts_a_long_text_at_4000_characters(form: Any) -> None:
    name = form.evaluate("() => harness.snap().entries.find((e) => e.element.id === 'long').name")
    assert name.endswith("…")  # the snapshot shows a cut; read_text gives more
    result = assert_executed(run(form, element_call(form, "read_text", name)))
    assert len(result) == 4000
    assert result.startswith("lorem ipsum lorem") and result.endswith("…")


# ------------------------------------------------------------------------------------------ navigate

def test_navigate_opens_a_same_origin_page(form: Any, site: str) -> None:
    result = run(form, {"name": "navigate", "arguments": {"url": "other.html"}})
    assert assert_executed(result) == site + PAGES + "other.html"
    assert result["check"]["element"] is None
    form.wait_for_url(site + PAGES + "other.html")
    assert text(form, "h1") == "Other page"


@pytest.mark.parametrize("url", ["http://example.com/", "//example.com/admin", "https://127.0.0.1/"])
def test_navigate_to_another_origin_is_refused_and_the_page_stays(form: Any, url: str) -> None:
    before = state(form)
    result = run(form, {"name": "navigate", "arguments": {"url": url}})
    assert result["check"]["codes"] == ["cross_origin"]
    assert result["executed"] is None
    assert state(form) == before


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<h1>hi</h1>", "ftp://127.0.0.1/x",
                                 "http://[bad", "  "])
def test_navigate_to_a_non_http_url_is_refused(form: Any, url: str) -> None:
    before = state(form)
    result = run(form, {"name": "navigate", "arguments": {"url": url}})
    assert result["check"]["codes"] == ["bad_url"]
    assert result["check"]["issues"][0]["argument"] == "url"
    assert state(form) == before


def test_execute_refuses_a_cross_origin_url_without_a_check(form: Any) -> None:
    before = state(form)
    result = execute(form, {"name": "navigate", "arguments": {"url": "http://example.com/"}}, None)
    assert not result["ok"] and "other origins are refused" in result["error"]
    assert state(form) == before


# ------------------------------------------------------------------------------ refused calls: issues

# (tool, element name whose ref the call carries (None: ref 999), arguments, code, argument at fault)
INVALID = [
    ("click", None, {"element": "Save"}, "unknown_ref", "ref"),
    ("click", "Save", {"element": "Delete account"}, "name_mismatch", "element"),
    ("click", "Actions test page", {}, "wrong_role", "ref"),
    ("type_text", "Save", {"text": "x"}, "wrong_role", "ref"),
    ("select_option", "Full name", {"option": "France"}, "wrong_role", "ref"),
    ("set_checked", "Country", {"checked": True}, "wrong_role", "ref"),
    ("scroll", "Save", {"direction": "down"}, "wrong_role", "ref"),
    ("click", "Delete", {}, "disabled", "ref"),
    ("click", "Archive", {}, "disabled", "ref"),
    ("type_text", "Company", {"text": "Acme"}, "disabled", "ref"),
    ("type_text", "Reference", {"text": "R-2"}, "disabled", "ref"),
    ("select_option", "Country", {"option": "Narnia"}, "unknown_option", "option"),
    ("select_option", "Country", {"option": "Atlantis"}, "disabled", "option"),
    ("type_text", "Age", {"text": "twelve"}, "bad_value", "text"),
    ("type_text", "Code", {"text": "12345"}, "bad_value", "text"),
    ("set_checked", "Basic", {"checked": False}, "bad_value", "checked"),
]


@pytest.mark.parametrize(("tool", "name", "args", "code", "argument"), INVALID,
                         ids=[f"{c[3]}-{c[0]}-{c[1]}" for c in INVALID])
def test_an_invalid_call_gets_its_issue_and_changes_nothing(form: Any, tool: str, name: str | None,
                                                            args: dict[str, Any], code: str,
                                                            argument: str) -> None:
    arguments = {"element": name, "ref": ref(form, name) if name else 999, **args}
    before = state(form)
    result = run(form, {"name": tool, "arguments": arguments})
    assert result["check"]["codes"] == [code], result["check"]["issues"]
    assert result["check"]["issues"][0]["argument"] == argument
    assert result["check"]["issues"][0]["message"]
    assert result["executed"] is None
    assert state(form) == before


def test_issue_messages_say_what_is_wrong(form: Any) -> None:
    mismatch = check(form, {"name": "click", "arguments": {"element": "Sign up", "ref": ref(form, "Save")}})
    assert '"Sign up" does not name ref' in mismatch["issues"][0]["message"]
    assert 'button "Save"' in mismatch["issues"][0]["message"]
    unknown = check(form, {"name": "click", "arguments": {"element": "Save", "ref": 999}})
    assert "ref 999 is not in the page snapshot" in unknown["issues"][0]["message"]
    option = check(form, element_call(form, "select_option", "Country", option="Narnia"))
    assert '["France","Germany","Spain","Atlantis"]' in option["issues"][0]["message"]


def test_scroll_naming_an_element_without_its_ref_is_refused(form: Any) -> None:
    result = check(form, {"name": "scroll", "arguments": {"direction": "down", "element": "Messages"}})
    assert result["codes"] == ["unknown_ref"]


# ---------------------------------------------------------------------------------------- name match

LONG_NAME = ("Download the quarterly financial report for the northern region including all appendices"
             " and tables")


@pytest.mark.parametrize("given", ["save", "  Save ", '"Save"', "'Save'", "Save.", "SAVE!", "save\n"])
def test_a_near_match_of_the_name_is_accepted(form: Any, given: str) -> None:
    result = run(form, {"name": "click", "arguments": {"element": given, "ref": ref(form, "Save")}})
    assert_executed(result)
    assert text(form, "#clicks") == "Clicks: 1"


@pytest.mark.parametrize(("given", "element_id"), [
    ("Forgot password", "forgot"),
    ("forgot   PASSWORD?", "forgot"),
    (LONG_NAME, "longname"),
    ('Say \\"hello\\" now', "quote"),
])
def test_names_that_differ_in_punctuation_case_escapes_or_the_snapshots_cut_are_accepted(
        form: Any, given: str, element_id: str) -> None:
    call = {"name": "read_text", "arguments": {"element": given, "ref": ref_of_id(form, element_id)}}
    result = check(form, call)
    assert result["ok"], result["issues"]


@pytest.mark.parametrize("given", ["Sav", "Save changes", "Sign up", "", "Savee", "S a v e"])
def test_another_name_is_refused(form: Any, given: str) -> None:
    result = check(form, {"name": "click", "arguments": {"element": given, "ref": ref(form, "Save")}})
    assert result["codes"] == ["name_mismatch"]


def test_a_cut_of_the_name_shorter_than_the_snapshots_is_refused(form: Any) -> None:
    result = check(form, {"name": "click", "arguments": {"element": "Download the quarterly",
                                                         "ref": ref_of_id(form, "longname")}})
    assert result["codes"] == ["name_mismatch"]


# ----------------------------------------------------------------------------- elements that went away

def test_an_element_removed_after_the_snapshot_is_gone_and_nothing_happens(form: Any) -> None:
    call = element_call(form, "click", "Save")  # takes the snapshot the run checks against
    form.evaluate("() => document.getElementById('save').remove()")
    before = state(form)
    result = run(form, call)
    assert result["check"]["codes"] == ["element_gone"]
    assert "left the page" in result["check"]["issues"][0]["message"]
    assert result["executed"] is None
    assert state(form) == before
    assert text(form, "#clicks") == "Clicks: 0"


@pytest.mark.parametrize(("name", "hide"), [
    ("Vanishing note", "document.getElementById('vanish').style.display = 'none'"),
    ("Full name", "document.getElementById('signup').hidden = true"),
    ("Temporary", "document.getElementById('temporary').style.visibility = 'hidden'"),
    ("Save", "document.getElementById('save').setAttribute('aria-hidden', 'true')"),
])
def test_an_element_hidden_after_the_snapshot_is_gone(form: Any, name: str, hide: str) -> None:
    call = {"name": "read_text", "arguments": {"element": name, "ref": ref(form, name)}}
    form.evaluate(f"() => {{ {hide}; }}")
    result = run(form, call)
    assert result["check"]["codes"] == ["element_gone"]
    assert "hidden" in result["check"]["issues"][0]["message"]


def test_an_element_removed_between_check_and_execute_fails_cleanly(form: Any) -> None:
    result = form.evaluate("""async () => {
      const call = {name: 'click', arguments: {element: 'Save', ref: harness.ref('Save')}};
      const checked = harness.actions.checkCall(call, harness.snapshot, harness.tools.click);
      const save = document.getElementById('save');
      save.remove();
      const before = harness.events.length;
      const executed = await harness.actions.executeCall(call, checked.element);
      return {ok: checked.ok, executed, events: harness.events.length - before};
    }""")
    assert result["ok"]
    assert not result["executed"]["ok"] and "left the page" in result["executed"]["error"]
    assert result["events"] == 0
    assert text(form, "#clicks") == "Clicks: 0"


def test_execute_refuses_an_element_disabled_after_the_check(form: Any) -> None:
    call = element_call(form, "click", "Save")
    assert check(form, call)["ok"]
    form.evaluate("() => { document.getElementById('save').disabled = true; }")
    before = state(form)
    result = execute(form, call, "#save")
    assert not result["ok"] and "disabled" in result["error"]
    assert state(form) == before


# ------------------------------------------------------------------------------------ other call kinds

def test_a_user_tool_gets_only_the_ref_and_name_checks(form: Any) -> None:
    delete = ref(form, "Delete")
    on_disabled = check(form, {"name": "highlight", "arguments": {"element": "Delete", "ref": delete}})
    assert on_disabled["ok"] and on_disabled["element"] == "delete"
    on_heading = check(form, {"name": "highlight", "arguments": {"element": "Actions test page",
                                                                 "ref": ref(form, "Actions test page")}})
    assert on_heading["ok"]
    assert check(form, {"name": "highlight", "arguments": {"element": "Delete", "ref": 999}})["codes"] == [
        "unknown_ref"]
    assert check(form, {"name": "highlight", "arguments": {"element": "Nope", "ref": delete}})["codes"] == [
        "name_mismatch"]
    assert check(form, {"name": "highlight", "arguments": {"color": "red"}}) == {
        "ok": True, "issues": [], "codes": [], "element": None, "ref": None}


@pytest.mark.parametrize(("call", "selector", "error"), [
    ({"name": "click", "arguments": {}}, None, "needs an element"),
    ({"name": "highlight", "arguments": {}}, "#save", "does not know the tool"),
    ({"name": "scroll", "arguments": {"direction": "sideways"}}, None, 'direction "up" or "down"'),
    ({"name": "type_text", "arguments": {"text": "x"}}, "#save", "needs an input or textarea"),
])
def test_execute_returns_an_error_instead_of_throwing(form: Any, call: dict[str, Any], selector: str | None,
                                                      error: str) -> None:
    before = state(form)
    result = execute(form, call, selector)
    assert not result["ok"] and error in result["error"], result
    assert state(form) == before


# --------------------------------------------------------------------------------------------- React

def test_react_state_follows_type_text(react: Any) -> None:
    assert_executed(run(react, element_call(react, "type_text", "Name", text="Ann")))
    react.wait_for_function("() => JSON.parse(document.getElementById('state').textContent).name === 'Ann'",
                            timeout=2_000)
    assert react_state(react) == {"name": "Ann", "country": "fr", "agree": False, "changes": 1}
    assert react.input_value("#name") == "Ann"


def test_react_state_follows_select_option(react: Any) -> None:
    assert_executed(run(react, element_call(react, "select_option", "Country", option="Germany")))
    react.wait_for_function("() => JSON.parse(document.getElementById('state').textContent).country === 'de'",
                            timeout=2_000)
    assert react_state(react) == {"name": "", "country": "de", "agree": False, "changes": 1}


def test_react_state_follows_set_checked(react: Any) -> None:
    assert_executed(run(react, element_call(react, "set_checked", "I agree", checked=True)))
    react.wait_for_function("() => JSON.parse(document.getElementById('state').textContent).agree",
                            timeout=2_000)
    assert react_state(react) == {"name": "", "country": "fr", "agree": True, "changes": 1}
    assert react.is_checked("#agree")


def test_react_fields_that_ignore_the_change_are_reported_as_refused(react: Any) -> None:
    typed = run(react, element_call(react, "type_text", "Frozen name", text="other"))
    assert not typed["executed"]["ok"] and "refused" in typed["executed"]["error"]
    assert react.input_value("#frozen-name") == "fixed"
    ticked = run(react, element_call(react, "set_checked", "Frozen box", checked=True))
    assert not ticked["executed"]["ok"] and "refused" in ticked["executed"]["error"]
    assert not react.is_checked("#frozen-box")


# ------------------------------------------------------------------ act on what was checked (guard.html)

def log(page: Any) -> str:
    """What the guard page's handlers did (each appends its element's id)."""
    return text(page, "#log")


def refused(result: dict[str, Any], code: str) -> dict[str, Any]:
    """Asserts that the call was refused with `code`, at the check or right before acting; returns the
    issue."""
    if not result["check"]["ok"]:
        assert result["check"]["codes"] == [code], result["check"]["issues"]
        assert result["executed"] is None
        return dict(result["check"]["issues"][0])
    executed = result["executed"]
    assert not executed["ok"] and executed["issue"]["code"] == code, executed
    assert executed["error"] == executed["issue"]["message"]
    return dict(executed["issue"])


@pytest.mark.parametrize("relabel", [
    "archive.textContent = 'Delete account'",
    "archive.setAttribute('aria-label', 'Delete account')",
])
def test_a_button_relabelled_after_the_snapshot_is_refused(guard: Any, relabel: str) -> None:
    call = element_call(guard, "click", "Archive")  # the snapshot the model saw says "Archive"
    guard.evaluate(f"() => {{ const archive = document.getElementById('archive'); {relabel}; }}")
    before = state(guard)
    issue = refused(run(guard, call), "element_changed")
    assert issue["argument"] == "element" and 'is now named "Delete account"' in issue["message"]
    assert state(guard) == before and log(guard) == "Log:"


def test_a_button_relabelled_between_check_and_action_is_refused(guard: Any) -> None:
    result = guard.evaluate("""async () => {
      const call = {name: 'click', arguments: {element: 'Archive', ref: harness.ref('Archive')}};
      const checked = harness.actions.checkCall(call, harness.snapshot, harness.tools.click);
      document.getElementById('archive').textContent = 'Delete account';
      const executed = await harness.actions.executeCall(call, checked.element, {entry: checked.entry});
      return {ok: checked.ok, executed};
    }""")
    assert result["ok"]
    assert result["executed"]["issue"]["code"] == "element_changed", result["executed"]
    assert log(guard) == "Log:"


def test_an_element_that_changed_role_or_became_invisible_is_refused(guard: Any) -> None:
    call = element_call(guard, "click", "Continue")
    guard.evaluate("() => document.getElementById('sneaky').setAttribute('role', 'checkbox')")
    assert 'is now a checkbox' in refused(run(guard, call), "element_changed")["message"]
    call = element_call(guard, "click", "Save")
    guard.evaluate("() => { document.getElementById('save').style.opacity = '0'; }")
    assert "has opacity:0" in refused(run(guard, call), "element_gone")["message"]
    assert log(guard) == "Log:"


@pytest.mark.parametrize("name", ["Save", "Far button"])
def test_a_button_under_a_full_screen_overlay_is_refused_and_its_handler_does_not_run(guard: Any,
                                                                                     name: str) -> None:
    call = element_call(guard, "click", name)
    guard.evaluate("() => { document.getElementById('overlay').hidden = false; }")
    before = state(guard)  # "Far button" is below the fold: the scroll that tested it is undone
    issue = refused(run(guard, call), "not_clickable")
    assert "is covered by <div#overlay>" in issue["message"]
    assert state(guard) == before and log(guard) == "Log:"


def test_a_button_with_pointer_events_none_is_refused_and_its_handler_does_not_run(guard: Any) -> None:
    before = state(guard)
    issue = refused(run(guard, element_call(guard, "click", "No pointer")), "not_clickable")
    assert "pointer-events:none" in issue["message"]
    assert state(guard) == before and log(guard) == "Log:"


def test_a_field_under_an_overlay_is_not_typed_into(guard: Any) -> None:
    call = element_call(guard, "type_text", "Feedback", text="hello")
    guard.evaluate("() => { document.getElementById('overlay').hidden = false; }")
    refused(run(guard, call), "not_clickable")
    assert guard.input_value("#feedback") == ""


def test_the_elements_own_child_a_custom_checkbox_or_a_floating_label_on_top_is_fine(guard: Any) -> None:
    assert_executed(run(guard, element_call(guard, "click", "Icon inside")))
    assert log(guard) == "Log: icon-button"
    # The input is transparent and under the label's box: a person clicks the label, and so may we.
    assert_executed(run(guard, element_call(guard, "set_checked", "Custom terms", checked=True)))
    assert guard.is_checked("#custom")
    # The input is off-screen, its label is seen: the label is what is pressed.
    assert_executed(run(guard, element_call(guard, "set_checked", "Email alerts", checked=True)))
    assert guard.is_checked("#alerts")
    # A floating label lies over its field: a press on it focuses the field.
    assert_executed(run(guard, element_call(guard, "type_text", "Floating field", text="typed")))
    assert guard.input_value("#floating") == "typed"


# ------------------------------------------------------------------------ one origin policy (guard.html)

@pytest.mark.parametrize(("name", "code", "says"), [
    ("External page", "cross_origin", "is on https://example.com"),
    ("Protocol relative", "cross_origin", "is on http://example.com"),
    ("Run script", "bad_url", "javascript: URL, which is never followed"),
    ("Obfuscated script", "bad_url", "javascript: URL"),
    ("Data page", "bad_url", "data: URL"),
    ("Send feedback", "cross_origin", "submits its form (POST)"),
    ("Save draft", "cross_origin", '"https://example.com/steal"'),
    ("Go script", "bad_url", "javascript: URL"),
    ("Shadowed action", "cross_origin", '"https://example.com/shadow"'),
])
def test_a_click_that_would_leave_the_site_or_run_script_is_refused(guard: Any, name: str, code: str,
                                                                    says: str) -> None:
    before = state(guard)
    issue = refused(run(guard, element_call(guard, "click", name)), code)
    assert issue["argument"] == "ref" and says in issue["message"], issue
    assert state(guard) == before and "ran" not in log(guard)


def test_allow_origins_lets_a_click_reach_a_listed_origin(guard: Any) -> None:
    call = element_call(guard, "click", "Send feedback")
    result = guard.evaluate("""([call]) => {
      const snap = harness.snap();
      const check = (allowOrigins) => harness.actions.checkCall(call, snap, null, {allowOrigins}).issues
        .map((i) => i.code);
      return {allowed: check(['https://example.com']), other: check(['https://example.org']),
              url: check(['https://example.com/any/path'])};
    }""", [call])
    assert result == {"allowed": [], "other": ["cross_origin"], "url": []}
    assert refused(run(guard, element_call(guard, "click", "Run script"), allowOrigins=["https://example.com"]),
                   "bad_url")


def test_a_link_clicked_through_its_content_is_checked_too(guard: Any) -> None:
    before = state(guard)
    result = execute(guard, {"name": "click", "arguments": {}}, "#wrapped-inner")
    assert not result["ok"] and result["issue"]["code"] == "cross_origin", result
    assert state(guard) == before


def test_a_form_submitted_from_script_during_a_click_is_cancelled(guard: Any, site: str) -> None:
    result = run(guard, element_call(guard, "click", "Continue"))
    assert result["check"]["ok"]  # a plain button: where its handler goes is known only when it runs
    assert not result["executed"]["ok"] and "the submission was cancelled" in result["executed"]["error"]
    guard.wait_for_timeout(300)
    assert guard.url == site + PAGES + "guard.html" and log(guard) == "Log: sneaky"


def test_same_origin_links_and_forms_and_fragments_are_allowed(guard: Any, site: str) -> None:
    assert_executed(run(guard, element_call(guard, "click", "Search site")))
    assert_executed(run(guard, element_call(guard, "click", "Close panel")))
    assert log(guard) == "Log: submit:local-form submit:dialog-form"
    assert_executed(run(guard, element_call(guard, "click", "Back to top")))
    assert_executed(run(guard, element_call(guard, "click", "Other page")))
    guard.wait_for_url(site + PAGES + "other.html")


# ------------------------------------------------------------------------- confirmation (guard.html)

# (tool, element name, extra arguments, reasons the confirm callback is given)
CONFIRMED = [
    ("click", "Delete account", {}, ["name"]),
    ("click", "Pay now", {}, ["name"]),
    ("click", "Cancel my subscription", {}, ["name"]),
    ("click", "Clear cart", {}, ["attribute"]),
    ("type_text", "Gift message", {"text": "Happy birthday"}, ["attribute"]),
    ("click", "Search site", {}, ["submit"]),
    ("click", "Other page", {}, ["navigate"]),
]


@pytest.mark.parametrize(("tool", "name", "args", "reasons"), CONFIRMED, ids=[c[1] for c in CONFIRMED])
def test_a_refused_confirmation_refuses_the_action(guard: Any, tool: str, name: str, args: dict[str, Any],
                                                   reasons: list[str]) -> None:
    before = state(guard)
    issue = refused(run(guard, element_call(guard, tool, name, **args), confirm=False), "not_confirmed")
    assert "not confirmed, so nothing was done" in issue["message"]
    [asked] = confirms(guard)
    assert asked["name"] == tool and asked["reasons"] == reasons and asked["element"]
    assert state(guard) == before


def test_confirmation_says_what_and_where(guard: Any, site: str) -> None:
    run(guard, element_call(guard, "click", "Clear cart"), confirm=False)
    run(guard, element_call(guard, "click", "Search site"), confirm=False)
    run(guard, {"name": "navigate", "arguments": {"url": "other.html"}}, confirm=False)
    cart, search, navigate = confirms(guard)
    assert cart["message"] == 'click "Clear cart": This empties your cart'
    assert search["url"] == site + PAGES + "other.html"
    assert search["message"] == f'click "Search site": submits its form (GET) to {site + PAGES}other.html'
    assert navigate["reasons"] == ["navigate"] and navigate["element"] is None
    assert guard.url == site + PAGES + "guard.html"


def test_a_confirmed_action_runs(guard: Any) -> None:
    assert_executed(run(guard, element_call(guard, "click", "Delete account"), confirm=True))
    assert log(guard) == "Log: delete-account"
    assert [c["reasons"] for c in confirms(guard)] == [["name"]]


def test_ordinary_actions_and_reads_are_not_confirmed(guard: Any) -> None:
    assert_executed(run(guard, element_call(guard, "click", "Save"), confirm=False))
    assert_executed(run(guard, element_call(guard, "click", "Back to top"), confirm=False))
    assert_executed(run(guard, element_call(guard, "type_text", "Feedback", text="hi"), confirm=False))
    assert_executed(run(guard, element_call(guard, "read_text", "Delete notice text"), confirm=False))
    assert confirms(guard) == []


def test_without_a_confirm_callback_the_action_runs_as_before(guard: Any) -> None:
    assert_executed(run(guard, element_call(guard, "click", "Delete account")))
    assert log(guard) == "Log: delete-account"


@pytest.mark.parametrize(("answer", "says"), [
    ("() => 'yes'", "not confirmed"),
    ("() => { throw new Error('dialog crashed'); }", "the confirm callback failed (dialog crashed)"),
    ("() => { document.getElementById('delete-account').textContent = 'Delete everything'; return true; }",
     'is now named "Delete everything"'),
])
def test_anything_but_true_or_a_page_changed_while_asking_refuses(guard: Any, answer: str, says: str) -> None:
    result = guard.evaluate(f"""async () => {{
      const ref = harness.ref('Delete account');
      const call = {{name: 'click', arguments: {{element: 'Delete account', ref}}}};
      const checked = harness.actions.checkCall(call, harness.snapshot, harness.tools.click);
      return harness.actions.executeCall(call, checked.element, {{entry: checked.entry, confirm: {answer}}});
    }}""")
    assert not result["ok"] and says in result["error"], result
    assert log(guard) == "Log:"
