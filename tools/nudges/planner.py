"""The reminder planner: who hears about what on `as_of`, through which channel, given what was already delivered.

Pure over the store: it reads items, people and the delivery record and returns the messages a run would send;
nothing here sends, records or changes an owner, a date or a state. Each reminder has a cadence (issue 14):

- due soon: once at each of the policy's days-before-due marks (a re-planned date starts over);
- overdue: at most every `overdue_every` days while the item stays past its current due date;
- stale (no status report for `stale_after` days): at most every `stale_after` days until someone reports;
- undecided candidates, to the postmortem's lead: at most every `undecided_after` days;
- the team digest: once per week from its weekday (or daily), caught up on the next run when a run was missed.

An item appears once per message, under its most pressing reason (overdue, then due soon, then stale). A
reminder counts as delivered per channel: a channel that failed yesterday tries again while the others stay quiet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final

from postmortem_actions.store import Person, Store
from postmortem_actions.store.followthrough import ReviewRow
from postmortem_actions.store.records import person_key
from postmortem_actions.store.reminders import Delivery, DeliveryKey
from postmortem_actions.tools.days import check_day
from postmortem_actions.tools.followthrough.review import review_agenda
from postmortem_actions.tools.nudges.markdown import plan_markdown, subject_for
from postmortem_actions.tools.nudges.models import (
    KINDS,
    Audience,
    Message,
    NudgeItem,
    NudgeKind,
    Only,
    ReminderPlan,
    TeamDigest,
    Unreachable,
)
from postmortem_actions.tools.nudges.policy import WEEKDAYS, ChannelName, Policy
from postmortem_actions.tools.people import Directory

PERSONAL: Final[tuple[ChannelName, ...]] = ("slack", "webhook", "email")
TEAM: Final = "team"
_RANK: Final = {kind: n for n, kind in enumerate(KINDS)}
_LISTED_IDS: Final = 20


@dataclass(frozen=True)
class Nudge:
    """A reminder that applies today; `since` / `after`: a delivery counts only on a day >= since and > after."""

    action_id: int
    kind: NudgeKind
    order: str  # sorts the items of a message within their kind
    since: str
    after: str | None = None

    def delivered(self, last: str | None) -> bool:
        """Whether a delivery on day `last` (or none) already covers this reminder."""
        return last is not None and last >= self.since and (self.after is None or last > self.after)


@dataclass(frozen=True)
class Outgoing:
    """A message ready to send, the person it goes to (None for the team) and what to record once it went out."""

    message: Message
    person: Person | None
    deliveries: tuple[Delivery, ...]
    as_of: date


@dataclass(frozen=True)
class Planned:
    """A run's plan (what the preview shows) and the messages to send."""

    plan: ReminderPlan
    outgoing: tuple[Outgoing, ...] = ()


@dataclass
class _Draft:
    audience: Audience
    person: Person
    nudges: list[Nudge] = field(default_factory=list)


def _day(value: date) -> str:
    return value.isoformat()


def _stamp(value: date) -> str:
    return datetime.combine(value, time.min).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


