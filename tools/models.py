"""Inputs and results of the operations: what crosses into and out of `tools/`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, GetJsonSchemaHandler, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from postmortem_actions.store.records import Action, ActionSummary, AuditEntry, Category, Decision, Size
from postmortem_actions.tools.days import DueDate
from postmortem_actions.tools.extraction.models import (
    CoverageGap,
    Finding,
    LintFinding,
)
from postmortem_actions.tools.guide import CATEGORY_RULE, DUE_RULE, OWNER_RULE
from postmortem_actions.tools.schema import Line, Model, MultiLine, Quote


class CandidateIn(Model):
    """One candidate action item, as the assistant proposes it."""

    text: Annotated[
        Line, Field(min_length=3, max_length=500, description="One specific sentence: what will be done, to what.")
    ]
    done_when: Annotated[
        Line,
        Field(min_length=3, max_length=500, description="The finish line: an observable state that shows it is done."),
    ]
    problem: Annotated[
        MultiLine,
        Field(min_length=3, max_length=1000, description="The problem from the incident that this action addresses."),
    ]
    category: Annotated[
        Category,
        Field(description=CATEGORY_RULE + "."),
    ]
    quote: Annotated[
        Quote,
        Field(
            min_length=1,
            max_length=2000,
            description="Evidence copied verbatim from the postmortem (case and spacing "
            "may differ) showing the action was proposed there.",
        ),
    ]
    size: Annotated[Size | None, Field(description="Suggested size S/M/L; a suggestion only.")] = None
    proposed_owner: Annotated[
        Line | None,
        Field(
            max_length=100,
            description=f"A suggested owner, {OWNER_RULE}. Only a proposal: a human commits owners.",
        ),
    ] = None
    proposed_due: Annotated[
        DueDate | None,
        Field(
            description=f"A suggested due date (YYYY-MM-DD), {DUE_RULE}. Only a proposal: a human commits due dates."
        ),
    ] = None


Clearable = Literal["size", "proposed_owner", "proposed_due"]


class CandidateRevision(Model):
    """Changes to a candidate; omitted fields stay as they are."""

    text: Annotated[Line | None, Field(min_length=3, max_length=500)] = None
    done_when: Annotated[Line | None, Field(min_length=3, max_length=500)] = None
    problem: Annotated[MultiLine | None, Field(min_length=3, max_length=1000)] = None
    category: Annotated[Category | None, Field(description=CATEGORY_RULE + ".")] = None
    quote: Annotated[Quote | None, Field(min_length=1, max_length=2000)] = None
    size: Size | None = None
    proposed_owner: Annotated[Line | None, Field(max_length=100)] = None
    proposed_due: DueDate | None = None
    clear: Annotated[list[Clearable], Field(max_length=3, description="Fields to empty.")] = Field(default_factory=list)

    @model_validator(mode="after")
    def _set_or_clear(self) -> CandidateRevision:
        both = sorted(name for name in self.clear if getattr(self, name) is not None)
        if both:
            raise ValueError(f"{', '.join(both)}: either set a value or clear it, not both")
        return self


class Section(Model):
    """A headed part of a postmortem, with its character offsets in the stored text."""

    heading: str
    level: int = Field(description="1-6 for headings; 0 for text before the first heading")
    start: int
    end: int
    text: str = Field(description="The section's text (truncated when the document is long; see `truncated`)")
    truncated: bool = False


class ParseResult(Model):
    """A stored postmortem and its sections."""

    postmortem_id: int
    created: bool = Field(description="False when the same text was already stored; the existing id is returned")
    title: str
    source: str
    origin: str | None = Field(
        default=None,
        description=(
            "What the text was extracted from when it is not the file's own text: 'docx:NAME.docx' for a Word "
            "document, stored as Markdown (offsets and quotes refer to that text)"
        ),
    )
    severity: str | None
    incident_date: date | None
    sha256: str
    chars: int
    sections: list[Section]
    findings: list[Finding] = Field(
        description=(
            "Follow-ups the server found in the text (suggestions, with exact quotes and offsets): start from these"
        )
    )
    findings_total: int = Field(
        description="How many findings there are; beyond the first 100, read postmortem://{id}/findings"
    )
    next_step: str


class RecordedCandidate(Model):
    """A candidate that is now stored (or was already, with the same text)."""

    index: int = Field(description="Position in the submitted list, from 0")
    action_id: int
    status: Literal["recorded", "already_recorded"]
    text: str
    quote_start: int
    quote_end: int
    vague: bool = Field(description="The wording has no finish line: rewrite it with revise_candidate (see lint)")
    lint: list[LintFinding]


class RejectedCandidate(Model):
    """A candidate that was not stored, and why."""

    index: int
    text: str
    reason: str


class RecordResult(Model):
    """The outcome of recording candidates: which were stored and which were rejected."""

    postmortem_id: int
    recorded: list[RecordedCandidate]
    rejected: list[RejectedCandidate]
    coverage_gap: list[CoverageGap] = Field(
        description=(
            "Follow-ups the document states that no candidate of this postmortem covers yet (the first 100): record "
            "each, or tell the human why it is not one"
        )
    )
    coverage_gap_total: int = Field(
        description="How many follow-ups no candidate covers; beyond the first 100, read postmortem://{id}/coverage"
    )
    message: str


def _flatten(node: object, handler: GetJsonSchemaHandler) -> object:
    if isinstance(node, list):
        return [_flatten(item, handler) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        resolved = handler.resolve_ref_schema({"$ref": node["$ref"]})
        return _flatten({**resolved, **{k: v for k, v in node.items() if k != "$ref"}}, handler)
    # Nullable fields keep their anyOf branches: a "type": [..., "null"] list is not portable (the MCP Inspector's
    # --strict check flags it, and some function-calling dialects reject it).
    return {key: _flatten(value, handler) for key, value in node.items()}


class ActionPage(Model):
    """One page of actions, with the exact number that match."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # Clients validate every result against this schema; without $ref hops that check costs a fraction (the
        # SDK's client spent most of a list_actions call in it).
        flat = _flatten(handler.resolve_ref_schema(handler(core_schema)), handler)
        assert isinstance(flat, dict)
        return flat

    items: list[ActionSummary] = Field(description="Summaries; read action://{id} for evidence, done_when, history")
    total: int = Field(description="Exact number of actions matching the filters (all pages)")
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page, or null on the last page")


class ActionDetail(Model):
    """An action item with how it came to be what it is: the human decisions and the other changes."""

    action: Action
    decisions: list[Decision]
    audit: list[AuditEntry]
