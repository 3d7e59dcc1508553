"""`fgweb serve`: a Starlette dev server for a built bundle (`export/<name>/`).

    fgweb serve --bundle export/default --port 8000

What it adds to Starlette's `StaticFiles` (which already does byte ranges, ETag/Last-Modified and 304s):

- cross-origin isolation on every response (COOP `same-origin`, COEP `require-corp`, CORP
  `same-origin`) so onnxruntime-web and wllama can use WASM threads;
- fixed MIME types (`.wasm`, `.mjs`, `.onnx`, `.gguf`, ... do not depend on the host's mime.types);
- a cache policy. A file that `manifest.json` lists with a sha256 is `immutable` for a year only when
  the URL names its content: a `?v=` query, or a dot/dash/underscore-separated token of the file name,
  that is a prefix (8 hex digits or more) of that sha256. Everything else, including a hashed file
  asked for without its hash or with a stale one, is `no-cache` (revalidated by ETag on every load),
  so a rebuilt bundle is picked up at once;
- `sw.js` may control the whole origin (`Service-Worker-Allowed: /`);
- a Host allow-list, so a DNS-rebinding page cannot read the bundle: loopback names, the host it is
  bound to, `--allow-host` names, and the IP address a connection arrived on (so a server bound to
  0.0.0.0 or :: answers its LAN address); the 400 for any other host says how to allow it;
- dotfiles and paths that leave the bundle (`..`, encoded or not, and symlinks unless `follow_symlink`)
  are 404s; an absolute-form request target (`GET http://host/path`) is served as its path, its
  authority checked as the Host; any other target not starting with `/` is a 400;
- a connection that has not sent a request's headers within `HEADER_TIMEOUT` seconds is closed, as is
  one idle `KEEP_ALIVE_TIMEOUT` seconds between requests; headers over `MAX_HEADER_BYTES` are a 400.

Nothing is compressed: model files are already dense, and compression would break byte ranges.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import json
import os
import re
import socket
import threading
import time
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import h11
import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders, QueryParams
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from fgweb.errors import FgwebError

DEFAULT_ALLOWED_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]")
PORT_RULE = "give a port from 1 to 65535, or 0 for any free port"
HEADER_TIMEOUT = 5.0  # seconds a connection may take to send a request's headers
KEEP_ALIVE_TIMEOUT = 5  # seconds an idle connection is kept open between requests
MAX_HEADER_BYTES = 16 * 1024  # request line and headers; a longer request is a 400

ISOLATION_HEADERS: tuple[tuple[str, str], ...] = (
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-embedder-policy", "require-corp"),
    ("cross-origin-resource-policy", "same-origin"),
    ("x-content-type-options", "nosniff"),
)

MEDIA_TYPES: dict[str, str] = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".map": "application/json",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".onnx": "application/octet-stream",
    ".gguf": "application/octet-stream",
    ".bin": "application/octet-stream",
    ".data": "application/octet-stream",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
MIN_HASH_PREFIX = 8  # hex digits of the sha256 a URL must carry to count as content-addressed
_HEX_TOKEN = re.compile(rf"[0-9a-fA-F]{{{MIN_HASH_PREFIX},64}}")
_NAME_SPLIT = re.compile(r"[._-]")


def media_type(path: str) -> str:
    """Return the Content-Type for a bundle file name (application/octet-stream when unknown)."""
    return MEDIA_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")


def read_manifest_hashes(manifest: dict[str, Any]) -> dict[str, str]:
    """Return {bundle-relative posix path: lowercase sha256} from a parsed manifest.json.

    Accepts `"files"` as a mapping `{path: {"sha256": ...}}` or a list of `{"path"|"name"|"file": ...,
    "sha256": ...}`; entries without a 64-digit hex sha256 are skipped.
    """
    files = manifest.get("files")
    entries: list[tuple[Any, Any]] = []
    if isinstance(files, dict):
        entries = [(k, v.get("sha256") if isinstance(v, dict) else None) for k, v in files.items()]
    elif isinstance(files, list):
        for item in files:
            if isinstance(item, dict):
                name = item.get("path") or item.get("name") or item.get("file")
                entries.append((name, item.get("sha256")))
    hashes: dict[str, str] = {}
    for name, digest in entries:
        if isinstance(name, str) and isinstance(digest, str) and re.fullmatch(r"[0-9a-fA-F]{64}", digest):
            hashes[name.replace("\\", "/").removeprefix("./")] = digest.lower()
    return hashes


def _names_hash(token: str, digest: str) -> bool:
    return bool(_HEX_TOKEN.fullmatch(token)) and digest.startswith(token.lower())


def cache_control(rel_path: str, query_version: str | None, hashes: dict[str, str]) -> str:
    """Return the Cache-Control value for a bundle file (see the module docstring for the policy)."""
    digest = hashes.get(rel_path)
    if digest is None:
        return NO_CACHE
    if query_version is not None and _names_hash(query_version, digest):
        return IMMUTABLE
    name = rel_path.rsplit("/", 1)[-1]
    if any(_names_hash(token, digest) for token in _NAME_SPLIT.split(name)):
        return IMMUTABLE
    return NO_CACHE


class BundleFiles(StaticFiles):
    """StaticFiles over one bundle directory with the fgweb MIME types and cache policy."""

    def __init__(self, bundle_dir: Path, follow_symlink: bool = False) -> None:
        super().__init__(directory=bundle_dir, html=True, follow_symlink=follow_symlink)
        self.bundle_dir = bundle_dir
        self._manifest_key: tuple[int, int] | None = None
        self._hashes: dict[str, str] = {}
        self._lock = threading.Lock()

    def manifest_hashes(self) -> dict[str, str]:
        """Return the manifest's sha256 per file, re-read whenever manifest.json changes on disk."""
        path = self.bundle_dir / "manifest.json"
        try:
            st = path.stat()
        except OSError:
            return {}
        key = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if key != self._manifest_key:
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                    self._hashes = read_manifest_hashes(data) if isinstance(data, dict) else {}
                except (OSError, ValueError):
                    self._hashes = {}  # a half-written manifest: serve everything no-cache
                self._manifest_key = key
            return self._hashes

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Return the response for a normalised path; dotfiles and NUL bytes are 404s."""
        parts = Path(path).parts
        if "\x00" in path or any(part.startswith(".") and part != "." for part in parts):
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """Return a FileResponse (or 304) carrying the MIME type and cache headers of this file."""
        resolve = os.path.abspath if self.follow_symlink else os.path.realpath
        root = resolve(self.bundle_dir)
        rel = Path(os.path.relpath(full_path, root)).as_posix()
        version = QueryParams(scope.get("query_string", b"")).get("v")
        headers = {"cache-control": cache_control(rel, version, self.manifest_hashes())}
        if rel == "sw.js":
            headers["service-worker-allowed"] = "/"
        response = FileResponse(
            full_path,
            status_code=status_code,
            stat_result=stat_result,
            media_type=media_type(rel),
            headers=headers,
        )
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response


class IsolationHeaders:
    """ASGI middleware adding COOP/COEP/CORP (and nosniff) to every HTTP response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ISOLATION_HEADERS:
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestLog:
    """ASGI middleware calling `log` with one line per request: method, path, status, bytes, time."""

    def __init__(self, app: ASGIApp, log: Callable[[str], None]) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0
        sent = 0

        async def counting_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            ms = (time.perf_counter() - start) * 1000
            query = scope.get("query_string", b"").decode("latin-1")
            target = scope["path"] + (f"?{query}" if query else "")
            rng = Headers(scope=scope).get("range")
            extra = f" {rng}" if rng and status == 206 else ""
            self.log(f"{scope['method']} {target} {status or '-'} {_human_bytes(sent)} {ms:.0f} ms{extra}")


