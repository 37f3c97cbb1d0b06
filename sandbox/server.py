"""The HTTP server: threaded HTTP/1.1 with keep-alive and an explicit Content-Length.

``SandboxServer`` wraps :class:`SandboxApp` in a ``ThreadingHTTPServer``; it runs in
the foreground (``python -m sandbox``) or on a background thread (tests, port 0).
"""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sandbox.app import SandboxApp
from sandbox.config import DEMO_FIXTURE, SandboxConfig
from sandbox.errors import ApiError
from sandbox.fixture import load_fixture_file
from sandbox.generator import generate_world
from sandbox.http import Request, Response
from sandbox.store import World

__all__ = ["SandboxServer", "world_factory_for"]

log = logging.getLogger("sandbox")


def world_factory_for(config: SandboxConfig) -> Callable[[], World]:
    """A fixture file, else generated data when ``orgs`` is set, else the demo fixture."""
    if config.fixture:
        path = config.fixture
        return lambda: load_fixture_file(path)
    if config.orgs is not None:
        orgs, per_org, seed = config.orgs, config.persons_per_org, config.seed
        return lambda: generate_world(orgs, per_org, seed)
    return lambda: load_fixture_file(DEMO_FIXTURE)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PipedriveSandbox/1.0"
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # One write per response plus TCP_NODELAY: no Nagle/delayed-ACK stalls on keep-alive.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        app = self.server.app
        try:
            request = Request.build(self.command, self.path, self.headers, self._read_body())
            response = app.handle(request)
        except Exception:  # noqa: BLE001 - answer in the envelope rather than drop the connection
            log.exception("sandbox failure on %s %s", self.command, self.path)
            response = Response(500, json.dumps(ApiError(500, "Internal server error").body()).encode())
        if response.transport_fault == "reset":
            # SO_LINGER 0 turns close() into a TCP RST.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if response.transport_fault == "timeout":
            app.stopping.wait(response.fault_seconds)
            self.close_connection = True
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Unknown"
        headers = {
            "Content-Type": response.content_type,
            "Content-Length": str(len(response.body)),
            "Date": self.date_time_string(),
            "Server": self.server_version,
            "Connection": "close" if self.close_connection else "keep-alive",
            **response.headers,
        }
        head = f"HTTP/1.1 {response.status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.wfile.write(head.encode("latin-1") + b"\r\n" + (b"" if self.command == "HEAD" else response.body))
        self.log_request(response.status, len(response.body))

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        if not self.server.app.config.quiet:
            super().log_message(format, *args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        self.app = app
        self.connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self._connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up idle keep-alive connections, so a stopped sandbox answers nothing."""
        with self._connections_lock:
            open_connections = list(self.connections)
        for connection in open_connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up (timeouts, resets) are routine here.
        log.debug("connection error from %s", client_address, exc_info=True)


class SandboxServer:
    """A running (or runnable) sandbox. ``port=0`` binds an ephemeral port."""

    def __init__(
        self, config: SandboxConfig | None = None, *, world_factory: Callable[[], World] | None = None
    ) -> None:
        self.config = config or SandboxConfig()
        self.app = SandboxApp(self.config, world_factory or world_factory_for(self.config))
        self._httpd = _HTTPServer((self.config.host, self.config.port), self.app)
        self.port = self._httpd.server_address[1]
        self.app.public_url = self.config.public_url or f"http://{self.config.host}:{self.port}"
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.app.public_url

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="sandbox-http", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self.app.stopping.set()
        self.app.webhooks.stop()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
