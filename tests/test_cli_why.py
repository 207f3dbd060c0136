"""Exports and the report carry the why (issue 13): a lead reading a file or the HTML report without the database
sees why an item was killed, what proved it done, why and until when it was deferred, the quote it came from and its
ticket; the report's warnings name who is overdue and what is blocked, and it lists the undecided candidates. The
calendar's UIDs never collide across databases, and it can remind N days ahead."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from cli_fixture import AS_OF, BY, Listed, listed_database

from postmortem_actions.server.cli.main import main
from postmortem_actions.store import Store

KILL_REASON = "too vague; the 5xx page covers detection"
EVIDENCE = "https://git.example.com/billing/pull/42"
DEFER_NOTE = "after the provider migration"
TICKET = "OPS-1234"


@pytest.fixture
def listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Listed:
    monkeypatch.setenv("POSTMORTEM_ACTIONS_USER", "carol")
    monkeypatch.setenv("COLUMNS", "100")
    listed = listed_database(tmp_path)
    store = Store(listed.db, create=False)
    store.link_ticket(listed.ids["ci"], "jira", TICKET, f"https://jira.example.com/browse/{TICKET}", "open", BY)
    store.close()
    return listed


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    status = main(["--db", str(db), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_csv_and_json_carry_the_kill_reason_the_evidence_the_deferral_the_quote_and_the_ticket(
    listed: Listed, capsys: pytest.CaptureFixture[str]
) -> None:
    _, written, _ = run(capsys, listed.db, "export", "--format", "csv")
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(written))}
    _, written, _ = run(capsys, listed.db, "export", "--format", "json")
    items = {i["id"]: i for i in json.loads(written)}
    ids = listed.ids

    for row in (rows, items):
        assert row[ids["dashboards"]]["kill_reason"] == KILL_REASON
        assert row[ids["replay"]]["completion_evidence"] == EVIDENCE
        assert row[ids["drill"]]["defer_note"] == DEFER_NOTE
        assert row[ids["drill"]]["revisit_on"] == "2026-04-01"
        assert row[ids["drill"]]["quote"] == "Rehearse the payment provider failover every quarter"
        assert row[ids["ci"]]["ticket"] == f"https://jira.example.com/browse/{TICKET}"  # the link, when it has one
        assert row[ids["runbook"]]["proposed_by"] == "extractor"
    assert rows[ids["page"]]["kill_reason"] == ""  # an item with nothing to explain has empty cells
    assert items[ids["page"]]["kill_reason"] is None


def test_the_markdown_export_has_a_column_for_each_why(listed: Listed, capsys: pytest.CaptureFixture[str]) -> None:
    status, written, _ = run(capsys, listed.db, "export", "--format", "md")
    assert status == 0
    header, _, *lines = [line for line in written.splitlines() if line.startswith("|")]
    columns = [c.strip() for c in header.strip("|").split("|")]
    rows = {int(cells[0]): dict(zip(columns, cells, strict=True)) for cells in _cells(lines)}

    assert rows[listed.ids["dashboards"]]["Kill reason"] == KILL_REASON
    assert rows[listed.ids["replay"]]["Done evidence"] == EVIDENCE
    assert (rows[listed.ids["drill"]]["Defer note"], rows[listed.ids["drill"]]["Revisit on"]) == (
        DEFER_NOTE,
        "2026-04-01",
    )
    assert rows[listed.ids["ci"]]["Ticket"] == f"https://jira.example.com/browse/{TICKET}"
    assert rows[listed.ids["page"]]["Evidence"].startswith("Page the payments on-call")


def _cells(lines: list[str]) -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in lines]


def test_the_html_report_warns_who_is_overdue_what_is_blocked_and_lists_the_undecided(
    listed: Listed, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    status, _, err = run(capsys, listed.db, "report", "--as-of", str(AS_OF), "--html", str(page))
    assert status == 0, err
    html = page.read_text(encoding="utf-8")

    assert "Warnings (3)" in html
    assert "2 item(s) overdue on 2026-03-01: dana 1, erin 1" in html
    assert "1 item(s) blocked: #2 Fail CI when worker connections" in html
    assert "waiting on the database team&#x27;s sizing" in html
    assert "3 candidate(s) still await a human decision" in html
    assert "Undecided candidates (3)" in html
    assert "Write a runbook entry for connection exhaustion with the rollback command" in html
    assert "Overdue (2)" in html
    assert "Blocked (1)" in html


def _uids(feed: str) -> list[str]:
    return [line.removeprefix("UID:") for line in feed.splitlines() if line.startswith("UID:")]


def test_calendar_uids_differ_between_databases_and_stay_the_same_in_a_copy(
    listed: Listed, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "other").mkdir()
    other = listed_database(tmp_path / "other")  # the same items, in another database
    copy = tmp_path / "copy.db"
    shutil.copyfile(listed.db, copy)

    feeds = [run(capsys, db, "export", "--format", "ics")[1] for db in (listed.db, other.db, copy)]
    first, second, copied = (_uids(feed) for feed in feeds)

    assert len(set(first)) == len(first) == 3  # the three accepted items with a due date
    assert not set(first) & set(second), "action 1 of another database is another event"
    assert copied == first, "a copy of the database updates the same events"


def test_the_calendar_reminds_n_days_before_each_due_date(listed: Listed, capsys: pytest.CaptureFixture[str]) -> None:
    status, feed, _ = run(capsys, listed.db, "export", "--format", "ics", "--remind-days", "3")
    assert status == 0
    events = feed.split("BEGIN:VEVENT")[1:]
    assert len(events) == 3
    assert all("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-P3D\r\n" in e for e in events)

    _, on_the_day, _ = run(capsys, listed.db, "export", "--format", "ics", "--remind-days", "0")
    assert on_the_day.count("TRIGGER:PT0S") == 3
    _, plain, _ = run(capsys, listed.db, "export", "--format", "ics")
    assert "VALARM" not in plain


@pytest.mark.parametrize(
    "args",
    [["--format", "ics", "--remind-days", "-1"], ["--format", "ics", "--remind-days", "366"], ["--remind-days", "3"]],
)
def test_a_reminder_outside_the_range_or_without_a_calendar_is_a_usage_error(
    listed: Listed, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    status, written, err = run(capsys, listed.db, "export", *args)
    assert (status, written) == (2, "")
    assert "--remind-days goes with --format ics and is 0 to 365; nothing was written" in err
