"""What callers hand the store to write or to filter by. Validated already by the operations layer."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from .errors import InvalidInput
from .records import ActionState, Category, Channel, DecisionKind, Size
from .text import check_line, check_multiline

# Every text a person will be shown is checked here too, below every channel: a tool, a CLI command or a
# tracker that forgot to check cannot store text that shows one thing and says another.
Line = Annotated[str, AfterValidator(check_line)]
MultiLine = Annotated[str, AfterValidator(check_multiline)]


def _hex64(value: str) -> str:
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise ValueError("is not a sha256 in hex")
    return value


class Input(BaseModel):
    """Base of store inputs: immutable, no unknown fields, text fields checked (`store.text`).

    Raises on construction:
        InvalidInput: a field is missing, of the wrong type, or has text that cannot be stored.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors(include_url=False)
            )
            raise InvalidInput(f"nothing was stored: {problems}") from None


class Actor(Input):
    """Who or what makes a non-decision change: e.g. actor 'assistant' via 'mcp:claude-code/1.0 for alice'."""

    actor: Line
    via: Line


class NewPostmortem(Input):
    """A postmortem to store."""

    title: Line
    source: Line
    text: str
    sha256: str
    severity: str | None = None
    incident_date: date | None = None
    origin: Line | None = None  # 'docx:name.docx' when the text was extracted from a Word document


class NewAction(Input):
    """A candidate action to store; its quote offsets were located in the postmortem's text."""

    text: Line
    done_when: Line
    problem: MultiLine
    category: Category
    size: Size | None = None
    quote: str  # an exact slice of the postmortem's text, whatever it holds; renderers show it with visible()
    quote_start: int
    quote_end: int
    proposed_owner: Line | None = None
    proposed_due: date | None = None
    proposed_by: Line | None = None


class HumanDecision(Input):
    """A decision exactly as a human gave it, and through which channel and client it arrived."""

    kind: DecisionKind
    owner: Line | None = None
    due: date | None = None
    reason: MultiLine | None = None
    evidence: MultiLine | None = None
    decided_by: Line
    channel: Channel
    client: Line | None = None
    revisit_on: date | None = None


class NewDecisionRequest(Input):
    """A question to put to the human outside the client; `code_hash` is the sha256 of its one-time code."""

    code_hash: Annotated[str, AfterValidator(_hex64)]
    action_id: int
    version: str
    kind: Literal["decide", "replan", "complete", "reopen"]
    proposal: dict[str, str | None]
    via: Literal["url", "browser", "mcp-app"]
    client: Line | None = None
    ttl_seconds: int


class ActionFilter(Input):
    """Filters for listing actions; every given filter must hold."""

    postmortem_id: int | None = None
    state: ActionState | None = None
    owner: str | None = None
    category: Category | None = None
    due_before: date | None = None
    due_after: date | None = None


class NewPerson(Input):
    """A person to add to the people table; the operations layer checked the address forms."""

    name: Line
    email: Line | None = None
    slack_id: Line | None = None
    aliases: tuple[Line, ...] = ()
