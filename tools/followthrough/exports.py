"""Exports of action items as files: a Markdown table, CSV, JSON and an iCalendar feed of due dates.

`export_rows` reads the store (read-only) once; the `to_*` functions are pure: they turn rows into the text
of a file and return it. Nothing here prints, writes files or touches the network, and nothing reads the
clock: the calendar's DTSTAMP comes from the caller's `now`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Final

from pydantic import Field

from postmortem_actions.store import (
    Action,
    ActionFilter,
    ActionState,
    Category,
    Decision,
    DecisionKind,
    Postmortem,
    Store,
    WorkStatus,
)
from postmortem_actions.store.text import visible
from postmortem_actions.tools.markdown_text import md_cell, md_text
from postmortem_actions.tools.schema import Model

NO_TICKETS: Final[Mapping[int, str]] = MappingProxyType({})
CSV_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
ICS_LINE_OCTETS: Final = 75
ICS_PRODID: Final = "-//postmortem-actions//EN"
_NEWLINES = re.compile(r"\r\n|\r|\n")
_ICS_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # not allowed in iCalendar TEXT (HTAB is)


class ExportRow(Model):
    """One action item as every export shows it, with its postmortem's title and severity and its ticket."""

    id: int
    postmortem_id: int
    postmortem_title: str
    severity: str | None = None
    text: str
    done_when: str
    problem: str
    category: Category
    state: ActionState
    owner: str | None = None
    due: date | None = None
    ticket: str | None = Field(default=None, description="The first linked ticket's url (or its ref)")
    work_status: WorkStatus | None = None
    status_note: str | None = None
    accepted_at: datetime | None = None
    completed_at: datetime | None = None
    # Why it is where it is: the evidence, who proposed it, and what the latest human decision said.
    quote: str = Field(default="", description="The evidence quote from the postmortem")
    proposed_by: str | None = Field(default=None, description="extractor, the assistant's client, or a person")
    kill_reason: str | None = Field(default=None, description="A killed item: why it will not be done")
    completion_evidence: str | None = Field(default=None, description="A done item: the evidence it is done")
    defer_note: str | None = Field(default=None, description="A deferred candidate: what the human said")
    revisit_on: date | None = Field(default=None, description="A deferred candidate: when to look at it again")


def export_rows(store: Store, where: ActionFilter, tickets: Mapping[int, str] = NO_TICKETS) -> list[ExportRow]:
    """Every action matching `where`, ordered by id, as export rows.

    `tickets` maps an action id to its first linked ticket's url or ref (the caller reads it); actions it
    does not name have no ticket.

    Raises:
        PostmortemNotFound: `where.postmortem_id` names no postmortem.
    """
    postmortems: dict[int, Postmortem] = {}
    if where.postmortem_id is not None:
        postmortems[where.postmortem_id] = store.get_postmortem(where.postmortem_id)
    rows: list[ExportRow] = []
    actions = store.actions(where)
    latest = store.decisions_by_id(a.decision_id for a in actions if a.decision_id is not None)
    for action in actions:
        pm = postmortems.get(action.postmortem_id)
        if pm is None:
            pm = postmortems[action.postmortem_id] = store.get_postmortem(action.postmortem_id)
        rows.append(
            ExportRow(
                id=action.id,
                postmortem_id=action.postmortem_id,
                postmortem_title=pm.title,
                severity=pm.severity,
                text=action.text,
                done_when=action.done_when,
                problem=action.problem,
                category=action.category,
                state=action.state,
                owner=action.owner,
                due=action.due,
                ticket=tickets.get(action.id),
                work_status=action.work_status,
                status_note=action.status_note,
                accepted_at=action.accepted_at,
                completed_at=action.completed_at,
                quote=action.quote,
                proposed_by=action.proposed_by,
                **_why(action, latest.get(action.decision_id or 0)),
            )
        )
    return rows


def _why(action: Action, decision: Decision | None) -> dict[str, object]:
    """What the latest decision says about where the action is: a kill's reason, a completion's evidence, a
    defer's note and revisit date (a candidate revived or never decided has none)."""
    if decision is None:
        return {}
    if action.state is ActionState.KILLED and decision.kind is DecisionKind.KILL:
        return {"kill_reason": decision.reason}
    if action.state is ActionState.DONE and decision.kind is DecisionKind.COMPLETE:
        return {"completion_evidence": decision.evidence}
    if action.state is ActionState.CANDIDATE and decision.kind is DecisionKind.DEFER:
        return {"defer_note": decision.reason, "revisit_on": decision.revisit_on}
    return {}


def _cells(row: ExportRow) -> dict[str, str]:
    """The row's values as text, in field order: ISO dates, enum values, '' for none, nothing hidden (a character
    that could make a cell show something else than it holds is written out as <U+XXXX>)."""
    return {
        key: "" if value is None else visible(str(value), multiline=True)
        for key, value in row.model_dump(mode="json").items()
    }


# -- Markdown ---------------------------------------------------------------------------------------

MARKDOWN_COLUMNS: Final = (
    ("id", "ID"),
    ("postmortem_title", "Postmortem"),
    ("severity", "Severity"),
    ("text", "Action"),
    ("done_when", "Done when"),
    ("category", "Category"),
    ("state", "State"),
    ("owner", "Owner"),
    ("due", "Due"),
    ("ticket", "Ticket"),
    ("work_status", "Status"),
    ("status_note", "Status note"),
    ("quote", "Evidence"),
    ("proposed_by", "Proposed by"),
    ("kill_reason", "Kill reason"),
    ("completion_evidence", "Done evidence"),
    ("defer_note", "Defer note"),
    ("revisit_on", "Revisit on"),
)


