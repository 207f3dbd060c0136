"""Every listing as a person reads it (`--format table`), 80 and 120 columns wide, compared with the screens kept in
tests/snapshots/. The dates are fixed (tests/cli_fixture.py and `--as-of`), so a difference is a change of what
people see: look at it, and when it is right, rewrite the files with `UPDATE_SNAPSHOTS=1 pytest -n 0 this file`.

The output goes to a pipe here, so these are also the plain screens: no colour or control codes, no space at the end
of a line, nothing wider than the terminal.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from cli_fixture import AS_OF, Listed, listed_database

from postmortem_actions.server.cli.main import main

SNAPSHOTS = Path(__file__).parent / "snapshots"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
DOCUMENT = Path(__file__).parent / "snapshots" / "postmortem.md"

LISTINGS: dict[str, list[str]] = {
    "list": ["list"],
    "list-candidates": ["list", "--state", "candidate"],
    "postmortems": ["postmortems"],
    "extract": ["extract", str(DOCUMENT)],
    "overdue": ["overdue", "--as-of", str(AS_OF)],
    "agenda": ["agenda", "--as-of", str(AS_OF)],
    "summary": ["summary", "--as-of", str(AS_OF)],
    "summary-leadership": ["summary", "--as-of", str(AS_OF), "--audience", "leadership"],
    "report": ["report", "--as-of", str(AS_OF)],
}


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> Listed:
    return listed_database(tmp_path_factory.mktemp("listed"))


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("name", list(LISTINGS))
def test_every_listing_reads_as_its_snapshot(
    listed: Listed, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "carol")
    assert main(["--db", str(listed.db), *LISTINGS[name], "--format", "table"]) == 0
    screen = capsys.readouterr().out

    assert not CONTROL.search(screen), "no colour or control codes in a pipe"
    assert all(len(line) <= columns for line in screen.splitlines()), "nothing wider than the terminal"
    assert all(line == line.rstrip() for line in screen.splitlines()), "no spaces at the end of a line"
    kept = SNAPSHOTS / f"{name}-{columns}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        kept.write_text(screen, encoding="utf-8")
    assert screen == kept.read_text(encoding="utf-8"), f"{name} at {columns} columns changed; see {kept}"


@pytest.mark.parametrize("columns", [80, 120])
def test_a_proposed_owner_too_long_for_its_column_keeps_its_mark(
    listed: Listed, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["--db", str(listed.db), "list", "--state", "candidate"]) == 0
    [row] = [
        line for line in capsys.readouterr().out.splitlines() if line.lstrip().startswith(f"{listed.ids['runbook']} ")
    ]

    assert "alexandra.kons…?" in row  # cut, marked as cut, and still marked as a proposal
    assert "2026-03-20?" in row


@pytest.mark.parametrize("name", ["agenda", "summary", "report"])
def test_the_review_in_a_table_never_shows_markdown_source(
    listed: Listed, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["--db", str(listed.db), *LISTINGS[name], "--format", "table"]) == 0
    screen = capsys.readouterr().out

    assert "|---" not in screen
    assert not re.search(r"^#+ ", screen, re.MULTILINE)
    assert "**" not in screen
