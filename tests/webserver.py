"""A small web server for tests: pages and feeds of our own making on 127.0.0.1.

Routes map a path to a Page; the server records each request (path and headers) so that
tests can count fetches and check conditional GETs. ETag and Last-Modified are honoured:
a request that sends back the page's ETag gets 304 with no body.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str = ""  # for redirects
    etag: str = ""
    last_modified: str = ""
    delay: float = 0.0  # seconds between chunks of the body: a slow server
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    """Serves `server_state.routes` (a TestWebServer, set per server by a subclass)."""

    server_state: TestWebServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        with self.server_state._lock:
            self.server_state.hits.append(
                Hit(self.path, {k.lower(): v for k, v in self.headers.items()})
            )
        page = self.server_state.routes.get(self.path)
        if page is None:
            self._send(404, b"not found", "text/plain")
            return
        if page.status in (301, 302, 303, 307, 308):
            self._send_empty(page.status, "Location", page.location)
            return
        if page.etag and self.headers.get("If-None-Match") == page.etag:
            self._send_empty(304, "ETag", page.etag)
            return
        extra = dict(page.headers)
        if page.etag:
            extra["ETag"] = page.etag
        if page.last_modified:
            extra["Last-Modified"] = page.last_modified
        self._send(page.status, page.body, page.content_type, extra, page.delay)

    def _send_empty(self, status, header, value):
        self.send_response(status)
        self.send_header(header, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status, body, content_type, extra=None, delay=0.0):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not delay:
            self.wfile.write(body)
            return
        try:
            for start in range(0, len(body), 64):
                self.wfile.write(body[start : start + 64])
                self.wfile.flush()
                time.sleep(delay)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on a slow page, as it should


class TestWebServer:
    __test__ = False  # not a pytest test class

    def __init__(self):
        self.routes: dict[str, Page] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def __enter__(self) -> TestWebServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
