"""The decision card from the attacker's side: the model calls the app-only tools itself, as a host that does not
hide them (or a model that learned their names) would let it. App-only visibility is not authorization, so each
attempt here must be refused with a readable sentence, write nothing (every action and the decision log unchanged,
the chain verifying), and leave the genuine card able to answer. Neither the nonce nor the ticket ever appears in
what the model reads."""

from __future__ import annotations

import base64
import json
import logging
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apps_host import Card, apps_client, ask_in_card, card_meta, what_the_model_reads
from gate_setting import Items, assert_unchanged, snapshot
from mcp import Client
from mcp.server import MCPServer
from mcp_results import ok, refusal

from postmortem_actions.server.keys import state_key
from postmortem_actions.server.settings import Settings
from postmortem_actions.store import ActionState, Store
from postmortem_actions.store.inputs import NewDecisionRequest
from postmortem_actions.tools import decision_links
from postmortem_actions.tools.card_tickets import Ticket, seal_ticket

pytestmark = pytest.mark.anyio

COMMIT = "answer_decision_card"


@pytest.fixture
def key(settings: Settings) -> bytes:
    """The database's own key, as the server holds it (an attacker never has it; the tests use it to mint tickets
    that are genuine in every respect but one)."""
    return state_key(settings.state_key_path)


def ticket_for(key: bytes, card: Card, **changes: Any) -> str:
    """A ticket this server could have sealed for `card`, with one thing changed."""
    fields: dict[str, Any] = {
        "nonce": card.nonce,
        "action_id": card.action_id,
        "version": card.version,
        "kind": card.kind,
        "audience": COMMIT,
        "expires": datetime.now(UTC) + timedelta(minutes=30),
    }
    return seal_ticket(key, Ticket(**{**fields, **changes}))


async def refused(client: Client, arguments: dict[str, Any], *words: str) -> str:
    """Call the commit tool as the model would; it must refuse, saying that nothing was recorded."""
    text = refusal(await client.call_tool(COMMIT, arguments), COMMIT)
    assert "nothing" in text, text
    assert "recorded" in text or "committed" in text, text
    for word in words:
        assert word in text, (word, text)
    return text


async def still_answers(client: Client, card: Card, store: Store) -> None:
    """The genuine card can still answer after the attempt: the attempt spent nothing."""
    recorded = ok(await client.call_tool(COMMIT, card.answer(owner="bob", due_date="2027-02-14")))
    assert recorded["committed"] is True
    assert recorded["channel"] == "mcp-app"
    assert store.verify().ok


# -- no ticket, a forged one -----------------------------------------------------------------------------


async def test_the_model_calling_the_commit_tool_without_a_ticket_is_refused(
    server: MCPServer, store: Store, items: Items, mode: str
) -> None:
    async with apps_client(server, mode) as client:
        _asked, card = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
        before = snapshot(store)
        arguments = card.answer()
        del arguments["ticket"]
        missing = await client.call_tool(COMMIT, arguments)
        assert missing.is_error
        assert "ticket" in refusal(missing, COMMIT)
        await refused(client, {**arguments, "ticket": "x"}, "not a ticket this server gave")
        empty = await client.call_tool(COMMIT, {**arguments, "ticket": ""})
        assert empty.is_error
        assert_unchanged(store, before)
        await still_answers(client, card, store)


async def test_forged_tickets_are_refused_before_anything_is_read_or_written(
    server: MCPServer, store: Store, items: Items, key: bytes, tmp_path: Path
) -> None:
    async with apps_client(server) as client:
        _asked, card = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
        before = snapshot(store)
        prefix, payload, mac = card.ticket.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        retargeted = base64.urlsafe_b64encode(json.dumps({**claims, "action_id": items.spare}).encode()).decode()
        other_key = state_key(tmp_path / "another.db.request-state.key")
        forgeries = [
            f"pat1.{secrets.token_urlsafe(60)}.{secrets.token_urlsafe(32)}",  # random
            f"{prefix}.{retargeted.rstrip('=')}.{mac}",  # its seal over another payload
            f"{prefix}.{payload}.{secrets.token_urlsafe(32)}",  # another seal over its payload
            ticket_for(other_key, card),  # sealed by another database's key
            card.nonce,  # what the host gave the card
            decision_links.card_code(key, card.nonce),  # the code the nonce stands for
            card.ticket + "A",
            "pat1." + "A" * 900,
        ]
        for forged in forgeries:
            await refused(client, {**card.answer(), "ticket": forged})
        assert_unchanged(store, before)
        await still_answers(client, card, store)


# -- a genuine ticket used for something else ------------------------------------------------------------


