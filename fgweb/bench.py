"""`fgweb bench`: how fast the browser runtime is, per backend, on the demo page in headless Chromium.

    fgweb bench --bundle export/default --backend all --json bench.json --html bench.html

    from fgweb.bench import run_bench, write_html
    report = run_bench(Path("export/tiny"), ["wasm"], n=5)
    write_html(report, Path("bench.html"))

For each backend, on the bundle's demo page (`index.html?backend=NAME`, whose `window.demo.ready` resolves
to the agent that `createAgent` made):
- load_ms: createAgent until ready (`agent.loadMs`) in a fresh browser context (nothing cached);
- warm_load_ms: the same in a second page of that context (HTTP cache, Cache API and service worker warm);
- one untimed command (`first_ms`: it also computes the developer turn's KV), then `n` commands from
  `fgweb/cases/bench_commands.txt` (in order, repeated as needed) run with `{execute: true}`:
  p50_ms / p95_ms of the wall time of `agent.run` (command to action), prefill_tps = prompt tokens /
  prefill time and decode_tps = generated tokens / decode time, both summed over the runs; per command,
  generated tokens beside model steps (forward passes after the prompt's: with jump-forward, the
  tokens the call grammar forces cost none of their own), and their means.
A navigation guard (the Navigation API) keeps an action from leaving the page; hash links still work.

The JSON (DESIGN.md): {"backends": {NAME: {load_ms, warm_load_ms, prefill_tps, decode_tps, p50_ms,
p95_ms, n, ...}}, "references": {NAME: {...same keys...}}}; a backend that could not run has "error".
References are the python onnxruntime figures of the bundle's build eval (manifest.json), where present.
The HTML report is one self-contained file (inline SVG, no scripts, nothing fetched).
"""

from __future__ import annotations

import html
import json
import platform
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fgweb.errors import FgwebError
from fgweb.page_eval import CASES_DIR, percentile, require_playwright, served_bundle

BENCH_COMMANDS = CASES_DIR / "bench_commands.txt"
BACKENDS: tuple[str, ...] = ("wasm", "webgpu", "wllama")
METRIC_KEYS: tuple[str, ...] = (
    "load_ms",
    "warm_load_ms",
    "prefill_tps",
    "decode_tps",
    "p50_ms",
    "p95_ms",
    "n",
)

# Cancels every navigation that would leave the page (link clicks, form posts, location changes), so
# executed actions cannot unload the agent; same-document (hash) navigations go through.
NAVIGATION_GUARD_JS = """(() => {
  if (!window.navigation) return;
  window.navigation.addEventListener('navigate', (event) => {
    if (!event.hashChange && event.cancelable && event.navigationType !== 'reload') event.preventDefault();
  });
})();"""

_READY_JS = """async () => {
  try {
    const a = await window.demo.ready;
    return {loadMs: a.loadMs ?? null, pageReadyMs: performance.now(), backend: a.backend,
            fallback: a.fallback ?? null, artifact: a.artifact ?? null};
  } catch (e) {
    return {error: `${e && e.type ? e.type + ': ' : ''}${e && e.message ? e.message : e}`};
  }
}"""

_RUN_JS = """async ([command, maxNewTokens]) => {
  const agent = window.demo.agent;
  const options = maxNewTokens ? {execute: true, maxNewTokens} : {execute: true};
  const t0 = performance.now();
  try {
    const r = await agent.run(command, options);
    return {ms: performance.now() - t0, timings: r.timings || {}, calls: (r.calls || []).length,
            executed: (r.executed || []).filter((e) => e.ok).length, text: r.text || '',
            parseError: r.parseError ? r.parseError.code : null};
  } catch (e) {
    const error = `${e && e.type ? e.type + ': ' : ''}${e && e.message ? e.message : e}`;
    return {ms: performance.now() - t0, error};
  }
}"""


