"""ONNX export: every format loads in onnxruntime with the documented inputs and outputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from fgweb.errors import FgwebError
from fgweb.export.onnx import (
    LM_HEAD_BIN,
    LM_HEAD_JSON,
    REPORT_NAME,
    cut_output_layer,
    export_onnx,
    load_lm_head,
    quantize_int8_per_column,
    write_lm_head,
)

torch.set_num_threads(1)

LAYERS, HIDDEN, KV_HEADS, HEAD_DIM = 2, 64, 1, 32
SOFTCAP = 30.0


def make_checkpoint(out: Path, vocab: int = 4096, seed: int = 0) -> Path:
    """A random 2-layer Gemma 3 with logit softcapping and a sliding window of 8 (test prompts cross it)."""
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    config = Gemma3TextConfig(
        vocab_size=vocab, hidden_size=HIDDEN, intermediate_size=128, num_hidden_layers=LAYERS,
        num_attention_heads=2, num_key_value_heads=KV_HEADS, head_dim=HEAD_DIM, sliding_window=8,
        max_position_embeddings=1024, final_logit_softcapping=SOFTCAP,
        layer_types=["sliding_attention", "full_attention"],
    )
    torch.manual_seed(seed)
    Gemma3ForCausalLM(config).save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_checkpoint(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def exported(checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return export_onnx(checkpoint, tmp_path_factory.mktemp("onnx"), ["fp32", "int8", "q4", "body"])


def session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def feed(ids: list[int]) -> dict[str, np.ndarray]:
    n = len(ids)
    inputs: dict[str, np.ndarray] = {
        "input_ids": np.array([ids], dtype=np.int64),
        "attention_mask": np.ones((1, n), dtype=np.int64),
        "position_ids": np.arange(n, dtype=np.int64)[None],
    }
    for i in range(LAYERS):
        for kind in ("key", "value"):
            inputs[f"past_key_values.{i}.{kind}"] = np.zeros((1, KV_HEADS, 0, HEAD_DIM), dtype=np.float32)
    return inputs


@pytest.mark.parametrize("fmt", ["fp32", "int8", "q4", "body"])
def test_every_format_runs_with_the_documented_inputs_and_outputs(exported: dict[str, Path],
                                                                   fmt: str) -> None:
    sess = session(exported[fmt])
    past = {f"past_key_values.{i}.{k}" for i in range(LAYERS) for k in ("key", "value")}
    assert {i.name for i in sess.get_inputs()} == {"input_ids", "attention_mask", "position_ids", *past}
    first = "last_hidden_state" if fmt == "body" else "logits"
    present = {f"present.{i}.{k}" for i in range(LAYERS) for k in ("key", "value")}
    assert {o.name for o in sess.get_outputs()} == {first, *present}
    names = [o.name for o in sess.get_outputs()]
    outputs = dict(zip(names, sess.run(None, feed([2, 10, 11, 12])), strict=True))
    assert outputs[first].shape == (1, 1, HIDDEN if fmt == "body" else 4096)  # last position only
    assert outputs["present.1.value"].shape == (1, KV_HEADS, 4, HEAD_DIM)
    assert np.isfinite(outputs[first]).all()


def test_quantized_formats_are_smaller_than_fp32(exported: dict[str, Path]) -> None:
    sizes = {fmt: path.stat().st_size for fmt, path in exported.items()}
    assert sizes["q4"] < sizes["int8"] < sizes["fp32"]
    assert sizes["body"] < sizes["int8"]  # no output layer


def test_report_records_every_file_with_its_size(exported: dict[str, Path]) -> None:
    out_dir = exported["fp32"].parent.parent
    report = json.loads((out_dir / REPORT_NAME).read_text())
    assert set(report["formats"]) == {"fp32", "int8", "q4", "body"}
    for fmt, entry in report["formats"].items():
        folder = out_dir / fmt
        assert entry["files"] == {p.name: p.stat().st_size for p in folder.iterdir()}
        assert entry["bytes"] == sum(entry["files"].values())
        assert entry["seconds"] >= 0 and entry["external_data"] is False
    assert set(report["formats"]["body"]["files"]) == {"model.onnx", LM_HEAD_JSON, LM_HEAD_BIN}


def test_fp32_graph_logits_of_the_last_position_match_pytorch(checkpoint: Path,
                                                               exported: dict[str, Path]) -> None:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(checkpoint, dtype=torch.float32).eval()
    ids = [2, *range(100, 120)]  # longer than the sliding window of 8
    with torch.inference_mode():
        expected = model(torch.tensor([ids])).logits[0, -1:].numpy()
    logits = session(exported["fp32"]).run(["logits"], feed(ids))[0][0]
    np.testing.assert_allclose(logits, expected, atol=1e-4)


def test_cut_graph_outputs_the_final_normed_hidden_state(checkpoint: Path, exported: dict[str, Path],
                                                         tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM

    model_proto = onnx.load(str(exported["fp32"]))
    weight = cut_output_layer(model_proto)
    onnx.save_model(model_proto, str(tmp_path / "body32.onnx"))
    model = AutoModelForCausalLM.from_pretrained(checkpoint, dtype=torch.float32).eval()
    ids = [2, 5, 6, 7, 8]
    with torch.inference_mode():
        expected = model.model(torch.tensor([ids])).last_hidden_state[0, -1:].numpy()
    hidden = session(tmp_path / "body32.onnx").run(["last_hidden_state"], feed(ids))[0][0]
    np.testing.assert_allclose(hidden, expected, atol=1e-4)
    np.testing.assert_array_equal(weight.T, model.lm_head.weight.detach().numpy())  # the tied embedding
    shapes = [tuple(init.dims) for init in model_proto.graph.initializer]
    assert (HIDDEN, 4096) not in shapes and (4096, HIDDEN) in shapes  # output layer gone, embedding kept


def test_body_graph_has_int8_weights_and_stays_close_to_fp32(exported: dict[str, Path],
                                                             tmp_path: Path) -> None:
    fp32 = onnx.load(str(exported["fp32"]))
    cut_output_layer(fp32)
    onnx.save_model(fp32, str(tmp_path / "body32.onnx"))
    body = onnx.load(str(exported["body"]))
    matrices = [init for init in body.graph.initializer if len(init.dims) == 2 and min(init.dims) > 1]
    assert matrices and all(init.data_type == onnx.TensorProto.INT8 for init in matrices)
    ids = [2, *range(100, 120)]
    ref = session(tmp_path / "body32.onnx").run(["last_hidden_state"], feed(ids))[0][0, -1]
    got = session(exported["body"]).run(["last_hidden_state"], feed(ids))[0][0, -1]
    assert np.linalg.norm(got - ref) < 0.02 * np.linalg.norm(ref)


def test_per_column_int8_keeps_small_columns_that_one_scale_would_flatten() -> None:
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    weight = rng.standard_normal((64, 8)).astype(np.float32) * np.geomspace(1e-3, 10, 8, dtype=np.float32)
    row_scales = np.geomspace(1e-3, 10, 16, dtype=np.float32)[:, None]
    table = rng.standard_normal((16, 8)).astype(np.float32) * row_scales
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "ids"], ["emb"]),
         helper.make_node("MatMul", ["x", "w"], ["y"])],
        "g",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [3]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 64])],
        [helper.make_tensor_value_info("emb", TensorProto.FLOAT, [3, 8]),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 8])],
        [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(table, "table")],
    )
    model = helper.make_model(graph, ir_version=9, opset_imports=[helper.make_opsetid("", 18)])
    quantize_int8_per_column(model)
    quantized = {init.data_type for init in model.graph.initializer if init.name.endswith("_int8")}
    assert quantized == {TensorProto.INT8}
    assert not any(init.name in ("w", "table") for init in model.graph.initializer)
    ids, x = np.array([0, 7, 15]), rng.standard_normal((2, 64)).astype(np.float32)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    emb, y = sess.run(["emb", "y"], {"ids": ids, "x": x})
    # Every column and row, the smallest included, within a few % of its own scale (one scale: ~100%).
    assert (np.abs(y - x @ weight) <= 0.03 * np.abs(x @ weight).max(axis=0)).all()
    assert (np.abs(emb - table[ids]) <= 0.01 * np.abs(table[ids]).max(axis=1, keepdims=True)).all()


def test_lm_head_files_follow_the_documented_layout(exported: dict[str, Path]) -> None:
    folder = exported["body"].parent
    desc = json.loads((folder / LM_HEAD_JSON).read_text())
    vocab, hidden = desc["vocab_size"], desc["hidden_size"]
    assert (vocab, hidden) == (4096, HIDDEN)
    assert desc["weights"] == {"offset": 0, "dtype": "int8", "shape": [vocab, hidden], "order": "row-major"}
    assert desc["scales"]["offset"] == vocab * hidden and desc["scales"]["dtype"] == "float32"
    assert (folder / desc["file"]).stat().st_size == vocab * hidden + 4 * vocab
    assert desc["final_logit_softcapping"] == SOFTCAP


def test_lm_head_int8_rows_reproduce_the_weights(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(300, 48)).astype(np.float32)
    rows[7] = 0.0  # an all-zero row must not divide by zero
    write_lm_head(rows, tmp_path, softcap=None)
    head = load_lm_head(tmp_path / LM_HEAD_JSON)
    dequantized = head.q.astype(np.float32) * head.scales[:, None]
    assert np.all(np.abs(dequantized - rows) <= head.scales[:, None] / 2 + 1e-6)
    h = rng.normal(size=48).astype(np.float32)
    full = head.logits(h)
    np.testing.assert_allclose(full, rows @ h, atol=0.05 * np.abs(rows @ h).max())
    some = np.array([3, 7, 299])
    np.testing.assert_allclose(head.logits(h, some), full[some], rtol=1e-5, atol=1e-5)


def test_lm_head_applies_the_softcap(tmp_path: Path) -> None:
    rows = np.full((4, 8), 10.0, dtype=np.float32)
    write_lm_head(rows, tmp_path, softcap=5.0)
    logits = load_lm_head(tmp_path / LM_HEAD_JSON).logits(np.ones(8, dtype=np.float32))
    np.testing.assert_allclose(logits, 5.0 * np.tanh(80.0 / 5.0), rtol=1e-5)


def test_fp32_is_not_kept_unless_asked_for(checkpoint: Path, tmp_path: Path) -> None:
    paths = export_onnx(checkpoint, tmp_path, ["int8"])
    assert list(paths) == ["int8"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["int8", REPORT_NAME]


def test_unknown_format_is_refused(checkpoint: Path, tmp_path: Path) -> None:
    with pytest.raises(FgwebError, match="unknown ONNX format"):
        export_onnx(checkpoint, tmp_path, ["fp16"])


def test_folder_without_a_checkpoint_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FgwebError, match="no config.json"):
        export_onnx(tmp_path, tmp_path / "out", ["fp32"])


@pytest.mark.slow
def test_full_gemma_vocabulary_exports_and_matches_pytorch(tmp_path: Path) -> None:
    from fgweb.generate import OnnxBodyGenerator, OnnxGenerator, TorchGenerator

    checkpoint = make_checkpoint(tmp_path / "tiny", vocab=262144)
    paths = export_onnx(checkpoint, tmp_path / "onnx", ["fp32", "int8", "q4", "body"])
    sizes = {fmt: path.stat().st_size for fmt, path in paths.items()}
    assert sizes["q4"] < sizes["int8"] < sizes["fp32"]
    prompt = [2, *range(1000, 1030)]
    expected = TorchGenerator(checkpoint, threads=1).greedy(prompt, 8, set()).token_ids
    assert OnnxGenerator(paths["fp32"], threads=1).greedy(prompt, 8, set()).token_ids == expected
    fp32 = OnnxGenerator(paths["fp32"], threads=1).next_logits(prompt)
    body = OnnxBodyGenerator(paths["body"], threads=1).next_logits(prompt)
    assert body.shape == fp32.shape == (262144,)
    assert int(np.argmax(body)) == int(np.argmax(fp32))
