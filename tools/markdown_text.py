"""Stored text written into Markdown so that it renders as exactly that text.

A candidate's problem holding "## Acceptance criteria" and "- [ ] Nothing to do", or a "<!--" that hides every
line after it, would otherwise forge or hide parts of a ticket, an agenda or an export when a tracker or a viewer
renders the Markdown. Every character that can start markup is backslash-escaped (CommonMark lets any ASCII
punctuation be escaped, and renders the escape as the character itself), so the rendered text is the stored text;
`visible()` first writes out anything that would hide.
"""

from __future__ import annotations

import re
from typing import Final

from postmortem_actions.store.text import visible

# Inline markup, HTML and entities anywhere; the "!" of an image is harmless once its "[" is escaped.
_INLINE: Final = re.compile(r"([\\`*_\[\]<>|~&])")
# What starts a block at the beginning of a line: an ATX heading, a quote, a bullet, a setext underline, a
# numbered item. The first mark is escaped; a digit cannot be, so a numbered item's dot is.
_BLOCK_START: Final = re.compile(r"^(?:#{1,6}(?=[ \t]|$)|>|[-+](?=[ \t]|$)|=+[ \t]*$|-+[ \t]*$)")
_NUMBERED: Final = re.compile(r"^(\d{1,9})([.)])(?=[ \t]|$)")


def _escaped_line(line: str) -> str:
    line = _INLINE.sub(r"\\\1", line.lstrip(" \t"))  # four leading spaces would start a code block
    line = _BLOCK_START.sub(lambda m: "\\" + m.group(), line)
    return _NUMBERED.sub(r"\1\\\2", line)


def md_text(value: str) -> str:
    """One line of stored text as Markdown that renders as the text itself (line breaks become spaces)."""
    return _escaped_line(visible(value))


def md_cell(value: str) -> str:
    """Stored text as one table cell that renders as the text itself: inline markup and pipes escaped, lines
    joined with <br> (a cell never starts a line, so block markers need no escape)."""
    return "<br>".join(_INLINE.sub(r"\\\1", line) for line in visible(value, multiline=True).split("\n"))


def md_lines(value: str) -> list[str]:
    """Multi-line stored text as Markdown lines, each rendering as the text itself."""
    return [_escaped_line(line) for line in visible(value, multiline=True).split("\n")]
