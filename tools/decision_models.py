"""What a human is asked about an action, what they answered, who they are and what came of it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from postmortem_actions.store import ActionState, Channel, lifecycle
from postmortem_actions.tools.schema import Model

Kind = Literal[
    "decide", "replan", "complete", "reopen", "kill", "revive"
]  # "decide", or the kind a confirmation is for
Choice = Literal["accept", "kill", "defer"]
Uncommitted = Literal["declined", "cancelled", "not_confirmed", "awaiting_human"]  # outcomes that recorded nothing


class Question(Model):
    """What a human is asked about one action. Deterministic from the stored state and the arguments."""

    kind: Kind
    action_id: int
    version: str = Field(description="Action.version() when asked; the answer applies only to this version")
    message: str
    owner: str = ""
    due: date | None = None
    reason: str = ""
    evidence: str = ""
    known_people: str = Field(default="", description="The people table's names, offered for the owner (free text)")


class Answer(Model):
    """A human's answer, as it came back through their channel."""

    choice: Choice | Literal["confirm", "reject"]
    item_version: str
    owner: str = ""
    due: date | None = None
    reason: str = ""
    evidence: str = ""
    revisit_on: date | None = None  # a defer's date to look at the item again


class Decider(Model):
    """Who answered, and through which channel and client."""

    name: str
    channel: Channel
    client: str | None = None


class DecisionOutcome(Model):
    """What the human decided, and what the store now holds. `committed` is False when nothing was recorded."""

    action_id: int
    committed: bool
    outcome: lifecycle.Past | Uncommitted
    decision_id: int | None = None
    decided_by: str | None = None
    channel: Channel | None = None
    state: ActionState
    owner: str | None = None
    due: date | None = None
    message: str
