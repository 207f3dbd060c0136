"""The review's queries and reports on a real SQLite file: overdue, the agenda, the status summary and the
follow-through audit, with exact figures.

Histories are built the way they happen: postmortems, candidates and human decisions through the Store
API, then the moments they happened (accepted_at, completed_at, status_at, created_at) moved to chosen
days with raw SQL, since the store stamps the real clock. Every call passes an explicit `as_of`; the only
figures that follow the real clock are the decision log's own timestamps, read through windows placed
around the moment the test recorded them.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypedDict

import pytest

from postmortem_actions.store import Actor, HumanDecision, NewAction, NewPostmortem, Store, WorkStatus
from postmortem_actions.store.errors import InvalidInput, PostmortemNotFound
from postmortem_actions.store.followthrough import GroupBy
from postmortem_actions.tools import followthrough as ft

AS_OF = date(2025, 6, 16)
BY = Actor(actor="assistant", via="test")
QUOTE = "Add an alert on queue depth"


def ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def ahead(days: int) -> date:
    return AS_OF + timedelta(days=days)


RECORDED = ago(120)  # when a candidate was recorded, unless a test says otherwise
ACCEPTED = ago(3)  # when an item was accepted, unless a test says otherwise


def stamp(moment: date | datetime) -> str:
    """A timestamp as the store writes it; a bare day means 10:00 UTC on that day."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(10, 0))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second))


