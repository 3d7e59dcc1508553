"""Export a Gemma 3 checkpoint to ONNX decoder graphs with a KV cache, in several weight formats.

    from fgweb.export.onnx import export_onnx
    paths = export_onnx(Path("merged"), Path("out/onnx"), ["fp32", "int8", "q4", "body"])

Every graph takes `input_ids`, `attention_mask`, `position_ids` (int64, [batch, seq]) and
`past_key_values.{i}.key|value` (float32, [batch, kv_heads, past_seq, head_dim]); it returns `present.*`
with the same layout and, except for `body`, `logits` (float32, [batch, 1, vocab]) for the last position
only: a runtime needs no more, and a prompt's prefill would otherwise run the output layer (168 M of the
268 M weights) once per prompt token. Activations are fp32 in every format; only weights are quantized.

| format | file | weights |
|---|---|---|
| fp32 | `fp32/model.onnx` | fp32 (the parity reference; stays out of the bundle) |
| int8 | `int8/model.onnx` | `quantize_dynamic`, QInt8, per-tensor (MatMuls and the embedding Gather) |
| q4 | `q4/model.onnx` | 4-bit `MatMulNBits` + 4-bit `GatherBlockQuantized` embedding, blocks of 32 |
| body | `body/model.onnx` + `body/lm_head.json` + `body/lm_head.int8.bin` | int8 per column, no lm_head |

The body's int8 weights carry one scale per output column (`quantize_int8_per_column`) and sit behind
`DequantizeLinear`, which the runtimes fold into fp32 once at load (session config
`session.disable_quant_qdq=1`): the download stays int8, and the arithmetic is fp32. Per-tensor scales
with dynamically quantized activations (the int8 format) lost 4 of 22 exact calls on the same 30 eval
cases where this lost none (fine-tuned model, November 2026).

The body graph outputs `last_hidden_state` ([batch, 1, hidden], after the final norm) instead of
`logits`; the runtime computes logits for just the tokens it allows from the tied embedding rows in
`lm_head.int8.bin`, laid out as `lm_head.json` says (see `LM_HEAD_FORMAT`):

    logits[v] = scale[v] * sum_i q[v, i] * h[i];  then, if softcap: logits = softcap * tanh(logits / softcap)

A graph is one `.onnx` file unless its weights pass 2 GB; then they go to `model.onnx_data` beside it.
`onnx_export.json` in `out_dir` records, per format, its files, their sizes and the export seconds.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from fgweb.errors import FgwebError

log = logging.getLogger(__name__)

FORMATS = ("fp32", "int8", "q4", "body")
REPORT_NAME = "onnx_export.json"
MODEL_NAME = "model.onnx"
EXTERNAL_DATA_SUFFIX = "_data"  # model.onnx -> model.onnx_data
LM_HEAD_JSON = "lm_head.json"
LM_HEAD_BIN = "lm_head.int8.bin"
LM_HEAD_FORMAT = "fgweb-lm-head-int8-rows/1"
# Protobuf cannot hold a message past 2 GiB; keep a margin for the graph itself.
SINGLE_FILE_LIMIT = 2_000_000_000
Q4_BLOCK_SIZE = 32
# 4 = int8 compute inside MatMulNBits on CPU: faster, and greedy tokens matched level 0 (ENVIRONMENT.md).
Q4_ACCURACY_LEVEL = 4


@dataclass
class FormatReport:
    """What one format's export produced: files (name -> bytes), total bytes, seconds, external data."""

    path: str
    files: dict[str, int]
    bytes: int
    seconds: float
    external_data: bool
    notes: dict[str, Any] = field(default_factory=dict)


