"""Shared fixtures: settings on a real SQLite file, the in-memory MCP client on both protocol eras, and a
small postmortem with the candidates it supports."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Store
from postmortem_actions.tools.trackers.base import TrackerConfig
from postmortem_actions.tools.trackers.config import Trackers, load_trackers

if TYPE_CHECKING:
    # Imported lazily below: store and tools tests should not pay for the SDK import (about a second).
    from gate_setting import Items
    from mcp import Client
    from mcp.server import MCPServer

MAX_BYTES = 64_000

SAMPLE_POSTMORTEM = """\
# Billing queue backlog

Severity: SEV2
Incident date: 2026-03-04

## Summary

The billing queue backed up for forty minutes before anyone noticed. Invoices were sent twice.

## Action items

- Add an alert on billing queue depth above 10,000 messages.
- Rehearse the failover runbook every quarter with the on-call team.
- Document the manual replay procedure for stuck invoices.
- Cap consumer retries at five attempts with exponential backoff.
- Review on-call handover notes in the weekly ops meeting.
"""

SAMPLE_CANDIDATES: tuple[dict[str, Any], ...] = (
    {
        "text": "Page billing on-call when queue depth exceeds 10,000 messages for 5 minutes",
        "done_when": "A synthetic backlog in staging pages the on-call",
        "problem": "Nobody noticed the backlog",
        "category": "detect",
        "quote": "Add an alert on billing queue depth above 10,000 messages",
    },
    {
        "text": "Run a quarterly failover drill with the billing on-call team",
        "done_when": "The drill is on the calendar and the first one ran",
        "problem": "The runbook was never rehearsed",
        "category": "mitigate",
        "quote": "Rehearse the failover runbook every quarter",
    },
    {
        "text": "Write the manual replay procedure for stuck invoices in the billing runbook",
        "done_when": "The runbook has the procedure and a reviewer replayed one invoice with it",
        "problem": "Replay depended on one engineer",
        "category": "mitigate",
        "quote": "Document the manual replay procedure for stuck invoices",
    },
    {
        "text": "Limit billing consumer retries to five with exponential backoff",
        "done_when": "A poison message is retried five times, then parked",
        "problem": "Retries amplified the backlog",
        "category": "prevent",
        "quote": "Cap consumer retries at five attempts with exponential backoff",
    },
    {
        "text": "Add handover notes review to the weekly ops meeting agenda",
        "done_when": "The agenda template has the item",
        "problem": "Handover context was lost",
        "category": "process",
        "quote": "Review on-call handover notes in the weekly ops meeting",
    },
)

RecordSample = Callable[["Client"], Awaitable[tuple[int, list[int]]]]

# Every tracker configured (no request is ever sent with these): the full tool list.
ALL_TRACKERS = Trackers(
    configured={
        "github": TrackerConfig("github", "https://api.github.com", "acme/web", "ghp_test"),
        "jira": TrackerConfig("jira", "https://acme.atlassian.net", "OPS", "jira-test", email="bot@acme.example"),
        "linear": TrackerConfig("linear", "https://api.linear.app", "ENG", "lin_api_test"),
    }
)


def with_trackers(settings: Settings, env: Mapping[str, str] | None = None) -> Settings:
    """`settings` with the trackers the environment configures (as `Settings.load` reads them)."""
    return dataclasses.replace(settings, trackers=load_trackers(os.environ if env is None else env))


@pytest.fixture(autouse=True)
def no_real_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test opens the developer's own browser: a test of that path names a recording stand-in instead."""
    monkeypatch.setenv("POSTMORTEM_ACTIONS_OPEN_BROWSER", "0")
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    """The one folder parse_postmortem may read from."""
    docs = tmp_path / "docs"
    docs.mkdir()
    return docs


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path, docs_dir: Path) -> Settings:
    """Settings on the test's own database file; a test of the gate's setting (`items`) starts from a copy of it."""
    made = Settings(db_path=tmp_path / "actions.db", allowed_dirs=(docs_dir,), max_bytes=MAX_BYTES, user="tester")
    for seeded in ("gate_template", "recorded_template"):
        if seeded in request.fixturenames:
            template: tuple[Path, object] = request.getfixturevalue(seeded)
            _copy_database(template[0], made.db_path)
    return made


