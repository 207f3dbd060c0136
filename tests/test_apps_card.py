"""The MCP Apps decision card end to end, through the SDK's real `Client` declaring the Apps extension, on both
protocol eras: the gated tool asks in the card (the nonce only in `_meta`), the card opens through one app-only tool
and answers through the other, the decision is recorded with channel `mcp-app` and the host's name, the chain
verifies, and the next call of the gated tool reports exactly what the human decided."""

from __future__ import annotations

import re
from datetime import date

import pytest
from apps_host import HOST_LABEL, apps_client, ask_in_card, card_meta, what_the_model_reads
from gate_setting import Items
from mcp import Client
from mcp.server import MCPServer
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp_results import ok, refusal

from postmortem_actions.store import ActionState, Channel, Store

pytestmark = pytest.mark.anyio

CARD_URI = "ui://postmortem-actions/decision-card.html"
BOARD_URI = "ui://postmortem-actions/review-board.html"


# -- what the host is given ------------------------------------------------------------------------------


async def test_the_server_advertises_apps_and_serves_both_pages_as_app_html(server: MCPServer, mode: str) -> None:
    async with apps_client(server, mode) as client:
        # 2025-11-25 has no server `extensions` capability (the SDK leaves it out there): hosts of that era go by the
        # tools' `_meta.ui`, which both eras carry.
        advertised = EXTENSION_ID in (client.server_capabilities.extensions or {})
        assert advertised == (client.protocol_version == "2026-07-28")
        for uri in (CARD_URI, BOARD_URI):
            [content] = (await client.read_resource(uri)).contents
            assert content.mime_type == APP_MIME_TYPE
            assert (content.meta or {}).get("ui") == {"prefersBorder": True}  # no CSP domains: the default, no network


async def test_the_pages_are_self_contained_and_fit_the_default_sandbox(server: MCPServer) -> None:
    async with apps_client(server) as client:
        for uri in (CARD_URI, BOARD_URI):
            html = getattr((await client.read_resource(uri)).contents[0], "text", "")
            assert html.startswith("<!doctype html>")
            assert "/* include" not in html  # every shared part is inlined
            assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing fetched from anywhere
            for blocked in ("<form", "localStorage", "sessionStorage", "fetch(", "XMLHttpRequest", "WebSocket"):
                assert blocked not in html, (uri, blocked)
            assert "innerHTML" not in html  # server text is only ever set as text


async def test_the_gated_tools_show_the_card_the_review_shows_the_board_and_the_card_tools_are_app_only(
    server: MCPServer,
) -> None:
    async with apps_client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    ui = {name: (tool.meta or {}).get("ui") for name, tool in tools.items() if (tool.meta or {}).get("ui")}
    assert ui == {
        "decide_action": {"resourceUri": CARD_URI},
        "replan_action": {"resourceUri": CARD_URI},
        "complete_action": {"resourceUri": CARD_URI},
        "reopen_action": {"resourceUri": CARD_URI},
        "open_decision_card": {"resourceUri": CARD_URI, "visibility": ["app"]},
        "answer_decision_card": {"resourceUri": CARD_URI, "visibility": ["app"]},
        "list_overdue": {"resourceUri": BOARD_URI},
        "review_agenda": {"resourceUri": BOARD_URI},
    }


async def test_the_card_tools_are_listed_only_to_hosts_that_render_apps(server: MCPServer, mode: str) -> None:
    # Elsewhere no card is ever shown, so the model's list stays as it was (the extension is opt-in on both sides).
    async with Client(server, mode=mode) as plain:
        listed = {t.name for t in (await plain.list_tools()).tools}
    async with apps_client(server, mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) - listed == {"open_decision_card", "answer_decision_card"}
    opening, answering = tools["open_decision_card"], tools["answer_decision_card"]
    assert opening.annotations is not None
    assert opening.annotations.read_only_hint is True
    assert answering.annotations is not None
    assert (answering.annotations.read_only_hint, answering.annotations.destructive_hint) == (False, False)
    assert sorted(opening.input_schema["required"]) == ["action_id", "kind", "nonce"]
    assert sorted(answering.input_schema["required"]) == ["action_id", "form", "kind", "ticket"]
    assert set(answering.input_schema["properties"]) == {"action_id", "form", "kind", "ticket"}  # no owner, no state


# -- the human decides in the card -----------------------------------------------------------------------