class _Run:
    """One planning pass: the policy's windows as strings, the directory, the deliveries already made."""

    def __init__(self, store: Store, policy: Policy, as_of: date) -> None:
        self.store, self.policy, self.as_of = store, policy, as_of
        cadence = policy.cadence
        self.marks = sorted(cadence.days_before_due)  # e.g. [1, 7]
        self.today = _day(as_of)
        self.soon = _day(as_of + timedelta(days=self.marks[-1]))
        self.overdue_since = _day(as_of - timedelta(days=cadence.overdue_every - 1))
        self.stale_before = _stamp(as_of - timedelta(days=cadence.stale_after))
        self.stale_since = _day(as_of - timedelta(days=cadence.stale_after - 1))
        self.undecided_before = _stamp(as_of - timedelta(days=cadence.undecided_after))
        self.undecided_since = _day(as_of - timedelta(days=cadence.undecided_after - 1))
        reach = max(self.marks[-1], cadence.overdue_every, cadence.stale_after, cadence.undecided_after, 7)
        self.sent: dict[DeliveryKey, str] = store.delivered_since(_day(as_of - timedelta(days=reach)))
        self.directory = Directory.load(store)
        self.channels = policy.channels.names
        self.unreachable: list[Unreachable] = []
        self._people: dict[str, Person | None] = {}

    def person(self, name: str) -> Person | None:
        key = person_key(name)
        if key not in self._people:
            self._people[key] = self.directory.find(name)
        return self._people[key]

    def owner_nudge(self, action_id: int, due: str, last_report: str | None) -> Nudge | None:
        if due < self.today:
            return Nudge(action_id, "overdue", due, self.overdue_since, after=due)
        if due <= self.soon:
            left = (date.fromisoformat(due) - self.as_of).days
            mark = next(m for m in self.marks if left <= m)
            return Nudge(action_id, "due_soon", due, _day(date.fromisoformat(due) - timedelta(days=mark)))
        if last_report is not None and last_report < self.stale_before:
            return Nudge(action_id, "stale", last_report, self.stale_since, after=last_report[:10])
        return None

    def personal_channels(self, person: Person) -> list[ChannelName]:
        addressed = {"slack": bool(person.slack_id), "webhook": True, "email": bool(person.email), "stdout": True}
        return [c for c in self.channels if addressed[c]]

    def cannot_reach(self, name: str, role: Audience, why: str, ids: Sequence[int]) -> None:
        listed = sorted(ids)
        self.unreachable.append(
            Unreachable(
                name=name,
                role="lead" if role == "lead" else "owner",
                why=why,
                total=len(listed),
                action_ids=listed[:_LISTED_IDS],
            )
        )

    def drafts(self, audience: Audience, by_name: dict[str, list[Nudge]]) -> list[_Draft]:
        """Group nudges by the person each name means; report the names that mean nobody reachable."""
        drafts: dict[int, _Draft] = {}
        unknown: dict[str, tuple[str, list[int]]] = {}
        for name, nudges in by_name.items():
            person = self.person(name)
            if person is None:
                written, ids = unknown.setdefault(person_key(name), (name, []))
                ids.extend(n.action_id for n in nudges)
                continue
            drafts.setdefault(person.id, _Draft(audience, person)).nudges.extend(nudges)
        for written, ids in unknown.values():
            self.cannot_reach(written, audience, "no one in the people table has this name or alias", ids)
        configured = [c for c in self.channels if c in PERSONAL]
        for draft in drafts.values():
            if configured and not set(self.personal_channels(draft.person)) & set(PERSONAL):
                why = f"{draft.person.name} has no address for the configured channels ({', '.join(configured)})"
                self.cannot_reach(draft.person.name, audience, why, [n.action_id for n in draft.nudges])
        return sorted(drafts.values(), key=lambda d: d.person.name.casefold())


def _owner_nudges(run: _Run) -> dict[str, list[Nudge]]:
    by_owner: dict[str, list[Nudge]] = {}
    for item in run.store.open_items_to_remind(soon=run.soon, stale_before=run.stale_before):
        nudge = run.owner_nudge(item.id, item.due, item.last_report)
        if nudge is not None:
            by_owner.setdefault(item.owner, []).append(nudge)
    return by_owner


def _adder(created_by: str, via: str | None) -> str:
    """Who added a postmortem: its creator, or for one the assistant added, the person it acted for."""
    if created_by == "assistant" and via and " for " in via:
        return via.rpartition(" for ")[2]
    return created_by


def _lead_nudges(run: _Run) -> dict[str, list[Nudge]]:
    rows = run.store.undecided_to_remind(created_before=run.undecided_before, as_of=run.today)
    postmortems = sorted({r.postmortem_id for r in rows} - set(run.policy.leads))
    adders = run.store.postmortem_adders(postmortems)
    leads = {pm: _adder(*adders[pm]) for pm in postmortems if pm in adders}
    leads.update(run.policy.leads)
    by_lead: dict[str, list[Nudge]] = {}
    for row in rows:
        nudge = Nudge(row.id, "undecided", row.created_at, run.undecided_since)
        by_lead.setdefault(leads[row.postmortem_id], []).append(nudge)
    return by_lead


def _item(run: _Run, nudge: Nudge, details: dict[int, ReviewRow]) -> NudgeItem | None:
    row = details.get(nudge.action_id)
    if row is None:  # gone since it was classified (a deleted candidate): nothing to say about it
        return None
    reported = row.status_at or row.accepted_at
    return NudgeItem(
        action_id=row.id,
        kind=nudge.kind,
        text=row.text,
        postmortem_id=row.postmortem_id,
        postmortem_title=row.postmortem_title,
        owner=row.owner,
        due=row.due,
        days_left=(row.due - run.as_of).days if nudge.kind == "due_soon" and row.due else None,
        days_late=(run.as_of - row.due).days if nudge.kind == "overdue" and row.due else None,
        days_since_report=(run.as_of - reported.date()).days if reported and row.state == "accepted" else None,
        days_undecided=(run.as_of - row.created_at.date()).days if nudge.kind == "undecided" else None,
        work_status=row.work_status,
        status_note=row.status_note,
        ticket=row.ticket,
        link=run.policy.link(row.id),
    )


