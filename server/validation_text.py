"""A pydantic validation error as a sentence a person can read: which argument, and what it needs.

Used where arguments from outside meet our models: the MCP tools' arguments (server/mcp/validation.py) and the
command line's options (`revise`). No pydantic type names, no URLs, no "[type=...]".
"""

from collections.abc import Iterable
from typing import Final

from pydantic_core import ErrorDetails

from postmortem_actions.store.text import visible

_SHOWN_INPUT: Final = 60
_DATE_TYPES: Final = frozenset(
    {"date_from_datetime_parsing", "date_parsing", "date_type", "date_from_datetime_inexact"}
)
_GATED: Final = frozenset({"owner", "due", "due_date", "state", "status", "accepted", "decision", "decided_by"})


def argument_path(loc: Iterable[int | str]) -> str:
    """An error's location as the argument is written: `candidates[0].text`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "the arguments"


def _shown(value: object) -> str:
    text = visible(repr(value))
    return text if len(text) <= _SHOWN_INPUT else text[: _SHOWN_INPUT - 1] + "…"


def what_is_wrong(error: ErrorDetails) -> str:
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    unit = "characters" if isinstance(given, str) else "items"
    match kind:
        case "missing":
            return "is required"
        case "extra_forbidden":
            hint = (
                " (owners, due dates and states are committed only by a human decision)"
                if str(error["loc"][-1]).lower() in _GATED
                else ""
            )
            what = "an argument this tool takes" if len(error["loc"]) == 1 else "a field this argument takes"
            return f"is not {what}{hint}"
        case "too_short" | "string_too_short":
            return f"must have at least {ctx.get('min_length')} {unit} (it has {len(given or '')})"
        case "too_long" | "string_too_long":
            return f"must have at most {ctx.get('max_length')} {unit}"
        case "enum" | "literal_error":
            return f"must be one of {ctx.get('expected')}, not {_shown(given)}"
        case "string_type":
            return f"must be text, not {_shown(given)}"
        case "int_parsing" | "int_type" | "int_from_float":
            return f"must be a whole number, not {_shown(given)}"
        case "greater_than_equal" | "greater_than" | "less_than_equal" | "less_than":
            return error["msg"].replace("Input should be", "must be")
        case _ if kind in _DATE_TYPES:
            return f"{_shown(given)} is not a date: write it as YYYY-MM-DD, e.g. 2027-01-15"
        case "value_error" | "assertion_error":
            return error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return error["msg"].replace("Input should be", "must be")
