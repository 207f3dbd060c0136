"""What callers hand the store to write or to filter by. Validated already by the operations layer."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from .records import ActionState, Category, Channel, DecisionKind, Size


class Input(BaseModel):
    """Base of store inputs: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Actor(Input):
    """Who or what makes a non-decision change: e.g. actor 'assistant' via 'mcp:claude-code/1.0 for alice'."""

    actor: str
    via: str


class NewPostmortem(Input):
    """A postmortem to store."""

    title: str
    source: str
    text: str
    sha256: str
    severity: str | None = None
    incident_date: date | None = None


class NewAction(Input):
    """A candidate action to store; its quote offsets were located in the postmortem's text."""

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


class HumanDecision(Input):
    """A decision exactly as a human gave it, and through which channel and client it arrived."""

    kind: DecisionKind
    owner: str | None = None
    due: date | None = None
    reason: str | None = None
    evidence: str | None = None
    decided_by: str
    channel: Channel
    client: str | None = None


class ActionFilter(Input):
    """Filters for listing actions; every given filter must hold."""

    postmortem_id: int | None = None
    state: ActionState | None = None
    owner: str | None = None
    category: Category | None = None
    due_before: date | None = None
    due_after: date | None = None
