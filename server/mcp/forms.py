"""The elicitation form a gated tool shows the human, and reading their answer back strictly.

The form is flat (the elicitation schema subset), pre-filled with the proposal, every field editable, and carries
the item's version; an answer naming a field the form does not have, or a value of the wrong kind, is refused with a
sentence naming the field, never applied in part.
"""

from datetime import date
from typing import Annotated, Any, Literal

from mcp.server.elicitation import render_elicitation_schema
from mcp.server.mcpserver import Context
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, create_model
from pydantic_core import ErrorDetails

from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.tools.decision_models import Answer, Question


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

    On the wire it is exactly the typed form; what comes back is taken as it is and checked here (`answer_from`), so a
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


def answer_from(question: Question, data: BaseModel | dict[str, Any]) -> Answer:
    """The human's answer, checked against the form they were shown.

    Raises:
        InvalidInput: a field is wrong, missing or not in the form; the message names it and says nothing was
            committed.
    """
    try:
        given = data if isinstance(data, dict) else {**data.model_dump(), **(data.model_extra or {})}
        checked = _strict_form(question).model_validate(given)
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
