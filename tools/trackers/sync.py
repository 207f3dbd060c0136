"""Reading linked tickets back, and recording what people did in the tracker as their decisions.

Sync records a close as a decision (channel `tracker`): closing a ticket there completes the item (or kills it,
when it was closed as not planned) in the name of the person who closed it, because that was a human act; which
closes count is decided in `closes`. One ticket's failure never stops the others; bad credentials or an
unreachable tracker stop the run, and the tickets read before stay recorded.
"""

from __future__ import annotations

from functools import partial
from typing import Literal, NamedTuple

from postmortem_actions.store import ActionState, Actor, Channel, DecisionKind, HumanDecision, Store, Ticket
from postmortem_actions.store.errors import IllegalTransition, PostmortemActionsError, StaleAnswer, StoreError
from postmortem_actions.store.text import visible
from postmortem_actions.tools.schema import Model
from postmortem_actions.tools.trackers.base import RemoteIssue, TrackerAdapter, TrackerName
from postmortem_actions.tools.trackers.closes import Close, OwnAccount
from postmortem_actions.tools.trackers.errors import TrackerTargetNotFound
from postmortem_actions.tools.trackers.filing import Failed, attempt


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
    remote, stopped = attempt(partial(adapter.fetch, ticket.ref), action.id, failed, TrackerTargetNotFound)
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