def load_commands(path: Path) -> list[str]:
    """Returns the commands of a file, one a line; blank lines and lines starting with '#' are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise FgwebError(f"--commands {path}: cannot read it ({exc.strerror or exc})") from None
    commands = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not commands:
        raise FgwebError(f"--commands {path} holds no commands: write one command a line")
    return commands


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def prefilled_tokens(timings: Mapping[str, Any]) -> float | None:
    """Returns the prompt tokens a run actually prefilled: promptTokens less the cachedTokens whose KV
    was reused from an earlier prompt."""
    prompt = _num(timings.get("promptTokens"))
    if prompt is None:
        return None
    return prompt - (_num(timings.get("cachedTokens")) or 0.0)


def backend_figures(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Returns the speed figures of timed runs (each {"ms", "timings": {promptTokens, cachedTokens,
    prefillMs, generatedTokens, modelSteps, decodeMs, …}} as the page reports them; runs with "error" are
    left out): n, p50_ms, p95_ms, mean_ms, prefill_tps (prefilled tokens, see `prefilled_tokens`, per
    second of prefill), decode_tps (None when no time was measured), the mean prompt, generated and
    cached tokens and model steps per command."""
    good = [r for r in runs if not r.get("error") and _num(r.get("ms")) is not None]
    ms = [float(r["ms"]) for r in good]

    def rate(tokens_of: Any, ms_key: str) -> float | None:
        tokens = time_ms = 0.0
        for r in good:
            t = r.get("timings") or {}
            n_tok, took = tokens_of(t), _num(t.get(ms_key))
            if n_tok is not None and took is not None:
                tokens += n_tok
                time_ms += took
        return round(tokens / time_ms * 1000.0, 2) if time_ms > 0 else None

    def mean(key: str) -> float | None:
        values = [v for v in (_num((r.get("timings") or {}).get(key)) for r in good) if v is not None]
        return round(sum(values) / len(values), 1) if values else None

    return {
        "n": len(good),
        "p50_ms": round(percentile(ms, 50), 1) if ms else None,
        "p95_ms": round(percentile(ms, 95), 1) if ms else None,
        "mean_ms": round(sum(ms) / len(ms), 1) if ms else None,
        "prefill_tps": rate(prefilled_tokens, "prefillMs"),
        "decode_tps": rate(lambda t: _num(t.get("generatedTokens")), "decodeMs"),
        "mean_prompt_tokens": mean("promptTokens"),
        "mean_generated_tokens": mean("generatedTokens"),
        "mean_model_steps": mean("modelSteps"),
        "mean_cached_tokens": mean("cachedTokens"),
        "errors": len(runs) - len(good),
    }


