"""Training stage on a tiny random Gemma 3 (a sliding-window and a global layer) and a byte tokenizer."""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")
transformers = pytest.importorskip("transformers")

from fgweb import protocol, train  # noqa: E402
from fgweb.config import DEFAULT_TOOLS, TrainConfig  # noqa: E402
from fgweb.errors import FgwebError  # noqa: E402

torch.set_num_threads(1)

RECORDS: list[dict[str, Any]] = [
    {
        "snapshot": 'textbox "Email" [ref=1] value=""\nbutton "Sign in" [ref=2]',
        "command": "sign in",
        "calls": [{"name": "click", "arguments": {"element": "Sign in", "ref": 2}}],
        "answer": None,
    },
    {
        "snapshot": 'textbox "Email" [ref=1] value=""\nbutton "Sign in" [ref=2]',
        "command": "email is a@b.c",
        "calls": [{"name": "type_text", "arguments": {"element": "Email", "ref": 1, "text": "a@b.c"}}],
        "answer": None,
    },
    {
        "snapshot": 'link "Home" [ref=1] href="/"',
        "command": "go home",
        "calls": [{"name": "click", "arguments": {"element": "Home", "ref": 1}}],
        "answer": None,
    },
    {
        "snapshot": 'heading "Orders" [ref=1]',
        "command": "delete my account",
        "calls": [],
        "answer": "No element on this page can do that.",
    },
]


@dataclass
class Toolset:
    name: str
    tools: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture(scope="module")
def toolset() -> Toolset:
    tools = json.loads(DEFAULT_TOOLS.read_text())["tools"]
    return Toolset("dom-small", [t for t in tools if t["function"]["name"] in ("click", "type_text")])