class Seed:
    """A database file filled through the Store API; the moments things happened are then set with SQL."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = Store(path)
        self.raw = sqlite3.connect(path, isolation_level=None)
        self.raw.execute("PRAGMA synchronous = OFF")  # test data only: no fsync per moved timestamp

    def sql(self, statement: str, *params: object) -> None:
        self.raw.execute(statement, params)

    def close(self) -> None:
        self.raw.close()
        self.store.close()

    def set(self, action_id: int, **moments: date | datetime | None) -> None:
        for column, moment in moments.items():
            assert column in ("accepted_at", "completed_at", "status_at", "created_at")
            self.sql(
                f"UPDATE actions SET {column} = ? WHERE id = ?", None if moment is None else stamp(moment), action_id
            )

    def postmortem(self, title: str, severity: str | None = "SEV2") -> int:
        text = f"# {title}\n\nSeverity: {severity}\n\n- {QUOTE} above 10,000 messages.\n"
        stored, _ = self.store.add_postmortem(
            NewPostmortem(
                title=title,
                source="pasted",
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                severity=severity,
            ),
            BY,
        )
        return stored.id

    def candidate(
        self, postmortem_id: int, text: str, category: str = "prevent", *, created: date | datetime = RECORDED
    ) -> int:
        start = self.store.get_postmortem(postmortem_id).text.index(QUOTE)
        [(action, created_now)] = self.store.add_actions(
            postmortem_id,
            [
                NewAction(
                    text=text,
                    done_when="It is verified",
                    problem="The incident",
                    category=category,
                    quote=QUOTE,
                    quote_start=start,
                    quote_end=start + len(QUOTE),
                )
            ],
            BY,
        )
        assert created_now
        self.set(action.id, created_at=created)
        return action.id

    def decide(self, action_id: int, kind: str, **values: Any) -> None:
        self.store.record_decision(
            action_id, HumanDecision(kind=kind, decided_by="alice", channel="terminal", **values)
        )

    def accepted(
        self,
        postmortem_id: int,
        text: str,
        owner: str,
        due: date,
        category: str = "prevent",
        *,
        accepted: date | datetime = ACCEPTED,
    ) -> int:
        action_id = self.candidate(postmortem_id, text, category)
        self.decide(action_id, "accept", owner=owner, due=due)
        self.set(action_id, accepted_at=accepted)
        return action_id

    def done(
        self,
        postmortem_id: int,
        text: str,
        owner: str,
        due: date,
        category: str = "prevent",
        *,
        accepted: date | datetime,
        completed: date | datetime,
    ) -> int:
        action_id = self.accepted(postmortem_id, text, owner, due, category, accepted=accepted)
        self.decide(action_id, "complete", evidence=f"{text} shipped")
        self.set(action_id, completed_at=completed)
        return action_id

    def killed(
        self,
        postmortem_id: int,
        text: str,
        category: str = "prevent",
        *,
        owner: str | None = None,
        due: date | None = None,
        accepted: date | None = None,
        created: date = RECORDED,
    ) -> int:
        """Killed at triage (no `accepted`), or killed after a human accepted it."""
        action_id = self.candidate(postmortem_id, text, category, created=created)
        if accepted is not None:
            self.decide(action_id, "accept", owner=owner, due=due)
            self.set(action_id, accepted_at=accepted)
        self.decide(action_id, "kill", reason="not worth it")
        return action_id

    def status(self, action_id: int, status: WorkStatus | None, note: str | None, reported: date | datetime) -> None:
        self.store.set_work_status(action_id, status, note, BY)
        self.set(action_id, status_at=reported)

    def ticket(self, action_id: int, ref: str, url: str | None) -> None:
        self.sql(
            "INSERT INTO tickets (action_id, tracker, ref, url, state) VALUES (?, 'jira', ?, ?, 'open')",
            action_id,
            ref,
            url,
        )


@pytest.fixture
def seed(tmp_path: Path) -> Iterator[Seed]:
    seeded = Seed(tmp_path / "actions.db")
    yield seeded
    seeded.close()


def ids(items: list[ft.ReviewItem]) -> list[int]:
    return [i.action_id for i in items]


# -- list_overdue -------------------------------------------------------------------------------------


class Overdue:
    def __init__(self, seed: Seed) -> None:
        self.billing = seed.postmortem("Billing queue backlog", "SEV2")
        self.search = seed.postmortem("Search outage", "SEV1")
        self.ten = seed.accepted(self.billing, "Cap consumer retries", "Dana", ago(10))
        self.one = seed.accepted(self.billing, "Page on queue depth", "lee", ago(1), "detect")
        self.due_today = seed.accepted(self.billing, "Write the replay runbook", "dana", AS_OF, "mitigate")
        self.thirty = seed.accepted(self.search, "Alert on index lag", "DANA", ago(30), "detect")
        self.future = seed.accepted(self.search, "Shard the index", "kim", ahead(5))
        self.done = seed.done(self.search, "Add a canary", "kim", ago(20), accepted=ago(40), completed=ago(25))
        self.killed = seed.killed(self.search, "Rewrite search", owner="kim", due=ago(40), accepted=ago(50))
        self.candidate = seed.candidate(self.billing, "Drill failover", "mitigate")


@pytest.fixture
def overdue(seed: Seed) -> Overdue:
    return Overdue(seed)


def test_overdue_lists_only_accepted_items_due_before_as_of_most_overdue_first(seed: Seed, overdue: Overdue) -> None:
    page = ft.list_overdue(seed.store, as_of=AS_OF)

    assert ids(page.items) == [overdue.thirty, overdue.ten, overdue.one]
    assert [i.days_overdue for i in page.items] == [30, 10, 1]
    assert [i.due for i in page.items] == [ago(30), ago(10), ago(1)]
    assert [i.owner for i in page.items] == ["DANA", "Dana", "lee"]
    assert [i.postmortem_title for i in page.items] == [
        "Search outage",
        "Billing queue backlog",
        "Billing queue backlog",
    ]
    assert {i.state for i in page.items} == {"accepted"}
    assert (page.total, page.offset, page.next_offset, page.as_of) == (3, 0, None, AS_OF)


def test_an_item_due_on_as_of_is_not_overdue_and_is_one_day_overdue_the_next_day(seed: Seed, overdue: Overdue) -> None:
    assert overdue.due_today not in ids(ft.list_overdue(seed.store, as_of=AS_OF).items)

    next_day = ft.list_overdue(seed.store, as_of=ahead(1))

    assert next_day.total == 4
    assert [(i.action_id, i.days_overdue) for i in next_day.items] == [
        (overdue.thirty, 31),
        (overdue.ten, 11),
        (overdue.one, 2),
        (overdue.due_today, 1),
    ]
    earlier = ft.list_overdue(seed.store, as_of=ago(10))
    assert [(i.action_id, i.days_overdue) for i in earlier.items] == [(overdue.thirty, 20)]
    assert earlier.total == 1


def test_overdue_owner_filter_ignores_case(seed: Seed, overdue: Overdue) -> None:
    for spelling in ("dana", "DANA", "Dana", "dAnA"):
        page = ft.list_overdue(seed.store, as_of=AS_OF, owner=spelling)
        assert ids(page.items) == [overdue.thirty, overdue.ten], spelling
        assert page.total == 2
    assert ft.list_overdue(seed.store, as_of=AS_OF, owner="kim").total == 0
    assert ft.list_overdue(seed.store, as_of=AS_OF, owner="dan").total == 0


def test_overdue_filters_by_postmortem_and_category_and_combines_filters(seed: Seed, overdue: Overdue) -> None:
    by_postmortem = ft.list_overdue(seed.store, as_of=AS_OF, postmortem_id=overdue.billing)
    assert (ids(by_postmortem.items), by_postmortem.total) == ([overdue.ten, overdue.one], 2)

    by_category = ft.list_overdue(seed.store, as_of=AS_OF, category="detect")
    assert (ids(by_category.items), by_category.total) == ([overdue.thirty, overdue.one], 2)

    combined = ft.list_overdue(seed.store, as_of=AS_OF, owner="dana", postmortem_id=overdue.billing, category="prevent")
    assert (ids(combined.items), combined.total) == ([overdue.ten], 1)
    assert ft.list_overdue(seed.store, as_of=AS_OF, postmortem_id=overdue.search, category="mitigate").total == 0


def test_overdue_shows_the_ticket_and_the_last_status_note(seed: Seed, overdue: Overdue) -> None:
    seed.ticket(overdue.ten, "OPS-12", "https://tracker.example/OPS-12")
    seed.ticket(overdue.one, "OPS-13", None)
    seed.status(overdue.thirty, WorkStatus.IN_PROGRESS, "waiting on the vendor", ago(20))
    seed.status(overdue.thirty, WorkStatus.BLOCKED, "vendor contract unsigned", ago(4))

    items = {i.action_id: i for i in ft.list_overdue(seed.store, as_of=AS_OF).items}

    assert items[overdue.ten].ticket == "https://tracker.example/OPS-12"
    assert items[overdue.one].ticket == "OPS-13"
    assert items[overdue.thirty].ticket is None
    assert (items[overdue.thirty].work_status, items[overdue.thirty].status_note) == (
        "blocked",
        "vendor contract unsigned",
    )
    assert items[overdue.thirty].days_since_report == 4
    assert (items[overdue.ten].work_status, items[overdue.ten].status_note) == (None, None)
    assert items[overdue.ten].days_since_report == 3  # no report: counted from acceptance


def test_overdue_pages_carry_the_exact_total_and_next_offset(seed: Seed) -> None:
    pm = seed.postmortem("Billing queue backlog")
    expected = [seed.accepted(pm, f"Item due {n} days ago", "lee", ago(n)) for n in (7, 6, 5, 4, 3, 2, 1)]
    seed.accepted(pm, "Item due today", "lee", AS_OF)

    first = ft.list_overdue(seed.store, as_of=AS_OF, limit=3)
    second = ft.list_overdue(seed.store, as_of=AS_OF, limit=3, offset=3)
    last = ft.list_overdue(seed.store, as_of=AS_OF, limit=3, offset=6)
    beyond = ft.list_overdue(seed.store, as_of=AS_OF, limit=3, offset=7)

    assert [(p.total, p.offset, p.next_offset, len(p.items)) for p in (first, second, last, beyond)] == [
        (7, 0, 3, 3),
        (7, 3, 6, 3),
        (7, 6, None, 1),
        (7, 7, None, 0),
    ]
    assert ids(first.items) + ids(second.items) + ids(last.items) == expected
    assert [i.days_overdue for i in first.items + second.items + last.items] == [7, 6, 5, 4, 3, 2, 1]


def test_overdue_page_size_is_kept_between_1_and_200(seed: Seed, overdue: Overdue) -> None:
    assert ft.list_overdue(seed.store, as_of=AS_OF, limit=0).limit == 1
    assert len(ft.list_overdue(seed.store, as_of=AS_OF, limit=0).items) == 1
    assert ft.list_overdue(seed.store, as_of=AS_OF, limit=10_000).limit == 200
    assert ft.list_overdue(seed.store, as_of=AS_OF, offset=-5).offset == 0


# -- review_agenda ------------------------------------------------------------------------------------


class AgendaItems:
    def __init__(self, seed: Seed) -> None:
        pm = self.pm = seed.postmortem("Billing queue backlog")
        self.other = seed.postmortem("Search outage", "SEV1")
        # Overdue (reported on recently, so not stale).
        self.late_12 = seed.accepted(pm, "Cap consumer retries", "dana", ago(12), accepted=ago(5))
        self.late_3 = seed.accepted(pm, "Page on queue depth", "lee", ago(3), "detect", accepted=ago(5))
        # Blocked, due later.
        self.blocked = seed.accepted(pm, "Move billing to the new cluster", "kim", ahead(20), accepted=ago(5))
        seed.status(self.blocked, WorkStatus.BLOCKED, "waiting on infra", ago(2))
        # Due in the next 7 days: as_of and as_of + 7 are in, as_of + 8 is out.
        self.due_0 = seed.accepted(pm, "Write the replay runbook", "lee", AS_OF, "mitigate", accepted=ago(5))
        self.due_7 = seed.accepted(pm, "Drill the failover", "dana", ahead(7), "mitigate", accepted=ago(5))
        self.due_8 = seed.accepted(pm, "Review handover notes", "dana", ahead(8), "process", accepted=ago(5))
        # Undecided candidates, oldest first.
        self.undecided_9 = seed.candidate(pm, "Add a queue depth dashboard", "detect", created=at(ago(9), 8))
        self.undecided_2 = seed.candidate(self.other, "Shard the index", created=at(ago(2), 23, 59, 59))
        # Stale: no report in 14 days, counted from the last report, else from acceptance.
        self.report_14 = seed.accepted(pm, "Alert on retries", "kim", ahead(30), "detect", accepted=ago(40))
        seed.status(self.report_14, WorkStatus.IN_PROGRESS, "half done", at(ago(14), 0, 0, 0))
        self.report_15 = seed.accepted(pm, "Alert on invoices", "kim", ahead(30), "detect", accepted=ago(40))
        seed.status(self.report_15, WorkStatus.IN_PROGRESS, "started", at(ago(15), 23, 59, 59))
        self.accepted_30 = seed.accepted(pm, "Rate-limit replays", "lee", ahead(40), accepted=ago(30))
        self.accepted_14 = seed.accepted(pm, "Tag invoices", "lee", ahead(40), accepted=at(ago(14), 0, 0, 0))
        self.old_but_reported = seed.accepted(pm, "Split the queue", "lee", ahead(40), accepted=ago(90))
        seed.status(self.old_but_reported, WorkStatus.IN_PROGRESS, "PR in review", ago(1))
        # Completed in the last 14 days, newest first; ago(14) at midnight is in, ago(15) at 23:59 is out.
        self.done_1 = seed.done(pm, "Add a canary", "dana", ahead(3), accepted=ago(30), completed=ago(1))
        self.done_14 = seed.done(
            pm, "Add a kill switch", "lee", ahead(3), accepted=ago(30), completed=at(ago(14), 0, 0, 0)
        )
        self.done_15 = seed.done(
            pm, "Add a retry budget", "lee", ahead(3), accepted=ago(30), completed=at(ago(15), 23, 59, 59)
        )
        # Never on the agenda.
        self.killed = seed.killed(pm, "Rewrite billing", owner="lee", due=ago(30), accepted=ago(60))


@pytest.fixture
def agenda_items(seed: Seed) -> AgendaItems:
    return AgendaItems(seed)


def section(agenda: ft.Agenda, key: str) -> ft.AgendaPart:
    [part] = [p for p in agenda.sections if p.key == key]
    return part


def test_agenda_sections_come_in_meeting_order_with_their_titles_and_exact_totals(
    seed: Seed, agenda_items: AgendaItems
) -> None:
    agenda = ft.review_agenda(seed.store, as_of=AS_OF)

    assert agenda.as_of == AS_OF
    assert [(p.key, p.title, p.total) for p in agenda.sections] == [
        ("overdue", "Overdue", 2),
        ("blocked", "Blocked", 1),
        ("due_soon", "Due in the next 7 days", 2),
        ("undecided", "Candidates still undecided", 2),
        ("stale", "No status report in 14 days", 2),
        ("completed", "Completed in the last 14 days", 2),
    ]
    assert all(len(p.items) == p.total for p in agenda.sections)


def test_agenda_overdue_items_ask_what_is_blocking_them(seed: Seed, agenda_items: AgendaItems) -> None:
    part = section(ft.review_agenda(seed.store, as_of=AS_OF), "overdue")

    assert ids(part.items) == [agenda_items.late_12, agenda_items.late_3]
    assert [i.prompt for i in part.items] == [
        "12 days overdue, what is blocking it?",
        "3 days overdue, what is blocking it?",
    ]


def test_agenda_blocked_items_carry_their_note(seed: Seed, agenda_items: AgendaItems) -> None:
    [item] = section(ft.review_agenda(seed.store, as_of=AS_OF), "blocked").items

    assert item.action_id == agenda_items.blocked
    assert (item.work_status, item.status_note) == ("blocked", "waiting on infra")
    assert item.prompt == "Blocked: waiting on infra. Who can unblock it?"


def test_agenda_due_soon_runs_from_as_of_to_as_of_plus_7_inclusive(seed: Seed, agenda_items: AgendaItems) -> None:
    part = section(ft.review_agenda(seed.store, as_of=AS_OF), "due_soon")

    assert ids(part.items) == [agenda_items.due_0, agenda_items.due_7]
    assert [i.due for i in part.items] == [AS_OF, ahead(7)]
    assert [i.prompt for i in part.items] == [f"Due {AS_OF}: on track?", f"Due {ahead(7)}: on track?"]
    # A day later, as_of + 8 is in, as_of itself is overdue.
    later = ft.review_agenda(seed.store, as_of=ahead(1))
    assert ids(section(later, "due_soon").items) == [agenda_items.due_7, agenda_items.due_8]
    assert agenda_items.due_0 in ids(section(later, "overdue").items)


def test_agenda_undecided_candidates_come_oldest_first_with_their_age(seed: Seed, agenda_items: AgendaItems) -> None:
    part = section(ft.review_agenda(seed.store, as_of=AS_OF), "undecided")

    assert ids(part.items) == [agenda_items.undecided_9, agenda_items.undecided_2]
    assert [i.age_days for i in part.items] == [9, 2]
    assert [i.state for i in part.items] == ["candidate", "candidate"]
    assert part.items[0].prompt == "Undecided for 9 days: accept with an owner and date, or kill?"


def test_agenda_stale_means_no_report_in_14_days_from_the_last_report_else_acceptance(
    seed: Seed, agenda_items: AgendaItems
) -> None:
    part = section(ft.review_agenda(seed.store, as_of=AS_OF), "stale")

    # Oldest report first: accepted 30 days ago and never reported on, then last reported 15 days ago.
    assert ids(part.items) == [agenda_items.accepted_30, agenda_items.report_15]
    assert [i.days_since_report for i in part.items] == [30, 15]
    assert [i.prompt for i in part.items] == [
        "No report for 30 days: what is the status?",
        "No report for 15 days: what is the status?",
    ]
    for fresh in (agenda_items.report_14, agenda_items.accepted_14, agenda_items.old_but_reported):
        assert fresh not in ids(part.items)
    # A day on, the item reported exactly 14 days ago (and the one accepted then) have gone stale too.
    later = section(ft.review_agenda(seed.store, as_of=ahead(1)), "stale")
    assert ids(later.items) == [
        agenda_items.accepted_30,
        agenda_items.report_15,
        agenda_items.report_14,
        agenda_items.accepted_14,
    ]
    assert [i.days_since_report for i in later.items] == [31, 16, 15, 15]


def test_agenda_completed_covers_the_last_14_days_newest_first(seed: Seed, agenda_items: AgendaItems) -> None:
    part = section(ft.review_agenda(seed.store, as_of=AS_OF), "completed")

    assert ids(part.items) == [agenda_items.done_1, agenda_items.done_14]
    assert {i.state for i in part.items} == {"done"}
    assert agenda_items.done_15 not in ids(part.items)
    assert part.items[0].prompt == "Done: anything to share?"


def test_agenda_sections_are_cut_to_their_size_but_totals_stay_exact(seed: Seed) -> None:
    pm = seed.postmortem("Billing queue backlog")
    late = [seed.accepted(pm, f"Late item {n}", "lee", ago(n)) for n in (9, 8, 7, 6, 5)]
    undecided = [seed.candidate(pm, f"Candidate {n}", created=ago(n)) for n in (20, 19, 18, 17)]

    agenda = ft.review_agenda(seed.store, as_of=AS_OF, per_section=2)

    overdue = section(agenda, "overdue")
    assert (overdue.total, ids(overdue.items)) == (5, late[:2])
    pending = section(agenda, "undecided")
    assert (pending.total, ids(pending.items)) == (4, undecided[:2])
    assert "## Overdue (5)" in agenda.markdown
    assert "- … and 3 more" in agenda.markdown
    assert "## Candidates still undecided (4)" in agenda.markdown
    assert "- … and 2 more" in agenda.markdown


def test_agenda_markdown_reads_in_order_and_asks_about_each_overdue_item(seed: Seed, agenda_items: AgendaItems) -> None:
    markdown = ft.review_agenda(seed.store, as_of=AS_OF).markdown

    assert markdown.startswith(f"# Action-item review, {AS_OF}\n")
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Overdue (2)",
        "## Blocked (1)",
        "## Due in the next 7 days (2)",
        "## Candidates still undecided (2)",
        "## No status report in 14 days (2)",
        "## Completed in the last 14 days (2)",
    ]
    assert (
        f"- #{agenda_items.late_12} Cap consumer retries — dana, due {ago(12)}. 12 days overdue, what is blocking it?"
    ) in markdown
    assert (
        f"- #{agenda_items.late_3} Page on queue depth — lee, due {ago(3)}. 3 days overdue, what is blocking it?"
    ) in markdown
    assert f"- #{agenda_items.undecided_9} Add a queue depth dashboard — no owner. Undecided for 9 days" in markdown


def test_an_empty_agenda_says_none_in_every_section(seed: Seed) -> None:
    seed.postmortem("Billing queue backlog")

    agenda = ft.review_agenda(seed.store, as_of=AS_OF)

    assert [p.total for p in agenda.sections] == [0] * 6
    assert agenda.markdown.count("- none") == 6


def test_agenda_filters_by_owner_and_postmortem(seed: Seed, agenda_items: AgendaItems) -> None:
    mine = ft.review_agenda(seed.store, as_of=AS_OF, owner="LEE")
    assert [(p.key, ids(p.items)) for p in mine.sections] == [
        ("overdue", [agenda_items.late_3]),
        ("blocked", []),
        ("due_soon", [agenda_items.due_0]),
        ("undecided", []),
        ("stale", [agenda_items.accepted_30]),
        ("completed", [agenda_items.done_14]),
    ]

    other = ft.review_agenda(seed.store, as_of=AS_OF, postmortem_id=agenda_items.other)
    assert [p.total for p in other.sections] == [0, 0, 0, 1, 0, 0]
    assert ids(section(other, "undecided").items) == [agenda_items.undecided_2]


# -- draft_status_summary -------------------------------------------------------------------------------


class SummaryItems:
    """Decided just now, since decisions carry the real clock; due dates are placed around `today`."""

    def __init__(self, seed: Seed, today: date) -> None:
        self.today = today
        pm = self.pm = seed.postmortem("Billing queue backlog")
        self.other = seed.postmortem("Search outage", "SEV1")
        self.late = seed.candidate(pm, "Cap consumer retries")
        seed.decide(self.late, "accept", owner="dana", due=today - timedelta(days=5))
        seed.store.set_work_status(self.late, WorkStatus.BLOCKED, "waiting on infra", BY)
        self.soon = seed.candidate(pm, "Page on queue depth", "detect")
        seed.decide(self.soon, "accept", owner="lee", due=today + timedelta(days=3))
        seed.store.set_work_status(self.soon, WorkStatus.IN_PROGRESS, "PR open", BY)
        self.done = seed.candidate(pm, "Add a canary", "detect")
        seed.decide(self.done, "accept", owner="kim", due=today + timedelta(days=9))
        seed.decide(self.done, "complete", evidence="PR 7 merged")
        self.killed = seed.candidate(pm, "Rewrite billing")
        seed.decide(self.killed, "kill", reason="duplicate of the retry cap")
        self.undecided = seed.candidate(pm, "Drill the failover", "mitigate")
        self.elsewhere = seed.candidate(self.other, "Shard the index")
        seed.decide(self.elsewhere, "accept", owner="kim", due=today + timedelta(days=10))


@pytest.fixture
def summary_items(seed: Seed) -> SummaryItems:
    return SummaryItems(seed, datetime.now(UTC).date())


class Window(TypedDict):
    since: date
    until: date


def around(today: date) -> Window:
    """A window that holds every decision recorded `today`, whatever the hour."""
    return {"since": today - timedelta(days=1), "until": today + timedelta(days=2)}


def test_summary_counts_every_state_and_lists_open_items_soonest_due_first(
    seed: Seed, summary_items: SummaryItems
) -> None:
    today = summary_items.today

    everything = ft.draft_status_summary(seed.store, as_of=today, **around(today))
    assert everything.counts == {"candidate": 1, "accepted": 3, "done": 1, "killed": 1}
    assert everything.open_total == 3

    summary = ft.draft_status_summary(seed.store, as_of=today, postmortem_id=summary_items.pm, **around(today))
    assert summary.counts == {"candidate": 1, "accepted": 2, "done": 1, "killed": 1}
    assert summary.open_total == 2
    assert [
        (i.action_id, i.owner, i.due, i.days_overdue, i.work_status, i.status_note) for i in summary.open_items
    ] == [
        (summary_items.late, "dana", today - timedelta(days=5), 5, "blocked", "waiting on infra"),
        (summary_items.soon, "lee", today + timedelta(days=3), None, "in_progress", "PR open"),
    ]


def test_summary_changes_are_the_decisions_and_status_reports_of_the_window(
    seed: Seed, summary_items: SummaryItems
) -> None:
    today = summary_items.today

    summary = ft.draft_status_summary(seed.store, as_of=today, postmortem_id=summary_items.pm, **around(today))

    assert summary.changes_total == 7
    assert sorted((c.action_id, c.what, c.detail, c.by) for c in summary.changes) == sorted(
        [
            (summary_items.late, "accept", f"dana, due {today - timedelta(days=5)}", "alice"),
            (summary_items.late, "status: blocked", "waiting on infra", "assistant"),
            (summary_items.soon, "accept", f"lee, due {today + timedelta(days=3)}", "alice"),
            (summary_items.soon, "status: in_progress", "PR open", "assistant"),
            (summary_items.done, "accept", f"kim, due {today + timedelta(days=9)}", "alice"),
            (summary_items.done, "complete", "PR 7 merged", "alice"),
            (summary_items.killed, "kill", "duplicate of the retry cap", "alice"),
        ]
    )
    assert [c.at for c in summary.changes] == sorted((c.at for c in summary.changes), reverse=True)
    everywhere = ft.draft_status_summary(seed.store, as_of=today, **around(today))
    assert everywhere.changes_total == 8  # and the other postmortem's acceptance
    before = ft.draft_status_summary(
        seed.store, as_of=today, since=today - timedelta(days=30), until=today - timedelta(days=1)
    )
    assert (before.changes_total, before.changes) == (0, [])
    assert "## Changes" in before.markdown
    assert before.markdown.rstrip().endswith("- none")


def test_summary_window_includes_since_and_excludes_until(seed: Seed) -> None:
    pm = seed.postmortem("Billing queue backlog")
    item = seed.accepted(pm, "Cap consumer retries", "dana", ahead(10))
    for moment, note in (
        ("2025-06-08T23:59:59.999999Z", "before since"),
        ("2025-06-09T00:00:00.000000Z", "at since"),
        ("2025-06-15T23:59:59.999999Z", "last moment"),
        ("2025-06-16T00:00:00.000000Z", "at until"),
    ):
        seed.sql(
            "INSERT INTO audit_log (entity, entity_id, op, changes, actor, via, at) "
            "VALUES ('action', ?, 'status', ?, 'lee', 'test', ?)",
            item,
            json.dumps({"work_status": [None, "in_progress"], "status_note": [None, note]}),
            moment,
        )

    summary = ft.draft_status_summary(seed.store, as_of=ago(1), since=ago(7), until=AS_OF)

    assert (summary.since, summary.until) == (ago(7), AS_OF)
    assert summary.changes_total == 2
    assert [(c.detail, c.what, c.by) for c in summary.changes] == [
        ("last moment", "status: in_progress", "lee"),
        ("at since", "status: in_progress", "lee"),
    ]


def test_summary_window_defaults_to_the_week_before_as_of(seed: Seed) -> None:
    seed.postmortem("Billing queue backlog")

    summary = ft.draft_status_summary(seed.store, as_of=AS_OF)

    assert (summary.since, summary.until) == (ago(7), ahead(1))
    assert f"## Changes {ago(7)} – {ahead(1)} (0)" in summary.markdown


def test_summary_markdown_for_engineering_has_open_items_and_changes(seed: Seed, summary_items: SummaryItems) -> None:
    today = summary_items.today

    markdown = ft.draft_status_summary(
        seed.store, as_of=today, postmortem_id=summary_items.pm, **around(today)
    ).markdown

    assert markdown.startswith(f"# Action items: status on {today}\n")
    assert "2 open, 1 done, 1 undecided, 1 killed; 1 overdue." in markdown
    assert "## Open items (2)" in markdown
    assert (
        f"- #{summary_items.late} Cap consumer retries — dana, due {today - timedelta(days=5)}, "
        "**5 days overdue**; blocked: waiting on infra"
    ) in markdown
    assert (
        f"- #{summary_items.soon} Page on queue depth — lee, due {today + timedelta(days=3)}; in progress: PR open"
    ) in markdown
    assert "## Changes" in markdown
    assert f"#{summary_items.done} complete by alice: PR 7 merged" in markdown
    assert f"#{summary_items.killed} kill by alice: duplicate of the retry cap" in markdown


def test_summary_for_leadership_keeps_the_counts_and_only_the_overdue_items(
    seed: Seed, summary_items: SummaryItems
) -> None:
    today = summary_items.today

    summary = ft.draft_status_summary(
        seed.store, as_of=today, postmortem_id=summary_items.pm, audience="leadership", **around(today)
    )

    assert summary.audience == "leadership"
    assert summary.counts == {"candidate": 1, "accepted": 2, "done": 1, "killed": 1}
    assert summary.changes_total == 7  # the data stays whole; only the Markdown is shorter
    assert summary.markdown == (
        f"# Action items: status on {today}\n\n"
        "2 open, 1 done, 1 undecided, 1 killed; 1 overdue.\n\n"
        f"- #{summary_items.late} Cap consumer retries — dana, due {today - timedelta(days=5)}, 5 days overdue\n"
    )


def test_summary_open_items_are_cut_but_the_total_is_exact(seed: Seed) -> None:
    pm = seed.postmortem("Billing queue backlog")
    items = [seed.accepted(pm, f"Item {n}", "lee", ahead(n)) for n in range(1, 6)]

    summary = ft.draft_status_summary(seed.store, as_of=AS_OF, limit=2)

    assert (summary.open_total, ids(summary.open_items)) == (5, items[:2])
    assert "## Open items (5)" in summary.markdown
    assert "- … and 3 more" in summary.markdown


def test_summary_counts_every_overdue_item_even_when_the_open_list_is_cut(seed: Seed) -> None:
    pm = seed.postmortem("Billing queue backlog")
    late = [seed.accepted(pm, f"Late item {n}", "lee", ago(n)) for n in (5, 4, 3)]
    for n in (1, 2):
        seed.accepted(pm, f"Item due in {n} days", "lee", ahead(n))

    summary = ft.draft_status_summary(seed.store, as_of=AS_OF, limit=2)
    assert (summary.open_total, summary.overdue_total, ids(summary.open_items)) == (5, 3, late[:2])
    assert "5 open, 0 done, 0 undecided, 0 killed; 3 overdue." in summary.markdown

    brief = ft.draft_status_summary(seed.store, as_of=AS_OF, limit=2, audience="leadership").markdown
    assert "; 3 overdue." in brief
    assert brief.endswith(f"- #{late[1]} Late item 4 — lee, due {ago(4)}, 4 days overdue\n- … and 1 more overdue\n")


def test_a_window_that_ends_before_it_starts_is_refused(seed: Seed) -> None:
    seed.postmortem("Billing queue backlog")

    with pytest.raises(InvalidInput, match=r"until \(2025-06-15\) must be after since \(2025-06-16\)"):
        ft.draft_status_summary(seed.store, as_of=AS_OF, since=AS_OF, until=ago(1))
    with pytest.raises(InvalidInput, match=r"until \(2025-06-17\) must be after since \(2025-06-20\)"):
        ft.draft_status_summary(seed.store, as_of=AS_OF, since=ahead(4))  # until defaults to the day after as_of
    with pytest.raises(InvalidInput, match=r"until \(2025-06-16\) must be after since \(2025-06-16\)"):
        ft.followthrough_report(seed.store, as_of=AS_OF, since=AS_OF, until=AS_OF)
    assert ft.followthrough_report(seed.store, as_of=AS_OF, since=ago(1), until=AS_OF).total.accepted == 0


def test_summary_of_an_unknown_postmortem_is_refused(seed: Seed) -> None:
    seed.postmortem("Billing queue backlog")

    with pytest.raises(PostmortemNotFound, match="no postmortem has id 99"):
        ft.draft_status_summary(seed.store, as_of=AS_OF, postmortem_id=99)


# -- followthrough_report -------------------------------------------------------------------------------


class Audit:
    """Three postmortems' committed items, accepted and completed on chosen days before AS_OF."""

    def __init__(self, seed: Seed) -> None:
        billing = self.billing = seed.postmortem("Billing queue backlog", "SEV2")
        search = self.search = seed.postmortem("Search outage", "SEV1")
        docs = self.docs = seed.postmortem("Docs typo", "SEV3")
        # Billing (SEV2) commits to a detect item: no warning.
        self.b_on_time = seed.done(
            billing, "Cap consumer retries", "dana", ago(10), accepted=ago(40), completed=ago(12)
        )  # 28 days
        self.b_late = seed.done(
            billing, "Page on queue depth", "lee", ago(20), "detect", accepted=ago(50), completed=ago(15)
        )  # 35 days, after its due date
        self.b_open = seed.accepted(billing, "Drill the failover", "dana", ahead(5), "mitigate", accepted=ago(30))
        self.b_overdue = seed.accepted(billing, "Split the queue", "kim", ago(1), accepted=ago(31))
        self.b_killed = seed.killed(
            billing, "Document handover", "process", owner="lee", due=ahead(10), accepted=ago(20)
        )
        self.b_triaged = seed.killed(billing, "Rewrite billing", created=ago(5))
        self.b_candidate = seed.candidate(billing, "Dashboard queue depth", "detect")
        # Search (SEV1) commits only to prevent and process: warned.
        self.s_open = seed.accepted(search, "Shard the index", "lee", ahead(30), accepted=ago(60))
        self.s_overdue_5 = seed.accepted(search, "Review index changes", "lee", ago(5), "process", accepted=ago(61))
        self.s_overdue_100 = seed.accepted(search, "Cap query size", "dana", ago(100), accepted=ago(90))
        self.s_overdue_80 = seed.accepted(search, "Pin the analyzer", "dana", ago(80), accepted=ago(91))
        self.s_done = seed.done(
            search, "Add a change checklist", "kim", ago(85), "process", accepted=ago(100), completed=ago(90)
        )  # 10 days
        # Docs (SEV3): prevent only, but not severe enough for a warning. Done on its due day, late evening.
        self.d_done = seed.done(
            docs, "Lint the docs", "kim", ago(3), accepted=ago(10), completed=at(ago(3), 23, 0)
        )  # 7.54 days


