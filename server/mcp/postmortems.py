"""Postmortems and candidates over MCP: parse, record, revise, list, and the postmortem and action resources."""

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import ToolAnnotations
from pydantic import Field

from postmortem_actions.server.mcp.boundary import READ_ONLY, ToolSpec, tool
from postmortem_actions.server.mcp.context import App, app, assistant, client_label
from postmortem_actions.store import Action, ActionFilter, ActionState, Category
from postmortem_actions.store.errors import NotFound
from postmortem_actions.tools import postmortems, queries
from postmortem_actions.tools.candidates import MAX_BATCH
from postmortem_actions.tools.candidates import record_candidates as record_candidates_op
from postmortem_actions.tools.candidates import revise_candidate as revise_candidate_op
from postmortem_actions.tools.models import ActionPage, CandidateIn, CandidateRevision, ParseResult, RecordResult

T = TypeVar("T")

WRITES_CANDIDATES = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=True, openWorldHint=False)


@tool("Parse a postmortem", WRITES_CANDIDATES)
def parse_postmortem(
    ctx: Context[App],
    text: Annotated[str | None, Field(description="The postmortem pasted as Markdown, plain text or HTML.")] = None,
    path: Annotated[
        str | None,
        Field(
            description=(
                "Or a file to read: a .md/.txt/.rst/.html document or a Word .docx inside the folders the user "
                "allowed (default: the server's working directory). A .docx is stored as its Markdown rendering "
                "(`origin` says so). Dot-files and key material are refused."
            )
        ),
    ] = None,
    title: Annotated[str | None, Field(max_length=300, description="Title, if the document has none.")] = None,
    severity: Annotated[str | None, Field(max_length=20, description="e.g. SEV2, if not stated in the text.")] = None,
    incident_date: Annotated[date | None, Field(description="YYYY-MM-DD, if not stated in the text.")] = None,
) -> ParseResult:
    """Store a postmortem and return its id and sections. Give `text` or `path`, not both.

    The same text twice returns the existing postmortem. Next: read the sections and call
    record_candidates with the follow-up actions the document proposes."""
    state = app(ctx)
    return postmortems.parse_postmortem(
        state.store,
        assistant(ctx),
        state.settings.read_policy,
        text=text,
        path=path,
        title=title,
        severity=severity,
        incident_date=incident_date,
    )


@tool("Record candidate actions", WRITES_CANDIDATES)
def record_candidates(
    ctx: Context[App],
    postmortem_id: Annotated[int, Field(ge=1, description="Id returned by parse_postmortem.")],
    candidates: Annotated[
        list[CandidateIn], Field(min_length=1, max_length=MAX_BATCH, description="The candidate actions.")
    ],
) -> RecordResult:
    """Record candidate action items for a postmortem. Each needs a verbatim evidence `quote` from it.

    Candidates whose quote is not in the postmortem are rejected by name; the others are recorded.
    Candidates are proposals: an owner and due date may be *proposed*, never committed, here."""
    return record_candidates_op(
        app(ctx).store, assistant(ctx), postmortem_id, candidates, proposed_by=client_label(ctx)
    )


@tool("Revise a candidate", WRITES_CANDIDATES)
def revise_candidate(
    ctx: Context[App],
    action_id: Annotated[int, Field(ge=1)],
    changes: Annotated[CandidateRevision, Field(description="Only the fields to change; `clear` empties some.")],
) -> Action:
    """Reword or re-categorise a candidate, or change its proposed owner/due. Audit-logged.

    Only candidates can be revised; accepted, killed and done items change only by a human decision."""
    return revise_candidate_op(app(ctx).store, assistant(ctx), action_id, changes)


@tool("List actions", READ_ONLY)
def list_actions(
    ctx: Context[App],
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
    where = ActionFilter(
        postmortem_id=postmortem_id,
        state=state,
        owner=owner,
        category=category,
        due_before=due_before,
        due_after=due_after,
    )
    return queries.list_actions(app(ctx).store, where, limit=limit, offset=offset)


TOOLS: tuple[ToolSpec, ...] = (parse_postmortem, record_candidates, revise_candidate, list_actions)


def register_resources(mcp: MCPServer[App], state: App) -> None:
    """Add the postmortem and action resources, reading `state`'s store."""

    @mcp.resource("postmortem://{id}", mime_type="application/json", title="Postmortem document")
    def postmortem_resource(id: str) -> str:
        """The stored postmortem: metadata and full text."""
        return resource(state.store.get_postmortem, id).model_dump_json()

    @mcp.resource("action://{id}", mime_type="application/json", title="Action item with history")
    def action_resource(id: str) -> str:
        """An action item with its decisions and its audit log."""
        return resource(lambda action_id: queries.action_detail(state.store, action_id), id).model_dump_json()


def resource(lookup: Callable[[int], T], value: str) -> T:
    """The record a resource URI's id names, or the SDK's not-found error (-32602) for the client."""
    try:
        # Not str.isdigit(): it accepts '²' and other digits int() refuses or reads differently.
        if re.fullmatch(r"[0-9]{1,18}", value) is None:
            raise NotFound(f"{value!r} is not an id")
        return lookup(int(value))
    except NotFound as exc:
        raise ResourceNotFoundError(str(exc)) from exc
