"""The browser runtime on the tiny build: onnxruntime-web generates exactly the tokens that
onnxruntime (Python) generates for the same prompts, on WASM and on WebGPU (SwiftShader), and the
agent API reports what ran.

The tiny model is random, so its tokens say nothing about quality; they are a fingerprint of the
arithmetic: any difference in prompt ids, KV-cache handling, positions or argmax shows up here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fgweb.generate import OnnxGenerator
from fgweb.protocol import MODEL_TURN_START, render_user_turn

pytestmark = pytest.mark.browser

N_PROMPTS = 4
NEW_TOKENS = 12


def _prompts(bundle: Path) -> list[list[int]]:
    """Token ids of the first eval prompts, built the way fgweb/eval.py builds them."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(bundle / "tokenizer" / "tokenizer.json"))
    manifest = json.loads((bundle / "tokenizer" / "tokenizer_manifest.json").read_text())
    developer = manifest["prompt"]["developer_turn_ids"]
    lines = (bundle / "eval" / "eval.jsonl").read_text().splitlines()[:N_PROMPTS]
    prompts = []
    for line in lines:
        ex = json.loads(line)
        text = render_user_turn(ex["snapshot"], ex["command"]) + MODEL_TURN_START
        prompts.append(developer + tok.encode(text, add_special_tokens=False).ids)
    return prompts


def _python_tokens(bundle: Path, artifact: str, prompts: list[list[int]]) -> list[list[int]]:
    manifest = json.loads((bundle / "tokenizer" / "tokenizer_manifest.json").read_text())
    gen = OnnxGenerator(bundle / "models" / f"model.{artifact}.onnx", threads=1)
    gen = gen.with_prefix(manifest["prompt"]["developer_turn_ids"])
    return [gen.greedy(p, NEW_TOKENS, set(manifest["stop_ids"])).token_ids for p in prompts]


def _browser_tokens(page: Any, url: str, backend: str, artifact: str,
                    prompts: list[list[int]]) -> tuple[dict[str, Any], list[list[int]]]:
    info = _open_agent(page, url, backend, artifact)
    tokens = page.evaluate(
        """async ([prompts, n]) => {
          const out = [];
          for (const ids of prompts) out.push((await agent.generateIds(ids, n)).tokenIds);
          return out;
        }""",
        [prompts, NEW_TOKENS],
    )
    return info, tokens


def _open_agent(page: Any, url: str, backend: str, artifact: str) -> dict[str, Any]:
    page.goto(url)
    return page.evaluate(
        """async ([backend, artifact]) => {
          const { createAgent } = await import('/fgweb.mjs');
          window.agent = await createAgent({ backend, artifact, reuse: 'pinned' });
          return { backend: agent.backend, artifact: agent.artifact, fallback: agent.fallback };
        }""",
        [backend, artifact],
    )


def test_wasm_generates_exactly_the_tokens_of_onnxruntime_python(browser: Any, tiny_bundle: Path,
                                                                 tiny_server: str) -> None:
    # fp32: every kernel rounds the same way, so any difference is a runtime bug (prompt, KV, positions).
    prompts = _prompts(tiny_bundle)
    expected = _python_tokens(tiny_bundle, "fp32", prompts)
    page = browser.new_page()
    try:
        info, got = _browser_tokens(page, tiny_server, "wasm", "fp32", prompts)
    finally:
        page.close()
    assert info == {"backend": "wasm", "artifact": "fp32", "fallback": None}
    assert got == expected


def test_webgpu_generates_exactly_the_tokens_of_onnxruntime_python(webgpu_browser: Any, tiny_bundle: Path,
                                                                   tiny_server: str) -> None:
    prompts = _prompts(tiny_bundle)[:1]  # SwiftShader is slow: one prompt
    expected = _python_tokens(tiny_bundle, "fp32", prompts)
    page = webgpu_browser.new_page()
    try:
        info, got = _browser_tokens(page, tiny_server, "webgpu", "fp32", prompts)
    finally:
        page.close()
    assert info["backend"] == "webgpu"
    assert got == expected