# A Host header: a bracketed IPv6 address or a name (or IPv4 address), then an optional port.
_HOST_HEADER = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[\w.-]+)(?::[0-9]*)?")


def _canonical_host(name: str) -> str:
    """Return `name` in the form hosts are compared in: an IP address normalised and without brackets (an
    IPv4-mapped IPv6 address as IPv4, as a dual-stack socket reports IPv4 peers), a name in lowercase."""
    try:
        ip = ipaddress.ip_address(name[1:-1] if name.startswith("[") else name)
    except ValueError:
        return name.lower()
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def parse_host(value: str | None) -> str | None:
    """Return the host of a Host header value (`name`, `1.2.3.4`, `[::1]`, each with an optional port),
    canonical and without the port, or None when the value is not a host."""
    match = _HOST_HEADER.fullmatch(value or "")
    return _canonical_host(match["host"]) if match else None


class HostCheck:
    """ASGI middleware answering 400 unless the Host header names an allowed host (DNS rebinding guard).

    A Host that is the IP address the connection arrived on is always allowed: it is this machine's own
    address, reached as such, which is what a server bound to 0.0.0.0 or :: is for. A DNS-rebinding page
    always sends its own name, never an address, so this keeps the guard.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.allowed = {_canonical_host(h) for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = parse_host(Headers(scope=scope).get("host"))
        server = scope.get("server")
        if host is not None and (host in self.allowed or (server and host == _canonical_host(server[0]))):
            await self.app(scope, receive, send)
            return
        text = "Invalid host header\n"
        if host is not None:
            text = (
                f"Invalid host header: this server does not answer to {host} (a guard against DNS "
                f"rebinding). If you typed this address, restart it with: fgweb serve --allow-host {host}\n"
            )
        await PlainTextResponse(text, status_code=400)(scope, receive, send)


class RequestTarget:
    """ASGI middleware serving an absolute-form target (`GET http://host:port/path`, which RFC 9112 says a
    server must accept) as its path, the target's authority replacing the Host header (so HostCheck checks
    it); any other target not starting with `/` (`*`, `index.html`, `host:443`) is a 400."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/"):
            target = urlsplit(scope["raw_path"].decode("latin-1"))
            if target.scheme.lower() not in ("http", "https") or not target.netloc:
                await PlainTextResponse("Bad request target: use a path such as /index.html\n", 400)(
                    scope, receive, send
                )
                return
            path = target.path or "/"
            headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
            headers.append((b"host", target.netloc.encode("latin-1")))
            scope = {**scope, "path": unquote(path), "raw_path": path.encode("latin-1"), "headers": headers}
        await self.app(scope, receive, send)


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request headers are not complete `header_timeout`
    seconds after it opened (or after the request's first byte, on a kept-alive connection).

    uvicorn times out only idle kept-alive connections, and stops that timer at the first byte, so a client
    that connects and sends nothing, or half a request line, would hold its connection open for ever.
    """

    header_timeout = HEADER_TIMEOUT
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:  # a request has begun (or not) but its headers are incomplete
            self._arm_header_deadline()
        else:
            self._cancel_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        if self._header_deadline is None:  # not re-armed per byte: a client trickling bytes is cut off too
            self._header_deadline = self.loop.call_later(self.header_timeout, self.transport.close)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None


def _human_bytes(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.1f} kB"
    return f"{n / 1_000_000:.1f} MB"


def create_app(
    bundle_dir: Path,
    allowed_hosts: Sequence[str] = DEFAULT_ALLOWED_HOSTS,
    *,
    follow_symlink: bool = False,
    log: Callable[[str], None] | None = None,
) -> Starlette:
    """Return the ASGI app serving `bundle_dir` (see the module docstring for what it guarantees).

    `allowed_hosts` are the Host header values accepted (without port; IPv6 in brackets);
    `follow_symlink` lets symlinks inside the bundle point outside it; `log` receives one line per request.
    """
    middleware = [
        Middleware(IsolationHeaders),
        Middleware(RequestTarget),
        Middleware(HostCheck, allowed_hosts=list(allowed_hosts)),
    ]
    if log is not None:
        middleware.insert(0, Middleware(RequestLog, log=log))
    routes = [Mount("/", app=BundleFiles(Path(bundle_dir), follow_symlink=follow_symlink))]
    return Starlette(routes=routes, middleware=middleware)


def check_bundle(bundle_dir: Path) -> None:
    """Raise FgwebError unless `bundle_dir` holds index.html and a readable JSON manifest.json."""
    if not bundle_dir.is_dir():
        raise FgwebError(f"no bundle at {bundle_dir}: run `fgweb build` first")
    for name in ("index.html", "manifest.json"):
        if not (bundle_dir / name).is_file():
            raise FgwebError(f"no bundle at {bundle_dir} ({name} is missing): run `fgweb build` first")
    try:
        json.loads((bundle_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FgwebError(
            f"{bundle_dir / 'manifest.json'} is not valid JSON ({exc}): rebuild it with `fgweb build`"
        ) from exc


def find_latest_bundle(export_root: Path = Path("export")) -> Path | None:
    """Return the directory under `export_root` whose manifest.json is newest, or None if there is none."""
    if not export_root.is_dir():
        return None
    candidates: list[tuple[float, str, Path]] = []
    for child in export_root.iterdir():
        manifest = child / "manifest.json"
        if child.is_dir() and manifest.is_file():
            candidates.append((manifest.stat().st_mtime, child.name, child))
    return max(candidates)[2] if candidates else None


def check_port(port: int) -> int:
    """Return `port` if it is a TCP port number (0 picks any free port), else raise FgwebError."""
    if not 0 <= port <= 65535:
        raise FgwebError(f"--port {port}: {PORT_RULE}")
    return port


def bind_socket(host: str, port: int) -> socket.socket:
    """Return a listening TCP socket on host:port, or raise FgwebError saying how to pick another."""
    check_port(port)  # getaddrinfo takes 70000 as 4464 and blames the host for -1
    bare = host.strip("[]")
    try:
        infos = socket.getaddrinfo(bare, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise FgwebError(
            f"cannot listen on {host}: unknown host ({exc.strerror}): pass --host 127.0.0.1"
        ) from exc
    infos.sort(key=lambda info: info[0] != socket.AF_INET)  # localhost: prefer 127.0.0.1, as browsers try it
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    # Same options as uvicorn: a port in TIME_WAIT is free, one with a live listener is not.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            other = port + 1 if port < 65535 else 8000
            raise FgwebError(f"port {port} is in use: pass --port {other} or stop the other server") from exc
        if exc.errno == errno.EACCES:
            raise FgwebError(f"no permission to listen on port {port}: pass a port above 1023") from exc
        raise FgwebError(
            f"cannot listen on {host}:{port} ({exc.strerror}): pass --host 127.0.0.1 or another --port"
        ) from exc
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    bare = host.strip("[]")
    if bare in ("0.0.0.0", ""):
        return "127.0.0.1"
    if bare == "::":
        return "[::1]"
    return f"[{bare}]" if ":" in bare else bare


def hosts_for(host: str) -> list[str]:
    """Return the Host header names to accept when bound to `host` (loopback names plus that host)."""
    hosts = list(DEFAULT_ALLOWED_HOSTS)
    bare = host.strip("[]")
    names = [bare]
    if bare in ("0.0.0.0", "::", ""):
        # Bound to every interface: accept this machine's own names and addresses, nothing else.
        names = [socket.gethostname(), socket.getfqdn()]
        try:
            names += [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)]
        except socket.gaierror:
            pass
    for name in names:
        entry = f"[{name}]" if ":" in name else name
        if name and entry.lower() not in hosts:
            hosts.append(entry.lower())
    return hosts


@dataclass
class DevServer:
    """A bound, not yet running uvicorn server for a bundle; `serve()` and tests both use it."""

    bundle_dir: Path
    url: str
    sock: socket.socket
    server: uvicorn.Server
    _thread: threading.Thread | None = field(default=None, repr=False)

    def serve_forever(self) -> None:
        """Serve in this thread until Ctrl+C (or `stop()` from another thread); returns None."""
        try:
            self.server.run(sockets=[self.sock])
        finally:
            self.sock.close()

    def start(self, timeout: float = 10.0) -> DevServer:
        """Serve in a background thread; return self once uvicorn accepts connections."""
        self._thread = threading.Thread(target=self.serve_forever, name="fgweb-serve", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise FgwebError(f"the server for {self.bundle_dir} did not start: see the log above")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for the background thread; returns None."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self.sock.close()

    def __enter__(self) -> DevServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def open_server(
    bundle_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    allowed_hosts: Sequence[str] | None = None,
    follow_symlink: bool = False,
    log: Callable[[str], None] | None = None,
) -> DevServer:
    """Check the bundle, bind host:port (0 = any free port) and return a DevServer ready to run.

    Raises FgwebError for a missing/incomplete bundle or a port that cannot be bound.
    """
    bundle_dir = Path(bundle_dir)
    check_bundle(bundle_dir)
    sock = bind_socket(host, port)
    bound_port = sock.getsockname()[1]
    app = create_app(
        bundle_dir,
        hosts_for(host) if allowed_hosts is None else allowed_hosts,
        follow_symlink=follow_symlink,
        log=log,
    )
    config = uvicorn.Config(
        app,
        http=HeaderDeadlineProtocol,
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
    )
    url = f"http://{_url_host(host)}:{bound_port}/"
    return DevServer(bundle_dir=bundle_dir, url=url, sock=sock, server=uvicorn.Server(config))


def serve(
    bundle_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    allow_hosts: Sequence[str] = (),
) -> None:
    """Serve `bundle_dir` at http://host:port/ until Ctrl+C, logging each request; returns None after Ctrl+C.

    `allow_hosts` are Host names accepted besides those of `hosts_for(host)`.
    Raises FgwebError before starting when the bundle is missing or the port is taken.
    """
    from rich.console import Console
    from rich.style import Style
    from rich.text import Text

    console = Console()
    dev = open_server(
        bundle_dir,
        host,
        port,
        allowed_hosts=[*hosts_for(host), *allow_hosts],
        log=lambda line: console.print(line, markup=False, highlight=False),
    )
    # A Text, not markup: an IPv6 URL's brackets would be read as tags. Soft-wrapped: never cut the URL.
    url = Text(dev.url, style=Style(link=dev.url))
    where = Text.assemble("Serving ", (str(dev.bundle_dir), "bold"), " at ", url, "  (Ctrl+C to stop)")
    console.print(where, soft_wrap=True)
    if open_browser:
        # The socket already listens, so the browser's first request waits in the backlog.
        webbrowser.open(dev.url)
    try:
        dev.serve_forever()
    except KeyboardInterrupt:
        pass  # uvicorn has already shut down gracefully and re-raised the Ctrl+C
    console.print("Stopped.")
