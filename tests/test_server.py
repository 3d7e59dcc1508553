"""Tests of `fgweb serve`: headers, MIME types, ranges, caching, traversal, hosts, start-up errors."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import time
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

from fgweb import cli
from fgweb.errors import FgwebError
from fgweb.server import (
    IMMUTABLE,
    DevServer,
    HeaderDeadlineProtocol,
    create_app,
    find_latest_bundle,
    hosts_for,
    open_server,
    serve,
)

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


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


needs_ipv6 = pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback on this machine")


def _asgi_get(
    app: Any,
    path: str,
    raw_path: bytes | None = None,
    host: bytes = b"localhost",
    server: tuple[str, int] = ("127.0.0.1", 8000),
) -> tuple[int, bytes]:
    """Call the ASGI app directly (no client normalisation); return (status, body). `server` is the local
    address the connection arrived on."""
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
        "server": server,
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


@pytest.mark.parametrize(
    ("server", "host"),
    [
        ("192.168.1.23", b"192.168.1.23:8000"),
        ("::ffff:192.168.1.23", b"192.168.1.23:8000"),  # an IPv4 client of a dual-stack socket
        ("fd00::5", b"[fd00::5]:8000"),
    ],
)
def test_all_interfaces_answers_the_address_it_was_reached_on(bundle: Path, server: str, host: bytes) -> None:
    app = create_app(bundle, hosts_for("0.0.0.0"))
    status, body = _asgi_get(app, "/index.html", host=host, server=(server, 8000))
    assert status == 200
    assert b"fgweb demo" in body


def test_another_address_than_the_one_reached_is_refused(bundle: Path) -> None:
    app = create_app(bundle, hosts_for("0.0.0.0"))
    status, _ = _asgi_get(app, "/index.html", host=b"192.168.1.99:8000", server=("192.168.1.23", 8000))
    assert status == 400


def test_refused_host_says_how_to_allow_it(bundle: Path) -> None:
    status, body = _asgi_get(create_app(bundle), "/", host=b"MyBox.local:8000")
    assert status == 400
    assert b"fgweb demo" not in body
    assert b"restart it with: fgweb serve --allow-host mybox.local" in body


def test_allow_host_option_reaches_the_server(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    apps: list[Any] = []
    monkeypatch.setattr(DevServer, "serve_forever", lambda self: apps.append(self.server.config.app))
    assert cli.main(["serve", "--bundle", str(bundle), "--port", "0", "--allow-host", "MyBox.local"]) == 0
    status, _ = _asgi_get(apps[0], "/index.html", host=b"mybox.local:8000")
    assert status == 200


@pytest.mark.parametrize("value", ["http://mybox.local/", "my box", ""])
def test_allow_host_refuses_what_is_not_a_host(capsys: pytest.CaptureFixture[str], value: str) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["serve", "--allow-host", value])
    assert info.value.code == 2
    assert f"argument --allow-host: invalid host {value!r}" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_ipv6_loopback_names_are_accepted_bracketed(bundle: Path, host: str) -> None:
    status, _ = _asgi_get(create_app(bundle, hosts_for(host)), "/index.html", host=b"[::1]:8000")
    assert status == 200


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


@pytest.mark.parametrize("port", ["70000", "65536", "-1", "http"])
def test_port_out_of_range_is_an_argparse_error(capsys: pytest.CaptureFixture[str], port: str) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["serve", "--port", port])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        f"fgweb serve: error: argument --port: invalid port {port!r}: "
        "give a port from 1 to 65535, or 0 for any free port"
    )


@pytest.mark.parametrize("port", [70000, -1])
def test_serve_refuses_a_port_out_of_range(bundle: Path, port: int) -> None:
    with pytest.raises(FgwebError, match=rf"^--port {port}: give a port from 1 to 65535"):
        serve(bundle, port=port)


@needs_ipv6
@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_serve_prints_a_bracketed_ipv6_url(
    bundle: Path, host: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(DevServer, "serve_forever", lambda self: self.sock.close())
    serve(bundle, host=host, port=0)
    assert re.search(r" at http://\[::1\]:\d+/ ", capsys.readouterr().out)


@needs_ipv6
def test_real_server_on_ipv6_loopback_answers_its_url(bundle: Path) -> None:
    with open_server(bundle, "[::1]", 0) as dev:
        r = httpx.get(dev.url + "index.html", timeout=10)  # Host: [::1]:PORT
    assert re.fullmatch(r"http://\[::1\]:\d+/", dev.url)
    assert r.status_code == 200
    assert b"fgweb demo" in r.content


def _get(target: str, host: str) -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()


def _raw_exchange(port: int, request: bytes, timeout: float = 10.0) -> tuple[bytes, float]:
    """Send `request` on a fresh connection; return what the server sent until it closed, and how long
    that took."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received, time.monotonic() - start


@pytest.mark.parametrize(
    "partial", [b"", b"GET /index.html HT", b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n"]
)
def test_real_server_closes_a_connection_that_does_not_finish_its_headers(
    bundle: Path, monkeypatch: pytest.MonkeyPatch, partial: bytes
) -> None:
    monkeypatch.setattr(HeaderDeadlineProtocol, "header_timeout", 0.5)
    with open_server(bundle, "127.0.0.1", 0) as dev:
        port = dev.sock.getsockname()[1]
        received, seconds = _raw_exchange(port, partial)  # recv() times out after 10 s if never closed
        assert received == b""
        assert seconds < 3
        # A request sent in time is answered as before.
        answer, _ = _raw_exchange(port, _get("/index.html", "127.0.0.1"))
    assert answer.startswith(b"HTTP/1.1 200 ")


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("http://127.0.0.1:{port}/index.html", 200),
        ("http://localhost:{port}/index.html?v=1", 200),
        ("http://rebind.attacker.test/index.html", 400),  # the target's authority is the host checked
        ("*", 400),
        ("index.html", 400),
        ("127.0.0.1:{port}", 400),
    ],
)
def test_real_server_answers_targets_not_in_origin_form(bundle: Path, target: str, status: int) -> None:
    with open_server(bundle, "127.0.0.1", 0) as dev:
        port = dev.sock.getsockname()[1]
        answer, _ = _raw_exchange(port, _get(target.format(port=port), f"127.0.0.1:{port}"))
    assert answer.startswith(f"HTTP/1.1 {status} ".encode())
    assert (b"fgweb demo" in answer) == (status == 200)


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