async def test_a_ticket_for_another_action_is_refused(server: MCPServer, store: Store, items: Items, mode: str) -> None:
    async with apps_client(server, mode) as client:
        _asked, card = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
        _asked, other = await ask_in_card(client, "decide_action", {"action_id": items.spare})
        before = snapshot(store)
        borrowed = {**other.answer(), "ticket": card.ticket}
        await refused(client, borrowed, f"for action {items.candidate}, not action {items.spare}")
        assert_unchanged(store, before)
        await still_answers(client, card, store)
        await still_answers(client, other, store)


async def test_a_ticket_for_another_version_is_refused(server: MCPServer, store: Store, items: Items) -> None:
    async with apps_client(server) as client:
        _asked, card = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
        before = snapshot(store)
        await refused(client, card.answer(item_version="0123456789"), f"for version {card.version}")
        assert_unchanged(store, before)
        await still_answers(client, card, store)


async def test_a_ticket_for_an_item_that_changed_since_is_refused(
    server: MCPServer, store: Store, items: Items, mode: str
) -> None:
    async with apps_client(server, mode) as client:
        _asked, card = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
        ok(await client.call_tool("revise_candidate", {"action_id": items.candidate, "changes": {"size": "L"}}))
        before = snapshot(store)
        await refused(client, card.answer(), "changed after the assistant asked")
        # Asked again, a fresh card shows the new version; the old ticket stays bound to the old question.
        _asked, fresh = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
        await refused(client, {**fresh.answer(), "ticket": card.ticket}, "changed after the assistant asked")
        assert_unchanged(store, before)
        await still_answers(client, fresh, store)


async def test_a_ticket_for_another_tool_is_refused(server: MCPServer, store: Store, items: Items, key: bytes) -> None:
    async with apps_client(server) as client:
        _asked, card = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
        _asked, done = await ask_in_card(client, "complete_action", {"action_id": items.accepted, "evidence": "PR #9"})
        before = snapshot(store)
        # The decide question's ticket presented as the answer to a completion, and the other way round.
        await refused(
            client, {**card.answer(), "kind": "complete", "form": {"confirm": True}}, "answers the decide question"
        )
        await refused(client, {**done.answer(), "ticket": card.ticket, "action_id": items.accepted}, "for action")
        # A ticket sealed for another tool than the commit tool.
        await refused(client, {**card.answer(), "ticket": ticket_for(key, card, audience="open_decision_card")})
        assert_unchanged(store, before)
        await still_answers(client, card, store)


# -- replayed, expired -----------------------------------------------------------------------------------


async def test_a_replayed_ticket_is_refused_and_records_nothing_more(
    server: MCPServer, store: Store, items: Items, mode: str
) -> None:
    async with apps_client(server, mode) as client:
        _asked, card = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
        await still_answers(client, card, store)
        before = snapshot(store)
        await refused(client, card.answer(owner="mallory"), "answered already")
        await refused(client, card.answer(decision="kill", reason="Changed my mind"), "answered already")
        # A fresh ticket for the answered card is not to be had either.
        reopened = await client.call_tool("open_decision_card", card.opening())
        assert "io.github.postmortem-actions/card" not in (reopened.meta or {})
    assert_unchanged(store, before)
    assert store.get_action(items.candidate).owner == "bob"


async def test_a_rejection_spends_the_ticket_too(server: MCPServer, store: Store, items: Items) -> None:
    async with apps_client(server) as client:
        _asked, card = await ask_in_card(client, "complete_action", {"action_id": items.accepted, "evidence": "PR #9"})
        ok(await client.call_tool(COMMIT, card.answer(confirm=False)))
        before = snapshot(store)
        await refused(client, card.answer(), "answered already")
    assert_unchanged(store, before)
    assert store.get_action(items.accepted).state is ActionState.ACCEPTED


async def test_an_expired_ticket_is_refused(server: MCPServer, store: Store, items: Items, key: bytes) -> None:
    async with apps_client(server) as client:
        _asked, card = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
        before = snapshot(store)
        old = ticket_for(key, card, expires=datetime.now(UTC) - timedelta(seconds=1))
        await refused(client, {**card.answer(), "ticket": old}, "expired", "Load again")
        assert_unchanged(store, before)
        await still_answers(client, card, store)


