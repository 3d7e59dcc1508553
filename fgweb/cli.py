"""The `fgweb` command line.

fgweb build [--preset default|tiny] [--base PATH] [--tools FILE] [--out export/NAME]
fgweb serve [--bundle export/NAME] [--host 127.0.0.1] [--port 8000] [--allow-host NAME] [--open]
fgweb eval  [--bundle export/NAME] [--cases FILE.jsonl] [--backend python|wasm|webgpu|wllama]
            [--constrain snapshot|none] [--json OUT]
fgweb bench [--bundle export/NAME] [--backend wasm|webgpu|wllama|all] [--json OUT] [--html OUT]
fgweb data | train | export   (single stages, same options as build where they apply)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fgweb.config import RECIPE_LEARNING_RATES, BuildConfig, preset
from fgweb.errors import FgwebError

console = Console(stderr=True)


def _add_build_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--preset",
        choices=["default", "tiny"],
        default="default",
        help="default: the real Gemma 3 270M; tiny: a few random layers, for tests (default: %(default)s)",
    )
    p.add_argument(
        "--base",
        metavar="PATH",
        help="a Hugging Face Gemma 3 checkpoint to start from instead of the packaged 270M GGUF",
    )
    p.add_argument(
        "--tools", metavar="FILE", type=Path, help="toolset JSON file (default: the built-in DOM toolset)"
    )
    p.add_argument(
        "--out",
        metavar="export/NAME",
        type=Path,
        help="where the bundle is written (default: export/<preset>)",
    )
    p.add_argument(
        "--recipe",
        choices=["default", "full", "none"],
        help="default: fine-tune from the committed DOM adapter; full: LoRA from the base model; "
        "none: no training",
    )
    p.add_argument("--steps", type=int, metavar="N", help="training steps")
    p.add_argument("--batch-size", type=int, metavar="N", help="training examples per step")
    p.add_argument(
        "--max-length", type=int, metavar="N", help="drop training examples longer than N tokens"
    )
    rates = RECIPE_LEARNING_RATES
    p.add_argument(
        "--lr",
        type=float,
        metavar="LR",
        help=f"LoRA learning rate (default: {rates['default'][0]:g} for recipe default, "
        f"{rates['full'][0]:g} for full)",
    )
    p.add_argument(
        "--embed-lr",
        type=float,
        metavar="LR",
        help=f"learning rate of the function-token embedding rows (default: {rates['default'][1]:g} for "
        f"default, {rates['full'][1]:g} for full)",
    )
    p.add_argument(
        "--lora-layers",
        type=int,
        metavar="N",
        help="train LoRA on the top N layers only, with the function tokens' input rows frozen "
        "(a cheaper CPU step; default: all layers)",
    )
    p.add_argument(
        "--no-prefix-grad",
        action="store_true",
        help="run the developer turn without gradient (a step about 8%% cheaper on the CPU)",
    )
    p.add_argument("--train-seed", type=int, metavar="N", help="seed of the training example order")
    p.add_argument(
        "--max-minutes",
        type=float,
        metavar="M",
        help="stop training after M minutes, keeping what was learned",
    )
    p.add_argument("--train-examples", type=int, metavar="N", help="training examples to generate")
    p.add_argument(
        "--force",
        action="append",
        default=[],
        metavar="STAGE",
        help="rerun this stage even if it is cached (repeatable)",
    )


def config_from_args(args: argparse.Namespace) -> BuildConfig:
    """The preset's config with the command line's overrides applied."""
    cfg = preset(args.preset)
    if args.base:
        from fgweb.model import check_checkpoint

        base = Path(args.base).expanduser()
        if not base.exists():
            raise FgwebError(f"--base {args.base}: no such directory; give a Hugging Face Gemma 3 checkpoint")
        check_checkpoint(base)  # here, not minutes later in the model stage
        cfg.model.base = str(base.resolve())
    if args.tools:
        if not args.tools.exists():
            raise FgwebError(f"--tools {args.tools}: no such file; give a toolset JSON file (see README)")
        cfg.tools = args.tools.resolve()
    if args.out:
        cfg.out = args.out
    if args.recipe:
        cfg.train.recipe = args.recipe
    if args.steps is not None:
        cfg.train.steps = args.steps
    if args.max_minutes is not None:
        cfg.train.max_minutes = args.max_minutes
    if args.batch_size is not None:
        cfg.train.batch_size = args.batch_size
    if args.max_length is not None:
        cfg.train.max_length = args.max_length
    if args.lr is not None:
        cfg.train.lr = args.lr
    if args.embed_lr is not None:
        cfg.train.embed_lr = args.embed_lr
    if args.train_seed is not None:
        cfg.train.seed = args.train_seed
    if args.lora_layers is not None:
        if args.lora_layers < 0:
            raise FgwebError(f"--lora-layers {args.lora_layers}: give 0 (all layers) or more")
        cfg.train.lora_layers = args.lora_layers
    if args.no_prefix_grad:
        cfg.train.prefix_grad = False
    if args.train_examples is not None:
        cfg.data.train_examples = args.train_examples
    return cfg


def cmd_build(args: argparse.Namespace, until: str = "bundle") -> int:
    from fgweb.build import build

    cfg = config_from_args(args)

    def log(message: str) -> None:
        console.print(message, highlight=False, markup=False)

    result = build(cfg, until=until, force=tuple(args.force), log=log)
    _print_stage_table(result)
    if until == "data":
        from fgweb.data import format_stats

        stats = json.loads((result.stages["data"].result / "stats.json").read_text())
        print(format_stats(stats))
    if result.bundle_dir is not None:
        _print_bundle_table(result.bundle_dir)
        console.print(
            f"bundle: {result.bundle_dir}   serve it with: fgweb serve --bundle {result.bundle_dir}"
        )
    return 0


def _print_stage_table(result: Any) -> None:
    table = Table(title="stages")
    for col in ("stage", "time", "cached", "output"):
        table.add_column(col)
    for run in result.stages.values():
        table.add_row(run.name, f"{run.seconds:.1f} s", "yes" if run.cached else "no", str(run.result))
    console.print(table)


def _print_bundle_table(bundle_dir: Path) -> None:
    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    table = Table(title=f"artifacts in {bundle_dir}")
    for col in ("artifact", "MB", "exact", "tool", "args", "valid", "ms/case"):
        table.add_column(col, justify="right" if col != "artifact" else "left")

    def row(name: str, mb: str, scores: dict[str, Any]) -> None:
        def pct(key: str) -> str:
            return f"{scores[key]:.0%}" if isinstance(scores.get(key), (int, float)) else "-"

        ms = scores.get("ms_per_case")
        table.add_row(
            name,
            mb,
            pct("exact"),
            pct("tool"),
            pct("args"),
            pct("valid"),
            f"{ms:.0f}" if isinstance(ms, (int, float)) else "-",
        )

    for name, art in manifest["artifacts"].items():
        label = name + (" (default)" if name == manifest["default_artifact"] else "")
        row(label, f"{art['bytes'] / 1e6:.0f}", art.get("eval", {}))
    for name, scores in manifest.get("eval", {}).get("references", {}).items():
        row(name, "-", scores)
    console.print(table)


def cmd_eval(args: argparse.Namespace) -> int:
    from fgweb.server import find_latest_bundle

    bundle = args.bundle or find_latest_bundle()
    if bundle is None:
        raise FgwebError("no bundle found under export/: run `fgweb build` first or pass --bundle")
    if args.backend != "python":
        return _eval_in_browser(args, Path(bundle))
    from fgweb.eval import evaluate_bundle
    from fgweb.page_eval import is_page_case_file

    if args.cases and is_page_case_file(args.cases):
        raise FgwebError(
            f"--cases {args.cases} holds page cases (html and CSS selectors): they run in the browser, "
            "pass --backend wasm or --backend webgpu"
        )

    report = evaluate_bundle(
        Path(bundle), cases=args.cases, artifact=args.artifact, limit=args.limit,
        constrain=args.constrain == "snapshot",
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
        console.print(f"wrote {args.json}")
    _print_tag_table(report.get("by_tag") or {})
    keys = ("artifact", "constrain", "n", "exact", "tool", "args", "valid")
    summary = {k: report[k] for k in keys if k in report}
    print(json.dumps(summary))
    return 0


def _eval_in_browser(args: argparse.Namespace, bundle: Path) -> int:
    """`fgweb eval --backend wasm|webgpu|wllama`: the page cases (default: the packaged demo cases)."""
    from fgweb.page_eval import evaluate_cases, result_rows

    report = evaluate_cases(
        bundle, cases_path=args.cases, backend=args.backend, artifact=args.artifact, limit=args.limit,
        constrain=args.constrain,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))
        console.print(f"wrote {args.json}")
    table = Table(title=f"eval {report['cases_file']} on {bundle}")
    table.add_column("")
    table.add_column("", justify="right")
    for label, value in result_rows(report):
        table.add_row(label, value)
    console.print(table)
    _print_tag_table(report.get("by_tag") or {})
    wrong = [c for c in report["cases"] if not c["ok"]]
    if wrong:
        misses = Table(title="cases not right")
        for col in ("id", "expected", "got", "error"):
            misses.add_column(col, overflow="fold")
        for c in wrong[:20]:
            misses.add_row(
                c["id"], _calls_text(c["expected"]), _calls_text(c["calls"]) or repr(c["text"][:40]),
                c.get("error") or "",
            )
        console.print(misses)
        if len(wrong) > 20:
            console.print(f"… and {len(wrong) - 20} more (--json OUT has every case)")
    keys = ("backend", "artifact", "constrain", "n", "exact", "tool", "args", "valid")
    summary = {k: report[k] for k in keys}
    print(json.dumps(summary))
    return 0


def _print_tag_table(by_tag: dict[str, Any]) -> None:
    """The per-tag scores of an eval report, when its cases carry tags or call several tools."""
    if len(by_tag) < 2:
        return
    table = Table(title="by tag")
    for col in ("tag", "n", "exact", "tool", "args", "valid"):
        table.add_column(col, justify="left" if col == "tag" else "right")
    for tag, scores in by_tag.items():
        def pct(key: str, scores: dict[str, Any] = scores) -> str:
            value = scores.get(key)
            return f"{value:.0%}" if isinstance(value, (int, float)) else "-"

        table.add_row(tag, str(scores["n"]), pct("exact"), pct("tool"), pct("args"), pct("valid"))
    console.print(table)


def _calls_text(calls: list[dict[str, Any]]) -> str:
    def one(call: dict[str, Any]) -> str:
        args = dict(call.get("arguments") or {})
        if call.get("target"):
            args["element"] = f"{args.get('element')!r}={call['target']}"
            args.pop("ref", None)
        return f"{call.get('name')}({', '.join(f'{k}={v}' for k, v in args.items())})"

    return "; ".join(one(c) for c in calls)


def cmd_serve(args: argparse.Namespace) -> int:
    from fgweb.server import find_latest_bundle, serve

    bundle = args.bundle or find_latest_bundle()
    if bundle is None:
        raise FgwebError("no bundle found under export/: run `fgweb build` first or pass --bundle")
    serve(Path(bundle), host=args.host, port=args.port, open_browser=args.open, allow_hosts=args.allow_host)
    return 0


def _port(text: str) -> int:
    """argparse type of --port: a TCP port number, 0 for any free one."""
    from fgweb.server import PORT_RULE, check_port

    try:
        return check_port(int(text))
    except (ValueError, FgwebError):
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: {PORT_RULE}") from None


def _allowed_host(text: str) -> str:
    """argparse type of --allow-host: a host name or an IP address (IPv6 with or without brackets)."""
    from fgweb.server import parse_host

    host = parse_host(text) or parse_host(f"[{text}]")
    if host is None:
        raise argparse.ArgumentTypeError(f"invalid host {text!r}: give a host name or an IP address")
    return host


def cmd_bench(args: argparse.Namespace) -> int:
    from fgweb.bench import BENCH_COMMANDS, run_bench, summary_rows, write_html
    from fgweb.server import find_latest_bundle

    bundle = args.bundle or find_latest_bundle()
    if bundle is None:
        raise FgwebError("no bundle found under export/: run `fgweb build` first or pass --bundle")
    backends = ["wasm", "webgpu"] if args.backend == "all" else [args.backend]
    report = run_bench(
        Path(bundle),
        backends,
        n=args.n,
        commands_path=args.commands or BENCH_COMMANDS,
        artifact=args.artifact,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
        console.print(f"wrote {args.json}")
    if args.html:
        write_html(report, Path(args.html))
        console.print(f"wrote {args.html}")
    header, rows = summary_rows(report)
    table = Table(title=f"bench {bundle}")
    for i, col in enumerate(header):
        table.add_column(col, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fgweb",
        description="Fine-tune a small function-calling model on page tools and run it inside a web page.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "build",
        help="data -> train -> export -> eval -> bundle (cached per stage)",
        description="Build the bundle: generate data, fine-tune, export ONNX/GGUF, evaluate, "
        "assemble export/<name>/. Stages are cached; an interrupted build resumes.",
    )
    _add_build_options(p)
    p.set_defaults(func=cmd_build)

    for name, text in (
        ("data", "generate the synthetic dataset and print its statistics"),
        ("train", "run data, model and train (cached)"),
        ("export", "run the stages up to export (cached)"),
    ):
        p = sub.add_parser(name, help=text, description=text.capitalize() + ".")
        _add_build_options(p)
        p.set_defaults(func=lambda a, until=name: cmd_build(a, until=until))

    p = sub.add_parser(
        "serve",
        help="serve a built bundle (COOP/COEP, ranges, caching)",
        description="Serve export/<name>/ for the browser, bound to 127.0.0.1 by default.",
    )
    p.add_argument("--bundle", type=Path, help="bundle directory (default: the most recent build)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind, IPv6 with or without brackets; 0.0.0.0 or :: for every interface "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--port", type=_port, default=8000, help="port, 0 for any free one (default: %(default)s)"
    )
    p.add_argument(
        "--allow-host",
        type=_allowed_host,
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests for this host name (repeatable); loopback names, the --host address "
        "and, bound to every interface, this machine's name and addresses are always answered",
    )
    p.add_argument("--open", action="store_true", help="open the demo in the system browser")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "eval",
        help="score a bundle's artifacts on eval cases",
        description="Score a bundle's model on the eval split (or --cases) and print accuracy.",
    )
    p.add_argument("--bundle", type=Path, help="bundle directory (default: the most recent build)")
    p.add_argument(
        "--cases",
        type=Path,
        metavar="FILE.jsonl",
        help="JSONL cases (python: dataset records, default the bundle's eval split; wasm/webgpu: page cases "
        "with html and CSS-selector targets, default the packaged demo cases)",
    )
    p.add_argument(
        "--backend",
        choices=["python", "wasm", "webgpu", "wllama"],
        default="python",
        help="python: onnxruntime on this CPU; wasm, webgpu, wllama: the browser runtime in headless "
        "Chromium (default: %(default)s)",
    )
    p.add_argument("--artifact", help="which artifact to score (default: the bundle's default)")
    p.add_argument("--limit", type=int, default=0, help="score only the first N cases (0 = all)")
    p.add_argument(
        "--constrain",
        choices=["snapshot", "none"],
        default="snapshot",
        help="snapshot: decode as the runtime does, a call's element, ref and option kept on the snapshot's "
        "lines and type_text's text on the command; none: the bare model (default: %(default)s)",
    )
    p.add_argument("--json", type=Path, metavar="OUT", help="write the full report here")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "bench",
        help="load time and latency per browser backend",
        description="Benchmark the browser runtime in headless Chromium: cold and warm load, prefill and "
        "decode speed, command-to-action latency (p50/p95) on the demo page.",
    )
    p.add_argument("--bundle", type=Path, help="bundle directory (default: the most recent build)")
    p.add_argument(
        "--backend",
        choices=["wasm", "webgpu", "wllama", "all"],
        default="wasm",
        help="all = wasm and webgpu (default: %(default)s)",
    )
    p.add_argument("--n", type=int, default=20, metavar="N", help="commands timed per backend (default: 20)")
    p.add_argument(
        "--commands",
        type=Path,
        metavar="FILE",
        help="commands to time, one a line (default: the packaged demo commands)",
    )
    p.add_argument("--artifact", help="which ONNX artifact to load (default: the bundle's default)")
    p.add_argument("--json", type=Path, metavar="OUT", help="write the figures here")
    p.add_argument("--html", type=Path, metavar="OUT", help="write a self-contained HTML report here")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except FgwebError as exc:
        # Escaped: messages quote paths, keys and hosts, whose brackets are not markup. Soft-wrapped: one
        # line whatever the width, as the terminal wraps it.
        console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        console.print("interrupted: run the same command again to resume from the last finished stage")
        return 130


if __name__ == "__main__":
    sys.exit(main())
