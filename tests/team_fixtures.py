"""A real team server (uvicorn on a loopback port, in a thread) and its people and tokens, for the team tests."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx2

from postmortem_actions.server.settings import Settings
from postmortem_actions.server.team.app import TeamServer, listen, team_server, uvicorn_server
from postmortem_actions.server.team.limits import FailureLimiter
from postmortem_actions.store import Store
from postmortem_actions.tools import people, tokens
from postmortem_actions.tools.oidc import OidcConfig


@dataclass(frozen=True)
class Team:
    """Tokens of the people the tests act as."""

    alice: str  # member
    vic: str  # viewer
    ada: str  # admin
    alice_token_id: int


def make_team(store: Store) -> Team:
    """Alice (member), Vic (viewer), Ada (admin), and Bob who has no token."""
    for name, email in (("Alice", "alice@example.com"), ("Vic", None), ("Ada", None), ("Bob", "bob@example.com")):
        people.add_person(store, name, email=email)
    alice, record = tokens.create_token(store, "alice", "member")
    vic, _ = tokens.create_token(store, "Vic", "viewer")
    ada, _ = tokens.create_token(store, "Ada", "admin")
    return Team(alice=alice, vic=vic, ada=ada, alice_token_id=record.id)


@contextmanager
def running(
    settings: Settings,
    *,
    oidc: OidcConfig | None = None,
    limiter: FailureLimiter | None = None,
    public_url: str | None = None,
) -> Iterator[TeamServer]:
    """The team server for `settings` on 127.0.0.1 at a free port, for the duration."""
    import dataclasses

    sock = listen("127.0.0.1", 0)
    port = int(sock.getsockname()[1])
    settings = dataclasses.replace(settings, public_url=public_url)
    team = team_server(settings, bind_host="127.0.0.1", port=port, oidc=oidc, limiter=limiter)
    server = uvicorn_server(team.app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the team server did not start"
        time.sleep(0.01)
    try:
        yield team
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@asynccontextmanager
async def mcp_client(base: str, token: str | None, mode: str = "auto", **options: Any) -> AsyncIterator[Any]:
    """The SDK's real client over Streamable HTTP, with this bearer token (or none)."""
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http), mode=mode, **options) as client,
    ):
        yield client
