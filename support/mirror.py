"""A real HTTP server on 127.0.0.1 serving ../shared/data, with faults that tests can switch on.

It speaks the parts of HTTP the download client relies on: ETag / Last-Modified validators and
304 answers to conditional requests, HEAD, and Content-Length.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# A fault takes the handler and the file body and answers the request itself.
Fault = Callable[["MirrorHandler", bytes], None]


@dataclass
class MirrorState:
    root: Path
    faults: dict[str, Fault] = field(default_factory=dict)
    overrides: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    request_headers: list[dict[str, str]] = field(default_factory=list)  # same order as `requests`


class MirrorHandler(http.server.BaseHTTPRequestHandler):
    state: MirrorState  # set on the per-server subclass
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet in test output
        return

    def _body(self, rel_path: str) -> bytes | None:
        if rel_path in self.state.overrides:
            return self.state.overrides[rel_path]
        path = (self.state.root / rel_path).resolve()
        if self.state.root.resolve() not in path.parents or not path.is_file():
            return None
        return path.read_bytes()

    def _serve(self, include_body: bool) -> None:
        rel_path = self.path.split("?", 1)[0].lstrip("/")
        self.state.requests.append((self.command, rel_path))
        self.state.request_headers.append(dict(self.headers.items()))
        body = self._body(rel_path)
        if body is None:
            self.send_error(404)
            return
        fault = self.state.faults.get(rel_path)
        if fault is not None:
            fault(self, body)
            return
        self.answer(body, include_body)

    def answer(self, body: bytes, include_body: bool) -> None:
        """The normal answer: 304 to a matching If-None-Match, else 200 with validators."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(0, usegmt=True))
        self.end_headers()
        if include_body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._serve(include_body=True)

    def do_HEAD(self) -> None:
        self._serve(include_body=False)


class LoopbackMirror:
    """Serve `root` on 127.0.0.1 in a daemon thread; use as a context manager."""

    def __init__(self, root: Path) -> None:
        self.state = MirrorState(root=root)
        handler = type("BoundMirrorHandler", (MirrorHandler,), {"state": self.state})
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> LoopbackMirror:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def clear_faults(self) -> None:
        self.state.faults.clear()
        self.state.overrides.clear()


# Faults ---------------------------------------------------------------------------------------


def server_error(handler: MirrorHandler, body: bytes) -> None:
    handler.send_error(500, "injected server error")


def truncated(handler: MirrorHandler, body: bytes) -> None:
    """Announce the full length, send half, close: what the AN server is known to do."""
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body[: len(body) // 2])
    handler.wfile.flush()
    handler.close_connection = True


def stall(seconds: float) -> Fault:
    """Answer headers, then stay silent longer than the client's read timeout."""

    def fault(handler: MirrorHandler, body: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.flush()
        time.sleep(seconds)
        handler.close_connection = True

    return fault


def connection_reset(handler: MirrorHandler, body: bytes) -> None:
    handler.close_connection = True
    handler.connection.close()


def fail_first(times: int, fault: Fault = server_error) -> Fault:
    """Answer the first `times` requests with `fault`, then serve normally: a transient outage."""
    remaining = [times]

    def flaky(handler: MirrorHandler, body: bytes) -> None:
        if remaining[0] > 0:
            remaining[0] -= 1
            fault(handler, body)
        else:
            handler.answer(body, include_body=handler.command != "HEAD")

    return flaky


def unannounced_length(handler: MirrorHandler, body: bytes) -> None:
    """Send the body with no Content-Length, ended by closing: only streaming can enforce a cap."""
    handler.send_response(200)
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()
    handler.close_connection = True


def oversized(announced_bytes: int) -> Fault:
    """Announce a body far above the client's cap and send nothing: the cap must refuse it unread."""

    def fault(handler: MirrorHandler, body: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(announced_bytes))
        handler.end_headers()
        handler.wfile.flush()
        handler.close_connection = True

    return fault
