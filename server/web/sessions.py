"""The board on the team server: a person signs in once with their token and gets a cookie bound to them.

The cookie (HttpOnly, SameSite=Strict, Secure behind https) carries the person, their role, the token it was
signed in with and an expiry, MAC'd with the board's secret; on every request the token must still be valid (a
revoked token ends its sessions at once) and the person must still exist. Forms carry a CSRF token bound to the
session. Decisions on the board are recorded as the signed-in person; a viewer's session may read, not post.
"""

from __future__ import annotations

import base64
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from postmortem_actions.server.web.security import COOKIE, CSP, BoardKeys, Guard
from postmortem_actions.store import Store
from postmortem_actions.store.tokens import Role
from postmortem_actions.tools.tokens import at_least, role_of

SESSION_SECONDS: Final = 12 * 3600
TEAM_OPEN_PATHS: Final = ("/login", "/static/", "/healthz", "/favicon.ico")


@dataclass(frozen=True)
class Identity:
    """Who a presented credential speaks for (a token of ours, or a sign-on JWT)."""

    person: str
    role: Role
    token_id: int  # 0 for single sign-on
    expires_at: int | None
    client_id: str
    issuer: str | None = None


Identify = Callable[[str], Awaitable[Identity | None]]


@dataclass(frozen=True)
class Session:
    """A signed-in board session."""

    person: str
    role: Role
    token_id: int
    expires_at: int

    @property
    def key(self) -> str:
        return f"{self.token_id}|{self.person}|{self.expires_at}"


class TeamSessions:
    """Issuing and checking the board's per-person cookies."""

    def __init__(self, keys: BoardKeys, store: Store, identify: Identify, secure: bool) -> None:
        self.keys = keys
        self.store = store
        self.identify = identify
        self.secure = secure

    def _mac(self, payload: str) -> str:
        return hmac.new(self.keys.secret, f"team-session:v1:{payload}".encode(), "sha256").hexdigest()

    def cookie_for(self, who: Identity) -> tuple[str, int]:
        """The cookie value for a person just signed in, and its lifetime in seconds."""
        expires = int(time.time()) + SESSION_SECONDS
        if who.expires_at is not None:
            expires = min(expires, who.expires_at)
        data = {"p": who.person, "r": who.role, "t": who.token_id, "x": expires}
        payload = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
        return f"{payload}.{self._mac(payload)}", max(0, expires - int(time.time()))

    def session(self, request: Request) -> Session | None:
        """The request's session if its cookie is genuine, unexpired, and its token and person still valid."""
        payload, _, mac = request.cookies.get(COOKIE, "").partition(".")
        if not payload or not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(payload))
            found = Session(str(data["p"]), role_of(str(data["r"])), int(data["t"]), int(data["x"]))
        except (ValueError, KeyError, TypeError):
            return None
        if found.expires_at < time.time():
            return None
        if found.token_id:
            holder = self.store.token_holder_by_id(found.token_id)
            still = holder is not None and holder.person == found.person
        else:
            still = self.store.person_by_name(found.person) == found.person
        return found if still else None

    def csrf(self, session: Session | None, scope: str) -> str:
        """A form's CSRF token, bound to the session."""
        return self.keys.csrf(f"{scope}|{session.key if session else '-'}")


def session_of(request: Request) -> Session | None:
    """The session the guard found for this request (None on open pages)."""
    found = request.scope.get("pma_session")
    return found if isinstance(found, Session) else None


def _refuse(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status, headers={"Content-Security-Policy": CSP})


class TeamGuard(Guard):
    """The board's guard on the team server: the public and loopback hosts, same-origin POSTs, and a person's
    session on every page but the sign-in page (decision pages too: the answer is recorded as the person)."""

    def __init__(
        self, app: Callable[..., Awaitable[None]], sessions: TeamSessions, hosts: set[str], origins: set[str]
    ) -> None:
        super().__init__(app, sessions.keys, lambda: 0)
        self.sessions = sessions
        self.hosts = hosts
        self.origins = origins

    def check(self, request: Request) -> Response | None:
        """The refusal for a request that may not go on, or None (the session is left in the request's scope)."""
        if request.headers.get("host", "") not in self.hosts:
            return _refuse(403, "This server answers only on its own address; nothing was done.")
        if request.method not in ("GET", "HEAD", "POST"):
            return _refuse(405, "Only GET and POST are used here; nothing was done.")
        if request.method == "POST" and request.headers.get("origin", "") not in self.origins:
            return _refuse(403, "A form may be sent only from this board's own pages; nothing was recorded.")
        path = request.url.path
        if path.startswith(TEAM_OPEN_PATHS):
            return None
        session = self.sessions.session(request)
        if session is None:
            if request.method == "GET":
                target = path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            return _refuse(401, "Sign in first (with your token, on /login); nothing was recorded.")
        if request.method == "POST" and not at_least(session.role, "member"):
            return _refuse(
                403,
                f"{session.person} signed in with a viewer's token, which may only read; nothing was recorded. "
                "Deciding needs a member's token.",
            )
        request.scope["pma_session"] = session
        return None


def safe_next(target: str) -> str:
    """Where to go after signing in: a path on this board only (never another site)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


async def sign_in(request: Request, sessions: TeamSessions) -> Response | None:
    """Trade a posted token for the session cookie; None when the token is refused (the caller draws the page)."""
    form = await request.form()
    if not sessions.keys.good_csrf(str(form.get("csrf", "")), "login"):
        return None
    who = await sessions.identify(str(form.get("token", "")).strip())
    if who is None:
        return None
    value, lifetime = sessions.cookie_for(who)
    response = RedirectResponse(safe_next(str(form.get("next", "/"))), status_code=303)
    response.set_cookie(
        COOKIE, value, max_age=lifetime, httponly=True, samesite="strict", secure=sessions.secure, path="/"
    )
    return response
