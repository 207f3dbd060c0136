"""A vendor-like fake served on a real loopback HTTP port, for code paths that open their own connections (the
CLI's `export --tracker` and `sync`): the same `Request -> Response` handler the MockTransport tests use."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2

Handler = Callable[[httpx2.Request], httpx2.Response]


@contextmanager
def served(handler: Handler) -> Iterator[str]:
    """Serve `handler` on 127.0.0.1 at a free port for the duration; yields the base URL."""

    class Bridge(BaseHTTPRequestHandler):
        def _relay(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            host = f"http://{self.headers.get('host', '127.0.0.1')}"
            request = httpx2.Request(self.command, host + self.path, headers=dict(self.headers.items()), content=body)
            response = handler(request)
            content = response.read()
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _relay

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Bridge)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
