"""A host that renders MCP Apps, as the tests play it: the SDK's real `Client` declaring the Apps extension, what the
host hands the card (a result's `_meta`), and a card the tests answer with."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.types import CallToolResult, Implementation
from mcp_results import ok

from postmortem_actions.server.mcp.asking import CARD_META

APPS: Final = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
HOST: Final = Implementation(name="test-host", version="1.0")
HOST_LABEL: Final = "test-host/1.0"


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
