"""Which closes read back from a tracker are a person's decision on the item, and what sync says about the rest.

A close is recorded as its closer's decision only when it is a person's, on a ticket we filed for the item, that
is still in the configured repository, project or team, made after the latest decision here, by someone whose
name can be stored as it is shown, and not by the account this server uses: anything else that holds the same
token (another tool of the assistant, a script) would otherwise decide items in a person's name (issue 10).
Every other close is reported with what was not done and what a person can do instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from postmortem_actions.store import Action, Store, Ticket
from postmortem_actions.store.text import refusal, visible
from postmortem_actions.tools.trackers.base import RemoteIssue, TrackerAdapter, TrackerIdentity
from postmortem_actions.tools.trackers.errors import TrackerError, TrackerRejected, TrackerTargetNotFound

CONFIRM = "nothing was recorded; a person confirms it with complete_action"


def in_target(adapter: TrackerAdapter, ref: str) -> bool:
    """Whether a ref is a ticket of the configured repository (GitHub) or project/team (Jira, Linear): a ticket
    elsewhere can be closed by people outside the team, and its close would decide our item."""
    target = adapter.config.target.strip().lower()
    if adapter.name == "github":
        return ref.rsplit("#", 1)[0].lower() == target
    return ref.lower().startswith(target + "-")


@dataclass(frozen=True)
class Close:
    """A ticket read back closed, after it was open at the last sync, while its item is accepted."""

    store: Store
    adapter: TrackerAdapter
    ticket: Ticket
    action: Action
    remote: RemoteIssue

    def reason_not_recorded(self) -> str | None:
        """Why this close is nobody's decision on the item, as a note to show, or None when it may be recorded
        (as far as can be told without asking the tracker who the server's own account is)."""
        return (
            self._outside_target()
            or self._linked()
            or self._nobody_named()
            or self._unusable_name()
            or self._superseded()
        )

    @property
    def closer(self) -> str:
        """The closer's name as it may be shown (hidden characters written out)."""
        return visible(self.remote.closed_by or "someone it does not name")

    def _outside_target(self) -> str | None:
        if in_target(self.adapter, self.remote.ref):
            return None
        return (
            f"closed in {self.adapter.name}, but it now lives at {self.remote.ref}, outside "
            f"{self.adapter.config.target}, where people outside the team can close it: {CONFIRM}"
        )

    def _linked(self) -> str | None:
        if self.ticket.origin == "export":
            return None
        # The assistant chose this existing ticket; whoever closed it may have meant other work.
        return (
            f"closed in {self.adapter.name} by {self.closer}, but this ticket was linked, not filed for the "
            "item: nothing was recorded; confirm it with complete_action"
        )

    def _nobody_named(self) -> str | None:
        if self.remote.closed_by is not None and self.remote.closed_by_id is not None:
            return None
        if self.remote.closer_unknown:
            return f"closed in {self.adapter.name}, but {self.remote.closer_unknown}: {CONFIRM}"
        return (
            f"closed in {self.adapter.name} by an automation or an account it does not name: nothing was "
            "recorded; confirm it with complete_action"
        )

    def _unusable_name(self) -> str | None:
        name = self.remote.closed_by or ""
        if not name.strip():
            return f"closed in {self.adapter.name} by an account with a blank name: {CONFIRM}"
        reason = refusal(name)
        if reason is None:
            return None
        return f'closed in {self.adapter.name} by "{visible(name)}", but that name {reason}; {CONFIRM}'

    def _superseded(self) -> str | None:
        latest = self.store.decisions(self.action.id)[-1:]
        closed_at = self.remote.closed_at
        # Trackers stamp to the second: a decision in the same second as the close does not count as later.
        if not latest or closed_at is None or latest[0].decided_at.replace(microsecond=0) <= closed_at:
            return None
        return (
            f"closed in {self.adapter.name} by {self.closer} before the latest decision here "
            f"({latest[0].kind} by {latest[0].decided_by}): nothing was recorded"
        )


@dataclass
class OwnAccount:
    """The account the tracker token acts as, asked of the adapter at most once per sync and only when a close
    needs it. A failed lookup is remembered: nothing is decided for the rest of the run."""

    adapter: TrackerAdapter
    identity: TrackerIdentity | None = None
    failure: str | None = None
    stops: bool = False  # the failure also stops the batch (bad credentials, unreachable)

    def reason_not_recorded(self, close: Close) -> tuple[str | None, bool]:
        """(why the close is not recorded, whether to keep it for the next sync): a close by the server's own
        account is never a decision; when that account cannot be looked up, no close is, until it can."""
        identity = self._lookup()
        if identity is None:
            return (
                f"closed in {self.adapter.name} by {close.closer}, but {self.failure}: nothing was recorded; "
                "sync again once it can be looked up, or a person confirms it with complete_action"
            ), True
        if identity.id is not None and close.remote.closed_by_id == identity.id:
            return (
                f"closed in {self.adapter.name} by the account this server uses ({visible(identity.name)}): {CONFIRM}"
            ), False
        return None, False

    def _lookup(self) -> TrackerIdentity | None:
        """The account, asked of the tracker the first time only; None once a lookup failed (`failure` says why)."""
        if self.identity is None and self.failure is None:
            try:
                self.identity = self.adapter.identity()
            except TrackerError as exc:
                self.failure = f"the account this server uses in {self.adapter.name} could not be looked up ({exc})"
                self.stops = not isinstance(exc, TrackerTargetNotFound | TrackerRejected)
        return self.identity

    def summary(self) -> str:
        """The sentences the sync result ends with: what is never recorded, and why nothing was, if so."""
        named = f" ({visible(self.identity.name)})" if self.identity is not None else ""
        text = (
            f"Closes by bots, automations and the account this server uses{named} are never recorded: a "
            "person confirms them with complete_action."
        )
        if self.failure is not None:
            text += f" Nothing was decided in this run because {self.failure}; sync again once it can be looked up."
        return text