async def test_an_expired_question_gives_no_card_and_takes_no_answer(
    server: MCPServer, store: Store, items: Items, key: bytes
) -> None:
    # A card question the store already counts as expired (opened with no time to live), with a ticket sealed for
    # it that has not expired itself: the store's expiry still refuses it.
    nonce = secrets.token_urlsafe(24)
    version = store.get_action(items.candidate).version()
    store.open_request(
        NewDecisionRequest(
            code_hash=decision_links.code_hash(decision_links.card_code(key, nonce)),
            action_id=items.candidate,
            version=version,
            kind="decide",
            proposal={"owner": "alice"},
            via="mcp-app",
            client="test-host/1.0",
            ttl_seconds=0,
        )
    )
    card = Card(nonce, items.candidate, "decide", {"version": version}, "")
    before = snapshot(store)
    async with apps_client(server) as client:
        opened = await client.call_tool("open_decision_card", card.opening())
        assert "can no longer answer" in refusal(opened, "open_decision_card")
        form = {"decision": "accept", "owner": "alice", "due_date": "2027-01-01", "item_version": version}
        arguments = {"ticket": ticket_for(key, card), "action_id": items.candidate, "kind": "decide", "form": form}
        await refused(client, arguments, "can no longer answer")
    assert_unchanged(store, before)


# -- what the model can and cannot reach -----------------------------------------------------------------


async def test_a_made_up_nonce_opens_no_card(server: MCPServer, store: Store, items: Items) -> None:
    async with apps_client(server) as client:
        await client.call_tool("decide_action", {"action_id": items.candidate})
        before = snapshot(store)
        guessed = {"nonce": secrets.token_urlsafe(24), "action_id": items.candidate, "kind": "decide"}
        text = refusal(await client.call_tool("open_decision_card", guessed), "open_decision_card")
        assert "can no longer answer" in text or "not one this server showed" in text
        short = await client.call_tool("open_decision_card", {**guessed, "nonce": "abc"})
        assert short.is_error
    assert_unchanged(store, before)


async def test_a_nonce_for_another_action_or_question_opens_nothing(
    server: MCPServer, store: Store, items: Items
) -> None:
    async with apps_client(server) as client:
        asked = await client.call_tool("decide_action", {"action_id": items.candidate})
        meta = card_meta(asked)
        for wrong in ({"action_id": items.spare}, {"kind": "complete"}):
            opened = await client.call_tool("open_decision_card", {**meta, **wrong})
            assert "not action" in refusal(opened, "open_decision_card")
    assert store.latest_request(items.candidate, "decide") is not None


async def test_the_commit_tool_takes_no_owner_or_state_beside_the_form(
    server: MCPServer, store: Store, items: Items
) -> None:
    async with apps_client(server) as client:
        _asked, card = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
        before = snapshot(store)
        smuggled = await client.call_tool(COMMIT, {**card.answer(), "owner": "mallory", "state": "accepted"})
        assert "Nothing was changed" in refusal(smuggled, COMMIT)
        await refused(client, card.answer(state="done"), "state is not a field of the form")
        assert_unchanged(store, before)
        await still_answers(client, card, store)


async def test_a_model_in_a_host_without_apps_calling_the_card_tools_by_name_is_refused(
    server: MCPServer, store: Store, items: Items, mode: str
) -> None:
    # The tools are not listed there, but hiding is no guard: a call by name must fail on its own merits.
    async with apps_client(server, mode) as host:
        _asked, card = await ask_in_card(host, "decide_action", {"action_id": items.candidate})
    before = snapshot(store)
    async with Client(server, mode=mode) as model:
        guessed = await model.call_tool("open_decision_card", {**card.opening(), "nonce": secrets.token_urlsafe(24)})
        assert "nothing was recorded" in refusal(guessed, "open_decision_card")
        await refused(model, {**card.answer(), "ticket": "pat1.made.up"}, "not a ticket this server gave")
    assert_unchanged(store, before)


async def test_neither_nonce_nor_ticket_reaches_anything_the_model_reads_or_any_log_line(
    server: MCPServer, store: Store, items: Items, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with apps_client(server, mode) as client:
        results = []
        asked, card = await ask_in_card(client, "decide_action", {"action_id": items.candidate})
        results.append(asked)
        results.append(await client.call_tool("open_decision_card", card.opening()))
        results.append(await client.call_tool(COMMIT, card.answer(owner="")))  # refused: no owner
        results.append(await client.call_tool(COMMIT, card.answer()))
        results.append(await client.call_tool("decide_action", {"action_id": items.candidate}))
        results.append(await client.call_tool("list_actions", {}))
        results.append(await client.call_tool(COMMIT, card.answer()))  # refused: used
        results.append(await client.call_tool("review_agenda", {}))
    secrets_seen = (card.nonce, card.ticket, card.ticket.split(".")[1])
    for result in results:
        read = what_the_model_reads(result)
        assert not any(secret in read for secret in secrets_seen), read[:300]
    assert any("answer_decision_card" in line for line in caplog.messages)  # the refusals were logged
    logged = "\n".join(caplog.messages)
    assert not any(secret in logged for secret in secrets_seen)
