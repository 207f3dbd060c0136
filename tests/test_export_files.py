"""File exports on a real SQLite file: Markdown, CSV, JSON and the iCalendar feed of due dates.

The store is seeded through its API (postmortems, candidates, human decisions, a working status); the
moments of acceptance and completion are then set with SQL, since the store stamps the real clock. Each
format is read back the way its consumer would (a Markdown table splitter, the csv module, json, an
iCalendar unfolder) and compared with the stored values.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from postmortem_actions.store import (
    ActionFilter,
    ActionState,
    Actor,
    Category,
    Channel,
    DecisionKind,
    HumanDecision,
    NewAction,
    NewPostmortem,
    Store,
    WorkStatus,
)
from postmortem_actions.store.errors import PostmortemNotFound
from postmortem_actions.tools.followthrough.exports import (
    ExportRow,
    export_rows,
    ics_uid,
    to_csv,
    to_ics,
    to_json,
    to_markdown,
)

BY = Actor(actor="assistant", via="test")
QUOTE = "Add an alert on queue depth"
NOW = datetime(2025, 6, 16, 9, 30, 5, tzinfo=timezone(timedelta(hours=2)))  # 07:30:05 UTC
DB_ID = "0123456789abcdef0123456789abcdef"  # a database's id (Store.database_id)

CANDIDATE_TEXT = 'Add an alert, then; page "on-call" | maybe'
RETRY_TEXT = 'Cap retries at 5, not 50; log "poison" messages | park them\nthen replay by hand'
INJECTION_TEXT = "=cmd|' /C calc'!A0 rotate the billing key"
UNICODE_TEXT = "Rotate the 🔑 für Zürich — " + "🚒" * 30 + " ✅ then update C:\\ops\\runbook; done"
DONE_TEXT = "Document the manual replay procedure"
KILLED_TEXT = "Rewrite billing in a weekend"
LATE_CANDIDATE_TEXT = "Audit every queue consumer's retry policy"
TICKET = "https://tracker.example/BILL-1?a=1,b=2"


@dataclass(frozen=True)
class Seeded:
    store: Store
    pm_billing: int
    pm_unicode: int
    candidate: int
    retry: int
    injection: int
    unicode: int
    done: int
    killed: int
    late_candidate: int


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _postmortem(store: Store, title: str, severity: str | None) -> int:
    text = f"# {title}\n\n- {QUOTE} above 10,000 messages.\n"
    stored, _ = store.add_postmortem(
        NewPostmortem(
            title=title, source="pasted", text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), severity=severity
        ),
        BY,
    )
    return stored.id


def _candidate(store: Store, postmortem_id: int, text: str, category: Category = Category.PREVENT) -> int:
    start = store.get_postmortem(postmortem_id).text.index(QUOTE)
    [(action, created)] = store.add_actions(
        postmortem_id,
        [
            NewAction(
                text=text,
                done_when='Staging shows it, "verified"; reviewed by ops',
                problem="The backlog went unseen",
                category=category,
                quote=QUOTE,
                quote_start=start,
                quote_end=start + len(QUOTE),
            )
        ],
        BY,
    )
    assert created
    return action.id


def _decide(
    store: Store, action_id: int, kind: DecisionKind, owner: str | None = None, due: date | None = None
) -> None:
    store.record_decision(
        action_id,
        HumanDecision(
            kind=kind,
            owner=owner,
            due=due,
            decided_by="alice",
            channel=Channel.TERMINAL,
            reason="not worth it" if kind is DecisionKind.KILL else None,
            evidence="shipped" if kind is DecisionKind.COMPLETE else None,
        ),
    )


def _accepted(
    store: Store, postmortem_id: int, text: str, owner: str, due: date, category: Category = Category.PREVENT
) -> int:
    action_id = _candidate(store, postmortem_id, text, category)
    _decide(store, action_id, DecisionKind.ACCEPT, owner, due)
    return action_id


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    path = tmp_path / "actions.db"
    store = Store(path)
    billing = _postmortem(store, "Billing | queue, backlog", "SEV2")
    uni = _postmortem(store, "Ünïcode outage 🚒", None)
    candidate = _candidate(store, billing, CANDIDATE_TEXT, Category.DETECT)
    retry = _candidate(store, billing, RETRY_TEXT.replace("\n", " "))
    raw = sqlite3.connect(path, isolation_level=None)
    # Text stored before line breaks were refused in a single-line field: exports still keep each row one row.
    raw.execute("UPDATE actions SET text = ? WHERE id = ?", [RETRY_TEXT, retry])
    raw.close()
    _decide(store, retry, DecisionKind.ACCEPT, "alice", date(2025, 6, 20))
    store.set_work_status(retry, WorkStatus.BLOCKED, "-waiting on infra", BY)
    injection = _accepted(store, billing, INJECTION_TEXT, "@bob", date(2025, 6, 30), Category.PROCESS)
    unicode = _accepted(store, uni, UNICODE_TEXT, "zoë", date(2025, 12, 31), Category.DETECT)
    done = _accepted(store, billing, DONE_TEXT, "carol", date(2025, 6, 10), Category.MITIGATE)
    _decide(store, done, DecisionKind.COMPLETE)
    killed = _accepted(store, uni, KILLED_TEXT, "dave", date(2025, 7, 1))
    _decide(store, killed, DecisionKind.KILL)
    late = _candidate(store, uni, LATE_CANDIDATE_TEXT)
    raw = sqlite3.connect(path, isolation_level=None)
    for action_id in (retry, injection, unicode, done, killed):
        raw.execute(
            "UPDATE actions SET accepted_at = ? WHERE id = ?", [_stamp(datetime(2025, 6, 13, 10, 0)), action_id]
        )
    raw.execute("UPDATE actions SET completed_at = ? WHERE id = ?", [_stamp(datetime(2025, 6, 14, 16, 45, 30)), done])
    raw.close()
    yield Seeded(store, billing, uni, candidate, retry, injection, unicode, done, killed, late)
    store.close()


def _rows(seeded: Seeded) -> list[ExportRow]:
    return export_rows(seeded.store, ActionFilter(), {seeded.retry: TICKET, seeded.done: "OPS-7"})


# -- rows ---------------------------------------------------------------------------------------------


def test_rows_carry_every_action_with_its_postmortem_and_ticket(seeded: Seeded) -> None:
    rows = _rows(seeded)
    assert [r.id for r in rows] == sorted(
        [
            seeded.candidate,
            seeded.retry,
            seeded.injection,
            seeded.unicode,
            seeded.done,
            seeded.killed,
            seeded.late_candidate,
        ]
    )
    by_id = {r.id: r for r in rows}
    retry = by_id[seeded.retry]
    assert (retry.postmortem_title, retry.severity, retry.text, retry.state, retry.owner, retry.due) == (
        "Billing | queue, backlog",
        "SEV2",
        RETRY_TEXT,
        ActionState.ACCEPTED,
        "alice",
        date(2025, 6, 20),
    )
    assert (retry.ticket, retry.work_status, retry.status_note) == (TICKET, WorkStatus.BLOCKED, "-waiting on infra")
    assert retry.accepted_at == datetime(2025, 6, 13, 10, 0, tzinfo=UTC)
    assert by_id[seeded.done].ticket == "OPS-7"
    assert by_id[seeded.done].completed_at == datetime(2025, 6, 14, 16, 45, 30, tzinfo=UTC)
    assert by_id[seeded.unicode].postmortem_title == "Ünïcode outage 🚒"
    assert by_id[seeded.unicode].severity is None
    assert by_id[seeded.candidate].owner is None
    assert by_id[seeded.candidate].accepted_at is None
    assert {r.state for r in rows} == set(ActionState)
    assert all(r.ticket is None for r in rows if r.id not in (seeded.retry, seeded.done))


def test_rows_follow_the_filter(seeded: Seeded) -> None:
    accepted = export_rows(seeded.store, ActionFilter(state=ActionState.ACCEPTED))
    assert [r.id for r in accepted] == [seeded.retry, seeded.injection, seeded.unicode]
    assert all(r.ticket is None for r in accepted)
    of_unicode = export_rows(seeded.store, ActionFilter(postmortem_id=seeded.pm_unicode))
    assert [r.id for r in of_unicode] == [seeded.unicode, seeded.killed, seeded.late_candidate]


def test_rows_of_an_unknown_postmortem_are_an_error_not_an_empty_file(seeded: Seeded) -> None:
    with pytest.raises(PostmortemNotFound):
        export_rows(seeded.store, ActionFilter(postmortem_id=999))


# -- Markdown -------------------------------------------------------------------------------------------


def _md_cells(line: str) -> list[str]:
    """Split a table row as GFM does (a backslash escapes the next character), then undo the escaping."""
    cells: list[str] = []
    current: list[str] = []
    chars = iter(line)
    for char in chars:
        if char == "\\":
            current.append(next(chars))
        elif char == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
    cells.append("".join(current))
    assert cells[0] == "", line
    assert cells[-1] == "", line
    return [cell[1:-1].replace("<br>", "\n") for cell in cells[1:-1]]


def test_markdown_is_one_table_row_per_action_with_pipes_and_newlines_escaped(seeded: Seeded) -> None:
    rows = _rows(seeded)
    text = to_markdown(rows, title="Billing\nfollow-ups")
    lines = text.splitlines()
    assert lines[0] == "# Billing follow-ups"
    assert lines[1] == ""
    header, separator, *body = lines[2:]
    labels = _md_cells(header)
    assert labels[:4] == ["ID", "Postmortem", "Severity", "Action"]
    assert re.fullmatch(r"\|(-{3}:?\|)+", separator.replace("---:", "---")) is not None
    assert separator.count("|") == len(labels) + 1
    assert len(body) == len(rows)
    by_label = [dict(zip(labels, _md_cells(line), strict=True)) for line in body]
    for row, cells in zip(rows, by_label, strict=True):
        assert cells["ID"] == str(row.id)
        assert cells["Action"] == row.text
        assert cells["Postmortem"] == row.postmortem_title
        assert cells["Owner"] == (row.owner or "")
        assert cells["Due"] == (row.due.isoformat() if row.due else "")
    retry_line = body[[r.id for r in rows].index(seeded.retry)]
    assert "\\| park them<br>then replay" in retry_line
    assert "| Billing \\| queue, backlog |" in retry_line
    assert "C:\\\\ops\\\\runbook" in text


def test_markdown_without_rows_says_so() -> None:
    assert to_markdown([], title="Nothing") == "# Nothing\n\nNo action items match.\n"


# -- CSV ------------------------------------------------------------------------------------------------


def _parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_parses_back_to_the_same_values_with_formulas_neutralised(seeded: Seeded) -> None:
    rows = _rows(seeded)
    text = to_csv(rows)
    header, *records = _parse_csv(text)
    assert header == list(ExportRow.model_fields)
    assert len(records) == len(rows)
    by_id = {int(record[0]): dict(zip(header, record, strict=True)) for record in records}
    retry = by_id[seeded.retry]
    assert retry["text"] == RETRY_TEXT
    assert retry["postmortem_title"] == "Billing | queue, backlog"
    assert retry["due"] == "2025-06-20"
    assert retry["ticket"] == TICKET
    assert retry["status_note"] == "'-waiting on infra"
    assert retry["accepted_at"] == "2025-06-13T10:00:00Z"
    assert retry["completed_at"] == ""
    injection = by_id[seeded.injection]
    assert injection["text"] == "'" + INJECTION_TEXT
    assert injection["owner"] == "'@bob"
    assert by_id[seeded.unicode]["text"] == UNICODE_TEXT
    assert by_id[seeded.candidate]["text"] == CANDIDATE_TEXT
    assert by_id[seeded.done]["completed_at"] == "2025-06-14T16:45:30Z"
    for row in rows:
        assert by_id[row.id]["done_when"] == row.done_when
        assert by_id[row.id]["state"] == row.state.value


def test_csv_uses_crlf_records_and_rfc4180_quoting(seeded: Seeded) -> None:
    text = to_csv(_rows(seeded))
    assert text.startswith("id,postmortem_id,postmortem_title,severity,text,")
    assert text.endswith("\r\n")
    assert '"Cap retries at 5, not 50; log ""poison"" messages | park them\nthen replay by hand"' in text
    assert '"Billing | queue, backlog"' in text
    assert "\n" not in text.replace("\r\n", "").replace("park them\nthen", "")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_could_start_a_formula_get_a_leading_quote(start: str) -> None:
    value = f'{start}HYPERLINK("http://evil.example","x")'
    row = ExportRow(
        id=1,
        postmortem_id=2,
        postmortem_title=value,
        text=value,
        done_when="ok",
        problem="safe text",
        category=Category.PREVENT,
        state=ActionState.CANDIDATE,
        owner=value,
    )
    [_, record] = _parse_csv(to_csv([row]))
    cells = dict(zip(ExportRow.model_fields, record, strict=True))
    # A lone CR is written out (store.text.visible), so that cell no longer starts with a control character.
    expected = "<U+000D>" + value[1:] if start == "\r" else "'" + value
    assert cells["text"] == cells["owner"] == cells["postmortem_title"] == expected
    assert (cells["id"], cells["done_when"], cells["problem"]) == ("1", "ok", "safe text")


def test_csv_without_rows_is_the_header() -> None:
    assert to_csv([]) == ",".join(ExportRow.model_fields) + "\r\n"


# -- JSON -----------------------------------------------------------------------------------------------


def test_json_is_a_list_of_objects_with_exact_keys_and_iso_dates(seeded: Seeded) -> None:
    rows = _rows(seeded)
    text = to_json(rows)
    assert text.startswith('[\n  {\n    "id": ')
    parsed = json.loads(text)
    assert isinstance(parsed, list)
    assert len(parsed) == len(rows)
    keys = [
        "id",
        "postmortem_id",
        "postmortem_title",
        "severity",
        "text",
        "done_when",
        "problem",
        "category",
        "state",
        "owner",
        "due",
        "ticket",
        "work_status",
        "status_note",
        "accepted_at",
        "completed_at",
        "quote",
        "proposed_by",
        "kill_reason",
        "completion_evidence",
        "defer_note",
        "revisit_on",
    ]
    assert all(list(item) == keys for item in parsed)
    by_id = {item["id"]: item for item in parsed}
    assert by_id[seeded.retry] == {
        "id": seeded.retry,
        "postmortem_id": seeded.pm_billing,
        "postmortem_title": "Billing | queue, backlog",
        "severity": "SEV2",
        "text": RETRY_TEXT,
        "done_when": 'Staging shows it, "verified"; reviewed by ops',
        "problem": "The backlog went unseen",
        "category": "prevent",
        "state": "accepted",
        "owner": "alice",
        "due": "2025-06-20",
        "ticket": TICKET,
        "work_status": "blocked",
        "status_note": "-waiting on infra",
        "accepted_at": "2025-06-13T10:00:00Z",
        "completed_at": None,
        "quote": QUOTE,
        "proposed_by": None,
        "kill_reason": None,
        "completion_evidence": None,
        "defer_note": None,
        "revisit_on": None,
    }
    assert by_id[seeded.done]["completed_at"] == "2025-06-14T16:45:30Z"
    assert by_id[seeded.done]["state"] == "done"
    assert by_id[seeded.unicode]["text"] == UNICODE_TEXT
    assert by_id[seeded.candidate]["due"] is None
    assert "🚒" in text  # kept readable, not \\u-escaped
    assert to_json(rows) == text
    assert to_json([]) == "[]\n"


# -- iCalendar ------------------------------------------------------------------------------------------


def _unfold(ics: str) -> list[str]:
    assert ics.endswith("\r\n")
    return ics.replace("\r\n ", "").split("\r\n")[:-1]


def _unescape(value: str) -> str:
    assert re.search(r"[,;]", re.sub(r"\\.", "", value)) is None, f"unescaped separator in {value!r}"
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _events(ics: str) -> list[dict[str, str]]:
    """The properties of each VEVENT, after checking BEGIN/END nest properly inside one VCALENDAR."""
    stack: list[str] = []
    events: list[dict[str, str]] = []
    for line in _unfold(ics):
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                assert stack == ["VCALENDAR", "VEVENT"]
                events.append({})
        elif name == "END":
            assert stack, line
            assert stack.pop() == value, line
        else:
            assert stack, f"property outside VCALENDAR: {line}"
            if stack[-1] == "VEVENT":
                assert name not in events[-1], f"repeated {name}"
                events[-1][name] = value
    assert stack == []
    return events


def test_ics_has_one_event_per_accepted_item_with_a_due_date(seeded: Seeded) -> None:
    rows = _rows(seeded)
    no_due = ExportRow(
        id=99,
        postmortem_id=1,
        postmortem_title="x",
        text="No date yet",
        done_when="d",
        problem="p",
        category=Category.PREVENT,
        state=ActionState.ACCEPTED,
        owner="eve",
    )
    ics = to_ics([*rows, no_due], calendar_name="Billing, follow-ups; due", now=NOW, database_id=DB_ID)
    events = _events(ics)
    assert [e["UID"] for e in events] == [ics_uid(i, DB_ID) for i in (seeded.retry, seeded.injection, seeded.unicode)]
    assert [_unescape(e["SUMMARY"]) for e in events] == [
        f"Due: {t}" for t in (RETRY_TEXT, INJECTION_TEXT, UNICODE_TEXT)
    ]
    assert [e["CATEGORIES"] for e in events] == ["prevent", "process", "detect"]
    head = _unfold(ics)[:6]
    assert head == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//postmortem-actions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Billing\\, follow-ups\\; due",
    ]


def test_ics_dates_and_stamp(seeded: Seeded) -> None:
    events = {e["UID"]: e for e in _events(to_ics(_rows(seeded), calendar_name="c", now=NOW, database_id=DB_ID))}
    expected = {
        seeded.retry: ("20250620", "20250621"),
        seeded.injection: ("20250630", "20250701"),
        seeded.unicode: ("20251231", "20260101"),
    }
    for action_id, (start, end) in expected.items():
        event = events[ics_uid(action_id, DB_ID)]
        assert (event["DTSTART;VALUE=DATE"], event["DTEND;VALUE=DATE"]) == (start, end)
        assert event["DTSTAMP"] == "20250616T073005Z"


def test_ics_description_names_owner_finish_line_postmortem_and_ticket(seeded: Seeded) -> None:
    events = {e["UID"]: e for e in _events(to_ics(_rows(seeded), calendar_name="c", now=NOW, database_id=DB_ID))}
    retry = _unescape(events[ics_uid(seeded.retry, DB_ID)]["DESCRIPTION"]).split("\n")
    assert "Owner: alice" in retry
    assert 'Done when: Staging shows it, "verified"; reviewed by ops' in retry
    assert f"Postmortem #{seeded.pm_billing}: Billing | queue, backlog (SEV2)" in retry
    assert f"Ticket: {TICKET}" in retry
    unicode = _unescape(events[ics_uid(seeded.unicode, DB_ID)]["DESCRIPTION"]).split("\n")
    assert "Owner: zoë" in unicode
    assert f"Postmortem #{seeded.pm_unicode}: Ünïcode outage 🚒" in unicode
    assert not any(line.startswith("Ticket:") for line in unicode)


def test_ics_text_is_escaped_exactly(seeded: Seeded) -> None:
    events = {e["UID"]: e for e in _events(to_ics(_rows(seeded), calendar_name="c", now=NOW, database_id=DB_ID))}
    assert events[ics_uid(seeded.retry, DB_ID)]["SUMMARY"] == (
        'Due: Cap retries at 5\\, not 50\\; log "poison" messages | park them\\nthen replay by hand'
    )
    assert events[ics_uid(seeded.unicode, DB_ID)]["SUMMARY"].endswith("✅ then update C:\\\\ops\\\\runbook\\; done")


def test_ics_lines_end_in_crlf_and_fold_at_75_octets_without_splitting_characters(seeded: Seeded) -> None:
    ics = to_ics(_rows(seeded), calendar_name="Ünïcode 🚒 " * 12, now=NOW, database_id=DB_ID)
    assert ics.endswith("\r\n")
    assert "\n" not in ics.replace("\r\n", "")
    assert "\r" not in ics.replace("\r\n", "")
    physical = ics.encode().split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    assert all(line.decode("utf-8") for line in physical)  # raises if a fold split a character
    folded = [line for line in physical if line.startswith(b" ")]
    assert len(folded) >= 4
    assert max(len(line) for line in physical) >= 72  # folds fill lines, not split early
    calname = next(line for line in _unfold(ics) if line.startswith("X-WR-CALNAME:"))
    assert _unescape(calname.removeprefix("X-WR-CALNAME:")) == "Ünïcode 🚒 " * 12


@pytest.mark.parametrize("char", ["é", "€", "🚒"])
@pytest.mark.parametrize("shift", [0, 1, 2, 3])
def test_ics_folding_keeps_every_multibyte_character_whole(char: str, shift: int) -> None:
    name = "x" * shift + char * 80
    ics = to_ics([], calendar_name=name, now=NOW, database_id=DB_ID)
    physical = ics.encode().split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    decoded = [line.decode("utf-8") for line in physical]
    assert all(line.startswith(" ") for line in decoded[6:8])
    assert _unfold(ics)[5] == f"X-WR-CALNAME:{name}"
    assert _events(ics) == []


def test_ics_uids_are_stable_across_exports(seeded: Seeded) -> None:
    first = [e["UID"] for e in _events(to_ics(_rows(seeded), calendar_name="c", now=NOW, database_id=DB_ID))]
    extra = _accepted(seeded.store, seeded.pm_billing, "Page on queue depth", "frank", date(2025, 6, 18))
    later = NOW + timedelta(days=3)
    second = _events(to_ics(_rows(seeded), calendar_name="renamed", now=later, database_id=DB_ID))
    assert [e["UID"] for e in second] == [*first, ics_uid(extra, DB_ID)]
    assert len(set(first)) == len(first)
    assert all(uid.endswith("@postmortem-actions") for uid in first)
    assert {e["DTSTAMP"] for e in second} == {"20250619T073005Z"}


def test_ics_refuses_a_naive_now(seeded: Seeded) -> None:
    with pytest.raises(ValueError, match="timezone"):
        to_ics(_rows(seeded), calendar_name="c", now=datetime(2025, 6, 16, 9, 30), database_id=DB_ID)