@pytest.fixture
def audit(seed: Seed) -> Audit:
    return Audit(seed)


def figures(group: ft.GroupFigures) -> tuple[int, int, int, int, int, int]:
    return group.accepted, group.done, group.done_on_time, group.killed, group.open, group.overdue


def severity_warnings(report: ft.FollowthroughReport) -> list[str]:
    """The report's SEV1/SEV2 balance warnings (it also warns about who is overdue, what is blocked, undecided)."""
    return [w for w in report.warnings if "SEV1/SEV2" in w]


SEARCH_WARNING = "#2 Search outage: a SEV1/SEV2 postmortem with no detect or mitigate item (only prevent/process)"


def test_report_totals_count_killed_apart_and_rate_done_on_time_over_accepted(seed: Seed, audit: Audit) -> None:
    report = ft.followthrough_report(seed.store, as_of=AS_OF)
    total = report.total

    assert total.key == "total"
    assert figures(total) == (10, 4, 3, 2, 6, 4)
    assert total.completion_rate == 0.3  # 3 on time of 10 accepted; the 2 killed are not in the denominator
    assert total.median_days_to_done == 19.0  # of 7.54, 10, 28 and 35
    assert total.aging == {"0-30": 1, "31-60": 2, "61-90": 2, "90+": 1}
    assert total.categories == {"prevent": 6, "detect": 1, "mitigate": 1, "process": 2}
    assert (report.as_of, report.since, report.until, report.group_by) == (AS_OF, None, None, "postmortem")


