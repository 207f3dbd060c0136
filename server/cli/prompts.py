"""Questions typed at a terminal: the person's channel for decisions (`decide`, `triage`, `defer`, `revive`, `reopen`).

These commands refuse to run unless both stdin and stdout are a terminal, and have no flag that skips the
questions, so answers are never piped in from a file or another command by accident. It is not a barrier against a
program that drives a pseudo-terminal: an agent with shell access can type here as it can edit the database file,
which is why the threat model (README) puts agents with shell access out of scope.

Every answer is checked where it is typed: a date that is not one is asked again naming what was typed and the form;
a due date in the past is shown as such and confirmed; an empty answer that is needed says what it is needed for.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable, Mapping
from datetime import date
from typing import Final

from postmortem_actions.store.errors import NoHumanChannel
from postmortem_actions.store.text import refusal, visible
from postmortem_actions.tools.days import plausible_due

Ask = Callable[[str], str]
INTERACTIVE: Final = ("decide", "triage", "defer", "revive", "reopen")
YES_NO: Final = {"y": "y", "n": "n"}


def ask_here(prompt: str) -> str:
    """Show `prompt` on stdout, the terminal `require_terminal` checked, then read the line the person types.

    `input(prompt)` writes its prompt to stderr when stdin and stdout are terminals: with stderr redirected
    the person would answer, and confirm an owner and due date, without seeing the question.

    Raises:
        EOFError: Ctrl-D.
    """
    columns = _columns()
    sys.stdout.write(prompt if columns is None else _wrap(prompt, columns, together=4))
    sys.stdout.flush()
    return input()


def say(text: str) -> None:
    """Print `text` for the person at the terminal, each of its lines wrapped at spaces to the terminal's width (a
    wrapped line indented two spaces more than its first), so the terminal never breaks a word across lines; as it
    is when the width is unknown (not a terminal, or one that does not tell)."""
    columns = _columns()
    for paragraph in text.split("\n"):
        print(paragraph if columns is None else _wrap(paragraph, columns))


_GLUE: Final = "\ue000"  # a private-use character: holds words together while wrapping, then becomes a space again


def _wrap(paragraph: str, columns: int, *, together: int = 1) -> str:
    """`paragraph` wrapped at spaces to fit `columns` (its own indent kept, continuation lines two spaces more),
    its last `together` words kept on one line: a question stays whole beside its answer."""
    if len(paragraph) < columns:
        return paragraph
    body = paragraph.rstrip(" ")
    head, *tail = body.rsplit(" ", together - 1) if together > 1 else (body,)
    lead = " " * (len(body) - len(body.lstrip(" ")))
    wrapped = textwrap.fill(
        _GLUE.join([head, *tail]) if len(head) > len(lead) else body,
        width=columns - 1,
        subsequent_indent=lead + "  ",
        break_long_words=False,  # a long URL or path overflows whole rather than cut
        break_on_hyphens=False,
    )
    return wrapped.replace(_GLUE, " ") + paragraph[len(body) :]


def _columns() -> int | None:
    """The terminal's width, if standard output is a terminal that tells it."""
    try:
        columns = os.get_terminal_size(sys.stdout.fileno()).columns if sys.stdout.isatty() else 0
    except (OSError, ValueError, AttributeError):  # a replaced stdout without a file descriptor
        return None
    return columns or None


def require_terminal() -> None:
    """Refuse to go on without an interactive terminal.

    Raises:
        NoHumanChannel: stdin or stdout is not a terminal.
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NoHumanChannel(
            f"{', '.join(INTERACTIVE[:-1])} and {INTERACTIVE[-1]} run only in an interactive terminal: a decision "
            "must be typed by a person, not piped in by a script or an assistant. Run it yourself in a terminal."
        )


def choose(ask: Ask, prompt: str, options: Mapping[str, str]) -> str:
    """The option the person picks by its key; anything else is asked again, listing the keys."""
    while True:
        reply = ask(prompt).strip().lower()
        if reply in options:
            return options[reply]
        print(f"  Please answer one of: {', '.join(options)}")


def confirm(ask: Ask, prompt: str) -> bool:
    """Whether the person answers y to `prompt` (a question ending in '[y/n] ')."""
    return choose(ask, prompt, YES_NO) == "y"


def line(
    ask: Ask,
    prompt: str,
    default: str = "",
    *,
    needed: str | None = None,
    multiline: bool = False,
    limit: int | None = None,
) -> str:
    """One line of text; Enter keeps `default`. Empty is asked again with `needed` (what it is needed for) when given.

    Text that would hide characters (controls, bidi or invisible ones), or is longer than `limit`, is asked again,
    saying so.
    """
    while True:
        reply = ask(f"{prompt}{f' [{visible(default)}]' if default else ''}: ").strip() or default
        if not reply and needed is not None:
            print(f"  {needed}")
            continue
        if reply and (why := refusal(reply, multiline=multiline)) is not None:
            print(f"  That {why}; type it again.")
            continue
        if limit is not None and len(reply) > limit:
            print(f"  That is {len(reply)} characters; say it in at most {limit}.")
            continue
        return reply


def day(
    ask: Ask,
    prompt: str,
    default: date | None,
    *,
    today: date,
    optional: bool = False,
    due: bool = True,
) -> date | None:
    """A date typed as YYYY-MM-DD; Enter keeps `default` (or gives None when `optional`).

    A due date (`due`) must be plausible and, if it is in the past, is confirmed: typing 2026-01-01 for 2027-01-01
    must not create an item overdue at birth. Any other date (a revisit date) must not be in the past.
    """
    while True:
        reply = ask(f"{prompt} [{default or ('optional' if optional else 'YYYY-MM-DD')}]: ").strip()
        if not reply and (default is not None or optional):
            value = default
        else:
            try:
                value = date.fromisoformat(reply)
            except ValueError:
                print(f"  {visible(reply)!r} is not a date: write it as YYYY-MM-DD, e.g. {today.replace(day=15)}.")
                continue
        if value is None or _fits(ask, value, today=today, due=due):
            return value


def _fits(ask: Ask, value: date, *, today: date, due: bool) -> bool:
    if not due:
        if value < today:
            print(f"  {value} is in the past (today is {today}); give a day to come, or none.")
            return False
        return True
    if (why := plausible_due(value, today)) is not None:
        print(f"  {why}.")
        return False
    if value < today:
        return confirm(
            ask,
            f"  {value} is in the past (today is {today}): the item would be overdue from the start. "
            "Use it anyway? [y/n] ",
        )
    return True
