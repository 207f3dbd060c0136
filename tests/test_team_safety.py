"""The team server's own defences over real HTTP: failed sign-ins limited per address (429 with Retry-After), tokens
never in a log line or an error, and the `token` command (printed once, stored as a hash, for known people only)."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import anyio
import httpx2
import pytest
from board_fixtures import form_values, seed
from team_fixtures import make_team, mcp_client, running

from postmortem_actions.server.cli.main import main
from postmortem_actions.server.settings import Settings
from postmortem_actions.server.team.limits import FailureLimiter
from postmortem_actions.store import Store

MCP_BODY = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}


@pytest.fixture
def team_settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, user="server-operator")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_ten_refused_tokens_in_a_minute_get_429_with_retry_after_until_the_window_passes(
    team_settings: Settings, store: Store
) -> None:
    team = make_team(store)
    clock = Clock()
    with (
        running(team_settings, limiter=FailureLimiter(clock=clock)) as server,
        httpx2.Client(base_url=server.base_url, timeout=20) as http,
    ):
        for n in range(10):
            reply = http.post("/mcp", json=MCP_BODY, headers={"authorization": f"Bearer pma_guess{n}"})
            assert reply.status_code == 401
            clock.now += 1
        blocked = http.post("/mcp", json=MCP_BODY, headers={"authorization": f"Bearer {team.alice}"})
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) == 50
        assert "Too many refused sign-in attempts" in blocked.text
        assert http.get("/login").status_code == 429  # the board too: one limit per address
        clock.now += 50
        board = http.get("/login")
        assert board.status_code == 200
        for _ in range(10):
            data = {"csrf": form_values(board.text)["csrf"], "token": "pma_nope"}
            assert http.post("/login", data=data, headers={"origin": server.base_url}).status_code in (401, 429)
        assert http.get("/login").status_code == 429


def test_requests_without_any_credential_are_not_counted_as_guesses(team_settings: Settings, store: Store) -> None:
    make_team(store)
    with running(team_settings) as server, httpx2.Client(base_url=server.base_url, timeout=20) as http:
        for _ in range(15):
            assert http.post("/mcp", json=MCP_BODY).status_code == 401
            assert http.get("/").status_code == 303
        assert http.get("/login").status_code == 200


def test_the_limiter_forgets_the_oldest_addresses_first() -> None:
    clock = Clock()
    limiter = FailureLimiter(limit=2, clock=clock)
    for _ in range(2):
        limiter.fail("10.0.0.1")
    assert limiter.retry_after("10.0.0.1") == 60
    assert limiter.retry_after("10.0.0.2") is None
    clock.now += 60
    assert limiter.retry_after("10.0.0.1") is None


@pytest.mark.anyio
async def test_no_token_reaches_a_log_line_or_an_error(
    team_settings: Settings, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    team = make_team(store)
    seeded = seed(store)
    store.revoke_token(team.alice_token_id)
    caplog.set_level(logging.DEBUG)
    bodies: list[str] = []
    with running(team_settings) as server:
        async with httpx2.AsyncClient(base_url=server.base_url, timeout=20) as http:
            for token in (team.alice, "pma_guessed", f"{team.vic}x", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0."):
                reply = await http.post("/mcp", json=MCP_BODY, headers={"authorization": f"Bearer {token}"})
                bodies.append(reply.text + str(reply.headers))
            login = await http.get("/login")
            for token in (team.alice, team.vic):
                data = {"csrf": form_values(login.text)["csrf"], "token": token}
                reply = await http.post("/login", data=data, headers={"origin": server.base_url})
                bodies.append(reply.text + str(reply.headers))
        with anyio.fail_after(30):
            async with mcp_client(server.base_url, team.vic) as client:
                refused = await client.call_tool("decide_action", {"action_id": seeded.candidate})
                bodies.append(str(refused.content))
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records  # the server did log (so the check below looks at something)
    for secret in (team.alice, team.vic, team.ada, "pma_guessed"):
        assert secret not in logged
        assert all(secret not in body for body in bodies)


def test_the_command_prints_a_token_once_and_stores_only_its_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "a.db")
    assert main(["--db", db, "people", "add", "Alice"]) == 0
    assert main(["--db", db, "token", "create", "nobody"]) == 2
    assert "nobody is called 'nobody'" in capsys.readouterr().err
    assert main(["--db", db, "token", "create", "alice", "--role", "viewer", "--label", "laptop"]) == 0
    printed = capsys.readouterr()
    secret = printed.out.strip()
    assert secret.startswith("pma_")
    assert "shown once" in printed.err
    raw = sqlite3.connect(db).execute("SELECT hash, role, label FROM tokens").fetchall()
    assert raw[0][1:] == ("viewer", "laptop")
    assert secret not in str(raw)
    assert main(["--db", db, "token", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Alice" in listing
    assert "viewer" in listing
    assert secret not in listing
    assert main(["--db", db, "token", "revoke", "1"]) == 0
    assert main(["--db", db, "token", "revoke", "1"]) == 2
    assert main(["--db", db, "token", "list", "--all", "--format", "json"]) == 0
    assert '"revoked_at": "20' in capsys.readouterr().out
    assert main(["--db", db, "token", "list"]) == 0
    assert "0 token(s)" in capsys.readouterr().out


def test_the_served_command_logs_no_token_at_debug_and_stops_on_sigint(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    store = Store(db)
    team = make_team(store)
    env = {
        **os.environ,
        "POSTMORTEM_ACTIONS_LOG_LEVEL": "DEBUG",
        "POSTMORTEM_ACTIONS_USER": "op",
        "HOME": str(tmp_path),
    }
    command = [sys.executable, "-m", "postmortem_actions.server", "--db", str(db), "serve", "--http", "--port", "0"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stderr is not None
    try:
        base = ""
        deadline = time.monotonic() + 60
        while not base:
            assert time.monotonic() < deadline
            line = process.stderr.readline()
            if "MCP: " in line:
                base = line.split("MCP: ")[1].split("/mcp")[0]
        with httpx2.Client(base_url=base, timeout=20) as http:
            for token in (team.alice, "pma_guess"):
                http.post("/mcp", json=MCP_BODY, headers={"authorization": f"Bearer {token}"})
    finally:
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=30)
    assert team.alice not in rest
    assert "pma_guess" not in rest
    assert "Traceback" not in rest
