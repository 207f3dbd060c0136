"""The reminder planner: who hears about what on `as_of`, through which channel, given what was already delivered.

Pure over the store: it reads items, people and the delivery record and returns the messages a run would send;
nothing here sends, records or changes an owner, a date or a state. Each reminder has a cadence (issue 14):

- due soon: once at each of the policy's days-before-due marks (a re-planned date starts over);
- overdue: at most every `overdue_every` days while the item stays past its current due date;
- stale (no status report for `stale_after` days): at most every `stale_after` days until someone reports;
- a postmortem's candidates undecided for `undecided_after` days, to its lead: at most every `undecided_after` days;
- the team digest: once per week from its weekday (or daily), caught up on the next run when a run was missed.

An item appears once per message, under its most pressing reason (overdue, then due soon, then stale). A
reminder counts as delivered per channel: a channel that failed yesterday tries again while the others stay quiet.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final

from postmortem_actions.store import Person, Store
from postmortem_actions.store.followthrough import ReviewRow
from postmortem_actions.store.records import person_key
from postmortem_actions.store.reminders import Delivery
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
    UndecidedPostmortem,
    Unreachable,
)
from postmortem_actions.tools.nudges.policy import WEEKDAYS, ChannelName, Policy
from postmortem_actions.tools.people import Directory

PERSONAL: Final[tuple[ChannelName, ...]] = ("slack", "webhook", "email")
TEAM: Final = "team"
_RANK: Final = {kind: n for n, kind in enumerate(KINDS)}
_LISTED_IDS: Final = 20
_NONE: Final[dict[int | None, str]] = {}


# A reminder that applies today, as a plain tuple (a run classifies hundreds of thousands, and tuples sort in C):
# (rank of its kind, what orders it within the kind, action id, kind, since, after). A delivery covers it when it was
# made on a day >= since and, when `after` is set, > after.
Nudge = tuple[int, str, int, NudgeKind, str, str | None]


@dataclass(frozen=True)
class Outgoing:
    """A message ready to send, the person it goes to (None for the team) and the reminders it covers."""

    message: Message
    person: Person | None
    nudges: tuple[Nudge, ...]
    as_of: date

    def deliveries(self) -> list[Delivery]:
        """What to record once the message went out: each item it covers, or the digest."""
        day, m = self.as_of.isoformat(), self.message
        if m.digest is not None:
            return [Delivery("digest", None, "team_digest", m.channel, m.recipient, day)]
        if m.audience == "lead":
            return [Delivery("postmortem", None, n[3], m.channel, m.recipient, day, n[2]) for n in self.nudges]
        return [Delivery("item", n[2], n[3], m.channel, m.recipient, day) for n in self.nudges]


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
        # The first day a delivery of each kind can count from (a due-soon mark's day is never earlier than this).
        self.counts_from: dict[str, str] = {
            "overdue": self.overdue_since,
            "due_soon": _day(as_of - timedelta(days=self.marks[-1])),
            "stale": self.stale_since,
            "undecided": self.undecided_since,
            "team_digest": _day(_period_start(policy, as_of)),
        }
        self.directory = Directory.load(store)
        self.channels = policy.channels.names
        self.unreachable: list[Unreachable] = []
        self.undecided: dict[int, tuple[int, str]] = {}  # postmortem id -> (candidates, oldest created_at)
        self._people: dict[str, Person | None] = {}

    def person(self, name: str) -> Person | None:
        if name not in self._people:  # by the name as written: a few hundred distinct names for many items
            self._people[name] = self.directory.find(name)
        return self._people[name]

    def owner_nudge(self, action_id: int, due: str, last_report: str | None) -> Nudge | None:
        if due < self.today:
            return (0, due, action_id, "overdue", self.overdue_since, due)
        if due <= self.soon:
            day = date.fromisoformat(due)
            mark = next(m for m in self.marks if (day - self.as_of).days <= m)
            return (1, due, action_id, "due_soon", _day(day - timedelta(days=mark)), None)
        if last_report is not None and last_report < self.stale_before:
            return (2, last_report, action_id, "stale", self.stale_since, last_report[:10])
        return None

    def personal_channels(self, person: Person) -> list[ChannelName]:
        addressed = {"slack": bool(person.slack_id), "webhook": True, "email": bool(person.email), "stdout": True}
        return [c for c in self.channels if addressed[c]]

    def cannot_reach(self, name: str, role: Audience, why: str, nudges: Sequence[Nudge]) -> None:
        listed = sorted(n[2] for n in nudges)
        if role == "lead":  # a lead's nudges are about postmortems: count their candidates
            total = sum(self.undecided[pm][0] for pm in listed)
            entry = Unreachable(name=name, role="lead", why=why, total=total, postmortem_ids=listed[:_LISTED_IDS])
        else:
            entry = Unreachable(name=name, role="owner", why=why, total=len(listed), action_ids=listed[:_LISTED_IDS])
        self.unreachable.append(entry)

    def drafts(self, audience: Audience, by_name: dict[str, list[Nudge]]) -> list[_Draft]:
        """Group nudges by the person each name means; report the names that mean nobody reachable."""
        drafts: dict[int, _Draft] = {}
        unknown: dict[str, tuple[str, list[Nudge]]] = {}
        for name, nudges in by_name.items():
            person = self.person(name)
            if person is None:
                unknown.setdefault(person_key(name), (name, []))[1].extend(nudges)
                continue
            drafts.setdefault(person.id, _Draft(audience, person)).nudges.extend(nudges)
        for written, nudges in unknown.values():
            self.cannot_reach(written, audience, "no one in the people table has this name or alias", nudges)
        configured = [c for c in self.channels if c in PERSONAL]
        for draft in drafts.values():
            if configured and not set(self.personal_channels(draft.person)) & set(PERSONAL):
                why = f"{draft.person.name} has no address for the configured channels ({', '.join(configured)})"
                self.cannot_reach(draft.person.name, audience, why, draft.nudges)
        return sorted(drafts.values(), key=lambda d: d.person.name.casefold())


def _owner_nudges(run: _Run) -> dict[str, list[Nudge]]:
    by_owner: dict[str, list[Nudge]] = {}
    classify = run.owner_nudge
    for action_id, owner, due, last_report, _ in run.store.open_items_to_remind(
        soon=run.soon, stale_before=run.stale_before
    ):
        nudge = classify(action_id, due, last_report)
        if nudge is not None:
            by_owner.setdefault(owner, []).append(nudge)
    return by_owner


def _adder(created_by: str, via: str | None) -> str:
    """Who added a postmortem: its creator, or for one the assistant added, the person it acted for."""
    if created_by == "assistant" and via and " for " in via:
        return via.rpartition(" for ")[2]
    return created_by


def _lead_nudges(run: _Run) -> dict[str, list[Nudge]]:
    """Per lead, one nudge per postmortem with candidates undecided past the threshold (its cadence is the
    postmortem's: a lead triages a postmortem, `postmortem-actions triage ID`, not one candidate at a time)."""
    rows = run.store.undecided_to_remind(created_before=run.undecided_before, as_of=run.today)
    run.undecided = {pm: (n, oldest) for pm, n, oldest in rows}
    postmortems = sorted(set(run.undecided) - set(run.policy.leads))
    adders = run.store.postmortem_adders(postmortems)
    leads = {pm: _adder(*adders[pm]) for pm in postmortems if pm in adders}
    leads.update(run.policy.leads)
    by_lead: dict[str, list[Nudge]] = {}
    for postmortem_id, (_, oldest) in run.undecided.items():
        nudge: Nudge = (3, oldest, postmortem_id, "undecided", run.undecided_since, None)
        by_lead.setdefault(leads[postmortem_id], []).append(nudge)
    return by_lead


def _item(run: _Run, nudge: Nudge, details: dict[int, ReviewRow]) -> NudgeItem | None:
    row = details.get(nudge[2])
    if row is None:  # gone since it was classified (a deleted candidate): nothing to say about it
        return None
    kind = nudge[3]
    reported = row.status_at or row.accepted_at
    return NudgeItem(
        action_id=row.id,
        kind=kind,
        text=row.text,
        postmortem_id=row.postmortem_id,
        postmortem_title=row.postmortem_title,
        owner=row.owner,
        due=row.due,
        days_left=(row.due - run.as_of).days if kind == "due_soon" and row.due else None,
        days_late=(run.as_of - row.due).days if kind == "overdue" and row.due else None,
        days_since_report=(run.as_of - reported.date()).days if reported and row.state == "accepted" else None,
        days_undecided=(run.as_of - row.created_at.date()).days if kind == "undecided" else None,
        work_status=row.work_status,
        status_note=row.status_note,
        ticket=row.ticket,
        link=run.policy.link(row.id),
    )


def _personal(run: _Run, drafts: list[_Draft]) -> list[tuple[_Draft, ChannelName, list[Nudge]]]:
    """Each person's nudges not yet delivered through each of their channels, most pressing first."""
    asked: list[tuple[_Draft, ChannelName, list[Nudge], set[NudgeKind]]] = []
    for draft in drafts:
        ordered = sorted(draft.nudges)  # (rank, order, id, ...): most pressing first, oldest first within a kind
        kinds = {n[3] for n in ordered}
        asked += [(draft, channel, ordered, kinds) for channel in run.personal_channels(draft.person)]
    last = run.store.last_delivered(
        (channel, draft.person.name, kind, run.counts_from[kind])
        for draft, channel, _, kinds in asked
        for kind in sorted(kinds)
    )
    out: list[tuple[_Draft, ChannelName, list[Nudge]]] = []
    for draft, channel, ordered, kinds in asked:
        sent = {kind: days for kind in kinds if (days := last.get((channel, draft.person.name, kind)))}
        # Not yet covered (see Nudge), written out: this runs per reminder, hundreds of thousands of times at scale.
        due = (
            [
                n
                for n in ordered
                if (day := sent.get(n[3], _NONE).get(n[2])) is None or day < n[4] or (n[5] is not None and day <= n[5])
            ]
            if sent
            else ordered
        )
        if due:
            out.append((draft, channel, due))
    return out


def _messages(run: _Run, pending: list[tuple[_Draft, ChannelName, list[Nudge]]]) -> list[Outgoing]:
    limit = run.policy.cadence.max_items
    shown = {n[2] for draft, _, nudges in pending if draft.audience == "owner" for n in nudges[:limit]}
    details = run.store.review_rows(sorted(shown))
    titles = run.store.postmortem_titles(
        sorted({n[2] for draft, _, nudges in pending if draft.audience == "lead" for n in nudges[:limit]})
    )
    made: dict[tuple[int, str], NudgeItem | None] = {}  # the same item through several channels: built once
    outgoing: list[Outgoing] = []
    for draft, channel, nudges in pending:
        items: list[NudgeItem] = []
        postmortems: list[UndecidedPostmortem] = []
        if draft.audience == "lead":
            total = sum(run.undecided[n[2]][0] for n in nudges)
            counts = {"undecided": total}
            postmortems = [_postmortem(run, n, titles) for n in nudges[:limit]]
        else:
            ranks = [n[0] for n in nudges]  # sorted: each kind's count is where its rank ends minus where it starts
            counts = {k: c for r, k in enumerate(KINDS) if (c := bisect_right(ranks, r) - bisect_left(ranks, r))}
            total = len(nudges)
            for n in nudges[:limit]:
                if (n[2], n[3]) not in made:
                    made[n[2], n[3]] = _item(run, n, details)
                if (item := made[n[2], n[3]]) is not None:
                    items.append(item)
        message = Message(
            audience=draft.audience,
            recipient=draft.person.name,
            channel=channel,
            subject=subject_for(draft.audience, counts),
            total=total,
            counts=counts,
            items=items,
            postmortems=postmortems,
        )
        outgoing.append(Outgoing(message, draft.person, tuple(nudges), run.as_of))
    return outgoing


def _postmortem(run: _Run, nudge: Nudge, titles: dict[int, str]) -> UndecidedPostmortem:
    candidates, oldest = run.undecided[nudge[2]]
    return UndecidedPostmortem(
        postmortem_id=nudge[2],
        title=titles.get(nudge[2], "(deleted)"),
        candidates=candidates,
        oldest_days=(run.as_of - date.fromisoformat(oldest[:10])).days,
    )


def _period_start(policy: Policy, as_of: date) -> date:
    day = policy.cadence.team_digest_day
    if day == "daily":
        return as_of
    return as_of - timedelta(days=(as_of.weekday() - WEEKDAYS.index(day)) % 7)


def _team(run: _Run) -> list[Outgoing]:
    channels = [c for c in run.channels if c != "email" or run.policy.channels.team_email]
    since = run.counts_from["team_digest"]
    last = run.store.last_delivered((c, TEAM, "team_digest", since) for c in channels)
    due = [c for c in channels if (c, TEAM, "team_digest") not in last]
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
            (),
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
