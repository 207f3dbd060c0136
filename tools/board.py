"""What the web board shows: the agenda with filters, an item with its history, a postmortem with its evidence.

Plain data computed from the store; `server/web` renders it. Nothing here writes.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Final, Literal

from pydantic import Field

from postmortem_actions.store import Action, AuditEntry, Decision, DecisionKind, Postmortem, Store, Ticket, lifecycle
from postmortem_actions.store.followthrough import AgendaSection
from postmortem_actions.tools.decisions import DueTable
from postmortem_actions.tools.extraction.models import LintResult
from postmortem_actions.tools.followthrough.models import AgendaPart, ReviewItem
from postmortem_actions.tools.schema import Model

SECTIONS: Final[tuple[AgendaSection, ...]] = ("overdue", "blocked", "due_soon", "undecided", "stale", "completed")
DOCUMENT_SHOWN: Final = 300_000  # characters of a postmortem the page shows; the rest is named, not drawn


class BoardFilters(Model):
    """What the board is narrowed to; every given filter must hold."""

    owner: str | None = None
    postmortem_id: int | None = None
    category: Literal["prevent", "detect", "mitigate", "process"] | None = None
    search: str | None = Field(default=None, max_length=200)


SEARCH_SHOWN: Final = 50
# The board counts each section up to this many; past it a section says "10,000+" (an exact count of 450,000
# undecided items reads 450,000 index entries). The MCP agenda and the report count exactly.
COUNTED: Final = 10_000


class Board(Model):
    """The agenda's sections for the board, each with its exact total and first items; or, when the filters
    search the text, the matching items in any state, newest first."""

    as_of: date
    filters: BoardFilters
    sections: list[AgendaPart]
    found: list[ReviewItem] | None = None
    more_found: bool = False


def board(store: Store, *, as_of: date, filters: BoardFilters, per_section: int = 10) -> Board:
    """The board under the filters: every agenda section, or the items whose text has the searched words.

    Raises:
        PostmortemNotFound: the postmortem filter names no postmortem.
        InvalidInput: `as_of` is outside the supported range.
    """
    if filters.search:
        from postmortem_actions.tools.followthrough.review import search_items

        found = search_items(
            store,
            filters.search,
            as_of=as_of,
            owner=filters.owner,
            postmortem_id=filters.postmortem_id,
            category=filters.category,
            limit=SEARCH_SHOWN + 1,
        )
        return Board(
            as_of=as_of, filters=filters, sections=[], found=found[:SEARCH_SHOWN], more_found=len(found) > SEARCH_SHOWN
        )
    return Board(
        as_of=as_of,
        filters=filters,
        sections=[section(store, key, as_of=as_of, filters=filters, limit=per_section) for key in SECTIONS],
    )


def section(
    store: Store, key: AgendaSection, *, as_of: date, filters: BoardFilters, limit: int, offset: int = 0
) -> AgendaPart:
    """One agenda section under the filters, one page of it.

    Raises:
        PostmortemNotFound: the postmortem filter names no postmortem.
        InvalidInput: `as_of` is outside the supported range.
    """
    from postmortem_actions.tools.followthrough.review import agenda_section

    return agenda_section(
        store,
        key,
        as_of=as_of,
        owner=filters.owner,
        postmortem_id=filters.postmortem_id,
        category=filters.category,
        limit=limit,
        offset=offset,
        count_up_to=COUNTED,
    )


class ItemView(Model):
    """One action with everything a person deciding on it needs, and the decisions they may make now."""

    action: Action
    postmortem: Postmortem
    decisions: list[Decision]
    audit: list[AuditEntry]
    tickets: list[Ticket]
    lint: LintResult
    choices: list[DecisionKind] = Field(description="The decision kinds that apply in the item's state")
    default_owner: str = ""
    default_due: date | None = None


def item(store: Store, action_id: int, *, table: DueTable, today: date) -> ItemView:
    """An action, its postmortem, its decisions, audit log, tickets and lint, and what can be decided now.

    Raises:
        ActionNotFound: no such action.
    """
    from postmortem_actions.tools.extraction.lint import lint_action

    action = store.get_action(action_id)
    pm = store.get_postmortem(action.postmortem_id)
    choices = [kind for kind, row in lifecycle.TRANSITIONS.items() if action.state in row.from_states]
    proposed = action.owner or action.proposed_owner or ""
    return ItemView(
        action=action,
        postmortem=pm,
        decisions=store.decisions(action_id),
        audit=store.audit_log("action", action_id),
        tickets=store.tickets(action_id=action_id),
        lint=lint_action(action.text),
        choices=choices,
        default_owner=proposed,
        default_due=action.due or action.proposed_due or table.due(pm.severity, today),
    )


class Mark(Model):
    """A stretch of the document and what points at it: extractor findings and recorded actions' evidence."""

    start: int
    end: int
    findings: list[int] = Field(default_factory=list, description="Indexes into `PostmortemView.findings`")
    actions: list[int] = Field(default_factory=list, description="Ids of actions quoting this stretch")