def references_from_manifest(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Returns the python onnxruntime figures of the build's eval: {"onnxruntime-cpu-NAME": {load_ms: None,
    warm_load_ms: None, prefill_tps: None, decode_tps (the export parity check's), p50_ms, p95_ms, n, …}}
    for each ONNX artifact with an eval, or {} when the manifest has none."""
    evals = (manifest.get("eval") or {}).get("artifacts") or {}
    parity = (manifest.get("parity") or {}).get("artifacts") or {}
    out: dict[str, dict[str, Any]] = {}
    for name, art in (manifest.get("artifacts") or {}).items():
        if not isinstance(art, Mapping) or art.get("kind", "onnx") != "onnx":
            continue
        scores = evals.get(name) or art.get("eval") or {}
        if not scores or "onnxruntime" not in str(scores.get("runtime", "onnxruntime")):
            continue
        case_ms = [float(c["ms"]) for c in scores.get("cases") or [] if _num(c.get("ms")) is not None]
        p95 = round(percentile(case_ms, 95), 1) if case_ms else None
        out[f"onnxruntime-cpu-{name}"] = {
            "load_ms": None,
            "warm_load_ms": None,
            "prefill_tps": None,
            "decode_tps": _num((parity.get(name) or {}).get("decode_tps")),
            "p50_ms": _num(scores.get("p50_ms")),
            "p95_ms": p95,
            "n": scores.get("n"),
            "mean_ms": _num(scores.get("ms_per_case")),
            "mean_prompt_tokens": _num(scores.get("mean_prompt_tokens")),
            "mean_generated_tokens": _num(scores.get("mean_generated_tokens")),
            "runtime": scores.get("runtime", "onnxruntime cpu"),
            "artifact": name,
            "exact": _num(scores.get("exact")),
        }
    return out


def _demo_url(base_url: str, backend: str, artifact: str | None) -> str:
    query = {"backend": backend, **({"artifact": artifact} if artifact else {})}
    return f"{base_url}index.html?{urlencode(query)}"


def _page_errors(errors: list[str]) -> str:
    return f" (page errors: {'; '.join(errors[-3:])})" if errors else ""


def _load_demo(context: Any, url: str, errors: list[str]) -> tuple[Any, dict[str, Any]]:
    """Opens the demo page in a context and waits for its agent; returns (page, ready info)."""
    page = context.new_page()
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(url)
    try:
        page.wait_for_function("() => window.demo !== undefined", timeout=30_000)
    except Exception as exc:  # Playwright's TimeoutError
        raise FgwebError(
            f"the demo page at {url} did not start{_page_errors(errors)}: "
            "rebuild the bundle with `fgweb build`"
        ) from exc
    info: dict[str, Any] = page.evaluate(_READY_JS)
    return page, info


def bench_backend(
    browser: Any,
    base_url: str,
    backend: str,
    commands: Sequence[str],
    n: int,
    artifact: str | None = None,
    status: Any = None,
    max_new_tokens: int | None = None,
) -> dict[str, Any]:
    """Measures one backend (see the module docstring); returns its figures, or {"error", …} when the
    runtime could not load or ran another backend than asked. `status(text)` reports progress;
    `max_new_tokens` caps each command's generation (default: the runtime's)."""
    say = status or (lambda text: None)
    url = _demo_url(base_url, backend, artifact)
    errors: list[str] = []
    context = browser.new_context()
    try:
        context.add_init_script(NAVIGATION_GUARD_JS)
        say("cold load")
        page, cold = _load_demo(context, url, errors)
        if cold.get("error"):
            return _failed(backend, f"{cold['error']}{_page_errors(errors)}")
        if cold.get("backend") != backend:
            return _failed(backend, cold.get("fallback") or f"the runtime ran {cold.get('backend')} instead")
        page.close()
        say("warm load")
        page, warm = _load_demo(context, url, errors)
        if warm.get("error"):
            return _failed(backend, f"second load: {warm['error']}{_page_errors(errors)}")
        runs: list[dict[str, Any]] = []
        first: dict[str, Any] | None = None
        for i in range(n + 1):
            command = commands[(i - 1) % len(commands)] if i else commands[-1]
            say(f"{'warm-up' if i == 0 else f'command {i}/{n}'}: {command}")
            outcome: dict[str, Any] = page.evaluate(_RUN_JS, [command, max_new_tokens])
            outcome["command"] = command
            if not page.url.startswith(url.split("?")[0]):
                raise FgwebError(
                    f"{command!r} left the demo page (now at {page.url}); remove it from --commands"
                )
            if i == 0:
                first = outcome
            else:
                runs.append(outcome)
        figures = backend_figures(runs)
        return {
            "load_ms": _round(cold.get("loadMs")),
            "warm_load_ms": _round(warm.get("loadMs")),
            "prefill_tps": figures["prefill_tps"],
            "decode_tps": figures["decode_tps"],
            "p50_ms": figures["p50_ms"],
            "p95_ms": figures["p95_ms"],
            "n": figures["n"],
            "mean_ms": figures["mean_ms"],
            "first_ms": _round((first or {}).get("ms")),
            "page_ready_ms": _round(cold.get("pageReadyMs")),
            "warm_page_ready_ms": _round(warm.get("pageReadyMs")),
            "mean_prompt_tokens": figures["mean_prompt_tokens"],
            "mean_generated_tokens": figures["mean_generated_tokens"],
            "mean_model_steps": figures["mean_model_steps"],
            "errors": figures["errors"],
            "backend": cold.get("backend"),
            "artifact": cold.get("artifact") or artifact,
            "runs": [_run_row(r) for r in runs],
        }
    finally:
        context.close()


def _round(value: Any) -> float | None:
    v = _num(value)
    return round(v, 1) if v is not None else None


def _run_row(run: Mapping[str, Any]) -> dict[str, Any]:
    t = run.get("timings") or {}
    row = {
        "command": run.get("command"),
        "ms": _round(run.get("ms")),
        "prompt_tokens": t.get("promptTokens"),
        "cached_tokens": t.get("cachedTokens"),
        "generated_tokens": t.get("generatedTokens"),
        "model_steps": t.get("modelSteps"),
        "prefill_ms": _round(t.get("prefillMs")),
        "decode_ms": _round(t.get("decodeMs")),
        "act_ms": _round(t.get("actMs")),
        "calls": run.get("calls"),
        "executed": run.get("executed"),
    }
    if run.get("error"):
        row["error"] = run["error"]
    return row


def _failed(backend: str, why: str) -> dict[str, Any]:
    return {**{key: None for key in METRIC_KEYS}, "n": 0, "error": why, "backend": backend}


def run_bench(
    bundle: Path,
    backends: Sequence[str],
    n: int = 20,
    commands_path: Path = BENCH_COMMANDS,
    artifact: str | None = None,
    progress: bool = True,
    max_new_tokens: int | None = None,
) -> dict[str, Any]:
    """Benchmarks each backend on the bundle's demo page; returns {"backends": {NAME: figures},
    "references": {NAME: figures}, "bundle", "commands", "machine", "created"}. `n` commands are timed
    per backend; `max_new_tokens` caps generation (default: the runtime's).

    Raises FgwebError for a bad bundle or command file; a backend that cannot run gets {"error": why}.
    """
    if n < 1:
        raise FgwebError(f"--n {n}: time at least one command")
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        raise FgwebError(f"unknown backend {unknown[0]!r}: choose {', '.join(BACKENDS)}")
    bundle = Path(bundle)
    commands = load_commands(commands_path)
    manifest_path = bundle / "manifest.json"
    if not manifest_path.is_file():
        raise FgwebError(f"{bundle} is not a bundle (no manifest.json): run `fgweb build` or pass --bundle")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    sync_playwright = require_playwright()
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from fgweb.browser import launch

    results: dict[str, dict[str, Any]] = {}
    with served_bundle(bundle) as base_url, sync_playwright() as pw:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), disable=not progress) as bar:
            for backend in backends:
                task = bar.add_task(f"{backend}: starting")
                browser = launch(pw, webgpu=backend == "webgpu")
                try:
                    results[backend] = bench_backend(
                        browser,
                        base_url,
                        backend,
                        commands,
                        n,
                        artifact,
                        status=lambda text, t=task, b=backend: bar.update(t, description=f"{b}: {text}"),
                        max_new_tokens=max_new_tokens,
                    )
                finally:
                    browser.close()
                figures = results[backend]
                done = figures.get("error") or f"p50 {figures.get('p50_ms')} ms"
                bar.update(task, description=f"{backend}: {done}")
    return {
        "backends": results,
        "references": references_from_manifest(manifest),
        "bundle": str(bundle),
        "artifact": artifact or manifest.get("default_artifact"),
        "commands": str(commands_path),
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine()},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


# ---------------------------------------------------------------------------------------------- report


def _fmt(value: Any, unit: str = "") -> str:
    v = _num(value)
    if v is None:
        return "–"
    if unit == "ms" and v >= 1000:
        return f"{v / 1000:.1f} s"
    text = f"{v:.0f}" if abs(v) >= 100 or unit == "ms" else f"{v:.1f}"
    return f"{text} {unit}".strip()


def _ref_label(name: str) -> str:
    return f"{name.removeprefix('onnxruntime-')} (ref)"


def summary_rows(report: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Returns (header, rows) of the report's figures, one row per backend then per reference."""
    header = ["", "load", "warm load", "prefill tok/s", "decode tok/s", "p50", "p95", "n", "tokens/cmd",
              "steps/cmd"]
    rows: list[list[str]] = []
    for kind in ("backends", "references"):
        for name, f in (report.get(kind) or {}).items():
            label = name if kind == "backends" else _ref_label(name)
            if f.get("error"):
                rows.append([label, f"error: {f['error']}", "", "", "", "", "", "0", "", ""])
                continue
            rows.append(
                [
                    label,
                    _fmt(f.get("load_ms"), "ms"),
                    _fmt(f.get("warm_load_ms"), "ms"),
                    _fmt(f.get("prefill_tps")),
                    _fmt(f.get("decode_tps")),
                    _fmt(f.get("p50_ms"), "ms"),
                    _fmt(f.get("p95_ms"), "ms"),
                    str(f.get("n") if f.get("n") is not None else "–"),
                    _fmt(f.get("mean_generated_tokens")),
                    _fmt(f.get("mean_model_steps")),
                ]
            )
    return header, rows


_COLORS = ("#3b6fd8", "#e08a2c", "#3aa262", "#b0479b")


def bar_chart(title: str, unit: str, groups: Sequence[tuple[str, Sequence[tuple[str, float | None]]]]) -> str:
    """Returns an inline SVG of horizontal bars: one group per label, one bar per (series, value);
    missing values are drawn as "–"."""
    values = [v for _, bars in groups for _, v in bars if v is not None]
    top = max(values) if values else 1.0
    top = top if top > 0 else 1.0
    label_w, bar_w, row_h, gap = 190, 380, 18, 10
    series = list(dict.fromkeys(s for _, bars in groups for s, _ in bars))
    height = 30 + sum(len(bars) * row_h + gap for _, bars in groups) + 4
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 170}" height="{height}" '
        f'role="img" aria-label="{html.escape(title)}">',
        f'<text x="0" y="16" font-weight="bold">{html.escape(title)}</text>',
    ]
    y = 30
    for label, bars in groups:
        out.append(f'<text x="0" y="{y + 13}">{html.escape(label)}</text>')
        for s, v in bars:
            color = _COLORS[series.index(s) % len(_COLORS)]
            w = 0 if v is None else max(1, round(v / top * bar_w))
            out.append(
                f'<rect x="{label_w}" y="{y + 2}" width="{w}" height="{row_h - 4}" fill="{color}">'
                f"<title>{html.escape(s)}: {_fmt(v, unit)}</title></rect>"
            )
            out.append(
                f'<text x="{label_w + w + 6}" y="{y + 13}" font-size="12">'
                f"{html.escape(s)} {html.escape(_fmt(v, unit))}</text>"
            )
            y += row_h
        y += gap
    out.append("</svg>")
    return "".join(out)


