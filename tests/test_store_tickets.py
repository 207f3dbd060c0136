"""Ticket links in the store: only accepted or done items, one per tracker, each ref once, audit-logged."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tickets import seeded

from postmortem_actions.store import Actor
from postmortem_actions.store.errors import ActionNotFound, IllegalTransition, InvalidInput, TicketNotFound

BY = Actor(actor="assistant", via="test")


def test_an_accepted_item_gets_one_ticket_per_tracker_and_linking_it_again_changes_nothing(tmp_path: Path) -> None:
    store, _, ids = seeded(tmp_path)
    ticket, created = store.link_ticket(
        ids[0], "github", "acme/web#7", "https://github.com/acme/web/issues/7", "open", BY
    )
    again, created_again = store.link_ticket(ids[0], "github", "acme/web#7", "https://x.invalid", "closed", BY)

    assert (created, created_again) == (True, False)
    assert again == ticket
    assert [t.ref for t in store.tickets(action_id=ids[0])] == ["acme/web#7"]
    assert store.ticket_map() == {ids[0]: "https://github.com/acme/web/issues/7"}
    [entry] = store.audit_log("ticket", ticket.id)
    assert (entry.op, entry.actor) == ("link", "assistant")


@pytest.mark.parametrize("index", [1, 2], ids=["killed", "candidate"])
def test_an_item_that_is_not_accepted_cannot_get_a_ticket(tmp_path: Path, index: int) -> None:
    store, _, ids = seeded(tmp_path)
    with pytest.raises(IllegalTransition, match="only accepted items get tickets"):
        store.link_ticket(ids[index], "jira", "OPS-1", None, "To Do", BY)
    assert store.tickets() == []


def test_a_second_ticket_in_the_same_tracker_or_a_ref_of_another_item_is_refused(tmp_path: Path) -> None:
    store, _, ids = seeded(tmp_path)
    store.link_ticket(ids[0], "jira", "OPS-1", None, "To Do", BY)
    with pytest.raises(InvalidInput, match="already has jira ticket OPS-1"):
        store.link_ticket(ids[0], "jira", "OPS-2", None, "To Do", BY)
    assert [t.ref for t in store.tickets()] == ["OPS-1"]
    store.link_ticket(ids[0], "linear", "ENG-1", None, "Todo", BY)  # another tracker is fine
    assert [t.tracker for t in store.tickets(action_id=ids[0])] == ["jira", "linear"]


def test_an_unknown_action_is_not_found(tmp_path: Path) -> None:
    store, _, _ = seeded(tmp_path)
    with pytest.raises(ActionNotFound):
        store.link_ticket(999, "github", "acme/web#1", None, "open", BY)


def test_a_state_read_back_is_stored_and_audited_only_when_it_changed(tmp_path: Path) -> None:
    store, _, ids = seeded(tmp_path)
    ticket, _ = store.link_ticket(ids[0], "github", "acme/web#7", None, "open", BY)
    store.set_ticket_state(ticket.id, "open", BY)
    updated = store.set_ticket_state(ticket.id, "closed", BY)

    assert updated.state == "closed"
    assert [e.op for e in store.audit_log("ticket", ticket.id)] == ["link", "sync"]
    with pytest.raises(TicketNotFound, match="no ticket has id 999"):
        store.set_ticket_state(999, "closed", BY)