def test_report_overdue_agrees_with_list_overdue(seed: Seed, audit: Audit) -> None:
    report = ft.followthrough_report(seed.store, as_of=AS_OF)

    assert report.total.overdue == ft.list_overdue(seed.store, as_of=AS_OF).total == 4
    assert ft.followthrough_report(seed.store, as_of=ahead(5)).total.overdue == 4  # due on as_of: not yet
    assert ft.followthrough_report(seed.store, as_of=ahead(6)).total.overdue == 5


def test_report_by_postmortem_with_rates_medians_aging_and_balance(seed: Seed, audit: Audit) -> None:
    groups = ft.followthrough_report(seed.store, as_of=AS_OF, group_by="postmortem").groups

    assert [g.key for g in groups] == ["#1 Billing queue backlog", "#2 Search outage", "#3 Docs typo"]
    billing, search, docs = groups
    assert figures(billing) == (4, 2, 1, 2, 2, 1)
    assert (billing.completion_rate, billing.median_days_to_done) == (0.25, 31.5)
    assert billing.aging == {"0-30": 1, "31-60": 1, "61-90": 0, "90+": 0}
    assert billing.categories == {"prevent": 2, "detect": 1, "mitigate": 1, "process": 0}
    assert figures(search) == (5, 1, 1, 0, 4, 3)
    assert (search.completion_rate, search.median_days_to_done) == (0.2, 10.0)
    assert search.aging == {"0-30": 0, "31-60": 1, "61-90": 2, "90+": 1}
    assert search.categories == {"prevent": 3, "detect": 0, "mitigate": 0, "process": 2}
    assert figures(docs) == (1, 1, 1, 0, 0, 0)
    assert (docs.completion_rate, docs.median_days_to_done) == (1.0, 7.5)
    assert docs.aging == {"0-30": 0, "31-60": 0, "61-90": 0, "90+": 0}
    assert docs.categories == {"prevent": 1, "detect": 0, "mitigate": 0, "process": 0}