async def test_the_gated_tool_waits_for_the_card_with_the_nonce_only_in_meta(
    server: MCPServer, store: Store, items: Items, mode: str
) -> None:
    async with apps_client(server, mode) as client:
        asked = await client.call_tool("decide_action", {"action_id": items.candidate, "proposed_owner": "alice"})
    out = ok(asked)
    assert (out["outcome"], out["committed"], out["state"]) == ("awaiting_human", False, "candidate")
    assert "decision card" in out["message"]
    assert "Nothing is committed" in out["message"]
    meta = card_meta(asked)
    assert (meta["action_id"], meta["kind"]) == (items.candidate, "decide")
    assert meta["nonce"] not in what_the_model_reads(asked)
    request = store.latest_request(items.candidate, "decide")
    assert request is not None
    assert (request.via, request.client, request.answered_at) == ("mcp-app", HOST_LABEL, None)
    assert store.get_action(items.candidate).state is ActionState.CANDIDATE


async def test_the_card_shows_the_item_its_evidence_lint_and_the_prefilled_form(
    server: MCPServer, store: Store, items: Items, mode: str
) -> None:
    async with apps_client(server, mode) as client:
        _asked, card = await ask_in_card(
            client,
            "decide_action",
            {"action_id": items.candidate, "proposed_owner": "alice", "proposed_due": "2027-03-01", "note": "On call"},
        )
    action = store.get_action(items.candidate)
    view = card.view
    assert (view["action_id"], view["kind"], view["version"]) == (action.id, "decide", action.version())
    assert (view["text"], view["done_when"], view["evidence_quote"]) == (action.text, action.done_when, action.quote)
    assert (view["postmortem_title"], view["severity"]) == ("Billing queue backlog", "SEV2")
    assert view["lint"]["text"] == action.text
    assert "advice" in view["lint"]
    assert view["note"] == "On call"
    assert "Proposed: owner alice, due 2027-03-01" in view["question"]
    assert view["form"] == {
        "choices": ["accept", "kill", "defer"],
        "fields": ["owner", "due_date", "reason"],
        "owner": "alice",
        "due_date": "2027-03-01",
        "reason": "",
        "evidence": "",
        "item_version": action.version(),
    }
    assert view["answered"] is None
    assert card.ticket.startswith("pat1.")


async def test_accepting_in_the_card_records_the_humans_decision_via_mcp_app(
    server: MCPServer, store: Store, items: Items, mode: str
) -> None:
    async with apps_client(server, mode) as client:
        _asked, card = await ask_in_card(
            client, "decide_action", {"action_id": items.candidate, "proposed_owner": "al"}
        )
        answered = await client.call_tool("answer_decision_card", card.answer(owner="bob", due_date="2027-02-14"))
        recorded = ok(answered)
        assert card.ticket not in what_the_model_reads(answered)
        assert (recorded["committed"], recorded["outcome"], recorded["channel"]) == (True, "accepted", "mcp-app")
        assert (recorded["owner"], recorded["due"], recorded["decided_by"]) == ("bob", "2027-02-14", "tester")
        again = ok(await client.call_tool("decide_action", {"action_id": items.candidate}))
        listed = ok(await client.call_tool("list_actions", {"owner": "bob"}))
    action = store.get_action(items.candidate)
    assert [(i["id"], i["state"], i["due"]) for i in listed["items"]] == [(items.candidate, "accepted", "2027-02-14")]
    assert (action.state, action.owner, action.due) == (ActionState.ACCEPTED, "bob", date(2027, 2, 14))
    [decision] = [d for d in store.decisions(items.candidate)]
    assert (decision.channel, decision.client, decision.decided_by) == (Channel.MCP_APP, HOST_LABEL, "tester")
    assert decision.id == recorded["decision_id"]
    assert store.verify().ok
    # The next call of the gated tool reports exactly what the human decided, instead of asking again.
    assert again["committed"] is True
    assert again["decision_id"] == decision.id
    assert again["message"].startswith("The human answered in the decision card: tester accepted action")


async def test_the_card_confirms_a_replan_with_the_fields_the_human_edited(
    server: MCPServer, store: Store, items: Items, mode: str
) -> None:
    async with apps_client(server, mode) as client:
        _asked, card = await ask_in_card(
            client, "replan_action", {"action_id": items.accepted, "reason": "Dana moved teams", "new_owner": "lee"}
        )
        assert card.view["form"]["fields"] == ["owner", "due_date", "reason"]
        assert card.view["form"]["choices"] == ["confirm", "reject"]
        assert (card.view["form"]["owner"], card.view["form"]["reason"]) == ("lee", "Dana moved teams")
        recorded = ok(await client.call_tool("answer_decision_card", card.answer(owner="kim")))
        again = ok(await client.call_tool("replan_action", {"action_id": items.accepted, "reason": "Again, please"}))
    assert (recorded["outcome"], recorded["owner"], recorded["channel"]) == ("replanned", "kim", "mcp-app")
    assert store.get_action(items.accepted).owner == "kim"
    assert again["decision_id"] == recorded["decision_id"]


