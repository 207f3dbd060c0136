"""The days the review computes for: one supported range, checked wherever a day comes in.

Date arithmetic near `date.min` or `date.max` overflows (the agenda looks 7 days ahead and 14 back), and no
postmortem or review lies outside this window, so a day outside it is refused with a sentence, never a
traceback. The CLI's date options and the MCP review tools both check against these two bounds.
"""

from __future__ import annotations

from datetime import date
from typing import Final

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
