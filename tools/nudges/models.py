"""What a reminder run plans and what it delivered: plain data. `planner.py` computes the plan, the channel modules
render a message, `deliver.py` sends it and records what went out."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from postmortem_actions.tools.followthrough.models import ReviewItem
from postmortem_actions.tools.nudges.policy import ChannelName
from postmortem_actions.tools.schema import Model

NudgeKind = Literal["overdue", "due_soon", "stale", "undecided"]
Audience = Literal["owner", "lead", "team"]
Only = Literal["owners", "team", "leads"]
KINDS: tuple[NudgeKind, ...] = ("overdue", "due_soon", "stale", "undecided")


class NudgeItem(Model):
    """One item a message is about, with what its recipient needs to act on it."""

    action_id: int
    kind: NudgeKind
    text: str
    postmortem_id: int
    postmortem_title: str
    owner: str | None = None
    due: date | None = None
    days_left: int | None = Field(default=None, description="Days until due (0: due today); due_soon")
    days_late: int | None = Field(default=None, description="Days past due; overdue")
    days_since_report: int | None = Field(default=None, description="Days since the last status report or accept")
    days_undecided: int | None = Field(default=None, description="Days since the candidate was recorded")
    work_status: str | None = None
    status_note: str | None = None
    ticket: str | None = None
    link: str | None = Field(default=None, description="The item's page, from the policy's item_url")


class UndecidedPostmortem(Model):
    """A postmortem whose candidates wait for a decision, as its lead hears about it."""

    postmortem_id: int
    title: str
    candidates: int = Field(description="Candidates undecided past the policy's threshold")
    oldest_days: int = Field(description="Days since the oldest of them was recorded")


class Unreachable(Model):
    """An owner or lead reminders cannot reach personally, and why; their items are counted, never guessed at."""

    name: str = Field(description="The name as written on the items")
    role: Literal["owner", "lead"]
    why: str
    total: int = Field(description="Items (a lead: undecided candidates) they would hear about")
    action_ids: list[int] = Field(default_factory=list, description="An owner's: the first 20 of the items")
    postmortem_ids: list[int] = Field(default_factory=list, description="A lead's: the first 20 postmortems")


class TeamDigest(Model):
    """The team's digest: the review agenda's counts, its overdue and blocked lists, and who we cannot reach."""

    counts: dict[str, int] = Field(description="Each agenda section's exact total")
    overdue: list[ReviewItem]
    blocked: list[ReviewItem]
    unreachable: list[Unreachable]


class Message(Model):
    """One message to one recipient through one channel. `total` and `counts` cover every item it is about;
    `items` lists the first of them (the policy's max_items). The team digest lists no items of its own: its
    `counts` are the agenda's sections and its `total` is overdue plus blocked (the lists it carries)."""

    audience: Audience
    recipient: str = Field(description="The person's name as the people table has it, or 'team'")
    channel: ChannelName
    subject: str
    total: int
    counts: dict[str, int]
    items: list[NudgeItem]
    postmortems: list[UndecidedPostmortem] = Field(default_factory=list, description="A lead's, oldest first")
    digest: TeamDigest | None = None


class ReminderPlan(Model):
    """Who would be nudged on `as_of`, about what, through which channels. Reading it sends and records nothing."""

    as_of: date
    quiet: str | None = Field(description="Why nothing goes out on as_of (a quiet weekday or date), else null")
    only: Only | None = None
    channels: list[ChannelName] = Field(description="The configured channels (never their URLs)")
    messages: list[Message]
    unreachable: list[Unreachable] = Field(description="Owners we cannot reach")
    markdown: str


class Failure(Model):
    """A message that was not delivered (and so not recorded: the next run tries it again)."""

    channel: ChannelName
    recipient: str
    error: str


class DeliveryReport(Model):
    """What one reminder run did: sent and recorded, failed, and who could not be reached."""

    as_of: date
    quiet: str | None
    sent: int
    recorded: int
    by_channel: dict[str, int]
    failures: list[Failure]
    unreachable: list[Unreachable]
