"""Who may use the board: a secret per database, traded once for a cookie; CSRF tokens, Origin and Host checks.

- The secret (kept beside the database like the question key) is printed and opened once by `web`; `/login`
  trades it for an HttpOnly, SameSite=Strict cookie and redirects to a URL without it.
- Every page but `/login`, a decision page (`/d/CODE`, whose one-time code is its own credential), the stylesheet
  and the health check needs the cookie.
- Every POST carries a CSRF token derived from the secret (and from the code, on a decision page) and must come
  from the board's own origin; every request must name the board's loopback host and port (DNS rebinding).
- No route changes anything on GET.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE: Final = "pma_board"
LOOPBACK_NAMES: Final = ("127.0.0.1", "localhost", "[::1]")
OPEN_PATHS: Final = ("/login", "/d/", "/static/", "/healthz", "/favicon.ico")
# Pages are drawn by the server; the only script is our own file, and nothing is fetched from anywhere else.
CSP: Final = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
)


@dataclass(frozen=True)
class BoardKeys:
    """The board's secret and what is derived from it."""

    secret: bytes

    def _mac(self, purpose: str) -> str:
        return hmac.new(self.secret, purpose.encode(), hashlib.sha256).hexdigest()

    @property
    def login_token(self) -> str:
        """What `web` prints and opens once: a URL carrying it signs the browser in."""
        return self._mac("login:v1")

    @property
    def cookie(self) -> str:
        """The cookie's value once signed in."""
        return self._mac("session:v1")

    def csrf(self, scope: str = "board") -> str:
        """The token a form of this scope carries ("board", or a decision page's code hash)."""
        return self._mac(f"csrf:{scope}")

    def signed_in(self, request: Request) -> bool:
        """Whether the request carries the board's cookie."""
        return hmac.compare_digest(request.cookies.get(COOKIE, ""), self.cookie)

    def good_login(self, token: str) -> bool:
        """Whether `token` is the login token (compared in constant time)."""
        return hmac.compare_digest(token, self.login_token)

    def good_csrf(self, token: str, scope: str = "board") -> bool:
        """Whether a form's token is the one for this scope."""
        return hmac.compare_digest(token, self.csrf(scope))


def _refuse(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status, headers={"Content-Security-Policy": CSP})


class Guard:
    """ASGI middleware: the Host check on every request, Origin on every POST, the cookie on private pages."""

    def __init__(self, app: ASGIApp, keys: BoardKeys, port: Callable[[], int]) -> None:
        self.app = app
        self.keys = keys
        self.port = port

    def _allowed_hosts(self) -> set[str]:
        return {f"{name}:{self.port()}" for name in LOOPBACK_NAMES}

    def _allowed_origins(self) -> set[str]:
        return {f"http://{host}" for host in self._allowed_hosts()}

    def check(self, request: Request) -> Response | None:
        """The refusal for a request that may not go on, or None."""
        if request.headers.get("host", "") not in self._allowed_hosts():
            return _refuse(403, "This board answers only on its own loopback address; nothing was done.")
        if request.method not in ("GET", "HEAD", "POST"):
            return _refuse(405, "Only GET and POST are used here; nothing was done.")
        if request.method == "POST" and request.headers.get("origin", "") not in self._allowed_origins():
            return _refuse(403, "A form may be sent only from this board's own pages; nothing was recorded.")
        path = request.url.path
        if not path.startswith(OPEN_PATHS) and not self.keys.signed_in(request):
            return _refuse(
                401,
                "Sign in first: run `postmortem-actions web` in a terminal, which opens this board signed in.",
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.check(Request(scope))
        if refusal is not None:
            await refusal(scope, receive, send)
            return

        async def with_headers(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))  # type: ignore[call-overload]
                if not any(name == b"content-security-policy" for name, _ in headers):
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cache-control", b"no-store"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)  # type: ignore[arg-type]


Endpoint = Callable[[Request], Awaitable[Response]]
