"""Greedy generation on PyTorch and every ONNX format, prefix-KV reuse, and the parity check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnx import numpy_helper

from fgweb.errors import FgwebError
from fgweb.export.onnx import export_onnx
from fgweb.generate import (
    OnnxBodyGenerator,
    OnnxGenerator,
    TorchGenerator,
    check_parity,
    first_divergence,
    generator_for,
)

torch.set_num_threads(1)

VOCAB = 4096
# Both longer than the tiny model's sliding window (8), sharing a 12-token "developer turn".
PREFIX = [2, *range(300, 311)]
PROMPTS = [[*PREFIX, *range(1000, 1012)], [*PREFIX, *range(2000, 2020)]]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    config = Gemma3TextConfig(
        vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, head_dim=32, sliding_window=8, max_position_embeddings=1024,
        final_logit_softcapping=30.0, layer_types=["sliding_attention", "full_attention"],
    )
    torch.manual_seed(0)
    out = tmp_path_factory.mktemp("tiny")
    Gemma3ForCausalLM(config).save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def onnx_paths(checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return export_onnx(checkpoint, tmp_path_factory.mktemp("onnx"), ["fp32", "int8", "q4", "body"])


@pytest.fixture(scope="module")
def torch_gen(checkpoint: Path) -> TorchGenerator:
    return TorchGenerator(checkpoint, threads=1)


def test_torch_generator_matches_transformers_generate(torch_gen: TorchGenerator) -> None:
    prompt = PROMPTS[1]
    with torch.inference_mode():
        out = torch_gen.model.generate(torch.tensor([prompt]), max_new_tokens=12, do_sample=False,
                                       pad_token_id=0)
    assert torch_gen.greedy(prompt, 12, set()).token_ids == out[0, len(prompt):].tolist()


def test_fp32_onnx_greedy_matches_pytorch(torch_gen: TorchGenerator, onnx_paths: dict[str, Path]) -> None:
    gen = OnnxGenerator(onnx_paths["fp32"], threads=1)
    for prompt in PROMPTS:
        assert gen.greedy(prompt, 16, set()).token_ids == torch_gen.greedy(prompt, 16, set()).token_ids


def test_fp32_onnx_next_logits_match_pytorch(torch_gen: TorchGenerator, onnx_paths: dict[str, Path]) -> None:
    gen = OnnxGenerator(onnx_paths["fp32"], threads=1)
    np.testing.assert_allclose(gen.next_logits(PROMPTS[0]), torch_gen.next_logits(PROMPTS[0]), atol=1e-4)


@pytest.mark.parametrize("fmt", ["torch", "fp32", "q4"])
def test_prefix_reuse_gives_the_same_tokens(fmt: str, checkpoint: Path, onnx_paths: dict[str, Path]) -> None:
    gen = generator_for(checkpoint if fmt == "torch" else onnx_paths[fmt], threads=1)
    cached = gen.with_prefix(PREFIX)
    for prompt in PROMPTS:
        plain, reused = gen.greedy(prompt, 12, set()), cached.greedy(prompt, 12, set())
        assert reused.token_ids == plain.token_ids
        assert (plain.prefix_tokens, reused.prefix_tokens) == (0, len(PREFIX))
    again = cached.greedy(PROMPTS[0], 12, set())  # the cached KV must not grow from one prompt to the next
    assert again.token_ids == gen.greedy(PROMPTS[0], 12, set()).token_ids


@pytest.mark.parametrize("fmt", ["int8", "body"])
def test_prefix_reuse_keeps_dynamic_int8_logits_close(fmt: str, onnx_paths: dict[str, Path]) -> None:
    # Dynamic quantization scales activations per run, so a prompt split into prefix + rest is not
    # bit-identical to one pass; the logits must still stay close.
    gen = generator_for(onnx_paths[fmt], threads=1)
    cached = gen.with_prefix(PREFIX)
    for prompt in PROMPTS:
        full, reused = gen.next_logits(prompt), cached.next_logits(prompt)
        assert np.abs(full - reused).max() <= 0.1 * np.abs(full).max()


def test_prompt_equal_to_the_prefix_still_generates(onnx_paths: dict[str, Path]) -> None:
    gen = OnnxGenerator(onnx_paths["fp32"], threads=1)
    expected = gen.greedy(PREFIX, 6, set()).token_ids
    assert gen.with_prefix(PREFIX).greedy(PREFIX, 6, set()).token_ids == expected


def test_prompt_without_the_prefix_runs_in_full(onnx_paths: dict[str, Path]) -> None:
    gen = OnnxGenerator(onnx_paths["fp32"], threads=1)
    other = [2, 7, 8, 9]
    result = gen.with_prefix(PREFIX).greedy(other, 6, set())
    assert result.prefix_tokens == 0 and result.token_ids == gen.greedy(other, 6, set()).token_ids


def test_generation_stops_after_a_stop_id(onnx_paths: dict[str, Path]) -> None:
    gen = OnnxGenerator(onnx_paths["fp32"], threads=1)
    free = gen.greedy(PROMPTS[1], 12, set()).token_ids
    stop = free[4]
    stopped = gen.greedy(PROMPTS[1], 12, {stop}).token_ids
    assert stopped == free[: free.index(stop) + 1]


def test_result_reports_timings(onnx_paths: dict[str, Path]) -> None:
    result = OnnxGenerator(onnx_paths["int8"], threads=1).greedy(PROMPTS[0], 8, set())
    assert len(result.token_ids) == 8 and result.prompt_tokens == len(PROMPTS[0])
    assert result.prefill_s > 0 and result.decode_s > 0 and result.decode_tps > 0


@pytest.mark.parametrize("fmt", ["fp32", "body"])
def test_allowed_tokens_hook_restricts_every_step(fmt: str, onnx_paths: dict[str, Path]) -> None:
    gen = generator_for(onnx_paths[fmt], threads=1)
    seen: list[list[int]] = []
    allowed = {11, 22, 33, 44}

    def hook(generated: list[int]) -> set[int] | None:
        seen.append(list(generated))
        return None if len(generated) == 3 else allowed  # step 3 is free

    tokens = gen.greedy(PROMPTS[0], 6, set(), allowed=hook).token_ids
    assert all(t in allowed for i, t in enumerate(tokens) if i != 3)
    assert seen == [tokens[:i] for i in range(6)]
    logits = gen.next_logits(PROMPTS[0])
    assert tokens[0] == max(allowed, key=lambda t: logits[t])


def _forcing_hook(generated: list[int]) -> list[int] | None:
    """Forces a stretch of three ids after every even id, and leaves the other steps free."""
    if generated and generated[-1] % 2 == 0:
        return [(generated[-1] * 7 + 1) % VOCAB]
    if len(generated) >= 2 and generated[-2] % 2 == 0:
        return [(generated[-1] * 5 + 2) % VOCAB]
    return None


@pytest.mark.parametrize("fmt", ["torch", "fp32", "body"])
def test_jump_forward_gives_the_step_by_step_tokens_in_fewer_model_steps(
        fmt: str, checkpoint: Path, onnx_paths: dict[str, Path]) -> None:
    gen = generator_for(checkpoint if fmt == "torch" else onnx_paths[fmt], threads=1).with_prefix(PREFIX)
    forced_somewhere = False
    for prompt in PROMPTS:
        plain = gen.greedy(prompt, 24, set(), allowed=_forcing_hook)
        jumped = gen.greedy(prompt, 24, set(), allowed=_forcing_hook, jump_forward=True)
        assert jumped.token_ids == plain.token_ids
        assert plain.model_steps == len(plain.token_ids) - 1
        # A model step for every token chosen after the first; none for the forced ones.
        chosen = [i for i in range(1, len(plain.token_ids)) if _forcing_hook(plain.token_ids[:i]) is None]
        assert jumped.model_steps == len(chosen) < plain.model_steps
        forced_somewhere = forced_somewhere or len(chosen) < len(plain.token_ids) - 1
    assert forced_somewhere


def test_hook_that_allows_nothing_is_an_error(onnx_paths: dict[str, Path]) -> None:
    gen = OnnxGenerator(onnx_paths["fp32"], threads=1)
    with pytest.raises(FgwebError, match="allowed nothing at step 0"):
        gen.greedy(PROMPTS[0], 4, set(), allowed=lambda _: [])


def test_body_logits_stay_as_close_to_fp32_as_the_int8_graph(onnx_paths: dict[str, Path]) -> None:
    fp32 = OnnxGenerator(onnx_paths["fp32"], threads=1)
    int8 = OnnxGenerator(onnx_paths["int8"], threads=1)
    body = OnnxBodyGenerator(onnx_paths["body"], threads=1)
    contexts = [PROMPTS[1][:n] for n in range(4, len(PROMPTS[1]) + 1)]
    triples = [(fp32.next_logits(c), int8.next_logits(c), body.next_logits(c)) for c in contexts]
    agreement = np.mean([int(np.argmax(a)) == int(np.argmax(b)) for _, a, b in triples])
    assert agreement >= 0.8
    for ref, a, b in triples:  # both quantize the same weights to int8: both stay near fp32
        scale = np.abs(ref).max()
        assert np.abs(a - ref).max() <= 0.15 * scale
        assert np.abs(b - ref).max() <= 0.15 * scale


def test_generator_for_picks_the_generator_from_the_artifact(checkpoint: Path,
                                                             onnx_paths: dict[str, Path]) -> None:
    assert isinstance(generator_for(checkpoint, threads=1), TorchGenerator)
    assert type(generator_for(onnx_paths["q4"], threads=1)) is OnnxGenerator
    assert isinstance(generator_for(onnx_paths["body"], threads=1), OnnxBodyGenerator)


def test_graph_that_is_not_a_decoder_is_refused(tmp_path: Path) -> None:
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])
    graph = onnx.helper.make_graph([onnx.helper.make_node("Identity", ["x"], ["y"])], "g", [x], [y])
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17)], ir_version=8)
    onnx.save_model(model, str(tmp_path / "identity.onnx"))
    with pytest.raises(FgwebError, match="not an fgweb decoder graph"):
        OnnxGenerator(tmp_path / "identity.onnx")


def test_first_divergence_positions() -> None:
    assert first_divergence([1, 2, 3], [1, 2, 3]) is None
    assert first_divergence([1, 2, 3], [1, 5, 3]) == 1
    assert first_divergence([1, 2, 3], [1, 2]) == 2


def test_check_parity_reports_every_artifact(checkpoint: Path, onnx_paths: dict[str, Path]) -> None:
    report = check_parity(checkpoint, onnx_paths, PROMPTS, 10, set(), threads=1, prefix_ids=PREFIX)
    json.dumps(report)  # JSON-able
    assert set(report["artifacts"]) == {"fp32", "int8", "q4", "body"}
    assert report["artifacts"]["fp32"]["identical"] == 1.0
    assert report["artifacts"]["fp32"]["mean_first_divergence"] == 10.0
    for entry in report["artifacts"].values():
        assert 0.0 <= entry["identical"] <= 1.0 and len(entry["first_divergence"]) == len(PROMPTS)
        assert entry["decode_tps"] > 0


def test_check_parity_names_the_prompt_where_fp32_differs(checkpoint: Path, onnx_paths: dict[str, Path],
                                                          tmp_path: Path) -> None:
    model = onnx.load(str(onnx_paths["fp32"]))
    head = next(i for i in model.graph.initializer if tuple(i.dims) == (64, VOCAB))
    weight = numpy_helper.to_array(head)
    head.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(weight[:, ::-1]), head.name))  # ids reversed
    onnx.save_model(model, str(tmp_path / "broken.onnx"))
    with pytest.raises(FgwebError, match="differs from PyTorch on parity prompt 0 at generated token 0 "):
        check_parity(checkpoint, {"fp32": tmp_path / "broken.onnx"}, PROMPTS, 4, set(), threads=1)
