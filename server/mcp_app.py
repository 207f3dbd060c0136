"""The MCP surface: tools, resources and their wiring to `tools/` operations. Rules live in `tools/`."""

import inspect
import logging
import re
import time
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, RequestStateSecurity
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import ToolAnnotations
from pydantic import Field

from postmortem_actions.store import Action, ActionFilter, ActionState, Actor, Category, Store
from postmortem_actions.store.errors import NotFound
from postmortem_actions.store.text import visible
from postmortem_actions.tools import postmortems, queries
from postmortem_actions.tools.candidates import MAX_BATCH
from postmortem_actions.tools.candidates import record_candidates as record_candidates_op
from postmortem_actions.tools.candidates import revise_candidate as revise_candidate_op
from postmortem_actions.tools.models import ActionPage, CandidateIn, CandidateRevision, ParseResult, RecordResult

from .boundary import READ_ONLY, UnknownArgumentGuard, domain_errors
from .extraction import register_extraction
from .gate import register_gate
from .keys import state_key
from .review import register_review
from .settings import Settings
from .trackers import register_trackers
from .version import VERSION

log = logging.getLogger("postmortem_actions")
T = TypeVar("T")

INSTRUCTIONS = """\
postmortem-actions turns an incident postmortem into action items that get done.
You propose; a human commits. Workflow: parse_postmortem (stores the document, returns its sections and
the follow-ups the server found, with quotes) -> record_candidates (specific actions, each with a verbatim
evidence quote; nothing the text does not support; lint_action checks vagueness; settle every item of the
coverage_gap it returns) -> decide_action per candidate with your proposed owner and due date: the server asks the
human directly in their client, and only their answer is recorded. Later: report_status (in progress,
blocked), and replan_action / complete_action / reopen_action, which again ask the human. Never claim an
item is accepted, assigned or done unless a tool result says the human decided so.
"""

WRITES_CANDIDATES = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=True,
                                    openWorldHint=False)


def _client_label(ctx: Context) -> str:
    params = ctx.session.client_params
    info = params.client_info if params is not None else None
    # The client names itself; its name is recorded on decisions and shown to people, so nothing in it may hide.
    return visible(f"{info.name}/{info.version}")[:200] if info is not None else "unknown-client"


