"""`postmortem-actions export` and `sync` for people: files from the store, and readable errors for trackers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fake_github import FakeGitHub, github_error
from loopback import served
from test_tickets import seeded

from postmortem_actions.server.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_ics_feed_has_the_accepted_item_with_its_due_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "tester")
    store, _, ids = seeded(tmp_path)
    out = tmp_path / "due.ics"
    status, _, err = run(capsys, "--db", str(tmp_path / "actions.db"), "export", "--format", "ics", "--out", str(out))

    assert status == 0
    assert "wrote 3 action(s)" in err
    feed = out.read_bytes().decode("utf-8")
    assert feed.startswith("BEGIN:VCALENDAR\r\n")
    assert feed.count("BEGIN:VEVENT") == 1
    assert f"UID:action-{ids[0]}.{store.database_id()}@postmortem-actions" in feed
    assert "DTSTART;VALUE=DATE:20261215" in feed


def test_csv_and_json_go_to_standard_output_filtered_by_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
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
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
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
    # issue 13: it names what to set, where a person running a command sets it, and the trackers file.
    assert ("POSTMORTEM_ACTIONS_GITHUB_TOKEN" if "github" in args else "POSTMORTEM_ACTIONS_LINEAR_API_KEY") in err
    assert "in your shell for a command" in err
    assert str(tmp_path / "none.toml") in err
    assert "the server's environment" not in err


def test_export_to_github_then_sync_through_the_command_line_against_a_loopback_github(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    github = FakeGitHub(token="ghp_cli", repos=["acme/web"], assignable=["dana"])
    store, pm_id, ids = seeded(tmp_path)
    db = str(tmp_path / "actions.db")
    with served(github) as base:
        for name, value in (
            ("POSTMORTEM_ACTIONS_GITHUB_TOKEN", "ghp_cli"),
            ("POSTMORTEM_ACTIONS_GITHUB_REPO", "acme/web"),
            ("POSTMORTEM_ACTIONS_GITHUB_URL", f"{base}/api/v3"),
            ("POSTMORTEM_ACTIONS_TRACKERS", str(tmp_path / "none.toml")),
            ("POSTMORTEM_ACTIONS_USER", "tester"),
        ):
            monkeypatch.setenv(name, value)
        status, out, _ = run(capsys, "--db", db, "export", "--tracker", "github", "--postmortem", str(pm_id))
        assert status == 0, out
        assert f"#{ids[0]} created: acme/web#1" in out
        assert f"#{ids[1]} refused: killed" in out
        assert "1 ticket(s) created in github" in out

        github.close("acme/web#1", by="dana")
        status, out, _ = run(capsys, "--db", db, "sync", "github")
    assert status == 0, out
    assert f"#{ids[0]} acme/web#1: closed in github by dana: recorded as their decision" in out
    decision = store.decisions(ids[0])[-1]
    assert (decision.kind, decision.decided_by, decision.channel) == ("complete", "dana", "tracker")
    assert "ghp_cli" not in out


def test_export_to_a_tracker_that_fails_some_items_exits_1_and_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    github = FakeGitHub(token="ghp_cli", repos=["acme/web"])
    _, pm_id, ids = seeded(tmp_path)
    github.fail_next(github_error(422, "Validation Failed"))
    with served(github) as base:
        for name, value in (
            ("POSTMORTEM_ACTIONS_GITHUB_TOKEN", "ghp_cli"),
            ("POSTMORTEM_ACTIONS_GITHUB_REPO", "acme/web"),
            ("POSTMORTEM_ACTIONS_GITHUB_URL", f"{base}/api/v3"),
            ("POSTMORTEM_ACTIONS_TRACKERS", str(tmp_path / "none.toml")),
        ):
            monkeypatch.setenv(name, value)
        status, out, _ = run(
            capsys, "--db", str(tmp_path / "actions.db"), "export", "--tracker", "github", "--postmortem", str(pm_id)
        )
    assert status == 1
    assert f"#{ids[0]} FAILED: github refused the request (422)" in out
