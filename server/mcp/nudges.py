"""Reminders over MCP, read-only: who would be nudged on a day, about what, through which channels.

Nothing here sends or records a reminder (that is `postmortem-actions remind`, from cron); the preview never shows a
webhook URL or a password, only channel names.
"""

from datetime import date
from typing import Annotated

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from pydantic import Field

from postmortem_actions.server.mcp.boundary import READ_ONLY, ToolSpec, tool
from postmortem_actions.server.mcp.context import App, app
from postmortem_actions.tools.nudges.models import ReminderPlan
from postmortem_actions.tools.nudges.planner import plan_reminders


@tool("Preview reminders", READ_ONLY)
def preview_reminders(
    ctx: Context[App],
    as_of: Annotated[date | None, Field(description="The day to preview (YYYY-MM-DD); default today")] = None,
) -> ReminderPlan:
    """Who the reminder run on `as_of` would nudge, about which items, through which channels (Slack, email,
    webhook, stdout): owners before due and when overdue or without a status report, leads about undecided
    candidates, the team's weekly digest; and the owners it cannot reach (not in the people table, or no address).
    Sends and records nothing; reminders already delivered are left out, exactly as the run would. Use it to answer
    "who gets nudged tomorrow, and about what?"."""
    state = app(ctx)
    return plan_reminders(state.store, state.settings.policy, as_of=as_of or date.today()).plan


TOOLS: tuple[ToolSpec, ...] = (preview_reminders,)


def register_resources(mcp: MCPServer[App], state: App) -> None:
    """Add today's reminder preview as a resource, reading `state`'s store."""

    @mcp.resource("reminders://today", mime_type="text/markdown", title="Reminders that go out today")
    def reminders_resource() -> str:
        """Who today's reminder run nudges and about what, and the owners it cannot reach, as Markdown."""
        return plan_reminders(state.store, state.settings.policy, as_of=date.today()).plan.markdown