def _personal(run: _Run, drafts: list[_Draft]) -> list[tuple[_Draft, ChannelName, list[Nudge]]]:
    """Each person's nudges not yet delivered through each of their channels, most pressing first."""
    out: list[tuple[_Draft, ChannelName, list[Nudge]]] = []
    for draft in drafts:
        ordered = sorted(draft.nudges, key=lambda n: (_RANK[n.kind], n.order, n.action_id))
        for channel in run.personal_channels(draft.person):
            name = draft.person.name
            due = [n for n in ordered if not n.delivered(run.sent.get((n.action_id, n.kind, channel, name)))]
            if due:
                out.append((draft, channel, due))
    return out


def _messages(run: _Run, pending: list[tuple[_Draft, ChannelName, list[Nudge]]]) -> list[Outgoing]:
    limit = run.policy.cadence.max_items
    shown = sorted({n.action_id for _, _, nudges in pending for n in nudges[:limit]})
    details = run.store.review_rows(shown)
    outgoing: list[Outgoing] = []
    for draft, channel, nudges in pending:
        counts: dict[str, int] = {kind: 0 for kind in KINDS if any(n.kind == kind for n in nudges)}
        for n in nudges:
            counts[n.kind] += 1
        items = [i for n in nudges[:limit] if (i := _item(run, n, details)) is not None]
        message = Message(
            audience=draft.audience,
            recipient=draft.person.name,
            channel=channel,
            subject=subject_for(draft.audience, counts),
            total=len(nudges),
            counts=counts,
            items=items,
        )
        record = tuple(Delivery("item", n.action_id, n.kind, channel, draft.person.name, run.today) for n in nudges)
        outgoing.append(Outgoing(message, draft.person, record, run.as_of))
    return outgoing


def _period_start(policy: Policy, as_of: date) -> date:
    day = policy.cadence.team_digest_day
    if day == "daily":
        return as_of
    return as_of - timedelta(days=(as_of.weekday() - WEEKDAYS.index(day)) % 7)


def _team(run: _Run) -> list[Outgoing]:
    since = _day(_period_start(run.policy, run.as_of))
    channels = [c for c in run.channels if c != "email" or run.policy.channels.team_email]
    due = [c for c in channels if run.sent.get((None, "team_digest", c, TEAM), "") < since]
    if not due:
        return []
    agenda = review_agenda(run.store, as_of=run.as_of, per_section=run.policy.cadence.max_items)
    parts = {part.key: part for part in agenda.sections}
    digest = TeamDigest(
        counts={part.key: part.total for part in agenda.sections},
        overdue=parts["overdue"].items,
        blocked=parts["blocked"].items,
        unreachable=run.unreachable,
    )
    counts = {"overdue": parts["overdue"].total, "blocked": parts["blocked"].total}
    return [
        Outgoing(
            Message(
                audience="team",
                recipient=TEAM,
                channel=channel,
                subject=subject_for("team", counts),
                total=counts["overdue"] + counts["blocked"],
                counts=digest.counts,
                items=[],
                digest=digest,
            ),
            None,
            (Delivery("digest", None, "team_digest", channel, TEAM, run.today),),
            run.as_of,
        )
        for channel in due
    ]


def plan_reminders(store: Store, policy: Policy, *, as_of: date, only: Only | None = None) -> Planned:
    """Every message a reminder run on `as_of` would send, and the owners and leads it cannot reach.

    Raises:
        InvalidInput: `as_of` is outside the supported range.
    """
    check_day("as_of", as_of)
    quiet = policy.cadence.quiet(as_of)
    channels = list(policy.channels.names)
    if quiet is not None:
        empty = ReminderPlan(
            as_of=as_of, quiet=quiet, only=only, channels=channels, messages=[], unreachable=[], markdown=""
        )
        return Planned(empty.model_copy(update={"markdown": plan_markdown(empty, policy)}))
    run = _Run(store, policy, as_of)
    # Both are drafted whatever `only` says: the team digest and the report name everyone we cannot reach.
    owners = run.drafts("owner", _owner_nudges(run))
    leads = run.drafts("lead", _lead_nudges(run))
    pending = (_personal(run, owners) if only in (None, "owners") else []) + (
        _personal(run, leads) if only in (None, "leads") else []
    )
    outgoing = _messages(run, pending)
    if only in (None, "team"):
        outgoing += _team(run)
    plan = ReminderPlan(
        as_of=as_of,
        quiet=None,
        only=only,
        channels=channels,
        messages=[o.message for o in outgoing],
        unreachable=run.unreachable,
        markdown="",
    )
    return Planned(plan.model_copy(update={"markdown": plan_markdown(plan, policy)}), tuple(outgoing))