def make_tokenizer() -> Any:
    """A byte-level tokenizer with Gemma's special-token layout: function tokens at ids 46..52."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    specials = ["<pad>", "<eos>", "<bos>", "<unk>"] + [f"<unused{i}>" for i in range(42)]
    specials += sorted(protocol.FUNCTION_TOKENS, key=protocol.FUNCTION_TOKENS.__getitem__)
    specials += ["<start_of_turn>", "<end_of_turn>"]
    vocab = {t: i for i, t in enumerate(specials)}
    for c in sorted(pre_tokenizers.ByteLevel.alphabet()):
        vocab[c] = len(vocab)
    tk = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tk.decoder = decoders.ByteLevel()
    tk.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=tk, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>", unk_token="<unk>"
    )


def make_base(path: Path) -> Path:
    """Writes a tiny random Gemma 3 checkpoint + tokenizer; returns its folder."""
    config = transformers.Gemma3TextConfig(
        vocab_size=320,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=32,
        sliding_window=16,
        max_position_embeddings=8192,
        layer_types=["sliding_attention", "full_attention"],
        pad_token_id=0,
        bos_token_id=2,
        eos_token_id=1,
    )
    torch.manual_seed(0)
    model = transformers.Gemma3ForCausalLM(config)
    # Wider than the default init, so that the tied output layer can express confident logits.
    with torch.no_grad():
        model.model.embed_tokens.weight.normal_(0.0, 0.3)
    model.save_pretrained(path)
    make_tokenizer().save_pretrained(path)
    return path


def write_data(path: Path, records: list[dict[str, Any]]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def fast_cfg(**kw: Any) -> TrainConfig:
    args: dict[str, Any] = dict(
        recipe="full",
        steps=10,
        batch_size=4,
        lr=1e-2,
        embed_lr=1e-2,
        lora_rank=4,
        lora_alpha=8,
        max_length=4096,
        seed=0,
        threads=1,
    )
    args.update(kw)
    return TrainConfig(**args)


def logits_of(model: Any, ids: list[int]) -> Any:
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0]


def state(path: Path) -> dict[str, Any]:
    from safetensors.torch import load_file

    return load_file(str(path / "model.safetensors"))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_base(tmp_path_factory.mktemp("base"))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data(tmp_path_factory.mktemp("data"), RECORDS)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, base: Path, data: Path, toolset: Toolset) -> Path:
    """One full-recipe run shared by the tests that inspect its outputs; returns its out_dir."""
    out = tmp_path_factory.mktemp("train")
    train.train(fast_cfg(), base, data, toolset, out, progress=False)
    return out


def test_training_lowers_the_completion_loss(trained: Path) -> None:
    steps = json.loads((trained / "loss.json").read_text())["steps"]
    assert len(steps) == 10
    assert steps[-1]["loss"] < 0.7 * steps[0]["loss"]


def test_loss_json_records_steps_and_summary(trained: Path) -> None:
    log = json.loads((trained / "loss.json").read_text())
    assert {"step", "loss", "lr", "tokens", "seconds"} <= set(log["steps"][0])
    summary = log["summary"]
    assert summary["steps"] == 10 and summary["examples"] == 4 and summary["examples_seen"] == 40
    assert summary["epochs"] == 10 and summary["device"] == "cpu" and summary["tokens_per_s"] > 0
    assert summary["peak_lr"] == 1e-2 and summary["peak_embed_lr"] == 1e-2
    assert max(s["lr"] for s in log["steps"]) <= 1e-2


def test_each_recipe_has_its_own_learning_rates_unless_they_are_set() -> None:
    full = TrainConfig(recipe="full").learning_rates()
    default = TrainConfig(recipe="default").learning_rates()
    # Continuing an adapter that already fits the task takes smaller steps than learning it.
    assert default[0] < full[0] and default[1] < full[1]
    assert TrainConfig(recipe="default", lr=3e-4).learning_rates() == (3e-4, default[1])
    assert TrainConfig(recipe="full", embed_lr=5e-3).learning_rates() == (full[0], 5e-3)


def full_sequence_loss(model: Any, encoded: train.EncodedSet) -> Any:
    """The plain reference: whole sequences, right-padded, prompt labels masked."""
    width = len(encoded.prefix_ids) + max(len(e.rest_ids) for e in encoded.examples)
    ids = torch.zeros((len(encoded.examples), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    labels = torch.full_like(ids, -100)
    for i, e in enumerate(encoded.examples):
        seq = encoded.prefix_ids + e.rest_ids
        ids[i, : len(seq)] = torch.tensor(seq)
        mask[i, : len(seq)] = 1
        labels[i, len(seq) - e.completion_len : len(seq)] = torch.tensor(seq[-e.completion_len :])
    return model(input_ids=ids, attention_mask=mask, labels=labels).loss


def both_losses(base: Path, toolset: Toolset) -> tuple[Any, Any, Any, Any]:
    """Returns (model, shared-prefix loss, reference model, its full-sequence loss) for RECORDS."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(base)
    model = transformers.AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    encoded = train.encode_examples(tokenizer, toolset.tools, RECORDS, max_length=4096)
    # The prefix must outrun the sliding window and the batch must need padding for this to mean anything.
    assert len(encoded.prefix_ids) > model.config.sliding_window
    assert len({len(e.rest_ids) for e in encoded.examples}) > 1
    rows = train.FunctionTokenRows(model.get_input_embeddings(), model.lm_head, train.TOKEN_ROW_IDS, None)
    with torch.no_grad():
        rows.rows.add_(0.1 * torch.randn_like(rows.rows))  # differ from the base, as after training
    reference = copy.deepcopy(model)
    train.write_rows(reference, rows.rows.detach())
    shared = train.shared_prefix_loss(model.model, rows, encoded.prefix_ids, encoded.examples)
    return model, shared, reference, full_sequence_loss(reference, encoded)


def test_shared_prefix_loss_equals_full_sequence_loss(base: Path, toolset: Toolset) -> None:
    _, shared, _, full = both_losses(base, toolset)
    assert abs(shared.item() - full.item()) < 1e-5


def test_shared_prefix_gradients_equal_full_sequence_gradients(base: Path, toolset: Toolset) -> None:
    model, shared, reference, full = both_losses(base, toolset)
    names = ["layers.0.self_attn.k_proj.weight", "layers.1.mlp.down_proj.weight"]
    got = torch.autograd.grad(shared, [model.model.get_parameter(n) for n in names])
    want = torch.autograd.grad(full, [reference.model.get_parameter(n) for n in names])
    for g, w in zip(got, want, strict=True):
        assert w.abs().max() > 0
        assert torch.allclose(g, w, atol=1e-6, rtol=1e-4)


