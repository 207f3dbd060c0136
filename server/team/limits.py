"""Failed sign-in attempts, limited per client address: after too many in a minute, 429 with Retry-After.

A failure is a presented credential that was refused: a bearer token the MCP endpoint answered 401 to, or a token
posted to the board's sign-in page that was not valid. A request that carries no credential at all is not a guess
and is not counted. Behind a reverse proxy the client address is the one the proxy forwards (uvicorn reads
X-Forwarded-For from the addresses in FORWARDED_ALLOW_IPS, 127.0.0.1 by default).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WINDOW: Final = 60.0
MAX_FAILURES: Final = 10
MAX_ADDRESSES: Final = 10_000  # addresses remembered; the oldest are forgotten first


class FailureLimiter:
    """Failures per address in a sliding window."""

    def __init__(
        self, limit: int = MAX_FAILURES, window: float = WINDOW, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str) -> deque[float]:
        now = self.clock()
        found = self._failures.get(address, deque())
        while found and now - found[0] >= self.window:
            found.popleft()
        return found

    def retry_after(self, address: str) -> int | None:
        """Seconds until this address may try again, or None if it may now."""
        found = self._recent(address)
        if len(found) < self.limit:
            return None
        return max(1, math.ceil(self.window - (self.clock() - found[0])))

    def fail(self, address: str) -> None:
        """Count a refused credential from this address."""
        found = self._recent(address)
        found.append(self.clock())
        self._failures.pop(address, None)
        self._failures[address] = found
        while len(self._failures) > MAX_ADDRESSES:
            self._failures.pop(next(iter(self._failures)))


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _presented_credential(scope: Scope) -> bool:
    if scope.get("method") == "POST" and scope.get("path") == "/login":
        return True
    return any(name == b"authorization" for name, _ in scope.get("headers", []))


class LimitFailures:
    """ASGI middleware: refuse an address over the limit; count each refused credential."""

    def __init__(self, app: ASGIApp, limiter: FailureLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = _client(scope)
        wait = self.limiter.retry_after(address)
        if wait is not None:
            await _too_many(send, wait)
            return
        counted = _presented_credential(scope)

        async def watch(message: Message) -> None:
            if counted and message["type"] == "http.response.start" and message["status"] == 401:
                self.limiter.fail(address)
            await send(message)

        await self.app(scope, receive, watch)


async def _too_many(send: Any, wait: int) -> None:
    body = (f"Too many refused sign-in attempts from this address; nothing was done. Try again in {wait} s.\n").encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"retry-after", str(wait).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