class FindingMark(Model):
    """A follow-up the extractor found, and whether any recorded action's evidence covers it."""

    text: str
    start: int
    end: int
    covered: bool


class PostmortemView(Model):
    """A postmortem's text cut into stretches, each marked with the findings and actions that point at it."""

    postmortem: Postmortem
    marks: list[Mark]
    findings: list[FindingMark]
    actions: list[Action]
    shown_chars: int
    gap: int = Field(description="Findings no action covers (the coverage gap)")


def postmortem(store: Store, postmortem_id: int) -> PostmortemView:
    """The document with every finding and every candidate's evidence placed at its offsets.

    Raises:
        PostmortemNotFound: no such postmortem.
    """
    from postmortem_actions.store.inputs import ActionFilter
    from postmortem_actions.tools.extraction.coverage import covers
    from postmortem_actions.tools.extraction.extractor import extract

    pm = store.get_postmortem(postmortem_id)
    actions = store.actions(ActionFilter(postmortem_id=postmortem_id))
    spans = [(a.quote_start, a.quote_end) for a in actions]
    found = extract(pm.text, pm.source)  # read as parse_postmortem read it: by its name when it has one
    findings = [
        FindingMark(text=f.text, start=f.start, end=f.end, covered=any(covers(s, f) for s in spans)) for f in found
    ]
    shown = min(len(pm.text), DOCUMENT_SHOWN)
    return PostmortemView(
        postmortem=pm,
        marks=_marks(shown, findings, actions),
        findings=findings,
        actions=actions,
        shown_chars=shown,
        gap=sum(not f.covered for f in findings),
    )


def _marks(shown: int, findings: list[FindingMark], actions: list[Action]) -> list[Mark]:
    """The shown text cut at every start and end, each stretch listing what covers it (a sweep over the cuts)."""
    events: list[tuple[int, int, str, int]] = []  # (offset, 0 = end before 1 = start, what, which)
    for index, f in enumerate(findings):
        events += [(f.start, 1, "f", index), (f.end, 0, "f", index)]
    for a in actions:
        events += [(a.quote_start, 1, "a", a.id), (a.quote_end, 0, "a", a.id)]
    cuts = sorted({0, shown, *(min(e[0], shown) for e in events)})
    events.sort()
    open_f: set[int] = set()
    open_a: set[int] = set()
    marks: list[Mark] = []
    pending = iter(events)
    event = next(pending, None)
    for start, end in itertools.pairwise(cuts):
        while event is not None and event[0] <= start:
            target = open_f if event[2] == "f" else open_a
            (target.add if event[1] else target.discard)(event[3])
            event = next(pending, None)
        marks.append(Mark(start=start, end=end, findings=sorted(open_f), actions=sorted(open_a)))
    return marks
