"""`fgweb build`: run data -> model -> train -> export -> eval -> bundle, each stage cached.

A stage's output lives in `cache_dir()/<stage>/<key>/`, where `key` hashes the stage's settings, its
upstream keys (for the dataset: the sha256 of the split the stage reads, so an edit of the generator that
leaves train.jsonl as it was does not retrain) and the source of the modules it runs. A stage writes
into `<key>.partial/` and renames it only when it has finished, so an interrupted build resumes from its
last finished stage and never reads half-written output.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fgweb.config import PACKAGE_DIR, BuildConfig, cache_dir, json_safe
from fgweb.errors import FgwebError
from fgweb.files import sha256_file

# The modules whose source goes into each stage's key: editing one reruns that stage and those after it.
# The data stage takes every module of the generator package, however it is split.
DATA_MODULES = tuple(
    sorted(p.relative_to(PACKAGE_DIR).as_posix() for p in (PACKAGE_DIR / "data").rglob("*.py"))
)
STAGE_SOURCES: dict[str, tuple[str, ...]] = {
    "data": (*DATA_MODULES, "snapshot.py", "protocol.py", "tools.py"),
    "model": ("model.py",),
    "train": ("train.py", "protocol.py"),
    "export": ("export/onnx.py", "export/gguf.py", "export/tokenizer.py", "generate.py"),
    "eval": ("eval.py", "generate.py", "protocol.py", "constrain.py"),
}

# Free disk space a stage needs before it starts (bytes), by preset: the 270M exports are ~3 GB.
DISK_NEEDED = {"default": {"model": 2 << 30, "train": 3 << 30, "export": 6 << 30}, "tiny": {}}
MIN_FREE = 256 << 20


@dataclass
class StageRun:
    name: str
    key: str
    dir: Path
    result: Path
    seconds: float
    cached: bool


@dataclass
class BuildResult:
    config: BuildConfig
    stages: dict[str, StageRun] = field(default_factory=dict)
    bundle_dir: Path | None = None


def source_hash(names: tuple[str, ...]) -> str:
    """sha256 over the named package modules' source, so a code change invalidates the cache."""
    h = hashlib.sha256()
    for name in names:
        path = PACKAGE_DIR / name
        h.update(name.encode())
        h.update(path.read_bytes() if path.exists() else b"<missing>")
    return h.hexdigest()


