"""Tests of `fgweb serve`: headers, MIME types, ranges, caching, traversal, hosts, start-up errors."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import warnings
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.10 prefers httpx2 for its TestClient; httpx (the dev extra) still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from fgweb.errors import FgwebError
from fgweb.server import IMMUTABLE, create_app, find_latest_bundle, hosts_for, open_server, serve

MODEL = bytes(range(256)) * 8  # 2048 bytes, every offset distinguishable
SECRET = b"outside the bundle: must never be served"


def _write_bundle(root: Path) -> dict[str, str]:
    """Write a small bundle into `root` (with a manifest); return {file: sha256}."""
    root.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {
        "index.html": b"<!doctype html><title>fgweb demo</title>",
        "fgweb.mjs": b"export async function createAgent() {}",
        "fgweb.js": b"window.fgweb = {};",
        "sw.js": b"self.addEventListener('fetch', () => {});",
        "style.css": b"body { margin: 0 }",
        "vendor/ort-wasm-simd-threaded.wasm": b"\x00asm\x01\x00\x00\x00",
        "vendor/ort.wasm.min.mjs": b"export const ort = 1;",
        "model.int8.onnx": MODEL,
        "model.q8_0.gguf": b"GGUF" + MODEL[:100],
        "tokenizer.bin": b"\x01\x02\x03",
        "tokenizer.json": b'{"model": {}}',
    }
    hashed = b"4-bit weights"
    hashed_name = f"model.q4.{hashlib.sha256(hashed).hexdigest()[:12]}.onnx"
    files[hashed_name] = hashed
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    manifest = {"files": {name: {"size": len(files[name]), "sha256": d} for name, d in digests.items()}}
    (root / "manifest.json").write_text(json.dumps(manifest))
    digests["hashed_name"] = hashed_name
    return digests


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    (tmp_path / "secret.txt").write_bytes(SECRET)
    _write_bundle(tmp_path / "export" / "default")
    return tmp_path / "export" / "default"


@pytest.fixture
def client(bundle: Path) -> TestClient:
    return TestClient(create_app(bundle), base_url="http://localhost:8000")


def _asgi_get(
    app: Any, path: str, raw_path: bytes | None = None, host: bytes = b"localhost"
) -> tuple[int, bytes]:
    """Call the ASGI app directly (no client normalisation); return (status, body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": raw_path if raw_path is not None else path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", host)],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    anyio.run(app, scope, receive, send)
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, body


