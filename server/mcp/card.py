"""MCP Apps: the decision card and the review board (`ui://` HTML resources registered through the SDK's `Apps`
extension, so the capability is advertised), and the two app-only tools the card calls.

App-only visibility is not authorization (SEP-1865): the host hides these tools from the model, but a call to them
reaches us on the same connection as the model's. `open_decision_card` needs the nonce a gated tool put in its
result's `_meta`, which the host gives the card and not the model; `answer_decision_card` needs the sealed one-time
ticket `open_decision_card` put in *its* `_meta`. Without a valid unused ticket bound to the action, its version and
the question, nothing is recorded (tools/decision_card.py, tools/card_tickets.py).
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Annotated, Any, Final, Literal

from mcp.server.apps import Apps, client_supports_apps
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from postmortem_actions.server.keys import state_key
from postmortem_actions.server.mcp import asking
from postmortem_actions.server.mcp.boundary import BOARD_URI, CARD_URI, READ_ONLY, ToolSpec, tool
from postmortem_actions.server.mcp.context import App, app
from postmortem_actions.server.mcp.forms import answer_from
from postmortem_actions.server.mcp.gate import GATED
from postmortem_actions.store import Channel
from postmortem_actions.tools import decision_card
from postmortem_actions.tools.decision_card import CardView
from postmortem_actions.tools.decision_models import DecisionOutcome

APP_ONLY: Final = {"ui": {"resourceUri": CARD_URI, "visibility": ["app"]}}
ANSWER_TOOL: Final = "answer_decision_card"
_INCLUDE: Final = re.compile(r"/\* include ([a-z.-]+) \*/")

Kind = Annotated[
    Literal["decide", "replan", "complete", "reopen"],
    Field(description="The question: decide_action asks 'decide', replan_action 'replan', and so on"),
]
ActionId = Annotated[int, Field(ge=1)]


@tool("Open a decision card (app only)", READ_ONLY, meta=APP_ONLY)
def open_decision_card(
    ctx: Context[App],
    nonce: Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
    action_id: ActionId,
    kind: Kind,
) -> Annotated[CallToolResult, CardView]:
    """For the decision card only (hidden from the model): what the card shows for the question its nonce names
    (the item, its evidence and lint, the pre-filled form), with the card's one-time ticket in `_meta`. You cannot
    use it: the nonce is given to the card the host shows the human, never to you."""
    state = app(ctx)
    view, ticket = decision_card.open_card(
        state.store,
        state_key(state.settings.state_key_path),
        nonce,
        action_id=action_id,
        kind=kind,
        table=state.settings.due_table,
        audience=ANSWER_TOOL,
    )
    meta = {asking.CARD_META: {"ticket": ticket}} if ticket is not None else None
    return CallToolResult(
        content=[TextContent(type="text", text=view.model_dump_json(indent=2))],
        structured_content=view.model_dump(mode="json"),
        _meta=meta,
    )


@tool("Record the human's answer from a decision card (app only)", GATED, meta=APP_ONLY)
def answer_decision_card(
    ctx: Context[App],
    ticket: Annotated[str, Field(min_length=1, max_length=1000, description="The card's one-time ticket")],
    action_id: ActionId,
    kind: Kind,
    form: Annotated[
        dict[str, str | bool | None],
        Field(
            max_length=8,
            description="The form as the human left it: decision (or confirm), owner, due_date, reason (or "
            "evidence), item_version",
        ),
    ],
) -> Annotated[CallToolResult, DecisionOutcome]:
    """For the decision card only (hidden from the model): record the human's answer, given with the card's
    one-time ticket. You cannot use it: without the ticket only the card holds, nothing is recorded."""
    state = app(ctx)
    outcome = decision_card.answer_card(
        state.store,
        state_key(state.settings.state_key_path),
        ticket,
        action_id=action_id,
        kind=kind,
        read_answer=lambda question: answer_from(question, dict(form)),
        by=asking.decider(ctx, Channel.MCP_APP),
        table=state.settings.due_table,
        audience=ANSWER_TOOL,
    )
    return asking.reply(outcome)


TOOLS: tuple[ToolSpec, ...] = (open_decision_card, answer_decision_card)


def _app_only(meta: Any) -> bool:
    ui = meta.get("ui") if isinstance(meta, dict) else None
    return isinstance(ui, dict) and ui.get("visibility") == ["app"]


class AppOnlyTools:
    """List the card's app-only tools only to clients that declared MCP Apps (extensions are opt-in on both sides).

    Elsewhere no card is ever shown, so the tools could only clutter the model's list. Hiding is a courtesy, not a
    guard: a call by name still reaches them, and they still refuse anything without the card's nonce or ticket.
    """

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if ctx.method != "tools/list" or client_supports_apps(ctx):
            return result
        if isinstance(result, dict) and isinstance(result.get("tools"), list):  # the wire form, at this tier
            return {**result, "tools": [t for t in result["tools"] if not _app_only(t.get("_meta"))]}
        return result  # pragma: no cover - an error result, or an SDK that hands middleware models


@functools.cache
def page(name: str) -> str:
    """A `ui/` document with its `/* include FILE */` markers replaced by those files: one self-contained page."""
    folder = resources.files(__package__) / "ui"

    def include(found: re.Match[str]) -> str:
        return (folder / found.group(1)).read_text(encoding="utf-8")

    return _INCLUDE.sub(include, (folder / name).read_text(encoding="utf-8"))


def apps_extension() -> Apps:
    """The Apps extension for one server: the card and the board as `ui://` resources (no network, default CSP)."""
    apps = Apps()
    apps.add_html_resource(
        CARD_URI,
        page("decision-card.html"),
        name="decision-card",
        title="Decision card",
        description="Where the human decides on an action item the assistant asked about",
        prefers_border=True,
    )
    apps.add_html_resource(
        BOARD_URI,
        page("review-board.html"),
        name="review-board",
        title="Review board",
        description="The review agenda or the overdue list, read-only",
        prefers_border=True,
    )
    return apps
