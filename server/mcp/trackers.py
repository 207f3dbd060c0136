"""The tracker tools over MCP: draft, export, link and sync tickets.

Credentials and targets come from the server's settings (environment or trackers file), never from arguments.
Drafting needs no credentials and offers every tracker; filing, linking and reading back are offered only for the
trackers that are configured, and not at all when none is.
"""

from contextlib import closing
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from pydantic import AfterValidator, Field, WithJsonSchema

from postmortem_actions.server.mcp.boundary import READ_ONLY, ToolSpec, tool
from postmortem_actions.server.mcp.context import App, app, assistant
from postmortem_actions.tools import trackers as ex
from postmortem_actions.tools import trackers as tickets
from postmortem_actions.tools.trackers.base import TRACKERS, TrackerAdapter, TrackerName
from postmortem_actions.tools.trackers.config import how_to_configure

FILES = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=True, openWorldHint=True)
Ids = Annotated[
    list[Annotated[int, Field(ge=1)]] | None,
    Field(min_length=1, max_length=tickets.MAX_ITEMS, description="Action ids; or give postmortem_id"),
]
PostmortemId = Annotated[int | None, Field(ge=1, description="All actions of this postmortem; or give action_ids")]


def _one_of(names: tuple[TrackerName, ...], description: str) -> Any:
    """A `tracker` argument that accepts only `names` (its schema an enum of them)."""

    def known(value: str) -> str:
        if value not in names:
            hint = f" {how_to_configure(value)}" if value in TRACKERS else ""
            raise ValueError(
                f"must be one of {', '.join(names)} (the trackers configured on this server); nothing was sent.{hint}"
            )
        return value

    schema = {"type": "string", "enum": list(names), "description": description}
    return Annotated[str, AfterValidator(known), WithJsonSchema(schema)]


def _adapter(ctx: Context[App], tracker: str) -> TrackerAdapter:
    state = app(ctx)
    return ex.connect(
        state.settings.trackers.get(tracker), transport=state.tracker_transport, sleep=state.tracker_sleep
    )


AnyTracker = Annotated[TrackerName, Field(description="github, jira or linear: the draft's format (nothing is sent)")]


@tool("Draft tracker tickets", READ_ONLY)
def draft_tickets(
    ctx: Context[App], tracker: AnyTracker, action_ids: Ids = None, postmortem_id: PostmortemId = None
) -> tickets.DraftResult:
    """Preview the tickets accepted action items would become in the tracker (title, description with the
    problem, evidence and a link back, acceptance criteria from done_when, owner, due date, labels).
    Nothing is sent; items that are not accepted are listed as refused."""
    return tickets.draft_tickets(app(ctx).store, tracker, action_ids=action_ids, postmortem_id=postmortem_id)


def tools_for(configured: tuple[TrackerName, ...]) -> tuple[ToolSpec, ...]:
    """The tracker tools for a server with these trackers configured."""
    if not configured:
        return (draft_tickets,)
    tracker_type = _one_of(configured, f"{', '.join(configured)} (configured on the server)")

    @tool("Export tickets to the tracker", FILES)
    def export_tickets(
        ctx: Context[App],
        tracker: tracker_type,  # type: ignore[valid-type]
        action_ids: Ids = None,
        postmortem_id: PostmortemId = None,
    ) -> ex.ExportResult:
        """File a ticket in the team's tracker for each accepted item that has none there yet, and link it.
        Exporting again never files a duplicate. Items that are not accepted are refused without any request;
        failures name the items and change nothing for them."""
        with closing(_adapter(ctx, tracker)) as connected:
            return ex.export_tickets(
                app(ctx).store, connected, assistant(ctx), action_ids=action_ids, postmortem_id=postmortem_id
            )

    @tool("Link an existing ticket", FILES)
    def link_ticket(
        ctx: Context[App],
        action_id: Annotated[int, Field(ge=1)],
        tracker: tracker_type,  # type: ignore[valid-type]
        url: Annotated[str, Field(min_length=8, max_length=500, description="The ticket's URL")],
    ) -> ex.ExportResult:
        """Link an existing, still open ticket (by URL) to an accepted action instead of filing a new one."""
        with closing(_adapter(ctx, tracker)) as connected:
            return ex.link_ticket(app(ctx).store, connected, assistant(ctx), action_id, url)

    @tool("Read ticket states back", FILES)
    def sync_tickets(ctx: Context[App], tracker: tracker_type) -> ex.SyncResult:  # type: ignore[valid-type]
        """Read every linked ticket of the tracker. A ticket a person closed there completes its item (or
        kills it, when closed as not planned), recorded as that person's decision; you decide nothing here.
        Closes by bots, automations or the account this server uses, and closes of tickets moved out of the
        configured repository, project or team, are only reported: a person confirms them with complete_action."""
        with closing(_adapter(ctx, tracker)) as connected:
            return ex.sync_tickets(app(ctx).store, connected, assistant(ctx))

    return (draft_tickets, export_tickets, link_ticket, sync_tickets)
