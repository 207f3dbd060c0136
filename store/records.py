"""Records as they are stored: small immutable pydantic models, and the enums of the domain."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Category(StrEnum):
    """What an action buys: fewer recurrences, faster detection, faster mitigation, or better process."""

    PREVENT = "prevent"
    DETECT = "detect"
    MITIGATE = "mitigate"
    PROCESS = "process"


class Size(StrEnum):
    """A suggested size, labelled as a suggestion."""

    S = "S"
    M = "M"
    L = "L"


class ActionState(StrEnum):
    """Lifecycle state; changed only by a human decision."""

    CANDIDATE = "candidate"
    ACCEPTED = "accepted"
    KILLED = "killed"
    DONE = "done"


class WorkStatus(StrEnum):
    """Working status of an accepted item, which the assistant may report: it commits no one."""

    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"


class DecisionKind(StrEnum):
    """What a human decided about an action."""

    ACCEPT = "accept"
    KILL = "kill"
    DEFER = "defer"
    REPLAN = "replan"
    COMPLETE = "complete"
    REOPEN = "reopen"
    REVIVE = "revive"


class Channel(StrEnum):
    """How a human decision reached the store. None of these is a tool argument the model controls."""

    ELICITATION = "elicitation"
    TERMINAL = "terminal"
    CONFIRM_PAGE = "confirm_page"
    TRACKER = "tracker"
    WEB = "web"
    MCP_APP = "mcp-app"


class Record(BaseModel):
    """Base of stored records: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Postmortem(Record):
    """An incident postmortem document as stored."""

    id: int
    title: str
    source: str = Field(description="'pasted' or the file path it was read from")
    text: str
    sha256: str
    severity: str | None = None
    incident_date: date | None = None
    created_at: datetime
    created_by: str
    origin: str | None = Field(
        default=None,
        description="What the text was extracted from when it is not the file's own text, e.g. 'docx:review.docx'",
    )


class PostmortemOverview(Record):
    """A stored postmortem as the overview lists it: what describes it, and its actions counted by state."""

    id: int
    title: str
    source: str
    severity: str | None = None
    incident_date: date | None = None
    created_at: datetime
    candidate: int
    accepted: int
    done: int
    killed: int


class Action(Record):
    """A candidate or committed action item."""

    id: int
    postmortem_id: int
    text: str
    done_when: str
    problem: str
    category: Category
    size: Size | None = None
    quote: str
    quote_start: int
    quote_end: int
    proposed_owner: str | None = None
    proposed_due: date | None = None
    state: ActionState
    owner: str | None = None
    due: date | None = None
    decision_id: int | None = Field(default=None, description="The human decision that set state/owner/due")
    work_status: WorkStatus | None = None
    status_note: str | None = None
    created_at: datetime
    updated_at: datetime
    accepted_at: datetime | None = Field(default=None, description="When a human first accepted it")
    completed_at: datetime | None = Field(default=None, description="When a human marked it done (if done)")
    status_at: datetime | None = Field(default=None, description="When its working status was last reported")
    proposed_by: str | None = Field(
        default=None, description="Who proposed it: 'extractor', the assistant's client, or a person"
    )

    def version(self) -> str:
        """A short fingerprint of everything a human decides on; it changes whenever any of it changes."""
        fields = (
            self.text,
            self.done_when,
            self.problem,
            self.category,
            self.size,
            self.quote,
            self.state,
            self.owner,
            self.due,
            self.decision_id,
            self.proposed_owner,
            self.proposed_due,
        )
        return hashlib.sha256(repr(tuple(str(f) for f in fields)).encode()).hexdigest()[:10]


class ActionSummary(Record):
    """An action as a list shows it; the full record (evidence, done_when, history) is `action://{id}`."""

    id: int
    postmortem_id: int
    text: str
    category: Category
    state: ActionState
    owner: str | None = None
    due: date | None = None
    proposed_owner: str | None = None
    proposed_due: date | None = None
    decision_id: int | None = Field(default=None, description="The human decision that set state/owner/due")
    work_status: WorkStatus | None = None


SUMMARY_COLUMNS = ", ".join(ActionSummary.model_fields)


class Decision(Record):
    """One human decision; append-only and hash-chained."""

    id: int
    action_id: int
    kind: DecisionKind
    from_state: ActionState
    to_state: ActionState
    owner: str | None = None
    due: date | None = None
    reason: str | None = None
    evidence: str | None = None
    decided_by: str
    channel: Channel
    client: str | None = None
    decided_at: datetime
    revisit_on: date | None = Field(default=None, description="A defer's date to look at the item again")
    prev_hash: str
    hash: str


class AuditEntry(Record):
    """A non-decision change: who or what changed which record, when, and the fields before and after."""

    id: int
    entity: str
    entity_id: int
    op: str
    changes: dict[str, list[object]]
    actor: str
    via: str
    at: datetime


class Ticket(Record):
    """A tracker ticket linked to an action."""

    id: int
    action_id: int
    tracker: str
    ref: str
    url: str | None = None
    state: str | None = None
    created_at: datetime
    synced_at: datetime | None = None
    origin: Literal["export", "link"] = Field(
        default="link", description="export: we filed it for the item; link: an existing ticket was linked to it"
    )


class DecisionRequest(Record):
    """A question put to the human outside the client (a decision page, an Apps card), answerable once.

    The code that answers it is never stored, only its sha256; it is bound to the action, the version the human
    is shown, the question's kind and the assistant's proposal.
    """

    id: int
    code_hash: str
    action_id: int
    version: str
    kind: str = Field(description="decide, replan, complete or reopen: the question asked")
    proposal: dict[str, str | None] = Field(description="What the assistant proposed; the form shows it, editable")
    via: str = Field(description="url (URL elicitation), browser (opened by the server) or mcp-app (a card)")
    client: str | None = None
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None = None
    outcome: Literal["decided", "rejected"] | None = None
    decision_id: int | None = None


class Person(Record):
    """Someone reminders can reach: the name owners are written as, other names for them, and their addresses.

    Names and aliases are matched case-insensitively (`person_key`); an owner no name or alias matches is nobody
    we know, and reminders report it rather than guess.
    """

    id: int
    name: str
    email: str | None = None
    slack_id: str | None = Field(default=None, description="Slack member id (U…/W…), for a mention")
    created_at: datetime
    aliases: tuple[str, ...] = ()


def person_key(name: str) -> str:
    """What makes two names the same person: case and runs of whitespace do not count ("Alice" is "alice")."""
    return " ".join(name.casefold().split())
