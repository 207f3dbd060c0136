"""Filing accepted items in the tracker and linking existing tickets.

Export is idempotent: a ticket already linked to the item in that tracker is reported, not filed again.
Every created ticket is linked in the store right after the tracker confirms it, so a batch that fails
half way keeps the exported half and names the rest. Reading tickets back is `sync`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, Literal

from pydantic import Field

from postmortem_actions.store import (
    ActionState,
    Actor,
    Postmortem,
    Store,
)
from postmortem_actions.store.errors import IllegalTransition, InvalidInput, PostmortemActionsError
from postmortem_actions.tools.schema import Model
from postmortem_actions.tools.trackers.base import RemoteIssue, Sleep, TrackerAdapter, TrackerConfig, TrackerName
from postmortem_actions.tools.trackers.closes import in_target
from postmortem_actions.tools.trackers.drafts import Refused, refusal, request_for, select_actions
from postmortem_actions.tools.trackers.errors import TrackerError, TrackerRejected


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


def attempt(
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
        remote, stopped = attempt(partial(adapter.create, request), action.id, failed, TrackerRejected)
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
