"""`postmortem-actions export` and `sync` for people: files from the store, and readable errors for trackers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from test_tickets import seeded

from postmortem_actions.server.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_ics_feed_has_the_accepted_item_with_its_due_date(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "tester")
    _, _, ids = seeded(tmp_path)
    out = tmp_path / "due.ics"
    status, _, err = run(capsys, "--db", str(tmp_path / "actions.db"), "export", "--format", "ics", "--out", str(out))

    assert status == 0
    assert "wrote 3 action(s)" in err
    feed = out.read_bytes().decode("utf-8")
    assert feed.startswith("BEGIN:VCALENDAR\r\n")
    assert feed.count("BEGIN:VEVENT") == 1
    assert f"UID:action-{ids[0]}@postmortem-actions" in feed
    assert "DTSTART;VALUE=DATE:20261215" in feed


def test_csv_and_json_go_to_standard_output_filtered_by_state(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "tester")
    _, _, ids = seeded(tmp_path)
    db = str(tmp_path / "actions.db")
    status, out, _ = run(capsys, "--db", db, "export", "--format", "csv", "--state", "accepted")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(int(r["id"]), r["owner"], r["due"]) for r in rows] == [(ids[0], "dana", "2026-12-15")]

    status, out, _ = run(capsys, "--db", db, "export", "--format", "json")
    assert status == 0
    assert [item["state"] for item in json.loads(out)] == ["accepted", "killed", "candidate"]


@pytest.mark.parametrize("args", [["export", "--tracker", "github", "--postmortem", "1"], ["sync", "linear"]])
def test_a_tracker_command_without_configuration_says_what_to_set(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    for name in ("GITHUB_TOKEN", "POSTMORTEM_ACTIONS_GITHUB_TOKEN", "POSTMORTEM_ACTIONS_LINEAR_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTMORTEM_ACTIONS_TRACKERS", str(tmp_path / "none.toml"))
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "tester")
    seeded(tmp_path)
    status, out, err = run(capsys, "--db", str(tmp_path / "actions.db"), *args)

    assert status == 2
    assert out == ""
    assert "is not configured" in err
    assert len(err.strip().splitlines()) == 1
