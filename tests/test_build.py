"""The build system: stage caching and resume (fast), and a whole `tiny` build end to end (slow)."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from fgweb import cli
from fgweb.build import build, run_stage
from fgweb.bundle import verify_bundle
from fgweb.config import preset
from fgweb.errors import FgwebError


def test_stage_is_cached_after_it_finishes(tmp_path: Path) -> None:
    calls = []

    def work(out: Path) -> Path:
        calls.append(out)
        (out / "result.txt").write_text("hello")
        return out / "result.txt"

    first = run_stage("data", {"x": 1}, work, root=tmp_path)
    second = run_stage("data", {"x": 1}, work, root=tmp_path)
    assert len(calls) == 1
    assert second.cached and second.result.read_text() == "hello"
    assert first.result == second.result


def test_changed_settings_rerun_the_stage(tmp_path: Path) -> None:
    def work(out: Path) -> Path:
        return out

    a = run_stage("data", {"x": 1}, work, root=tmp_path)
    b = run_stage("data", {"x": 2}, work, root=tmp_path)
    assert a.key != b.key and not b.cached


def test_interrupted_stage_is_not_taken_as_finished(tmp_path: Path) -> None:
    def crash(out: Path) -> Path:
        (out / "half.bin").write_bytes(b"x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_stage("train", {"x": 1}, crash, root=tmp_path)
    assert not any(p.name.endswith("stage.json") for p in tmp_path.rglob("*"))

    def work(out: Path) -> Path:
        assert not (out / "half.bin").exists()  # the leftover of the interrupted run was cleared
        (out / "ok").write_text("1")
        return out / "ok"

    run = run_stage("train", {"x": 1}, work, root=tmp_path)
    assert not run.cached and run.result.read_text() == "1"


def test_missing_toolset_file_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = cli.main(["build", "--preset", "tiny", "--tools", str(tmp_path / "nope.json")])
    err = capsys.readouterr().err
    assert code == 1
    assert "nope.json" in err and "Traceback" not in err


def test_malformed_toolset_is_reported_without_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FGWEB_CACHE", str(tmp_path / "cache"))
    bad = tmp_path / "tools.json"
    bad.write_text('{"tools": [{"type": "function", "function": {"name": "x"')
    code = cli.main(["data", "--preset", "tiny", "--tools", str(bad)])
    err = capsys.readouterr().err
    assert code == 1
    assert "tools.json" in err and "Traceback" not in err


def test_toolset_error_quoting_brackets_is_printed_as_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FGWEB_CACHE", str(tmp_path / "cache"))
    bad = tmp_path / "tools.json"
    bad.write_text('{"[/b]": 1, "[/b]": 2}')  # the CLI's rich console must not read these as markup
    code = cli.main(["data", "--preset", "tiny", "--tools", str(bad)])
    err = capsys.readouterr().err
    assert code == 1
    assert 'key "[/b]" appears twice in one object' in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("config.json", b"{not json", "config.json is not readable JSON"),
        ("model.safetensors", b"\x10\x00\x00\x00\x00\x00\x00\x00{}", "not a complete safetensors file"),
    ],
)
def test_bad_base_checkpoint_is_refused_before_any_stage(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: bytes,
    problem: str,
) -> None:
    import fgweb.build

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("the build started with a bad --base")

    monkeypatch.setattr(fgweb.build, "build", no_build)
    base = tmp_path / "base"
    base.mkdir()
    (base / "config.json").write_text('{"model_type": "gemma3_text"}')
    (base / name).write_bytes(content)
    code = cli.main(["build", "--base", str(base)])
    err = capsys.readouterr().err
    assert code == 1
    assert problem in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_training_options_reach_the_train_config() -> None:
    args = cli.make_parser().parse_args(
        ["train", "--recipe", "full", "--lr", "3e-4", "--embed-lr", "2e-3", "--batch-size", "16"]
    )
    train = cli.config_from_args(args).train
    assert (train.recipe, train.batch_size, train.learning_rates()) == ("full", 16, (3e-4, 2e-3))
    # Left out, each recipe keeps its own rates.
    assert cli.config_from_args(cli.make_parser().parse_args(["train"])).train.lr is None
    cheap = cli.config_from_args(cli.make_parser().parse_args(["train", "--lora-layers", "9",
                                                                "--no-prefix-grad"])).train
    assert (cheap.lora_layers, cheap.prefix_grad) == (9, False)
    with pytest.raises(FgwebError, match="--lora-layers -1"):
        cli.config_from_args(cli.make_parser().parse_args(["train", "--lora-layers", "-1"]))


def test_every_subcommand_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("build", "serve", "eval", "bench", "data", "train", "export"):
        with pytest.raises(SystemExit) as exit_info:
            cli.main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: fgweb " + command in capsys.readouterr().out


@pytest.mark.slow
def test_tiny_build_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """data -> model -> train -> export -> eval -> bundle on the tiny preset, then a cached rebuild."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("FGWEB_CACHE", str(cache))
    # The converted tokenizer is shared across builds on this machine: reuse it rather than redo it.
    real_cache = Path.home() / ".cache" / "fgweb" / "tokenizer"
    if real_cache.is_dir():
        shutil.copytree(real_cache, cache / "tokenizer")
    out = tmp_path / "export" / "tiny"

    assert cli.main(["build", "--preset", "tiny", "--out", str(out)]) == 0

    manifest = json.loads((out / "manifest.json").read_text())
    assert verify_bundle(out) == []
    paths = {f["path"] for f in manifest["files"]}
    for name in ("models/model.int8.onnx", "models/model.q4.onnx", "models/model.body.onnx",
                 "models/model.q8_0.gguf", "models/model.q4_0.gguf", "tokenizer/tokenizer.json",
                 "tokenizer/tokenizer_manifest.json", "toolset.json", "eval/eval.jsonl"):
        assert name in paths, name
    # fp32 ships in the tiny bundle only (the browser parity tests need it); a default bundle leaves it out.
    assert "models/model.fp32.onnx" in paths
    assert "fp32" not in preset("default").bundle.include
    # fp32 ONNX reproduces PyTorch's greedy tokens on the eval prompts.
    assert manifest["parity"]["artifacts"]["fp32"]["identical"] == 1.0
    for name in ("int8", "q4", "body", "gguf-q8_0"):
        scores = manifest["artifacts"][name]["eval"]
        assert scores["n"] > 0 and 0.0 <= scores["exact"] <= 1.0, name
    assert manifest["training"]["steps"] > 0

    # A corrupted model file is caught by the manifest's hashes.
    model = out / "models" / "model.q4_0.gguf"
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.unlink()  # break the hard link to the cache before writing
    model.write_bytes(bytes(data))
    assert any("model.q4_0.gguf" in p for p in verify_bundle(out))

    # Nothing changed: every stage comes from the cache and the rebuild takes well under a minute.
    start = time.monotonic()
    assert cli.main(["build", "--preset", "tiny", "--out", str(out)]) == 0
    assert time.monotonic() - start < 60
    assert verify_bundle(out) == []

    # A dataset change that leaves train.jsonl as it was (a larger eval split) keeps the trained model;
    # one that changes it retrains.
    tiny = preset("tiny")
    more_eval = replace(tiny, out=out, data=replace(tiny.data, eval_examples=tiny.data.eval_examples + 4))
    run = build(more_eval, until="train", log=lambda _: None)
    assert not run.stages["data"].cached and run.stages["train"].cached
    more_train = replace(tiny, out=out, data=replace(tiny.data, train_examples=tiny.data.train_examples + 4))
    assert not build(more_train, until="train", log=lambda _: None).stages["train"].cached
