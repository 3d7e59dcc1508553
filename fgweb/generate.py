"""Greedy generation on every artifact kind, with prefix-KV reuse, and the parity check of exports.

    gen = generator_for(Path("onnx/int8/model.onnx"), threads=2)
    dev = gen.with_prefix(developer_turn_ids)      # KV of the shared developer turn, computed once
    result = dev.greedy(prompt_ids, max_new_tokens=64, stop_ids={48, 50, 106})
    result.token_ids, result.prefill_s, result.decode_s

Generators: `TorchGenerator` (PyTorch fp32, the reference), `OnnxGenerator` (graphs with `logits`:
fp32, int8, q4) and `OnnxBodyGenerator` (graphs with `last_hidden_state` plus the int8 lm_head rows,
so logits are computed only for the allowed tokens). `greedy` takes an optional `allowed` hook, called
before each step with the tokens generated so far; it returns the ids that may come next, or None.
With `jump_forward=True`, an id the hook allows alone is appended without a model step, and the forced
stretch runs with the next chosen id in one forward pass (the runtime's jump-forward, web/src/decoder.js):
the same tokens as step by step wherever batching does not change the arithmetic (fp32; dynamic int8
graphs quantize activations per run, so the eval decodes step by step).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fgweb.errors import FgwebError

# Called before each step with the ids generated so far; returns the ids allowed next, or None for all.
AllowedTokens = Callable[[list[int]], Collection[int] | None]


@dataclass
class GenerationResult:
    """Greedy output: generated ids (a stop id, if met, is the last one) and the time spent."""

    token_ids: list[int]
    prefill_s: float  # prompt pass (only the part after a reused prefix)
    decode_s: float  # every step after the first generated token
    prompt_tokens: int = 0
    prefix_tokens: int = 0  # prompt tokens whose KV came from `with_prefix`
    model_steps: int = 0  # forward passes after the prompt's (fewer than the tokens with jump-forward)

    @property
    def decode_tps(self) -> float:
        """Decode speed in tokens per second (the first token comes from the prefill pass)."""
        steps = len(self.token_ids) - 1
        return steps / self.decode_s if steps > 0 and self.decode_s > 0 else 0.0


@dataclass
class _Prefix:
    ids: list[int]
    past: Any
    last: np.ndarray  # what the last prefix position produced (logits or hidden state)


class Generator:
    """Greedy decoding over a model with a KV cache. Subclasses supply `_forward` and `_scores`."""

    name = "generator"
    _prefix: _Prefix | None = None

    def _forward(self, ids: list[int], past: Any, start: int) -> tuple[np.ndarray, Any]:
        """Run `ids` at positions `start..`; return the last position's output and the new KV state."""
        raise NotImplementedError

    def _empty_past(self) -> Any:
        raise NotImplementedError

    def _copy_past(self, past: Any) -> Any:
        """A KV state the next forward may extend without touching `past` (numpy arrays are not mutated)."""
        return past

    def _scores(self, last: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
        """Logits of `ids` (every token when None) from the output of the last position."""
        return last if ids is None else last[ids]

    def with_prefix(self, prefix_ids: Sequence[int]) -> Generator:
        """A generator sharing this one's model that reuses the KV of `prefix_ids`.

        Returns a shallow copy: prompts that start with the prefix skip its pass, others run in full.
        """
        prefix = list(prefix_ids)
        if not prefix:
            raise FgwebError("with_prefix needs at least one token: pass the developer turn's ids")
        last, past = self._forward(prefix, self._empty_past(), 0)
        clone = copy.copy(self)
        clone._prefix = _Prefix(ids=prefix, past=past, last=last)
        return clone

    def next_logits(self, ids: Sequence[int]) -> np.ndarray:
        """Full-vocabulary logits (float32) for the token after `ids` (reusing the prefix KV if they start
        with it)."""
        if not ids:
            raise FgwebError("next_logits needs at least one token: the prompt starts with <bos>")
        last, _, _ = self._prefill(list(ids))
        return np.asarray(self._scores(last, None), dtype=np.float32)

    def _prefill(self, prompt: list[int]) -> tuple[np.ndarray, Any, int]:
        """Run the prompt (from the cached prefix if it starts with it); returns (last output, KV, reused)."""
        prefix = self._prefix
        if prefix is None or len(prompt) < len(prefix.ids) or prompt[: len(prefix.ids)] != prefix.ids:
            last, past = self._forward(prompt, self._empty_past(), 0)
            return last, past, 0
        reused = len(prefix.ids)
        past, last = self._copy_past(prefix.past), prefix.last
        if len(prompt) > reused:
            last, past = self._forward(prompt[reused:], past, reused)
        return last, past, reused

    def greedy(
        self,
        prompt_ids: Sequence[int],
        max_new_tokens: int,
        stop_ids: Collection[int],
        allowed: AllowedTokens | None = None,
        jump_forward: bool = False,
    ) -> GenerationResult:
        """Generate up to `max_new_tokens` greedily, stopping after a token in `stop_ids`.

        Returns the generated ids (the stop id included) with prefill and decode seconds. With
        `jump_forward`, an id that `allowed` allows alone is appended without a model step (`_pick`
        would return it whatever the scores), and the pending ids run in one pass at the next choice.
        """
        prompt = list(prompt_ids)
        if not prompt:
            raise FgwebError("greedy generation needs a non-empty prompt: it must start with <bos>")
        t0 = time.perf_counter()
        last, past, reused = self._prefill(prompt)
        t1 = time.perf_counter()
        tokens: list[int] = []
        pending: list[int] = []  # generated ids not yet run through the model
        steps = 0
        position = len(prompt)  # positions whose KV `past` holds
        choices = allowed([]) if allowed else None
        for _ in range(max_new_tokens):
            if jump_forward and choices is not None and len(choices) == 1:
                token = next(iter(choices))
            else:
                if pending:
                    last, past = self._forward(pending, past, position)
                    position += len(pending)
                    pending = []
                    steps += 1
                token = self._pick(last, choices, len(tokens))
            tokens.append(token)
            if token in stop_ids or len(tokens) == max_new_tokens:
                break
            pending.append(token)
            choices = allowed(list(tokens)) if allowed else None
        t2 = time.perf_counter()
        return GenerationResult(tokens, t1 - t0, t2 - t1, prompt_tokens=len(prompt), prefix_tokens=reused,
                                model_steps=steps)

    def _pick(self, last: np.ndarray, allowed: Collection[int] | None, step: int) -> int:
        if allowed is None:
            return int(np.argmax(self._scores(last, None)))
        ids = np.fromiter(allowed, dtype=np.int64)
        if ids.size == 0:
            raise FgwebError(f"the allowed-tokens hook allowed nothing at step {step}: "
                             "it must always allow at least a stop id")
        return int(ids[int(np.argmax(self._scores(last, ids)))])


class TorchGenerator(Generator):
    """PyTorch fp32 reference: a Hugging Face checkpoint with transformers' own KV cache.

    Runs on the GPU when one is present (the same fp32 arithmetic, minutes faster on a full eval).
    """

    name = "torch-fp32"

    def __init__(self, model_dir: Path, threads: int = 0, device: str | None = None) -> None:
        import torch
        from transformers import AutoModelForCausalLM

        if threads > 0:
            torch.set_num_threads(threads)
        model_dir = Path(model_dir)
        if not (model_dir / "config.json").is_file():
            raise FgwebError(f"{model_dir} is not a Hugging Face checkpoint (no config.json)")
        self._torch = torch
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        model: Any = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
        self.model = model.to(self.device).eval()

    def _empty_past(self) -> Any:
        from transformers import DynamicCache

        return DynamicCache(config=self.model.config)

    def _copy_past(self, past: Any) -> Any:
        return copy.deepcopy(past)  # transformers caches grow in place

    def _forward(self, ids: list[int], past: Any, start: int) -> tuple[np.ndarray, Any]:
        torch = self._torch
        n = len(ids)
        positions = torch.arange(start, start + n, dtype=torch.long, device=self.device)
        with torch.inference_mode():
            out = self.model(
                input_ids=torch.tensor([ids], dtype=torch.long, device=self.device),
                attention_mask=torch.ones((1, start + n), dtype=torch.long, device=self.device),
                position_ids=positions[None],
                cache_position=positions,
                past_key_values=past,
                use_cache=True,
                logits_to_keep=1,
            )
        return out.logits[0, -1].float().cpu().numpy(), out.past_key_values


class OnnxGenerator(Generator):
    """onnxruntime CPU session over an exported decoder graph (inputs and outputs as in export/onnx.py)."""

    name = "onnx"
    output_name = "logits"

    def __init__(self, onnx_path: Path, threads: int = 0) -> None:
        import onnxruntime as ort

        path = Path(onnx_path)
        if not path.is_file():
            raise FgwebError(f"no ONNX graph at {path}: run `fgweb export` first")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0 = onnxruntime's default (all cores)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Fold int8 weights behind DequantizeLinear into fp32 once at load (the body graph's weights:
        # fgweb.export.onnx.quantize_int8_per_column) instead of dequantizing them on every step.
        options.add_session_config_entry("session.disable_quant_qdq", "1")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.path = path
        inputs = {i.name: i for i in self.session.get_inputs()}
        outputs = [o.name for o in self.session.get_outputs()]
        needed = {"input_ids", "attention_mask", "position_ids"}
        if not needed <= inputs.keys() or self.output_name not in outputs:
            raise FgwebError(
                f"{path} is not an fgweb decoder graph (needs inputs {sorted(needed)} and output "
                f"{self.output_name!r}; has {sorted(inputs)} -> {outputs}): re-export it"
            )
        self._past_names = [name for name in inputs if name.startswith("past_key_values.")]
        self._present_for = {name: "present." + name[len("past_key_values."):] for name in self._past_names}
        self._empty = {}
        for name in self._past_names:
            shape = inputs[name].shape  # [batch, kv_heads, past_seq, head_dim]
            self._empty[name] = np.zeros((1, int(shape[1]), 0, int(shape[3])), dtype=np.float32)
        self._fetch = [self.output_name, *self._present_for.values()]
        self.name = f"onnx:{path.parent.name}"

    def _empty_past(self) -> Any:
        return self._empty

    def _forward(self, ids: list[int], past: Any, start: int) -> tuple[np.ndarray, Any]:
        n = len(ids)
        feed: dict[str, np.ndarray] = {
            "input_ids": np.asarray([ids], dtype=np.int64),
            "attention_mask": np.ones((1, start + n), dtype=np.int64),
            "position_ids": np.arange(start, start + n, dtype=np.int64)[None],
        }
        feed.update(past)
        results = self.session.run(self._fetch, feed)
        new_past = {name: results[i + 1] for i, name in enumerate(self._past_names)}
        return results[0][0, -1], new_past


class OnnxBodyGenerator(OnnxGenerator):
    """A body graph (`last_hidden_state`) plus the int8 lm_head rows: logits only for allowed tokens."""

    output_name = "last_hidden_state"

    def __init__(self, body_path: Path, lm_head_json: Path | None = None, threads: int = 0) -> None:
        from fgweb.export.onnx import LM_HEAD_JSON, load_lm_head

        super().__init__(body_path, threads)
        self.lm_head = load_lm_head(Path(lm_head_json) if lm_head_json else self.path.with_name(LM_HEAD_JSON))
        self.name = f"onnx-body:{self.path.parent.name}"

    def _scores(self, last: np.ndarray, ids: np.ndarray | None) -> np.ndarray:
        return self.lm_head.logits(last, ids)


def generator_for(path: Path, threads: int = 0) -> Generator:
    """The generator that fits an artifact: a checkpoint dir (PyTorch), a body graph, or a full graph."""
    path = Path(path)
    if path.is_dir():
        return TorchGenerator(path, threads)
    if path.suffix != ".onnx":
        raise FgwebError(f"cannot generate with {path}: expected a checkpoint folder or an .onnx file")
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    if any(o.name == "last_hidden_state" for o in graph.output):
        return OnnxBodyGenerator(path, threads=threads)
    return OnnxGenerator(path, threads)


def first_divergence(a: Sequence[int], b: Sequence[int]) -> int | None:
    """Index of the first position where `a` and `b` differ (or one ends first); None if equal."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def check_parity(
    model_dir: Path,
    artifacts: dict[str, Path],
    prompts: list[list[int]],
    n_tokens: int,
    stop_ids: Collection[int],
    threads: int = 0,
    prefix_ids: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Compare each artifact's greedy tokens with PyTorch fp32 on `prompts`.

    The artifact named "fp32" must match exactly (FgwebError naming the first differing prompt and
    position otherwise); quantized ones are measured. Returns a JSON-able dict: the reference's tokens
    and, per artifact, `identical` (fraction of prompts with the same tokens), `mean_first_divergence`
    (mean index of the first differing token, counting an identical prompt as its length), per-prompt
    divergences, and median prefill seconds and decode tok/s. `prefix_ids`, when given, is reused as
    a cached prefix by every generator.
    """
    if not prompts:
        raise FgwebError("parity needs at least one prompt: check the eval split")
    stops = set(stop_ids)

    def run(gen: Generator) -> tuple[list[list[int]], list[GenerationResult]]:
        if prefix_ids:
            gen = gen.with_prefix(prefix_ids)
        results = [gen.greedy(p, n_tokens, stops) for p in prompts]
        return [r.token_ids for r in results], results

    reference, ref_results = run(TorchGenerator(model_dir, threads))
    report: dict[str, Any] = {
        "reference": "torch-fp32",
        "prompts": len(prompts),
        "n_tokens": n_tokens,
        "reference_tokens": reference,
        "reference_speed": _speed(ref_results),
        "artifacts": {},
    }
    for name, path in artifacts.items():
        tokens, results = run(generator_for(path, threads))
        divergences = [first_divergence(ref, got) for ref, got in zip(reference, tokens, strict=True)]
        if name == "fp32":
            for i, div in enumerate(divergences):
                if div is not None:
                    got, want = tokens[i][div : div + 3], reference[i][div : div + 3]
                    raise FgwebError(
                        f"the fp32 ONNX graph differs from PyTorch on parity prompt {i} at generated token "
                        f"{div} ({got} instead of {want}): the export is broken, re-run it or report a bug"
                    )
        positions = [len(ref) if d is None else d for ref, d in zip(reference, divergences, strict=True)]
        report["artifacts"][name] = {
            "path": str(path),
            "identical": sum(d is None for d in divergences) / len(prompts),
            "mean_first_divergence": sum(positions) / len(positions),
            "first_divergence": divergences,
            "tokens": tokens,
            **_speed(results),
        }
    return report


def _speed(results: list[GenerationResult]) -> dict[str, float]:
    return {
        "prefill_s": round(float(np.median([r.prefill_s for r in results])), 4),
        "decode_tps": round(float(np.median([r.decode_tps for r in results])), 2),
    }