@pytest.fixture(scope="session")
def gate_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Items]:
    """The gate's setting (tests/gate_setting.py), made once per test process through the real server and store,
    and its database file: each test of it gets a copy (SQLite's backup), not its own ~40 ms of MCP calls."""
    import anyio
    from gate_setting import setting

    from postmortem_actions.server.mcp.app import build_server

    folder = tmp_path_factory.mktemp("gate-template")
    (folder / "docs").mkdir()
    made = Settings(db_path=folder / "actions.db", allowed_dirs=(folder / "docs",), max_bytes=MAX_BYTES, user="tester")
    record = _recorder(SAMPLE_POSTMORTEM, [dict(c) for c in SAMPLE_CANDIDATES])
    items = anyio.run(setting, build_server(made), Store(made.db_path), record)
    return made.db_path, items


@pytest.fixture(scope="session")
def recorded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[int, list[int]]]:
    """The sample parsed and its candidates recorded through the real server (`record_sample`), made once per test
    process, and its database file: a test that asks for it starts from a copy."""
    import anyio
    from mcp import Client

    from postmortem_actions.server.mcp.app import build_server

    folder = tmp_path_factory.mktemp("recorded-template")
    (folder / "docs").mkdir()
    made = Settings(db_path=folder / "actions.db", allowed_dirs=(folder / "docs",), max_bytes=MAX_BYTES, user="tester")
    record = _recorder(SAMPLE_POSTMORTEM, [dict(c) for c in SAMPLE_CANDIDATES])

    async def run() -> tuple[int, list[int]]:
        async with Client(build_server(made)) as plain:
            return await record(plain)

    return made.db_path, anyio.run(run)


def _copy_database(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)


@pytest.fixture
def store(settings: Settings) -> Store:
    """The store on the same database file the server writes."""
    return Store(settings.db_path)


@pytest.fixture(params=["auto", "legacy"])
def mode(request: pytest.FixtureRequest) -> str:
    """The protocol era: 'auto' negotiates 2026-07-28, 'legacy' forces 2025-11-25."""
    return str(request.param)


@pytest.fixture
def server(settings: Settings) -> MCPServer:
    """The MCP server on the test's database (build one per test; the tool table is built once per process)."""
    from postmortem_actions.server.mcp.app import build_server

    return build_server(settings)


@pytest.fixture
def items(gate_template: tuple[Path, Items], settings: Settings) -> Items:
    """The sample postmortem with an item in every state the gated tools ask about (tests/gate_setting.py), in
    the test's database (`settings` copied it from `gate_template`)."""
    return gate_template[1]


@pytest.fixture
async def client(settings: Settings, mode: str) -> AsyncIterator[Client]:
    from mcp import Client

    from postmortem_actions.server.mcp.app import build_server

    async with Client(build_server(settings), mode=mode) as connected:
        yield connected


@pytest.fixture
def sample_text() -> str:
    return SAMPLE_POSTMORTEM


@pytest.fixture
def sample_candidates() -> list[dict[str, Any]]:
    """Fresh copies of candidates whose quotes occur in `sample_text`."""
    return [dict(c) for c in SAMPLE_CANDIDATES]


@pytest.fixture
def record_sample(sample_text: str, sample_candidates: list[dict[str, Any]]) -> RecordSample:
    """Parse the sample through the client and record its candidates; returns (postmortem id, action ids)."""
    return _recorder(sample_text, sample_candidates)


def _recorder(sample_text: str, sample_candidates: list[dict[str, Any]]) -> RecordSample:
    async def run(client: Client) -> tuple[int, list[int]]:
        parsed = await client.call_tool("parse_postmortem", {"text": sample_text})
        assert not parsed.is_error, parsed.content
        assert parsed.structured_content is not None
        postmortem_id = int(parsed.structured_content["postmortem_id"])
        recorded = await client.call_tool(
            "record_candidates", {"postmortem_id": postmortem_id, "candidates": sample_candidates}
        )
        assert not recorded.is_error, recorded.content
        assert recorded.structured_content is not None
        assert recorded.structured_content["rejected"] == []
        return postmortem_id, [int(r["action_id"]) for r in recorded.structured_content["recorded"]]

    return run