def to_markdown(rows: Sequence[ExportRow], *, title: str) -> str:
    """A Markdown document: `title` as a heading, then one table row per action (or a line saying none).

    Cells escape backslashes and pipes and show line breaks as `<br>`, so every row stays one table row.
    """
    heading = md_text(title).strip() or "Action items"
    lines = [f"# {heading}", ""]
    if not rows:
        return "\n".join([*lines, "No action items match.", ""])
    lines.append("| " + " | ".join(label for _, label in MARKDOWN_COLUMNS) + " |")
    lines.append("|" + "|".join("---:" if key == "id" else "---" for key, _ in MARKDOWN_COLUMNS) + "|")
    for row in rows:
        cells = _cells(row)
        lines.append("| " + " | ".join(md_cell(cells[key]) for key, _ in MARKDOWN_COLUMNS) + " |")
    return "\n".join(lines) + "\n"


# -- CSV --------------------------------------------------------------------------------------------


def csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula: one that could start one gets a leading quote."""
    return "'" + value if value.startswith(CSV_FORMULA_STARTS) else value


def to_csv(rows: Sequence[ExportRow]) -> str:
    """CSV per RFC 4180: a header row of field names, one record per action, CRLF line ends, fields with
    commas, quotes or line breaks quoted (quotes doubled).

    Cells starting with =, +, -, @, tab or CR get a leading single quote, so spreadsheets show them as text
    instead of evaluating them (CSV formula injection).
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(ExportRow.model_fields)
    for row in rows:
        writer.writerow(csv_safe(cell) for cell in _cells(row).values())
    return out.getvalue()


# -- JSON -------------------------------------------------------------------------------------------


def to_json(rows: Sequence[ExportRow]) -> str:
    """A JSON array with one object per action: keys in field order, dates and times in ISO 8601, null for
    missing values, indented by 2, non-ASCII kept as is, ending with a newline."""
    return json.dumps([row.model_dump(mode="json") for row in rows], indent=2, ensure_ascii=False) + "\n"


# -- iCalendar --------------------------------------------------------------------------------------


def _ics_text(value: str) -> str:
    """An iCalendar TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped,
    other control characters dropped."""
    value = visible(value, multiline=True).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _ICS_CONTROLS.sub("", _NEWLINES.sub("\\\\n", value))


def _fold(line: str) -> list[str]:
    """A content line folded (RFC 5545 3.1) into physical lines of at most 75 octets of UTF-8; continuation
    lines start with a space. A fold never falls inside a multi-byte character."""
    physical: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        octets = len(char.encode())
        if size + octets > ICS_LINE_OCTETS:
            physical.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += octets
    physical.append("".join(current))
    return physical


def _ics_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _description(row: ExportRow) -> str:
    severity = f" ({row.severity})" if row.severity else ""
    lines = [
        f"Action #{row.id}: {row.text}",
        f"Owner: {row.owner or 'no owner'}",
        f"Done when: {row.done_when}",
        f"Postmortem #{row.postmortem_id}: {row.postmortem_title}{severity}",
    ]
    if row.ticket:
        lines.append(f"Ticket: {row.ticket}")
    return "\n".join(lines)


def ics_uid(action_id: int, database_id: str) -> str:
    """The calendar UID of an action's due-date event: the same in every export of one database (and its copies),
    never the same as another database's (whose action 1 is another item)."""
    return f"action-{action_id}.{database_id}@postmortem-actions"


MAX_REMIND_DAYS: Final = 365


def _alarm(row: ExportRow, remind_days: int) -> list[str]:
    """A display reminder `remind_days` before the due day starts (on the day itself for 0)."""
    when = "PT0S" if remind_days == 0 else f"-P{remind_days}D"
    return [
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"TRIGGER:{when}",
        f"DESCRIPTION:{_ics_text(f'Due {row.due}: {row.text}')}",
        "END:VALARM",
    ]


def to_ics(
    rows: Sequence[ExportRow],
    *,
    calendar_name: str,
    now: datetime,
    database_id: str,
    remind_days: int | None = None,
) -> str:
    """An iCalendar feed (RFC 5545) with one all-day VEVENT per accepted row that has a due date.

    Candidates, killed and done items and rows without a due date are left out. Each event lasts the due
    day (DTSTART;VALUE=DATE, DTEND the next day), has a UID stable per action and unique to the database
    (`ics_uid`), DTSTAMP `now` in UTC, SUMMARY "Due: {text}", a DESCRIPTION with owner, finish line,
    postmortem and ticket, and the category; with `remind_days`, a display alarm that many days before.
    Lines end in CRLF and are folded at 75 octets; text values are escaped.

    Raises:
        ValueError: `now` has no timezone (DTSTAMP must be UTC, and a naive time would read the local zone), or
            `remind_days` is outside 0..365.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if remind_days is not None and not 0 <= remind_days <= MAX_REMIND_DAYS:
        raise ValueError(f"remind_days must be between 0 and {MAX_REMIND_DAYS}")
    stamp = _ics_stamp(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{ICS_PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_text(calendar_name)}",
    ]
    for row in rows:
        if row.state is not ActionState.ACCEPTED or row.due is None:
            continue
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ics_uid(row.id, database_id)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{row.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{row.due + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text('Due: ' + row.text)}",
            f"DESCRIPTION:{_ics_text(_description(row))}",
            f"CATEGORIES:{_ics_text(str(row.category))}",
            "TRANSP:TRANSPARENT",
            *(_alarm(row, remind_days) if remind_days is not None else []),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(physical + "\r\n" for line in lines for physical in _fold(line))
