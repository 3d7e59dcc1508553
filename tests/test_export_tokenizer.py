"""The tokenizer export: the manifest agrees with the tokenizer, and the exported tokenizer.json encodes
prompts exactly as Python does, so the runtime can trust its ids and cache the developer turn."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from tokenizers import Tokenizer

from fgweb import protocol
from fgweb.errors import FgwebError
from fgweb.export.tokenizer import MANIFEST_FILE, TOKENIZER_FILE, export_tokenizer
from fgweb.model import gguf_tokenizer_dir, load_tokenizer
from fgweb.tools import Toolset, builtin_toolset

SNAPSHOT = 'textbox "Email" [ref=1] value=""\nbutton "Sign in" [ref=2]\nheading "Café 😀" [ref=3]'


@pytest.fixture(scope="module")
def toolset() -> Toolset:
    return builtin_toolset()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, toolset: Toolset) -> Path:
    # The model stage's tokenizer files are all export_tokenizer reads from a checkpoint.
    return export_tokenizer(gguf_tokenizer_dir(), toolset, tmp_path_factory.mktemp("tok"))


@pytest.fixture(scope="module")
def manifest(exported: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((exported / MANIFEST_FILE).read_text(encoding="utf-8"))
    return data


def test_manifest_ids_agree_with_the_tokenizer(manifest: dict[str, Any]) -> None:
    tokenizer = load_tokenizer(gguf_tokenizer_dir())
    assert manifest["vocab_size"] == len(tokenizer) == 262144
    assert (manifest["bos_id"], manifest["eos_id"], manifest["pad_id"]) == (2, 1, 0)
    assert manifest["add_bos"] is False
    assert manifest["function_tokens"] == protocol.FUNCTION_TOKENS
    expected = {"<bos>", "<eos>", "<pad>", "<start_of_turn>", "<end_of_turn>", *protocol.FUNCTION_TOKENS}
    assert set(manifest["special_tokens"]) == expected
    for text, tid in manifest["special_tokens"].items():
        assert tokenizer(text, add_special_tokens=False)["input_ids"] == [tid]
    assert manifest["stop_ids"] == [106, 50, 1]


def test_developer_turn_ids_decode_back_to_the_developer_turn(
    manifest: dict[str, Any], toolset: Toolset
) -> None:
    prompt = manifest["prompt"]
    assert prompt["developer_turn"] == protocol.render_developer_turn(toolset.tools)
    tokenizer = load_tokenizer(gguf_tokenizer_dir())
    assert (
        tokenizer.decode(prompt["developer_turn_ids"], skip_special_tokens=False) == prompt["developer_turn"]
    )
    assert prompt["developer_turn_ids"][:2] == [2, 105]


def test_prompt_pieces_rebuild_the_python_prompt(manifest: dict[str, Any], toolset: Toolset) -> None:
    p = manifest["prompt"]
    pieces = p["developer_turn"] + p["user_prefix"] + SNAPSHOT + p["command_prefix"] + "sign in"
    assert pieces + p["user_suffix"] + p["model_prefix"] == protocol.render_prompt(
        toolset.tools, SNAPSHOT, "sign in"
    )


def test_exported_tokenizer_encodes_prompts_like_python_with_a_cacheable_prefix(
    exported: Path, manifest: dict[str, Any], toolset: Toolset
) -> None:
    runtime = Tokenizer.from_file(str(exported / TOKENIZER_FILE))
    prompt = protocol.render_prompt(toolset.tools, SNAPSHOT, "type ann@example.com into the email field")
    ids = runtime.encode(prompt).ids  # the runtime's default call: must add nothing
    assert ids == load_tokenizer(gguf_tokenizer_dir())(prompt, add_special_tokens=False)["input_ids"]
    prefix = manifest["prompt"]["developer_turn_ids"]
    assert ids[: len(prefix)] == prefix
    assert ids[-len(manifest["prompt"]["model_prefix_ids"]) :] == manifest["prompt"]["model_prefix_ids"]
    assert runtime.decode(ids, skip_special_tokens=False) == prompt


def test_export_refuses_a_tokenizer_without_function_tokens(tmp_path: Path, toolset: Toolset) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(gguf_tokenizer_dir(), plain)
    spec = json.loads((plain / "tokenizer.json").read_text(encoding="utf-8"))
    spec["added_tokens"] = [t for t in spec["added_tokens"] if t["content"] != "<escape>"]
    del spec["model"]["vocab"]["<escape>"]
    spec["model"]["vocab"]["<unused46>"] = 52
    (plain / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    config = json.loads((plain / "tokenizer_config.json").read_text(encoding="utf-8"))
    del config["added_tokens_decoder"]["52"]
    (plain / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(FgwebError, match="<escape>"):
        export_tokenizer(plain, toolset, tmp_path / "out")
    assert not (tmp_path / "out" / MANIFEST_FILE).exists()