def test_merged_checkpoint_matches_unmerged_adapter(trained: Path, base: Path) -> None:
    ids = make_tokenizer()("<bos>hello<start_function_call>call:click{ref:2}", add_special_tokens=False)
    merged = transformers.AutoModelForCausalLM.from_pretrained(trained / "merged", dtype=torch.float32)
    unmerged = train.load_trained(base, trained / "adapter")
    plain = transformers.AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    want = logits_of(unmerged, ids["input_ids"])
    assert torch.allclose(logits_of(merged, ids["input_ids"]), want, atol=1e-4)
    assert not torch.allclose(logits_of(plain, ids["input_ids"]), want, atol=1e-2)


def test_only_function_token_rows_of_the_embedding_change(trained: Path, base: Path) -> None:
    before = state(base)["model.embed_tokens.weight"]
    after = state(trained / "merged")["model.embed_tokens.weight"]
    changed = (before != after).any(dim=1).nonzero().flatten().tolist()
    assert changed == train.TOKEN_ROW_IDS


def test_merged_folder_is_a_loadable_checkpoint_with_the_tokenizer(trained: Path) -> None:
    merged = trained / "merged"
    tok = transformers.AutoTokenizer.from_pretrained(merged)
    assert tok("<escape>", add_special_tokens=False)["input_ids"] == [52]
    assert all(t.dtype == torch.float32 for t in state(merged).values())


def test_recipe_none_reproduces_the_base(tmp_path: Path, base: Path, data: Path, toolset: Toolset) -> None:
    merged = train.train(fast_cfg(recipe="none"), base, data, toolset, tmp_path / "out", progress=False)
    want = state(base)
    got = state(merged)
    assert want.keys() == got.keys() and all(torch.equal(want[k], got[k]) for k in want)
    assert not (tmp_path / "out" / "adapter").exists()


