"""Filing accepted items in the tracker, linking existing tickets, and reading their state back.

Export is idempotent: a ticket already linked to the item in that tracker is reported, not filed again.
Every created ticket is linked in the store right after the tracker confirms it, so a batch that fails
half way keeps the exported half and names the rest. Sync records what people did in the tracker as
their decisions (channel `tracker`): closing a ticket there completes the item (or kills it, when it
was closed as not planned) in the name of the person who closed it, because that was a human act; which
closes count is decided in `closes`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, Literal, NamedTuple

from pydantic import Field

from postmortem_actions.store import (
    ActionState,
    Actor,
    Channel,
    DecisionKind,
    HumanDecision,
    Postmortem,
    Store,
    Ticket,
)
from postmortem_actions.store.errors import (
    IllegalTransition,
    InvalidInput,
    PostmortemActionsError,
    StaleAnswer,
    StoreError,
    TrackerError,
    TrackerRejected,
    TrackerTargetNotFound,
)
from postmortem_actions.store.text import visible
from postmortem_actions.tools.models import Model
from postmortem_actions.tools.trackers.base import RemoteIssue, Sleep, TrackerAdapter, TrackerConfig, TrackerName
from postmortem_actions.tools.trackers.closes import Close, OwnAccount, in_target
from postmortem_actions.tools.trackers.drafts import Refused, refusal, request_for, select_actions


class ExportedTicket(Model):
    """A ticket now linked to an action."""

    action_id: int
    ref: str
    url: str | None
    status: Literal["created", "existing", "linked"] = Field(
        description="created now, already linked before (nothing sent), or an existing ticket linked by URL"
    )
    warnings: list[str] = Field(default_factory=list)


class Failed(Model):
    """An action whose ticket could not be filed or read, and why (nothing was changed for it)."""

    action_id: int
    error: str


class ExportResult(Model):
    """What happened to each selected item."""

    tracker: TrackerName
    exported: list[ExportedTicket]
    refused: list[Refused]
    failed: list[Failed]
    message: str


class SyncChange(Model):
    """A linked ticket read back, and the decision recorded from it, if any."""

    action_id: int
    ref: str
    tracker_state: str
    recorded: Literal["complete", "kill", "none"]
    decided_by: str | None
    note: str


class SyncResult(Model):
    """The linked tickets of one tracker, checked."""

    tracker: TrackerName
    checked: list[SyncChange]
    failed: list[Failed]
    message: str


def _attempt(
    call: Callable[[], RemoteIssue], action_id: int, failed: list[Failed], item_error: type[TrackerError]
) -> tuple[RemoteIssue | None, str | None]:
    """One tracker call for one item: (the issue, None); an `item_error` fails only this item (None, None);
    any other tracker error also stops the batch (None, its reason). Failures are appended to `failed`."""
    try:
        return call(), None
    except TrackerError as exc:
        failed.append(Failed(action_id=action_id, error=str(exc)))
        return None, None if isinstance(exc, item_error) else str(exc)


def connect(config: TrackerConfig, *, transport: Any = None, sleep: Sleep = time.sleep) -> TrackerAdapter:
    """The adapter for a configured tracker (`transport`: an httpx2 transport, for tests and proxies)."""
    if config.tracker == "github":
        from postmortem_actions.tools.trackers.github import connect_github

        return connect_github(config, transport=transport, sleep=sleep)
    if config.tracker == "jira":
        from postmortem_actions.tools.trackers.jira import connect_jira

        return connect_jira(config, transport=transport, sleep=sleep)
    from postmortem_actions.tools.trackers.linear import connect_linear

    return connect_linear(config, transport=transport, sleep=sleep)


def export_tickets(
    store: Store,
    adapter: TrackerAdapter,
    by: Actor,
    *,
    action_ids: list[int] | None = None,
    postmortem_id: int | None = None,
) -> ExportResult:
    """File a ticket for every accepted item among the selected actions that has none in this tracker yet.

    Items that are not accepted are refused before any request is sent. A refused field (400/422) fails
    that item only; bad credentials, a missing target or an unreachable tracker stop the batch, and the
    items not attempted are listed as failed with the reason.

    Raises:
        InvalidInput: neither or both selectors, or too many ids.
        ActionNotFound, PostmortemNotFound: an id names nothing (checked before anything is sent).
    """
    actions = select_actions(store, action_ids=action_ids, postmortem_id=postmortem_id)
    linked_before = {t.action_id: t for t in reversed(store.tickets(tracker=adapter.name))}
    postmortems: dict[int, Postmortem] = {}
    exported: list[ExportedTicket] = []
    refused: list[Refused] = []
    failed: list[Failed] = []
    stopped: str | None = None
    for action in actions:
        reason = refusal(action)
        linked = linked_before.get(action.id)
        if linked is not None:
            exported.append(ExportedTicket(action_id=action.id, ref=linked.ref, url=linked.url, status="existing"))
            continue
        if reason is not None:
            refused.append(Refused(action_id=action.id, reason=reason))
            continue
        if stopped is not None:
            failed.append(Failed(action_id=action.id, error=f"not attempted: {stopped}"))
            continue
        if action.postmortem_id not in postmortems:
            postmortems[action.postmortem_id] = store.get_postmortem(action.postmortem_id)
        request = request_for(action, postmortems[action.postmortem_id])
        remote, stopped = _attempt(partial(adapter.create, request), action.id, failed, TrackerRejected)
        if remote is None:
            continue
        try:
            store.link_ticket(action.id, adapter.name, remote.ref, remote.url, remote.state, by, origin="export")
        except PostmortemActionsError as exc:
            failed.append(
                Failed(
                    action_id=action.id,
                    error=(
                        f"{adapter.name} created {remote.ref} ({remote.url}) but it could not be linked here: {exc}. "
                        "Link it with link_ticket, or close it in the tracker"
                    ),
                )
            )
            continue
        exported.append(
            ExportedTicket(
                action_id=action.id, ref=remote.ref, url=remote.url, status="created", warnings=list(remote.warnings)
            )
        )
    created = sum(e.status == "created" for e in exported)
    message = (
        f"{created} ticket(s) created in {adapter.name}, {len(exported) - created} already linked, "
        f"{len(refused)} refused (not accepted), {len(failed)} failed"
    )
    if failed:
        message += (
            ": the items that failed are unchanged; fix the cause and export them again (done ones are not filed twice)"
        )
    return ExportResult(tracker=adapter.name, exported=exported, refused=refused, failed=failed, message=message + ".")


def link_ticket(store: Store, adapter: TrackerAdapter, by: Actor, action_id: int, url: str) -> ExportResult:
    """Link an existing ticket, named by its URL, to an accepted action (the tracker confirms it exists).

    Raises:
        ActionNotFound: no such action.
        InvalidInput: the URL is not a ticket of this tracker, or the action already has another ticket.
        IllegalTransition: the action is not accepted or done.
        TrackerError: the tracker refused or could not be reached (nothing was linked).
    """
    action = store.get_action(action_id)
    ref = adapter.ref_from_url(url.strip())
    if ref is None or not in_target(adapter, ref):
        raise InvalidInput(
            f"{url!r} is not a {adapter.name} ticket of the configured "
            f"{'repository' if adapter.name == 'github' else 'project or team'} "
            f"{adapter.config.target}; nothing was linked"
        )
    if action.state not in (ActionState.ACCEPTED, ActionState.DONE):
        raise IllegalTransition(
            f"action {action_id} is {action.state}: only accepted items get tickets; nothing was linked"
        )
    remote = adapter.fetch(ref)
    if not in_target(adapter, remote.ref):
        raise InvalidInput(f"{ref} now lives at {remote.ref}, outside {adapter.config.target}; nothing was linked")
    if remote.closed:
        # A closed ticket would complete the item at the next sync although nobody decided that now.
        raise InvalidInput(
            f"{remote.ref} is already closed in {adapter.name}; link an open ticket (or decide the "
            "item with complete_action); nothing was linked"
        )
    ticket, created = store.link_ticket(action_id, adapter.name, remote.ref, remote.url, remote.state, by)
    item = ExportedTicket(
        action_id=action_id, ref=ticket.ref, url=ticket.url, status="linked" if created else "existing"
    )
    return ExportResult(
        tracker=adapter.name,
        exported=[item],
        refused=[],
        failed=[],
        message=f"{ticket.ref} is linked to action {action_id}; sync_tickets reads its state.",
    )


class _Outcome(NamedTuple):
    """What sync did with one ticket it read back."""

    recorded: Literal["complete", "kill", "none"]
    note: str
    keep_state: bool = False  # leave the stored state as it was, so the next sync sees the change again


def sync_tickets(store: Store, adapter: TrackerAdapter, by: Actor) -> SyncResult:
    """Read every linked ticket of this tracker and record what people did there.

    A ticket closed as done completes its accepted item, and one closed as not planned kills it, each as
    a decision by the person the tracker names (channel `tracker`). Nothing is decided, and the change is
    reported for a human to confirm with complete_action or reopen_action, when: the tracker does not name a
    person; the ticket was linked rather than filed for the item, or now lives outside the configured target;
    the closer's name cannot be stored as shown; the close is older than the latest decision here; the closer
    is the account this server uses (looked up once, only when a close needs it; if it cannot be looked up,
    nothing is decided in this run); or a done item's ticket was reopened.

    Bad credentials, an unreachable tracker or a database failure stop the run; the tickets read before stay
    recorded and the rest are listed as not checked. Any other error fails that one ticket only.
    """
    own = OwnAccount(adapter)
    checked: list[SyncChange] = []
    failed: list[Failed] = []
    stopped: str | None = None
    for ticket in store.tickets(tracker=adapter.name):
        if stopped is not None:
            failed.append(Failed(action_id=ticket.action_id, error=f"not checked: {stopped}"))
            continue
        try:
            change, stopped = _sync_one(store, adapter, by, ticket, own, failed)
        except StoreError as exc:
            stopped = str(exc)
            failed.append(
                Failed(
                    action_id=ticket.action_id,
                    error=f"{visible(ticket.ref)}: {exc}; nothing was recorded for it; sync again later",
                )
            )
        except PostmortemActionsError as exc:
            failed.append(
                Failed(
                    action_id=ticket.action_id,
                    error=(
                        f"{visible(ticket.ref)} was skipped: {exc}; nothing was recorded for it, and the other "
                        "tickets were checked"
                    ),
                )
            )
        else:
            checked += [change] if change is not None else []
    decided = sum(c.recorded != "none" for c in checked)
    return SyncResult(
        tracker=adapter.name,
        checked=checked,
        failed=failed,
        message=(
            f"checked {len(checked)} {adapter.name} ticket(s); recorded {decided} decision(s) people made in the "
            f"tracker; {len(failed)} could not be checked. {own.summary()}"
        ),
    )


def _sync_one(
    store: Store, adapter: TrackerAdapter, by: Actor, ticket: Ticket, own: OwnAccount, failed: list[Failed]
) -> tuple[SyncChange | None, str | None]:
    """Read one ticket back and decide what it means: (its change, or None when it could not be read; the reason
    the batch stops, or None).

    Raises:
        PostmortemActionsError: the store refused a read or the decision (nothing was recorded for it).
    """
    action = store.get_action(ticket.action_id)
    remote, stopped = _attempt(partial(adapter.fetch, ticket.ref), action.id, failed, TrackerTargetNotFound)
    if remote is None:
        return None, stopped
    # Only a change seen since the last read is a decision: after a human reopened an item here, the ticket
    # that is still closed there does not complete it again.
    changed = ticket.state != remote.state
    if remote.closed and action.state is ActionState.ACCEPTED and changed:
        outcome = _close(Close(store, adapter, ticket, action, remote), own)
    elif not remote.closed and action.state is ActionState.DONE and changed:
        outcome = _Outcome(
            "none",
            f"reopened in {adapter.name} while the item is done: nothing was recorded; "
            "reopen it with reopen_action if the work is not finished",
        )
    else:
        outcome = _Outcome("none", f"{remote.state} in {adapter.name}; the item is {action.state}")
    if not outcome.keep_state:
        outcome = _save_state(store, ticket, remote, by, outcome)
    change = SyncChange(
        action_id=action.id,
        ref=visible(remote.ref),
        tracker_state=visible(remote.state),
        recorded=outcome.recorded,
        note=visible(outcome.note),
        decided_by=remote.closed_by if outcome.recorded != "none" else None,
    )
    return change, own.failure if own.stops else None


def _close(close: Close, own: OwnAccount) -> _Outcome:
    """Record a close as its closer's decision when it is one (see `Close` and `OwnAccount`), else say why not."""
    note = close.reason_not_recorded()
    if note is not None:
        return _Outcome("none", note)
    note, keep = own.reason_not_recorded(close)
    if note is not None:
        return _Outcome("none", note, keep_state=keep)
    remote, name = close.remote, close.adapter.name
    kind = DecisionKind.KILL if remote.not_planned else DecisionKind.COMPLETE
    killed = kind is DecisionKind.KILL
    # Display names are neither unique nor fixed: the client names the tracker account that closed it.
    decision = HumanDecision(
        kind=kind,
        decided_by=remote.closed_by or "",  # named and storable: checked by the Close
        channel=Channel.TRACKER,
        client=f"{name} {remote.ref}, closed by account {remote.closed_by_id}",
        evidence=None if killed else remote.url,
        reason=f"closed as not planned in {name} ({remote.ref})" if killed else None,
    )
    try:
        close.store.record_decision(close.action.id, decision, expected_version=close.action.version())
    except (StaleAnswer, IllegalTransition) as exc:
        # kept, so the next sync sees the close again and records it then
        return _Outcome(
            "none", f"closed in {name}, but the item changed meanwhile ({exc}); nothing was recorded", keep_state=True
        )
    return _Outcome(
        "kill" if killed else "complete", f"closed in {name} by {remote.closed_by}: recorded as their decision"
    )


def _save_state(store: Store, ticket: Ticket, remote: RemoteIssue, by: Actor, outcome: _Outcome) -> _Outcome:
    """Store the state the tracker reported. When that fails after a decision was recorded, the decision
    stands and the note says so (the next sync reads the ticket again and decides nothing twice).

    Raises:
        PostmortemActionsError: the store refused the write and no decision was recorded.
    """
    try:
        store.set_ticket_state(ticket.id, remote.state, by)
    except PostmortemActionsError as exc:
        if outcome.recorded == "none":
            raise
        return outcome._replace(note=f"{outcome.note}; its tracker state could not be saved here ({exc})")
    return outcome
