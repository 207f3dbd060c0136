"""The recurring review over MCP: overdue, agenda, status summary and the follow-through report (read-only)."""

from datetime import date
from typing import Annotated

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, UserMessage
from pydantic import Field

from postmortem_actions.server.mcp.boundary import BOARD_URI, READ_ONLY, ToolSpec, tool
from postmortem_actions.server.mcp.context import App, app
from postmortem_actions.store import Category
from postmortem_actions.store.followthrough import GroupBy
from postmortem_actions.tools import followthrough as ft

AsOf = Annotated[date | None, Field(description="The day to compute for (YYYY-MM-DD); default today")]
Id = Annotated[int | None, Field(ge=1)]
# Hosts that render MCP Apps show these results on the read-only review board (server/mcp/card.py).
BOARD = {"ui": {"resourceUri": BOARD_URI}}


@tool("List overdue actions", READ_ONLY, meta=BOARD)
def list_overdue(
    ctx: Context[App],
    as_of: AsOf = None,
    owner: Annotated[str | None, Field(max_length=100)] = None,
    postmortem_id: Id = None,
    category: Category | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 20,
    offset: Annotated[int, Field(ge=0)] = 0,
) -> ft.OverduePage:
    """Accepted action items past their due date, most overdue first, with days overdue, owner, last
    status note and ticket. `total` is exact: report it, never estimate."""
    return ft.list_overdue(
        app(ctx).store,
        as_of=as_of or date.today(),
        owner=owner,
        postmortem_id=postmortem_id,
        category=category,
        limit=limit,
        offset=offset,
    )


@tool("Review meeting agenda", READ_ONLY, meta=BOARD)
def review_agenda(
    ctx: Context[App],
    as_of: AsOf = None,
    owner: Annotated[str | None, Field(max_length=100)] = None,
    postmortem_id: Id = None,
) -> ft.Agenda:
    """The review's agenda in order: overdue (what is blocking it?), blocked, due in 7 days, undecided
    candidates, stale (no report in 14 days), recently completed. Counts are exact; Markdown included."""
    return ft.review_agenda(app(ctx).store, as_of=as_of or date.today(), owner=owner, postmortem_id=postmortem_id)


@tool("Draft a status summary", READ_ONLY)
def draft_status_summary(
    ctx: Context[App],
    as_of: AsOf = None,
    postmortem_id: Id = None,
    since: Annotated[date | None, Field(description="Changes from this day (default: a week before as_of)")] = None,
    until: Annotated[date | None, Field(description="Changes before this day (default: day after as_of)")] = None,
    audience: ft.Audience = "engineering",
) -> ft.StatusSummary:
    """A status summary built from the store: counts by state, each open item with owner/due/status, what
    changed since the last review, as data and as Markdown. Polish the wording if asked; keep every fact."""
    return ft.draft_status_summary(
        app(ctx).store,
        as_of=as_of or date.today(),
        postmortem_id=postmortem_id,
        since=since,
        until=until,
        audience=audience,
    )


@tool("Follow-through report", READ_ONLY)
def followthrough_report(
    ctx: Context[App],
    as_of: AsOf = None,
    since: Annotated[date | None, Field(description="Items accepted from this day")] = None,
    until: Annotated[date | None, Field(description="Items accepted before this day")] = None,
    group_by: GroupBy = "postmortem",
) -> ft.FollowthroughReport:
    """The completion audit: accepted, done, done on time, killed (never in the denominator), open, overdue,
    completion rate, median days to done, aging of open items, category balance, and warnings."""
    return ft.followthrough_report(
        app(ctx).store, as_of=as_of or date.today(), since=since, until=until, group_by=group_by
    )


TOOLS: tuple[ToolSpec, ...] = (list_overdue, review_agenda, draft_status_summary, followthrough_report)


def register_resources(mcp: MCPServer[App], state: App) -> None:
    """Add today's overdue list and agenda as resources, and the review meeting prompt, reading `state`'s store."""

    @mcp.resource("actions://overdue", mime_type="application/json", title="Overdue action items (today)")
    def overdue_resource() -> str:
        """Today's overdue action items, most overdue first (first 200; `total` is exact)."""
        return ft.list_overdue(state.store, as_of=date.today(), limit=200).model_dump_json()

    @mcp.resource("actions://agenda", mime_type="text/markdown", title="Review agenda (today)")
    def agenda_resource() -> str:
        """Today's review agenda as Markdown."""
        return ft.review_agenda(state.store, as_of=date.today()).markdown

    @mcp.prompt(
        title="Run the action-item review",
        description="Walk the recurring review through today's agenda, with exact counts from the server",
    )
    def review_meeting(team: str = "the team") -> list[UserMessage]:
        agenda = ft.review_agenda(state.store, as_of=date.today()).markdown
        return [
            UserMessage(
                f"Help {team} run its postmortem action-item review. Go through the agenda below in order. For each "
                "overdue or blocked item ask what blocks it and who can unblock it; for undecided candidates ask the "
                "human to decide (decide_action asks them directly); for stale items ask for a status. Use only the "
                "counts given here or returned by tools; never estimate a number. Do not mark anything done, "
                "assigned or re-planned yourself. To say who will be reminded of what before the next review (and "
                "which owners reminders cannot reach), call preview_reminders with as_of.\n\n" + agenda
            )
        ]
