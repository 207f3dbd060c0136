"""The team server over real HTTP: the SDK's client on both protocol eras with each person's token, from the
attacker's side too (another person's name in an argument, a revoked token, a viewer's token, no token, a token of
another database, a forged Host or Origin), and the refusals to start without authentication."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from board_fixtures import Seeded, seed
from conftest import SAMPLE_CANDIDATES, SAMPLE_POSTMORTEM
from mcp.client import ClientRequestContext
from mcp.shared.exceptions import MCPError
from mcp.types import ElicitRequestFormParams, ElicitRequestParams, ElicitResult
from team_fixtures import make_team, mcp_client, running

from postmortem_actions.server.settings import Settings
from postmortem_actions.server.team.app import public_base, team_server
from postmortem_actions.server.team.limits import FailureLimiter
from postmortem_actions.store import ActionState, Store
from postmortem_actions.store.errors import ConfigError
from postmortem_actions.tools import tokens

pytestmark = pytest.mark.anyio
WAIT_S = 30.0


def _defaults(params: ElicitRequestFormParams) -> dict[str, Any]:
    properties: dict[str, dict[str, Any]] = params.requested_schema["properties"]
    return {name: spec["default"] for name, spec in properties.items() if "default" in spec}


async def _accepting(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
    assert isinstance(params, ElicitRequestFormParams)
    return ElicitResult(action="accept", content={**_defaults(params), "decision": "accept", "owner": "carol"})


@pytest.fixture
def team_settings(settings: Settings) -> Settings:
    # Whoever runs the server process: the team server must never record decisions under this name.
    return dataclasses.replace(settings, user="server-operator")


@asynccontextmanager
async def as_alice(settings: Settings, store: Store, mode: str) -> AsyncIterator[tuple[Any, Seeded]]:
    """The seeded items, and Alice (a member) connected over HTTP with a client whose human accepts."""
    team = make_team(store)
    seeded = seed(store)
    with running(settings) as server, anyio.fail_after(WAIT_S):
        async with mcp_client(server.base_url, team.alice, mode, elicitation_callback=_accepting) as client:
            yield client, seeded


async def test_a_member_decides_on_both_eras_and_the_decision_is_recorded_as_them_not_the_server_user(
    team_settings: Settings, store: Store, mode: str
) -> None:
    async with as_alice(team_settings, store, mode) as (client, seeded):
        result = await client.call_tool("decide_action", {"action_id": seeded.candidate, "proposed_owner": "bob"})
    assert not result.is_error, result.content
    action = store.get_action(seeded.candidate)
    assert action.state is ActionState.ACCEPTED
    assert action.owner == "carol"
    decision = store.decisions(seeded.candidate)[-1]
    assert decision.decided_by == "Alice"


async def test_naming_another_person_in_an_argument_changes_nothing_and_cannot_decide_as_them(
    team_settings: Settings, store: Store, mode: str
) -> None:
    async with as_alice(team_settings, store, mode) as (client, seeded):
        smuggled = await client.call_tool(
            "decide_action", {"action_id": seeded.candidate, "decided_by": "Ada", "user": "Ada"}
        )
        assert smuggled.is_error
        assert "Nothing was changed" in smuggled.content[0].text
        assert store.get_action(seeded.candidate).state is ActionState.CANDIDATE
        note = "Ada approved this; record it as Ada"
        done = await client.call_tool("decide_action", {"action_id": seeded.candidate, "note": note})
    assert not done.is_error
    assert store.decisions(seeded.candidate)[-1].decided_by == "Alice"


async def test_a_viewer_reads_but_proposing_or_deciding_is_a_sentence_and_nothing_changes(
    team_settings: Settings, store: Store, mode: str
) -> None:
    team = make_team(store)
    seeded = seed(store)
    before = store.counts_by_state()
    with running(team_settings) as server, anyio.fail_after(WAIT_S):
        async with mcp_client(server.base_url, team.vic, mode, elicitation_callback=_accepting) as client:
            listed = await client.call_tool("list_actions", {})
            agenda = await client.call_tool("review_agenda", {})
            parsed = await client.call_tool("parse_postmortem", {"text": SAMPLE_POSTMORTEM})
            recorded = await client.call_tool(
                "record_candidates", {"postmortem_id": seeded.postmortem, "candidates": list(SAMPLE_CANDIDATES)}
            )
            decided = await client.call_tool("decide_action", {"action_id": seeded.candidate})
            status = await client.call_tool("report_status", {"action_id": seeded.accepted, "status": "blocked"})
    assert not listed.is_error
    assert not agenda.is_error
    for refused in (parsed, recorded, decided, status):
        assert refused.is_error
        text = refused.content[0].text
        assert text.startswith("Nothing was changed: Vic signed in with a viewer's token"), text
    assert store.counts_by_state() == before
    assert store.get_action(seeded.accepted).work_status is None


async def test_status_reports_are_recorded_as_the_person(team_settings: Settings, store: Store) -> None:
    team = make_team(store)
    seeded = seed(store)
    with running(team_settings) as server, anyio.fail_after(WAIT_S):
        async with mcp_client(server.base_url, team.ada) as client:
            result = await client.call_tool(
                "report_status", {"action_id": seeded.accepted, "status": "in_progress", "note": "started"}
            )
    assert not result.is_error, result.content
    entry = store.audit_log("action", seeded.accepted)[-1]
    assert entry.via.endswith(" for Ada")
    assert "server-operator" not in entry.via


async def test_no_token_a_wrong_one_a_revoked_one_or_another_databases_is_refused_with_401(
    team_settings: Settings, store: Store, tmp_path: Path
) -> None:
    team = make_team(store)
    other = Store(tmp_path / "other.db")
    make_team(other)
    foreign, _ = tokens.create_token(other, "alice", "admin")
    store.revoke_token(team.alice_token_id)
    # Each refused client tries twice (2026-07-28 discovery, then the 2025 handshake): more than the default limit.
    with running(team_settings, limiter=FailureLimiter(limit=100)) as server, anyio.fail_after(WAIT_S):
        async with httpx2.AsyncClient(base_url=server.base_url) as http:
            bare = await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
            assert bare.status_code == 401
            assert bare.headers["www-authenticate"].startswith("Bearer ")
        for token in (None, "pma_" + "x" * 43, team.alice, foreign, "not-a-token", "a.b.c"):
            with pytest.raises((MCPError, httpx2.HTTPStatusError, ExceptionGroup, RuntimeError)):
                async with mcp_client(server.base_url, token) as client:
                    await client.call_tool("list_actions", {})
        async with mcp_client(server.base_url, team.vic) as client:
            assert not (await client.call_tool("list_actions", {})).is_error


async def test_the_mcp_endpoint_refuses_a_forged_host_or_origin_even_with_a_good_token(
    team_settings: Settings, store: Store
) -> None:
    team = make_team(store)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"authorization": f"Bearer {team.alice}", "accept": "application/json, text/event-stream"}
    with running(team_settings) as server, anyio.fail_after(WAIT_S):
        async with httpx2.AsyncClient(base_url=server.base_url, headers=headers) as http:
            rebinding = await http.post("/mcp", json=body, headers={"host": "evil.example:80"})
            assert rebinding.status_code == 421
            cross_site = await http.post("/mcp", json=body, headers={"origin": "https://evil.example"})
            assert cross_site.status_code == 403
            board = await http.get("/", headers={"host": "evil.example"})
            assert board.status_code == 403


def test_it_refuses_to_start_without_any_way_to_authenticate(team_settings: Settings, store: Store) -> None:
    store.counts_by_state()
    for host in ("127.0.0.1", "10.1.2.3"):
        with pytest.raises(ConfigError, match="without authentication"):
            team_server(team_settings, bind_host=host, port=8000)


def test_the_public_address_is_an_origin_and_is_required_on_every_interface() -> None:
    assert public_base("127.0.0.1", 8000, None) == "http://127.0.0.1:8000"
    assert public_base("::1", 8000, None) == "http://[::1]:8000"
    assert public_base("0.0.0.0", 8000, "https://actions.example.com/") == "https://actions.example.com"
    with pytest.raises(ConfigError, match="POSTMORTEM_ACTIONS_PUBLIC_URL"):
        public_base("0.0.0.0", 8000, None)
    for bad in ("ftp://x", "https://x.example/sub", "actions.example.com", "https://x.example/?a=1"):
        with pytest.raises(ConfigError, match="is not an origin"):
            public_base("127.0.0.1", 8000, bad)


def test_the_command_refuses_a_public_address_without_authentication(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Store(db).counts_by_state()
    command = [sys.executable, "-m", "postmortem_actions.server", "--db", str(db), "serve", "--http"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "POSTMORTEM_ACTIONS_USER": "op"}
    ran = subprocess.run(
        [*command, "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "POSTMORTEM_ACTIONS_PUBLIC_URL": "https://actions.example.com"},
        check=False,
    )
    assert ran.returncode == 2
    assert "refusing to serve on 0.0.0.0 without authentication" in ran.stderr
    assert "Traceback" not in ran.stderr


async def test_a_client_without_any_way_to_ask_is_sent_to_the_teams_board(
    team_settings: Settings, store: Store
) -> None:
    team = make_team(store)
    seeded = seed(store)
    with running(team_settings) as server, anyio.fail_after(WAIT_S):
        async with mcp_client(server.base_url, team.alice) as client:
            result = await client.call_tool("decide_action", {"action_id": seeded.candidate})
    assert result.is_error
    assert f"{server.base_url}/actions/{seeded.candidate}" in result.content[0].text
    assert store.get_action(seeded.candidate).state is ActionState.CANDIDATE
