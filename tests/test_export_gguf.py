"""GGUF export: files that read back, hold the right vocabulary and metadata, and score like the model."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch

from fgweb.errors import FgwebError
from fgweb.export.gguf import (
    CHAT_TEMPLATE,
    FUNCTION_TOKENS,
    PACKAGED_GGUF,
    export_gguf,
    load_gguf_model,
    verify_gguf,
)

torch.set_num_threads(1)

VOCAB = 160


def _write_tokenizer(path: Path) -> None:
    from tokenizers import Tokenizer, models

    specials = ["<pad>", "<eos>", "<bos>", "<unk>"] + [f"<unused{i}>" for i in range(101)]
    specials += ["<start_of_turn>", "<end_of_turn>"]
    pieces = ["▁"] + [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["<0x0A>"]
    pieces += [f"▁w{i}" for i in range(VOCAB - len(specials) - len(pieces))]
    vocab = {p: i for i, p in enumerate(specials + pieces)}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tok.add_special_tokens(specials)
    tok.save(str(path))


def _tiny_model(model_dir: Path, **overrides: object) -> torch.nn.Module:
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    torch.manual_seed(0)
    cfg = dict(
        vocab_size=VOCAB,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=6,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=32,
        query_pre_attn_scalar=32,
        sliding_window=4,
        max_position_embeddings=512,
        attn_implementation="eager",
    )
    cfg.update(overrides)
    model = Gemma3ForCausalLM(Gemma3TextConfig(**cfg)).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.normal_(0.0, 0.3)  # Gemma inits them to 0; random values exercise the +1 convention
    model.save_pretrained(model_dir)
    _write_tokenizer(model_dir / "tokenizer.json")
    return model


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, torch.nn.Module, dict[str, Path]]:
    root = tmp_path_factory.mktemp("gguf")
    model = _tiny_model(root / "model")
    paths = export_gguf(root / "model", root / "out", ["Q8_0", "F32"], progress=False)
    return root / "model", model, paths


def _logits(model: torch.nn.Module, ids: list[int]) -> torch.Tensor:
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0]


PROMPT = [2, 105, 120, 121, 130, 140, 46, 52, 150, 151, 133, 106, 107, 108]


def test_export_writes_one_verified_file_per_type(
    tiny: tuple[Path, torch.nn.Module, dict[str, Path]],
) -> None:
    _, _, paths = tiny
    assert sorted(paths) == ["F32", "Q8_0"]
    q8, f32 = verify_gguf(paths["Q8_0"]), verify_gguf(paths["F32"])
    assert q8.n_tensors == f32.n_tensors == 2 + 13 * 6  # tied output: no output.weight
    assert q8.file_type == "MOSTLY_Q8_0" and f32.file_type == "ALL_F32"
    assert q8.tensor_types == {"F32": 1 + 6 * 6, "Q8_0": 1 + 7 * 6}
    assert q8.size_bytes < f32.size_bytes * 0.45


def test_metadata_matches_the_checkpoint(tiny: tuple[Path, torch.nn.Module, dict[str, Path]]) -> None:
    _, _, paths = tiny
    hp = verify_gguf(paths["Q8_0"]).hparams
    assert hp["block_count"] == 6 and hp["embedding_length"] == 64 and hp["feed_forward_length"] == 128
    assert hp["attention.head_count"] == 2 and hp["attention.head_count_kv"] == 1
    assert hp["attention.key_length"] == hp["attention.value_length"] == 32
    assert hp["attention.sliding_window"] == 4 and hp["context_length"] == 512
    assert hp["rope.freq_base"] == 1_000_000.0 and hp["rope.freq_base_swa"] == 10_000.0
    assert "attention.sliding_window_pattern" not in hp  # HF's default pattern is llama.cpp's


def test_vocab_has_function_tokens_as_control_tokens(
    tiny: tuple[Path, torch.nn.Module, dict[str, Path]],
) -> None:
    import gguf

    _, _, paths = tiny
    reader = gguf.GGUFReader(str(paths["Q8_0"]))
    tokens, types = reader.fields["tokenizer.ggml.tokens"], reader.fields["tokenizer.ggml.token_type"]
    assert len(tokens.data) == VOCAB
    assert {i: tokens.contents(i) for i in range(46, 53)} == FUNCTION_TOKENS
    assert all(types.contents(i) == gguf.TokenType.CONTROL for i in range(46, 53))
    assert tokens.contents(105) == "<start_of_turn>" and types.contents(120) == gguf.TokenType.NORMAL
    assert tokens.contents(134) == "<0x0A>" and types.contents(134) == gguf.TokenType.BYTE
    fields = {k: reader.fields[k].contents() for k in reader.fields if k.startswith("tokenizer.ggml.")}
    assert fields["tokenizer.ggml.add_bos_token"] is False
    assert (fields["tokenizer.ggml.bos_token_id"], fields["tokenizer.ggml.eos_token_id"]) == (2, 1)
    assert fields["tokenizer.ggml.eot_token_id"] == 106 and fields["tokenizer.ggml.eom_token_id"] == 50


def test_f32_gguf_gives_the_original_logits(tiny: tuple[Path, torch.nn.Module, dict[str, Path]]) -> None:
    _, model, paths = tiny
    loaded = load_gguf_model(paths["F32"])
    expected, got = _logits(model, PROMPT), _logits(loaded, PROMPT)
    assert torch.allclose(got, expected, atol=1e-5, rtol=0)


def test_q8_0_gguf_gives_close_logits_and_the_same_argmax(
    tiny: tuple[Path, torch.nn.Module, dict[str, Path]],
) -> None:
    _, model, paths = tiny
    loaded = load_gguf_model(paths["Q8_0"])
    expected, got = _logits(model, PROMPT), _logits(loaded, PROMPT)
    assert not torch.equal(got, expected)  # it really is quantized
    assert (got - expected).abs().max().item() < 0.05 * expected.abs().max().item()
    assert (got.argmax(-1) == expected.argmax(-1)).float().mean().item() >= 0.9


def test_irregular_sliding_pattern_and_attention_scale_round_trip(tmp_path: Path) -> None:
    layer_types = ["sliding_attention", "full_attention", "sliding_attention"]
    model = _tiny_model(
        tmp_path / "m", num_hidden_layers=3, layer_types=layer_types, query_pre_attn_scalar=48
    )
    path = export_gguf(tmp_path / "m", tmp_path / "out", ["F32"], progress=False)["F32"]
    hp = verify_gguf(path).hparams
    assert hp["attention.sliding_window_pattern"] == [True, False, True]
    assert abs(hp["attention.scale"] - 48**-0.5) < 1e-7
    assert torch.allclose(_logits(load_gguf_model(path), PROMPT), _logits(model, PROMPT), atol=1e-5, rtol=0)


def test_row_width_that_does_not_split_into_blocks_falls_back_to_f16(tmp_path: Path) -> None:
    import gguf

    _tiny_model(tmp_path / "m", hidden_size=48, head_dim=16, query_pre_attn_scalar=16, intermediate_size=80)
    path = export_gguf(tmp_path / "m", tmp_path / "out", ["Q4_0"], progress=False)["Q4_0"]
    types = {t.name: t.tensor_type.name for t in gguf.GGUFReader(str(path)).tensors}
    # rows of 48 (hidden) and 80 (ffn) values do not split into 32-value Q4_0 blocks; 32 (2 heads x 16) do
    assert (
        types["token_embd.weight"] == types["blk.0.ffn_down.weight"] == types["blk.0.attn_q.weight"] == "F16"
    )
    assert types["blk.0.attn_output.weight"] == "Q4_0"
    assert types["blk.0.attn_norm.weight"] == "F32"


def test_chat_template_renders_a_functiongemma_prompt() -> None:
    import jinja2

    tools = [
        {
            "type": "function",
            "function": {
                "name": "click",
                "description": "Click an element.",
                "parameters": {
                    "type": "object",
                    "properties": {"ref": {"type": "integer", "description": "Element ref"}},
                    "required": ["ref"],
                },
            },
        }
    ]
    messages = [
        {"role": "user", "content": 'Page:\nbutton "OK" [ref=1]\n\nCommand: press ok'},
        {"role": "assistant", "tool_calls": [{"function": {"name": "click", "arguments": {"ref": 1}}}]},
    ]
    env = jinja2.Environment()
    text = env.from_string(CHAT_TEMPLATE).render(
        messages=messages[:1], tools=tools, bos_token="<bos>", add_generation_prompt=True
    )
    assert text == (
        "<bos><start_of_turn>developer\nYou are a model that can do function calling with the following "
        "functions<start_function_declaration>declaration:click{description:<escape>Click an element."
        "<escape>,parameters:{properties:{ref:{description:<escape>Element ref<escape>,type:<escape>"
        "INTEGER<escape>}},required:[<escape>ref<escape>],type:<escape>OBJECT<escape>}}"
        '<end_function_declaration><end_of_turn>\n<start_of_turn>user\nPage:\nbutton "OK" [ref=1]\n\n'
        "Command: press ok<end_of_turn>\n<start_of_turn>model\n"
    )
    with_call = env.from_string(CHAT_TEMPLATE).render(messages=messages, tools=tools, bos_token="<bos>")
    assert with_call.endswith(
        "<start_of_turn>model\n<start_function_call>call:click{ref:1}<end_function_call>"
    )


def test_chat_template_matches_the_protocol_module() -> None:
    import jinja2

    from fgweb.protocol import render_prompt
    from fgweb.tools import builtin_toolset

    toolset = builtin_toolset()
    snapshot = 'textbox "Email" [ref=1] value=""\nbutton "Sign in" [ref=2]'
    text = (
        jinja2.Environment()
        .from_string(CHAT_TEMPLATE)
        .render(
            messages=[{"role": "user", "content": f"Page:\n{snapshot}\n\nCommand: sign in"}],
            tools=toolset.to_json(),
            bos_token="<bos>",
            add_generation_prompt=True,
        )
    )
    assert text == render_prompt(toolset, snapshot, "sign in")


def test_unknown_type_is_refused_with_the_supported_list(tmp_path: Path) -> None:
    with pytest.raises(FgwebError, match="Q4_K"):
        export_gguf(tmp_path, tmp_path / "out", ["Q4_K"])


def test_truncated_file_fails_verification(
    tiny: tuple[Path, torch.nn.Module, dict[str, Path]], tmp_path: Path
) -> None:
    _, _, paths = tiny
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(paths["Q8_0"].read_bytes()[:4096])
    with pytest.raises(FgwebError, match="export it again"):
        verify_gguf(broken)


@pytest.mark.slow
@pytest.mark.skipif(not PACKAGED_GGUF.is_file(), reason="the packaged Gemma 3 270M GGUF is not assembled")
def test_real_270m_export_matches_packaged_metadata_and_greedy_tokens(tmp_path: Path) -> None:
    import gguf

    from fgweb.config import ModelConfig
    from fgweb.model import load_model, load_tokenizer, prepare_base

    base = prepare_base(ModelConfig(base="gemma3-270m"), tmp_path / "base")
    model = load_model(base)
    t0 = time.perf_counter()
    paths = export_gguf(base, tmp_path / "out", ["Q8_0"], progress=False)
    print(f"Q8_0 export {time.perf_counter() - t0:.1f}s, {paths['Q8_0'].stat().st_size / 1e6:.0f} MB")

    packaged = gguf.GGUFReader(str(PACKAGED_GGUF))
    ours = verify_gguf(paths["Q8_0"])
    packaged_arch = {k for k in packaged.fields if k.startswith("gemma3.")}
    assert packaged_arch <= set(ours.metadata_keys)
    for key in packaged_arch:
        assert ours.hparams[key[len("gemma3.") :]] == pytest.approx(packaged.fields[key].contents())
    assert ours.n_tensors == len(packaged.tensors)

    tokens = packaged.fields["tokenizer.ggml.tokens"]
    reader = gguf.GGUFReader(str(paths["Q8_0"]))
    ours_tokens = reader.fields["tokenizer.ggml.tokens"]
    changed = [i for i in range(len(tokens.data)) if tokens.contents(i) != ours_tokens.contents(i)]
    assert changed == list(FUNCTION_TOKENS)  # the packaged vocabulary, with only 46..52 renamed

    text = "<bos><start_of_turn>user\nWhat is the capital of France?<end_of_turn>\n<start_of_turn>model\n"
    prompt = load_tokenizer(base)(text, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt])
    with torch.no_grad():
        ref = model.generate(ids, max_new_tokens=8, do_sample=False)[0, len(prompt) :]
        gguf_model = load_gguf_model(paths["Q8_0"])
        got = gguf_model.generate(ids, max_new_tokens=8, do_sample=False)[0, len(prompt) :]
    assert got.tolist() == ref.tolist()
