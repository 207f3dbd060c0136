"""What every command's arguments share: the date option type and the parser a command group registers on."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TypeAlias

from postmortem_actions.store.errors import InvalidInput
from postmortem_actions.tools.days import check_day

# What `add_subparsers` returns; only subscriptable for the type checker.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def day(value: str) -> date:
    """A date option's value: YYYY-MM-DD, within the supported range (argparse names the option).

    Raises:
        argparse.ArgumentTypeError: `value` is not a date, or is outside the supported range.
    """
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04") from None
    try:
        check_day("the day", parsed)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return parsed
