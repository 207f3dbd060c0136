"""`postmortem-actions web` as a person runs it: a real process, its printed link, the board behind it, Ctrl-C."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from postmortem_actions.store import Store

WAIT_S = 30


def _env(db: Path) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("POSTMORTEM_ACTIONS_")}
    return {**inherited, "POSTMORTEM_ACTIONS_DB": str(db), "POSTMORTEM_ACTIONS_USER": "lead"}


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "postmortem_actions.server", *args]


def _link(process: subprocess.Popen[str]) -> str:
    """The sign-in link the command prints (read line by line; the process keeps running)."""
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        found = re.search(r"http://127\.0\.0\.1:\d+/login\?k=\S+", line)
        if found:
            return found.group(0)
    raise AssertionError(f"no sign-in link in the output: {''.join(seen)!r}")


@pytest.fixture
def board(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    db = tmp_path / "actions.db"
    Store(db)
    process = subprocess.Popen(
        _command("web", "--port", "0"), env=_env(db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield process, _link(process), db
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=WAIT_S)  # also closes the pipes


def _get(url: str, cookie: str = "") -> tuple[int, dict[str, str], str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=WAIT_S)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        reply = connection.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read().decode()
    finally:
        connection.close()


def test_the_printed_link_signs_a_browser_in_and_ctrl_c_stops_the_board(
    board: tuple[subprocess.Popen[str], str, Path],
) -> None:
    process, link, _db = board
    status, headers, _ = _get(link)
    assert status == 303
    cookie = headers["set-cookie"].split(";")[0]
    assert "HttpOnly" in headers["set-cookie"]
    base = link.split("/login")[0]
    status, _, page = _get(base + "/", cookie)
    assert status == 200
    assert "Overdue" in page
    # Without the cookie the board shows nothing.
    status, _, page = _get(base + "/")
    assert status in (401, 403)
    assert "Overdue" not in page
    process.send_signal(signal.SIGINT)
    assert process.wait(WAIT_S) in (0, 130)


def test_a_second_web_for_the_same_database_points_at_the_running_board(
    board: tuple[subprocess.Popen[str], str, Path],
) -> None:
    _process, link, db = board
    again = subprocess.run(_command("web"), env=_env(db), capture_output=True, text=True, timeout=WAIT_S, check=False)
    assert again.returncode == 0
    assert "already running" in again.stdout
    assert link in again.stdout


def test_a_port_in_use_is_a_sentence_and_exit_status_2(tmp_path: Path) -> None:
    db = tmp_path / "actions.db"
    Store(db)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            _command("web", "--port", str(port)), env=_env(db), capture_output=True, text=True, timeout=WAIT_S
        )
    assert result.returncode == 2
    assert str(port) in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_file_that_is_not_our_database_is_refused_before_anything_listens(tmp_path: Path) -> None:
    stranger = tmp_path / "notes.db"
    stranger.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    result = subprocess.run(
        _command("web", "--port", "0"), env=_env(stranger), capture_output=True, text=True, timeout=WAIT_S
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "login?k=" not in result.stdout