async def test_completing_and_reopening_go_through_the_card_with_evidence_and_reason(
    server: MCPServer, store: Store, items: Items
) -> None:
    async with apps_client(server) as client:
        _asked, done = await ask_in_card(
            client, "complete_action", {"action_id": items.accepted, "evidence": "PR #42 merged"}
        )
        assert done.view["form"]["fields"] == ["evidence"]
        ok(await client.call_tool("answer_decision_card", done.answer(evidence="PR #42 merged, alert fired")))
        _asked, reopened = await ask_in_card(
            client, "reopen_action", {"action_id": items.accepted, "reason": "It paged nobody in staging"}
        )
        assert reopened.view["form"]["fields"] == ["reason"]
        ok(await client.call_tool("answer_decision_card", reopened.answer()))
    kinds = [(d.kind, d.channel, d.evidence, d.reason) for d in store.decisions(items.accepted)][-2:]
    assert kinds == [
        ("complete", Channel.MCP_APP, "PR #42 merged, alert fired", None),
        ("reopen", Channel.MCP_APP, None, "It paged nobody in staging"),
    ]
    assert store.get_action(items.accepted).state is ActionState.ACCEPTED
    assert store.verify().ok


async def test_not_confirming_in_the_card_records_nothing_and_is_reported_so(
    server: MCPServer, store: Store, items: Items
) -> None:
    before = store.decisions(items.done)
    async with apps_client(server) as client:
        _asked, card = await ask_in_card(client, "reopen_action", {"action_id": items.done, "reason": "Not done yet"})
        out = ok(await client.call_tool("answer_decision_card", card.answer(confirm=False)))
        again = ok(await client.call_tool("reopen_action", {"action_id": items.done, "reason": "Not done yet"}))
        shown_again = ok(await client.call_tool("open_decision_card", card.opening()))
    assert (out["committed"], out["outcome"]) == (False, "not_confirmed")
    assert store.decisions(items.done) == before
    assert store.get_action(items.done).state is ActionState.DONE
    assert again["outcome"] == "not_confirmed"
    assert "did not confirm in the decision card" in again["message"]
    assert shown_again["form"] is None
    assert shown_again["answered"]["outcome"] == "not_confirmed"
    assert shown_again["answered"]["message"] == again["message"]


async def test_a_kill_without_a_reason_is_refused_and_the_same_card_can_then_answer(
    server: MCPServer, store: Store, items: Items
) -> None:
    async with apps_client(server) as client:
        _asked, card = await ask_in_card(client, "decide_action", {"action_id": items.spare})
        missing = refusal(
            await client.call_tool("answer_decision_card", card.answer(decision="kill", reason="")),
            "answer_decision_card",
        )
        assert "needs a reason" in missing
        assert "nothing was recorded" in missing
        killed = ok(
            await client.call_tool("answer_decision_card", card.answer(decision="kill", reason="Covered by #1"))
        )
    assert killed["outcome"] == "killed"
    assert store.get_action(items.spare).state is ActionState.KILLED


async def test_a_card_opened_again_after_its_answer_shows_what_was_recorded_and_gives_no_ticket(
    server: MCPServer, items: Items, mode: str
) -> None:
    async with apps_client(server, mode) as client:
        _asked, card = await ask_in_card(
            client, "decide_action", {"action_id": items.candidate, "proposed_owner": "al"}
        )
        recorded = ok(await client.call_tool("answer_decision_card", card.answer(due_date="2027-04-01")))
        reopened = await client.call_tool("open_decision_card", card.opening())
    view = ok(reopened)
    assert view["form"] is None
    assert view["answered"] == {
        **recorded,
        "message": f"The human answered in the decision card: {recorded['message']}",
    }
    assert reopened.meta is None or "io.github.postmortem-actions/card" not in reopened.meta


async def test_a_card_for_an_item_that_changed_since_the_question_cannot_open(
    server: MCPServer, store: Store, items: Items
) -> None:
    async with apps_client(server) as client:
        asked = await client.call_tool("decide_action", {"action_id": items.candidate})
        meta = card_meta(asked)
        revised = await client.call_tool(
            "revise_candidate", {"action_id": items.candidate, "changes": {"done_when": "The page reached on-call"}}
        )
        ok(revised)
        opened = await client.call_tool(
            "open_decision_card", {"nonce": meta["nonce"], "action_id": items.candidate, "kind": "decide"}
        )
    text = refusal(opened, "open_decision_card")
    assert "changed after the assistant asked" in text
    assert "nothing was recorded" in text