@pytest.mark.parametrize("artifact", ["int8", "q4"])
def test_quantized_graphs_give_the_logits_of_onnxruntime_python(browser: Any, tiny_bundle: Path,
                                                                tiny_server: str, artifact: str) -> None:
    # int8 and 4-bit kernels round differently in WASM and natively (the tiny model's near-ties then
    # flip tokens), so these compare the next-token logits of whole prompts instead.
    prompts = _prompts(tiny_bundle)[:2]
    gen = OnnxGenerator(tiny_bundle / "models" / f"model.{artifact}.onnx", threads=1)
    expected = [gen.next_logits(p) for p in prompts]
    page = browser.new_page()
    try:
        _open_agent(page, tiny_server, "wasm", artifact)
        got = [np.asarray(page.evaluate("(ids) => agent.scores(ids)", p), dtype=np.float32) for p in prompts]
    finally:
        page.close()
    for want, have in zip(expected, got, strict=True):
        assert have.shape == want.shape
        spread = float(want.max() - want.min())
        assert float(np.abs(have - want).max()) < 0.1 * spread
        assert np.corrcoef(have, want)[0, 1] > 0.99


# Jump-forward: both agents decode the same prompts, one appending the ids the hooks allow alone without
# a model step (the default), one step by step. The tiny model answers in words, so its completions are
# started with <start_function_call> (the worker's `start`): the call grammar and the snapshot then
# force stretches (call:, a tool's {, keys, `,ref:`, `}<end_function_call>`) between the model's choices.
_JUMP_AGENTS_JS = """async ([artifact]) => {
  const { createAgent } = await import('/fgweb.mjs');
  window.stepwise = await createAgent({ backend: 'wasm', artifact, jumpForward: false });
  window.jumping = await createAgent({ backend: 'wasm', artifact });
  return [stepwise.jumpForward, jumping.jumpForward];
}"""

_JUMP_RUN_JS = """async ([cases, n]) => {
  const out = [];
  for (const { snapshot, command } of cases) {
    const pair = [];
    for (const agent of [stepwise, jumping]) {
      const r = await agent.worker.call('generate',
        { snapshot, command, maxNewTokens: n, start: '<start_function_call>' });
      pair.push({ tokenIds: r.tokenIds, completion: r.completion, modelSteps: r.modelSteps });
    }
    out.push(pair);
  }
  const page = document.createElement('div');
  page.innerHTML = '<label>Email <input></label><button>Sign in</button>';
  document.body.replaceChildren(page);
  const runs = [];
  for (const agent of [stepwise, jumping]) {
    const r = await agent.run('sign in as ann@example.com', { execute: false, root: page, maxNewTokens: 8 });
    runs.push({ tokenIds: r.tokenIds, timings: r.timings });
  }
  return { out, runs };
}"""


@pytest.mark.parametrize("artifact", ["body", "q4", "int8"])
def test_jump_forward_gives_the_step_by_step_completions(browser: Any, tiny_bundle: Path, tiny_server: str,
                                                         artifact: str) -> None:
    lines = (tiny_bundle / "eval" / "eval.jsonl").read_text().splitlines()
    cases = [{"snapshot": ex["snapshot"], "command": ex["command"]}
             for ex in (json.loads(line) for line in lines if line.strip())][:N_PROMPTS]
    assert len({c["snapshot"] for c in cases}) > 1, "several pages"
    page = browser.new_page()
    try:
        page.goto(tiny_server)
        modes = page.evaluate(_JUMP_AGENTS_JS, [artifact])
        got = page.evaluate(_JUMP_RUN_JS, [cases, 40])
    finally:
        page.close()
    # int8 graphs quantize activations per run: a stretch in one pass would round differently.
    jumps = artifact != "int8"
    assert modes == [False, jumps]
    stepwise_steps = jumping_steps = 0
    for stepwise, jumping in got["out"]:
        assert jumping["tokenIds"] == stepwise["tokenIds"], (stepwise["completion"], jumping["completion"])
        assert jumping["completion"].startswith("<start_function_call>call:")
        assert stepwise["modelSteps"] == len(stepwise["tokenIds"]) - 1
        stepwise_steps += stepwise["modelSteps"]
        jumping_steps += jumping["modelSteps"]
    if jumps:
        assert jumping_steps < 0.8 * stepwise_steps
    else:
        assert jumping_steps == stepwise_steps
    # agent.run reports model steps beside generated tokens (a words answer: one step per token).
    for run in got["runs"]:
        t = run["timings"]
        assert t["modelSteps"] <= t["generatedTokens"] - 1
    assert got["runs"][0]["tokenIds"] == got["runs"][1]["tokenIds"]
