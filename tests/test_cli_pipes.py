"""The command line in pipes and under Ctrl-C, as real processes: `list | head -1` ends quietly, output to a pipe has
no colour, and `serve` in a terminal stops at the first Ctrl-C with exit status 130."""

from __future__ import annotations

import io
import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest
from test_terminal import console_script

from postmortem_actions.server.cli.main import BROKEN_PIPE, main
from postmortem_actions.store import Actor, NewAction, NewPostmortem, Store

pytestmark = pytest.mark.slow

BUDGET_S = 20.0
LONG = "Add an alert on queue depth above 10,000 messages for five minutes, paging the billing on-call " * 4


@pytest.fixture
def big(tmp_path: Path) -> dict[str, str]:
    """A database whose full list is far more than a pipe holds (64 KiB), and the environment to run with."""
    db = tmp_path / "actions.db"
    store = Store(db)
    text = "# Queue outage\n\n## Action items\n\n- Add an alert on queue depth.\n"
    pm, _ = store.add_postmortem(
        NewPostmortem(title="Queue outage", source="pasted", text=text, sha256="a" * 64), Actor(actor="t", via="t")
    )
    quote = "Add an alert on queue depth"
    start = text.index(quote)
    store.add_actions(
        pm.id,
        [
            NewAction(
                text=f"{n}: {LONG}"[:480],
                done_when="It pages",
                problem="Nobody noticed",
                category="detect",
                quote=quote,
                quote_start=start,
                quote_end=start + len(quote),
            )
            for n in range(200)
        ],
        Actor(actor="t", via="t"),
    )
    store.close()
    # PYTHONUNBUFFERED: unbuffered, a write into a pipe whose reader left returns short instead of failing.
    dropped = ("COLUMNS", "PYTHONUNBUFFERED")
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_") and k not in dropped}
    return {**env, "POSTMORTEM_ACTIONS_DB": str(db), "POSTMORTEM_ACTIONS_USER": "tester"}


@pytest.mark.parametrize(
    ("form", "broken"),
    [
        ([], True),  # 50 columns wide: far more than the pipe and head's read hold, so the pipe surely breaks
        (["--format", "json"], True),
        (["--format", "md"], False),  # these may fit in what the pipe and head's first read hold
        (["--format", "csv"], False),
    ],
)
def test_list_into_head_ends_quietly(big: dict[str, str], form: list[str], broken: bool) -> None:
    lister = subprocess.Popen(
        [*console_script(), "list", "--limit", "200", *form],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**big, "COLUMNS": "50"},
    )
    assert lister.stdout is not None
    head = subprocess.Popen(["head", "-1"], stdin=lister.stdout, stdout=subprocess.PIPE, env=big)
    lister.stdout.close()  # head holds the only reading end: when it exits, the pipe is broken
    first, _ = head.communicate(timeout=BUDGET_S)
    _, err = lister.communicate(timeout=BUDGET_S)

    assert first.decode().strip()
    assert err == b"", err.decode()
    assert lister.returncode == BROKEN_PIPE if broken else lister.returncode in (0, BROKEN_PIPE)


def test_a_table_in_a_pipe_has_no_colour_and_a_table_in_a_terminal_has(big: dict[str, str]) -> None:
    piped = subprocess.run(
        [*console_script(), "list"], capture_output=True, env={**big, "COLUMNS": "100"}, timeout=BUDGET_S, check=True
    )
    assert b"\x1b[" not in piped.stdout
    assert piped.stdout.splitlines()[0].split() == [b"id", b"pm", b"state", b"category", b"owner", b"due", b"action"]


def test_a_write_to_a_closed_pipe_ends_with_its_status_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Gone(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("sys.stdout", Gone())
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"# X\n\n## Action items\n\n- Add an alert.\n")))
    assert main(["--db", str(tmp_path / "a.db"), "extract", "-", "--format", "json"]) == BROKEN_PIPE
    assert "Traceback" not in capsys.readouterr().err


def test_serve_in_a_terminal_stops_at_the_first_ctrl_c_with_130(tmp_path: Path) -> None:
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}
    try:
        server = subprocess.Popen(
            [*console_script(), "--db", str(tmp_path / "actions.db"), "serve"],
            stdin=secondary,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        try:
            assert server.stderr is not None
            deadline, said = time.monotonic() + BUDGET_S, b""
            while b"Ctrl-C stops" not in said:  # it is serving, and told the person how to stop it
                left = deadline - time.monotonic()
                assert left > 0, said
                ready, _, _ = select.select([server.stderr], [], [], left)
                assert ready, said
                said += os.read(server.stderr.fileno(), 4096)
            server.send_signal(signal.SIGINT)
            status = server.wait(timeout=BUDGET_S)
            said += server.stderr.read()
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
            for stream in (server.stdout, server.stderr):
                if stream is not None:
                    stream.close()
    finally:
        os.close(primary)
        os.close(secondary)

    assert status == 130
    assert b"stopped; what was decided before stays recorded" in said
    assert b"Traceback" not in said
