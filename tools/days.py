"""The days the review computes for: one supported range, checked wherever a day comes in.

Date arithmetic near `date.min` or `date.max` overflows (the agenda looks 7 days ahead and 14 back), and no
postmortem or review lies outside this window, so a day outside it is refused with a sentence, never a
traceback. The CLI's date options and the MCP review tools both check against these two bounds.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Final

from pydantic import AfterValidator

from postmortem_actions.store.errors import InvalidInput

EARLIEST: Final = date(1970, 1, 1)
LATEST: Final = date(2999, 12, 31)


def check_day(name: str, day: date | None) -> None:
    """Refuse a day outside EARLIEST..LATEST; `None` (the default) passes.

    Raises:
        InvalidInput: `day` is outside the supported range; the message names `name` and the range.
    """
    if day is not None and not EARLIEST <= day <= LATEST:
        raise InvalidInput(f"{name} must be between {EARLIEST} and {LATEST}, not {day}")


DUE_WINDOW_YEARS = 10


def due_window(today: date) -> tuple[date, date]:
    """The due dates a proposal or a decision may name: ten years either side of `today`."""
    return (
        today.replace(year=today.year - DUE_WINDOW_YEARS, day=min(today.day, 28)),
        today.replace(year=today.year + DUE_WINDOW_YEARS, day=min(today.day, 28)),
    )


def plausible_due(value: date, today: date | None = None) -> str | None:
    """Why `value` cannot be a due date (a sentence), or None when it can."""
    low, high = due_window(today or date.today())
    if low <= value <= high:
        return None
    hint = " (a number, such as 0, is read as a day in 1970)" if value.year == 1970 else ""
    return (
        f"{value.isoformat()} is not a plausible due date: it must fall between {low.isoformat()} and "
        f"{high.isoformat()}{hint}"
    )


def _due(value: date) -> date:
    reason = plausible_due(value)
    if reason is not None:
        raise ValueError(reason)
    return value


DueDate = Annotated[date, AfterValidator(_due)]
"""A due date within ten years of today, either side."""