def export_onnx(model_dir: Path, out_dir: Path, formats: Sequence[str]) -> dict[str, Path]:
    """Export `model_dir` (a Hugging Face Gemma 3 checkpoint) in each of `formats`.

    Returns a dict mapping each requested format to its `.onnx` file under `out_dir/<format>/`, and
    writes `out_dir/onnx_export.json` with each format's files, sizes and export time. The fp32 graph
    is built whenever any format is requested (the others derive from it); it is kept only if asked for.
    """
    model_dir, out_dir = Path(model_dir), Path(out_dir)
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise FgwebError(f"unknown ONNX format(s) {unknown}: choose from {list(FORMATS)}")
    if not wanted:
        raise FgwebError("no ONNX format requested: name at least one of " + ", ".join(FORMATS))
    if not (model_dir / "config.json").is_file():
        raise FgwebError(f"{model_dir} is not a Hugging Face checkpoint (no config.json): "
                         "run the model stage first")
    out_dir.mkdir(parents=True, exist_ok=True)

    reports: dict[str, FormatReport] = {}
    paths: dict[str, Path] = {}
    fp32_dir = out_dir / "fp32" if "fp32" in wanted else out_dir / "_fp32.partial"

    start = time.perf_counter()
    log.info("onnx fp32: exporting %s with optimum (text-generation-with-past)", model_dir)
    fp32_path = _export_fp32(model_dir, fp32_dir)
    reports["fp32"] = _report(fp32_path, time.perf_counter() - start)
    log.info("onnx fp32: %s in %.1f s", _mb(reports["fp32"].bytes), reports["fp32"].seconds)

    try:
        for fmt in wanted:
            if fmt == "fp32":
                paths["fp32"] = fp32_path
                continue
            start = time.perf_counter()
            log.info("onnx %s: quantizing", fmt)
            target = out_dir / fmt / MODEL_NAME
            _clear(target.parent)
            notes: dict[str, Any] = {}
            if fmt == "int8":
                _quantize_int8(onnx.load(str(fp32_path)), target)
            elif fmt == "q4":
                _quantize_q4(fp32_path, target)
                notes = {"block_size": Q4_BLOCK_SIZE, "accuracy_level": Q4_ACCURACY_LEVEL}
            else:
                notes = _export_body(fp32_path, model_dir, target)
            reports[fmt] = _report(target, time.perf_counter() - start, notes)
            paths[fmt] = target
            log.info("onnx %s: %s in %.1f s", fmt, _mb(reports[fmt].bytes), reports[fmt].seconds)
    finally:
        if "fp32" not in wanted:
            shutil.rmtree(fp32_dir, ignore_errors=True)
            reports.pop("fp32", None)

    report = {
        "formats": {fmt: asdict(reports[fmt]) for fmt in wanted},
        "inputs": ["input_ids", "attention_mask", "position_ids", "past_key_values.{i}.key|value"],
        "outputs": {"default": ["logits", "present.{i}.key|value"],
                    "body": ["last_hidden_state", "present.{i}.key|value"]},
    }
    (out_dir / REPORT_NAME).write_text(json.dumps(report, indent=2) + "\n")
    return {fmt: paths[fmt] for fmt in wanted}


