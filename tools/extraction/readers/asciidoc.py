"""AsciiDoc as Markdown-like text, with offsets back into the source.

`= Title` and `== Section` headings, `*`/`-` and `.` lists (nested by their marks, `[x]` and `[*]` checklists),
`.Block titles` (shown bold: they name the list below them), `*bold*`, `url[label]` and `<<ref,label>>` links,
`|===` tables and `____` quote blocks become the Markdown the extractor reads. Listing, literal, passthrough and
comment blocks (`----`, `....`, `++++`, `////`), the paragraph after `[source]`, indented literal paragraphs,
`//` comments, attribute entries (`:name: value`), block attributes, block macros (`image::`, `include::`) and
footnotes are not text and are dropped; `NOTE:`-style admonition labels are dropped and their text kept. One pass
over the lines, linear in the input; an unclosed block hides what follows it, as AsciiDoc itself does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from postmortem_actions.tools.extraction.readers.offsets import OffsetMap
from postmortem_actions.tools.extraction.readers.rendering import Rendering, lines

_SKIPPED_BLOCKS: Final = frozenset("-.+/")  # listing, literal, passthrough, comment
_DELIMITER: Final = re.compile(r"(-{4,}|\.{4,}|\+{4,}|/{4,}|_{4,}|={4,}|\*{4,}|--)[ \t]*$")
_HEADING: Final = re.compile(r"(={1,6})[ \t]+(\S(?:[^\n]*\S)?)[ \t]*$")
_ITEM: Final = re.compile(r"[ \t]*(\*{1,6}|-|\.{1,6}|\d{1,9}\.|[a-zA-Z]\.)[ \t]+(?:(\[[ xX*]\])[ \t]+)?(?=\S)")
_ATTRIBUTE_ENTRY: Final = re.compile(r":!?[\w-]{1,60}!?:(?:[ \t]|$)")
_BLOCK_ATTRIBUTES: Final = re.compile(r"\[[^\[\]\n]{0,300}\]|\[\[[^\[\]\n]{1,300}\]\]")
_BLOCK_MACRO: Final = re.compile(r"[a-z][\w-]{0,30}::\S{0,2000}\[[^\n]{0,2000}\][ \t]*$")
_DELIMITER_FIRST: Final = frozenset("-.+/_=*")  # what a delimiter line starts with
_BLOCK_TITLE: Final = re.compile(r"\.(?=[^\s.])")
_ADMONITION: Final = re.compile(r"(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION):[ \t]+")
_INLINE: Final = re.compile(
    r"(?P<strong>(?<![\w*\\])\*(?P<bold>[^\s*](?:[^*\n]{0,500}[^\s*])?)\*(?![\w*]))"
    r"|(?P<link>(?:(?:https?|ftp)://|link:|mailto:)(?P<url>[^\s\[\]]{1,2000})\[(?P<label>[^\]\n]{0,500})\])"
    r"|(?P<xref><<(?P<anchor>[^<>,\n]{1,200})(?:,[ \t]*(?P<title>[^<>\n]{1,200}))?>>)"
    r"|(?P<xmacro>xref:[^\s\[\]]{1,500}\[(?P<xlabel>[^\]\n]{0,500})\])"
    r"|(?P<hidden>footnote:\[[^\]\n]{0,2000}\]|\[\[[^\[\]\n]{1,200}\]\]|anchor:[^\s\[\]]{1,200}\[[^\]\n]{0,200}\])"
)

_BAR: Final = re.compile(r"\|(?<!\\\|)")  # a cell's "|", not an escaped one
_INLINE_MARK: Final = re.compile(r"[*:<\[]")  # one of these is in every match of _INLINE


@dataclass(slots=True)
class _Table:
    columns: int = 0
    cells: int = 0
    rows: int = 0


class _Reader:
    def __init__(self, source: str) -> None:
        self.src = source
        self.r = Rendering(source)
        self.skip = ""  # the delimiter of the block being skipped
        self.skip_paragraph = False  # the paragraph after [source] or an indented literal paragraph
        self.quote = ""  # the delimiter of the open quote block ("____"), or "paragraph" after [quote]
        self.table: _Table | None = None
        self.previous = ""  # "", "item", "text"

    def line(self, start: int, end: int, after: int) -> None:
        src = self.src
        text = src[start:end]
        stripped = text.strip()
        if self.skip:
            if stripped == self.skip:
                self.skip = ""
            return
        if not stripped and self.table is not None:
            return  # rows of a table may be apart
        if not stripped:
            self.skip_paragraph = False
            self.quote = "" if self.quote == "paragraph" else self.quote
            self.r.copy(end, after) if after > end else self.r.write("\n", start)
            self.previous = ""
            return
        if self.table is not None:
            self.table_line(text, start, end)
            return
        if text[0] in _DELIMITER_FIRST and (delimiter := _DELIMITER.match(text)) is not None:
            self.delimiter(delimiter.group(1), stripped, start)
            return
        if self.skip_paragraph or (text[0] in " \t" and self.previous == ""):
            self.skip_paragraph = True  # a literal paragraph (indented, or marked [source])
            return
        if self.structure(text, stripped, start, end):
            return
        self.content(text, start, end)
        self.r.copy(end, after) if after > end else self.r.write("\n", end)

    def structure(self, text: str, stripped: str, start: int, end: int) -> bool:
        """Lines that are markup only: delimiters, attributes, comments, macros. True when the line was one."""
        if stripped.startswith("//") and not stripped.startswith("////"):
            return True  # a comment line
        if text == "+" or stripped in ("'''", "<<<"):
            return True  # a list continuation joins the next block to the item; breaks are not text
        # Each pattern needs its own first character (or "::"): most lines are text, and skip the patterns.
        if (text[0] == ":" and _ATTRIBUTE_ENTRY.match(text)) or ("::" in text and _BLOCK_MACRO.match(text)):
            return True
        if stripped[0] == "[" and _BLOCK_ATTRIBUTES.fullmatch(stripped):
            style = stripped[1:-1].split(",")[0].strip().lower()
            self.skip_paragraph = style in ("source", "listing", "literal", "stem", "latexmath", "mermaid")
            self.quote = "paragraph" if style in ("quote", "verse") else self.quote
            return True
        if stripped.startswith("|==="):
            self.r.write("\n", start)
            self.table = _Table()
            return True
        return False

    def delimiter(self, mark: str, stripped: str, start: int) -> None:
        if mark[0] in _SKIPPED_BLOCKS and mark != "--":
            self.skip = stripped  # skipped up to the same delimiter
            self.skip_paragraph = False
        elif mark[0] == "_":
            self.quote = "" if self.quote == stripped else stripped
        if self.previous:
            self.r.write("\n\n", start)  # a block boundary ends the paragraph or list before it
        self.previous = ""

    def content(self, text: str, start: int, end: int) -> None:
        quote = "> " if self.quote else ""
        if text[0] == "=" and (heading := _HEADING.match(text)) is not None:
            title = heading.group(2)
            bare = title.rstrip("=")
            if bare != title and bare[-1:] in (" ", "\t"):
                title = bare.rstrip(" \t")  # "== Title ==": the closing marks are not the title
            self.r.write("\n" * (self.previous != "") + "#" * len(heading.group(1)) + " ", start)
            self.inline(start + heading.start(2), start + heading.start(2) + len(title))
            self.r.write("\n", end)
            self.previous = ""
            return
        if (item := _ITEM.match(text)) is not None:
            marks = item.group(1)
            depth = len(marks) if marks[0] in "*." else 1
            bullet = "- " if marks[0] in "*-" else "1. "
            box = item.group(2)
            self.r.write(
                quote + "  " * (depth - 1) + bullet + ("[x] " if box and box != "[ ]" else "[ ] " if box else ""), start
            )
            self.inline(start + item.end(), end)
            self.previous = "item"
            return
        if self.previous == "" and _BLOCK_TITLE.match(text):
            self.r.write("**", start)  # ".Action items": the title of the block below
            self.inline(start + 1, end)
            self.r.write("**\n", end)
            return
        self.r.write(quote, start)
        admonition = _ADMONITION.match(text) if self.previous == "" else None
        self.inline(start + (admonition.end() if admonition else 0), end)
        self.previous = self.previous or "text"

    def inline(self, start: int, end: int) -> None:
        """Copy text with its inline markup rendered: constrained bold as Markdown bold, links with their labels."""
        if self.r.copied_plain(start, end, _INLINE_MARK):
            return
        pos = start
        for m in _INLINE.finditer(self.src, start, end):
            self.r.copy(pos, m.start())
            pos = m.end()
            kind = m.lastgroup
            if kind == "strong":
                self.r.write("**", m.start())
                self.r.copy(m.start("bold"), m.end("bold"))
                self.r.write("**", m.end("bold"))
            elif kind == "link":
                url = m.group("link")[: m.start("label") - 1 - m.start()].removeprefix("link:")
                if m.group("label").strip():
                    self.r.write("[", m.start())
                    self.r.copy(m.start("label"), m.end("label"))
                    self.r.write(f"]({url})", m.end("label"))
                else:
                    self.r.write(url, m.start())
            elif kind == "xref":
                label = "title" if m.group("title") else "anchor"
                self.r.copy(m.start(label), m.end(label))
            elif kind == "xmacro":
                self.r.copy(m.start("xlabel"), m.end("xlabel"))
        self.r.copy(pos, end)

    def table_line(self, text: str, start: int, end: int) -> None:
        """A line of a `|===` table: cells become a Markdown row once a row's worth is read; the first row is the
        header."""
        table = self.table
        assert table is not None
        if text.strip().startswith("|==="):
            self.end_row(table, start, force=True)
            self.table = None
            self.r.write("\n", start)
            return
        bars = _bars(text, start) if "\\" not in text else [m.start() for m in _BAR.finditer(self.src, start, end)]
        lead = self.src[start : bars[0] if bars else end]
        if lead.strip() and table.cells:  # the open cell's text runs on to this line
            self.r.write(" ", start)
            self.inline(start + len(lead) - len(lead.lstrip()), start + len(lead.rstrip()))
        if not table.columns and not table.rows:
            table.columns = len(bars)
        for n, bar in enumerate(bars):
            cell_end = bars[n + 1] if n + 1 < len(bars) else end
            cell = self.src[bar + 1 : cell_end]
            self.r.write("| " if not table.cells else " | ", bar)
            self.inline(bar + 1 + len(cell) - len(cell.lstrip()), bar + 1 + len(cell.rstrip()))
            table.cells += 1
            if table.cells >= table.columns:
                self.end_row(table, cell_end, force=False)

    def end_row(self, table: _Table, pos: int, force: bool) -> None:
        if not table.cells or (force is False and table.cells < table.columns):
            return
        self.r.write(" |\n", pos)
        table.rows += 1
        if table.rows == 1:
            self.r.write("|" + " --- |" * table.cells + "\n", pos)
        table.cells = 0

    def render(self) -> tuple[str, OffsetMap]:
        for start, end, after in lines(self.src):
            self.line(start, end, after)
        if self.table is not None:
            self.end_row(self.table, len(self.src), force=True)
        return self.r.done()


def _bars(text: str, start: int) -> list[int]:
    """The offsets of the cell bars of a table line without escapes (`start` is the line's offset)."""
    bars = []
    at = text.find("|")
    while at >= 0:
        bars.append(start + at)
        at = text.find("|", at + 1)
    return bars


def asciidoc_to_text(source: str) -> tuple[str, OffsetMap]:
    """Render AsciiDoc as Markdown-like text, with each rendered character's offset in `source`.

    Raises nothing: unknown markup is read as text."""
    return _Reader(source).render()