def test_report_by_owner_puts_triage_kills_under_no_owner(seed: Seed, audit: Audit) -> None:
    groups = ft.followthrough_report(seed.store, as_of=AS_OF, group_by="owner").groups

    assert [(g.key, figures(g), g.completion_rate) for g in groups] == [
        ("(no owner)", (0, 0, 0, 1, 0, 0), None),
        ("dana", (4, 1, 1, 0, 3, 2), 0.25),
        ("kim", (3, 2, 2, 0, 1, 1), round(2 / 3, 4)),
        ("lee", (3, 1, 0, 1, 2, 1), 0.0),
    ]
    assert [g.median_days_to_done for g in groups] == [None, 28.0, 8.8, 35.0]


def test_report_by_category(seed: Seed, audit: Audit) -> None:
    groups = ft.followthrough_report(seed.store, as_of=AS_OF, group_by="category").groups

    assert [(g.key, figures(g)) for g in groups] == [
        ("detect", (1, 1, 0, 0, 0, 0)),
        ("mitigate", (1, 0, 0, 0, 1, 0)),
        ("prevent", (6, 2, 2, 1, 4, 3)),
        ("process", (2, 1, 1, 1, 1, 1)),
    ]
    assert [g.categories for g in groups][2] == {"prevent": 6, "detect": 0, "mitigate": 0, "process": 0}


