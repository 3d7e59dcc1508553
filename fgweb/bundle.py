"""Assemble the deployable bundle `export/<name>/` and its `manifest.json`.

Layout (export/README.md documents it for users):

    manifest.json            every file with size and sha256, model config, toolset, eval, build info
    toolset.json             the toolset the model was trained on (the runtime validates calls with it)
    tokenizer/               tokenizer.json + tokenizer_manifest.json
    models/                  model.<format>.onnx, lm_head.int8.bin/.json, model.<type>.gguf
    eval/eval.jsonl          the eval split (snapshot + command + expected calls)
    index.html, demo.*       the demo page (web/demo/)
    fgweb.mjs, fgweb.js      the runtime's entry points (ES module; classic script setting window.fgweb)
    sw.js                    the service worker (offline reloads)
    src/                     the runtime's modules (web/src/)
    vendor/                  onnxruntime-web and wllama files, copied from web/node_modules

Model files are hard-linked from the build cache when the file system allows it (no second copy of
a gigabyte), else copied. The bundle is written to `<out>.partial` and swapped in when complete.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

from fgweb import __version__
from fgweb.config import PACKAGE_DIR, BuildConfig
from fgweb.errors import FgwebError
from fgweb.files import sha256_file
from fgweb.tools import Toolset

WEB_DIR = PACKAGE_DIR.parent / "web"
MANIFEST_FORMAT = 1


def _place(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _artifact_files(export_dir: Path, index: dict[str, Any]) -> dict[str, list[tuple[Path, str]]]:
    """Map each artifact name to its (source file, bundle path) pairs."""
    files: dict[str, list[tuple[Path, str]]] = {}
    for fmt, rel in index["onnx"].items():
        src = export_dir / rel
        pairs = [(src, f"models/model.{fmt}.onnx")]
        data = src.with_name(src.name + "_data")
        if data.exists():  # external weights: the runtime must fetch them beside the graph
            pairs.append((data, f"models/model.{fmt}.onnx_data"))
        for extra in sorted(src.parent.glob("lm_head*")):
            pairs.append((extra, f"models/{extra.name}"))
        files[fmt] = pairs
    for gtype, rel in index["gguf"].items():
        files[f"gguf-{gtype.lower()}"] = [(export_dir / rel, f"models/model.{gtype.lower()}.gguf")]
    return files


def assemble(
    cfg: BuildConfig,
    *,
    out_dir: Path,
    toolset: Toolset,
    export_dir: Path,
    eval_path: Path,
    data_dir: Path,
    train_dir: Path,
    stages: dict[str, Any],
) -> Path:
    """Write the bundle into `out_dir` and return it."""
    index = json.loads((export_dir / "export.json").read_text())
    evaluation = json.loads(eval_path.read_text())
    artifacts = _artifact_files(export_dir, index)
    unknown = [name for name in cfg.bundle.include if name not in artifacts]
    if unknown:
        raise FgwebError(
            f"bundle.include names {', '.join(unknown)}, which the export stage did not produce "
            f"(it made {', '.join(sorted(artifacts))}); fix the config"
        )
    if cfg.bundle.default_onnx not in cfg.bundle.include:
        raise FgwebError(f"bundle.default_onnx {cfg.bundle.default_onnx!r} is not in bundle.include")

    out_dir = Path(out_dir)
    partial = out_dir.with_name(out_dir.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)

    for name in cfg.bundle.include:
        for src, rel in artifacts[name]:
            _place(src, partial / rel)
    for src in sorted((export_dir / index["tokenizer"]).iterdir()):
        _place(src, partial / "tokenizer" / src.name)
    (partial / "toolset.json").write_text(json.dumps(toolset.to_json(), indent=2, ensure_ascii=False))
    _place(data_dir / "eval.jsonl", partial / "eval" / "eval.jsonl")
    web_files = _copy_web(partial)

    config_path = train_dir / "merged" / "config.json"
    model_config = json.loads(config_path.read_text()) if config_path.exists() else {}
    loss_path = train_dir / "loss.json"
    training = json.loads(loss_path.read_text()).get("summary", {}) if loss_path.exists() else {}

    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "name": out_dir.name,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "fgweb_version": __version__,
        "preset": cfg.preset,
        "model": {
            "base": cfg.model.base,
            "architecture": (model_config.get("architectures") or ["?"])[0],
            "config": {
                k: model_config.get(k)
                for k in (
                    "vocab_size",
                    "hidden_size",
                    "num_hidden_layers",
                    "num_attention_heads",
                    "num_key_value_heads",
                    "head_dim",
                    "sliding_window",
                    "max_position_embeddings",
                )
                if k in model_config
            },
        },
        "toolset": {"name": toolset.name, "sha256": toolset.sha256, "file": "toolset.json"},
        "tokenizer": {"json": "tokenizer/tokenizer.json", "manifest": "tokenizer/tokenizer_manifest.json"},
        "default_artifact": cfg.bundle.default_onnx,
        "artifacts": {},
        "eval": evaluation,
        "parity": index.get("parity", {}),
        "training": training,
        "build": {
            "stages": stages,
            "config": {s: cfg.stage_dict(s) for s in ("data", "model", "train", "export", "eval", "bundle")},
        },
        "web": web_files,
        "files": [],
    }
    artifact_scores = evaluation.get("artifacts", {})
    for name in cfg.bundle.include:
        rels = [rel for _, rel in artifacts[name]]
        manifest["artifacts"][name] = {
            "kind": "gguf" if name.startswith("gguf-") else "onnx",
            "files": rels,
            "bytes": sum((partial / r).stat().st_size for r in rels),
            "eval": {k: v for k, v in artifact_scores.get(name, {}).items() if k != "cases"},
        }
    manifest["files"] = [
        {"path": str(p.relative_to(partial)), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(partial.rglob("*"))
        if p.is_file()
    ]
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))

    if out_dir.exists():
        shutil.rmtree(out_dir)
    partial.rename(out_dir)
    return out_dir


# What the runtime needs of each npm package (web/package.json pins them), copied to vendor/<package>/.
VENDORED = {
    "onnxruntime-web": (
        "dist/ort.wasm.min.mjs",  # WASM backend
        "dist/ort-wasm-simd-threaded.mjs",
        "dist/ort-wasm-simd-threaded.wasm",
        "dist/ort.webgpu.min.mjs",  # WebGPU backend (its CPU fallback is the asyncify build)
        "dist/ort-wasm-simd-threaded.asyncify.mjs",
        "dist/ort-wasm-simd-threaded.asyncify.wasm",
    ),
    "@wllama/wllama": ("esm/index.js", "esm/wasm/wllama.wasm", "LICENCE"),
}
ROOT_FILES = ("fgweb.mjs", "fgweb.js", "sw.js")  # web/<file> -> bundle root


def _copy_web(dest: Path) -> list[str]:
    """Copy the runtime (web/src -> src/, web/fgweb.mjs, fgweb.js, sw.js), the demo (web/demo -> the
    root) and the vendored npm files (web/node_modules -> vendor/) into the bundle; return their paths."""
    pairs: list[tuple[Path, Path]] = []
    for name in ROOT_FILES:
        if (WEB_DIR / name).is_file():
            pairs.append((WEB_DIR / name, Path(name)))
    for sub, prefix in (("demo", Path()), ("src", Path("src"))):
        src_dir = WEB_DIR / sub
        if src_dir.is_dir():
            pairs += [(p, prefix / p.relative_to(src_dir)) for p in sorted(src_dir.rglob("*")) if p.is_file()]
    if (WEB_DIR / "src" / "worker.js").is_file():  # the runtime exists: it needs its npm packages
        modules = WEB_DIR / "node_modules"
        for package, files in VENDORED.items():
            missing = [f for f in files if not (modules / package / f).is_file()]
            if missing:
                raise FgwebError(
                    f"{modules / package / missing[0]} is missing: install the runtime's npm packages "
                    f"with `npm ci --prefix {WEB_DIR}` (scripts/setup does it), then build again"
                )
            pairs += [(modules / package / f, Path("vendor") / package.split("/")[-1] / Path(f).name)
                      for f in files]
    for src, rel in pairs:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / rel)  # copies, not links: editing web/ must not change a built bundle
    return [str(rel) for _, rel in pairs]


def verify_bundle(bundle_dir: Path) -> list[str]:
    """Check every file of the manifest against its size and sha256; return the problems found."""
    manifest_path = bundle_dir / "manifest.json"
    if not manifest_path.exists():
        raise FgwebError(f"no bundle at {bundle_dir}: run `fgweb build` first")
    manifest = json.loads(manifest_path.read_text())
    problems = []
    for entry in manifest["files"]:
        path = bundle_dir / entry["path"]
        if not path.exists():
            problems.append(f"{entry['path']}: missing")
        elif path.stat().st_size != entry["bytes"]:
            problems.append(f"{entry['path']}: size {path.stat().st_size}, manifest says {entry['bytes']}")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: sha256 differs from the manifest")
    return problems
