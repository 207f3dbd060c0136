"""The card's tickets and its answer at the tools layer, on a real store: sealing is exact, anything this server did
not seal (or cannot read) is refused as not its own, and an answer that loses a race to another submit of the same
card records nothing more and says so in the card's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apps_host import HOST_LABEL, apps_client, ask_in_card
from gate_setting import Items
from mcp.server import MCPServer

from postmortem_actions.server.keys import state_key
from postmortem_actions.server.mcp.card import ANSWER_TOOL
from postmortem_actions.server.mcp.forms import answer_from
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import Channel, Store
from postmortem_actions.store.errors import LinkNotValid
from postmortem_actions.tools import decision_card, decision_links
from postmortem_actions.tools.card_tickets import Ticket, open_ticket, seal_ticket
from postmortem_actions.tools.decision_models import Answer, Decider, Question

KEY = bytes(range(32))
NOW = datetime(2027, 1, 1, 12, tzinfo=UTC)


def ticket(**changes: object) -> Ticket:
    fields: dict[str, object] = {
        "nonce": "n" * 32,
        "action_id": 7,
        "version": "abcdef0123",
        "kind": "decide",
        "audience": ANSWER_TOOL,
        "expires": NOW + timedelta(minutes=5),
    }
    return Ticket.model_validate({**fields, **changes})


def test_a_sealed_ticket_opens_to_exactly_what_was_sealed() -> None:
    sealed = ticket()
    assert open_ticket(KEY, seal_ticket(KEY, sealed), audience=ANSWER_TOOL, now=NOW) == sealed


@pytest.mark.parametrize("token", ["pat1.a.b", "pat1..", "pat2.e30.e30", "pat1.e30", "", "pat1.%%%.%%%"])
def test_malformed_tokens_are_not_ours(token: str) -> None:
    with pytest.raises(LinkNotValid, match="not a ticket this server gave"):
        open_ticket(KEY, token, audience=ANSWER_TOOL, now=NOW)


def test_a_sealed_payload_this_server_cannot_read_is_not_taken_as_a_ticket() -> None:
    # Sealed with the right key (a future format, say) but not a ticket this version knows: refused, not guessed at.
    odd = Ticket.model_construct(**{**ticket().model_dump(), "kind": "delete"})
    with pytest.raises(LinkNotValid, match="not a ticket this server gave"):
        open_ticket(KEY, seal_ticket(KEY, odd), audience=ANSWER_TOOL, now=NOW)


def test_a_ticket_is_refused_at_its_expiry_and_by_any_other_tool() -> None:
    token = seal_ticket(KEY, ticket())
    with pytest.raises(LinkNotValid, match="expired"):
        open_ticket(KEY, token, audience=ANSWER_TOOL, now=NOW + timedelta(minutes=5))
    with pytest.raises(LinkNotValid, match=f"accepted only by {ANSWER_TOOL}"):
        open_ticket(KEY, token, audience="open_decision_card", now=NOW)


@pytest.mark.anyio
async def test_an_answer_that_loses_the_race_to_another_submit_records_nothing_more(
    server: MCPServer, settings: Settings, store: Store, items: Items
) -> None:
    async with apps_client(server) as client:
        _asked, card = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
    key = state_key(settings.state_key_path)
    code = decision_links.card_code(key, card.nonce)
    by = Decider(name="tester", channel=Channel.MCP_APP, client=HOST_LABEL)
    form = card.answer(owner="bob", due_date="2027-02-14")["form"]

    def other_submit_first(question: Question) -> Answer:
        answer = answer_from(question, dict(form))
        decision_links.answer_link(store, code, question, answer, by)  # the other click lands first
        return answer

    with pytest.raises(LinkNotValid, match="answered already"):
        decision_card.answer_card(
            store,
            key,
            card.ticket,
            action_id=card.action_id,
            kind="decide",
            read_answer=other_submit_first,
            by=by,
            table=settings.due_table,
            audience=ANSWER_TOOL,
        )
    assert len(store.decisions(items.candidate)) == 1
    assert store.verify().ok
