"""The team server's one ASGI app: MCP over Streamable HTTP at /mcp and the web board on every other path.

Both sit behind the same authentication: a bearer token (ours or, when configured, a sign-on JWT) for MCP, checked
by the SDK's bearer middleware with our `TeamVerifier`; for the board, the person signs in with the same token once
and gets a cookie bound to them. Both check `Host` and `Origin` against the server's own addresses (the SDK's
transport security on /mcp, the board's guard elsewhere), and failed sign-ins are limited per client address.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from mcp.server.auth.settings import AuthSettings
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from postmortem_actions.server.keys import state_key
from postmortem_actions.server.mcp.app import build_server
from postmortem_actions.server.settings import Settings
from postmortem_actions.server.team.auth import TeamVerifier
from postmortem_actions.server.team.limits import FailureLimiter, LimitFailures
from postmortem_actions.server.web.app import Board, routes
from postmortem_actions.server.web.security import BoardKeys
from postmortem_actions.server.web.sessions import TeamGuard, TeamSessions
from postmortem_actions.store import Store
from postmortem_actions.store.errors import ConfigError
from postmortem_actions.tools.oidc import OidcConfig, OidcVerifier

log = logging.getLogger("postmortem_actions")
MCP_PATH: Final = "/mcp"
LOOPBACK_NAMES: Final = ("127.0.0.1", "localhost", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether binding `host` reaches only this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def public_base(host: str, port: int, configured: str | None) -> str:
    """The address people reach the server by: POSTMORTEM_ACTIONS_PUBLIC_URL, else http://HOST:PORT.

    Raises:
        ConfigError: the configured URL is not a plain http(s) origin, or none is set for a wildcard address.
    """
    if configured:
        parts = urlsplit(configured.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
            raise ConfigError(
                f"POSTMORTEM_ACTIONS_PUBLIC_URL={configured[:80]!r} is not an origin like https://actions.example.com "
                "(scheme and host, no path): the server is served at the root of its address"
            )
        return f"{parts.scheme}://{parts.netloc}"
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 -- naming the wildcard, not binding it
        raise ConfigError(
            "listening on every address needs POSTMORTEM_ACTIONS_PUBLIC_URL, the address people reach the server by "
            "(e.g. https://actions.example.com): requests naming any other host are refused"
        )
    name = f"[{host}]" if ":" in host else host
    return f"http://{name}:{port}"


def addresses(base: str, bind_host: str, port: int) -> tuple[set[str], set[str]]:
    """The Host values and Origins the server answers: its public address, and loopback when bound there."""
    parts = urlsplit(base)
    hosts = {parts.netloc}
    origins = {base}
    if is_loopback(bind_host):
        loop = {f"{name}:{port}" for name in LOOPBACK_NAMES}
        hosts |= loop
        origins |= {f"http://{h}" for h in loop}
    return hosts, origins


class Dispatch:
    """/mcp and the OAuth metadata go to the SDK's app (which also runs the lifespan); the rest to the board."""

    def __init__(self, mcp_app: ASGIApp, board_app: ASGIApp) -> None:
        self.mcp_app = mcp_app
        self.board_app = board_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "lifespan" or path == MCP_PATH or path.startswith("/.well-known/"):
            await self.mcp_app(scope, receive, send)
        else:
            await self.board_app(scope, receive, send)


@dataclass
class TeamServer:
    """The parts of one team server, for `serve --http` and for tests."""

    app: ASGIApp
    base_url: str
    store: Store
    limiter: FailureLimiter
    settings: Settings


def team_server(
    settings: Settings,
    *,
    bind_host: str,
    port: int,
    oidc: OidcConfig | None = None,
    oidc_transport: Any = None,
    limiter: FailureLimiter | None = None,
) -> TeamServer:
    """Build the team server for a database, listening (later) on `bind_host:port`.

    Raises:
        ConfigError: no way to authenticate anyone (no token and no sign-on), or a bad public URL.
        StoreError / SchemaMismatch: the database cannot be opened.
    """
    base = public_base(bind_host, port, settings.public_url)
    settings = dataclasses.replace(settings, local=False, public_url=base)
    store = Store(settings.db_path)
    if oidc is None and store.count_tokens() == 0:
        where = "this machine" if is_loopback(bind_host) else f"{bind_host}"
        raise ConfigError(
            f"refusing to serve on {where} without authentication: nobody could sign in. Make a token first "
            "(`postmortem-actions people add NAME`, then `postmortem-actions token create NAME`), or configure "
            "single sign-on (POSTMORTEM_ACTIONS_OIDC_ISSUER and POSTMORTEM_ACTIONS_OIDC_AUDIENCE)"
        )
    verifier = TeamVerifier(store, OidcVerifier(oidc, store, oidc_transport) if oidc is not None else None)
    hosts, origins = addresses(base, bind_host, port)
    # With sign-on, the protected-resource metadata names the provider; with our own tokens only, there is no
    # authorization server to point a client at, so none is advertised.
    auth = AuthSettings(
        issuer_url=oidc.issuer if oidc is not None else base,
        resource_server_url=f"{base}{MCP_PATH}" if oidc is not None else None,
        validate_token_resource=False,  # the verifier checks the audience itself
    )
    mcp = build_server(settings, token_verifier=verifier, auth=auth)
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=sorted(hosts), allowed_origins=sorted(origins)
    )
    mcp_app = mcp.streamable_http_app(streamable_http_path=MCP_PATH, transport_security=security, host=bind_host)
    keys = BoardKeys(state_key(settings.board_key_path))
    sessions = TeamSessions(keys, store, verifier.identify, secure=base.startswith("https://"))
    board = Board(settings, keys, store, team=sessions)
    board_app = TeamGuard(Starlette(routes=routes(board)), sessions, hosts, origins)
    limiter = limiter or FailureLimiter()
    app = LimitFailures(Dispatch(mcp_app, board_app), limiter)
    return TeamServer(app=app, base_url=base, store=store, limiter=limiter, settings=settings)


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (IPv6 when the host is).

    Raises:
        ConfigError: the address cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror}); pass another --host or --port") from exc
    sock.listen(256)
    return sock


def uvicorn_server(app: ASGIApp) -> Any:
    """A quiet uvicorn server for the app: no access log (a URL may carry a decision code), lifespan on."""
    import uvicorn

    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", log_level="warning")
    return uvicorn.Server(config)
