"""Eval: greedy-generate on each artifact and score the calls against the dataset's expected calls.

    report = score(examples, outputs, toolset)                       # pure: no model, an EvalReport
    results = evaluate_artifacts({"int8": path, ...}, examples, toolset, tokenizer, cfg)
    evaluate_export(export_dir=..., base_dir=..., model_dir=..., eval_path=..., toolset=..., cfg=...)
    evaluate_bundle(bundle_dir, cases=None, artifact=None, limit=0)  # `fgweb eval --backend python`

Metrics over N examples (fractions in 0..1):
- exact: every call identical and in order (names and all arguments) to the expected calls or to one
  of the example's `accept` lists (a link clicked, or `navigate` to its href); for an example that
  expects no call, the output calls nothing.
- tool: the sequence of tool names matches (no call expected: none produced).
- args: of all expected calls (of the alternative the output equals, else the closest), the fraction
  whose arguments all equal those of the produced call at the same position (the tool name is scored
  by `tool`); null when no example expects a call.
- valid: the output parses, and every call fits its tool's schema and the snapshot (the ref exists, its
  element name matches, an element that is acted on is not disabled).
GGUF files are scored with their weights dequantized into PyTorch (llama.cpp is not run here): their
`runtime` says so.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from fgweb.config import EvalConfig
from fgweb.constrain import CallGrammar, snapshot_hook, snapshot_targets
from fgweb.constrain import decode_ids as _decode
from fgweb.constrain import encode_text as _encode
from fgweb.errors import FgwebError
from fgweb.protocol import (
    MODEL_TURN_START,
    ProtocolError,
    parse_completion,
    render_developer_turn,
    render_user_turn,
    validate_calls,
)

if TYPE_CHECKING:
    from fgweb.generate import Generator
    from fgweb.tools import Toolset

GGUF_RUNTIME = "gguf dequantized in PyTorch"

ArtifactSource: TypeAlias = "Path | str | Callable[[], Generator]"


# ---------------------------------------------------------------------------------------------- scoring


@dataclass
class Output:
    """What a model produced for one example: the completion text and what it cost."""

    text: str
    ms: float = 0.0
    prompt_tokens: int = 0
    generated_tokens: int = 0


@dataclass
class CaseResult:
    """One scored example. `calls` is None when the output did not parse; `error` says why not valid."""

    id: str
    ok: bool  # exact match
    calls: list[dict[str, Any]] | None
    ms: float
    error: str | None = None
    tool_ok: bool = False
    args_matched: int = 0
    args_expected: int = 0
    valid: bool = False
    expected: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""
    prompt_tokens: int = 0
    generated_tokens: int = 0


@dataclass
class EvalReport:
    """Scores of one artifact over `n` examples, and each example's result."""

    n: int
    exact: float
    tool: float
    args: float | None
    valid: float
    cases: list[CaseResult]
    ms_per_case: float = 0.0
    p50_ms: float = 0.0
    mean_prompt_tokens: float = 0.0
    mean_generated_tokens: float = 0.0
    # The same metrics per tag: each example's `tags`, `tool:NAME` of its expected calls, `no call`.
    by_tag: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Returns the report in `fgweb eval --json` form: the metrics, then one entry per case."""
        out = {k: v for k, v in asdict(self).items() if k != "cases"}
        out["cases"] = [asdict(c) for c in self.cases]
        return out


def _attr(example: Any, key: str, default: Any = None) -> Any:
    if isinstance(example, Mapping):
        return example.get(key, default)
    return getattr(example, key, default)


def _call_json(call: Any) -> dict[str, Any]:
    if isinstance(call, Mapping):
        return {"name": call["name"], "arguments": dict(call.get("arguments") or {})}
    return {"name": call.name, "arguments": dict(call.arguments or {})}


def _canon(value: Any) -> str:
    # JSON text distinguishes true from 1 and "1" from 1, as the runtime's comparison must.
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def snapshot_issues(calls: Sequence[Mapping[str, Any]], snapshot: str, toolset: Toolset) -> list[str]:
    """Returns why calls cannot run on this snapshot: unknown ref, name mismatch, disabled target."""
    elements = {t.ref: t for t in snapshot_targets(snapshot)}
    issues: list[str] = []
    for i, call in enumerate(calls):
        args = call.get("arguments") or {}
        tool = toolset.get(call["name"])
        has_ref, has_element = "ref" in args, "element" in args
        if has_ref != has_element:
            issues.append(f"call {i} ({call['name']}): element and ref must be given together")
            continue
        if not has_ref:
            continue
        target = elements.get(args["ref"]) if isinstance(args["ref"], int) else None
        if target is None:
            issues.append(f"call {i} ({call['name']}): no element with ref {args['ref']!r} on the page")
        elif target.name != args["element"]:
            issues.append(
                f"call {i} ({call['name']}): ref {args['ref']} is {target.name!r}, not {args['element']!r}"
            )
        elif target.disabled and not (tool is not None and tool.read_only):
            issues.append(f"call {i} ({call['name']}): {target.name!r} is disabled")
    return issues


def _score_case(example: Any, output: Output, toolset: Toolset) -> CaseResult:
    expected = [_call_json(c) for c in (_attr(example, "calls") or [])]
    case = CaseResult(
        id=str(_attr(example, "id", "")),
        ok=False,
        calls=None,
        ms=round(output.ms, 1),
        expected=expected,
        text=output.text,
        args_expected=len(expected),
        prompt_tokens=output.prompt_tokens,
        generated_tokens=output.generated_tokens,
    )
    try:
        produced = [c.to_json() for c in parse_completion(output.text).calls]
    except ProtocolError as e:
        case.error = f"parse: {e}"
        if e.code == "empty" and not expected:  # answered nothing: still no call, as expected
            case.calls, case.ok, case.tool_ok = [], True, True
        return case
    case.calls = produced

    def matched(want: list[dict[str, Any]]) -> int:
        pairs = zip(want, produced, strict=False)
        return sum(1 for w, g in pairs if _canon(w["arguments"]) == _canon(g["arguments"]))

    def closeness(want: list[dict[str, Any]]) -> tuple[int, int]:
        tools_in_place = sum(1 for w, g in zip(want, produced, strict=False) if w["name"] == g["name"])
        return matched(want), tools_in_place

    # Scored against the alternative the output equals, else the closest one: most arguments matched,
    # then most tools in place (`expected` on ties: max keeps the first).
    alternatives = [expected, *([_call_json(c) for c in calls] for calls in _attr(example, "accept") or [])]
    produced_canon = _canon(produced)
    exact = next((a for a in alternatives if _canon(a) == produced_canon), None)
    chosen = exact if exact is not None else max(alternatives, key=closeness)
    case.ok = exact is not None
    case.tool_ok = [c["name"] for c in produced] == [c["name"] for c in chosen]
    case.args_matched, case.args_expected = matched(chosen), len(chosen)
    problems = [issue.message for issue in validate_calls(produced, toolset)]
    if not problems:
        problems = snapshot_issues(produced, str(_attr(example, "snapshot", "")), toolset)
    case.valid = not problems
    case.error = "; ".join(problems) or None
    return case


def score(examples: Sequence[Any], outputs: Sequence[str | Output], toolset: Toolset) -> EvalReport:
    """Scores one artifact's outputs (completion texts, or `Output`s with timings) against the examples'
    expected calls.

    Returns an EvalReport with exact/tool/args/valid fractions and one CaseResult per example.
    """
    if len(examples) != len(outputs):
        raise ValueError(f"{len(examples)} examples but {len(outputs)} outputs")
    cases = [
        _score_case(ex, out if isinstance(out, Output) else Output(text=out), toolset)
        for ex, out in zip(examples, outputs, strict=True)
    ]
    report = _metrics(cases)
    groups: dict[str, list[CaseResult]] = {}
    for ex, case in zip(examples, cases, strict=True):
        keys = {str(t) for t in _attr(ex, "tags", None) or []}
        keys.update(f"tool:{c['name']}" for c in case.expected)
        if not case.expected:
            keys.add("no call")
        for key in keys:
            groups.setdefault(key, []).append(case)
    report.by_tag = {
        key: {k: v for k, v in asdict(_metrics(groups[key])).items() if k not in ("cases", "by_tag")}
        for key in sorted(groups)
    }
    return report


def _metrics(cases: list[CaseResult]) -> EvalReport:
    n = len(cases)

    def frac(count: int, total: int) -> float:
        return round(count / total, 4) if total else 0.0

    expected_calls = sum(c.args_expected for c in cases)
    ms = [c.ms for c in cases]
    return EvalReport(
        n=n,
        exact=frac(sum(c.ok for c in cases), n),
        tool=frac(sum(c.tool_ok for c in cases), n),
        args=frac(sum(c.args_matched for c in cases), expected_calls) if expected_calls else None,
        valid=frac(sum(c.valid for c in cases), n),
        cases=cases,
        ms_per_case=round(statistics.fmean(ms), 1) if ms else 0.0,
        p50_ms=round(statistics.median(ms), 1) if ms else 0.0,
        mean_prompt_tokens=round(statistics.fmean(c.prompt_tokens for c in cases), 1) if n else 0.0,
        mean_generated_tokens=round(statistics.fmean(c.generated_tokens for c in cases), 1) if n else 0.0,
    )


# ---------------------------------------------------------------------------------------------- generation


def _token_id(tokenizer: Any, text: str) -> int:
    tid = tokenizer.token_to_id(text) if hasattr(tokenizer, "token_to_id") else None
    if tid is None and hasattr(tokenizer, "convert_tokens_to_ids"):
        tid = tokenizer.convert_tokens_to_ids(text)
    ids = _encode(tokenizer, text)
    if tid is None or ids != [tid]:
        raise FgwebError(f"the tokenizer does not encode {text} as one token: use the model's own tokenizer")
    return int(tid)


def stop_ids(tokenizer: Any) -> set[int]:
    """Returns the ids that end a completion: <end_of_turn>, <start_function_response> and <eos>."""
    return {_token_id(tokenizer, t) for t in ("<end_of_turn>", "<start_function_response>", "<eos>")}


class GgufGenerator:
    """Factory for a PyTorch generator over a GGUF's dequantized weights (not llama.cpp's kernels)."""

    def __init__(self, path: Path, threads: int = 0) -> None:
        self.path = Path(path)
        self.threads = threads

    def __call__(self) -> Generator:
        """Returns a TorchGenerator whose model is `load_gguf_model(path)`."""
        import torch

        from fgweb.export.gguf import load_gguf_model
        from fgweb.generate import TorchGenerator

        if self.threads > 0:
            torch.set_num_threads(self.threads)
        gen = TorchGenerator.__new__(TorchGenerator)
        gen._torch = torch
        gen.device = torch.device("cpu")  # the GGUF reference is a CPU check of the file's weights
        gen.model = load_gguf_model(self.path)
        gen.name = GGUF_RUNTIME
        return gen


def _open(source: ArtifactSource, threads: int) -> tuple[Generator, str]:
    """Returns the generator for an artifact and a label of what runs it."""
    if callable(source) and not isinstance(source, (str, Path)):
        gen = source()
        return gen, str(getattr(gen, "name", "generator"))
    path = Path(source)
    if not path.exists():
        raise FgwebError(f"artifact {path} does not exist: run `fgweb export` first")
    if path.suffix == ".gguf":
        return GgufGenerator(path, threads)(), GGUF_RUNTIME
    from fgweb.generate import generator_for

    gen = generator_for(path, threads)
    runtime = "pytorch fp32" if path.is_dir() else "onnxruntime cpu"
    return gen, runtime


def evaluate_artifacts(
    artifacts: Mapping[str, ArtifactSource],
    examples: Sequence[Any],
    toolset: Toolset,
    tokenizer: Any,
    cfg: EvalConfig,
    threads: int = 0,
    progress: bool = True,
) -> dict[str, dict[str, Any]]:
    """Greedy-generates the first `cfg.limit` examples (0 = all) on each artifact, with the developer
    turn's KV computed once per artifact, and scores them.

    `artifacts` maps a name to a path (.onnx file, .gguf file, checkpoint dir) or to a zero-argument
    factory returning a `Generator`. Returns {name: EvalReport.to_json() plus "artifact", "runtime"}.
    """
    chosen = list(examples[: cfg.limit] if cfg.limit else examples)
    if not chosen:
        raise FgwebError("no eval examples to score: check the eval split or --cases file")
    developer = _encode(tokenizer, render_developer_turn(toolset))
    stops = stop_ids(tokenizer)
    prompts = [
        developer
        + _encode(
            tokenizer,
            render_user_turn(str(_attr(ex, "snapshot", "")), str(_attr(ex, "command", "")))
            + MODEL_TURN_START,
        )
        for ex in chosen
    ]
    # The runtime's decoding: the toolset's call grammar narrowed to the snapshot, one hook per case,
    # shared by every artifact. Decoded step by step (no jump-forward): the same tokens, and dynamic
    # int8 graphs keep their per-step activation scales.
    grammar = CallGrammar(tokenizer, toolset.tools) if cfg.constrain else None
    hooks = [
        snapshot_hook(tokenizer, snapshot_targets(str(_attr(ex, "snapshot", ""))), grammar.hook(),
                      command=str(_attr(ex, "command", "")))
        if grammar is not None else None
        for ex in chosen
    ]
    results: dict[str, dict[str, Any]] = {}
    for name, source in artifacts.items():
        gen, runtime = _open(source, threads)
        gen = gen.with_prefix(developer)
        outputs: list[Output] = []
        for prompt, hook in zip(_bar(prompts, name, progress), hooks, strict=True):
            r = gen.greedy(prompt, cfg.max_new_tokens, stops, allowed=hook)
            outputs.append(
                Output(
                    text=_decode(tokenizer, r.token_ids),
                    ms=(r.prefill_s + r.decode_s) * 1000.0,
                    prompt_tokens=len(prompt),
                    generated_tokens=len(r.token_ids),
                )
            )
        report = score(chosen, outputs, toolset).to_json()
        results[name] = {"artifact": name, "runtime": runtime, **report}
        del gen
    return results


def _bar(items: list[list[int]], name: str, enabled: bool) -> Any:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=f"eval {name}", unit="case", leave=True)


# ---------------------------------------------------------------------------------------------- stages


def _load_examples(path: Path) -> list[Any]:
    from fgweb.data import load_examples

    return list(load_examples(path))


def _export_artifacts(export_dir: Path, wanted: Sequence[str]) -> dict[str, Path]:
    index_path = export_dir / "export.json"
    if not index_path.is_file():
        raise FgwebError(f"no export.json in {export_dir}: run `fgweb export` first")
    index = json.loads(index_path.read_text())
    found: dict[str, Path] = {k: export_dir / v for k, v in index.get("onnx", {}).items()}
    found.update({f"gguf-{k.lower()}": export_dir / v for k, v in index.get("gguf", {}).items()})
    missing = [name for name in wanted if name not in found]
    if missing:
        raise FgwebError(
            f"eval artifacts {missing} were not exported (export made {sorted(found)}): fix eval.artifacts"
        )
    return {name: found[name] for name in wanted}


def evaluate_export(
    *,
    export_dir: Path,
    base_dir: Path | None,
    model_dir: Path,
    eval_path: Path,
    toolset: Toolset,
    cfg: EvalConfig,
    threads: int = 0,
    progress: bool = True,
) -> dict[str, Any]:
    """The build's eval stage: scores `cfg.artifacts` from the export, plus references (the fine-tuned
    PyTorch model, and the untrained base when `base_dir` is given).

    Returns {"artifacts": {name: report}, "references": {name: report}, "limit", "max_new_tokens"}.
    """
    from fgweb.model import load_tokenizer

    tokenizer = load_tokenizer(model_dir)
    examples = _load_examples(eval_path)
    artifacts = _export_artifacts(Path(export_dir), cfg.artifacts)
    references: dict[str, ArtifactSource] = {"torch-fp32": Path(model_dir)}
    if base_dir is not None:
        references["base-fp32"] = Path(base_dir)
    # The PyTorch references are slow: score them on the first `reference_limit` of the same cases.
    limits = [x for x in (cfg.limit, cfg.reference_limit) if x]
    ref_cfg = dataclasses.replace(cfg, limit=min(limits) if limits else 0)
    return {
        "artifacts": evaluate_artifacts(artifacts, examples, toolset, tokenizer, cfg, threads, progress),
        "references": evaluate_artifacts(
            references, examples, toolset, tokenizer, ref_cfg, threads, progress
        ),
        "limit": cfg.limit,
        "max_new_tokens": cfg.max_new_tokens,
    }


def _bundle_artifact(bundle: Path, name: str) -> Path:
    models = bundle / "models"
    if name.startswith("gguf-"):
        path = models / f"model.{name[len('gguf-') :]}.gguf"
    else:
        path = models / f"model.{name}.onnx"
    if not path.is_file():
        have = sorted(p.name for p in models.glob("model.*")) if models.is_dir() else []
        raise FgwebError(f"the bundle has no artifact {name!r} ({path.name} missing; it has {have})")
    return path


def evaluate_bundle(
    bundle: Path,
    cases: Path | None = None,
    artifact: str | None = None,
    limit: int = 0,
    max_new_tokens: int = EvalConfig.max_new_tokens,
    progress: bool = True,
    constrain: bool = True,
) -> dict[str, Any]:
    """`fgweb eval --backend python`: scores one artifact of a built bundle on CPU.

    `cases` is a JSONL file of dataset records (snapshot, command, calls); browser cases that carry only
    `html` need a browser backend. Returns the report of `evaluate_artifacts` for that artifact.
    """
    from tokenizers import Tokenizer

    from fgweb.tools import load_toolset

    bundle = Path(bundle)
    manifest_path = bundle / "manifest.json"
    if not manifest_path.is_file():
        raise FgwebError(f"{bundle} is not a bundle (no manifest.json): run `fgweb build` or pass --bundle")
    manifest = json.loads(manifest_path.read_text())
    name = artifact or str(manifest.get("default_artifact", "int8"))
    path = _bundle_artifact(bundle, name)
    examples = _load_examples(cases or bundle / "eval" / "eval.jsonl")
    if examples and _attr(examples[0], "snapshot") is None:
        raise FgwebError(
            "these cases have no `snapshot` (browser cases with html): score them with a browser backend"
        )
    tokenizer = Tokenizer.from_file(str(bundle / "tokenizer" / "tokenizer.json"))
    toolset = load_toolset(bundle / "toolset.json")
    cfg = EvalConfig(
        artifacts=(name,), limit=limit, max_new_tokens=max_new_tokens, score_base=False, constrain=constrain
    )
    report = evaluate_artifacts({name: path}, examples, toolset, tokenizer, cfg, progress=progress)[name]
    return {**report, "constrain": "snapshot" if constrain else "none"}
