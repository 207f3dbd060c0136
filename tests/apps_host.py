"""A host that renders MCP Apps, as the tests play it: the SDK's real `Client` declaring the Apps extension, what the
host hands the card (a result's `_meta`), and a setting with an item in every state the gated tools ask about."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.types import CallToolResult, Implementation
from mcp_results import ok

from postmortem_actions.server.mcp.asking import CARD_META
from postmortem_actions.store import ActionFilter, Channel, DecisionKind, HumanDecision, Store

APPS: Final = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
HOST: Final = Implementation(name="test-host", version="1.0")
HOST_LABEL: Final = "test-host/1.0"

RecordSample = Callable[[Client], Awaitable[tuple[int, list[int]]]]


def apps_client(server: Any, mode: str = "auto") -> Client:
    """A client that renders MCP Apps (declares `io.modelcontextprotocol/ui` with the app MIME type)."""
    return Client(server, mode=mode, extensions=[APPS], client_info=HOST)


def card_meta(result: CallToolResult) -> dict[str, Any]:
    """What the host hands the card from a result's `_meta` (never shown to the model)."""
    meta = (result.meta or {}).get(CARD_META)
    assert isinstance(meta, dict), result.meta
    return meta


def what_the_model_reads(result: CallToolResult) -> str:
    """A result's content and structured content: everything a host puts in front of the model."""
    content = [c.model_dump(mode="json") for c in result.content]
    return json.dumps([content, result.structured_content])


@dataclass(frozen=True)
class Card:
    """A card as the host shows it: what the gated tool asked, what the card shows, and its ticket."""

    nonce: str
    action_id: int
    kind: str
    view: dict[str, Any]
    ticket: str

    @property
    def version(self) -> str:
        return str(self.view["version"])

    def opening(self) -> dict[str, Any]:
        return {"nonce": self.nonce, "action_id": self.action_id, "kind": self.kind}

    def answer(self, **form: Any) -> dict[str, Any]:
        """The commit tool's arguments for this card: its ticket and the form, pre-filled, overridden by `form`."""
        prefilled = self.view["form"]
        filled = {name: prefilled[name] for name in prefilled["fields"]}
        choice = {"decision": "accept"} if self.kind == "decide" else {"confirm": True}
        return {
            "ticket": self.ticket,
            "action_id": self.action_id,
            "kind": self.kind,
            "form": {**choice, **filled, "item_version": prefilled["item_version"], **form},
        }


async def ask_in_card(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[CallToolResult, Card]:
    """Call a gated tool as the model does, then open the card the host shows for its result."""
    asked = await client.call_tool(tool, arguments)
    out = ok(asked)
    assert out["outcome"] == "awaiting_human", out
    meta = card_meta(asked)
    opened = await client.call_tool(
        "open_decision_card", {"nonce": meta["nonce"], "action_id": meta["action_id"], "kind": meta["kind"]}
    )
    view = ok(opened)
    ticket = card_meta(opened)["ticket"]
    return asked, Card(meta["nonce"], meta["action_id"], meta["kind"], view, ticket)


# -- a setting: one postmortem with an item in every state -----------------------------------------------


@dataclass(frozen=True)
class Items:
    postmortem: int
    candidate: int
    accepted: int
    done: int
    killed: int
    spare: int


def decide_directly(store: Store, action_id: int, kind: DecisionKind, **values: Any) -> None:
    """A human decision typed elsewhere (the terminal): how the setting gets items past the candidate stage."""
    store.record_decision(
        action_id, HumanDecision(kind=kind, decided_by="tester", channel=Channel.TERMINAL, client="setup", **values)
    )


async def setting(server: Any, store: Store, record_sample: RecordSample) -> Items:
    """The sample postmortem's items: a candidate, an accepted one, a done one, a killed one and a spare candidate."""
    async with Client(server) as plain:
        pm, ids = await record_sample(plain)
    decide_directly(store, ids[1], DecisionKind.ACCEPT, owner="dana", due=date(2027, 1, 15))
    decide_directly(store, ids[2], DecisionKind.ACCEPT, owner="erin", due=date(2027, 2, 1))
    decide_directly(store, ids[2], DecisionKind.COMPLETE, evidence="PR #12 merged")
    decide_directly(store, ids[3], DecisionKind.KILL, reason="Duplicate of the paging work")
    return Items(pm, ids[0], ids[1], ids[2], ids[3], ids[4])


Snapshot = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def snapshot(store: Store) -> Snapshot:
    """Every action as a full record, and the decision log."""
    return (
        [a.model_dump(mode="json") for a in store.actions(ActionFilter())],
        [d.model_dump(mode="json") for d in store.decisions()],
    )


def assert_unchanged(store: Store, before: Snapshot) -> None:
    """Nothing was written: every action and the decision log as they were, and the chain verifies."""
    assert snapshot(store) == before
    report = store.verify()
    assert report.ok, report.problems