def stage_key(name: str, parts: dict[str, Any]) -> str:
    payload = {"stage": name, "code": source_hash(STAGE_SOURCES.get(name, ())), **json_safe(parts)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def check_disk(path: Path, needed: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(path).free
    if free < max(needed, MIN_FREE):
        raise FgwebError(
            f"not enough disk space in {path}: {free / 2**30:.1f} GiB free, this stage needs about "
            f"{max(needed, MIN_FREE) / 2**30:.1f} GiB; free some space or point FGWEB_CACHE elsewhere"
        )


def run_stage(
    name: str,
    parts: dict[str, Any],
    work: Callable[[Path], Path],
    *,
    root: Path,
    force: bool = False,
    disk_needed: int = 0,
    log: Callable[[str], None] = print,
) -> StageRun:
    """Return the cached output of a stage, or run `work(partial_dir)` and publish its output.

    `work` returns the path of its main result inside the directory it was given; that path is
    stored relative to the stage directory so the cache can move.
    """
    key = stage_key(name, parts)
    final = root / name / key
    meta_path = final / "stage.json"
    if meta_path.exists() and not force:
        meta = json.loads(meta_path.read_text())
        return StageRun(name, key, final, final / meta["result"], meta["seconds"], cached=True)
    if final.exists():
        shutil.rmtree(final)
    partial = root / name / f"{key}.partial"
    if partial.exists():
        log(f"{name}: removing the output of an interrupted run")
        shutil.rmtree(partial)
    check_disk(root, disk_needed)
    partial.mkdir(parents=True)
    start = time.monotonic()
    result = work(partial)
    seconds = time.monotonic() - start
    rel = result.resolve().relative_to(partial.resolve())
    meta = {"stage": name, "key": key, "result": str(rel), "seconds": seconds, "parts": json_safe(parts)}
    (partial / "stage.json").write_text(json.dumps(meta, indent=2))
    partial.rename(final)
    return StageRun(name, key, final, final / rel, seconds, cached=False)


def build(
    cfg: BuildConfig,
    *,
    until: str = "bundle",
    force: tuple[str, ...] = (),
    log: Callable[[str], None] = print,
) -> BuildResult:
    """Run the stages up to and including `until`; return where each stage's output is."""
    from fgweb.tools import load_toolset

    root = cache_dir()
    toolset = load_toolset(cfg.tools)
    res = BuildResult(cfg)
    disk = DISK_NEEDED.get(cfg.preset, {})
    order = ["data", "model", "train", "export", "eval", "bundle"]
    if until not in order:
        raise FgwebError(f"unknown stage {until!r}: choose one of {', '.join(order)}")
    wanted = order[: order.index(until) + 1]

    def stage(name: str, parts: dict[str, Any], work: Callable[[Path], Path]) -> StageRun:
        log(f"[{name}] ...")
        run = run_stage(
            name, parts, work, root=root, force=name in force, disk_needed=disk.get(name, 0), log=log
        )
        res.stages[name] = run
        how = "cached" if run.cached else f"{run.seconds:.1f} s"
        log(f"[{name}] done ({how}) -> {run.result}")
        return run

    from fgweb import data as data_mod

    data = stage(
        "data",
        {"cfg": cfg.stage_dict("data"), "toolset": toolset.sha256},
        lambda d: _data_work(data_mod, cfg, toolset, d),
    )
    if "model" not in wanted:
        return res

    from fgweb import model as model_mod

    base = stage("model", {"cfg": cfg.stage_dict("model")}, lambda d: model_mod.prepare_base(cfg.model, d))
    if "train" not in wanted:
        return res

    from fgweb import train as train_mod
    from fgweb.config import PRETRAINED_ADAPTER_DIR

    adapter_hash = _dir_hash(PRETRAINED_ADAPTER_DIR) if cfg.train.recipe == "default" else None
    train_split, eval_split = (sha256_file(data.result / f"{s}.jsonl") for s in ("train", "eval"))
    trained = stage(
        "train",
        {
            "cfg": cfg.stage_dict("train"),
            "train_split": train_split,
            "model": base.key,
            "adapter": adapter_hash,
            "toolset": toolset.sha256,
        },
        lambda d: train_mod.train(cfg.train, base.result, data.result, toolset, d),
    )
    if "export" not in wanted:
        return res

    exported = stage(
        "export",
        {"cfg": cfg.stage_dict("export"), "train": trained.key, "eval_split": eval_split,
         "toolset": toolset.sha256},
        lambda d: _export_work(cfg, trained.result, data.result, toolset, d),
    )
    if "eval" not in wanted:
        return res

    evaluated = stage(
        "eval",
        {"cfg": cfg.stage_dict("eval"), "export": exported.key, "eval_split": eval_split, "model": base.key},
        lambda d: _eval_work(cfg, exported.result, base.result, trained.result, data.result, toolset, d),
    )
    if "bundle" not in wanted:
        return res

    from fgweb import bundle as bundle_mod

    log("[bundle] ...")
    start = time.monotonic()
    res.bundle_dir = bundle_mod.assemble(
        cfg,
        out_dir=cfg.out_dir(),
        toolset=toolset,
        export_dir=exported.result,
        eval_path=evaluated.result,
        data_dir=data.result,
        train_dir=trained.dir,
        stages={name: _stage_info(run) for name, run in res.stages.items()},
    )
    seconds = time.monotonic() - start
    res.stages["bundle"] = StageRun("bundle", "-", res.bundle_dir, res.bundle_dir, seconds, cached=False)
    log(f"[bundle] done ({seconds:.1f} s) -> {res.bundle_dir}")
    return res


def _stage_info(run: StageRun) -> dict[str, Any]:
    return {"key": run.key, "seconds": round(run.seconds, 2), "cached": run.cached}


def _dir_hash(path: Path) -> str | None:
    if not path.is_dir():
        return None
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _data_work(data_mod: Any, cfg: BuildConfig, toolset: Any, out: Path) -> Path:
    data_mod.generate(cfg.data, toolset, out)
    return out


def _export_work(cfg: BuildConfig, model_dir: Path, data_dir: Path, toolset: Any, out: Path) -> Path:
    """ONNX formats, GGUF types, the tokenizer files, then greedy parity of each ONNX file vs PyTorch."""
    from fgweb.data import load_examples
    from fgweb.export.gguf import export_gguf
    from fgweb.export.onnx import export_onnx
    from fgweb.export.tokenizer import export_tokenizer
    from fgweb.generate import check_parity
    from fgweb.model import load_tokenizer, special_ids
    from fgweb.protocol import render_prompt

    onnx_paths = export_onnx(model_dir, out / "onnx", cfg.export.onnx_formats)
    gguf_paths = export_gguf(model_dir, out / "gguf", cfg.export.gguf_types)  # each read back and checked
    export_tokenizer(model_dir, toolset, out / "tokenizer")

    tokenizer = load_tokenizer(model_dir)
    examples = load_examples(data_dir / "eval.jsonl")[: cfg.export.parity_prompts]
    prompts = [
        tokenizer(render_prompt(toolset.tools, ex.snapshot, ex.command), add_special_tokens=False)[
            "input_ids"
        ]
        for ex in examples
    ]
    stop_ids = set(special_ids(tokenizer)["stop_ids"])
    parity = check_parity(model_dir, dict(onnx_paths), prompts, cfg.export.parity_tokens, stop_ids)
    for entry in parity.get("artifacts", {}).values():  # the stage directory is renamed when it finishes
        if "path" in entry:
            entry["path"] = str(Path(entry["path"]).resolve().relative_to(out.resolve()))
    index = {
        "onnx": {k: str(p.relative_to(out)) for k, p in onnx_paths.items()},
        "gguf": {k: str(p.relative_to(out)) for k, p in gguf_paths.items()},
        "tokenizer": "tokenizer",
        "parity": parity,
    }
    (out / "export.json").write_text(json.dumps(index, indent=2))
    return out


def _eval_work(
    cfg: BuildConfig,
    export_dir: Path,
    base_dir: Path,
    model_dir: Path,
    data_dir: Path,
    toolset: Any,
    out: Path,
) -> Path:
    from fgweb.eval import evaluate_export

    report = evaluate_export(
        export_dir=export_dir,
        base_dir=base_dir if cfg.eval.score_base else None,
        model_dir=model_dir,
        eval_path=data_dir / "eval.jsonl",
        toolset=toolset,
        cfg=cfg.eval,
    )
    path = out / "eval.json"
    path.write_text(json.dumps(report, indent=2))
    return path
