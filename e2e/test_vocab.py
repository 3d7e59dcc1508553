"""The copy vocabulary (web/src/vocab.js) in the browser runtime, on the tiny build's body artifact.

Scoring only the copy vocabulary must not change a token whose full-vocabulary argmax lies in it: the
allowed ids get exactly their full-vocabulary scores, and each pick is the argmax over the allowed ids.
The tiny model is random, so these compare arithmetic, not quality. Agents use `reuse: 'none'` so that
generation and `agent.scores` run the same single-chunk prefill (int8 activations are quantized per run).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fgweb.protocol import MODEL_TURN_START, render_user_turn

pytestmark = pytest.mark.browser

CALL_START = 48
NEW_TOKENS = 10
PAGE = """<form><label>Email <input id="email"></label><label>Country <select id="country">
<option>France</option><option>Germany</option></select></label><button>Sign in</button></form>"""
COMMAND = "sign in as ann@example.com from Germany"

# The copy vocabulary of a snapshot and command, computed in the page with the runtime's own modules.
_VOCAB_JS = """async ([snapshot, command, promptIds]) => {
  const { copyVocabulary } = await import('/src/vocab.js');
  const { Tokenizer } = await import('/src/tokenizer.js');
  const manifest = await (await fetch('/tokenizer/tokenizer_manifest.json')).json();
  const tok = Tokenizer.fromJSON(await (await fetch('/tokenizer/tokenizer.json')).json(), manifest);
  const tools = await (await fetch('/toolset.json')).json();
  return copyVocabulary(tok, { promptIds, snapshot, command, tools, stopIds: manifest.stop_ids });
}"""


def _record(bundle: Path) -> tuple[dict[str, Any], list[int]]:
    """The first eval record that calls tools, and its prompt ids as fgweb/eval.py builds them."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(bundle / "tokenizer" / "tokenizer.json"))
    manifest = json.loads((bundle / "tokenizer" / "tokenizer_manifest.json").read_text())
    records = [json.loads(line) for line in (bundle / "eval" / "eval.jsonl").read_text().splitlines() if line]
    rec = next(r for r in records if r["calls"])
    text = render_user_turn(rec["snapshot"], rec["command"]) + MODEL_TURN_START
    return rec, manifest["prompt"]["developer_turn_ids"] + tok.encode(text, add_special_tokens=False).ids


def _open(page: Any, url: str, name: str, **options: Any) -> dict[str, Any]:
    page.goto(url)
    info: dict[str, Any] = page.evaluate(
        """async ([name, options]) => {
          const { createAgent } = await import('/fgweb.mjs');
          window[name] = await createAgent({ backend: 'wasm', reuse: 'none', ...options });
          return { artifact: window[name].artifact, vocab: window[name].vocab };
        }""",
        [name, options],
    )
    return info


@pytest.fixture(scope="module")
def page(browser: Any, tiny_server: str) -> Any:
    """A page holding `window.copy` (body, vocab 'copy') and `window.full` (body, vocab 'full')."""
    page = browser.new_page()
    assert _open(page, tiny_server, "copy", artifact="body") == {"artifact": "body", "vocab": "copy"}
    page.evaluate(
        """async () => {
          const { createAgent } = await import('/fgweb.mjs');
          window.full = await createAgent({
            backend: 'wasm', reuse: 'none', artifact: 'body', vocab: 'full',
          });
        }"""
    )
    yield page
    page.close()


def test_allowed_ids_get_exactly_their_full_vocabulary_scores(page: Any, tiny_bundle: Path) -> None:
    rec, prompt = _record(tiny_bundle)
    allowed = page.evaluate(_VOCAB_JS, [rec["snapshot"], rec["command"], prompt])
    full = np.asarray(page.evaluate("(ids) => copy.scores(ids)", prompt), dtype=np.float32)
    part = np.asarray(page.evaluate("([ids, allowed]) => copy.scores(ids, { allowed })", [prompt, allowed]),
                      dtype=np.float32)
    assert 50 < len(allowed) < 2000 and full.shape == part.shape == (262144,)
    assert np.array_equal(part[allowed], full[allowed])
    outside = np.ones(full.shape, dtype=bool)
    outside[allowed] = False
    assert np.all(part[outside] == -np.inf)


