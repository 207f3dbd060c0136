"""The human gate over MCP: decide, re-plan, complete and reopen ask the human through an elicitation form.

Each tool takes the assistant's *proposal* as arguments; a `Resolve` dependency (invisible to the model)
puts the question to the human on both protocol eras (push elicitation on 2025-11-25, a multi-round-trip
`InputRequiredResult` on 2026-07-28). Only the human's answer is recorded. The question is deterministic
from the stored state, and carries the item's version, so an answer to an item that changed meanwhile
is re-asked or refused, never applied.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.elicitation import render_elicitation_schema
from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, Resolve
from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, create_model
from pydantic_core import ErrorDetails

from postmortem_actions.server.mcp.boundary import ToolSpec, tool
from postmortem_actions.server.mcp.context import App, app, client_label
from postmortem_actions.store import Action, Channel, DecisionKind, WorkStatus
from postmortem_actions.store.errors import InvalidInput, NoHumanChannel, PostmortemActionsError
from postmortem_actions.tools import decisions
from postmortem_actions.tools.days import DueDate
from postmortem_actions.tools.decisions import Answer, Decider, DecisionOutcome, Question

GATED = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False, openWorldHint=False)
Proposal = Annotated[str | None, Field(max_length=100)]
Reason = Annotated[str, Field(min_length=3, max_length=1000)]


def can_form_elicit(ctx: Context[Any]) -> bool:
    """Whether the client declared form elicitation (a bare `elicitation: {}` means form, per the spec)."""
    caps = ctx.client_capabilities
    el = caps.elicitation if caps else None
    return el is not None and (el.form is not None or el.url is None)


def _version_field(version: str) -> Any:
    # A one-value enum (not "const", which the elicitation schema subset lacks): the human cannot change it,
    # and the answer names the version of the item it was given for.
    schema = {
        "type": "string",
        "enum": [version],
        "default": version,
        "title": "Item version",
        "description": "The version of the item you are deciding on",
    }
    return (Annotated[str, WithJsonSchema(schema)], Field(default=version))


def _plain_object(schema: dict[str, Any]) -> None:
    schema.pop("additionalProperties", None)  # the elicitation schema subset has no such keyword


# An answer naming a field the form does not have (say "state": "done") is refused, not half-applied: the
# answerer believed it set something. The wire schema stays the plain flat object the spec allows.
_FORM_CONFIG = ConfigDict(extra="forbid", json_schema_extra=_plain_object)
# What is sent is the strict form's schema; what comes back is taken whole and checked against the strict form.
_ANSWER_CONFIG = ConfigDict(extra="allow", json_schema_extra=_plain_object)


def _strict_form(question: Question) -> type[BaseModel]:
    """The form as the answer must be: typed fields, no others."""
    fields: dict[str, Any] = {}
    if question.kind == "decide":
        fields["decision"] = (
            Literal["accept", "kill", "defer"],
            Field(description="accept (with owner and due date), kill (with a reason), or defer"),
        )
    else:
        fields["confirm"] = (bool, Field(description=f"Confirm this {question.kind}?"))
    if question.kind in ("decide", "replan"):
        # Known people are suggested in the field's help, never an enum: any name may still be typed.
        owner_help = " ".join(filter(None, ["Owner (edit if needed).", question.known_people]))
        fields["owner"] = (str, Field(default=question.owner, description=owner_help))
        fields["due_date"] = (date, Field(default=question.due, description="Due date (edit if needed)"))
    if question.kind != "complete":
        fields["reason"] = (str, Field(default=question.reason, description="Reason (needed to kill, re-plan, reopen)"))
    else:
        fields["evidence"] = (str, Field(default=question.evidence, description="Evidence it is done (PR, link)"))
    fields["item_version"] = _version_field(question.version)
    return create_model(f"{question.kind.capitalize()}Checked", __config__=_FORM_CONFIG, **fields)


def form_for(question: Question) -> type[BaseModel]:
    """The flat elicitation form for a question, pre-filled with the proposal (every field editable).

    On the wire it is exactly the typed form; what comes back is taken as it is and checked here (`_answer`), so a
    wrong answer is refused with a sentence naming the field, not the SDK's message naming our functions.
    """
    strict = _strict_form(question)
    wire = render_elicitation_schema(strict)["properties"]
    fields: dict[str, Any] = {
        name: (
            Annotated[Any, WithJsonSchema(wire[name])],
            Field(default=info.default) if not info.is_required() else ...,
        )
        for name, info in strict.model_fields.items()
    }
    answer: type[BaseModel] = create_model(f"{question.kind.capitalize()}Form", __config__=_ANSWER_CONFIG, **fields)
    return answer


def _problem(error: ErrorDetails) -> str:
    field = ".".join(str(part) for part in error["loc"]) or "the answer"
    value = error.get("input")
    match error["type"]:
        case "extra_forbidden":
            return f"{field} is not a field of the form"
        case "literal_error":
            return f"{field} {value!r} is not one of the choices offered"
        case kind if kind.startswith("date"):
            return f"{field} {value!r} is not a date (YYYY-MM-DD)"
        case kind if kind.startswith("bool"):
            return f"{field} {value!r} is not yes or no (true or false)"
        case "missing":
            return f"{field} is missing"
    return f"{field} {value!r} cannot be used ({error['msg'].lower()})"


def _answer(question: Question, data: BaseModel) -> Answer:
    """The human's answer, checked against the form they were shown.

    Raises:
        InvalidInput: a field is wrong, missing or not in the form; the message names it and says nothing was
            committed.
    """
    try:
        checked = _strict_form(question).model_validate({**data.model_dump(), **(data.model_extra or {})})
    except ValidationError as exc:
        problems = "; ".join(_problem(error) for error in exc.errors(include_url=False)[:3])
        raise InvalidInput(
            f"The answer does not fit the form ({problems}): nothing was committed. Ask again."
        ) from None
    values = checked.model_dump()
    choice = values.get("decision") or ("confirm" if values.get("confirm") else "reject")
    return Answer(
        choice=choice,
        item_version=values["item_version"],
        owner=values.get("owner") or "",
        due=values.get("due_date"),
        reason=values.get("reason") or "",
        evidence=values.get("evidence") or "",
    )


def _decider(ctx: Context[App]) -> Decider:
    # Over authenticated HTTP the principal is the human; on stdio it is the configured local user.
    user = app(ctx).settings.user
    token = get_access_token()
    name = (token.subject or token.client_id) if token is not None else user
    return Decider(name=name or user, channel=Channel.ELICITATION, client=client_label(ctx))


def _question_or_none(build: Callable[[], Question], ctx: Context[App]) -> Elicit[Any] | None:
    # Resolvers run on every round and must not write; None means "do not ask" (the body then says why).
    if not can_form_elicit(ctx):
        return None
    try:
        question = build()
    except PostmortemActionsError:
        return None
    return Elicit(question.message, form_for(question))


def _settle(question: Question, result: ElicitationResult[Any], ctx: Context[App]) -> DecisionOutcome:
    who = _decider(ctx)
    store = app(ctx).store
    if isinstance(result, AcceptedElicitation):
        if result.data is None:
            raise NoHumanChannel(
                f"Nothing was committed: this client cannot put a question to the human (no elicitation "
                f"support). Tell the user to decide in a terminal: `postmortem-actions decide "
                f"{question.action_id}` (or `postmortem-actions triage POSTMORTEM_ID` for all undecided items)."
            )
        return decisions.apply_answer(store, question, _answer(question, result.data), who)
    how: Literal["declined", "cancelled"] = "declined" if result.action == "decline" else "cancelled"
    return decisions.not_answered(store, question.action_id, how, who)


def _decide_question(
    ctx: Context[App], action_id: int, proposed_owner: str | None, proposed_due: date | None, note: str | None
) -> Question:
    state = app(ctx)
    return decisions.ask_decide(
        state.store,
        action_id,
        proposed_owner=proposed_owner,
        proposed_due=proposed_due,
        note=note,
        table=state.settings.due_table,
        today=date.today(),
    )


def _ask_decision(
    action_id: int, proposed_owner: str | None, proposed_due: date | None, note: str | None, ctx: Context[App]
) -> Elicit[Any] | None:
    return _question_or_none(lambda: _decide_question(ctx, action_id, proposed_owner, proposed_due, note), ctx)


@tool("Ask the human to decide an action", GATED)
def decide_action(
    ctx: Context[App],
    action_id: Annotated[int, Field(ge=1)],
    answer: Annotated[ElicitationResult[Any], Resolve(_ask_decision)],
    proposed_owner: Annotated[Proposal, Field(description="Your suggested owner; the human edits it")] = None,
    proposed_due: Annotated[DueDate | None, Field(description="Your suggested due date (YYYY-MM-DD)")] = None,
    note: Annotated[str | None, Field(max_length=500, description="Why you propose this, shown to the human")] = None,
) -> DecisionOutcome:
    """Ask the human (in their client, not through you) to accept a candidate with an owner and due
    date, kill it with a reason, or defer it. Your proposal pre-fills the form; the result says exactly
    what the human decided. Declined or dismissed: nothing is recorded; do not press."""
    return _settle(_decide_question(ctx, action_id, proposed_owner, proposed_due, note), answer, ctx)


def _confirmation(ctx: Context[App], kind: DecisionKind, action_id: int, **offered: Any) -> Question:
    return decisions.ask_confirmation(app(ctx).store, kind, action_id, **offered)


def _ask_replan(
    action_id: int, new_owner: str | None, new_due: date | None, reason: str, ctx: Context[App]
) -> Elicit[Any] | None:
    return _question_or_none(
        lambda: _confirmation(ctx, DecisionKind.REPLAN, action_id, owner=new_owner, due=new_due, reason=reason), ctx
    )


@tool("Ask the human to re-plan an action", GATED)
def replan_action(
    ctx: Context[App],
    action_id: Annotated[int, Field(ge=1)],
    reason: Annotated[Reason, Field(description="Why the owner or date should change")],
    answer: Annotated[ElicitationResult[Any], Resolve(_ask_replan)],
    new_owner: Annotated[Proposal, Field(description="Proposed new owner")] = None,
    new_due: Annotated[DueDate | None, Field(description="Proposed new due date")] = None,
) -> DecisionOutcome:
    """Ask the human to confirm a new owner and/or due date for an accepted action (they may edit both)."""
    question = _confirmation(ctx, DecisionKind.REPLAN, action_id, owner=new_owner, due=new_due, reason=reason)
    return _settle(question, answer, ctx)


def _ask_complete(action_id: int, evidence: str, ctx: Context[App]) -> Elicit[Any] | None:
    return _question_or_none(lambda: _confirmation(ctx, DecisionKind.COMPLETE, action_id, evidence=evidence), ctx)


@tool("Ask the human to mark an action done", GATED)
def complete_action(
    ctx: Context[App],
    action_id: Annotated[int, Field(ge=1)],
    evidence: Annotated[Reason, Field(description="What shows it is done: a PR, a link, a dashboard")],
    answer: Annotated[ElicitationResult[Any], Resolve(_ask_complete)],
) -> DecisionOutcome:
    """Ask the human to confirm an accepted action is done, with the evidence you offer."""
    return _settle(_confirmation(ctx, DecisionKind.COMPLETE, action_id, evidence=evidence), answer, ctx)


def _ask_reopen(action_id: int, reason: str, ctx: Context[App]) -> Elicit[Any] | None:
    return _question_or_none(lambda: _confirmation(ctx, DecisionKind.REOPEN, action_id, reason=reason), ctx)


@tool("Ask the human to reopen a done action", GATED)
def reopen_action(
    ctx: Context[App],
    action_id: Annotated[int, Field(ge=1)],
    reason: Annotated[Reason, Field(description="Why it is not done after all")],
    answer: Annotated[ElicitationResult[Any], Resolve(_ask_reopen)],
) -> DecisionOutcome:
    """Ask the human to reopen a done action (it returns to accepted with its owner and due date)."""
    return _settle(_confirmation(ctx, DecisionKind.REOPEN, action_id, reason=reason), answer, ctx)


@tool(
    "Report an accepted action's working status",
    ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=True, openWorldHint=False),
)
def report_status(
    ctx: Context[App],
    action_id: Annotated[int, Field(ge=1)],
    status: Annotated[WorkStatus, Field(description="in_progress or blocked")],
    note: Annotated[str | None, Field(max_length=1000, description="What is happening / what blocks it")] = None,
) -> Action:
    """Record that an accepted action is in progress or blocked (with a note). This commits no one:
    owner, due date and state do not change. Completion goes through complete_action."""
    state = app(ctx)
    return decisions.report_status(state.store, action_id, status, note, client_label(ctx), state.settings.user)


TOOLS: tuple[ToolSpec, ...] = (decide_action, replan_action, complete_action, reopen_action, report_status)
