"""A database with every kind of item the listings show, every date in it fixed, for the command line's tests.

Two postmortems (SEV1 and SEV3) and eight items: undecided candidates (one with a proposed owner too long for its
column, one deferred with a note and a revisit date), accepted items overdue, blocked and due soon, one done and one
killed. Decisions are recorded through the store like any channel would; the times the review reads from the action
rows (created, accepted, completed, last status) are then set to fixed values, so with `--as-of AS_OF` every listing
is the same on every run. The decisions' own times stay real: AS_OF lies before them, so no "changes" window sees one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from postmortem_actions.store import (
    Actor,
    Channel,
    DecisionKind,
    HumanDecision,
    NewAction,
    NewPostmortem,
    Store,
    WorkStatus,
)

AS_OF = date(2026, 3, 1)
BY = Actor(actor="assistant", via="mcp:claude-code/2.1 for carol")

CHECKOUT = """\
# Checkout outage

Severity: SEV1
Incident date: 2026-01-20

## Action items

- Page the payments on-call when the checkout 5xx rate exceeds 5% for 3 minutes.
- Add a CI check that fails when worker connections exceed 80% of max_connections.
- Write a runbook entry for connection exhaustion, including the rollback command.
- Rehearse the payment provider failover every quarter.
- Look into better dashboards for the checkout service.
"""

QUEUE = """\
# Queue backlog

Severity: SEV3

## Follow-ups

- Cap consumer retries at five attempts with exponential backoff.
- Document the manual replay procedure for stuck invoices.
- Review on-call handover notes in the weekly ops meeting.
"""


@dataclass(frozen=True)
class Listed:
    """The database and the ids of what is in it."""

    db: Path
    checkout: int
    queue: int
    ids: dict[str, int]


def _new(text: str, quote: str, source: str, category: str, **more: object) -> NewAction:
    start = source.index(quote)
    return NewAction.model_validate(
        {
            "text": text,
            "done_when": f"{text.split(' when ')[0]} is in place and was checked once",
            "problem": "The incident showed it was missing",
            "category": category,
            "quote": quote,
            "quote_start": start,
            "quote_end": start + len(quote),
            **more,
        }
    )


def _decide(store: Store, action_id: int, kind: DecisionKind, **values: object) -> None:
    store.record_decision(
        action_id,
        HumanDecision.model_validate(
            {"kind": kind, "decided_by": "carol", "channel": Channel.TERMINAL, "client": "fixture", **values}
        ),
    )


def listed_database(folder: Path) -> Listed:
    """Build the database in `folder` (closed when returned, so only the command under test holds it)."""
    db = folder / "actions.db"
    store = Store(db)
    checkout, _ = store.add_postmortem(
        NewPostmortem(
            title="Checkout outage",
            source="/srv/postmortems/2026-01-20-checkout-outage.md",
            text=CHECKOUT,
            sha256="c" * 64,
            severity="SEV1",
            incident_date=date(2026, 1, 20),
        ),
        BY,
    )
    queue, _ = store.add_postmortem(
        NewPostmortem(title="Queue backlog", source="pasted", text=QUEUE, sha256="q" * 64, severity="SEV3"), BY
    )
    made = store.add_actions(
        checkout.id,
        [
            _new(
                "Page the payments on-call when the checkout 5xx rate exceeds 5% for 3 minutes",
                "Page the payments on-call when the checkout 5xx rate exceeds 5% for 3 minutes",
                CHECKOUT,
                "detect",
                proposed_by="claude-code/2.1",
            ),
            _new(
                "Fail CI when worker connections exceed 80% of the database's max_connections",
                "Add a CI check that fails when worker connections exceed 80% of max_connections",
                CHECKOUT,
                "prevent",
                proposed_by="claude-code/2.1",
            ),
            _new(
                "Write a runbook entry for connection exhaustion with the rollback command",
                "Write a runbook entry for connection exhaustion",
                CHECKOUT,
                "mitigate",
                proposed_owner="alexandra.konstantinopoulou",
                proposed_due=date(2026, 3, 20),
                proposed_by="extractor",
            ),
            _new(
                "Run a quarterly payment provider failover drill",
                "Rehearse the payment provider failover every quarter",
                CHECKOUT,
                "mitigate",
                proposed_by="extractor",
            ),
            _new(
                "Look into better dashboards for the checkout service",
                "Look into better dashboards for the checkout service",
                CHECKOUT,
                "detect",
                proposed_by="extractor",
            ),
        ],
        BY,
    )
    made += store.add_actions(
        queue.id,
        [
            _new(
                "Cap consumer retries at five attempts with exponential backoff",
                "Cap consumer retries at five attempts",
                QUEUE,
                "prevent",
                proposed_owner="lee",
                proposed_by="claude-code/2.1",
            ),
            _new(
                "Write the manual replay procedure for stuck invoices into the billing runbook",
                "Document the manual replay procedure for stuck invoices",
                QUEUE,
                "mitigate",
                proposed_by="carol",
            ),
            _new(
                "Add handover notes review to the weekly ops meeting agenda",
                "Review on-call handover notes in the weekly ops meeting",
                QUEUE,
                "process",
                proposed_by="extractor",
            ),
        ],
        BY,
    )
    ids = dict(
        zip(
            ("page", "ci", "runbook", "drill", "dashboards", "retries", "replay", "handover"),
            (a.id for a, _ in made),
            strict=True,
        )
    )
    _decide(store, ids["page"], DecisionKind.ACCEPT, owner="dana", due=date(2026, 2, 10))
    _decide(store, ids["ci"], DecisionKind.ACCEPT, owner="lee", due=date(2026, 3, 5))
    store.set_work_status(
        ids["ci"], WorkStatus.BLOCKED, "waiting on the database team's sizing", Actor(actor="lee", via="cli")
    )
    _decide(store, ids["retries"], DecisionKind.ACCEPT, owner="erin", due=date(2026, 2, 20))
    _decide(store, ids["replay"], DecisionKind.ACCEPT, owner="dana", due=date(2026, 2, 15))
    _decide(store, ids["replay"], DecisionKind.COMPLETE, evidence="https://git.example.com/billing/pull/42")
    _decide(store, ids["dashboards"], DecisionKind.KILL, reason="too vague; the 5xx page covers detection")
    _decide(store, ids["drill"], DecisionKind.DEFER, reason="after the provider migration", revisit_on=date(2026, 4, 1))
    store.close()
    times = {
        "page": ("2026-01-21", "2026-01-22", None, None),
        "ci": ("2026-01-21", "2026-01-22", None, "2026-02-25"),
        "runbook": ("2026-01-21", None, None, None),
        "drill": ("2026-01-21", None, None, None),
        "dashboards": ("2026-01-21", None, None, None),
        "retries": ("2026-02-02", "2026-02-03", None, None),
        "replay": ("2026-02-02", "2026-02-03", "2026-02-24", None),
        "handover": ("2026-02-02", None, None, None),
    }
    with sqlite3.connect(db, isolation_level=None) as raw:
        for name, (created, accepted, completed, reported) in times.items():
            raw.execute(
                "UPDATE actions SET created_at = ?, updated_at = ?, accepted_at = ?, completed_at = ?, status_at = ? "
                "WHERE id = ?",
                [*(_at(d) for d in (created, created, accepted, completed, reported)), ids[name]],
            )
    raw.close()
    return Listed(db=db, checkout=checkout.id, queue=queue.id, ids=ids)


def _at(day: str | None) -> str | None:
    return None if day is None else f"{day}T09:00:00.000000Z"