def test_default_recipe_without_pretrained_adapter_warns_and_trains(
    tmp_path: Path,
    base: Path,
    data: Path,
    toolset: Toolset,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(train, "PRETRAINED_ADAPTER_DIR", tmp_path / "missing")
    with caplog.at_level(logging.WARNING, logger="fgweb.train"):
        train.train(
            fast_cfg(recipe="default", steps=3), base, data, toolset, tmp_path / "out", progress=False
        )
    assert "no pretrained adapter" in caplog.text
    summary = json.loads((tmp_path / "out" / "loss.json").read_text())["summary"]
    assert summary["started_from"] == "base" and summary["steps"] == 3
    assert (tmp_path / "out" / "adapter" / "adapter_model.safetensors").is_file()


def test_default_recipe_continues_from_a_matching_saved_adapter(
    tmp_path: Path,
    trained: Path,
    base: Path,
    data: Path,
    toolset: Toolset,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    saved = train.save_pretrained_adapter(trained / "adapter", tmp_path / "pre", "fgweb train --x", "abc123")
    assert "`fgweb train --x`" in (saved / "README.md").read_text()
    monkeypatch.setattr(train, "PRETRAINED_ADAPTER_DIR", saved)
    train.train(fast_cfg(recipe="default", steps=1), base, data, toolset, tmp_path / "out", progress=False)
    first_run = json.loads((trained / "loss.json").read_text())["steps"]
    cont = json.loads((tmp_path / "out" / "loss.json").read_text())
    assert cont["summary"]["started_from"] == "pretrained adapter"
    assert cont["steps"][0]["loss"] < first_run[0]["loss"] * 0.8
    # Saving the continued adapter over the one it started from keeps both runs in its history.
    train.save_pretrained_adapter(tmp_path / "out" / "adapter", saved, "fgweb train --y", "def456")
    meta = json.loads((saved / "adapter_meta.json").read_text())
    assert [run["command"] for run in meta["history"]] == ["fgweb train --x", "fgweb train --y"]
    assert meta["total_steps"] == sum(run["steps"] for run in meta["history"])
    readme = (saved / "README.md").read_text()
    assert "1. " in readme and "`fgweb train --y`" in readme
    # Each run's loss curve is kept beside the adapter, the first run's too.
    first_curve = json.loads((trained / "loss.json").read_text())
    assert json.loads((saved / "loss.run1.json").read_text()) == first_curve
    assert json.loads((saved / "loss.run2.json").read_text()) == cont


def test_default_recipe_ignores_an_adapter_of_another_base(
    tmp_path: Path,
    trained: Path,
    data: Path,
    toolset: Toolset,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    other = make_base(tmp_path / "other")
    model = transformers.AutoModelForCausalLM.from_pretrained(other)
    with torch.no_grad():
        model.model.norm.weight.add_(1.0)
    model.save_pretrained(other)
    monkeypatch.setattr(train, "PRETRAINED_ADAPTER_DIR", trained / "adapter")
    with caplog.at_level(logging.WARNING, logger="fgweb.train"):
        train.train(
            fast_cfg(recipe="default", steps=1), other, data, toolset, tmp_path / "out", progress=False
        )
    assert "different base" in caplog.text
    assert json.loads((tmp_path / "out" / "loss.json").read_text())["summary"]["started_from"] == "base"


def test_examples_over_max_length_are_dropped_and_counted(
    tmp_path: Path,
    base: Path,
    toolset: Toolset,
) -> None:
    long = dict(RECORDS[0], snapshot="x" * 3000)
    data = write_data(tmp_path / "data", RECORDS + [long])
    prefix = len(
        make_tokenizer()(protocol.render_developer_turn(toolset.tools), add_special_tokens=False)["input_ids"]
    )
    cfg = fast_cfg(steps=1, max_length=prefix + 400)
    train.train(cfg, base, data, toolset, tmp_path / "out", progress=False)
    summary = json.loads((tmp_path / "out" / "loss.json").read_text())["summary"]
    assert summary["dropped"] == 1 and summary["examples"] == 4


def test_no_example_fitting_is_an_fgweb_error(
    tmp_path: Path, base: Path, data: Path, toolset: Toolset
) -> None:
    with pytest.raises(FgwebError, match="max_length"):
        train.train(fast_cfg(max_length=10), base, data, toolset, tmp_path / "out", progress=False)


def test_save_pretrained_adapter_refuses_a_non_adapter_folder(tmp_path: Path, trained: Path) -> None:
    dest = tmp_path / "precious"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep me")
    with pytest.raises(FgwebError, match="not an adapter"):
        train.save_pretrained_adapter(trained / "adapter", dest, "cmd", "hash")
    assert (dest / "notes.txt").read_text() == "keep me"


def test_cheaper_steps_keep_the_loss_and_the_top_layers_gradients(base: Path, toolset: Toolset) -> None:
    """Without the prefix's gradient and with the input rows frozen (--no-prefix-grad, --lora-layers) the
    loss is the same, and the function-token rows still learn through the output side."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(base)
    model = transformers.AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    encoded = train.encode_examples(tokenizer, toolset.tools, RECORDS, max_length=4096)
    rows = train.FunctionTokenRows(model.get_input_embeddings(), model.lm_head, train.TOKEN_ROW_IDS, None)
    args = (model.model, rows, encoded.prefix_ids, encoded.examples)
    full = train.shared_prefix_loss(*args)
    cheap = train.shared_prefix_loss(*args, prefix_grad=False, input_rows_grad=False)
    assert abs(full.item() - cheap.item()) < 1e-6
    rows_grad = torch.autograd.grad(cheap, [rows.rows])[0]
    assert rows_grad.abs().max() > 0


def test_lora_layers_trains_only_the_top_layers(
    tmp_path: Path, base: Path, data: Path, toolset: Toolset
) -> None:
    train.train(fast_cfg(steps=2, lora_layers=1, prefix_grad=False), base, data, toolset, tmp_path,
                progress=False)
    from safetensors.torch import load_file

    weights = load_file(str(tmp_path / "adapter" / "adapter_model.safetensors"))
    # LoRA's B matrices start at zero: the lower layer's stay zero, the top layer's have learned.
    lower = [v for k, v in weights.items() if ".layers.0." in k and "lora_B" in k]
    top = [v for k, v in weights.items() if ".layers.1." in k and "lora_B" in k]
    assert lower and top
    assert all(v.abs().max() == 0 for v in lower) and any(v.abs().max() > 0 for v in top)
