"""The demo's human: answers the server's elicitation forms at this terminal, as a host's form would."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import anyio

if TYPE_CHECKING:
    from mcp.client.context import ClientRequestContext
    from mcp.types import ElicitRequestParams, ElicitResult


async def _ask(prompt: str) -> str:
    try:
        return await anyio.to_thread.run_sync(input, prompt)
    except EOFError:
        return ""


async def answer_at_terminal(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
    """Show the form's question to the person and return exactly what they typed (skip = decline)."""
    from mcp.types import ElicitRequestFormParams, ElicitResult  # the demo speaks MCP; the other commands do not

    if not isinstance(params, ElicitRequestFormParams):
        return ElicitResult(action="decline")
    fields: dict[str, Any] = params.requested_schema.get("properties", {})
    print("\n  The server asks YOU — the assistant never sees or fills this form:")
    print(textwrap.indent(params.message, "    "))
    content: dict[str, Any] = {"item_version": fields["item_version"]["default"]}
    choice = (await _ask("    [a]ccept, [k]ill, [d]efer or [s]kip? ")).strip().lower()[:1]
    if choice not in ("a", "k", "d"):
        return ElicitResult(action="decline")
    content["decision"] = {"a": "accept", "k": "kill", "d": "defer"}[choice]
    content["owner"] = fields["owner"].get("default", "")
    content["due_date"] = fields["due_date"].get("default")
    content["reason"] = ""
    if choice == "a":
        content["owner"] = (await _ask(f"    Owner [{content['owner']}]: ")).strip() or content["owner"]
        content["due_date"] = (await _ask(f"    Due date [{content['due_date']}]: ")).strip() or content["due_date"]
    elif choice == "k":
        content["reason"] = (await _ask("    Reason: ")).strip()
    return ElicitResult(action="accept", content=content)
