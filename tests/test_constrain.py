"""Snapshot-bound arguments and the call grammar (fgweb/constrain.py) with the real Gemma 3 tokenizer:
the hooks narrow element, ref and option to the snapshot's lines and a call to its toolset's schemas,
never block a right call, and keep the roles of web/src/actions.js. Their JavaScript twins
(tests/js/constrain.test.mjs) check the same cases, and both check tests/vectors/grammar.json."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fgweb import constrain, data, protocol
from fgweb.config import DataConfig
from fgweb.model import gguf_tokenizer_dir, load_tokenizer
from fgweb.tools import builtin_toolset

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = "\n".join([
    'heading "Sign in" [ref=1]',
    'textbox "Email" [ref=2] value=""',
    'textbox "Email address" [ref=3] value=""',
    'combobox "Country" [ref=4] value="France" options=["France","Germany","Spain"]',
    'checkbox "Remember me" [ref=5] checked=false',
    'button "Sign in" [ref=12]',
    'link "Say \\"hi\\"" [ref=13] href="/hi"',
    'text "Order #1002"',
])


@pytest.fixture(scope="module")
def tok() -> Any:
    return load_tokenizer(gguf_tokenizer_dir())


def allowed_after(tok: Any, partial: str, command: str | None = None) -> list[str] | None:
    hook = constrain.snapshot_hook(tok, constrain.snapshot_targets(SNAPSHOT), command=command)
    ids = hook([constrain.CALL_START, *tok(partial, add_special_tokens=False)["input_ids"]])
    if ids is None:
        return None
    return [constrain.ESCAPE if i == constrain.ESCAPE_ID else tok.decode([i]) for i in ids]


def test_targets_read_ref_role_name_and_options() -> None:
    targets = constrain.snapshot_targets(SNAPSHOT)
    assert [t.ref for t in targets] == [1, 2, 3, 4, 5, 12, 13]
    country = constrain.Target(4, "combobox", "Country", ("France", "Germany", "Spain"), disabled=False)
    assert targets[3] == country
    assert targets[6].name == 'Say "hi"'


def test_only_a_comma_or_brace_follows_a_closed_string(tok: Any) -> None:
    # A field whose name is empty closes its element at once; the call must go on with its next argument.
    for partial in ("call:click{element:<escape>Sign in<escape>", "call:type_text{element:<escape><escape>"):
        after = allowed_after(tok, partial)
        assert after and all(t[:1] in (",", "}") for t in after), after
        assert "," in after


def test_element_ref_and_option_are_narrowed(tok: Any) -> None:
    first = allowed_after(tok, "call:select_option{element:<escape>")
    assert first and all("Country".startswith(t) for t in first)
    typed = allowed_after(tok, "call:type_text{element:<escape>Email")
    assert typed and "<escape>" in typed and any(t.startswith(" ") for t in typed)
    assert allowed_after(tok, "call:click{element:<escape>Sign in<escape>,ref:") == ["1"]
    assert allowed_after(tok, "call:click{element:<escape>Sign in<escape>,ref:1") == ["2"]
    assert allowed_after(tok, "call:click{element:<escape>Sign in<escape>,ref:12") is None
    opts = allowed_after(tok, "call:select_option{element:<escape>Country<escape>,option:<escape>")
    assert opts and all(any(o.startswith(t) for o in ("France", "Germany", "Spain")) for t in opts)


def test_words_navigate_text_and_finished_calls_are_left_alone(tok: Any) -> None:
    hook = constrain.snapshot_hook(tok, constrain.snapshot_targets(SNAPSHOT))
    assert hook(tok("There is no such field", add_special_tokens=False)["input_ids"]) is None
    assert allowed_after(tok, "call:navigate{url:<escape>") is None
    assert allowed_after(tok, "call:type_text{element:<escape>Email<escape>,ref:2,text:<escape>") is None
    assert allowed_after(tok, "call:click{element:<escape>Sign in<escape>,ref:12}<end_function_call>") is None


def test_typed_text_is_a_stretch_of_the_command_as_typed(tok: Any) -> None:
    command = "Type Ann Lee, then press Sign in"
    start = "call:type_text{element:<escape>Email<escape>,ref:2,text:<escape>"
    first = allowed_after(tok, start, command)
    assert first and all(t == "<escape>" or t in command for t in first)
    assert "Ann" in first and "ann" not in first and "<escape>" in first  # "" (clear) is a stretch too
    after = allowed_after(tok, start + "Ann", command)
    assert after and " Lee" in after and "<escape>" in after and " lee" not in after
    whole = allowed_after(tok, start + "Ann Lee", command)
    assert whole and {"<escape>", ","} <= set(whole)
    assert all(t == "<escape>" or "Ann Lee" + t in command for t in whole)
    # Text once closed, other tools' text, and no command: free as before.
    assert allowed_after(tok, start + "Ann Lee<escape>}", command) is None
    assert allowed_after(tok, "call:navigate{url:<escape>", command) is None
    assert allowed_after(tok, start) is None


def test_every_token_of_right_calls_is_allowed(tok: Any, tmp_path: Path) -> None:
    # Teacher forcing through the runtime's hooks: the call grammar, narrowed by the snapshot.
    toolset = builtin_toolset()
    out = data.generate(DataConfig(train_examples=60, eval_examples=60), toolset, tmp_path)
    records = [*data.load_examples(Path(out) / "eval.jsonl"), *data.load_examples(Path(out) / "train.jsonl")]
    grammar = constrain.CallGrammar(tok, toolset.tools)
    checked = tokens = forced = 0
    for r in records:
        if not r.calls:
            continue
        # The few generated examples that type text not in their command (a typo'd capital) are left out.
        if any(c["name"] == "type_text" and c["arguments"]["text"] not in r.command for c in r.calls):
            continue
        hook = constrain.snapshot_hook(tok, constrain.snapshot_targets(r.snapshot), grammar.hook(),
                                       command=r.command)
        ids = tok(protocol.render_completion(r.calls, None), add_special_tokens=False)["input_ids"]
        for i in range(len(ids)):
            allowed = hook(ids[:i])
            assert allowed is None or ids[i] in allowed, f"{r.id}: {tok.decode(ids[: i + 1])!r} is blocked"
            forced += allowed is not None and len(allowed) == 1
        tokens += len(ids)
        checked += 1
    assert checked > 50
    assert forced > tokens / 2  # jump-forward appends more than half of a right completion's tokens


def test_grammar_vectors(tok: Any) -> None:
    """tests/vectors/grammar.json: what the grammar (narrowed by the snapshot where a case names one)
    allows after a completion, the stretch it then forces, and right completions it allows throughout."""
    vectors = json.loads((ROOT / "tests" / "vectors" / "grammar.json").read_text(encoding="utf-8"))

    def hook_for(case: dict[str, Any]) -> Any:
        if "toolset" in case:
            tools = json.loads((ROOT / case["toolset"]).read_text(encoding="utf-8"))["tools"]
        else:
            tools = [vectors["tools"][name] for name in case["tools"]]
        hook = constrain.CallGrammar(tok, tools).hook()
        if "snapshot" in case:
            targets = constrain.snapshot_targets(vectors["snapshots"][case["snapshot"]])
            hook = constrain.snapshot_hook(tok, targets, hook, command=case.get("command"))
        return hook

    def pieces(ids: list[int] | None) -> list[str] | None:
        return None if ids is None else sorted(constrain.decode_ids(tok, [i]) for i in ids)

    for case in vectors["cases"]:
        hook = hook_for(case)
        ids = constrain.encode_text(tok, case["completion"])
        assert pieces(hook(ids)) == case["allowed"], case["about"]
        appended: list[int] = []
        while (allowed := hook(ids + appended)) is not None and len(allowed) == 1 and len(appended) < 100:
            appended += allowed
        assert constrain.decode_ids(tok, appended) == case["forced"], case["about"]
    for walk in vectors["walks"]:
        hook = hook_for(walk)
        ids = constrain.encode_text(tok, walk["completion"])
        forced = 0
        for i in range(len(ids)):
            allowed = hook(ids[:i])
            assert allowed is None or ids[i] in allowed, f"{walk['about']}: {tok.decode(ids[: i + 1])!r}"
            forced += allowed is not None and len(allowed) == 1
        assert (len(ids), forced) == (walk["tokens"], walk["forced_tokens"]), walk["about"]


def test_grammar_leaves_free_what_it_cannot_follow(tok: Any) -> None:
    grammar = constrain.CallGrammar(tok, builtin_toolset().tools)
    base = [1, 2, 3]
    hook = grammar.hook(lambda generated: base)
    assert hook([]) == base  # no call yet: base decides
    # The grammar's ids within base's; none of them in base's: base's, as the snapshot hook does.
    assert hook([constrain.CALL_START]) == base
    call_id = constrain.encode_text(tok, "call")
    assert grammar.hook(lambda generated: [*base, *call_id])([constrain.CALL_START]) == call_id


def test_tool_roles_match_the_runtime() -> None:
    source = (ROOT / "web" / "src" / "actions.js").read_text(encoding="utf-8")
    block = source[source.index("export const ROLES_FOR = {") :].split("};", 1)[0]
    snapshot_js = (ROOT / "web" / "src" / "snapshot.js").read_text(encoding="utf-8")
    interactive = re.search(r"INTERACTIVE_ROLES = new Set\(\[(.*?)\]\)", snapshot_js, re.S)
    assert interactive
    roles_of = {"INTERACTIVE_ROLES": set(re.findall(r"'([a-z]+)'", interactive.group(1)))}
    js = {}
    for tool, roles in re.findall(r"(\w+): \{ roles: (INTERACTIVE_ROLES|new Set\(\[[^\]]*\]\))", block):
        js[tool] = roles_of.get(roles) or set(re.findall(r"'([a-z]+)'", roles))
    assert js == {k: v for k, v in constrain.TOOL_ROLES.items() if v is not None}