def build_server(settings: Settings, *, tracker_transport: Any = None,
                 tracker_sleep: Callable[[float], None] = time.sleep) -> MCPServer:
    """Build the MCP server for these settings. The database is opened (and migrated) on the first call
    that needs it, so a host's tools/list is answered without waiting for it.

    `tracker_transport` (an httpx2 transport) replaces the network for the tracker tools, and `tracker_sleep`
    the wait between retries: both for tests.

    Raises:
        StoreError: the database folder cannot be created.
        ConfigError: the question key cannot be created or read.
    """
    store = Store(settings.db_path, lazy=True)
    guard = UnknownArgumentGuard({})
    # Pending questions are sealed with a key kept beside the database, so an answer survives a restart
    # of the server (hosts restart stdio servers freely), and live long enough for a human.
    security = RequestStateSecurity(keys=[state_key(settings.state_key_path)], ttl=settings.answer_ttl)
    mcp = MCPServer("postmortem-actions", version=VERSION, instructions=INSTRUCTIONS, middleware=[guard],
                    log_level=settings.log_level, request_state_security=security)

    def assistant(ctx: Context) -> Actor:
        return Actor(actor="assistant", via=f"mcp:{_client_label(ctx)} for {settings.user}")

    @mcp.tool(title="Parse a postmortem", annotations=WRITES_CANDIDATES)
    @domain_errors
    def parse_postmortem(
        ctx: Context,
        text: Annotated[str | None, Field(description="The postmortem pasted as Markdown, plain text or HTML.")] = None,
        path: Annotated[str | None, Field(description=(
            "Or a file to read: a .md/.txt/.rst/.html document inside the folders the user allowed "
            "(default: the server's working directory). Dot-files and key material are refused."))] = None,
        title: Annotated[str | None, Field(max_length=300, description="Title, if the document has none.")] = None,
        severity: Annotated[str | None, Field(max_length=20,
                                              description="e.g. SEV2, if not stated in the text.")] = None,
        incident_date: Annotated[date | None, Field(description="YYYY-MM-DD, if not stated in the text.")] = None,
    ) -> ParseResult:
        """Store a postmortem and return its id and sections. Give `text` or `path`, not both.

        The same text twice returns the existing postmortem. Next: read the sections and call
        record_candidates with the follow-up actions the document proposes."""
        return postmortems.parse_postmortem(store, assistant(ctx), settings.read_policy, text=text, path=path,
                                            title=title, severity=severity, incident_date=incident_date)

    @mcp.tool(title="Record candidate actions", annotations=WRITES_CANDIDATES)
    @domain_errors
    def record_candidates(
        ctx: Context,
        postmortem_id: Annotated[int, Field(ge=1, description="Id returned by parse_postmortem.")],
        candidates: Annotated[list[CandidateIn], Field(min_length=1, max_length=MAX_BATCH,
                                                      description="The candidate actions.")],
    ) -> RecordResult:
        """Record candidate action items for a postmortem. Each needs a verbatim evidence `quote` from it.

        Candidates whose quote is not in the postmortem are rejected by name; the others are recorded.
        Candidates are proposals: an owner and due date may be *proposed*, never committed, here."""
        return record_candidates_op(store, assistant(ctx), postmortem_id, candidates)

    @mcp.tool(title="Revise a candidate", annotations=WRITES_CANDIDATES)
    @domain_errors
    def revise_candidate(
        ctx: Context,
        action_id: Annotated[int, Field(ge=1)],
        changes: Annotated[CandidateRevision, Field(description="Only the fields to change; `clear` empties some.")],
    ) -> Action:
        """Reword or re-categorise a candidate, or change its proposed owner/due. Audit-logged.

        Only candidates can be revised; accepted, killed and done items change only by a human decision."""
        return revise_candidate_op(store, assistant(ctx), action_id, changes)

    @mcp.tool(title="List actions", annotations=READ_ONLY)
    @domain_errors
    def list_actions(
        postmortem_id: Annotated[int | None, Field(ge=1)] = None,
        state: Annotated[ActionState | None, Field(description="candidate, accepted, killed or done")] = None,
        owner: Annotated[str | None, Field(max_length=100, description="Committed owner (case-insensitive)")] = None,
        category: Category | None = None,
        due_before: Annotated[date | None, Field(description="Committed due date strictly before")] = None,
        due_after: Annotated[date | None, Field(description="Committed due date strictly after")] = None,
        limit: Annotated[int, Field(ge=1, le=queries.MAX_PAGE)] = queries.DEFAULT_PAGE,
        offset: Annotated[int, Field(ge=0)] = 0,
    ) -> ActionPage:
        """List actions matching every given filter, oldest first, with the exact total. Never estimate
        counts: use `total`, and page with `offset`/`next_offset`."""
        where = ActionFilter(postmortem_id=postmortem_id, state=state, owner=owner, category=category,
                             due_before=due_before, due_after=due_after)
        return queries.list_actions(store, where, limit=limit, offset=offset)

    @mcp.resource("postmortem://{id}", mime_type="application/json", title="Postmortem document")
    def postmortem_resource(id: str) -> str:
        """The stored postmortem: metadata and full text."""
        return _resource(store.get_postmortem, id).model_dump_json()

    @mcp.resource("action://{id}", mime_type="application/json", title="Action item with history")
    def action_resource(id: str) -> str:
        """An action item with its decisions and its audit log."""
        return _resource(lambda action_id: queries.action_detail(store, action_id), id).model_dump_json()

    gated = register_gate(mcp, store, settings, _client_label)
    review = register_review(mcp, store)
    extraction = register_extraction(mcp, store)
    trackers = register_trackers(mcp, store, assistant, transport=tracker_transport, sleep=tracker_sleep)
    # Only what the model may send: not the context, not the human's answer (a Resolve dependency).
    guard.parameters = {
        fn.__name__: frozenset(p for p in inspect.signature(fn).parameters if p not in ("ctx", "answer"))
        for fn in (parse_postmortem, record_candidates, revise_candidate, list_actions, *gated, *review, *extraction,
                   *trackers)
    }
    return mcp


def _resource(lookup: Callable[[int], T], value: str) -> T:
    """The record a resource URI's id names, or the SDK's not-found error (-32602) for the client."""
    try:
        # Not str.isdigit(): it accepts '²' and other digits int() refuses or reads differently.
        if re.fullmatch(r"[0-9]{1,18}", value) is None:
            raise NotFound(f"{value!r} is not an id")
        return lookup(int(value))
    except NotFound as exc:
        raise ResourceNotFoundError(str(exc)) from exc
