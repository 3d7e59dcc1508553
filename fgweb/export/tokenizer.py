"""The tokenizer export: `tokenizer.json` and `tokenizer_manifest.json` for the browser runtime.

    from fgweb.export.tokenizer import export_tokenizer
    export_tokenizer(Path("work/merged"), load_toolset(DEFAULT_TOOLS), Path("work/tokenizer"))

The manifest tells the runtime everything it must not guess: the ids of the special tokens, which ids
stop generation, that it must not add <bos> itself (prompts carry it as text), the fixed pieces of the
prompt, and the developer turn already tokenized, so the runtime can check its own tokenizer against
Python's and cache the developer turn's KV state once per toolset.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fgweb import protocol
from fgweb.errors import FgwebError
from fgweb.tools import Toolset

MANIFEST_FILE = "tokenizer_manifest.json"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_VERSION = 1


def export_tokenizer(model_dir: Path, toolset: Toolset, out_dir: Path) -> Path:
    """Writes `tokenizer.json` and `tokenizer_manifest.json` for `toolset` into `out_dir`; returns it."""
    from fgweb.model import function_token_ids, load_tokenizer, special_ids

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = load_tokenizer(model_dir)
    ids = special_ids(tokenizer)
    function_tokens = function_token_ids(tokenizer)

    developer_turn = protocol.render_developer_turn(toolset.tools)
    developer_ids = _encode(tokenizer, developer_turn)
    if tokenizer.decode(developer_ids, skip_special_tokens=False) != developer_turn:
        raise FgwebError(
            f"the tokenizer of {model_dir} does not round-trip the developer turn of toolset "
            f"{toolset.name!r}: check the tool descriptions for characters it cannot encode"
        )

    def text_of(tid: int) -> str:
        return str(tokenizer.convert_ids_to_tokens(tid))

    special_tokens = {
        text_of(tid): tid
        for tid in (ids["bos"], ids["eos"], ids["pad"], ids["start_of_turn"], ids["end_of_turn"])
    }
    special_tokens.update(function_tokens)
    manifest: dict[str, Any] = {
        "version": MANIFEST_VERSION,
        "tokenizer": TOKENIZER_FILE,
        "vocab_size": len(tokenizer),
        "bos_id": ids["bos"],
        "eos_id": ids["eos"],
        "pad_id": ids["pad"],
        "start_of_turn_id": ids["start_of_turn"],
        "end_of_turn_id": ids["end_of_turn"],
        "add_bos": False,
        "special_tokens": special_tokens,
        "function_tokens": function_tokens,
        "stop_ids": ids["stop_ids"],
        "toolset": toolset.name,
        "prompt": {
            "developer_turn": developer_turn,
            "user_prefix": protocol.USER_TURN_PREFIX,
            "command_prefix": protocol.USER_TURN_MIDDLE,
            "user_suffix": protocol.USER_TURN_SUFFIX,
            "model_prefix": protocol.MODEL_TURN_START,
            "developer_turn_ids": developer_ids,
            "model_prefix_ids": _encode(tokenizer, protocol.MODEL_TURN_START),
        },
    }
    (out_dir / TOKENIZER_FILE).write_text(tokenizer.backend_tokenizer.to_str(), encoding="utf-8")
    (out_dir / MANIFEST_FILE).write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return out_dir


def _encode(tokenizer: Any, text: str) -> list[int]:
    return [int(i) for i in tokenizer(text, add_special_tokens=False)["input_ids"]]
