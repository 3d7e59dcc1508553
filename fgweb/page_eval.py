"""`fgweb eval --cases FILE.jsonl --backend wasm|webgpu`: score the browser runtime on HTML cases.

    fgweb eval --bundle export/default --backend wasm                  # the packaged demo cases
    fgweb eval --bundle export/default --cases my.jsonl --backend webgpu --json out.json

    from fgweb.page_eval import load_cases, evaluate_cases, open_harness
    cases = load_cases(Path("my.jsonl"), toolset)               # FgwebError naming the line on bad input
    report = evaluate_cases(Path("export/tiny"), Path("my.jsonl"), backend="wasm")
    with open_harness(Path("export/tiny")) as harness:          # the pieces, for tests
        agent = harness.create_agent("wasm")
        result = score_case(cases[0], agent.run_case(cases[0]), agent.url)

Case file (DESIGN.md, "Test and measure"): one JSON object per line,

    {"id": "signin-1", "html": "<form>…</form>", "command": "sign in as ann@example.com",
     "expected": [{"name": "type_text", "arguments": {"element": "#email", "text": "ann@example.com"}}, …],
     "accept": [[…other call lists that are equally right…]]}

`id` (default `case-LINE`), `accept`, `tags` and `note` are optional. An `element` argument is the CSS
selector of the target inside the case's html; `ref` is never given (snapshot numbering is the runtime's).

How it runs: the bundle is served by `fgweb.server` on a free port; Chromium opens a harness page
(`/__fgweb_case.html`, answered by Playwright with the server's isolation headers, so it is same-origin
with the bundle), loads `/fgweb.js` and creates ONE agent that every case reuses. Each case's html becomes
the content of a container element, the container is the agent's root, and the command runs with
`{execute: false}`. The page reports, for every call, which expected selectors its ref's element is
(`same`) or is an ancestor/descendant of with the same trimmed text (`text`); scoring is done here in
Python (`score_case`), so it is unit-tested without a browser.

Scores over N cases (fractions in 0..1, null where nothing was expected):
- exact: the call list matches `expected` or one of `accept`, in order (tool names, element targets, every
  other argument), and every call passed the runtime's validation (an invalid call is never executed).
  A case expecting `[]` is right when the model calls nothing (a words answer, or an empty completion).
- tool: the first call's tool name is right (for `[]`: no call was made).
- args: of the expected calls (of the alternative closest to what was produced), the fraction whose
  arguments all match the produced call at the same position.
- valid: of all calls produced, the fraction that passed validation; a completion that does not parse
  counts as one invalid call (null when nothing was called at all).
The report also gives these scores per tag (`by_tag`): each of a case's `tags`, `tool:NAME` for every
tool its expected calls use, and `no call` for the cases that expect none.
Each case's result also keeps what the model wrote (`completion`, `text`, `parse_error`), the runtime's
`timings`, and `ms`: the wall time of `agent.run` in the page (snapshot, generation, checks).
Argument matching: `element` by target (for `read_text` and `scroll` an ancestor/descendant with the same
trimmed text also counts); strings exact after trimming (`url` values resolved against the page URL
first, so "/orders" and "http://host/orders" agree); numbers by value; booleans and others exactly.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from fgweb.errors import FgwebError
from fgweb.server import ISOLATION_HEADERS

CASES_DIR = Path(__file__).resolve().parent / "cases"
DEMO_CASES = CASES_DIR / "demo.jsonl"
BROWSER_BACKENDS: tuple[str, ...] = ("wasm", "webgpu", "wllama")
HARNESS_PATH = "__fgweb_case.html"
CONTAINER_ID = "fgweb-case"
# Tools whose target may be given loosely: any ancestor/descendant holding the same text is as good.
LOOSE_TOOLS: frozenset[str] = frozenset({"read_text", "scroll"})
CASE_KEYS: frozenset[str] = frozenset({"id", "html", "command", "expected", "accept", "tags", "note"})
_SCHEMA_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}

HARNESS_HTML = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>fgweb eval</title>
<script src="/fgweb.js"></script>
</head>
<body>
<div id="{CONTAINER_ID}"></div>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------- cases


@dataclass
class Case:
    """One eval case: `expected` and each list of `accept` hold calls whose `element` is a CSS selector."""

    id: str
    html: str
    command: str
    expected: list[dict[str, Any]]
    accept: list[list[dict[str, Any]]] = field(default_factory=list)
    line: int = 0
    tags: list[str] = field(default_factory=list)

    @property
    def alternatives(self) -> list[list[dict[str, Any]]]:
        """Returns every call list that counts as right: `expected` first, then `accept`."""
        return [self.expected, *self.accept]

    @property
    def selectors(self) -> list[str]:
        """Returns the distinct `element` selectors of all alternatives, in order of appearance."""
        seen: dict[str, None] = {}
        for calls in self.alternatives:
            for call in calls:
                sel = call["arguments"].get("element")
                if isinstance(sel, str):
                    seen.setdefault(sel, None)
        return list(seen)


def _type_ok(value: Any, schema: Mapping[str, Any]) -> bool:
    type_name = schema.get("type")
    if isinstance(type_name, str) and type_name in _SCHEMA_TYPES:
        if isinstance(value, bool) and type_name != "boolean":
            return False
        if type_name == "integer" and isinstance(value, float):
            return value.is_integer()
        if not isinstance(value, _SCHEMA_TYPES[type_name]):
            return False
    enum = schema.get("enum")
    return not (isinstance(enum, list) and value not in enum)


def _check_call(call: Any, toolset: Any, where: str) -> dict[str, Any]:
    """Returns the call as {"name", "arguments"}; raises FgwebError (prefixed with `where`) if it is bad."""
    if not isinstance(call, dict):
        raise FgwebError(f'{where}: a call must be an object {{"name": …, "arguments": {{…}}}}')
    extra = sorted(set(call) - {"name", "arguments"})
    if extra:
        raise FgwebError(f"{where}: unknown key {extra[0]!r} in a call (a call has name and arguments)")
    name = call.get("name")
    if not isinstance(name, str) or not name:
        raise FgwebError(f'{where}: the call has no "name"')
    tool = toolset.get(name)
    if tool is None:
        raise FgwebError(
            f"{where}: unknown tool {name!r} (the bundle's tools are {', '.join(toolset.names)})"
        )
    args = call.get("arguments", {})
    if not isinstance(args, dict):
        raise FgwebError(f'{where}: "arguments" of {name} must be an object')
    props: dict[str, Any] = tool.parameters.get("properties", {})
    if "ref" in args:
        raise FgwebError(
            f"{where}: {name} has a ref; leave it out and give element as a CSS selector of the target"
        )
    for key, value in args.items():
        if key not in props:
            raise FgwebError(f"{where}: {name} has no argument {key!r} (it takes {', '.join(sorted(props))})")
        if key == "element":
            if not isinstance(value, str) or not value.strip():
                raise FgwebError(f"{where}: {name}'s element must be a CSS selector string")
        elif not _type_ok(value, props[key]):
            raise FgwebError(
                f"{where}: {name}'s {key}={json.dumps(value)} does not fit its schema {props[key]}"
            )
    required = [k for k in tool.parameters.get("required", []) if k != "ref"]
    missing = [k for k in required if k not in args]
    if missing:
        raise FgwebError(f"{where}: {name} lacks the required argument {missing[0]!r}")
    return {"name": name, "arguments": dict(args)}


def _check_calls(value: Any, toolset: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise FgwebError(f"{where} must be a list of calls ([] when no call is right)")
    return [_check_call(call, toolset, f"{where}[{i}]") for i, call in enumerate(value)]


def parse_case(record: Any, toolset: Any, line: int = 0) -> Case:
    """Returns the Case of one decoded JSON line; raises FgwebError saying what is wrong (not where)."""
    if not isinstance(record, dict):
        raise FgwebError("a case must be a JSON object with html, command and expected")
    unknown = sorted(set(record) - CASE_KEYS)
    if unknown:
        raise FgwebError(f"unknown key {unknown[0]!r} (a case has {', '.join(sorted(CASE_KEYS))})")
    for key in ("html", "command", "expected"):
        if key not in record:
            raise FgwebError(f'missing key "{key}"')
    for key in ("html", "command"):
        if not isinstance(record[key], str) or not record[key].strip():
            raise FgwebError(f'"{key}" must be a non-empty string')
    expected = _check_calls(record["expected"], toolset, "expected")
    accept_raw = record.get("accept", [])
    if not isinstance(accept_raw, list):
        raise FgwebError('"accept" must be a list of call lists')
    accept = [_check_calls(calls, toolset, f"accept[{i}]") for i, calls in enumerate(accept_raw)]
    case_id = record.get("id", f"case-{line}")
    if not isinstance(case_id, (str, int)) or isinstance(case_id, bool) or str(case_id) == "":
        raise FgwebError('"id" must be a non-empty string')
    tags = record.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise FgwebError('"tags" must be a list of non-empty strings')
    return Case(str(case_id), record["html"], record["command"], expected, accept, line, list(tags))


def load_cases(path: Path, toolset: Any) -> list[Case]:
    """Returns the cases of a JSONL file (blank lines skipped), checked against the toolset.

    Raises FgwebError naming the file and line for a line that is not JSON, lacks a key, names an unknown
    tool or argument, gives a `ref`, or repeats an id.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FgwebError(f"--cases {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FgwebError(f"--cases {path}: cannot read it ({exc})") from exc
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise FgwebError(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        try:
            case = parse_case(record, toolset, number)
        except FgwebError as exc:
            raise FgwebError(f"{path}:{number}: {exc}") from None
        if case.id in seen:
            raise FgwebError(f"{path}:{number}: id {case.id!r} is already used on line {seen[case.id]}")
        seen[case.id] = number
        cases.append(case)
    if not cases:
        raise FgwebError(f"{path} holds no cases: write one JSON object per line (see DESIGN.md)")
    return cases


def is_page_case_file(path: Path) -> bool:
    """Returns whether a JSONL file holds page cases (its first record has `html`), as opposed to the
    dataset records (`snapshot`, `calls`) that `--backend python` scores."""
    try:
        with Path(path).open(encoding="utf-8") as f:
            first = next((line for line in f if line.strip()), "")
        record = json.loads(first) if first else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    # Dataset records carry their page's html too, beside the `snapshot` that page cases lack.
    return isinstance(record, dict) and "html" in record and "snapshot" not in record


# ---------------------------------------------------------------------------------------------- scoring


@dataclass
class CaseResult:
    """One scored case. `calls` are the produced calls as the page reported them: name, arguments (with
    the model's element name and ref), `target` (a CSS selector of the element the ref points to, or
    None), `valid` and `issues`."""

    id: str
    ok: bool
    calls: list[dict[str, Any]]
    expected: list[dict[str, Any]]
    ms: float
    error: str | None = None
    command: str = ""
    line: int = 0
    tool_ok: bool = False
    args_matched: int = 0
    args_expected: int = 0
    valid_calls: int = 0
    n_calls: int = 0
    text: str = ""
    completion: str = ""
    parse_error: dict[str, Any] | None = None
    timings: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)


def _same_value(key: str, want: Any, got: Any, base_url: str) -> bool:
    if isinstance(want, str) and isinstance(got, str):
        a, b = want.strip(), got.strip()
        if key == "url" and base_url:
            return urljoin(base_url, a) == urljoin(base_url, b)
        return a == b
    numbers = (int, float)
    if isinstance(want, numbers) and isinstance(got, numbers):
        if isinstance(want, bool) or isinstance(got, bool):
            return isinstance(want, bool) and isinstance(got, bool) and want == got
        return float(want) == float(got)
    return json.dumps(want, sort_keys=True) == json.dumps(got, sort_keys=True)


def args_match(want: Mapping[str, Any], got: Mapping[str, Any], base_url: str = "") -> bool:
    """Returns whether a produced call's arguments match an expected call's (tool names not compared).

    `want` is {"name", "arguments"} with `element` a selector; `got` is a call as the page reports it,
    with `matches` = {selector: "same" | "text"} for the expected selectors its element is, or relates to.
    """
    want_args = dict(want.get("arguments") or {})
    got_args = dict(got.get("arguments") or {})
    selector = want_args.pop("element", None)
    got_args.pop("ref", None)
    got_element = got_args.pop("element", None)
    if selector is None:
        if got_element is not None or got.get("ref") is not None:
            return False
    else:
        relation = (got.get("matches") or {}).get(selector)
        loose = want.get("name") in LOOSE_TOOLS or got.get("name") in LOOSE_TOOLS
        if not (relation == "same" or (relation == "text" and loose)):
            return False
    if set(want_args) != set(got_args):
        return False
    return all(_same_value(k, want_args[k], got_args[k], base_url) for k in want_args)


def call_matches(want: Mapping[str, Any], got: Mapping[str, Any], base_url: str = "") -> bool:
    """Returns whether a produced call is the expected call: same tool, `args_match`."""
    return want.get("name") == got.get("name") and args_match(want, got, base_url)


def score_case(case: Case, outcome: Mapping[str, Any], base_url: str = "") -> CaseResult:
    """Scores what the page reported for one case (`calls`, `text`, `completion`, `parseError`, `timings`,
    `ms`, or `error` when the run threw). Returns its CaseResult."""
    calls = [dict(c) for c in outcome.get("calls") or []]
    parse_error = outcome.get("parseError")
    result = CaseResult(
        id=case.id,
        ok=False,
        calls=calls,
        expected=case.expected,
        ms=round(float(outcome.get("ms") or 0.0), 1),
        command=case.command,
        line=case.line,
        text=str(outcome.get("text") or ""),
        completion=str(outcome.get("completion") or ""),
        parse_error=dict(parse_error) if isinstance(parse_error, Mapping) else None,
        timings=dict(outcome.get("timings") or {}),
        args_expected=len(case.expected),
        tags=list(case.tags),
    )
    if outcome.get("error"):
        result.error = str(outcome["error"])
        result.n_calls = 1  # the run failed: count it as one invalid call
        return result
    # An empty completion is still "no call"; any other parse error is a broken output.
    broken = result.parse_error is not None and result.parse_error.get("code") != "empty"
    result.n_calls = len(calls) + (1 if broken else 0)
    result.valid_calls = sum(1 for c in calls if c.get("valid"))
    alternatives = case.alternatives
    if not broken:
        result.tool_ok = any(
            (not alt and not calls) or (bool(alt) and bool(calls) and alt[0]["name"] == calls[0].get("name"))
            for alt in alternatives
        )
    all_valid = result.valid_calls == len(calls)
    exact = next(
        (
            alt
            for alt in alternatives
            if len(alt) == len(calls)
            and all(call_matches(w, g, base_url) for w, g in zip(alt, calls, strict=True))
        ),
        None,
    )

    def positional(alt: list[dict[str, Any]]) -> int:
        return sum(1 for w, g in zip(alt, calls, strict=False) if args_match(w, g, base_url))

    chosen = exact if exact is not None else max(alternatives, key=positional)  # max keeps the first on ties
    result.args_expected = len(chosen)
    result.args_matched = 0 if broken else positional(chosen)
    result.ok = exact is not None and all_valid and not broken
    problems: list[str] = []
    if broken and result.parse_error is not None:
        problems.append(f"parse: {result.parse_error.get('code')}: {result.parse_error.get('message', '')}")
    for i, call in enumerate(calls):
        if not call.get("valid"):
            why = "; ".join(str(issue.get("message", issue)) for issue in call.get("issues") or [])
            problems.append(f"call {i} ({call.get('name')}) invalid: {why or 'no reason given'}")
    result.error = "; ".join(problems) or None
    return result


def percentile(values: Sequence[float], q: float) -> float:
    """Returns the q-th percentile (0..100) of values, linearly interpolated; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summarize(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Returns the metrics of scored cases: n, exact, tool, args, valid, ms_per_case, p50_ms, p95_ms, and
    the mean generated tokens and model steps (forward passes after the prompt's) per case, from the
    runtime's timings (None when no case reports them)."""
    n = len(results)

    def frac(count: int, total: int) -> float | None:
        return round(count / total, 4) if total else None

    expected_calls = sum(r.args_expected for r in results)
    produced = sum(r.n_calls for r in results)
    ms = [r.ms for r in results]
    return {
        "n": n,
        "exact": frac(sum(r.ok for r in results), n) or 0.0,
        "tool": frac(sum(r.tool_ok for r in results), n) or 0.0,
        "args": frac(sum(r.args_matched for r in results), expected_calls),
        "valid": frac(sum(r.valid_calls for r in results), produced),
        "ms_per_case": round(statistics.fmean(ms), 1) if ms else 0.0,
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "mean_generated_tokens": _mean_timing(results, "generatedTokens"),
        "mean_model_steps": _mean_timing(results, "modelSteps"),
    }


def _mean_timing(results: Sequence[CaseResult], key: str) -> float | None:
    values = [float(v) for r in results if isinstance(v := r.timings.get(key), (int, float))
              and not isinstance(v, bool)]
    return round(statistics.fmean(values), 1) if values else None


def summarize_by_tag(results: Sequence[CaseResult]) -> dict[str, dict[str, Any]]:
    """Returns `summarize` of the cases carrying each tag (tags sorted; a case counts under each of its
    tags), plus `tool:<name>` for the cases whose expected calls use each tool and `no call` for the
    cases that expect none."""
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        keys = set(r.tags)
        keys.update(f"tool:{c['name']}" for c in r.expected)
        if not r.expected:
            keys.add("no call")
        for key in keys:
            groups.setdefault(key, []).append(r)
    return {key: summarize(groups[key]) for key in sorted(groups)}


# ---------------------------------------------------------------------------------------------- browser

# How the page reports a thrown error: the FgwebError's type, then its message.
_ERROR_TEXT_JS = (
    "const errorText = (e) => `${e && e.type ? e.type + ': ' : ''}${e && e.message ? e.message : e}`;"
)

# Resolves every selector of every case against its html, before any model is loaded.
_PREFLIGHT_JS = """(cases) => {
  const box = document.getElementById('__CONTAINER__');
  const problems = [];
  for (const c of cases) {
    box.innerHTML = c.html;
    for (const s of c.selectors) {
      let el = null;
      try {
        el = box.querySelector(s);
      } catch (e) {
        problems.push([c.index, s, 'is not a valid CSS selector']);
        continue;
      }
      if (!el) problems.push([c.index, s, "matches nothing in the case's html"]);
    }
  }
  box.innerHTML = '';
  return problems;
}""".replace("__CONTAINER__", CONTAINER_ID)

_CREATE_AGENT_JS = """async ({backend, artifact, root, maxNewTokens, constrain}) => {
  __ERROR_TEXT__
  const t0 = performance.now();
  const options = {bundle: '/', backend, onProgress: (e) => {
    try {
      window.__fgwebProgress({phase: e.phase, file: e.file ?? null, loaded: e.loaded ?? null,
                              total: e.total ?? null, message: e.message ?? ''});
    } catch (_) {}
  }};
  if (artifact) options.artifact = artifact;
  if (maxNewTokens) options.maxNewTokens = maxNewTokens;
  if (constrain) options.constrain = constrain;
  if (root) options.root = document.getElementById(root);
  try {
    window.__fgwebAgent = await window.fgweb.createAgent(options);
  } catch (e) {
    return {error: errorText(e)};
  }
  const a = window.__fgwebAgent;
  return {loadMs: performance.now() - t0, agentLoadMs: a.loadMs ?? null, backend: a.backend,
          fallback: a.fallback ?? null, artifact: a.artifact ?? null};
}""".replace("__ERROR_TEXT__", _ERROR_TEXT_JS)

# Runs one case without executing and reports each call's target and its relation to the expected
# selectors ("same", or "text": an ancestor/descendant with the same trimmed text). With `completion`,
# that text stands for the model's output (agent.runCompletion, the runtime's test seam).
_RUN_CASE_JS = """async ({html, command, selectors, completion}) => {
  __ERROR_TEXT__
  const box = document.getElementById('__CONTAINER__');
  box.innerHTML = html;
  const norm = (el) => (el.textContent || '').replace(/\\s+/g, ' ').trim();
  const selectorOf = (el) => {
    const id = el.id ? '#' + CSS.escape(el.id) : '';
    if (id && box.querySelectorAll(id).length === 1) return id;
    const parts = [];
    for (let node = el; node && node !== box; node = node.parentElement) {
      let i = 1;
      for (let s = node.previousElementSibling; s; s = s.previousElementSibling) {
        if (s.tagName === node.tagName) i++;
      }
      parts.unshift(`${node.tagName.toLowerCase()}:nth-of-type(${i})`);
    }
    return ':scope > ' + parts.join(' > ');
  };
  const t0 = performance.now();
  let r;
  try {
    const agent = window.__fgwebAgent;
    r = completion === null ? await agent.run(command, {execute: false, root: box})
      : await agent.runCompletion(completion, {execute: false, root: box, command});
  } catch (e) {
    return {error: errorText(e), ms: performance.now() - t0};
  }
  const ms = performance.now() - t0;
  const targets = selectors.map((s) => box.querySelector(s));
  const calls = (r.calls || []).map((c) => {
    const el = c.element || null;
    const matches = {};
    if (el) selectors.forEach((s, i) => {
      const t = targets[i];
      if (!t) return;
      if (t === el) matches[s] = 'same';
      else if ((t.contains(el) || el.contains(t)) && norm(t) === norm(el)) matches[s] = 'text';
    });
    const issues = (c.issues || []).map((i) => ({code: i.code, argument: i.argument ?? null,
                                                 message: i.message}));
    return {name: c.name, arguments: c.arguments, ref: c.ref ?? null, valid: !!c.valid, issues,
            target: el ? selectorOf(el) : null, matches};
  });
  return {calls, text: r.text || '', completion: r.completion || '', parseError: r.parseError || null,
          timings: r.timings || {}, ms};
}""".replace("__CONTAINER__", CONTAINER_ID).replace("__ERROR_TEXT__", _ERROR_TEXT_JS)


def require_playwright() -> Any:
    """Returns `playwright.sync_api.sync_playwright`, or raises FgwebError saying how to install it."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise FgwebError(
            "the browser backends need Playwright: pip install 'fgweb[browser]' (the system Chromium is "
            "used; never run `playwright install`)"
        ) from None
    return sync_playwright


def fulfill_harness(route: Any, body: str = HARNESS_HTML) -> None:
    """Answers a Playwright route with an HTML page (`body`) carrying the dev server's isolation headers."""
    headers = {name: value for name, value in ISOLATION_HEADERS}
    headers["content-type"] = "text/html; charset=utf-8"
    headers["cache-control"] = "no-store"
    route.fulfill(status=200, headers=headers, body=body)


@contextmanager
def served_bundle(bundle: Path) -> Iterator[str]:
    """Serves the bundle on a free 127.0.0.1 port; yields its base URL (ending in "/")."""
    from fgweb.server import open_server

    with open_server(Path(bundle), "127.0.0.1", 0) as dev:
        yield dev.url


@dataclass
class PageAgent:
    """An agent living in the harness page (`Harness.create_agent`); cases run on it one after another."""

    page: Any
    url: str
    load_ms: float
    backend: str
    fallback: str | None
    artifact: str | None
    errors: list[str]

    def run_case(self, case: Case, completion: str | None = None) -> dict[str, Any]:
        """Runs one case in the page (execute: false); returns the page's raw outcome (see `score_case`).
        With `completion`, that text stands for the model's output (the runtime checks and resolves it as
        it would the model's: agent.runCompletion)."""
        outcome: dict[str, Any] = self.page.evaluate(
            _RUN_CASE_JS,
            {"html": case.html, "command": case.command, "selectors": case.selectors,
             "completion": completion},
        )
        return outcome


def _page_error_text(errors: list[str]) -> str:
    return f" (page errors: {'; '.join(errors[-3:])})" if errors else ""


@dataclass
class Harness:
    """The harness page (`/__fgweb_case.html` beside the bundle, `window.fgweb` loaded): what
    `open_harness` yields."""

    page: Any
    url: str
    errors: list[str]

    def check_selectors(self, cases: Sequence[Case]) -> list[tuple[Case, str, str]]:
        """Returns (case, selector, why) for each selector of the cases that is not valid CSS or matches
        nothing in its case's html; loads no model."""
        problems = self.page.evaluate(
            _PREFLIGHT_JS,
            [{"index": i, "html": c.html, "selectors": c.selectors} for i, c in enumerate(cases)],
        )
        return [(cases[index], selector, why) for index, selector, why in problems]

    def create_agent(
        self,
        backend: str = "wasm",
        artifact: str | None = None,
        max_new_tokens: int | None = None,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
        constrain: str | None = None,
    ) -> PageAgent:
        """Creates the page's agent (`window.__fgwebAgent`, root: the case container); returns it.

        Raises FgwebError with the runtime's message when the model cannot load, or when webgpu was asked
        for and the runtime fell back to another backend.
        """
        self.page.expose_function("__fgwebProgress", on_progress or (lambda event: None))
        info: dict[str, Any] = self.page.evaluate(
            _CREATE_AGENT_JS,
            {"backend": backend, "artifact": artifact, "root": CONTAINER_ID, "maxNewTokens": max_new_tokens,
             "constrain": constrain},
        )
        if info.get("error"):
            raise FgwebError(
                f"the runtime could not load the model on {backend}: {info['error']}"
                f"{_page_error_text(self.errors)}"
            )
        if backend in ("webgpu", "wllama") and info.get("backend") != backend:
            why = info.get("fallback") or f"the runtime chose {info.get('backend')}"
            raise FgwebError(f"--backend {backend} was asked for but did not run ({why})")
        return PageAgent(
            page=self.page,
            url=self.url,
            load_ms=float(info["loadMs"]),
            backend=str(info["backend"]),
            fallback=info.get("fallback"),
            artifact=info.get("artifact"),
            errors=self.errors,
        )


@contextmanager
def open_harness(bundle: Path, webgpu: bool = False) -> Iterator[Harness]:
    """Serves the bundle on a free port, launches headless Chromium (service workers blocked) and opens
    the harness page; yields the Harness and closes everything on exit.

    Raises FgwebError when Playwright or Chromium is missing or the bundle's fgweb.js does not load.
    """
    sync_playwright = require_playwright()
    from fgweb.browser import launch

    with served_bundle(Path(bundle)) as base_url, sync_playwright() as pw:
        browser = launch(pw, webgpu=webgpu)
        try:
            context = browser.new_context(service_workers="block")
            url = base_url + HARNESS_PATH
            context.route(url, lambda route: fulfill_harness(route))
            errors: list[str] = []
            page = context.new_page()
            page.on("pageerror", lambda err: errors.append(str(err)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.goto(url)
            try:
                page.wait_for_function(
                    "() => window.fgweb && typeof window.fgweb.createAgent === 'function'", timeout=15_000
                )
            except Exception as exc:  # Playwright's TimeoutError
                raise FgwebError(
                    f"the bundle's fgweb.js did not load in the harness page{_page_error_text(errors)}: "
                    "rebuild the bundle with `fgweb build`"
                ) from exc
            yield Harness(page=page, url=url, errors=errors)
        finally:
            browser.close()


def _progress_bar(enabled: bool) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=Console(stderr=True),
        disable=not enabled,
    )


def evaluate_cases(
    bundle: Path,
    cases_path: Path | None = None,
    backend: str = "wasm",
    artifact: str | None = None,
    limit: int = 0,
    progress: bool = True,
    max_new_tokens: int | None = None,
    constrain: str | None = None,
) -> dict[str, Any]:
    """`fgweb eval --cases FILE --backend wasm|webgpu`: runs every case in headless Chromium on one agent.

    `cases_path` defaults to the packaged demo cases; `limit` keeps the first N (0 = all);
    `max_new_tokens` caps generation (default: the runtime's); `constrain` is the agent's option
    ('snapshot' or 'none'; default: the runtime's, 'snapshot').
    Returns the report: n, exact, tool, args, valid, ms_per_case, p50_ms, p95_ms, backend, fallback,
    artifact, load_ms, bundle, cases_file, `by_tag` (the same metrics per tag, `summarize_by_tag`) and
    `cases` (one CaseResult dict each, in file order).
    Raises FgwebError for a bad case file, a selector that matches nothing, or a runtime that fails to load.
    """
    from fgweb.tools import load_toolset

    if backend not in BROWSER_BACKENDS:
        raise FgwebError(
            f"--backend {backend} is not a browser backend (choose {', '.join(BROWSER_BACKENDS)})"
        )
    bundle = Path(bundle)
    cases_path = Path(cases_path) if cases_path is not None else DEMO_CASES
    if not (bundle / "toolset.json").is_file():
        raise FgwebError(f"{bundle} is not a bundle (no toolset.json): run `fgweb build` or pass --bundle")
    cases = load_cases(cases_path, load_toolset(bundle / "toolset.json"))
    if limit:
        cases = cases[:limit]
    results: list[CaseResult] = []
    with open_harness(bundle, webgpu=backend == "webgpu") as harness:
        problems = harness.check_selectors(cases)
        if problems:
            bad, selector, why = problems[0]
            raise FgwebError(f"{cases_path}:{bad.line}: selector {selector!r} {why}")
        with _progress_bar(progress) as bar:
            load_task = bar.add_task(f"load {backend}", total=None, status="")

            def on_progress(event: dict[str, Any]) -> None:
                total, loaded = event.get("total"), event.get("loaded")
                status = str(event.get("message") or event.get("phase") or "")[:60]
                if isinstance(total, (int, float)) and total > 0 and isinstance(loaded, (int, float)):
                    bar.update(load_task, total=total, completed=loaded, status=status)
                else:
                    bar.update(load_task, status=status)

            agent = harness.create_agent(backend, artifact, max_new_tokens, on_progress, constrain)
            bar.update(load_task, total=1, completed=1, status=f"{agent.load_ms / 1000:.1f} s")
            task = bar.add_task(f"eval {agent.backend}", total=len(cases), status="")
            for case in cases:
                try:
                    outcome = agent.run_case(case)
                except Exception as exc:  # the page crashed or closed: nothing more can run
                    raise FgwebError(
                        f"case {case.id} (line {case.line}) stopped the page: {exc}"
                        f"{_page_error_text(harness.errors)}"
                    ) from exc
                results.append(score_case(case, outcome, agent.url))
                right = sum(r.ok for r in results)
                bar.update(task, advance=1, status=f"exact {right}/{len(results)}")
    return {
        "backend": agent.backend,
        "requested_backend": backend,
        "fallback": agent.fallback,
        "artifact": agent.artifact or artifact,
        "constrain": constrain or "snapshot",
        "bundle": str(bundle),
        "cases_file": str(cases_path),
        "load_ms": round(agent.load_ms, 1),
        **summarize(results),
        "by_tag": summarize_by_tag(results),
        "cases": [asdict(r) for r in results],
    }


def result_rows(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Returns (label, value) rows summarising a report, for the CLI's table."""

    def pct(key: str) -> str:
        value = report.get(key)
        return f"{value:.0%}" if isinstance(value, (int, float)) else "-"

    return [
        (
            "backend",
            str(report.get("backend")) + (f" ({report['fallback']})" if report.get("fallback") else ""),
        ),
        ("artifact", str(report.get("artifact") or "-")),
        ("cases", str(report.get("n"))),
        ("exact", pct("exact")),
        ("tool", pct("tool")),
        ("args", pct("args")),
        ("valid", pct("valid")),
        ("load", f"{report.get('load_ms', 0) / 1000:.1f} s"),
        ("p50 / p95", f"{report.get('p50_ms', 0):.0f} / {report.get('p95_ms', 0):.0f} ms"),
        ("tokens / steps", f"{_or_dash(report.get('mean_generated_tokens'))} / "
                           f"{_or_dash(report.get('mean_model_steps'))} per case"),
    ]


def _or_dash(value: Any) -> str:
    return "-" if value is None else f"{value:.1f}"