def test_report_by_severity(seed: Seed, audit: Audit) -> None:
    groups = ft.followthrough_report(seed.store, as_of=AS_OF, group_by="severity").groups

    assert [(g.key, figures(g), g.completion_rate) for g in groups] == [
        ("SEV1", (5, 1, 1, 0, 4, 3), 0.2),
        ("SEV2", (4, 2, 1, 2, 2, 1), 0.25),
        ("SEV3", (1, 1, 1, 0, 0, 0), 1.0),
    ]


@pytest.mark.parametrize("group_by", ["postmortem", "owner", "category", "severity"])
def test_report_totals_do_not_depend_on_the_grouping(seed: Seed, audit: Audit, group_by: GroupBy) -> None:
    report = ft.followthrough_report(seed.store, as_of=AS_OF, group_by=group_by)

    assert report.group_by == group_by
    assert report.total == ft.followthrough_report(seed.store, as_of=AS_OF).total
    for field in ("accepted", "done", "done_on_time", "killed", "open", "overdue"):
        assert sum(getattr(g, field) for g in report.groups) == getattr(report.total, field)
    assert severity_warnings(report) == [SEARCH_WARNING]


def test_report_aging_buckets_split_at_30_60_and_90_days_whatever_the_hour(seed: Seed) -> None:
    pm = seed.postmortem("Billing queue backlog")
    for days, moment in (
        (0, at(AS_OF, 0)),
        (30, at(ago(30), 0)),
        (31, at(ago(31), 23, 59, 59)),
        (60, at(ago(60), 0)),
        (61, at(ago(61), 23, 59, 59)),
        (90, at(ago(90), 0)),
        (91, at(ago(91), 23, 59, 59)),
        (400, ago(400)),
    ):
        seed.accepted(pm, f"Accepted {days} days ago", "lee", ahead(30), accepted=moment)

    total = ft.followthrough_report(seed.store, as_of=AS_OF).total

    assert total.aging == {"0-30": 2, "31-60": 2, "61-90": 2, "90+": 2}
    assert total.open == 8