def render_html(report: Mapping[str, Any]) -> str:
    """Returns the self-contained HTML report of a bench report (tables and inline SVG bar charts)."""
    backends: Mapping[str, Any] = report.get("backends") or {}
    references: Mapping[str, Any] = report.get("references") or {}
    everyone = [*backends.items(), *((_ref_label(k), v) for k, v in references.items())]
    header, rows = summary_rows(report)
    table = ["<table><thead><tr>", *(f"<th>{html.escape(h)}</th>" for h in header), "</tr></thead><tbody>"]
    for row in rows:
        table.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
    table.append("</tbody></table>")
    charts = [
        bar_chart(
            "Load time (createAgent until ready)",
            "ms",
            [
                (name, [("cold", f.get("load_ms")), ("warm", f.get("warm_load_ms"))])
                for name, f in backends.items()
            ],
        ),
        bar_chart(
            "Command to action (agent.run, execute)",
            "ms",
            [(name, [("p50", f.get("p50_ms")), ("p95", f.get("p95_ms"))]) for name, f in everyone],
        ),
        bar_chart(
            "Prefill speed", "tok/s", [(name, [("prefill", f.get("prefill_tps"))]) for name, f in everyone]
        ),
        bar_chart(
            "Decode speed", "tok/s", [(name, [("decode", f.get("decode_tps"))]) for name, f in everyone]
        ),
    ]
    runs: list[str] = []
    for name, f in backends.items():
        if f.get("error"):
            runs.append(f"<p class=error>{html.escape(name)}: {html.escape(str(f['error']))}</p>")
            continue
        runs.append(
            f"<h3>{html.escape(name)}: every timed command</h3><table><thead><tr><th>command</th>"
            "<th>ms</th><th>prompt tokens</th><th>cached</th><th>generated</th><th>model steps</th>"
            "<th>prefill ms</th>"
            "<th>decode ms</th>"
            "<th>calls</th><th>executed</th></tr></thead><tbody>"
        )
        for r in f.get("runs") or []:
            cells = [
                r.get("command"),
                _fmt(r.get("ms")),
                r.get("prompt_tokens"),
                r.get("cached_tokens"),
                r.get("generated_tokens"),
                r.get("model_steps"),
                _fmt(r.get("prefill_ms")),
                _fmt(r.get("decode_ms")),
                r.get("calls"),
                r.get("error") or r.get("executed"),
            ]
            runs.append(
                "<tr>"
                + "".join(f"<td>{html.escape(str(c if c is not None else '–'))}</td>" for c in cells)
                + "</tr>"
            )
        runs.append("</tbody></table>")
    machine = report.get("machine") or {}
    meta = (
        f"bundle {report.get('bundle')} · artifact {report.get('artifact')} · {report.get('created')} · "
        f"{machine.get('platform', '')}"
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>fgweb bench</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #ccc; padding: 3px 8px; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
svg {{ display: block; margin: 1.5em 0; font: 13px system-ui, sans-serif; }}
.meta {{ color: #666; }} .error {{ color: #b00; }}
</style>
</head>
<body>
<h1>fgweb bench</h1>
<p class="meta">{html.escape(meta)}</p>
<p>Load: createAgent until ready, cold (fresh browser context) and warm (second load, caches filled).
Latency: wall time of <code>agent.run(command, {{execute: true}})</code> on the demo page. References: python
onnxruntime on the build machine's CPU, from the bundle's eval.</p>
{"".join(table)}
{"".join(charts)}
{"".join(runs)}
</body>
</html>
"""


def write_html(report: Mapping[str, Any], path: Path) -> None:
    """Writes `render_html(report)` to path (parent folders created); returns None."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
