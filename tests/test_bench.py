"""The figures and the report of `fgweb bench` (fgweb/bench.py) that are computed in Python, without a
browser (e2e/test_bench_in_browser.py runs the benchmark in Chromium)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fgweb.bench import (
    BENCH_COMMANDS,
    METRIC_KEYS,
    _run_row,
    backend_figures,
    bar_chart,
    load_commands,
    references_from_manifest,
    render_html,
    summary_rows,
)
from fgweb.cli import main
from fgweb.errors import FgwebError


def test_bench_commands_are_twenty_commands() -> None:
    commands = load_commands(BENCH_COMMANDS)
    assert len(commands) == 20 and all(not c.startswith("#") for c in commands)


def run(ms: float, prompt: int, prefill: float, gen: int, decode: float) -> dict[str, Any]:
    return {
        "ms": ms,
        "timings": {"promptTokens": prompt, "prefillMs": prefill, "generatedTokens": gen, "decodeMs": decode},
    }


def test_backend_figures_sum_tokens_over_time_and_skip_errors() -> None:
    runs = [run(1000, 300, 500, 10, 400), run(3000, 100, 500, 30, 600), {"ms": 9, "error": "boom"}]
    f = backend_figures(runs)
    assert f["n"] == 2 and f["errors"] == 1
    assert f["prefill_tps"] == 400.0  # 400 tokens in 1 s
    assert f["decode_tps"] == 40.0  # 40 tokens in 1 s
    assert (f["p50_ms"], f["p95_ms"]) == (2000.0, 2900.0)
    empty = backend_figures([])
    assert empty["n"] == 0 and empty["p50_ms"] is None and empty["decode_tps"] is None


def test_references_come_from_the_manifest_eval() -> None:
    manifest = {
        "artifacts": {
            "int8": {"kind": "onnx", "eval": {"p50_ms": 88.3, "n": 4}},
            "gguf-q8_0": {"kind": "gguf", "eval": {"p50_ms": 300.0, "n": 4}},
        },
        "eval": {
            "artifacts": {
                "int8": {
                    "runtime": "onnxruntime cpu",
                    "n": 4,
                    "p50_ms": 88.3,
                    "ms_per_case": 111.3,
                    "cases": [{"ms": m} for m in (80, 90, 100, 200)],
                }
            }
        },
        "parity": {"artifacts": {"int8": {"decode_tps": 476.13}}},
    }
    refs = references_from_manifest(manifest)
    assert list(refs) == ["onnxruntime-cpu-int8"]
    ref = refs["onnxruntime-cpu-int8"]
    assert set(METRIC_KEYS) <= set(ref)
    assert ref["p50_ms"] == 88.3 and ref["decode_tps"] == 476.13 and ref["n"] == 4
    assert ref["p95_ms"] == pytest.approx(185.0)
    assert references_from_manifest({}) == {}


def test_html_report_is_self_contained_with_a_chart_per_figure() -> None:
    figures = {
        "load_ms": 1500.0,
        "warm_load_ms": 300.0,
        "prefill_tps": 90.0,
        "decode_tps": 5.5,
        "p50_ms": 9000.0,
        "p95_ms": 12000.0,
        "n": 20,
        "runs": [{"command": "click <b>sign in</b>", "ms": 9000.0}],
    }
    report = {
        "backends": {"wasm": figures, "webgpu": {"error": "no WebGPU adapter", "n": 0}},
        "references": {"onnxruntime-cpu-int8": {"p50_ms": 88.0, "decode_tps": 400.0}},
    }
    page = render_html(report)
    assert page.count("<svg") == 4
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "click &lt;b&gt;sign in&lt;/b&gt;" in page and "no WebGPU adapter" in page
    header, rows = summary_rows(report)
    assert rows[0][:2] == ["wasm", "1.5 s"] and rows[0][2] == "300 ms"
    assert rows[1][1].startswith("error:") and rows[2][0].endswith("(ref)")


def test_bar_chart_scales_bars_to_the_largest_value() -> None:
    svg = bar_chart("t", "ms", [("a", [("p50", 50.0)]), ("b", [("p50", 100.0)]), ("c", [("p50", None)])])
    assert 'width="190"' in svg and 'width="380"' in svg and 'width="0"' in svg


def test_load_commands_refuses_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text("# only a comment\n\n")
    with pytest.raises(FgwebError, match="no commands"):
        load_commands(path)


def test_model_steps_are_reported_beside_generated_tokens() -> None:
    # With jump-forward, the tokens the call grammar forces cost no model step of their own.
    runs = [
        {"ms": 900.0, "command": "tick remember me",
         "timings": {"promptTokens": 600, "prefillMs": 500, "generatedTokens": 30, "modelSteps": 12,
                     "decodeMs": 400}},
        {"ms": 700.0,
         "timings": {"promptTokens": 600, "prefillMs": 500, "generatedTokens": 20, "modelSteps": 8,
                     "decodeMs": 300}},
    ]
    figures = backend_figures(runs)
    assert (figures["mean_generated_tokens"], figures["mean_model_steps"]) == (25.0, 10.0)
    assert _run_row(runs[0])["generated_tokens"] == 30 and _run_row(runs[0])["model_steps"] == 12
    header, rows = summary_rows({"backends": {"wasm": {**figures, "load_ms": 1.0}}})
    assert header[-2:] == ["tokens/cmd", "steps/cmd"] and rows[0][-2:] == ["25.0", "10.0"]
    page = render_html({"backends": {"wasm": {**figures, "runs": [_run_row(runs[0])]}}})
    assert "<th>model steps</th>" in page and "<td>12</td>" in page


def test_prefill_speed_counts_only_the_tokens_not_taken_from_the_kv_cache() -> None:
    cached = {
        "ms": 500,
        "timings": {
            "promptTokens": 600,
            "cachedTokens": 500,
            "prefillMs": 250,
            "generatedTokens": 5,
            "decodeMs": 250,
        },
    }
    assert backend_figures([cached])["prefill_tps"] == 400.0  # 100 new tokens in 0.25 s


def test_cli_bench_with_bad_options_fails_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "manifest.json").write_text("{}")
    assert main(["bench", "--bundle", str(bundle), "--n", "0"]) == 1
    assert "--n 0" in capsys.readouterr().err
    empty = tmp_path / "commands.txt"
    empty.write_text("\n")
    assert main(["bench", "--bundle", str(bundle), "--commands", str(empty)]) == 1
    assert "no commands" in capsys.readouterr().err
