"""The extraction surface: the vagueness linter tool, the findings and coverage resources and the extract_actions
prompt."""

import re
import textwrap
from collections.abc import Sequence
from typing import Annotated

from mcp import MCPError
from mcp.server import MCPServer
from mcp.server.mcpserver import UserMessage
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import INVALID_PARAMS
from pydantic import Field, TypeAdapter

from postmortem_actions.server.mcp.boundary import READ_ONLY, ToolSpec, tool
from postmortem_actions.server.mcp.context import App
from postmortem_actions.store import Postmortem, Store
from postmortem_actions.store.errors import NotFound
from postmortem_actions.tools.extraction.models import CoverageGap, Finding, LintResult
from postmortem_actions.tools.guide import BY_PURPOSE, CATEGORIES, DUE_RULE, NOT_VAGUE, OWNER_RULE, VAGUE, WHAT_COUNTS
from postmortem_actions.tools.schema import Line

_ID = re.compile(r"[0-9]{1,18}")


def _wrapped(text: str, indent: str = "") -> str:
    """`text` filled to the prompt's width, with its braces doubled: guide text is never a format field."""
    filled = textwrap.fill(text, width=106, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)
    return filled.replace("{", "{{").replace("}", "}}")


_CATEGORY_LINES = "\n".join(_wrapped(f"{name}: {what};", "  ") for name, what in CATEGORIES)
_DO_NOT_INVENT = (
    f"Do not invent actions the text does not support. If an action is {VAGUE}, flag it, say why, and rewrite it as "
    "a concrete version (lint_action explains what is missing); keep the document's quote as evidence. " + NOT_VAGUE
)
_PROPOSALS = (
    "Owners and due dates are only proposals; a human commits them later, when decide_action asks. Propose an owner "
    f"{OWNER_RULE}. Propose a due date {DUE_RULE}."
)
# Not through _wrapped: {count} and {id} are format fields.
_FOUND = textwrap.fill(
    "The server's extractor found the {count} follow-up(s) listed below (suggestions, with quotes, each with the "
    "category its word rules guess and its flags: judge each category by the action's purpose yourself); start from "
    "them, and read the whole document for any it missed. Then call record_candidates with postmortem_id={id}, and "
    "settle every item it reports in coverage_gap: record it, or tell the human why it is not a follow-up.",
    width=106,
    break_on_hyphens=False,
)

# The guide's rules come from tools/guide.py, which the server's instructions, parse_postmortem's next step and the
# candidate schema also use.
INSTRUCTIONS = f"""\
Extract every proposed follow-up action from postmortem {{id}} ("{{title}}"), below.

{_wrapped("What counts: " + WHAT_COUNTS)}

For each action give:
- one specific sentence: what will be done, to what;
- done_when: the finish line, an observable state that shows it is done;
- the problem from the incident that it addresses;
- a category, {BY_PURPOSE}:
{_CATEGORY_LINES}
- the evidence: the sentence it comes from, quoted verbatim from the document.

{_wrapped(_DO_NOT_INVENT)}
{_wrapped(_PROPOSALS)}

{_FOUND}

{{findings}}

The document:

{{fence}}
{{text}}
{{fence}}
"""


def extraction_prompt(
    postmortem_id: int, title: str, text: str, source: str | None, findings: Sequence[Finding] | None = None
) -> str:
    """The extract_actions prompt's text for a stored postmortem: the instructions, the extractor's findings in
    `text` (read as `source` names it; `findings` instead, when given) and the document itself
    (bench/assistant_loop.py renders it for a corpus)."""
    from postmortem_actions.tools.extraction.extractor import extract

    found = extract(text, source) if findings is None else findings
    listed = "\n".join(_finding_line(n, f) for n, f in enumerate(found, start=1)) or "(none found)"
    return INSTRUCTIONS.format(
        id=postmortem_id, title=title, count=len(found), findings=listed, fence=_fence(text), text=text
    )


def _finding_line(n: int, f: Finding) -> str:
    flags = (
        [f.category.value]
        + (["done"] if f.done else [])
        + (["vague"] if f.vague else [])
        + ([] if f.in_section else ["prose"])
    )
    quote = " ".join(f.quote.split())
    quote = quote if len(quote) <= 200 else quote[:197] + "..."
    return f'{n}. [{", ".join(flags)}] {f.text}\n   quote: "{quote}"'


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    return "`" * max(3, longest + 1)


@tool("Lint an action for vagueness", READ_ONLY)
def lint_action(
    text: Annotated[Line, Field(min_length=1, max_length=2000, description="One action item, as written.")],
) -> LintResult:
    """Say whether an action item has a finish line. A vague one (investigate, look into, improve, better,
    more, etc., a priority without a deliverable, no object) comes back with why and what a concrete
    version needs (the artifact, the threshold, the target, who is paged), so you can rewrite it."""
    from postmortem_actions.tools.extraction.lint import lint_action as lint_action_op

    return lint_action_op(text)


TOOLS: tuple[ToolSpec, ...] = (lint_action,)


def register_resources(mcp: MCPServer[App], state: App) -> None:
    """Add the findings and coverage resources and the extract_actions prompt, reading `state`'s store."""
    store = state.store

    @mcp.resource("postmortem://{id}/findings", mime_type="application/json", title="Follow-ups found in a postmortem")
    def findings_resource(id: str) -> str:
        """Every follow-up the extractor found in a stored postmortem, with exact quotes and offsets."""
        from postmortem_actions.tools.extraction.extractor import extract

        pm = _postmortem(store, id)
        return TypeAdapter(list[Finding]).dump_json(list(extract(pm.text, pm.source))).decode()

    @mcp.resource(
        "postmortem://{id}/coverage", mime_type="application/json", title="Follow-ups no candidate covers yet"
    )
    def coverage_resource(id: str) -> str:
        """Every follow-up of a stored postmortem that no recorded candidate's evidence covers (record_candidates
        lists the first 100), with exact quotes and offsets."""
        from postmortem_actions.tools.candidates import uncovered_followups

        pm = _postmortem(store, id)
        return TypeAdapter(list[CoverageGap]).dump_json(uncovered_followups(store, pm.id)).decode()

    @mcp.prompt(
        title="Extract the action items",
        description="The standard extraction instructions, with the stored postmortem and the server's "
        "findings embedded",
    )
    def extract_actions(postmortem_id: str) -> list[UserMessage]:
        pm = _postmortem(store, postmortem_id, prompt=True)
        return [UserMessage(extraction_prompt(pm.id, pm.title, pm.text, pm.source))]


def _postmortem(store: Store, value: str, *, prompt: bool = False) -> Postmortem:
    """The stored postmortem an id names; a resource gets the SDK's not-found error, a prompt a -32602 error
    whose message reaches the client (the SDK hides other exceptions raised while rendering a prompt)."""
    try:
        if _ID.fullmatch(value.strip()) is None:
            raise NotFound(f"{value!r} is not a postmortem id")
        return store.get_postmortem(int(value.strip()))
    except NotFound as exc:
        if prompt:
            raise MCPError(INVALID_PARAMS, str(exc)) from exc
        raise ResourceNotFoundError(str(exc)) from exc
