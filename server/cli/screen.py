"""Where the commands draw: a `rich` console on standard output, as wide as the terminal, in colour only there.

`rich` lays out the tables, wraps text at spaces and marks a cut with '…'; it is imported when a command draws,
never at start-up (commands that print JSON or CSV never load it). Output that goes to a pipe or a file has no
colour or control codes, and is as wide as COLUMNS says (else 120 columns), so it is the same on every run.
Stored text is always handed over as `Text` (never parsed as rich markup) and through `visible()` first.
"""

from __future__ import annotations

import io
import shutil
import sys
from typing import TYPE_CHECKING, Final, TextIO

from postmortem_actions.store.text import visible

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

PIPE_WIDTH: Final = 120  # the width of a table sent to a pipe when COLUMNS does not say


def width() -> int:
    """The terminal's width in columns: COLUMNS when set, else the terminal's own, else PIPE_WIDTH."""
    return shutil.get_terminal_size((PIPE_WIDTH, 24)).columns


def console(stream: TextIO | None = None, columns: int | None = None) -> Console:
    """A console writing to `stream` (standard output): colour only on a terminal (and never with NO_COLOR)."""
    from rich.console import Console

    return Console(
        file=stream or sys.stdout,
        width=columns or width(),
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )


def draw(*renderables: RenderableType) -> None:
    """Print to standard output, one after the other: in colour on a terminal, else as `as_text` writes them."""
    out = console()
    if out.is_terminal:
        for renderable in renderables:
            out.print(renderable)
        return
    for renderable in renderables:
        sys.stdout.write(as_text(renderable, out.width))


def as_text(renderable: RenderableType, columns: int) -> str:
    """What `renderable` looks like drawn `columns` wide, as plain text: no colour, no spaces at the ends of lines."""
    buffer = io.StringIO()
    console(buffer, columns).print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def proposer(name: str) -> str:
    """Who proposed a candidate, as a sentence names it: "the extractor", or the client or person as stored."""
    return "the extractor" if name == "extractor" else visible(name)


def shown(value: str | None, style: str = "", *, multiline: bool = False) -> Text:
    """Stored text as the terminal may show it: nothing hidden (`visible`), never read as markup."""
    from rich.text import Text

    return Text(visible(value or "", multiline=multiline), style=style)
