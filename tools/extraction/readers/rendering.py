"""What the line-based markup readers (MediaWiki, AsciiDoc, reStructuredText) share: a Markdown rendering built from
copied source text and written marks, with its offset map, and the mapping of a rendered span back to a quote.

A reader copies a document's words as they are (each character keeps its own offset) and writes the Markdown marks
its markup stands for ("## " for "== H ==", "- " for "*", "**" for "'''") at the offset of that markup. The Markdown
reader then reads the rendering, and the extractor cuts quotes from the source through the map.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from postmortem_actions.tools.extraction.readers.offsets import OffsetMap

# Only CR/LF end lines, as in the Markdown reader.
LINES: Final = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
Place = Callable[[int, int], tuple[int, int]]


class Rendering:
    """A Markdown rendering being written, and where each of its characters came from."""

    __slots__ = ("origin", "out", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.out: list[str] = []
        self.origin = OffsetMap()

    def copy(self, start: int, end: int) -> None:
        """Append source[start:end] as it is."""
        if end > start:
            self.out.append(self.source[start:end])
            self.origin.add_copied(start, end - start)

    def copied_plain(self, start: int, end: int, marks: re.Pattern[str]) -> bool:
        """Copy source[start:end] as it is if none of `marks` (what every inline markup starts with) is in it; say
        whether it was: most text holds no inline markup, and its patterns need not run over it."""
        if marks.search(self.source, start, end) is None:
            self.copy(start, end)
            return True
        return False

    def write(self, text: str, pos: int) -> None:
        """Append `text`, a mark the markup at `pos` stands for."""
        if text:
            self.out.append(text)
            self.origin.add_written(pos, len(text))

    def done(self) -> tuple[str, OffsetMap]:
        """The rendering and its offset map (closed with the source's length)."""
        self.origin.close(len(self.source))
        return "".join(self.out), self.origin


def lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end of content, end with the line break) of every line of `text`."""
    found = []
    offset = 0
    if "\r" not in text:  # only "\n" ends lines: split in C, the same lines as below
        for body in text.split("\n"):
            end = offset + len(body)
            found.append((offset, end, end + 1))
            offset = end + 1
        start, end, _ = found[-1]
        found[-1] = (start, end, end)  # the text after the last "\n" has no line break...
        return found if end > start else found[:-1]  # ...and is no line when it is empty
    for raw in LINES.findall(text):
        body = raw.rstrip("\r\n")
        found.append((offset, offset + len(body), offset + len(raw)))
        offset += len(raw)
    return found


def placer(source: str, rendered: str, origin: OffsetMap) -> Place:
    """A function mapping a rendered span to the source span a quote is cut from.

    The quote starts where the span's first character came from. It ends just after the last character when that
    character was copied; when it is a written mark (a closing "**"), it ends where the markup behind it ends."""

    def place(start: int, end: int) -> tuple[int, int]:
        first, after = origin.span(start, end)
        if end > start:
            last = origin[end - 1]
            if source[last : last + 1] == rendered[end - 1] and last >= first:
                after = last + 1
        return first, after

    return place