def test_report_since_until_window_selects_by_acceptance_day(seed: Seed, audit: Audit) -> None:
    report = ft.followthrough_report(seed.store, as_of=AS_OF, since=ago(60), until=ago(30))

    # Accepted on ago(60) is in, on ago(30) is out: b_on_time, b_late, b_overdue, s_open.
    assert (report.since, report.until) == (ago(60), ago(30))
    assert figures(report.total) == (4, 2, 1, 0, 2, 1)
    assert (report.total.completion_rate, report.total.median_days_to_done) == (0.25, 31.5)
    assert report.total.aging == {"0-30": 0, "31-60": 2, "61-90": 0, "90+": 0}
    assert severity_warnings(report) == [SEARCH_WARNING]
    assert [m.month for m in report.by_month] == ["2025-04", "2025-05"]

    recent = ft.followthrough_report(seed.store, as_of=AS_OF, since=ago(25))
    # d_done accepted ago(10); b_killed accepted ago(20) then killed; b_triaged killed at triage, recorded ago(5).
    assert figures(recent.total) == (1, 1, 1, 2, 0, 0)
    assert recent.total.completion_rate == 1.0
    assert severity_warnings(recent) == []

    old = ft.followthrough_report(seed.store, as_of=AS_OF, until=ago(89))
    assert figures(old.total) == (3, 1, 1, 0, 2, 2)  # s_overdue_100, s_overdue_80, s_done
    assert [g.key for g in old.groups] == ["#2 Search outage"]


