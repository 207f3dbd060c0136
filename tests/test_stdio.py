"""The installed console script as hosts and humans run it: MCP over stdio in a subprocess, and the human CLI
(add, list, verify, demo) on the same database file. Every wait is bounded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionFilter, Store

RecordSample = Callable[[Client], Awaitable[tuple[int, list[int]]]]

pytestmark = pytest.mark.slow

SPAWN_TIMEOUT_S = 60.0
CLI_TIMEOUT_S = 60.0
DEMO_TIMEOUT_S = 120.0


def console_script() -> list[str]:
    """The installed `postmortem-actions` script, else the module run by this interpreter."""
    beside = Path(sys.executable).parent / "postmortem-actions"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("postmortem-actions")
    return [found] if found else [sys.executable, "-m", "postmortem_actions.server"]


def server_env(settings: Settings) -> dict[str, str]:
    return {
        "POSTMORTEM_ACTIONS_DB": str(settings.db_path),
        "POSTMORTEM_ACTIONS_ALLOWED_DIRS": os.pathsep.join(str(d) for d in settings.allowed_dirs),
        "POSTMORTEM_ACTIONS_USER": settings.user,
        "POSTMORTEM_ACTIONS_LOG_LEVEL": "WARNING",
    }


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = CLI_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}
    return subprocess.run(
        [*console_script(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**inherited, "POSTMORTEM_ACTIONS_USER": "tester", **(env or {})},
    )


# -- MCP over stdio --------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("stdio_mode", ["auto", "legacy"])
async def test_the_console_script_serves_mcp_over_stdio_and_writes_the_configured_database(
    settings: Settings, docs_dir: Path, sample_text: str, sample_candidates: list[dict[str, Any]], stdio_mode: str
) -> None:
    (docs_dir / "billing.md").write_text(sample_text, encoding="utf-8")
    command = console_script()
    # A tracker configured in the environment, as a host would pass it: its tools are offered (no request is sent).
    env = {
        **server_env(settings),
        "POSTMORTEM_ACTIONS_GITHUB_TOKEN": "ghp_test",
        "POSTMORTEM_ACTIONS_GITHUB_REPO": "acme/web",
        "POSTMORTEM_ACTIONS_TRACKERS": str(docs_dir / "no-trackers.toml"),
    }
    params = StdioServerParameters(command=command[0], args=[*command[1:], "serve"], env=env)
    invented = {**sample_candidates[0], "text": "Buy a bigger queue", "quote": "we decided to buy a bigger queue"}
    with anyio.fail_after(SPAWN_TIMEOUT_S):
        async with Client(params, mode=stdio_mode, read_timeout_seconds=30) as client:
            assert client.protocol_version == ("2026-07-28" if stdio_mode == "auto" else "2025-11-25")
            names = [t.name for t in (await client.list_tools()).tools]
            assert names == [
                "parse_postmortem",
                "record_candidates",
                "revise_candidate",
                "list_actions",
                "decide_action",
                "replan_action",
                "complete_action",
                "reopen_action",
                "report_status",
                "list_overdue",
                "review_agenda",
                "draft_status_summary",
                "followthrough_report",
                "preview_reminders",
                "lint_action",
                "draft_tickets",
                "export_tickets",
                "link_ticket",
                "sync_tickets",
            ]

            parsed = await client.call_tool("parse_postmortem", {"path": "billing.md"})
            assert not parsed.is_error, parsed.content
            assert parsed.structured_content is not None
            pm = parsed.structured_content["postmortem_id"]
            assert parsed.structured_content["source"] == str((docs_dir / "billing.md").resolve())

            recorded = await client.call_tool(
                "record_candidates", {"postmortem_id": pm, "candidates": [*sample_candidates, invented]}
            )
            assert not recorded.is_error, recorded.content
            assert recorded.structured_content is not None
            assert len(recorded.structured_content["recorded"]) == len(sample_candidates)
            assert [r["text"] for r in recorded.structured_content["rejected"]] == ["Buy a bigger queue"]

            listed = await client.call_tool("list_actions", {"postmortem_id": pm, "limit": 2})
            assert listed.structured_content is not None
            assert (listed.structured_content["total"], listed.structured_content["next_offset"]) == (5, 2)

            refused = await client.call_tool(
                "record_candidates", {"postmortem_id": pm, "candidates": sample_candidates[:1], "owner": "dana"}
            )
            assert refused.is_error
            assert getattr(refused.content[0], "text", "").startswith("Nothing was changed")

            outside = await client.call_tool("parse_postmortem", {"path": "/etc/passwd"})
            assert outside.is_error

            resource = await client.read_resource(f"action://{recorded.structured_content['recorded'][0]['action_id']}")
            assert json.loads(getattr(resource.contents[0], "text", ""))["action"]["state"] == "candidate"

    store = Store(settings.db_path)
    actions, total = store.list_actions(ActionFilter(postmortem_id=pm), limit=50, offset=0)
    assert total == len(sample_candidates)
    assert [a.text for a in actions] == [c["text"] for c in sample_candidates]
    assert {(a.state, a.owner, a.due) for a in actions} == {("candidate", None, None)}
    audit = store.audit_log("action", actions[0].id)
    assert audit[0].actor == "assistant"
    assert audit[0].via.endswith("for tester")
    assert len(store.list_postmortems()) == 1
    assert store.verify().ok


# -- the human CLI ---------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto"])
async def test_the_cli_adds_lists_and_verifies_the_database_the_server_writes(
    settings: Settings, client: Client, tmp_path: Path, sample_text: str, sample_candidates: list[dict[str, Any]]
) -> None:
    doc = tmp_path / "elsewhere" / "billing.md"  # the human names any file; its folder is allowed for `add`
    doc.parent.mkdir()
    doc.write_text(sample_text, encoding="utf-8")
    db = str(settings.db_path)

    added = cli("--db", db, "add", str(doc))
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("postmortem 1 stored: Billing queue backlog")
    again = cli("--db", db, "add", str(doc))
    assert again.returncode == 0
    assert "already stored" in again.stdout

    recorded = await client.call_tool("record_candidates", {"postmortem_id": 1, "candidates": sample_candidates})
    assert not recorded.is_error, recorded.content

    listed = cli("--db", db, "list", "--format", "json", "--limit", "2")
    assert listed.returncode == 0, listed.stderr
    page = json.loads(listed.stdout)
    assert (page["total"], len(page["items"]), page["next_offset"]) == (5, 2, 2)
    assert {a["state"] for a in page["items"]} == {"candidate"}
    accepted = json.loads(cli("--db", db, "list", "--format", "json", "--state", "accepted").stdout)
    assert accepted["total"] == 0

    table = cli("--db", db, "list")
    assert table.returncode == 0
    assert "1-5 of 5 action(s)" in table.stdout

    verified = cli("--db", db, "verify")
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["ok"] is True


def test_the_cli_reports_a_refused_file_with_exit_status_2(tmp_path: Path) -> None:
    (tmp_path / "key.md").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n")
    refused = cli("--db", str(tmp_path / "a.db"), "add", str(tmp_path / "key.md"))
    assert refused.returncode == 2
    assert "private key material" in refused.stderr
    assert json.loads(cli("--db", str(tmp_path / "a.db"), "list", "--format", "json").stdout)["total"] == 0


def test_the_demo_runs_the_whole_flow_and_shows_the_rejection_and_the_count() -> None:
    demo = cli("demo", timeout=DEMO_TIMEOUT_S)
    assert demo.returncode == 0, demo.stderr
    assert "REJECTED" in demo.stdout
    assert "1-4 of 4" in demo.stdout
    assert "Nothing was changed" in demo.stdout
    # The extractor's list, and the follow-up no candidate covers, are shown before anything is decided.
    assert "the server's extractor found 5 follow-up(s)" in demo.stdout
    assert (
        "NOT COVERED (the assistant must record it or tell you why not): We need to investigate connection "
        "pooling in general." in demo.stdout
    )


SAMPLE = str(Path(__file__).resolve().parents[1] / "server" / "samples" / "checkout-outage.md")


@pytest.mark.parametrize(
    "command", [["list"], ["list", "--format", "json"], ["verify"], ["extract", SAMPLE], ["extract", "--json", SAMPLE]]
)
def test_human_cli_commands_never_import_the_mcp_sdk(tmp_path: Path, command: list[str]) -> None:
    Store(tmp_path / "a.db").close()
    probe = (
        "import sys\n"
        "from postmortem_actions.server.cli.main import main\n"
        f"status = main(['--db', {str(tmp_path / 'a.db')!r}, *{command!r}])\n"
        "loaded = sorted(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.'))\n"
        "print('OK' if status == 0 and not loaded else f'FAIL status={status} loaded={loaded[:5]}')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
        env={**env, "POSTMORTEM_ACTIONS_USER": "tester"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "OK"


def _reply(process: subprocess.Popen[bytes], deadline: float) -> dict[str, Any]:
    """The next JSON line the server writes, waiting at most until `deadline` (time.monotonic)."""
    import select
    import time

    assert process.stdout is not None
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        ready, _, _ = select.select([process.stdout], [], [], max(left, 0))
        assert ready, f"no reply in time; so far {line!r}"
        chunk = os.read(process.stdout.fileno(), 65536)
        assert chunk, "the server closed stdout"
        line += chunk
    reply: dict[str, Any] = json.loads(line)
    return reply


def test_a_line_that_is_not_json_rpc_gets_a_json_rpc_error_and_the_server_keeps_serving(settings: Settings) -> None:
    import time

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}, **server_env(settings)}
    with subprocess.Popen(
        [*console_script(), "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    ) as process:
        try:
            assert process.stdin is not None
            deadline = time.monotonic() + SPAWN_TIMEOUT_S
            for line, code in (
                (b"{not json", -32700),
                (b"[" * 100_000 + b"]" * 100_000, -32700),
                (b'{"jsonrpc": "2.0", "id": 7}', -32600),
            ):
                process.stdin.write(line + b"\n")
                process.stdin.flush()
                reply = _reply(process, deadline)
                assert (reply["jsonrpc"], reply["id"], reply["error"]["code"]) == ("2.0", None, code)
            hello = {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "raw", "version": "1"},
                },
            }
            process.stdin.write(json.dumps(hello).encode() + b"\n")
            process.stdin.flush()
            answer = _reply(process, deadline)
            assert answer["id"] == 1
            assert answer["result"]["serverInfo"]["name"] == "postmortem-actions"
        finally:
            process.kill()
