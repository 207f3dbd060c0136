"""`postmortem-actions remind` as cron runs it: --dry-run shows and changes nothing, Markdown on stdout when nothing
else is configured (once per cadence too), --only, and the exit status when nothing could be tried."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from nudge_world import AS_OF, World, table_rows

from postmortem_actions.server.cli.main import main


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for name in list(os.environ):
        if name.startswith("POSTMORTEM_ACTIONS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_POLICY", str(tmp_path / "none.toml"))
    built = World(tmp_path / "actions.db").build()
    monkeypatch.setenv("POSTMORTEM_ACTIONS_DB", str(built.db))
    yield built
    built.close()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["remind", "--as-of", AS_OF.isoformat(), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_dry_run_shows_every_message_and_who_cannot_be_reached_and_changes_nothing(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/cli-secret-99")
    before = table_rows(world.db)
    code, out, err = run(capsys, "--dry-run")
    assert (code, err) == (0, "")
    assert out.startswith("# Reminders for 2026-03-02\n\n_Dry run: nothing was sent or recorded._\n\nChannels: slack.")
    for heading in (
        "## Alice (owner) — via slack",
        "## Bob (owner) — via slack",
        "## Carol (lead) — via slack",
        "## Team digest — via slack",
        "## Owners we cannot reach",
    ):
        assert heading in out
    assert "- Dana (owner): no one in the people table has this name or alias — 1 item (#6)" in out
    assert "cli-secret-99" not in out
    assert world.store.deliveries() == []
    assert table_rows(world.db) == before
    assert run(capsys, "--dry-run")[1] == out  # nothing was recorded: the same plan again


def test_with_nothing_configured_the_messages_go_to_stdout_once_per_cadence(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys)
    assert code == 0
    assert out.startswith("# Reminders for 2026-03-02\n\n## Alice (owner)\n\n**3 action items need you:")
    assert "remind 2026-03-02: 4 message(s) sent (stdout 4), 7 reminder(s) recorded." in err
    assert (
        "Owners we cannot reach:\n  Dana (owner): no one in the people table has this name or alias (1 item(s))" in err
    )
    code, out, err = run(capsys)
    assert (code, out) == (0, "")
    assert "0 message(s) sent (none)" in err


def test_only_sends_the_chosen_reminders(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--only", "leads")
    assert code == 0
    assert "## Carol (lead)" in out
    assert "(owner)" not in out
    assert "Team digest" not in out
    assert {d.kind for d in world.store.deliveries()} == {"undecided"}


def test_a_second_run_while_one_is_sending_sends_nothing_and_exits_2(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = world.db.with_name(world.db.name + ".remind.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        code, out, err = run(capsys)
    finally:
        os.close(fd)
    assert (code, out) == (2, "")
    assert "another `remind` is still running on this database; nothing was sent" in err
    assert world.store.deliveries() == []


def test_remind_without_a_database_exits_2_and_creates_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_POLICY", str(tmp_path / "none.toml"))
    missing = tmp_path / "none" / "actions.db"
    assert main(["--db", str(missing), "remind"]) == 2
    assert "no database at" in capsys.readouterr().err
    assert not missing.parent.exists()


def test_a_malformed_as_of_is_refused_by_the_parser(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["remind", "--as-of", "next monday"])
    assert exited.value.code == 2
    assert "argument --as-of: 'next monday' is not a date" in capsys.readouterr().err
