"""Eval: scoring outputs against expected calls, and generating them on artifacts."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fgweb.config import EvalConfig
from fgweb.eval import GGUF_RUNTIME, Output, evaluate_artifacts, score
from fgweb.generate import Generator
from fgweb.protocol import FUNCTION_TOKENS, render_answer, render_calls, render_completion
from fgweb.tools import Toolset, builtin_toolset

SNAPSHOT = '\n'.join([
    'textbox "Email" [ref=1] value=""',
    'textbox "Password" [ref=2] value=""',
    'button "Sign in" [ref=3]',
    'button "Delete" [ref=4] disabled',
    'heading "Welcome" [ref=5]',
])  # fmt: skip
EMAIL = {"name": "type_text", "arguments": {"element": "Email", "ref": 1, "text": "ann@example.com"}}
SIGN_IN = {"name": "click", "arguments": {"element": "Sign in", "ref": 3}}


@pytest.fixture(scope="module")
def toolset() -> Toolset:
    return builtin_toolset()


def _example(calls: list[dict[str, Any]], answer: str | None = None, id: str = "ex-1") -> dict[str, Any]:
    return {"id": id, "snapshot": SNAPSHOT, "command": f"sign in as ann@example.com ({id})", "calls": calls,
            "answer": answer}  # fmt: skip


def _one(calls: list[dict[str, Any]], output: str, toolset: Toolset, answer: str | None = None) -> Any:
    return score([_example(calls, answer)], [output], toolset)


def test_exact_output_scores_full_marks(toolset: Toolset) -> None:
    r = _one([EMAIL, SIGN_IN], render_calls([EMAIL, SIGN_IN]), toolset)
    assert (r.n, r.exact, r.tool, r.args, r.valid) == (1, 1.0, 1.0, 1.0, 1.0)
    assert r.cases[0].ok and r.cases[0].calls == [EMAIL, SIGN_IN] and r.cases[0].error is None


def test_scores_are_given_per_tag_and_tool(toolset: Toolset) -> None:
    limited = {**_example([EMAIL], id="a"), "tags": ["limit"]}
    words = {**_example([], "I can't.", id="b"), "tags": ["limit", "out-of-scope"]}
    r = score([limited, words], [render_calls([EMAIL, SIGN_IN]), render_answer("I can't.")], toolset)
    assert set(r.by_tag) == {"limit", "out-of-scope", "tool:type_text", "no call"}
    assert r.by_tag["limit"]["n"] == 2 and r.by_tag["limit"]["exact"] == 0.5
    assert r.by_tag["tool:type_text"]["exact"] == 0.0 and r.by_tag["no call"]["exact"] == 1.0


def test_wrong_ref_keeps_the_tool_but_loses_args_and_validity(toolset: Toolset) -> None:
    wrong = {"name": "click", "arguments": {"element": "Sign in", "ref": 2}}  # ref 2 is "Password"
    r = _one([SIGN_IN], render_calls([wrong]), toolset)
    assert (r.exact, r.tool, r.args, r.valid) == (0.0, 1.0, 0.0, 0.0)
    assert "ref 2 is 'Password'" in (r.cases[0].error or "")


def test_ref_that_is_not_on_the_page_is_invalid(toolset: Toolset) -> None:
    missing = {"name": "click", "arguments": {"element": "Sign in", "ref": 9}}
    r = _one([SIGN_IN], render_calls([missing]), toolset)
    assert r.valid == 0.0 and "no element with ref 9" in (r.cases[0].error or "")


def test_acting_on_a_disabled_element_is_invalid_but_reading_it_is_not(toolset: Toolset) -> None:
    click = {"name": "click", "arguments": {"element": "Delete", "ref": 4}}
    read = {"name": "read_text", "arguments": {"element": "Delete", "ref": 4}}
    r = score([_example([click]), _example([read])], [render_calls([click]), render_calls([read])], toolset)
    assert [c.valid for c in r.cases] == [False, True]
    assert r.exact == 1.0  # exact match is about the expected calls; validity is scored separately


def test_wrong_tool_with_the_right_arguments(toolset: Toolset) -> None:
    read = {"name": "read_text", "arguments": SIGN_IN["arguments"]}
    r = _one([SIGN_IN], render_calls([read]), toolset)
    assert (r.exact, r.tool, r.args, r.valid) == (0.0, 0.0, 1.0, 1.0)


def test_extra_call_breaks_exact_and_tool_but_not_the_matched_args(toolset: Toolset) -> None:
    r = _one([EMAIL], render_calls([EMAIL, SIGN_IN]), toolset)
    assert (r.exact, r.tool, r.args, r.valid) == (0.0, 0.0, 1.0, 1.0)


def test_missing_second_call_counts_half_the_args(toolset: Toolset) -> None:
    r = _one([EMAIL, SIGN_IN], render_calls([EMAIL]), toolset)
    assert (r.exact, r.tool, r.args) == (0.0, 0.0, 0.5)


def test_schema_violation_is_invalid(toolset: Toolset) -> None:
    bad = {"name": "click", "arguments": {"element": "Sign in", "ref": "3"}}  # ref must be an integer
    r = _one([SIGN_IN], render_calls([bad]), toolset)
    assert (r.exact, r.args, r.valid) == (0.0, 0.0, 0.0)
    assert "ref must be integer" in (r.cases[0].error or "")


def test_malformed_output_scores_nothing_and_says_why(toolset: Toolset) -> None:
    r = _one([SIGN_IN], "<start_function_call>call:click{element:<escape>Sign in", toolset)
    assert (r.exact, r.tool, r.args, r.valid) == (0.0, 0.0, 0.0, 0.0)
    assert r.cases[0].calls is None and (r.cases[0].error or "").startswith("parse: truncated")


def test_no_call_expected_and_answered_in_words_is_exact(toolset: Toolset) -> None:
    r = _one([], render_answer("There is no such button."), toolset, answer="There is no such button.")
    assert (r.exact, r.tool, r.valid) == (1.0, 1.0, 1.0)
    assert r.args is None  # no expected call to match arguments against


def test_no_call_expected_but_a_call_produced_is_wrong(toolset: Toolset) -> None:
    r = _one([], render_calls([SIGN_IN]), toolset, answer="No.")
    assert (r.exact, r.tool, r.valid) == (0.0, 0.0, 1.0)


def test_call_expected_but_words_produced_is_wrong(toolset: Toolset) -> None:
    r = _one([SIGN_IN], render_answer("Done."), toolset)
    assert (r.exact, r.tool, r.args, r.valid) == (0.0, 0.0, 0.0, 1.0)


def test_an_accepted_alternative_is_exact_and_scored_against_itself(toolset: Toolset) -> None:
    help_link = {"name": "click", "arguments": {"element": "Help", "ref": 6}}
    go_help = {"name": "navigate", "arguments": {"url": "/help"}}
    example = {**_example([go_help]), "snapshot": SNAPSHOT + '\nlink "Help" [ref=6] href="/help"',
               "accept": [[help_link]]}
    r = score([example, example], [render_calls([help_link]), render_calls([go_help])], toolset)
    assert (r.exact, r.tool, r.args, r.valid) == (1.0, 1.0, 1.0, 1.0)
    wrong = {"name": "click", "arguments": {"element": "Sign in", "ref": 3}}
    r = score([example], [render_calls([wrong])], toolset)  # closest alternative: the click, same tool
    assert (r.exact, r.tool, r.args) == (0.0, 1.0, 0.0) and r.cases[0].expected == [go_help]


def test_fractions_over_a_mixed_set(toolset: Toolset) -> None:
    examples = [_example([SIGN_IN], id="a"), _example([EMAIL, SIGN_IN], id="b"), _example([], "No.", id="c"),
                _example([SIGN_IN], id="d")]  # fmt: skip
    outputs = [
        Output(render_calls([SIGN_IN]), ms=10.0, prompt_tokens=100, generated_tokens=8),
        Output(render_calls([EMAIL]), ms=20.0, prompt_tokens=120, generated_tokens=12),
        Output(render_completion(None, "No."), ms=30.0, prompt_tokens=110, generated_tokens=3),
        Output("garbage<end_function_call>", ms=40.0, prompt_tokens=90, generated_tokens=5),
    ]
    r = score(examples, outputs, toolset)
    assert (r.n, r.exact, r.tool, r.valid) == (4, 0.5, 0.5, 0.75)
    assert r.args == 0.5  # 2 of the 4 expected calls (a: 1/1, b: 1/2, d: 0/1)
    assert (r.ms_per_case, r.mean_prompt_tokens, r.mean_generated_tokens) == (25.0, 105.0, 7.0)
    data = json.loads(json.dumps(r.to_json()))
    assert {"n", "exact", "tool", "args", "valid", "cases"} <= set(data)
    expected = [("a", True), ("b", False), ("c", True), ("d", False)]
    assert [(c["id"], c["ok"]) for c in data["cases"]] == expected
    assert all({"id", "ok", "calls", "ms", "error"} <= set(c) for c in data["cases"])


# ---------------------------------------------------------------------------------------------- generation


def _char_tokenizer() -> Any:
    from tokenizers import Tokenizer, decoders, models

    specials = ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>", *FUNCTION_TOKENS]
    chars = sorted(set(string.printable) | {"…"})
    vocab = {t: i for i, t in enumerate(specials + chars)}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tok.add_special_tokens(specials)
    tok.decoder = decoders.Fuse()
    return tok


class _Scripted(Generator):
    """Emits a fixed completion per prompt through the real greedy loop; counts passes from position 0."""

    name = "scripted"

    def __init__(self, scripts: dict[tuple[int, ...], list[int]], vocab: int) -> None:
        self.scripts, self.vocab, self.full_passes = scripts, vocab, 0

    def _empty_past(self) -> Any:
        return []

    def _copy_past(self, past: Any) -> Any:
        return list(past)

    def _forward(self, ids: list[int], past: Any, start: int) -> tuple[np.ndarray, Any]:
        self.full_passes += start == 0
        context = list(past) + ids
        logits = np.zeros(self.vocab, dtype=np.float32)
        for prompt, script in self.scripts.items():
            if tuple(context[: len(prompt)]) == prompt and len(context) >= len(prompt):
                logits[script[len(context) - len(prompt)]] = 1.0
        return logits, context


def test_evaluate_artifacts_generates_with_a_shared_prefix_and_scores(toolset: Toolset) -> None:
    from fgweb.protocol import render_prompt

    tok = _char_tokenizer()
    examples = [_example([SIGN_IN], id="a"), _example([EMAIL], id="b"), _example([SIGN_IN], id="c")]
    produced = [[SIGN_IN], [EMAIL, SIGN_IN], [SIGN_IN]]

    def ids(text: str) -> list[int]:
        return list(tok.encode(text, add_special_tokens=False).ids)

    scripts = {
        tuple(ids(render_prompt(toolset, ex["snapshot"], ex["command"]))): ids(render_calls(calls))
        for ex, calls in zip(examples[:2], produced[:2], strict=True)
    }
    gen = _Scripted(scripts, tok.get_vocab_size())
    cfg = EvalConfig(limit=2, max_new_tokens=200)  # the third example is past the limit
    result = evaluate_artifacts({"scripted": lambda: gen}, examples, toolset, tok, cfg, progress=False)
    out = result["scripted"]
    assert (out["n"], out["exact"], out["tool"], out["valid"]) == (2, 0.5, 0.5, 1.0)
    assert out["cases"][1]["calls"] == [EMAIL, SIGN_IN]
    assert gen.full_passes == 1  # the developer turn ran once; each prompt reused its KV
    assert out["mean_prompt_tokens"] == pytest.approx(sum(len(p) for p in scripts) / 2)
    assert out["runtime"] == "scripted" and out["artifact"] == "scripted"


@pytest.mark.slow
def test_gguf_artifact_scores_like_the_pytorch_model_it_came_from(tmp_path: Path, toolset: Toolset) -> None:
    import torch

    from fgweb.config import ModelConfig
    from fgweb.export.gguf import export_gguf
    from fgweb.model import load_tokenizer, prepare_base

    torch.set_num_threads(1)
    model_dir = prepare_base(ModelConfig(base="tiny"), tmp_path / "tiny")
    gguf_path = export_gguf(model_dir, tmp_path / "gguf", ["F32"], progress=False)["F32"]
    examples = [_example([SIGN_IN], id="a"), _example([], "No.", id="b")]
    cfg = EvalConfig(limit=0, max_new_tokens=6)
    out = evaluate_artifacts(
        {"torch": model_dir, "gguf-f32": gguf_path}, examples, toolset, load_tokenizer(model_dir), cfg,
        threads=1, progress=False,
    )  # fmt: skip
    assert out["gguf-f32"]["runtime"] == GGUF_RUNTIME
    assert [c["text"] for c in out["gguf-f32"]["cases"]] == [c["text"] for c in out["torch"]["cases"]]
    assert all(c["generated_tokens"] >= 1 for c in out["gguf-f32"]["cases"])
