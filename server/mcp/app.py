"""The MCP server: the tool table, built once per process, and a server around it for one database.

Tools are module-level functions (in this package's tool modules) that find the store and settings in the
server's lifespan state (`App`), so their schemas are built once and every server (a stdio process, a test) only
pairs them with its own `App`. Rules live in `tools/`; these modules only wire.
"""

import functools
import logging
import textwrap
import time
from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from mcp.server import MCPServer
from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import RequestStateSecurity
from mcp.server.mcpserver.tools import Tool

from postmortem_actions.server.keys import state_key
from postmortem_actions.server.mcp import card, extraction, gate, nudges, review, trackers
from postmortem_actions.server.mcp import postmortems as postmortem_tools
from postmortem_actions.server.mcp.boundary import ReadableResolverErrors, UnknownArgumentGuard, argument_names
from postmortem_actions.server.mcp.context import App
from postmortem_actions.server.mcp.roles import RoleGuard, read_only_tools
from postmortem_actions.server.mcp.validation import ReadableValidationErrors
from postmortem_actions.server.settings import Settings
from postmortem_actions.server.version import VERSION
from postmortem_actions.store import Store
from postmortem_actions.tools.guide import BY_PURPOSE, IN_BRIEF
from postmortem_actions.tools.trackers.base import TrackerName

log = logging.getLogger("postmortem_actions")

INSTRUCTIONS = textwrap.fill(
    " ".join(
        f"""
postmortem-actions turns an incident postmortem into action items that get done.
You propose; a human commits. Workflow: parse_postmortem (stores the document, returns its sections and
the follow-ups the server found, with quotes) -> record_candidates (specific actions, each with a verbatim
evidence quote; nothing the text does not support; {IN_BRIEF}; a category {BY_PURPOSE}; lint_action
checks vagueness; settle every item of the coverage_gap it returns) -> decide_action per
candidate, proposing the owner and due date the text or the person you work with states, if any: the server asks
the human directly in their client, and only their answer is recorded. Later: report_status (in progress,
blocked), and replan_action / complete_action / reopen_action, which again ask the human. Never claim an
item is accepted, assigned or done unless a tool result says the human decided so.
""".split()
    ),
    width=110,
)


@functools.cache
def tool_table(configured_trackers: tuple[TrackerName, ...]) -> tuple[tuple[Tool, ...], dict[str, frozenset[str]]]:
    """Every tool with its schemas, and each tool's argument names, for servers with these trackers configured.

    Building the schemas is most of a server's cost (about 50 ms), so it happens once per process and set of
    trackers; the tracker tools offer only the configured trackers.
    """
    specs = [
        *postmortem_tools.TOOLS,
        *gate.TOOLS,
        *card.TOOLS,
        *review.TOOLS,
        *nudges.TOOLS,
        *extraction.TOOLS,
        *trackers.tools_for(configured_trackers),
    ]
    return tuple(spec.build() for spec in specs), argument_names(specs)


def build_server(
    settings: Settings,
    *,
    tracker_transport: Any = None,
    tracker_sleep: Callable[[float], None] = time.sleep,
    token_verifier: TokenVerifier | None = None,
    auth: AuthSettings | None = None,
) -> MCPServer[App]:
    """The MCP server for these settings. The database is opened (and migrated) on the first call that needs it,
    so a host's tools/list is answered without waiting for it.

    `tracker_transport` (an httpx2 transport) replaces the network for the tracker tools, and `tracker_sleep`
    the wait between retries: both for tests. `token_verifier` and `auth` are the team server's (HTTP): who each
    request is for, and the roles `RoleGuard` enforces.

    Raises:
        StoreError: the database folder cannot be created.
        ConfigError: the question key cannot be created or read.
    """
    app = App(
        settings=settings,
        store=Store(settings.db_path, lazy=True),
        tracker_transport=tracker_transport,
        tracker_sleep=tracker_sleep,
    )
    tools, arguments = tool_table(settings.trackers.names)

    @asynccontextmanager
    async def lifespan(_server: MCPServer[App]) -> Any:
        yield app

    # Pending questions are sealed with a key kept beside the database, so an answer survives a restart of the
    # server (hosts restart stdio servers freely), and live long enough for a human.
    security = RequestStateSecurity(keys=[state_key(settings.state_key_path)], ttl=settings.answer_ttl)
    mcp: MCPServer[App] = MCPServer(
        "postmortem-actions",
        version=VERSION,
        instructions=INSTRUCTIONS,
        log_level=settings.log_level,
        middleware=[
            RoleGuard(read_only_tools(tools)),
            UnknownArgumentGuard(arguments),
            ReadableResolverErrors(),
            ReadableValidationErrors(tools),
            card.AppOnlyTools(),
        ],
        request_state_security=security,
        token_verifier=token_verifier,
        auth=auth,
        lifespan=lifespan,
        tools=list(tools),
        # The decision card and the review board for hosts that render MCP Apps; its tools are in the table above.
        extensions=[card.apps_extension()],
    )
    for register in _RESOURCES_AND_PROMPTS:
        register(mcp, app)
    return mcp


_RESOURCES_AND_PROMPTS: Sequence[Callable[[MCPServer[App], App], None]] = (
    postmortem_tools.register_resources,
    review.register_resources,
    nudges.register_resources,
    extraction.register_resources,
)