def test_copy_scoring_gives_the_full_vocabulary_tokens_when_their_argmax_is_allowed(
        page: Any, tiny_bundle: Path) -> None:
    rec, prompt = _record(tiny_bundle)
    allowed = page.evaluate(_VOCAB_JS, [rec["snapshot"], rec["command"], prompt])
    full = page.evaluate("([ids, n]) => full.generateIds(ids, n)", [prompt, NEW_TOKENS])["tokenIds"]
    widened = sorted(set(allowed) | set(full))  # every full-vocabulary argmax is allowed
    got = page.evaluate("([ids, n, allowed]) => copy.generateIds(ids, n, { allowed })",
                        [prompt, NEW_TOKENS, widened])
    assert got["tokenIds"] == full
    assert got["scoredTokens"] == len(widened)


def test_each_copy_pick_is_the_argmax_over_the_allowed_ids(page: Any, tiny_bundle: Path) -> None:
    rec, prompt = _record(tiny_bundle)
    allowed = page.evaluate(_VOCAB_JS, [rec["snapshot"], rec["command"], prompt])
    got = page.evaluate("([ids, n, allowed]) => copy.generateIds(ids, n, { allowed })",
                        [prompt, NEW_TOKENS, allowed])["tokenIds"]
    assert set(got) <= set(allowed)
    full = np.asarray(page.evaluate("(ids) => full.scores(ids)", prompt), dtype=np.float32)
    assert got[0] == allowed[int(np.argmax(full[allowed]))]  # the lowest id on ties, as np.argmax


def test_run_scores_the_copy_vocabulary_after_a_call_start_else_every_id(page: Any) -> None:
    runs = page.evaluate(
        """async ([html, command]) => {
          document.body.innerHTML = html;
          const out = {};
          for (const name of ['copy', 'full']) {
            const r = await window[name].run(command, { execute: false, root: document.body });
            out[name] = { tokenIds: r.tokenIds, snapshot: r.snapshot, timings: r.timings };
          }
          return out;
        }""",
        [PAGE, COMMAND],
    )
    copy, full = runs["copy"], runs["full"]
    assert full["timings"]["scoredTokens"] == 262144
    if copy["tokenIds"][0] != CALL_START:  # a words answer: the whole completion scores every id
        assert copy["tokenIds"] == full["tokenIds"]
        assert copy["timings"]["scoredTokens"] == 262144
    else:  # a call: every later token comes from the copy vocabulary
        assert copy["tokenIds"][0] == full["tokenIds"][0]
        assert copy["timings"]["scoredTokens"] < 2000
    assert copy["timings"]["vocabMs"] >= 0


def test_full_graphs_ignore_the_copy_vocabulary(browser: Any, tiny_server: str) -> None:
    page = browser.new_page()
    try:
        assert _open(page, tiny_server, "agent", artifact="int8", vocab="copy") == {
            "artifact": "int8", "vocab": "full"}
        errors = page.evaluate(
            """async () => {
              const { createAgent } = await import('/fgweb.mjs');
              const out = [];
              for (const options of [{ vocab: 'some' }, { constrain: 'names' }]) {
                try {
                  await createAgent({ backend: 'wasm', ...options });
                  out.push(null);
                } catch (e) {
                  out.push(`${e.type}: ${e.message}`);
                }
              }
              return out;
            }"""
        )
    finally:
        page.close()
    assert errors == [
        "load_error: unknown vocab \"some\": choose 'copy' or 'full'",
        "load_error: unknown constrain \"names\": choose 'snapshot' or 'none'",
    ]
