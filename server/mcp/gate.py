"""The human gate over MCP: decide, re-plan, complete and reopen ask the human, never the model.

Each tool takes the assistant's *proposal* as arguments and puts the question to the human through the best
channel the client has (`asking.py`: the client's form on both protocol eras, an Apps card, a decision page).
Only the human's answer is recorded. The question is deterministic from the stored state and carries the item's
version, so an answer to an item that changed meanwhile is re-asked or refused, never applied.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, InputRequiredResult, ToolAnnotations
from pydantic import Field

from postmortem_actions.server.mcp import asking
from postmortem_actions.server.mcp.boundary import ToolSpec, tool
from postmortem_actions.server.mcp.context import App, app, client_label, person
from postmortem_actions.store import Action, DecisionKind, WorkStatus
from postmortem_actions.tools import decision_links, decisions
from postmortem_actions.tools.days import DueDate
from postmortem_actions.tools.decision_links import AskedKind
from postmortem_actions.tools.decision_models import DecisionOutcome, Question

GATED = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=False)
Proposal = Annotated[str | None, Field(max_length=100)]
Reason = Annotated[str, Field(min_length=3, max_length=1000)]
# The outcome as structured content; a question still open is an InputRequiredResult (2026-07-28).
Result = Annotated[CallToolResult, DecisionOutcome] | InputRequiredResult


async def _ask(
    ctx: Context[App], kind: AskedKind, action_id: int, build: Callable[[], Question], note: str | None = None
) -> Result:
    # An answer the human gave outside the client (a decision page, a card) since the last call is reported
    # exactly; otherwise the question is built from the stored state (refusing what does not apply) and asked.
    answered = decision_links.recent_answer(app(ctx).store, action_id, kind)
    if answered is not None:
        return asking.reply(answered)
    return await asking.ask(ctx, build(), note=note)


def _decide_question(
    ctx: Context[App], action_id: int, proposed_owner: str | None, proposed_due: date | None, note: str | None
) -> Question:
    state = app(ctx)
    return decisions.ask_decide(
        state.store,
        action_id,
        proposed_owner=proposed_owner,
        proposed_due=proposed_due,
        note=note,
        table=state.settings.due_table,
        today=date.today(),
    )


@tool("Ask the human to decide an action", GATED, ui=True)
async def decide_action(
    ctx: Context[App],
    action_id: Annotated[int, Field(ge=1)],
    proposed_owner: Annotated[Proposal, Field(description="Your suggested owner; the human edits it")] = None,
    proposed_due: Annotated[DueDate | None, Field(description="Your suggested due date (YYYY-MM-DD)")] = None,
    note: Annotated[str | None, Field(max_length=500, description="Why you propose this, shown to the human")] = None,
) -> Result:
    """Ask the human (in their client, not through you) to accept a candidate with an owner and due
    date, kill it with a reason, or defer it. Your proposal pre-fills the form; the result says exactly
    what the human decided. Declined or dismissed: nothing is recorded; do not press. Where the client
    cannot show a form, the human is asked on a decision page or card instead: the result then says
    nothing is committed until they answer there, and the next call says what they decided."""
    return await _ask(
        ctx,
        "decide",
        action_id,
        lambda: _decide_question(ctx, action_id, proposed_owner, proposed_due, note),
        note,
    )


def _confirmation(ctx: Context[App], kind: DecisionKind, action_id: int, **offered: Any) -> Question:
    return decisions.ask_confirmation(app(ctx).store, kind, action_id, **offered)


@tool("Ask the human to re-plan an action", GATED, ui=True)
async def replan_action(
    ctx: Context[App],
    action_id: Annotated[int, Field(ge=1)],
    reason: Annotated[Reason, Field(description="Why the owner or date should change")],
    new_owner: Annotated[Proposal, Field(description="Proposed new owner")] = None,
    new_due: Annotated[DueDate | None, Field(description="Proposed new due date")] = None,
) -> Result:
    """Ask the human to confirm a new owner and/or due date for an accepted action (they may edit both)."""
    return await _ask(
        ctx,
        "replan",
        action_id,
        lambda: _confirmation(ctx, DecisionKind.REPLAN, action_id, owner=new_owner, due=new_due, reason=reason),
    )


@tool("Ask the human to mark an action done", GATED, ui=True)
async def complete_action(
    ctx: Context[App],
    action_id: Annotated[int, Field(ge=1)],
    evidence: Annotated[Reason, Field(description="What shows it is done: a PR, a link, a dashboard")],
) -> Result:
    """Ask the human to confirm an accepted action is done, with the evidence you offer."""
    return await _ask(
        ctx, "complete", action_id, lambda: _confirmation(ctx, DecisionKind.COMPLETE, action_id, evidence=evidence)
    )


@tool("Ask the human to reopen a done action", GATED, ui=True)
async def reopen_action(
    ctx: Context[App],
    action_id: Annotated[int, Field(ge=1)],
    reason: Annotated[Reason, Field(description="Why it is not done after all")],
) -> Result:
    """Ask the human to reopen a done action (it returns to accepted with its owner and due date)."""
    return await _ask(
        ctx, "reopen", action_id, lambda: _confirmation(ctx, DecisionKind.REOPEN, action_id, reason=reason)
    )


@tool(
    "Report an accepted action's working status",
    ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=True, openWorldHint=False),
)
def report_status(
    ctx: Context[App],
    action_id: Annotated[int, Field(ge=1)],
    status: Annotated[WorkStatus, Field(description="in_progress or blocked")],
    note: Annotated[str | None, Field(max_length=1000, description="What is happening / what blocks it")] = None,
) -> Action:
    """Record that an accepted action is in progress or blocked (with a note). This commits no one:
    owner, due date and state do not change. Completion goes through complete_action."""
    state = app(ctx)
    return decisions.report_status(state.store, action_id, status, note, client_label(ctx), person(ctx))


TOOLS: tuple[ToolSpec, ...] = (decide_action, replan_action, complete_action, reopen_action, report_status)