@pytest.mark.parametrize(
    "path", ["/", "/vendor/ort-wasm-simd-threaded.wasm", "/model.int8.onnx", "/missing.js"]
)
def test_every_response_is_cross_origin_isolated(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.headers["cross-origin-opener-policy"] == "same-origin"
    assert r.headers["cross-origin-embedder-policy"] == "require-corp"
    assert r.headers["cross-origin-resource-policy"] == "same-origin"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/index.html", "text/html"),
        ("/style.css", "text/css"),
        ("/fgweb.mjs", "text/javascript"),
        ("/fgweb.js", "text/javascript"),
        ("/vendor/ort.wasm.min.mjs", "text/javascript"),
        ("/vendor/ort-wasm-simd-threaded.wasm", "application/wasm"),
        ("/model.int8.onnx", "application/octet-stream"),
        ("/model.q8_0.gguf", "application/octet-stream"),
        ("/tokenizer.bin", "application/octet-stream"),
        ("/manifest.json", "application/json"),
    ],
)
def test_mime_types(client: TestClient, path: str, expected: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == expected


def test_root_serves_index_html(client: TestClient, bundle: Path) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.content == (bundle / "index.html").read_bytes()


def test_missing_file_is_404(client: TestClient) -> None:
    assert client.get("/model.q4.onnx").status_code == 404


def test_range_request_returns_exact_bytes(client: TestClient) -> None:
    r = client.get("/model.int8.onnx", headers={"Range": "bytes=100-299"})
    assert r.status_code == 206
    assert r.content == MODEL[100:300]
    assert r.headers["content-range"] == f"bytes 100-299/{len(MODEL)}"
    assert r.headers["accept-ranges"] == "bytes"


def test_suffix_range_returns_file_tail(client: TestClient) -> None:
    r = client.get("/model.int8.onnx", headers={"Range": "bytes=-16"})
    assert r.status_code == 206
    assert r.content == MODEL[-16:]


def test_unsatisfiable_range_is_416(client: TestClient) -> None:
    r = client.get("/model.int8.onnx", headers={"Range": f"bytes={len(MODEL)}-{len(MODEL) + 10}"})
    assert r.status_code == 416
    assert r.headers["content-range"] == f"bytes */{len(MODEL)}"


def test_matching_etag_gives_304_with_cache_headers(client: TestClient) -> None:
    first = client.get("/model.int8.onnx")
    etag = first.headers["etag"]
    again = client.get("/model.int8.onnx", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "no-cache"


def test_if_modified_since_gives_304(client: TestClient) -> None:
    last_modified = client.get("/fgweb.mjs").headers["last-modified"]
    assert client.get("/fgweb.mjs", headers={"If-Modified-Since": last_modified}).status_code == 304


def test_model_files_are_never_compressed(client: TestClient) -> None:
    r = client.get("/model.int8.onnx", headers={"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in r.headers
    assert r.headers["content-length"] == str(len(MODEL))


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/vendor/%2E%2E/%2e%2e/secret.txt"])
def test_traversal_through_client_is_refused(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (400, 404)
    assert SECRET not in r.content


@pytest.mark.parametrize(
    ("path", "raw_path"),
    [
        ("/../secret.txt", b"/../secret.txt"),
        ("/vendor/../../secret.txt", b"/vendor/../../secret.txt"),
        ("/../secret.txt", b"/..%2fsecret.txt"),  # %2f decoded by the server into the path
        ("/..\\secret.txt", b"/..%5csecret.txt"),
        ("/secret.txt\x00.html", b"/secret.txt%00.html"),
        ("//" + "x" * 10 + "/../../secret.txt", b"//xxxxxxxxxx/../../secret.txt"),
    ],
)
def test_raw_traversal_paths_are_refused(bundle: Path, path: str, raw_path: bytes) -> None:
    status, body = _asgi_get(create_app(bundle), path, raw_path)
    assert status in (400, 404)
    assert SECRET not in body


def test_symlink_out_of_bundle_is_refused(bundle: Path) -> None:
    (bundle / "leak.txt").symlink_to(bundle.parent.parent / "secret.txt")
    r = TestClient(create_app(bundle), base_url="http://localhost").get("/leak.txt")
    assert r.status_code == 404
    assert SECRET not in r.content


def test_symlink_out_of_bundle_served_with_follow_symlink(bundle: Path) -> None:
    (bundle / "leak.txt").symlink_to(bundle.parent.parent / "secret.txt")
    r = TestClient(create_app(bundle, follow_symlink=True), base_url="http://localhost").get("/leak.txt")
    assert r.status_code == 200
    assert r.content == SECRET


def test_dotfiles_are_not_served(bundle: Path, client: TestClient) -> None:
    (bundle / ".env").write_text("TOKEN=1")
    assert client.get("/.env").status_code == 404


@pytest.mark.parametrize("host", ["evil.example:8000", "attacker.test", "127.0.0.2:8000"])
def test_unknown_host_is_refused(bundle: Path, host: str) -> None:
    r = TestClient(create_app(bundle), base_url="http://localhost:8000").get("/", headers={"Host": host})
    assert r.status_code == 400
    assert b"fgweb demo" not in r.content


@pytest.mark.parametrize("host", [b"localhost:8000", b"127.0.0.1:8000", b"[::1]:8000"])
def test_loopback_hosts_are_allowed(bundle: Path, host: bytes) -> None:
    status, body = _asgi_get(create_app(bundle), "/index.html", host=host)
    assert status == 200
    assert b"fgweb demo" in body


def test_all_interfaces_allows_machine_name_but_not_others(bundle: Path) -> None:
    hosts = hosts_for("0.0.0.0")
    client = TestClient(create_app(bundle, hosts), base_url="http://localhost")
    assert client.get("/", headers={"Host": socket.gethostname().lower()}).status_code == 200
    assert client.get("/", headers={"Host": "rebind.attacker.test"}).status_code == 400


@pytest.mark.parametrize("path", ["/", "/index.html", "/manifest.json", "/fgweb.mjs", "/model.int8.onnx"])
def test_unversioned_files_are_revalidated(client: TestClient, path: str) -> None:
    assert client.get(path).headers["cache-control"] == "no-cache"


def test_service_worker_is_not_cached_and_may_control_the_origin(client: TestClient) -> None:
    r = client.get("/sw.js")
    assert r.headers["cache-control"] == "no-cache"
    assert r.headers["service-worker-allowed"] == "/"


def test_hash_in_query_makes_artifact_immutable(client: TestClient, bundle: Path) -> None:
    digest = hashlib.sha256(MODEL).hexdigest()
    assert client.get(f"/model.int8.onnx?v={digest[:16]}").headers["cache-control"] == IMMUTABLE
    assert client.get(f"/model.int8.onnx?v={digest}").headers["cache-control"] == IMMUTABLE


@pytest.mark.parametrize("version", ["0123456789abcdef", "abc", ""])
def test_wrong_or_short_hash_in_query_is_revalidated(client: TestClient, version: str) -> None:
    digest = hashlib.sha256(MODEL).hexdigest()
    if version == "abc":
        version = digest[:3]  # a true prefix, but too short to name the content
    assert client.get(f"/model.int8.onnx?v={version}").headers["cache-control"] == "no-cache"


def test_hash_in_file_name_makes_artifact_immutable(client: TestClient, bundle: Path) -> None:
    name = next(p.name for p in bundle.glob("model.q4.*.onnx"))
    assert client.get(f"/{name}").headers["cache-control"] == IMMUTABLE


def test_rebuilt_manifest_invalidates_old_version(client: TestClient, bundle: Path) -> None:
    old = hashlib.sha256(MODEL).hexdigest()[:16]
    assert client.get(f"/model.int8.onnx?v={old}").headers["cache-control"] == IMMUTABLE
    new_model = MODEL[::-1]
    (bundle / "model.int8.onnx").write_bytes(new_model)
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["model.int8.onnx"]["sha256"] = hashlib.sha256(new_model).hexdigest()
    manifest["rebuilt"] = True  # size changes too, so the reload does not hinge on mtime resolution
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert client.get(f"/model.int8.onnx?v={old}").headers["cache-control"] == "no-cache"
    new = hashlib.sha256(new_model).hexdigest()[:16]
    assert client.get(f"/model.int8.onnx?v={new}").headers["cache-control"] == IMMUTABLE


def test_list_form_manifest_is_understood(bundle: Path) -> None:
    digest = hashlib.sha256(MODEL).hexdigest()
    entries = [{"path": "model.int8.onnx", "size": len(MODEL), "sha256": digest}]
    (bundle / "manifest.json").write_text(json.dumps({"files": entries}))
    client = TestClient(create_app(bundle), base_url="http://localhost")
    assert client.get(f"/model.int8.onnx?v={digest[:8]}").headers["cache-control"] == IMMUTABLE


def test_request_log_line(bundle: Path) -> None:
    lines: list[str] = []
    client = TestClient(create_app(bundle, log=lines.append), base_url="http://localhost")
    client.get("/model.int8.onnx", headers={"Range": "bytes=0-9"})
    assert len(lines) == 1
    assert lines[0].startswith("GET /model.int8.onnx 206 10 B ")
    assert lines[0].endswith("bytes=0-9")


def test_serve_without_bundle_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(FgwebError, match=r"^no bundle at .*export/default: run `fgweb build` first$"):
        serve(tmp_path / "export" / "default", port=0)


def test_serve_bundle_without_manifest_says_to_build(bundle: Path) -> None:
    (bundle / "manifest.json").unlink()
    with pytest.raises(FgwebError, match=r"manifest\.json is missing.*run `fgweb build` first"):
        serve(bundle, port=0)


def test_serve_port_in_use_suggests_another(bundle: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        expected = f"port {port} is in use: pass --port {port + 1} or stop the other server"
        with pytest.raises(FgwebError) as info:
            serve(bundle, host="127.0.0.1", port=port)
    assert str(info.value) == expected


def test_find_latest_bundle_picks_newest_manifest(tmp_path: Path) -> None:
    export = tmp_path / "export"
    _write_bundle(export / "old")
    _write_bundle(export / "new")
    (export / "no-manifest").mkdir()
    os.utime(export / "old" / "manifest.json", (1_000_000, 1_000_000))
    os.utime(export / "new" / "manifest.json", (2_000_000, 2_000_000))
    assert find_latest_bundle(export) == export / "new"
    os.utime(export / "old" / "manifest.json", (3_000_000, 3_000_000))
    assert find_latest_bundle(export) == export / "old"


def test_find_latest_bundle_none_without_builds(tmp_path: Path) -> None:
    assert find_latest_bundle(tmp_path / "export") is None
    (tmp_path / "export" / "empty").mkdir(parents=True)
    assert find_latest_bundle(tmp_path / "export") is None


def test_real_server_answers_range_request(bundle: Path) -> None:
    with open_server(bundle, "127.0.0.1", 0) as dev:
        r = httpx.get(dev.url + "model.int8.onnx", headers={"Range": "bytes=1000-1099"}, timeout=10)
    assert dev.url.startswith("http://127.0.0.1:")
    assert r.status_code == 206
    assert r.content == MODEL[1000:1100]
    assert r.headers["cross-origin-embedder-policy"] == "require-corp"
