"""The tracker tools over MCP: draft, export, link and sync tickets. Credentials come from the server's
environment or its trackers file, never from arguments; the tracker to use is named by `tracker`."""

import os
import time
from collections.abc import Callable
from contextlib import closing
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from pydantic import Field

from postmortem_actions.store import Actor, Store
from postmortem_actions.tools import export as ex
from postmortem_actions.tools import tickets
from postmortem_actions.tools.tracker_base import TrackerAdapter, TrackerName
from postmortem_actions.tools.tracker_config import load_tracker

from .boundary import READ_ONLY, domain_errors

FILES = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=True, openWorldHint=True)
Tracker = Annotated[TrackerName, Field(description="github, jira or linear (configured on the server)")]
Ids = Annotated[list[Annotated[int, Field(ge=1)]] | None, Field(
    min_length=1, max_length=tickets.MAX_ITEMS, description="Action ids; or give postmortem_id")]
PostmortemId = Annotated[int | None, Field(ge=1, description="All actions of this postmortem; or give action_ids")]


def register_trackers(mcp: MCPServer, store: Store, assistant: Callable[[Context], Actor], *,
                      transport: Any = None, sleep: Callable[[float], None] = time.sleep) -> list[object]:
    """Add draft_tickets, export_tickets, link_ticket and sync_tickets; returns the tool functions.

    `transport` (an httpx2 transport) replaces the network and `sleep` the wait between retries, for tests
    against a vendor-like fake.
    """

    def adapter(tracker: TrackerName) -> TrackerAdapter:
        return ex.connect(load_tracker(tracker, os.environ), transport=transport, sleep=sleep)

    @mcp.tool(title="Draft tracker tickets", annotations=READ_ONLY)
    @domain_errors
    def draft_tickets(tracker: Tracker, action_ids: Ids = None, postmortem_id: PostmortemId = None,
                      ) -> tickets.DraftResult:
        """Preview the tickets accepted action items would become in the tracker (title, description with the
        problem, evidence and a link back, acceptance criteria from done_when, owner, due date, labels).
        Nothing is sent; items that are not accepted are listed as refused."""
        return tickets.draft_tickets(store, tracker, action_ids=action_ids, postmortem_id=postmortem_id)

    @mcp.tool(title="Export tickets to the tracker", annotations=FILES)
    @domain_errors
    def export_tickets(ctx: Context, tracker: Tracker, action_ids: Ids = None,
                       postmortem_id: PostmortemId = None) -> ex.ExportResult:
        """File a ticket in the team's tracker for each accepted item that has none there yet, and link it.
        Exporting again never files a duplicate. Items that are not accepted are refused without any request;
        failures name the items and change nothing for them."""
        with closing(adapter(tracker)) as connected:
            return ex.export_tickets(store, connected, assistant(ctx), action_ids=action_ids,
                                     postmortem_id=postmortem_id)

    @mcp.tool(title="Link an existing ticket", annotations=FILES)
    @domain_errors
    def link_ticket(ctx: Context, action_id: Annotated[int, Field(ge=1)], tracker: Tracker,
                    url: Annotated[str, Field(min_length=8, max_length=500, description="The ticket's URL")],
                    ) -> ex.ExportResult:
        """Link an existing, still open ticket (by URL) to an accepted action instead of filing a new one."""
        with closing(adapter(tracker)) as connected:
            return ex.link_ticket(store, connected, assistant(ctx), action_id, url)

    @mcp.tool(title="Read ticket states back", annotations=FILES)
    @domain_errors
    def sync_tickets(ctx: Context, tracker: Tracker) -> ex.SyncResult:
        """Read every linked ticket of the tracker. A ticket a person closed there completes its item (or
        kills it, when closed as not planned), recorded as that person's decision; you decide nothing here.
        Closes by bots, automations or the account this server uses, and closes of tickets moved out of the
        configured repository, project or team, are only reported: a person confirms them with complete_action."""
        with closing(adapter(tracker)) as connected:
            return ex.sync_tickets(store, connected, assistant(ctx))

    return [draft_tickets, export_tickets, link_ticket, sync_tickets]
