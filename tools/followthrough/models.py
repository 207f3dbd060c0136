"""What the review's questions return: items with their dates and status, pages, the agenda, summaries and the
follow-through report. Plain data; `review.py` computes them, `markdown.py` writes them for people."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from postmortem_actions.store.followthrough import AgendaSection, Change, GroupBy
from postmortem_actions.tools.schema import Model

Audience = Literal["engineering", "leadership"]


class ReviewItem(Model):
    """An action as the review discusses it."""

    action_id: int
    postmortem_id: int
    postmortem_title: str
    text: str
    category: str
    state: str
    owner: str | None = None
    due: date | None = None
    days_overdue: int | None = Field(default=None, description="Whole days past due on as_of (accepted items)")
    age_days: int | None = Field(default=None, description="Days since it was recorded (undecided candidates)")
    days_since_report: int | None = None
    work_status: str | None = None
    status_note: str | None = None
    ticket: str | None = None
    prompt: str | None = Field(default=None, description="What to ask about it in the meeting")
    deferred: bool = Field(default=False, description="An undecided candidate a human deferred (its latest decision)")
    revisit_on: date | None = Field(default=None, description="A deferred candidate's date to look at it again")
    defer_note: str | None = Field(default=None, description="What the human said when deferring it")


class OverduePage(Model):
    """Accepted items past their due date on `as_of`, most overdue first, with the exact total."""

    as_of: date
    items: list[ReviewItem]
    total: int
    limit: int
    offset: int
    next_offset: int | None


class AgendaPart(Model):
    """One section of the review agenda; `total` is exact, `items` may be cut to the section size."""

    key: AgendaSection
    title: str
    total: int
    items: list[ReviewItem]
    total_is_floor: bool = Field(default=False, description="The board counted no further: there are more")


class Agenda(Model):
    """The review meeting's agenda, in the order it is discussed."""

    as_of: date
    sections: list[AgendaPart]
    markdown: str


class StatusSummary(Model):
    """A status summary's facts and a Markdown draft of them; the assistant may polish the wording only."""

    as_of: date
    since: date
    until: date
    postmortem_id: int | None
    audience: Audience
    counts: dict[str, int]
    open_total: int
    overdue_total: int = Field(
        description="Open items past their due date on as_of (exact, even when open_items is cut)"
    )
    open_items: list[ReviewItem]
    changes_total: int
    changes: list[Change]
    markdown: str


class GroupFigures(Model):
    """Follow-through of one group. Killed items are counted but never in the completion denominator."""

    key: str
    accepted: int
    done: int
    done_on_time: int
    killed: int
    open: int
    overdue: int
    completion_rate: float | None = Field(description="done on time ÷ accepted; null when nothing was accepted")
    median_days_to_done: float | None
    aging: dict[str, int] = Field(description="Open items by days since accepted: 0-30, 31-60, 61-90, 90+")
    categories: dict[str, int] = Field(description="Committed items (accepted or done) per category; killed excluded")


class MonthFigures(Model):
    """Items accepted in one month and what became of them."""

    month: str
    accepted: int
    done: int
    on_time: int


class FollowthroughReport(Model):
    """The completion audit: per group and in total, with the warnings a lead should read."""

    as_of: date
    since: date | None
    until: date | None
    group_by: GroupBy
    groups: list[GroupFigures]
    total: GroupFigures
    by_month: list[MonthFigures]
    warnings: list[str] = Field(description="What a lead should read first: who is overdue, what is blocked, ...")
    overdue_total: int = Field(default=0, description="Items overdue on as_of, all postmortems (exact)")
    overdue_items: list[ReviewItem] = Field(default_factory=list, description="The most overdue first (at most 20)")
    blocked_total: int = Field(default=0, description="Accepted items reported blocked (exact)")
    blocked_items: list[ReviewItem] = Field(default_factory=list, description="At most 20")
    undecided_total: int = Field(default=0, description="Candidates awaiting a human decision (exact)")
    undecided_items: list[ReviewItem] = Field(default_factory=list, description="The oldest first (at most 20)")
    markdown: str