def test_report_by_month_counts_what_became_of_each_month_of_acceptances(seed: Seed, audit: Audit) -> None:
    months = ft.followthrough_report(seed.store, as_of=AS_OF).by_month

    assert [(m.month, m.accepted, m.done, m.on_time) for m in months] == [
        ("2025-03", 3, 1, 1),  # s_done, s_overdue_100, s_overdue_80
        ("2025-04", 3, 1, 0),  # b_late, s_open, s_overdue_5
        ("2025-05", 3, 1, 1),  # b_on_time, b_open, b_overdue (b_killed accepted then killed: not counted)
        ("2025-06", 1, 1, 1),  # d_done
    ]


def test_a_severe_postmortem_without_detect_or_mitigate_is_warned_once_it_commits_one(seed: Seed) -> None:
    outage = seed.postmortem("Search outage", "SEV1")
    seed.accepted(outage, "Cap query size", "lee", ahead(10))
    seed.accepted(outage, "Review index changes", "lee", ahead(10), "process")
    seed.candidate(outage, "Alert on index lag", "detect")  # a candidate is not a commitment
    seed.killed(outage, "Page on errors", "detect", owner="lee", due=ahead(3), accepted=ago(4))
    minor = seed.postmortem("Docs typo", "SEV3")
    seed.accepted(minor, "Lint the docs", "kim", ahead(10))

    report = ft.followthrough_report(seed.store, as_of=AS_OF)
    assert severity_warnings(report) == [
        f"#{outage} Search outage: a SEV1/SEV2 postmortem with no detect or mitigate item (only prevent/process)"
    ]
    assert "## Warnings" in report.markdown

    seed.accepted(outage, "Page on index lag", "kim", ahead(10), "mitigate")
    fixed = ft.followthrough_report(seed.store, as_of=AS_OF)
    assert severity_warnings(fixed) == []
    assert "SEV1/SEV2" not in fixed.markdown
    assert "- 1 candidate(s) still await a human decision" in fixed.markdown  # the candidate is still undecided


def test_a_severe_postmortem_with_a_done_detect_item_is_not_warned(seed: Seed) -> None:
    outage = seed.postmortem("Billing queue backlog", "SEV2")
    seed.accepted(outage, "Cap consumer retries", "lee", ahead(10))
    seed.done(outage, "Page on queue depth", "lee", ahead(10), "detect", accepted=ago(9), completed=ago(2))

    assert severity_warnings(ft.followthrough_report(seed.store, as_of=AS_OF)) == []


def test_report_markdown_states_the_figures(seed: Seed, audit: Audit) -> None:
    markdown = ft.followthrough_report(seed.store, as_of=AS_OF).markdown

    assert markdown.startswith(
        f"# Follow-through on {AS_OF}\n\nCounting items accepted at any time, grouped by postmortem.\n"
    )
    assert (
        "10 accepted, 4 done (3 on time), 6 open (4 overdue); 2 killed (not counted). "
        "Completion rate 30%; median 19.0 days to done."
    ) in markdown
    assert "| #1 Billing queue backlog | 4 | 1 | 2 | 1 | 2 | 25% | 31.5 |" in markdown
    assert "| #2 Search outage | 5 | 1 | 4 | 3 | 0 | 20% | 10.0 |" in markdown
    assert "Open items by age (days since accepted): 0-30: 1, 31-60: 2, 61-90: 2, 90+: 1" in markdown
    assert "Category balance: prevent 6, detect 1, mitigate 1, process 2" in markdown
    assert f"- {SEARCH_WARNING}" in markdown


def test_an_empty_report_has_no_rate_and_no_median(seed: Seed) -> None:
    seed.postmortem("Billing queue backlog")

    report = ft.followthrough_report(seed.store, as_of=AS_OF)

    assert (report.groups, report.by_month, report.warnings) == ([], [], [])
    assert figures(report.total) == (0, 0, 0, 0, 0, 0)
    assert (report.total.completion_rate, report.total.median_days_to_done) == (None, None)
    assert "Completion rate –; median – days to done." in report.markdown