def _export_fp32(model_dir: Path, out_dir: Path) -> Path:
    """Run optimum's exporter into a scratch folder, keep only the graph; return `out_dir/model.onnx`."""
    from optimum.exporters.onnx import main_export
    from optimum.exporters.onnx.config import TextDecoderWithPositionIdsOnnxConfig
    from optimum.exporters.onnx.model_configs import GemmaOnnxConfig
    from transformers import AutoConfig

    # optimum's Gemma config leaves position_ids out; the runtime contract (DESIGN.md) has it as an input.
    class GemmaWithPositionIdsOnnxConfig(TextDecoderWithPositionIdsOnnxConfig):
        NORMALIZED_CONFIG_CLASS = GemmaOnnxConfig.NORMALIZED_CONFIG_CLASS
        DUMMY_INPUT_GENERATOR_CLASSES = GemmaOnnxConfig.DUMMY_INPUT_GENERATOR_CLASSES
        DUMMY_PKV_GENERATOR_CLASS = GemmaOnnxConfig.DUMMY_PKV_GENERATOR_CLASS

    config = AutoConfig.from_pretrained(model_dir)
    if getattr(config, "model_type", "") not in ("gemma3_text", "gemma3", "gemma2", "gemma"):
        raise FgwebError(f"{model_dir} holds a {config.model_type!r} model: "
                         "the ONNX export supports Gemma 3 only")
    text_config = getattr(config, "text_config", None) or config
    onnx_config = GemmaWithPositionIdsOnnxConfig(
        text_config, task="text-generation", use_past=True, use_past_in_inputs=True
    )
    scratch = out_dir.with_name(out_dir.name + ".optimum")
    _clear(scratch)
    try:
        main_export(
            str(model_dir),
            str(scratch),
            task="text-generation-with-past",
            library_name="transformers",
            dtype="fp32",
            do_validation=False,  # check_parity compares greedy tokens with PyTorch instead
            custom_onnx_configs={"model": onnx_config},
        )
        exported = scratch / MODEL_NAME
        if not exported.is_file():
            raise FgwebError(f"optimum wrote no {MODEL_NAME} in {scratch}: check the export log above")
        _clear(out_dir)
        target = out_dir / MODEL_NAME
        model = onnx.load(str(exported))
        keep_last_position(model)
        _save(model, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _quantize_int8(model: onnx.ModelProto, target: Path) -> None:
    """Dynamic int8 quantization: QInt8 weights, per tensor (per channel broke Gemma: ENVIRONMENT.md)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    external = _weights_bytes(model) // 4 > SINGLE_FILE_LIMIT
    with _quiet("", "onnxruntime.quantization"):  # it logs a line per unquantized tensor on the root logger
        quantize_dynamic(
            model,
            str(target),
            per_channel=False,
            reduce_range=False,
            weight_type=QuantType.QInt8,
            use_external_data_format=external,
        )
    _normalise_external_name(target)


def quantize_int8_per_column(model: onnx.ModelProto) -> None:
    """In place: symmetric int8 weights with one scale per output column (MatMuls) or per row (embedding).

    MatMul(x, W[K, N]) -> MatMul(x, DequantizeLinear(Wq, scale[N], axis=1)): weight-only, so a runtime
    with `session.disable_quant_qdq=1` folds it into fp32 at load and activations are never quantized.
    Gemma's activations have outliers that per-tensor dynamic quantization (the int8 format) rounds
    away, and one outlier weight sets the step for a whole per-tensor matrix. onnxruntime's own
    per-channel option broke the model (ENVIRONMENT.md); measured here, its u8s8 kernels saturate on
    AVX2 without VNNI once every column reaches +-127. The embedding Gather(W[V, H], ids) ->
    Cast(Gather(Wq, ids)) * Gather(scale[V, 1], ids) stays int8 in memory.
    """
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    added: set[tuple[str, int]] = set()  # (initializer, axis) already quantized: shared weights once
    nodes: list[onnx.NodeProto] = []

    def quantized(name: str, axis: int) -> tuple[str, bool]:
        """Returns the prefix of a weight's `_int8`, `_scale` (and, per column, `_zero`) initializers,
        and whether they were added by this call."""
        tag = f"{name}_{'col' if axis == 0 else 'row'}"
        if (name, axis) in added:
            return tag, False
        w = numpy_helper.to_array(inits[name]).astype(np.float32)
        scale = np.abs(w).max(axis=axis, keepdims=True) / 127.0
        scale[scale == 0] = 1.0
        q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
        graph.initializer.append(numpy_helper.from_array(q, f"{tag}_int8"))
        keep = scale.reshape(-1) if axis == 0 else scale  # [N] per column; [V, 1] per row
        graph.initializer.append(numpy_helper.from_array(keep.astype(np.float32), f"{tag}_scale"))
        if axis == 0:
            graph.initializer.append(numpy_helper.from_array(np.zeros(w.shape[1], np.int8), f"{tag}_zero"))
        added.add((name, axis))
        return tag, True

    for node in graph.node:
        w = inits.get(node.input[1]) if len(node.input) > 1 else None
        if node.op_type == "MatMul" and w is not None and len(w.dims) == 2:
            tag, new = quantized(w.name, axis=0)
            deq = f"{tag}_deq"
            if new:
                parts = [f"{tag}_int8", f"{tag}_scale", f"{tag}_zero"]
                nodes.append(onnx.helper.make_node("DequantizeLinear", parts, [deq], axis=1, name=deq))
            nodes.append(onnx.helper.make_node("MatMul", [node.input[0], deq], list(node.output),
                                               name=node.name))
            continue
        table = inits.get(node.input[0]) if node.input else None
        if node.op_type == "Gather" and table is not None and len(table.dims) == 2 and not any(
                a.name == "axis" and a.i != 0 for a in node.attribute):
            tag, _ = quantized(table.name, axis=1)
            out, ids = node.output[0], node.input[1]
            nodes += [
                onnx.helper.make_node("Gather", [f"{tag}_int8", ids], [f"{out}_int8"],
                                      name=f"{node.name}_int8"),
                onnx.helper.make_node("Cast", [f"{out}_int8"], [f"{out}_f"], to=onnx.TensorProto.FLOAT,
                                      name=f"{node.name}_cast"),
                onnx.helper.make_node("Gather", [f"{tag}_scale", ids], [f"{out}_scale"],
                                      name=f"{node.name}_scale"),
                onnx.helper.make_node("Mul", [f"{out}_f", f"{out}_scale"], [out], name=f"{node.name}_mul"),
            ]
            continue
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    _prune(graph)


def _quantize_q4(fp32_path: Path, target: Path) -> None:
    """4-bit blockwise weights: MatMul -> MatMulNBits, embedding Gather -> GatherBlockQuantized."""
    from onnxruntime.quantization import matmul_nbits_quantizer as mnq
    from onnxruntime.quantization.quant_utils import QuantFormat

    config = mnq.DefaultWeightOnlyQuantConfig(
        block_size=Q4_BLOCK_SIZE,
        is_symmetric=True,
        accuracy_level=Q4_ACCURACY_LEVEL,
        quant_format=QuantFormat.QOperator,
        op_types_to_quantize=("MatMul", "Gather"),
        quant_axes=(("MatMul", 0), ("Gather", 1)),
        bits=4,
    )
    with _quiet("", "onnxruntime.quantization", mnq.__name__), warnings.catch_warnings():
        # It logs a line per node, and numpy warns about the all-zero blocks it handles itself.
        warnings.simplefilter("ignore", RuntimeWarning)
        quantizer = mnq.MatMulNBitsQuantizer(onnx.load(str(fp32_path)), algo_config=config)
        quantizer.process()
    _save(quantizer.model.model, target)


def _export_body(fp32_path: Path, model_dir: Path, target: Path) -> dict[str, Any]:
    """Cut the output layer off the fp32 graph, int8-quantize the rest per column, write the lm_head rows.

    Returns notes for the export report (hidden size, vocabulary, softcap, lm_head files).
    """
    model = onnx.load(str(fp32_path))
    weight = cut_output_layer(model)  # [hidden, vocab], as the graph multiplied it
    quantize_int8_per_column(model)
    _save(model, target)
    del model
    rows = np.ascontiguousarray(weight.T)
    del weight
    softcap = _final_logit_softcapping(model_dir)
    write_lm_head(rows, target.parent, softcap)
    return {"hidden_size": int(rows.shape[1]), "vocab_size": int(rows.shape[0]),
            "final_logit_softcapping": softcap, "lm_head": [LM_HEAD_JSON, LM_HEAD_BIN]}


def _output_layer(graph: onnx.GraphProto) -> onnx.NodeProto:
    """The MatMul(hidden, W) that makes the logits (behind the optional softcap Div/Tanh/Mul)."""
    producers = {out: node for node in graph.node for out in node.output}
    initializers = {init.name for init in graph.initializer}
    node = producers.get("logits")
    for _ in range(8):  # logits <- [Mul <- Tanh <- Div] <- MatMul(hidden, W)
        if node is None or node.op_type == "MatMul":
            break
        node = producers.get(node.input[0])
    if node is None or node.op_type != "MatMul" or node.input[1] not in initializers:
        raise FgwebError("the ONNX graph's logits do not come from a MatMul with constant weights: "
                         "cannot rewrite the output layer (is this an optimum text-generation export?)")
    return node


def keep_last_position(model: onnx.ModelProto) -> None:
    """Make the graph compute logits for the last position only (in place): a Slice on the hidden
    state before the output layer, and `logits` declared [batch, 1, vocab]."""
    graph = model.graph
    matmul = _output_layer(graph)
    hidden, last = matmul.input[0], "fgweb/last_position"
    consts = {"fgweb/last_start": -1, "fgweb/last_end": np.iinfo(np.int64).max, "fgweb/last_axis": 1}
    for name, value in consts.items():
        graph.initializer.append(numpy_helper.from_array(np.array([value], dtype=np.int64), name))
    index = list(graph.node).index(matmul)
    graph.node.insert(index, onnx.helper.make_node(
        "Slice", [hidden, *consts], [last], name="fgweb/slice_last_position"))
    matmul.input[0] = last
    for info in graph.output:
        if info.name == "logits":
            dims = info.type.tensor_type.shape.dim
            dims[1].Clear()
            dims[1].dim_value = 1


def cut_output_layer(model: onnx.ModelProto) -> np.ndarray:
    """Turn a full decoder graph into a body graph in place.

    The graph's `logits` output is replaced by `last_hidden_state`, the input of the output-layer
    MatMul (the hidden state after the final norm); softcapping and the MatMul go, and with them any
    node or initializer nothing else needs. Returns the output layer's weight, shape [hidden, vocab].
    """
    graph = model.graph
    node = _output_layer(graph)
    initializers = {init.name: init for init in graph.initializer}
    weight = numpy_helper.to_array(initializers[node.input[1]])
    hidden_name = node.input[0]
    hidden_size = int(weight.shape[0])

    graph.node.append(onnx.helper.make_node("Identity", [hidden_name], ["last_hidden_state"],
                                            name="fgweb/last_hidden_state"))
    logits_info = next(o for o in graph.output if o.name == "logits")
    dims = [d.dim_param or d.dim_value for d in logits_info.type.tensor_type.shape.dim]
    hidden_info = onnx.helper.make_tensor_value_info(
        "last_hidden_state", onnx.TensorProto.FLOAT, [*dims[:-1], hidden_size]
    )
    outputs = [hidden_info, *[o for o in graph.output if o.name != "logits"]]
    del graph.output[:]
    graph.output.extend(outputs)
    _prune(graph)
    return weight


def _prune(graph: onnx.GraphProto) -> None:
    """Drop the nodes, initializers and value infos that no graph output depends on."""
    needed = {o.name for o in graph.output}
    kept: list[onnx.NodeProto] = []
    for node in reversed(graph.node):  # exported graphs are topologically sorted
        if any(out in needed for out in node.output):
            kept.append(node)
            needed.update(_node_inputs(node))
    kept.reverse()
    del graph.node[:]
    graph.node.extend(kept)
    inits = [i for i in graph.initializer if i.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(inits)
    infos = [v for v in graph.value_info if v.name in needed]
    del graph.value_info[:]
    graph.value_info.extend(infos)


def _node_inputs(node: onnx.NodeProto) -> Iterable[str]:
    """The names a node reads, including those read inside its subgraphs (If/Loop bodies)."""
    yield from (name for name in node.input if name)
    for attr in node.attribute:
        subgraphs = [attr.g] if attr.type == onnx.AttributeProto.GRAPH else list(attr.graphs)
        for sub in subgraphs:
            for inner in sub.node:
                yield from _node_inputs(inner)


def write_lm_head(rows: np.ndarray, out_dir: Path, softcap: float | None) -> dict[str, Any]:
    """Write the output layer as per-row symmetric int8 (`lm_head.int8.bin`) described by `lm_head.json`.

    `rows` is [vocab, hidden] float. The .bin holds the int8 rows (row-major) followed by one float32
    little-endian scale per row. Returns the JSON description it wrote.
    """
    rows = np.asarray(rows, dtype=np.float32)
    vocab, hidden = rows.shape
    absmax = np.abs(rows).max(axis=1)
    scales = np.where(absmax > 0, absmax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(rows / scales[:, None]), -127, 127).astype(np.int8)
    weights_bytes = vocab * hidden
    with (out_dir / LM_HEAD_BIN).open("wb") as f:
        f.write(q.tobytes(order="C"))
        f.write(scales.astype("<f4").tobytes())
    desc: dict[str, Any] = {
        "format": LM_HEAD_FORMAT,
        "file": LM_HEAD_BIN,
        "vocab_size": int(vocab),
        "hidden_size": int(hidden),
        "weights": {"offset": 0, "dtype": "int8", "shape": [int(vocab), int(hidden)], "order": "row-major"},
        # hidden is a multiple of 4 for every Gemma size, so the scales stay 4-byte aligned in JS.
        "scales": {"offset": weights_bytes, "dtype": "float32", "endian": "little", "shape": [int(vocab)]},
        "final_logit_softcapping": softcap,
        "logits": "logits[v] = scales[v] * dot(weights[v], last_hidden_state); "
        "if final_logit_softcapping: logits = c * tanh(logits / c)",
    }
    (out_dir / LM_HEAD_JSON).write_text(json.dumps(desc, indent=2) + "\n")
    return desc


@dataclass
class LmHead:
    """The int8 output-layer rows read back from `lm_head.json` + `lm_head.int8.bin`."""

    q: np.ndarray  # int8 [vocab, hidden]
    scales: np.ndarray  # float32 [vocab]
    softcap: float | None
    _full: np.ndarray | None = field(default=None, repr=False)  # dequantized rows, built on first use

    def logits(self, hidden: np.ndarray, ids: np.ndarray | None = None) -> np.ndarray:
        """Logits for `ids` (all tokens when None) from a final hidden state of shape [hidden]."""
        h = np.asarray(hidden, dtype=np.float32)
        if ids is None:
            out = self._dequantized() @ h
        else:
            out = (self.q[ids].astype(np.float32) @ h) * self.scales[ids]
        if self.softcap:
            out = np.tanh(out / self.softcap) * self.softcap
        return out.astype(np.float32, copy=False)

    def _dequantized(self) -> np.ndarray:
        # Full-vocabulary logits need every row in float: convert once (4 bytes per weight) and keep it.
        if self._full is None:
            self._full = self.q.astype(np.float32) * self.scales[:, None]
        return self._full


def load_lm_head(json_path: Path) -> LmHead:
    """Read an `lm_head.json` and the binary it names; returns the rows, scales and softcap."""
    json_path = Path(json_path)
    if not json_path.is_file():
        raise FgwebError(f"no {json_path}: export the 'body' ONNX format, which writes it beside the graph")
    desc = json.loads(json_path.read_text())
    if desc.get("format") != LM_HEAD_FORMAT:
        raise FgwebError(f"{json_path} has format {desc.get('format')!r}, expected {LM_HEAD_FORMAT!r}: "
                         "re-export the 'body' format")
    vocab, hidden = int(desc["vocab_size"]), int(desc["hidden_size"])
    raw = np.fromfile(json_path.parent / desc["file"], dtype=np.uint8)
    w_off, s_off = int(desc["weights"]["offset"]), int(desc["scales"]["offset"])
    if raw.size < s_off + 4 * vocab:
        raise FgwebError(f"{json_path.parent / desc['file']} is truncated: re-export the 'body' format")
    q = raw[w_off : w_off + vocab * hidden].view(np.int8).reshape(vocab, hidden)
    scales = raw[s_off : s_off + 4 * vocab].view("<f4").astype(np.float32)
    return LmHead(q=q, scales=scales, softcap=desc.get("final_logit_softcapping"))


def _final_logit_softcapping(model_dir: Path) -> float | None:
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(model_dir)
    config = getattr(config, "text_config", None) or config
    value = getattr(config, "final_logit_softcapping", None)
    return float(value) if value else None


def _weights_bytes(model: onnx.ModelProto) -> int:
    return sum(len(init.raw_data) for init in model.graph.initializer)


def _save(model: onnx.ModelProto, target: Path) -> None:
    """Save as one file, or with `model.onnx_data` beside it when the weights would not fit in protobuf."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if _weights_bytes(model) > SINGLE_FILE_LIMIT:
        onnx.save_model(model, str(target), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=target.name + EXTERNAL_DATA_SUFFIX, size_threshold=1024)
    else:
        onnx.save_model(model, str(target))


def _normalise_external_name(target: Path) -> None:
    """onnxruntime's quantizer names external data `model.onnx.data`; rename it to `model.onnx_data`."""
    odd = target.with_name(target.name + ".data")
    if odd.exists():
        _save(onnx.load(str(target)), target)
        odd.unlink()


def _report(path: Path, seconds: float, notes: dict[str, Any] | None = None) -> FormatReport:
    files = {p.name: p.stat().st_size for p in sorted(path.parent.iterdir()) if p.is_file()}
    return FormatReport(
        path=f"{path.parent.name}/{path.name}",
        files=files,
        bytes=sum(files.values()),
        seconds=round(seconds, 2),
        external_data=(path.with_name(path.name + EXTERNAL_DATA_SUFFIX)).exists(),
        notes=notes or {},
    )


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Raise the named loggers ("" = root) to ERROR for the duration: the quantizers are chatty."""
    loggers = [logging.getLogger(name or None) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _clear(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"
